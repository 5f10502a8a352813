//! The `SyntaxWarning`s CPython's parser emits while decoding string literals
//! (`warn_invalid_escape_sequence` in `Parser/string_parser.c`, 3.12+; 3.11 emits a
//! `DeprecationWarning`, which the default warning filters hide, so nothing is reported for it).
//!
//! One warning per literal token at most (the first invalid escape), at the line where the token
//! starts: `invalid escape sequence '\X'`, or `invalid octal escape sequence '\NNN'` for an octal
//! escape above `\377`. Raw literals never warn; a backslash followed by a non-ASCII character is
//! kept as a literal backslash by CPython's `decode_unicode_with_escapes`, so it does not warn.

use pycode_ast::PyMinor;
use pycode_lexer::{TokKind, Token};
use pycode_parse::strings::split_literal;

/// One warning the parser emits (`SyntaxWarning`, at `lineno`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseWarning {
    pub lineno: u32,
    pub message: String,
}

/// An invalid escape: its byte offset in the literal body, the text after the backslash (`z`,
/// `407`) and whether it is an octal escape above `\377`.
struct BadEscape {
    at: usize,
    text: String,
    octal: bool,
}

impl BadEscape {
    /// The warning text of `minor`: 3.12/3.13 `invalid escape sequence '\z'`; 3.14+ a sentence
    /// that also suggests the doubled backslash and a raw string.
    fn message(&self, minor: PyMinor) -> String {
        let kind = if self.octal { "invalid octal escape sequence" } else { "invalid escape sequence" };
        if minor >= PyMinor::Py314 {
            format!(
                "\"\\{t}\" is an {kind}. Such sequences will not work in the future. Did you mean \"\\\\{t}\"? A raw string is also an option.",
                t = self.text
            )
        } else {
            format!("{kind} '\\{}'", self.text)
        }
    }
}

/// The first invalid escape of a (non-raw) literal body as CPython reports it; `next` is the
/// byte after the body in the source (an f-string middle ending in `\` before a `{`).
fn first_invalid_escape(body: &[u8], bytes: bool, next: Option<u8>) -> Option<BadEscape> {
    let mut i = 0;
    while let Some(off) = memchr::memchr(b'\\', body.get(i..)?) {
        let at = i + off;
        let e = body.get(at + 1).copied().or(next)?;
        i = at + 2;
        match e {
            b'\n' | b'\\' | b'\'' | b'"' | b'a' | b'b' | b'f' | b'n' | b'r' | b't' | b'v' | b'x' => {}
            b'N' | b'u' | b'U' if !bytes => {}
            b'0'..=b'7' => {
                let mut v = u32::from(e - b'0');
                let mut n = 1;
                while n < 3 {
                    match body.get(i) {
                        Some(&d @ b'0'..=b'7') => {
                            v = v * 8 + u32::from(d - b'0');
                            i += 1;
                            n += 1;
                        }
                        _ => break,
                    }
                }
                if v > 0o377 {
                    let text = body.get(at + 1..at + 4).map(String::from_utf8_lossy).unwrap_or_default().into_owned();
                    return Some(BadEscape { at, text, octal: true });
                }
            }
            c if c >= 0x80 && !bytes => {}
            c => return Some(BadEscape { at, text: (c as char).to_string(), octal: false }),
        }
    }
    None
}

/// Appends the string-literal warnings of `tokens` (the tokens of `text`, the prepared source,
/// that the parser decoded) to `out`, in source order.
pub(crate) fn string_warnings<'t>(text: &str, tokens: impl Iterator<Item = &'t Token>, minor: PyMinor, out: &mut Vec<ParseWarning>) {
    if minor <= PyMinor::Py311 || memchr::memchr(b'\\', text.as_bytes()).is_none() {
        return;
    }
    let src = text.as_bytes();
    let mut line = 1u32;
    let mut counted = 0usize;
    // Whether each open f-/t-string is raw (its prefix has an `r`).
    let mut raw_stack: Vec<bool> = Vec::new();
    for t in tokens {
        let (start, end) = (t.start as usize, t.end as usize);
        let (body, bytes, next) = match t.kind {
            TokKind::STRING => {
                let Some(tok) = text.get(start..end) else { continue };
                let Some(lit) = split_literal(tok) else { continue };
                if lit.raw {
                    continue;
                }
                (lit.body.as_bytes(), lit.bytes, None)
            }
            TokKind::FSTRING_START | TokKind::TSTRING_START => {
                let prefix = src.get(start..end).unwrap_or_default();
                raw_stack.push(prefix.iter().any(|c| c.eq_ignore_ascii_case(&b'r')));
                continue;
            }
            TokKind::FSTRING_END | TokKind::TSTRING_END => {
                raw_stack.pop();
                continue;
            }
            TokKind::FSTRING_MIDDLE | TokKind::TSTRING_MIDDLE => {
                if raw_stack.last().copied().unwrap_or(false) {
                    continue;
                }
                let Some(b) = src.get(start..end) else { continue };
                (b, false, src.get(end).copied())
            }
            _ => continue,
        };
        if memchr::memchr(b'\\', body).is_none() {
            continue;
        }
        if let Some(bad) = first_invalid_escape(body, bytes, next) {
            let message = bad.message(minor);
            // 3.12/3.13 report the line where the token starts, 3.14+ the escape's own line.
            // (`body` is a slice of `src`: its offset is the pointer difference.)
            let body_start = (body.as_ptr() as usize).checked_sub(src.as_ptr() as usize).filter(|&o| o <= src.len());
            let at = match body_start {
                Some(o) if minor >= PyMinor::Py314 => o + bad.at,
                _ => start,
            };
            let at = at.min(src.len());
            if at > counted {
                line += memchr::memchr_iter(b'\n', src.get(counted..at).unwrap_or_default()).count() as u32;
                counted = at;
            }
            out.push(ParseWarning { lineno: line, message });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::first_invalid_escape;
    use pycode_ast::PyMinor;

    #[test]
    fn escapes() {
        let m = |b: &[u8], bytes, next| first_invalid_escape(b, bytes, next).map(|e| e.message(PyMinor::Py312));
        assert_eq!(m(br"a\d", false, None).as_deref(), Some(r"invalid escape sequence '\d'"));
        assert_eq!(m(br"\400\d", false, None).as_deref(), Some(r"invalid octal escape sequence '\400'"));
        assert_eq!(m(br"\377\n\x41\N{DASH}", false, None), None);
        assert_eq!(m(br"\N", true, None).as_deref(), Some(r"invalid escape sequence '\N'"));
        assert_eq!(m(br"\8", false, None).as_deref(), Some(r"invalid escape sequence '\8'"));
        assert_eq!(m("\\\u{e9}".as_bytes(), false, None), None);
        assert_eq!(m(br"\\d", false, None), None);
        assert_eq!(m(br"ab\", false, Some(b'{')).as_deref(), Some(r"invalid escape sequence '\{'"));
        let e = first_invalid_escape(br"x\407", false, None).map(|e| e.message(PyMinor::Py314));
        assert_eq!(
            e.as_deref(),
            Some(
                r#""\407" is an invalid octal escape sequence. Such sequences will not work in the future. Did you mean "\\407"? A raw string is also an option."#
            )
        );
    }
}
