//! More of CPython's `invalid_*` grammar rules and forced tokens (`&&':'`), recognised on the
//! token stream and tree ruff produced for a source it rejects (`Grammar/python.gram`).

use pycode_ast::PyMinor;
use ruff_python_ast::token::{Token, TokenKind as T};
use ruff_text_size::{Ranged, TextRange};

use super::PErr;
use crate::error::ErrorKind;

pub(super) fn mk(msg: &str, range: TextRange) -> PErr {
    PErr { kind: ErrorKind::SyntaxError, msg: msg.into(), range, no_end: false, col_override: None, nl_end: false }
}

/// An error on the NEWLINE token at index `i`, located as CPython's tokenizer makes that token:
/// it starts at a comment before the line end (else at the '\n') and ends at the '\n' (3.11) or
/// one past it (3.12+); at the end of a source without a final newline it is empty.
pub(super) fn at_newline(src: &str, tokens: &[Token], i: usize, minor: PyMinor, msg: &str) -> PErr {
    let Some(nl) = tokens.get(i) else {
        return mk(msg, TextRange::default());
    };
    let mut start = nl.start();
    if let Some(c) = i.checked_sub(1).and_then(|k| tokens.get(k)) {
        if c.kind() == T::Comment && !src.get(usize::from(c.end())..usize::from(nl.start())).unwrap_or("\n").contains('\n') {
            start = c.start();
        }
    }
    let real = matches!(src.as_bytes().get(usize::from(nl.start())), Some(b'\n' | b'\r'));
    let mut e = mk(msg, TextRange::new(start, nl.start()));
    e.nl_end = real && minor >= PyMinor::Py312;
    e
}

/// Index of the first token of the statement holding token `i` (after the last NEWLINE,
/// INDENT or DEDENT before it), skipping comments and blank-line tokens.
pub(super) fn stmt_start(tokens: &[Token], i: usize) -> usize {
    let mut s = tokens.get(..i).and_then(|ts| ts.iter().rposition(|t| matches!(t.kind(), T::Newline | T::Indent | T::Dedent))).map_or(0, |k| k + 1);
    while tokens.get(s).is_some_and(|t| matches!(t.kind(), T::Comment | T::NonLogicalNewline)) && s < i {
        s += 1;
    }
    s
}

/// Indices of the tokens `from..to` at bracket depth 0 whose kind is in `kinds`.
fn depth0(tokens: &[Token], from: usize, to: usize, kinds: &[T]) -> Vec<usize> {
    let mut depth = 0i32;
    let mut out = Vec::new();
    for (k, t) in tokens.get(from..to).unwrap_or(&[]).iter().enumerate() {
        match t.kind() {
            T::Lpar | T::Lsqb | T::Lbrace => depth += 1,
            T::Rpar | T::Rsqb | T::Rbrace => depth -= 1,
            kd if depth == 0 && kinds.contains(&kd) => out.push(from + k),
            _ => {}
        }
    }
    out
}

/// `expected ':'` of compound-statement headers: the forced tokens `'try' &&':'`,
/// `'else' &&':'`, `'finally' &&':'`, `'def' NAME [type_params] &&'(' [params] ')' ['->'
/// expression] &&':'` (at whatever token is there), and the `invalid_*_stmt` alternatives
/// that end in NEWLINE (`if`/`elif`/`while` named_expression, `for` targets `in` iterable,
/// `with` items, `class` header, `match` subject, `case` patterns, `except` clause):
/// RAISE_SYNTAX_ERROR at the last token read, the NEWLINE.
pub(super) fn expected_colon(src: &str, tokens: &[Token], i: usize, minor: PyMinor) -> Option<PErr> {
    let cur = tokens.get(i)?;
    let s = stmt_start(tokens, i);
    if s >= i {
        return None;
    }
    let mut kw = s;
    if tokens.get(kw)?.kind() == T::Async {
        kw += 1;
    }
    let head = tokens.get(kw)?.kind();
    // a ':' at depth 0 before the error: the header is complete (lambda's ':' aside)
    let colons = depth0(tokens, kw + 1, i, &[T::Colon, T::Lambda]);
    if !colons.is_empty() {
        return None;
    }
    let nl = cur.kind() == T::Newline;
    let expected = |at: usize| -> Option<PErr> {
        if tokens.get(at)?.kind() == T::Newline {
            Some(at_newline(src, tokens, at, minor, "expected ':'"))
        } else {
            Some(mk("expected ':'", tokens.get(at)?.range()))
        }
    };
    match head {
        T::Try | T::Else | T::Finally if i == kw + 1 && kw == s => expected(i),
        T::If | T::Elif | T::While | T::With | T::Class | T::Except | T::Match | T::Case if nl && kw == s => {
            if head == T::With && tokens.get(i.checked_sub(1)?)?.kind() == T::Comma {
                return None;
            }
            if head == T::Except && tokens.get(kw + 1).is_some_and(|t| t.kind() == T::Star) && kw + 2 == i {
                return None; // `except* NEWLINE`: expected one or more exception types
            }
            expected(i)
        }
        T::For if nl => {
            if depth0(tokens, kw + 1, i, &[T::In]).is_empty() {
                return None;
            }
            expected(i)
        }
        T::Def => {
            let name = kw + 1;
            if tokens.get(name)?.kind() != T::Name {
                return None;
            }
            let mut open = name + 1;
            if tokens.get(open)?.kind() == T::Lsqb {
                open = super::matching_close(tokens, open)? + 1;
            }
            if tokens.get(open)?.kind() != T::Lpar {
                return None;
            }
            let close = super::matching_close(tokens, open)?;
            if i <= close {
                return None;
            }
            if i == close + 1 {
                return expected(i);
            }
            if tokens.get(close + 1)?.kind() == T::Rarrow {
                // `'->' expression` is optional: with no expression the forced ':' meets '->'
                if i == close + 2 {
                    return expected(close + 1);
                }
                return expected(i);
            }
            None
        }
        _ => None,
    }
}

/// `'def' NAME &&'('`: `expected '('` at the token after the name.
pub(super) fn expected_lpar(src: &str, tokens: &[Token], i: usize, minor: PyMinor) -> Option<PErr> {
    let s = stmt_start(tokens, i);
    let mut kw = s;
    if tokens.get(kw)?.kind() == T::Async {
        kw += 1;
    }
    if tokens.get(kw)?.kind() != T::Def || tokens.get(kw + 1)?.kind() != T::Name || i != kw + 2 {
        return None;
    }
    if tokens.get(i)?.kind() == T::Newline {
        return Some(at_newline(src, tokens, i, minor, "expected '('"));
    }
    Some(mk("expected '('", tokens.get(i)?.range()))
}
