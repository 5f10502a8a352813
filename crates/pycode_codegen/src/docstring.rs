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
///
/// Two passes over the text, each finding line ends with `memchr`: the margin, then the copy
/// (a docstring is most of a module's constant bytes, and this runs for every one from 3.13).
pub(crate) fn clean_doc(doc: &PyStr) -> Option<PyStr> {
    let expanded;
    let had_tabs = memchr::memchr(b'\t', doc.as_bytes()).is_some();
    let b: &[u8] = if had_tabs {
        expanded = expandtabs(doc.as_bytes());
        &expanded
    } else {
        doc.as_bytes()
    };
    // The minimum indentation of the lines after the first that hold more than spaces (a
    // line of spaces alone, or the empty rest after a final newline, does not count).
    let first = leading_spaces(b);
    let mut margin = usize::MAX;
    let mut at = memchr::memchr(b'\n', b).map_or(b.len(), |i| i + 1);
    while at < b.len() && margin > 0 {
        let rest = b.get(at..).unwrap_or_default();
        let len = memchr::memchr(b'\n', rest).unwrap_or(rest.len());
        let indent = leading_spaces(rest.get(..len).unwrap_or_default());
        if indent < len {
            margin = margin.min(indent);
        }
        at += len + 1;
    }
    if margin == usize::MAX {
        margin = 0;
    }
    if first == 0 && margin == 0 {
        return if had_tabs { PyStr::from_surrogatepass(b, false).ok() } else { None };
    }
    // The first line without its leading spaces, then every other line without up to
    // `margin` of its own; each copied whole, newline included.
    let mut w = Vec::with_capacity(b.len());
    let mut at = first;
    let mut cut = 0;
    while at < b.len() {
        let rest = b.get(at..).unwrap_or_default();
        let end = memchr::memchr(b'\n', rest).map_or(rest.len(), |i| i + 1);
        let line = rest.get(..end).unwrap_or_default();
        let drop = if cut == 0 { 0 } else { leading_spaces(line).min(cut) };
        w.extend_from_slice(line.get(drop..).unwrap_or_default());
        cut = margin;
        at += end;
    }
    // Removing ASCII spaces keeps ASCII text ASCII (and tabs expand to spaces), so the common
    // case needs no second validation; other text is checked by the standard library's fast
    // test, and only a string with surrogates goes through the code-point walk.
    let w = if doc.is_ascii() {
        match PyStr::from_ascii_vec(w, false) {
            Ok(s) => return Some(s),
            Err(w) => w,
        }
    } else {
        w
    };
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
            ("   lead\n", "lead\n"),
            ("\tfirst\n\t  second\n\t    third", "first\nsecond\n  third"),
            ("a\n    \u{e9}t\u{e9}\n      \u{2603}\n", "a\n\u{e9}t\u{e9}\n  \u{2603}\n"),
            ("a\n\n\n", "a\n\n\n"),
            ("  \n    x\n  y", "\n  x\ny"),
            ("", ""),
        ];
        for (i, o) in cases {
            let got = clean_doc(&PyStr::new(i, false)).map(|s| s.to_string_lossy()).unwrap_or_else(|| i.to_owned());
            assert_eq!(got, o, "{i:?}");
        }
        assert_eq!(cases.len(), 11);
    }
}
