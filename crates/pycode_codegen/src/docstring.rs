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
    let end = b.len();
    // The minimum indentation of the non-blank lines after the first.
    let mut p = match b.iter().position(|&c| c == b'\n') {
        Some(i) => i + 1,
        None => end,
    };
    let mut margin = usize::MAX;
    while p < end {
        let s = p;
        while p < end && b[p] == b' ' {
            p += 1;
        }
        if p < end && b[p] != b'\n' {
            margin = margin.min(p - s);
        }
        while p < end {
            p += 1;
            if b[p - 1] == b'\n' {
                break;
            }
        }
    }
    if margin == usize::MAX {
        margin = 0;
    }
    let mut p = 0;
    while p < end && b[p] == b' ' {
        p += 1;
    }
    if p == 0 && margin == 0 {
        return if had_tabs { PyStr::from_surrogatepass(b, false).ok() } else { None };
    }
    let mut w = Vec::with_capacity(end);
    // Copies the rest of the line at `p`, its newline included; returns where the next starts.
    let copy_line = |w: &mut Vec<u8>, mut p: usize| {
        while p < end {
            let ch = b[p];
            w.push(ch);
            p += 1;
            if ch == b'\n' {
                break;
            }
        }
        p
    };
    p = copy_line(&mut w, p);
    while p < end {
        let mut i = 0;
        while i < margin && p < end && b[p] == b' ' {
            i += 1;
            p += 1;
        }
        p = copy_line(&mut w, p);
    }
    PyStr::from_surrogatepass(&w, false).ok()
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
