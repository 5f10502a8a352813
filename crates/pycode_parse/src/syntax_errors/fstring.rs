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
use ruff_text_size::{Ranged, TextRange, TextSize};

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
    /// A replacement field: index of its `{`, how deep it sits in format specs (0: directly in
    /// the string), whether its format spec started, t-string.
    Field {
        open: usize,
        nest: i32,
        spec: bool,
        t: bool,
    },
    Bracket,
}

/// Advances the f-string context stack over token `k` of kind `kind`: strings, replacement
/// fields (a `{` directly in a string or in a format spec), brackets, and the `:` that starts a
/// field's format spec. Other tokens leave it as it is.
fn track(stack: &mut Vec<Ctx>, k: usize, kind: T) {
    match kind {
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
            Some(&Ctx::Str(t)) => stack.push(Ctx::Field { open: k, nest: 0, spec: false, t }),
            Some(&Ctx::Field { nest, spec: true, t, .. }) => stack.push(Ctx::Field { open: k, nest: nest + 1, spec: false, t }),
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

/// The replacement field (index of its `{`, t-string) innermost around token `i`.
fn enclosing_field(tokens: &[Token], i: usize) -> Option<(usize, bool)> {
    let mut stack: Vec<Ctx> = Vec::new();
    for (k, tok) in tokens.get(..i)?.iter().enumerate() {
        track(&mut stack, k, tok.kind());
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

/// What a source ruff accepts may still hold for CPython's f-string machinery.
pub(super) enum Accepted {
    /// 3.12+: `f-string: expressions nested too deeply` at the `{` at this byte offset.
    TooDeep { what: &'static str, at: usize },
    /// 3.11: a replacement field nested two deep in format specs, or starting with `*`:
    /// `Parser/string_parser.c` has the final word (run the string checks).
    CheckStrings,
    /// 3.12+: a format spec's text fails to decode ([`spec_decode_error`]): the bare
    /// `UnicodeDecodeError` with this message.
    SpecDecode(String),
}

/// Scans ruff's tokens of an accepted source for replacement fields nested deeper than the
/// release allows (3.12+ `MAX_EXPR_NESTING`, 3.11 `fstring_find_expr`'s recursion limit) and,
/// for 3.11, fields starting with a starred expression. Only sources with f-strings pay more
/// than one pass over the token kinds.
pub(super) fn check_accepted(src: &str, tokens: &[Token], minor: PyMinor) -> Option<Accepted> {
    if !tokens.iter().any(|t| matches!(t.kind(), T::FStringStart | T::TStringStart)) {
        return None;
    }
    let limit = if minor == PyMinor::Py311 { 2 } else { MAX_EXPR_NESTING };
    let mut stack: Vec<Ctx> = Vec::new();
    for (k, tok) in tokens.iter().enumerate() {
        track(&mut stack, k, tok.kind());
        match tok.kind() {
            T::Lbrace => {
                if let Some(&Ctx::Field { open, nest, t, .. }) = stack.last() {
                    if open == k {
                        if nest >= limit {
                            if minor == PyMinor::Py311 {
                                return Some(Accepted::CheckStrings);
                            }
                            let what = if t { "t-string" } else { "f-string" };
                            return Some(Accepted::TooDeep { what, at: usize::from(tok.start()) });
                        }
                        if minor == PyMinor::Py311 && tokens.get(k + 1).is_some_and(|n| n.kind() == T::Star) {
                            return Some(Accepted::CheckStrings);
                        }
                    }
                }
            }
            T::FStringMiddle | T::TStringMiddle if minor != PyMinor::Py311 => {
                if let Some(&Ctx::Field { spec: true, t, .. }) = stack.last() {
                    if let Some(msg) = spec_middle_error(src, tok, t, minor) {
                        return Some(Accepted::SpecDecode(msg));
                    }
                }
            }
            _ => {}
        }
    }
    None
}

/// The decoding error of one FSTRING_MIDDLE token of a format spec (`t`: of a t-string), as
/// `_PyPegen_decoded_constant_from_token` raises it: the `UnicodeDecodeError` of
/// `decode_unicode_with_escapes` (no `(unicode error)` prefix, no position). 3.12 and 3.13
/// decode the spec of a raw f-string too (the action ignores the prefix); before 3.14 a
/// t-string is not one.
fn spec_middle_error(src: &str, tok: &Token, t: bool, minor: PyMinor) -> Option<String> {
    if t && minor < PyMinor::Py314 {
        return None;
    }
    let text = src.get(usize::from(tok.start())..usize::from(tok.end()))?;
    if !text.contains('\\') {
        return None;
    }
    if minor >= PyMinor::Py314 && tok.string_flags().is_some_and(|f| f.is_raw_string()) {
        return None;
    }
    let mut pieces = Vec::new();
    split_middle(text, &mut pieces);
    let msg = pieces.into_iter().find_map(super::strings::str_escape_error)?;
    Some(msg.strip_prefix("(unicode error) ").map_or_else(|| msg.clone(), str::to_owned))
}

/// 3.12+: a format spec's text (each FSTRING_MIDDLE after a field's `:`) is decoded by its own
/// grammar action (`fstring_format_spec: FSTRING_MIDDLE`) as soon as the first pass parses it,
/// before the f-string's literal pieces (decoded at FSTRING_END). A bad escape there raises a
/// bare `UnicodeDecodeError`, which `_PyPegen_run_parser` returns at once: no second pass, no
/// tokenizer check of the rest of the source replaces it. It wins unless the first pass stops
/// before it: at a parser error (ruff's first error other than an escape error, or a
/// construct the release lacks), at a tokenizer error, or at an earlier string token whose own
/// decoding fails.
pub(super) fn spec_decode_first(
    src: &str,
    parsed: &ruff_python_parser::Parsed<ruff_python_ast::Mod>,
    scan: &super::tokenizer::Scan,
    minor: PyMinor,
) -> Option<crate::error::ParseError> {
    use ruff_python_parser::{LexicalErrorType as L, ParseErrorType as P};
    if minor == PyMinor::Py311 {
        return None;
    }
    let tokens = parsed.tokens();
    // (escape errors are decoding errors; mixing string kinds is checked when the run is
    // joined, after every token's decoding)
    let later = |e: &ruff_python_parser::ParseError| match &e.error {
        P::Lexical(L::UnicodeError | L::MissingUnicodeLbrace | L::MissingUnicodeRbrace) => true,
        P::OtherError(m) => m.starts_with("Bytes literal cannot be mixed") || m.starts_with("Cannot mix t-string literals"),
        _ => false,
    };
    let limit = parsed.errors().iter().filter(|e| !later(e)).map(|e| e.location.start());
    let limit = limit.chain(parsed.unsupported_syntax_errors().iter().map(|u| u.range.start())).min().map_or(usize::MAX, usize::from);
    let mut stack: Vec<Ctx> = Vec::new();
    let mut found = None;
    for (k, tok) in tokens.iter().enumerate() {
        if usize::from(tok.start()) >= limit {
            break;
        }
        track(&mut stack, k, tok.kind());
        match tok.kind() {
            T::FStringMiddle | T::TStringMiddle => {
                if let Some(&Ctx::Field { spec: true, t, .. }) = stack.last() {
                    if let Some(msg) = spec_middle_error(src, tok, t, minor) {
                        found = Some((usize::from(tok.start()), msg));
                        break;
                    }
                }
            }
            _ => {}
        }
    }
    let (pos, msg) = found?;
    if scan.error.as_ref().is_some_and(|t| t.pos < pos) {
        return None;
    }
    if scan.strings.iter().any(|t| t.end <= pos && super::strings::token_decode_error(src, t, tokens).is_some()) {
        return None;
    }
    Some(crate::error::ParseError::new(ErrorKind::UnicodeDecodeError, msg))
}

/// The parser error to start from: ruff's first, except that on 3.12+ an escape error inside an
/// f-string yields to a later error inside the same f-string (CPython decodes an f-string's
/// literal pieces only in the action run once the whole f-string has parsed).
pub(super) fn first_syntax_error(
    parsed: &ruff_python_parser::Parsed<ruff_python_ast::Mod>,
    minor: PyMinor,
) -> Option<&ruff_python_parser::ParseError> {
    use ruff_python_parser::{LexicalErrorType as L, ParseErrorType as P};
    let errors = parsed.errors();
    let first = errors.first()?;
    let is_escape = |e: &ruff_python_parser::ParseError| {
        matches!(&e.error, P::Lexical(L::UnicodeError | L::MissingUnicodeLbrace | L::MissingUnicodeRbrace))
    };
    if minor < PyMinor::Py312 || !is_escape(first) {
        return Some(first);
    }
    // the f-string token holding the escape error
    let tokens = parsed.tokens();
    let at = first.location.start();
    let mut stack: Vec<TextSize> = Vec::new();
    let mut span = None;
    for t in tokens {
        match t.kind() {
            T::FStringStart | T::TStringStart => stack.push(t.start()),
            T::FStringEnd | T::TStringEnd => {
                if let Some(s) = stack.pop() {
                    if stack.is_empty() && s <= at && at < t.end() {
                        span = Some(TextRange::new(s, t.end()));
                        break;
                    }
                }
            }
            _ => {}
        }
        if t.start() > at && stack.is_empty() {
            break;
        }
    }
    let Some(span) = span else {
        return Some(first);
    };
    Some(errors.iter().find(|e| !is_escape(e) && span.contains(e.location.start())).unwrap_or(first))
}

/// Before 3.14 `t'...'` is the name `t` followed by a string: the parser fails on the string
/// token (from the quote to the t-string's end), given ruff's t-string starting at token `i`.
pub(super) fn tstring_before_314(src: &str, tokens: &[Token], i: usize, minor: PyMinor) -> Option<TextRange> {
    if minor >= PyMinor::Py314 || tokens.get(i)?.kind() != T::TStringStart {
        return None;
    }
    let start = tokens.get(i)?.range();
    let prefix = src.get(usize::from(start.start())..usize::from(start.end()))?;
    let q = prefix.find(['\'', '"'])?;
    let mut n = 0i32;
    for t in tokens.get(i..)? {
        match t.kind() {
            T::TStringStart | T::FStringStart => n += 1,
            T::TStringEnd | T::FStringEnd => {
                n -= 1;
                if n == 0 {
                    return Some(TextRange::new(start.start() + TextSize::try_from(q).ok()?, t.end()));
                }
            }
            _ => {}
        }
    }
    None
}

/// CPython's error for the replacement field holding ruff's error at `loc` (3.12+), when one of
/// the f-string rules applies; `None` leaves the error to the generic rules.
pub(super) fn replacement_field_error(src: &str, tokens: &[Token], loc: TextRange, minor: PyMinor) -> Option<PErr> {
    if minor < PyMinor::Py312 {
        return None;
    }
    // The parser read tokens up to ruff's error: a tokenizer error met on the way wins (the
    // rules below may point at an earlier token).
    if super::tokenizer::scan(src, minor).error.is_some_and(|t| t.pos <= usize::from(loc.start())) {
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
            return Some(perr(
                format!("{what}: conversion type must come right after the {word} mark"),
                TextRange::new(bang.start(), name.end()),
            ));
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
                // (ruff ends a single-quoted format spec at a newline, CPython 3.12/3.13 do not)
                Some(T::FStringMiddle | T::TStringMiddle | T::Newline) => k += 1,
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
    (from + 1..=cap).rev().find(|&k| tokens.get(k - 1).is_some_and(|t| src.get(start..usize::from(t.end())).is_some_and(is_annotated_rhs)))
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

/// The literal pieces of the f-string token `start..end` that 3.12+ decodes one by one: its
/// top-level FSTRING_MIDDLE tokens, which the tokenizer also ends after the first brace of a
/// doubled brace (skipping the second) and after the `}` of a `\N{...}` escape.
pub(super) fn literal_pieces<'s>(src: &'s str, tokens: &[Token], start: usize, end: usize) -> Vec<&'s str> {
    let mut out = Vec::new();
    let i0 = tokens.partition_point(|t| usize::from(t.start()) < start);
    let (mut strs, mut field) = (0i32, 0i32);
    for t in tokens.get(i0..).unwrap_or(&[]) {
        if usize::from(t.start()) >= end {
            break;
        }
        match t.kind() {
            T::FStringStart | T::TStringStart => strs += 1,
            T::FStringEnd | T::TStringEnd => strs -= 1,
            T::Lbrace if strs == 1 => field += 1,
            T::Rbrace if strs == 1 => field -= 1,
            T::FStringMiddle | T::TStringMiddle if strs == 1 && field == 0 => {
                split_middle(src.get(usize::from(t.start())..usize::from(t.end())).unwrap_or(""), &mut out);
            }
            _ => {}
        }
    }
    out
}

/// Splits the text of one of ruff's FSTRING_MIDDLE tokens into the pieces CPython's tokenizer
/// returns as separate FSTRING_MIDDLE tokens: it ends one after the first brace of a doubled
/// brace (the second is skipped) and after the `}` of a `\N{...}` escape.
fn split_middle<'s>(text: &'s str, out: &mut Vec<&'s str>) {
    let b = text.as_bytes();
    let (mut seg, mut j) = (0usize, 0usize);
    while let Some(&c) = b.get(j) {
        match c {
            b'\\' if b.get(j + 1) == Some(&b'N') && b.get(j + 2) == Some(&b'{') => {
                match b.get(j + 3..).and_then(|r| r.iter().position(|&x| x == b'}')) {
                    Some(k) => {
                        let close = j + 3 + k;
                        out.push(text.get(seg..close + 1).unwrap_or(""));
                        seg = close + 1;
                        j = close + 1;
                    }
                    None => j = b.len(),
                }
            }
            b'\\' if matches!(b.get(j + 1), Some(b'{' | b'}')) => j += 1,
            b'\\' => j += 2,
            b'{' | b'}' => {
                out.push(text.get(seg..j + 1).unwrap_or(""));
                seg = j + 2;
                j += 2;
            }
            _ => j += 1,
        }
    }
    if seg < b.len() {
        out.push(text.get(seg..).unwrap_or(""));
    }
}

// ---------------------------------------------------------------------------------------------
// Tokenizer side

use super::tokenizer::{Lexer, Open, TokError};

/// `MAX_EXPR_NESTING`: replacement fields nested in format specs, at most three deep.
const MAX_EXPR_NESTING: i32 = 3;
/// `MAXLEVEL` of the tokenizer's bracket stack.
const MAXLEVEL: usize = 200;

/// The f-string being scanned (one `tokenizer_mode` of CPython's mode stack).
struct FStr {
    start: usize,
    quote: u8,
    triple: bool,
    raw: bool,
    first_line: u32,
    first_line_start: usize,
    /// `f-string` or `t-string` (3.14's `TOK_GET_STRING_PREFIX`).
    what: &'static str,
}

/// How a stretch of literal text (FSTRING_MIDDLE) ended.
enum Middle {
    /// The closing quotes: the f-string is over.
    Closed,
    /// A format spec reached its field's `}` or a newline (not consumed).
    SpecEnd,
}

/// An error raised while the tokenizer is inside an f-string (`tok_mode_stack_index > 0`): it
/// does not replace a parser error met before it
/// (`_PyPegen_tokenize_full_source_to_check_for_errors`), so it only wins when the parser
/// asks for the token starting at `tok_start`.
fn inside(mut e: TokError, tok_start: usize) -> TokError {
    e.direct = false;
    e.pos = tok_start;
    e
}

fn nchars(s: &str) -> i64 {
    s.chars().count() as i64
}

impl Lexer<'_> {
    /// An f-string (3.14: also a t-string) whose opening quotes end at `self.i`: its literal
    /// parts as `tok_get_fstring_mode` reads them, its replacement fields as code
    /// (`tok_get_normal_mode` inside an f-string). Returns the first tokenizer error.
    /// `prefix`: the string prefix, lowercased.
    pub(super) fn fstring(
        &mut self,
        start: usize,
        quote: u8,
        triple: bool,
        prefix: &str,
        first_line: u32,
        first_line_start: usize,
    ) -> Option<TokError> {
        let what = if prefix.contains('t') { "t-string" } else { "f-string" };
        let st = FStr { start, quote, triple, raw: prefix.contains('r'), first_line, first_line_start, what };
        let saved = self.prev_string;
        let r = self.fstring_middle(&st, -1, false);
        self.prev_string = saved;
        r.err()
    }

    /// Literal text at field nesting `nest` (-1: the f-string's top level); `in_spec`: a
    /// format spec, which ends at `}` and where `{` always opens a field.
    fn fstring_middle(&mut self, st: &FStr, nest: i32, in_spec: bool) -> Result<Middle, TokError> {
        let mut unicode_escape = false;
        // start of the current FSTRING_MIDDLE token
        let mut seg = self.i;
        loop {
            let c = self.b.get(self.i).copied();
            match c {
                None => return Err(inside(self.fstring_unterminated(st), seg)),
                Some(b'\n') if !st.triple => {
                    if in_spec && self.minor >= PyMinor::Py314 {
                        let w = st.what;
                        let msg = format!("{w}: newlines are not allowed in format specifiers for single quoted {w}s");
                        return Err(inside(self.err_at(self.i + 1, msg), seg));
                    }
                    if in_spec {
                        return Ok(Middle::SpecEnd);
                    }
                    return Err(inside(self.fstring_unterminated(st), seg));
                }
                Some(b'\n') => {
                    self.i += 1;
                    self.newline();
                }
                Some(q) if q == st.quote => {
                    let n = if st.triple { 3 } else { 1 };
                    if (0..n).all(|k| self.peek(k) == q) {
                        self.i += n;
                        return Ok(Middle::Closed);
                    }
                    self.i += 1;
                }
                Some(b'{') => {
                    if !in_spec && self.peek(1) == b'{' {
                        self.i += 2;
                        continue;
                    }
                    if nest + 1 >= MAX_EXPR_NESTING {
                        return Err(inside(self.err_at(self.i, format!("{}: expressions nested too deeply", st.what)), self.i));
                    }
                    if self.fstring_field(st, nest + 1)? {
                        return Ok(Middle::Closed);
                    }
                    unicode_escape = false;
                    seg = self.i;
                }
                Some(b'}') => {
                    if unicode_escape {
                        unicode_escape = false;
                        self.i += 1;
                        continue;
                    }
                    if !in_spec && nest < 0 && self.peek(1) == b'}' {
                        self.i += 2;
                        continue;
                    }
                    if in_spec {
                        return Ok(Middle::SpecEnd);
                    }
                    // regular mode at the top level: no field to close
                    return Err(inside(self.err_at(self.i + 1, format!("{}: single '}}' is not allowed", st.what)), self.i));
                }
                Some(b'\\') => {
                    self.i += 1;
                    let mut p = self.peek(0);
                    if p == b'\r' {
                        self.i += 1;
                        p = self.peek(0);
                    }
                    if p == b'{' || p == b'}' {
                        continue;
                    }
                    if self.i >= self.b.len() {
                        continue;
                    }
                    self.i += 1;
                    if p == b'\n' {
                        self.newline();
                    } else if !st.raw && p == b'N' && self.peek(0) == b'{' {
                        self.i += 1;
                        unicode_escape = true;
                    }
                }
                Some(_) => self.i += 1,
            }
        }
    }

    /// `unterminated [triple-quoted] f-string literal (detected at line N)` at the f-string's start.
    fn fstring_unterminated(&mut self, st: &FStr) -> TokError {
        let mut e = self.unterminated(st.start, st.first_line, st.first_line_start, st.triple);
        e.msg = e.msg.replacen("string literal", &format!("{} literal", st.what), 1);
        e
    }

    /// A replacement field whose `{` is at `self.i`, at nesting `nest`. Returns whether the
    /// f-string's closing quotes were met inside it (a format spec left open).
    fn fstring_field(&mut self, st: &FStr, nest: i32) -> Result<bool, TokError> {
        if self.open.len() >= MAXLEVEL {
            return Err(inside(self.err_at(self.i + 1, "too many nested parentheses".into()), self.i));
        }
        let field_pos = self.i;
        let col = self.src.get(self.line_start..self.i).map_or(0, nchars) as u32;
        self.open.push(Open { ch: '{', lineno: self.lineno, col });
        self.i += 1;
        self.prev_string = false;
        // brackets opened inside the field and still open
        let mut depth = 0usize;
        loop {
            let Some(&c) = self.b.get(self.i) else {
                // EOF inside the field: E_EOF with brackets open
                let o = self.open.last().copied().unwrap_or(Open { ch: '{', lineno: self.lineno, col });
                return Err(TokError {
                    kind: ErrorKind::SyntaxError,
                    msg: format!("'{}' was never closed", o.ch),
                    lineno: o.lineno,
                    offset: o.col as i64 + 1,
                    end_lineno: o.lineno,
                    end_offset: 0,
                    pos: field_pos,
                    direct: false,
                });
            };
            match c {
                b' ' | b'\t' | b'\x0c' | b'\r' => self.i += 1,
                b'\n' => {
                    self.i += 1;
                    self.newline();
                    self.prev_string = false;
                }
                b'#' => {
                    while self.i < self.b.len() && self.b.get(self.i) != Some(&b'\n') {
                        self.i += 1;
                    }
                }
                b'\\' => {
                    let after = self.peek(1);
                    if after == b'\n' {
                        self.i += 2;
                        self.newline();
                    } else if after == b'\r' && self.peek(2) == b'\n' {
                        self.i += 3;
                        self.newline();
                    } else {
                        return Err(inside(self.linecont_error(), self.i));
                    }
                }
                b'(' | b'[' | b'{' => {
                    self.prev_string = false;
                    if self.open.len() >= MAXLEVEL {
                        return Err(inside(self.err_at(self.i + 1, "too many nested parentheses".into()), self.i));
                    }
                    let col = self.src.get(self.line_start..self.i).map_or(0, nchars) as u32;
                    self.open.push(Open { ch: c as char, lineno: self.lineno, col });
                    depth += 1;
                    self.i += 1;
                }
                b')' | b']' | b'}' => {
                    self.prev_string = false;
                    self.i += 1;
                    let Some(o) = self.open.pop() else {
                        return Err(inside(self.err_at(self.i, format!("unmatched '{}'", c as char)), self.i - 1));
                    };
                    if depth == 0 {
                        // the field's own '{'
                        if c == b'}' {
                            return Ok(false);
                        }
                        return Err(inside(self.err_at(self.i, format!("{}: unmatched '{}'", st.what, c as char)), self.i - 1));
                    }
                    depth -= 1;
                    if !matches!((o.ch, c), ('(', b')') | ('[', b']') | ('{', b'}')) {
                        let msg = if o.lineno != self.lineno {
                            format!(
                                "closing parenthesis '{}' does not match opening parenthesis '{}' on line {}",
                                c as char, o.ch, o.lineno
                            )
                        } else {
                            format!("closing parenthesis '{}' does not match opening parenthesis '{}'", c as char, o.ch)
                        };
                        return Err(inside(self.err_at(self.i, msg), self.i - 1));
                    }
                }
                b':' if depth == 0 => {
                    self.prev_string = false;
                    self.i += 1;
                    match self.fstring_middle(st, nest, true)? {
                        Middle::Closed => return Ok(true),
                        Middle::SpecEnd => {}
                    }
                }
                b'0'..=b'9' => {
                    self.prev_string = false;
                    let at = self.i;
                    if let Some(e) = self.number() {
                        return Err(inside(e, at));
                    }
                }
                b'.' if self.peek(1).is_ascii_digit() => {
                    self.prev_string = false;
                    let at = self.i;
                    if let Some(e) = self.number() {
                        return Err(inside(e, at));
                    }
                }
                b'"' | b'\'' => {
                    let start = self.i;
                    self.nested_string(st, start, 0)?;
                }
                c if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 => {
                    let start = self.i;
                    if let Some(e) = self.identifier() {
                        return Err(inside(e, start));
                    }
                    let q = self.peek(0);
                    if (q == b'"' || q == b'\'') && self.i - start <= 2 {
                        let p = self.src.get(start..self.i).unwrap_or("").to_ascii_lowercase();
                        if matches!(p.as_str(), "r" | "u" | "b" | "br" | "rb" | "f" | "fr" | "rf")
                            || (self.minor >= PyMinor::Py314 && matches!(p.as_str(), "t" | "tr" | "rt"))
                        {
                            let plen = self.i - start;
                            self.nested_string(st, start, plen)?;
                            continue;
                        }
                    }
                    self.prev_string = false;
                }
                0x01..=0x08 | 0x0b | 0x0e..=0x1f | 0x7f => {
                    return Err(inside(self.err_at(self.i + 1, format!("invalid non-printable character U+{:04X}", c)), self.i));
                }
                _ => {
                    self.prev_string = false;
                    self.i += 1;
                }
            }
        }
    }

    /// A string inside a replacement field (prefix at `start`, quote at `self.i`). A plain
    /// string left unterminated whose quotes are the f-string's own is the f-string's end
    /// met before the field's `}`: `f-string: expecting '}'`.
    fn nested_string(&mut self, st: &FStr, start: usize, plen: usize) -> Result<(), TokError> {
        let q = self.peek(0);
        let triple = self.peek(1) == q && self.peek(2) == q;
        let prefix = self.src.get(start..start + plen).unwrap_or("").to_ascii_lowercase();
        let formatted = prefix.contains('f') || (self.minor >= PyMinor::Py314 && prefix.contains('t'));
        let line = self.lineno;
        let line_start = self.line_start;
        if let Some(mut e) = self.string(start) {
            if !formatted && q == st.quote && triple == st.triple && e.msg.starts_with("unterminated") {
                e.msg = format!("{}: expecting '}}'", st.what);
                e.lineno = line;
                e.end_lineno = line;
                e.offset = self.src.get(line_start..start + plen + 1).map_or(0, nchars);
                e.end_offset = e.offset;
            }
            return Err(inside(e, start));
        }
        self.record_string(start, plen);
        Ok(())
    }
}
