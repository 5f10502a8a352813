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
}

fn has(prefix: &str, c: char) -> bool {
    prefix.chars().any(|p| p.eq_ignore_ascii_case(&c))
}

/// The first error of the string run `run` (tokens in source order), or `None`.
/// `expr_fails(start, end)` parses the expression source `src[start..end]` as 3.11's f-string
/// sub-parser does and tells whether it fails.
pub fn check_run(src: &str, run: &[StrTok], minor: PyMinor, expr_fails: &mut dyn FnMut(usize, usize) -> bool) -> Option<StrErr> {
    let prefix = |t: &StrTok| src.get(t.start..t.start + t.prefix_len).unwrap_or("");
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

    /// `fstring_find_literal`: true when it stopped after a doubled brace.
    fn find_literal(&mut self, i: &mut usize, lvl: u32) -> Result<bool, StrErr> {
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
