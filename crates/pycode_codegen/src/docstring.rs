//! `_PyCompile_CleanDoc` (3.13+): the docstring constant is stored with its indentation
//! removed, as `inspect.cleandoc` would (tabs expanded, the first line's leading spaces and
//! the common margin of the other lines dropped; blank lines and trailing text kept).

use pycode_instr::PyStr;

/// `str.expandtabs(8)` on surrogate-pass UTF-8 bytes (columns count code points; `\n` and `\r`
/// reset them).
fn expandtabs(b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(b.len());
    let mut col = 0usize;
    for &c in b {
        match c {
            b'\t' => {
                let n = 8 - col % 8;
                out.extend(std::iter::repeat_n(b' ', n));
                col += n;
            }
            b'\n' | b'\r' => {
                out.push(c);
                col = 0;
            }
            _ => {
                out.push(c);
                // Continuation bytes do not start a code point.
                if c & 0xC0 != 0x80 {
                    col += 1;
                }
            }
        }
    }
    out
}

/// The cleaned docstring; `None` when it is already clean (CPython then keeps the string).
pub(crate) fn clean_doc(doc: &PyStr) -> Option<PyStr> {
    let expanded;
    let had_tabs = doc.as_bytes().contains(&b'\t');
    let b: &[u8] = if had_tabs {
        expanded = expandtabs(doc.as_bytes());
        &expanded
    } else {
        doc.as_bytes()
    };
    // The minimum indentation of the lines after the first that hold more than spaces (a
    // line of spaces alone, or the empty rest after a final newline, does not count).
    let rest = b.iter().position(|&c| c == b'\n').and_then(|i| b.get(i + 1..)).unwrap_or(&[]);
    let margin = rest
        .split(|&c| c == b'\n')
        .filter_map(|line| {
            let indent = leading_spaces(line);
            (indent < line.len()).then_some(indent)
        })
        .min()
        .unwrap_or(0);
    let first = leading_spaces(b);
    if first == 0 && margin == 0 {
        return if had_tabs { PyStr::from_surrogatepass(b, false).ok() } else { None };
    }
    // The first line without its leading spaces, then every other line without up to
    // `margin` of its own; each copied whole, newline included.
    let mut w = Vec::with_capacity(b.len());
    let mut lines = b.get(first..).unwrap_or(&[]).split_inclusive(|&c| c == b'\n');
    if let Some(line) = lines.next() {
        w.extend_from_slice(line);
    }
    for line in lines {
        let cut = leading_spaces(line).min(margin);
        w.extend_from_slice(line.get(cut..).unwrap_or(&[]));
    }
    // Plain UTF-8 (almost every docstring) is checked by the standard library's fast test;
    // only a string with surrogates goes through the code-point walk.
    match String::from_utf8(w) {
        Ok(text) => Some(PyStr::from_string(text, false)),
        Err(e) => PyStr::from_surrogatepass(e.as_bytes(), false).ok(),
    }
}

/// How many `' '` bytes `line` starts with.
fn leading_spaces(line: &[u8]) -> usize {
    line.iter().take_while(|&&c| c == b' ').count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleans_like_cpython() {
        let cases = [
            ("  a\n    b\n      c\n", "a\nb\n  c\n"),
            ("a\n\n    b\n", "a\n\nb\n"),
            ("clean\nlines", "clean\nlines"),
            ("x\n\tb", "x\nb"),
            ("x\n   \n  y", "x\n \ny"),
        ];
        for (i, o) in cases {
            let got = clean_doc(&PyStr::new(i, false)).map(|s| s.to_string_lossy()).unwrap_or_else(|| i.to_owned());
            assert_eq!(got, o, "{i:?}");
        }
        assert_eq!(cases.len(), 5);
    }
}
