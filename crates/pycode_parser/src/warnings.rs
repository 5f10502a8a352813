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

/// Whether token `k` opens (`Some(true)`) or closes (`Some(false)`) an f- or t-string.
fn fstring_bracket(k: TokKind) -> Option<bool> {
    match k {
        TokKind::FSTRING_START | TokKind::TSTRING_START => Some(true),
        TokKind::FSTRING_END | TokKind::TSTRING_END => Some(false),
        _ => None,
    }
}

/// Whether the f- or t-string holding the middle token at `at` has a raw prefix (its
/// START is found by walking back over the nested strings between).
fn enclosing_fstring_raw<T>(src: &[u8], tokens: &[T], tok: impl Fn(&T) -> &Token, at: usize) -> bool {
    let mut depth = 0usize;
    for t in tokens.get(..at).unwrap_or_default().iter().rev().map(&tok) {
        match fstring_bracket(t.kind) {
            Some(false) => depth += 1,
            Some(true) if depth == 0 => {
                let prefix = src.get(t.start as usize..t.end as usize).unwrap_or_default();
                return prefix.iter().any(|c| c.eq_ignore_ascii_case(&b'r'));
            }
            Some(true) => depth -= 1,
            None => {}
        }
    }
    false
}

/// Appends the string-literal warnings of `tokens` (the tokens of `text`, the prepared source,
/// that the parser decoded; `tok` reads a token) to `out`, in source order. Only the tokens
/// holding a backslash can warn: each backslash of the source is looked up among the tokens
/// (they are sorted by offset), instead of reading every token.
pub(crate) fn string_warnings<T>(text: &str, tokens: &[T], tok: impl Fn(&T) -> &Token, minor: PyMinor, out: &mut Vec<ParseWarning>) {
    if minor <= PyMinor::Py311 {
        return;
    }
    let src = text.as_bytes();
    let mut line = 1u32;
    let mut counted = 0usize;
    // Tokens before `first` and source bytes before `from` are done.
    let (mut first, mut from) = (0usize, 0usize);
    while let Some(off) = src.get(from..).and_then(|rest| memchr::memchr(b'\\', rest)) {
        let bs = from + off;
        let rest = tokens.get(first..).unwrap_or_default();
        // The last token starting at or before the backslash.
        let k = first + rest.partition_point(|t| tok(t).start as usize <= bs);
        let Some(i) = k.checked_sub(1).filter(|&i| i >= first) else {
            from = bs + 1;
            continue;
        };
        let Some(t) = tokens.get(i).map(&tok) else { break };
        let (start, end) = (t.start as usize, t.end as usize);
        if bs >= end {
            // between tokens (a line continuation)
            from = bs + 1;
            first = i;
            continue;
        }
        from = end.max(bs + 1);
        first = i + 1;
        let (body, bytes, next) = match t.kind {
            TokKind::STRING => {
                let Some(tok_text) = text.get(start..end) else { continue };
                let Some(lit) = split_literal(tok_text) else { continue };
                if lit.raw {
                    continue;
                }
                (lit.body.as_bytes(), lit.bytes, None)
            }
            TokKind::FSTRING_MIDDLE | TokKind::TSTRING_MIDDLE => {
                if enclosing_fstring_raw(src, tokens, &tok, i) {
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

    /// The backslashes of a source that do not warn (a line continuation, a comment, raw
    /// literals) and those that do, once per token; expected lines and texts are CPython
    /// 3.12.1's `compile()` warnings for this source.
    #[test]
    fn warnings_of_a_source() {
        let src =
            "x = 1 + \\\n 2  # \\d\ny = '\\d'\nz = r'\\d'\nw = f'{x}\\d' rf'\\q' f'{x:{y}\\w}'\nv = b'\\d\\q'\nu = '''\n\\a\\z\n'''\n";
        let opts = crate::Options::new(PyMinor::Py312, crate::Mode::Exec);
        let mut out = Vec::new();
        assert!(crate::parse_warn(src.as_bytes(), &opts, &mut out).is_ok());
        let got: Vec<(u32, &str)> = out.iter().map(|w| (w.lineno, w.message.as_str())).collect();
        assert_eq!(
            got,
            [
                (3, r"invalid escape sequence '\d'"),
                (5, r"invalid escape sequence '\d'"),
                (5, r"invalid escape sequence '\w'"),
                (6, r"invalid escape sequence '\d'"),
                (7, r"invalid escape sequence '\z'"),
            ]
        );
    }

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
