//! f-string (and 3.14 t-string) syntax errors of CPython 3.12+, where an f-string is tokenized
//! (PEP 701: FSTRING_START, FSTRING_MIDDLE, the replacement fields' own tokens, FSTRING_END)
//! and parsed by grammar rules.
//!
//! * Parser side ([`replacement_field_error`]): the `invalid_replacement_field` and
//!   `invalid_conversion_character` rules of `Grammar/python.gram` (3.14:
//!   `invalid_fstring_replacement_field` / `invalid_tstring_replacement_field`), the
//!   `_PyPegen_check_fstring_conversion` action (`Parser/action_helpers.c`) and the f-string
//!   alternative of `invalid_expression` (unparenthesized lambda). They work on ruff's tokens,
//!   which split an f-string the way CPython's tokenizer does.
//! * Tokenizer side ([`Lexer::fstring`](super::tokenizer)): `tok_get_fstring_mode` and the
//!   f-string parts of `tok_get_normal_mode` (`Parser/lexer/lexer.c`; 3.12:
//!   `Parser/tokenizer.c`): replacement fields are scanned as code with the bracket stack,
//!   format specs, nesting limits and the f-string-specific messages.

use pycode_ast::PyMinor;
use ruff_python_ast::token::{Token, TokenKind as T};
use ruff_text_size::{Ranged, TextRange};

use super::PErr;
use crate::error::ErrorKind;

/// Most tokens of one replacement field examined when looking for its expression's end.
const MAX_FIELD_TOKENS: usize = 256;

fn perr(msg: String, range: TextRange) -> PErr {
    PErr { kind: ErrorKind::SyntaxError, msg, range, no_end: false, col_override: None, nl_end: false }
}

#[derive(Clone, Copy)]
enum Ctx {
    /// An f-string (`true`: a t-string).
    Str(bool),
    /// A replacement field: index of its `{`, whether its format spec started, t-string.
    Field { open: usize, spec: bool, t: bool },
    Bracket,
}

/// The replacement field (index of its `{`, t-string) innermost around token `i`.
fn enclosing_field(tokens: &[Token], i: usize) -> Option<(usize, bool)> {
    let mut stack: Vec<Ctx> = Vec::new();
    for (k, tok) in tokens.get(..i)?.iter().enumerate() {
        match tok.kind() {
            T::FStringStart => stack.push(Ctx::Str(false)),
            T::TStringStart => stack.push(Ctx::Str(true)),
            T::FStringEnd | T::TStringEnd => {
                while let Some(c) = stack.pop() {
                    if matches!(c, Ctx::Str(_)) {
                        break;
                    }
                }
            }
            T::Lbrace => match stack.last() {
                Some(&Ctx::Str(t)) | Some(&Ctx::Field { spec: true, t, .. }) => stack.push(Ctx::Field { open: k, spec: false, t }),
                _ => stack.push(Ctx::Bracket),
            },
            T::Lpar | T::Lsqb => stack.push(Ctx::Bracket),
            T::Rpar | T::Rsqb | T::Rbrace => {
                if matches!(stack.last(), Some(Ctx::Bracket) | Some(Ctx::Field { .. })) {
                    stack.pop();
                }
            }
            T::Colon => {
                if let Some(Ctx::Field { spec, .. }) = stack.last_mut() {
                    *spec = true;
                }
            }
            _ => {}
        }
    }
    stack.iter().rev().find_map(|c| match *c {
        Ctx::Field { open, t, .. } => Some((open, t)),
        _ => None,
    })
}

/// Does `text` parse as CPython's `annotated_rhs` (`yield_expr | star_expressions`)?
fn is_annotated_rhs(text: &str) -> bool {
    let mut buf = String::with_capacity(text.len() + 4);
    buf.push_str("_ = ");
    buf.extend(text.chars().map(|c| if c == '\n' || c == '\r' { ' ' } else { c }));
    let opts = ruff_python_parser::ParseOptions::from(ruff_python_parser::Mode::Module);
    let parsed = ruff_python_parser::parse_unchecked(&buf, opts);
    parsed.errors().is_empty()
}

fn name_like(k: Option<T>) -> bool {
    matches!(k, Some(T::Name | T::Match | T::Case | T::Type))
}

/// CPython's error for the replacement field holding ruff's error at `loc` (3.12+), when one of
/// the f-string rules applies; `None` leaves the error to the generic rules.
pub(super) fn replacement_field_error(src: &str, tokens: &[Token], loc: TextRange, minor: PyMinor) -> Option<PErr> {
    if minor < PyMinor::Py312 {
        return None;
    }
    // comments and non-logical newlines are not tokens for CPython's parser
    let tokens: Vec<Token> = tokens.iter().filter(|t| !matches!(t.kind(), T::Comment | T::NonLogicalNewline)).copied().collect();
    let tokens = tokens.as_slice();
    let i = tokens.partition_point(|t| t.start() < loc.start());
    let (o, is_t) = enclosing_field(tokens, i)?;
    let what = if is_t { "t-string" } else { "f-string" };
    let kind = |k: usize| tokens.get(k).map(|t| t.kind());
    let range = |k: usize| tokens.get(k).map(|t| t.range());
    let k1 = o + 1;
    // '{' a=('=' | '!' | ':' | '}')
    if let Some(c) = match kind(k1)? {
        T::Equal => Some('='),
        T::Exclamation => Some('!'),
        T::Colon => Some(':'),
        T::Rbrace => Some('}'),
        _ => None,
    } {
        return Some(perr(format!("{what}: valid expression required before '{c}'"), range(k1)?));
    }
    // invalid_expression: 'lambda' [lambda_params] ':' &(FSTRING_MIDDLE | fstring_replacement_field)
    if kind(k1) == Some(T::Lambda) {
        let mut depth = 0i32;
        for k in k1 + 1..tokens.len().min(k1 + MAX_FIELD_TOKENS) {
            match kind(k)? {
                T::Lpar | T::Lsqb | T::Lbrace => depth += 1,
                T::Rpar | T::Rsqb | T::Rbrace => depth -= 1,
                T::Colon if depth == 0 => {
                    if matches!(kind(k + 1), Some(T::FStringMiddle | T::TStringMiddle | T::Lbrace)) {
                        let r = TextRange::new(range(k1)?.start(), range(k)?.end());
                        return Some(perr(format!("{what}: lambda expressions are not allowed without parentheses"), r));
                    }
                    break;
                }
                _ => {}
            }
            if depth < 0 {
                break;
            }
        }
    }
    let e = longest_rhs(src, tokens, k1);
    let Some(e) = e else {
        // '{' !annotated_rhs: on the token after '{'
        return Some(perr(format!("{what}: expecting a valid expression after '{{'"), range(k1)?));
    };
    let mut k = e;
    match kind(k) {
        Some(T::Equal | T::Exclamation | T::Colon | T::Rbrace) => {}
        _ if forgot_comma(src, tokens, k1, e).is_some() => {
            let r = forgot_comma(src, tokens, k1, e)?;
            return Some(perr("invalid syntax. Perhaps you forgot a comma?".into(), r));
        }
        _ => return Some(perr(format!("{what}: expecting '=', or '!', or ':', or '}}'"), range(k)?)),
    }
    if kind(k) == Some(T::Equal) {
        k += 1;
        if !matches!(kind(k), Some(T::Exclamation | T::Colon | T::Rbrace)) {
            return Some(perr(format!("{what}: expecting '!', or ':', or '}}'"), range(k)?));
        }
    }
    if kind(k) == Some(T::Exclamation) {
        match kind(k + 1) {
            Some(T::Colon | T::Rbrace) => return Some(perr(format!("{what}: missing conversion character"), range(k + 1)?)),
            n if !name_like(n) => return Some(perr(format!("{what}: invalid conversion character"), range(k + 1)?)),
            _ => {}
        }
        // _PyPegen_check_fstring_conversion
        let (bang, name) = (range(k)?, range(k + 1)?);
        if bang.end() != name.start() {
            let word = if minor >= PyMinor::Py314 { "exclamation" } else { "exclamanation" };
            return Some(perr(format!("{what}: conversion type must come right after the {word} mark"), TextRange::new(bang.start(), name.end())));
        }
        let conv = src.get(usize::from(name.start())..usize::from(name.end())).unwrap_or("");
        if !matches!(conv, "s" | "r" | "a") {
            return Some(perr(format!("{what}: invalid conversion character '{conv}': expected 's', 'r', or 'a'"), name));
        }
        k += 2;
        if !matches!(kind(k), Some(T::Colon | T::Rbrace)) {
            return Some(perr(format!("{what}: expecting ':' or '}}'"), range(k)?));
        }
    }
    if kind(k) == Some(T::Colon) {
        k += 1;
        // fstring_format_spec*: FSTRING_MIDDLE or a nested replacement field
        loop {
            match kind(k) {
                Some(T::FStringMiddle | T::TStringMiddle) => k += 1,
                Some(T::Lbrace) => {
                    let mut n = 0i32;
                    while let Some(kk) = kind(k) {
                        match kk {
                            T::Lbrace | T::Lpar | T::Lsqb => n += 1,
                            T::Rbrace | T::Rpar | T::Rsqb => n -= 1,
                            _ => {}
                        }
                        k += 1;
                        if n <= 0 {
                            break;
                        }
                    }
                }
                _ => break,
            }
        }
        if kind(k) != Some(T::Rbrace) {
            return Some(perr(format!("{what}: expecting '}}', or format specs"), range(k)?));
        }
    }
    if kind(k) != Some(T::Rbrace) {
        return Some(perr(format!("{what}: expecting '}}'"), range(k)?));
    }
    None
}

/// Index just past the end of the expression tokens that can follow `from` inside a field:
/// the first token at the field's own bracket level that cannot continue an expression.
fn expr_cap(tokens: &[Token], from: usize) -> usize {
    let kind = |k: usize| tokens.get(k).map(|t| t.kind());
    let mut cap = from;
    let mut depth = 0i32;
    while let Some(kd) = kind(cap) {
        if cap >= from + MAX_FIELD_TOKENS {
            break;
        }
        match kd {
            T::Lpar | T::Lsqb | T::Lbrace => depth += 1,
            T::Rpar | T::Rsqb | T::Rbrace if depth > 0 => depth -= 1,
            T::Rpar | T::Rsqb | T::Rbrace => break,
            T::FStringEnd | T::TStringEnd | T::FStringMiddle | T::TStringMiddle | T::Newline | T::EndOfFile => break,
            T::FStringStart | T::TStringStart => {
                // a nested f-string is one operand: skip to its end
                let mut n = 0i32;
                while let Some(kk) = kind(cap) {
                    match kk {
                        T::FStringStart | T::TStringStart => n += 1,
                        T::FStringEnd | T::TStringEnd => n -= 1,
                        _ => {}
                    }
                    if n == 0 {
                        break;
                    }
                    cap += 1;
                }
            }
            T::Exclamation | T::Colon | T::Equal if depth == 0 => break,
            _ => {}
        }
        cap += 1;
    }
    cap
}

/// The token index after the longest `annotated_rhs` starting at token `from` (PEG parsing
/// is greedy: the longest prefix that parses), or `None` when none does.
fn longest_rhs(src: &str, tokens: &[Token], from: usize) -> Option<usize> {
    let start = usize::from(tokens.get(from)?.start());
    let cap = expr_cap(tokens, from);
    (from + 1..=cap).rev().find(|&k| {
        tokens.get(k - 1).is_some_and(|t| src.get(start..usize::from(t.end())).is_some_and(is_annotated_rhs))
    })
}

/// `invalid_expression`'s `!(NAME STRING | SOFT_KEYWORD) a=disjunction
/// b=expression_without_invalid` inside a replacement field (always within brackets): the
/// expression `k1..e` is directly followed by another expression. Returns the range a..b.
fn forgot_comma(src: &str, tokens: &[Token], k1: usize, e: usize) -> Option<TextRange> {
    let kind = |k: usize| tokens.get(k).map(|t| t.kind());
    // `a` starts after the last top-level ',' and must be a plain disjunction
    let mut a0 = k1;
    let mut depth = 0i32;
    for k in k1..e {
        match kind(k)? {
            T::Lpar | T::Lsqb | T::Lbrace => depth += 1,
            T::Rpar | T::Rsqb | T::Rbrace => depth -= 1,
            T::Comma if depth == 0 => a0 = k + 1,
            T::If | T::Else | T::Lambda | T::Yield | T::Star | T::Await | T::ColonEqual if depth == 0 => return None,
            _ => {}
        }
    }
    if a0 >= e || matches!(kind(a0), Some(T::Match | T::Case | T::Type)) {
        return None;
    }
    if kind(a0) == Some(T::Name) && matches!(kind(a0 + 1), Some(T::String | T::FStringStart | T::TStringStart)) {
        return None;
    }
    let a_name = src.get(usize::from(tokens.get(a0)?.start())..usize::from(tokens.get(a0)?.end()));
    if e == a0 + 1 && matches!(a_name, Some("print" | "exec")) {
        return None;
    }
    let b_end = longest_rhs(src, tokens, e)?;
    // `b` is an expression, not a tuple or starred
    let mut depth = 0i32;
    for k in e..b_end {
        match kind(k)? {
            T::Lpar | T::Lsqb | T::Lbrace => depth += 1,
            T::Rpar | T::Rsqb | T::Rbrace => depth -= 1,
            T::Comma | T::Star | T::Yield if depth == 0 => return None,
            _ => {}
        }
    }
    Some(TextRange::new(tokens.get(a0)?.start(), tokens.get(b_end - 1)?.end()))
}
