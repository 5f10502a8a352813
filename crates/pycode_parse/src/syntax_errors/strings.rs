//! Errors CPython raises while joining a run of adjacent string tokens (the `STRING+` atom):
//! `_PyPegen_concatenate_strings` (`Parser/action_helpers.c`) and, for 3.11, whose tokenizer
//! returns an f-string as one STRING token, the f-string scanner of `Parser/string_parser.c`
//! (`fstring_find_literal`, `fstring_find_expr`, `fstring_compile_expr`,
//! `_PyPegen_FstringParser_ConcatFstring`).
//!
//! These errors are raised from a grammar action, so CPython places them on the parser's last
//! token, the one after the run (see `next_token_range` in the parent module); errors inside an
//! f-string replacement field's expression come from a second parser run over `(expr)`.

use pycode_ast::PyMinor;

use super::tokenizer::StrTok;

/// Nesting limit of brackets inside a 3.11 replacement field (`MAXLEVEL`).
const MAXLEVEL: usize = 200;

/// An error found in a run of string tokens.
#[derive(Debug)]
pub enum StrErr {
    /// `RAISE_SYNTAX_ERROR(msg)`: located at the token after the run.
    Msg(String),
    /// The replacement-field expression at this byte range failed to parse (3.11's
    /// `fstring_compile_expr` second parser).
    Sub { start: usize },
    /// `RAISE_SYNTAX_ERROR` from an action whose last token is known (3.12+ decoding errors:
    /// a plain string's own token, an f-string's FSTRING_END): byte range to report.
    At { msg: String, start: usize, end: usize },
}

fn has(prefix: &str, c: char) -> bool {
    prefix.chars().any(|p| p.eq_ignore_ascii_case(&c))
}

/// The first error of the string run `run` (tokens in source order), or `None`.
/// `expr_fails(start, end)` parses the expression source `src[start..end]` as 3.11's f-string
/// sub-parser does and tells whether it fails.
/// `tokens` are ruff's (3.12+ f-string literal pieces are its FStringMiddle tokens);
/// `other_error_in(start, end)` tells whether the parser fails inside that byte range for
/// another reason than an escape (3.12+: an f-string is decoded only once fully parsed).
pub fn check_run(
    src: &str,
    run: &[StrTok],
    minor: PyMinor,
    tokens: &[ruff_python_ast::token::Token],
    other_error_in: &dyn Fn(usize, usize) -> bool,
    expr_fails: &mut dyn FnMut(usize, usize) -> bool,
) -> Option<StrErr> {
    let prefix = |t: &StrTok| src.get(t.start..t.start + t.prefix_len).unwrap_or("");
    if minor != PyMinor::Py311 {
        // 3.12+: each token is decoded by its own action before the run is joined
        for t in run {
            let Some((_, _, _, formatted, ql)) = token_body(src, t) else {
                continue;
            };
            if formatted && other_error_in(t.start, t.end) {
                return None;
            }
            if let Some(msg) = token_decode_error(src, t, tokens) {
                let start = if formatted { t.end.saturating_sub(ql) } else { t.start };
                return Some(StrErr::At { msg, start, end: t.end });
            }
        }
    }
    let bytes = run.iter().filter(|t| has(prefix(t), 'b')).count();
    if bytes != 0 && bytes != run.len() {
        return Some(StrErr::Msg("cannot mix bytes and nonbytes literals".into()));
    }
    if minor != PyMinor::Py311 {
        return None;
    }
    let b = src.as_bytes();
    for t in run {
        let p = prefix(t);
        if !has(p, 'f') {
            // parsestr: the escapes of a plain string or bytes token
            if let Some((body, raw, bytes, _, _)) = token_body(src, t) {
                // `_PyPegen_parsestr` refuses a non-ASCII bytes body before any escape. (As
                // 3.11.2 reports it, at the token after the run; 3.11.7 marks the token itself.)
                if bytes && !body.is_ascii() {
                    return Some(StrErr::Msg("bytes can only contain ASCII literal characters".into()));
                }
                let err = if raw {
                    None
                } else if bytes {
                    bytes_escape_error(body.as_bytes())
                } else {
                    str_escape_error(body)
                };
                if let Some(m) = err {
                    return Some(StrErr::Msg(m));
                }
            }
            continue;
        }
        let qpos = t.start + t.prefix_len;
        let q = b.get(qpos).copied().unwrap_or(b'\'');
        let triple = b.get(qpos + 1) == Some(&q) && b.get(qpos + 2) == Some(&q) && t.end >= qpos + 6;
        let ql = if triple { 3 } else { 1 };
        let body_start = qpos + ql;
        let end = t.end.saturating_sub(ql).max(body_start);
        let mut fp = FParser { b, end, raw: has(p, 'r'), expr_fails };
        let mut i = body_start;
        if let Err(e) = fp.concat(&mut i, 0) {
            return Some(e);
        }
    }
    None
}

/// 3.12+: the error of the action decoding one string token (a plain string's or bytes' body,
/// an f-string's literal pieces; a bytes token holding a non-ASCII character), or `None`.
pub(super) fn token_decode_error(src: &str, t: &StrTok, tokens: &[ruff_python_ast::token::Token]) -> Option<String> {
    let (body, raw, bytes, formatted, _) = token_body(src, t)?;
    if bytes && !body.is_ascii() {
        // `_PyPegen_parse_string`: checked before any escape, raw or not
        return Some("bytes can only contain ASCII literal characters".into());
    }
    if raw {
        None
    } else if formatted {
        super::fstring::literal_pieces(src, tokens, t.start, t.end).into_iter().find_map(str_escape_error)
    } else if bytes {
        bytes_escape_error(body.as_bytes())
    } else {
        str_escape_error(body)
    }
}

fn msg(s: &str) -> StrErr {
    StrErr::Msg(s.to_string())
}

struct FParser<'a, 'f> {
    b: &'a [u8],
    /// End of the literal body (the closing quotes).
    end: usize,
    raw: bool,
    expr_fails: &'f mut dyn FnMut(usize, usize) -> bool,
}

impl FParser<'_, '_> {
    fn at(&self, i: usize) -> u8 {
        self.b.get(i).copied().unwrap_or(0)
    }

    /// `_PyPegen_FstringParser_ConcatFstring`'s loop plus its final checks.
    fn concat(&mut self, i: &mut usize, lvl: u32) -> Result<(), StrErr> {
        loop {
            if self.find_literal(i, lvl)? {
                continue;
            }
            if *i >= self.end || self.at(*i) == b'}' {
                break;
            }
            self.find_expr(i, lvl)?;
        }
        if lvl != 0 && (*i >= self.end || self.at(*i) != b'}') {
            return Err(msg("f-string: expecting '}'"));
        }
        Ok(())
    }

    /// `fstring_find_literal`: true when it stopped after a doubled brace. The literal piece
    /// is decoded when complete (`decode_unicode_with_escapes`).
    fn find_literal(&mut self, i: &mut usize, lvl: u32) -> Result<bool, StrErr> {
        let lit_start = *i;
        let r = self.find_literal_end(i, lvl)?;
        // a doubled brace ends the piece after its first brace
        let lit_end = if r { *i - 1 } else { *i };
        if !self.raw && lit_end > lit_start {
            let piece = self.b.get(lit_start..lit_end).and_then(|p| std::str::from_utf8(p).ok()).unwrap_or("");
            if let Some(m) = str_escape_error(piece) {
                return Err(StrErr::Msg(m));
            }
        }
        Ok(r)
    }

    fn find_literal_end(&mut self, i: &mut usize, lvl: u32) -> Result<bool, StrErr> {
        while *i < self.end {
            let mut ch = self.at(*i);
            *i += 1;
            if !self.raw && ch == b'\\' && *i < self.end {
                ch = self.at(*i);
                *i += 1;
                if ch == b'N' {
                    if *i < self.end {
                        let c = self.at(*i);
                        *i += 1;
                        if c == b'{' {
                            while *i < self.end {
                                let c = self.at(*i);
                                *i += 1;
                                if c == b'}' {
                                    break;
                                }
                            }
                        }
                    }
                    continue;
                }
            }
            if ch == b'{' || ch == b'}' {
                if lvl == 0 {
                    if *i < self.end && self.at(*i) == ch {
                        *i += 1;
                        return Ok(true);
                    }
                    if ch == b'}' {
                        return Err(msg("f-string: single '}' is not allowed"));
                    }
                }
                *i -= 1;
                break;
            }
        }
        Ok(false)
    }

    /// `fstring_find_expr` (with `fstring_compile_expr`'s empty-expression checks).
    fn find_expr(&mut self, i: &mut usize, lvl: u32) -> Result<(), StrErr> {
        if lvl >= 2 {
            return Err(msg("f-string: expressions nested too deeply"));
        }
        *i += 1;
        let expr_start = *i;
        let mut quote = 0u8;
        let mut triple = false;
        let mut stack: Vec<u8> = Vec::new();
        while *i < self.end {
            let c = self.at(*i);
            if c == b'\\' {
                return Err(msg("f-string expression part cannot include a backslash"));
            }
            if quote != 0 {
                if c == quote {
                    if triple {
                        if *i + 2 < self.end && self.at(*i + 1) == c && self.at(*i + 2) == c {
                            *i += 2;
                            quote = 0;
                            triple = false;
                        }
                    } else {
                        quote = 0;
                    }
                }
                *i += 1;
                continue;
            }
            match c {
                b'\'' | b'"' => {
                    if *i + 2 < self.end && self.at(*i + 1) == c && self.at(*i + 2) == c {
                        triple = true;
                        *i += 2;
                    } else {
                        triple = false;
                    }
                    quote = c;
                }
                b'[' | b'{' | b'(' => {
                    if stack.len() >= MAXLEVEL {
                        return Err(msg("f-string: too many nested parenthesis"));
                    }
                    stack.push(c);
                }
                b'#' => return Err(msg("f-string expression part cannot include '#'")),
                b'!' | b':' | b'}' | b'=' | b'>' | b'<' if stack.is_empty() => {
                    if *i + 1 < self.end {
                        let n = self.at(*i + 1);
                        if n == b'=' && matches!(c, b'!' | b'=' | b'<' | b'>') {
                            *i += 2;
                            continue;
                        }
                    }
                    if c == b'>' || c == b'<' {
                        *i += 1;
                        continue;
                    }
                    break;
                }
                b']' | b'}' | b')' => {
                    let Some(open) = stack.pop() else {
                        return Err(StrErr::Msg(format!("f-string: unmatched '{}'", c as char)));
                    };
                    if !matches!((open, c), (b'(', b')') | (b'[', b']') | (b'{', b'}')) {
                        return Err(StrErr::Msg(format!(
                            "f-string: closing parenthesis '{}' does not match opening parenthesis '{}'",
                            c as char, open as char
                        )));
                    }
                }
                _ => {}
            }
            *i += 1;
        }
        let expr_end = *i;
        if quote != 0 {
            return Err(msg("f-string: unterminated string"));
        }
        if let Some(&open) = stack.last() {
            return Err(StrErr::Msg(format!("f-string: unmatched '{}'", open as char)));
        }
        if *i >= self.end {
            return Err(msg("f-string: expecting '}'"));
        }
        // fstring_compile_expr
        let blank = self.b.get(expr_start..expr_end).is_some_and(|s| s.iter().all(|&c| matches!(c, b' ' | b'\t' | b'\n' | b'\x0c')));
        if blank {
            let c = self.at(expr_end);
            if matches!(c, b'!' | b':' | b'=') {
                return Err(StrErr::Msg(format!("f-string: expression required before '{}'", c as char)));
            }
            return Err(msg("f-string: empty expression not allowed"));
        }
        if (self.expr_fails)(expr_start, expr_end) {
            return Err(StrErr::Sub { start: expr_start });
        }
        if self.at(*i) == b'=' {
            *i += 1;
            while *i < self.end && matches!(self.at(*i), b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c') {
                *i += 1;
            }
            if *i >= self.end {
                return Err(msg("f-string: expecting '}'"));
            }
        }
        if *i < self.end && self.at(*i) == b'!' {
            *i += 1;
            if *i >= self.end {
                return Err(msg("f-string: expecting '}'"));
            }
            let conv = self.at(*i);
            *i += 1;
            if !matches!(conv, b's' | b'r' | b'a') {
                return Err(msg("f-string: invalid conversion character: expected 's', 'r', or 'a'"));
            }
        }
        if *i < self.end && self.at(*i) == b':' {
            *i += 1;
            if *i >= self.end {
                return Err(msg("f-string: expecting '}'"));
            }
            self.concat(i, lvl + 1)?;
        }
        if *i >= self.end || self.at(*i) != b'}' {
            return Err(msg("f-string: expecting '}'"));
        }
        *i += 1;
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Escape errors of one decoded piece

fn unicode_err(start: usize, end: usize, what: &str) -> String {
    if end == start + 1 {
        format!("(unicode error) 'unicodeescape' codec can't decode byte 0x5c in position {start}: {what}")
    } else {
        format!("(unicode error) 'unicodeescape' codec can't decode bytes in position {start}-{}: {what}", end - 1)
    }
}

/// The `(unicode error) ...` CPython raises for the escapes of one `str` piece (a plain
/// string's body, one f-string literal piece), or `None`. Mirrors `decode_unicode_with_escapes`
/// (non-ASCII characters become 10-character `\UXXXXXXXX` escapes, a backslash before one or at
/// the end becomes `\u005c`) followed by `_PyUnicode_DecodeUnicodeEscapeInternal`, whose
/// positions count in that rewritten buffer.
pub(super) fn str_escape_error(piece: &str) -> Option<String> {
    let b = piece.as_bytes();
    let mut i = 0;
    let mut pos = 0usize;
    while let Some(&c) = b.get(i) {
        if c >= 0x80 {
            i += crate::strings::utf8_len(c);
            pos += 10;
            continue;
        }
        if c != b'\\' {
            i += 1;
            pos += 1;
            continue;
        }
        let start = pos;
        let &e = b.get(i + 1)?;
        if e >= 0x80 {
            i += 1;
            pos += 6;
            continue;
        }
        i += 2;
        pos += 2;
        match e {
            b'0'..=b'7' => {
                for _ in 0..2 {
                    if matches!(b.get(i), Some(b'0'..=b'7')) {
                        i += 1;
                        pos += 1;
                    }
                }
            }
            b'x' | b'u' | b'U' => {
                let (n, what) = match e {
                    b'x' => (2, "truncated \\xXX escape"),
                    b'u' => (4, "truncated \\uXXXX escape"),
                    _ => (8, "truncated \\UXXXXXXXX escape"),
                };
                let mut v: u64 = 0;
                for _ in 0..n {
                    match b.get(i).and_then(|&d| (d as char).to_digit(16)) {
                        Some(d) => {
                            v = v * 16 + u64::from(d);
                            i += 1;
                            pos += 1;
                        }
                        None => return Some(unicode_err(start, pos, what)),
                    }
                }
                if v > 0x10ffff {
                    return Some(unicode_err(start, pos, "illegal Unicode character"));
                }
            }
            b'N' => {
                if b.get(i) != Some(&b'{') {
                    return Some(unicode_err(start, pos, "malformed \\N character escape"));
                }
                i += 1;
                pos += 1;
                let name_start = i;
                while let Some(&d) = b.get(i) {
                    if d == b'}' {
                        break;
                    }
                    let w = crate::strings::utf8_len(d);
                    i += w;
                    pos += if d >= 0x80 { 10 } else { 1 };
                }
                if i >= b.len() || i == name_start {
                    return Some(unicode_err(start, pos, "malformed \\N character escape"));
                }
                let name = piece.get(name_start..i).unwrap_or("");
                i += 1;
                pos += 1;
                if unicode_names2::character(name).is_none() {
                    return Some(unicode_err(start, pos, "unknown Unicode character name"));
                }
            }
            _ => {}
        }
    }
    None
}

/// `_PyBytes_DecodeEscape`'s error for a bytes body: `(value error) invalid \x escape at
/// position N` (N: the backslash's index in the body).
pub(super) fn bytes_escape_error(body: &[u8]) -> Option<String> {
    let mut i = 0;
    while let Some(&c) = body.get(i) {
        if c != b'\\' {
            i += 1;
            continue;
        }
        match body.get(i + 1) {
            Some(b'x') => {
                let ok = body.get(i + 2..i + 4).is_some_and(|d| d.iter().all(u8::is_ascii_hexdigit));
                if !ok {
                    return Some(format!("(value error) invalid \\x escape at position {i}"));
                }
                i += 4;
            }
            Some(_) => i += 2,
            None => i += 1,
        }
    }
    None
}

/// The body of a string token (between the quotes) and whether it is raw / bytes / formatted.
pub(super) fn token_body<'s>(src: &'s str, t: &StrTok) -> Option<(&'s str, bool, bool, bool, usize)> {
    let prefix = src.get(t.start..t.start + t.prefix_len)?;
    let qpos = t.start + t.prefix_len;
    let q = *src.as_bytes().get(qpos)?;
    let b = src.as_bytes();
    let triple = b.get(qpos + 1) == Some(&q) && b.get(qpos + 2) == Some(&q) && t.end >= qpos + 6;
    let ql = if triple { 3 } else { 1 };
    let body = src.get(qpos + ql..t.end.checked_sub(ql)?)?;
    Some((body, has(prefix, 'r'), has(prefix, 'b'), has(prefix, 'f') || has(prefix, 't'), ql))
}
