//! More of CPython's `invalid_*` grammar rules and forced tokens (`&&':'`), recognised on the
//! token stream and tree ruff produced for a source it rejects (`Grammar/python.gram`).

use pycode_ast::PyMinor;
use ruff_python_ast::token::{Token, TokenKind as T};
use ruff_text_size::{Ranged, TextRange};

use super::PErr;
use crate::error::ErrorKind;

/// `invalid_kvpair`'s message (its end_offset is 0).
pub(super) const KVPAIR_MSG: &str = "':' expected after dictionary key";

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
    let mut s =
        tokens.get(..i).and_then(|ts| ts.iter().rposition(|t| matches!(t.kind(), T::Newline | T::Indent | T::Dedent))).map_or(0, |k| k + 1);
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

/// Whether the expression starting at token `from` is followed by a `)` (at its own bracket
/// depth; not by `,`, `for`, `:` or another closing bracket).
fn closes_after_expression(tokens: &[Token], from: usize) -> bool {
    let mut depth = 0i32;
    for t in tokens.get(from..).unwrap_or(&[]) {
        match t.kind() {
            T::Lpar | T::Lsqb | T::Lbrace => depth += 1,
            T::Rpar if depth == 0 => return true,
            T::Rpar | T::Rsqb | T::Rbrace if depth == 0 => return false,
            T::Rpar | T::Rsqb | T::Rbrace => depth -= 1,
            T::Comma | T::For | T::Async | T::Colon | T::Newline if depth == 0 => return false,
            _ => {}
        }
    }
    false
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
    if tokens.get(kw)?.kind() != T::Def || tokens.get(kw + 1)?.kind() != T::Name {
        return None;
    }
    let mut after = kw + 2;
    if minor >= PyMinor::Py312 && tokens.get(after)?.kind() == T::Lsqb {
        after = super::matching_close(tokens, after)? + 1;
    }
    if i != after {
        return None;
    }
    if tokens.get(i)?.kind() == T::Newline {
        return Some(at_newline(src, tokens, i, minor, "expected '('"));
    }
    Some(mk("expected '('", tokens.get(i)?.range()))
}

/// Is the bracket at index `o` a call's parenthesis or a subscript's bracket (a primary before it)?
fn after_primary(tokens: &[Token], o: usize) -> bool {
    super::prev_sig(tokens, o).and_then(|p| tokens.get(p)).is_some_and(|t| {
        matches!(t.kind(), T::Name | T::Rpar | T::Rsqb | T::String | T::FStringEnd | T::TStringEnd) || t.kind().is_soft_keyword()
    })
}

/// The start of the expression beginning at token `k` and ending before the depth-0 token at
/// `end`: a group `( e )` spanning it all is the inner expression (CPython's group keeps
/// the inner node's position).
fn expr_start(tokens: &[Token], mut k: usize, end: usize) -> Option<usize> {
    while tokens.get(k)?.kind() == T::Lpar && super::matching_close(tokens, k)? + 1 == end {
        k += 1;
    }
    Some(k)
}

/// `invalid_except_stmt` / `invalid_except_star_stmt`: `'except' '*'? a=expression ','
/// expressions ['as' NAME] ':'` → `multiple exception types must be parenthesized` from `a` to
/// the `:` (3.14: only with `as`, `... when using 'as'`).
fn multiple_exception_types(tokens: &[Token], i: usize, minor: PyMinor) -> Option<PErr> {
    let s = stmt_start(tokens, i);
    if tokens.get(s)?.kind() != T::Except {
        return None;
    }
    let mut first = s + 1;
    if tokens.get(first)?.kind() == T::Star {
        first += 1;
    }
    let stops = depth0(tokens, first, tokens.len(), &[T::Comma, T::Colon, T::Newline, T::As]);
    let comma = *stops.first()?;
    if tokens.get(comma)?.kind() != T::Comma || comma == first {
        return None;
    }
    let colon = stops.iter().copied().find(|&k| tokens.get(k).is_some_and(|t| matches!(t.kind(), T::Colon | T::Newline)))?;
    if tokens.get(colon)?.kind() != T::Colon {
        return None;
    }
    let has_as = stops.iter().any(|&k| k < colon && tokens.get(k).is_some_and(|t| t.kind() == T::As));
    let msg = match minor {
        PyMinor::Py314 | PyMinor::Py315 if has_as => "multiple exception types must be parenthesized when using 'as'",
        PyMinor::Py314 | PyMinor::Py315 => return None,
        _ => "multiple exception types must be parenthesized",
    };
    let a = expr_start(tokens, first, comma)?;
    Some(mk(msg, TextRange::new(tokens.get(a)?.start(), tokens.get(colon)?.start())))
}

/// `invalid_kwarg` alternatives inside call parentheses, for the argument expression at `loc`
/// followed by `=`: `a=('True'|'False'|'None') b='='` → `cannot assign to True` on a..b;
/// `!(NAME '=') a=expression b='='` → `expression cannot contain assignment, perhaps you meant
/// "=="?` on a..b.
fn invalid_kwarg(tokens: &[Token], loc: TextRange, minor: PyMinor) -> Option<PErr> {
    let j = tokens.partition_point(|t| t.start() < loc.start());
    let e = tokens.partition_point(|t| t.start() < loc.end());
    let eq = tokens.get(e)?;
    if eq.kind() != T::Equal || e <= j {
        return None;
    }
    let o = super::open_bracket(tokens, j)?;
    if tokens.get(o)?.kind() != T::Lpar || !after_primary(tokens, o) {
        return None;
    }
    // the argument starts right after the '(' or a depth-0 ','
    let before = super::prev_sig(tokens, j)?;
    if before != o && tokens.get(before)?.kind() != T::Comma {
        // a parenthesized name `(x)=`: the group's inner expression
        if tokens.get(before)?.kind() != T::Lpar {
            return None;
        }
    }
    let first = tokens.get(j)?;
    if first.kind() == T::Star {
        // 3.12+ invalid_starred_expression_unpacking: a='*' expression '=' b=expression;
        // 3.11 fails at the '='
        if minor == PyMinor::Py311 {
            return Some(mk("invalid syntax", eq.range()));
        }
        let close = super::matching_close(tokens, o)?;
        let stop = depth0(tokens, e + 1, close, &[T::Comma]).first().copied().unwrap_or(close);
        if stop <= e + 1 {
            return None;
        }
        let end = tokens.get(super::prev_sig(tokens, stop)?)?.end();
        return Some(mk("cannot assign to iterable argument unpacking", TextRange::new(first.start(), end)));
    }
    if e == j + 1 && matches!(first.kind(), T::True | T::False | T::None) {
        let name = match first.kind() {
            T::True => "True",
            T::False => "False",
            _ => "None",
        };
        return Some(mk(&format!("cannot assign to {name}"), TextRange::new(first.start(), eq.end())));
    }
    let a = expr_start(tokens, j, e)?;
    Some(mk("expression cannot contain assignment, perhaps you meant \"==\"?", TextRange::new(tokens.get(a)?.start(), eq.end())))
}

/// Rules recognised from ruff's syntax error `err` at `loc` (token index `i`).
pub(super) fn from_syntax_error(
    src: &str,
    tokens: &[Token],
    err: &ruff_python_parser::ParseErrorType,
    loc: TextRange,
    i: usize,
    minor: PyMinor,
) -> Option<PErr> {
    use ruff_python_parser::ParseErrorType as P;
    let cur = tokens.get(i)?;
    let prev = super::prev_sig(tokens, i);
    let prev_kind = prev.and_then(|p| tokens.get(p)).map(|t| t.kind());
    match err {
        // invalid_arguments: an unparenthesized generator expression among other arguments
        P::UnparenthesizedGeneratorExpression => {
            let o = super::open_bracket(tokens, i)?;
            if tokens.get(o)?.kind() != T::Lpar || !after_primary(tokens, o) {
                return None;
            }
            let after = tokens.partition_point(|t| t.start() < loc.end());
            let alone = prev == Some(o) && tokens.get(after).is_some_and(|t| t.kind() == T::Rpar);
            if alone {
                // a class's only base: `args for_if_clauses` with one argument is no error
                // (`_PyPegen_nonparen_genexp_in_call`); the first pass fails at the `for`
                let f = depth0(tokens, i, after, &[T::For, T::Async]);
                let ft = tokens.get(*f.first()?)?;
                return Some(mk("invalid syntax", ft.range()));
            }
            Some(mk("Generator expression must be parenthesized", loc))
        }
        P::ExpectedToken { expected: T::Comma, found } => {
            let o = super::open_bracket(tokens, i);
            if *found == T::Equal && minor >= PyMinor::Py312 {
                // 3.12+ invalid_kwarg: a='**' expression '=' b=expression
                let o = o?;
                if tokens.get(o)?.kind() != T::Lpar || !after_primary(tokens, o) {
                    return None;
                }
                let seps = depth0(tokens, o + 1, i, &[T::Comma]);
                let start = seps.last().map_or(o + 1, |c| c + 1);
                let dstar = tokens.get(start)?;
                if dstar.kind() != T::DoubleStar {
                    return None;
                }
                let close = super::matching_close(tokens, o)?;
                let stop = depth0(tokens, i + 1, close, &[T::Comma]).first().copied().unwrap_or(close);
                if stop <= i + 1 {
                    return None;
                }
                let end = tokens.get(super::prev_sig(tokens, stop)?)?.end();
                return Some(mk("cannot assign to keyword argument unpacking", TextRange::new(dstar.start(), end)));
            }
            if o.is_none() && found.as_augmented_assign_operator().is_some() {
                // invalid_assignment: a=star_expressions augassign annotated_rhs
                let s = stmt_start(tokens, i);
                if depth0(tokens, s, i, &[T::Comma]).is_empty() {
                    return None;
                }
                let end = tokens.get(super::prev_sig(tokens, i)?)?.end();
                return Some(mk("'tuple' is an illegal expression for augmented assignment", TextRange::new(tokens.get(s)?.start(), end)));
            }
            None
        }
        P::ExpectedToken { expected: T::Colon, .. } => {
            // invalid_double_starred_kvpairs: ','.double_starred_kvpair+ ',' invalid_kvpair,
            // `a=expression !(':')` → at the last character of a, end 0
            let o = super::open_bracket(tokens, i)?;
            if tokens.get(o)?.kind() != T::Lbrace {
                return None;
            }
            let seps = depth0(tokens, o + 1, i, &[T::Comma]);
            let last_sep = *seps.last()?;
            let first_end = seps.first().copied()?;
            let first_is_pair = tokens.get(o + 1)?.kind() == T::DoubleStar || !depth0(tokens, o + 1, first_end, &[T::Colon]).is_empty();
            if !first_is_pair || !depth0(tokens, last_sep + 1, i, &[T::Colon, T::Lambda]).is_empty() || last_sep + 1 >= i {
                return None;
            }
            let a_end = tokens.get(super::prev_sig(tokens, i)?)?.end();
            let at = a_end.checked_sub(ruff_text_size::TextSize::from(1))?;
            Some(mk(KVPAIR_MSG, TextRange::new(at, a_end)))
        }
        P::OtherError(m) if m == "Expected a parameter name" => invalid_kwarg(tokens, loc, minor),
        P::OtherError(m) if m.starts_with("Multiple exception types must be parenthesized") => multiple_exception_types(tokens, i, minor),
        P::OtherError(m) if m == "Cannot have both 'except' and 'except*' on the same 'try'" => {
            // invalid_try_stmt: except blocks then `except*` (range except..'*'), or except*
            // blocks then `except` (at the `except`)
            // (a DEDENT may start where the handler does)
            let i = tokens.get(i..)?.iter().position(|t| t.kind() == T::Except).map(|k| i + k)?;
            let cur = tokens.get(i)?;
            let n = tokens.get(i + 1)?;
            if n.kind() == T::Star {
                Some(mk("cannot have both 'except' and 'except*' on the same 'try'", TextRange::new(cur.start(), n.end())))
            } else {
                Some(mk("cannot have both 'except' and 'except*' on the same 'try'", cur.range()))
            }
        }
        // invalid_group: '(' a=starred_expression ')'
        // 3.13+ invalid_arithmetic / invalid_factor: an operator then `not`
        P::OtherError(m) if m == "Boolean 'not' expression cannot be used here" && minor >= PyMinor::Py313 && cur.kind() == T::Not => {
            Some(mk("'not' after an operator must be parenthesized", loc))
        }
        // 3.13+ invalid_import / invalid_import_from_targets: `import` NEWLINE
        P::EmptyImportNames if minor >= PyMinor::Py313 && cur.kind() == T::Newline => {
            Some(mk("Expected one or more names after 'import'", TextRange::new(cur.start(), cur.start())))
        }
        // invalid_as_pattern: or_pattern 'as' a="_" / a=expression
        P::InvalidMatchPatternTarget if prev_kind == Some(T::As) => Some(mk("cannot use '_' as a target", cur.range())),
        P::OtherError(m) if m == "Expected an identifier" && prev_kind == Some(T::As) => {
            // the target expression runs to the ':' or ',' or ')' ending the pattern
            let s = stmt_start(tokens, i);
            if tokens.get(s)?.kind() != T::Case {
                return None;
            }
            let stop = *depth0(tokens, i, tokens.len(), &[T::Colon, T::Comma, T::Newline, T::Rpar, T::Rsqb, T::Rbrace, T::If]).first()?;
            let end = tokens.get(super::prev_sig(tokens, stop)?)?.end();
            if end < cur.start() {
                // no target at all (`case 42 as :`): the generic error at the token
                return None;
            }
            let range = TextRange::new(cur.start(), end);
            if minor >= PyMinor::Py314 {
                let text = src.get(usize::from(range.start())..usize::from(range.end()))?;
                let parsed = ruff_python_parser::parse_expression(text).ok()?;
                return Some(mk(&format!("cannot use {} as pattern target", super::expr_name(parsed.expr())), range));
            }
            Some(mk("invalid pattern target", range))
        }
        P::InvalidStarredExpressionUsage => {
            let j = tokens.partition_point(|t| t.start() < loc.end());
            let open = prev_kind == Some(T::Lpar) && !prev.is_some_and(|p| after_primary(tokens, p));
            if cur.kind() == T::Star && open && tokens.get(j).is_some_and(|t| t.kind() == T::Rpar) {
                return Some(mk("cannot use starred expression here", loc));
            }
            None
        }
        P::ExpectedExpression => {
            // invalid_group: '(' a='**' expression ')' (the `)` right after the expression)
            if cur.kind() == T::DoubleStar
                && prev_kind == Some(T::Lpar)
                && !prev.is_some_and(|p| after_primary(tokens, p))
                && closes_after_expression(tokens, i + 1)
            {
                return Some(mk("cannot use double starred expression here", cur.range()));
            }
            // 3.12+ invalid_starred_expression: a '*' with nothing after it, among call
            // arguments or subscript elements, or first in a display
            if prev_kind == Some(T::Star) {
                // a '*' where no starred expression may stand (a slice bound, a keyword
                // argument's value): the first pass fails at the '*'
                let p = prev?;
                let b = super::prev_sig(tokens, p).and_then(|k| tokens.get(k)).map(|t| t.kind());
                let ob = super::open_bracket(tokens, p).and_then(|o| tokens.get(o)).map(|t| t.kind());
                if (b == Some(T::Colon) && ob == Some(T::Lsqb)) || (b == Some(T::Equal) && ob == Some(T::Lpar)) {
                    return Some(mk("invalid syntax", tokens.get(p)?.range()));
                }
            }
            if minor >= PyMinor::Py312 && prev_kind == Some(T::Star) {
                let p = prev?;
                let o = super::open_bracket(tokens, p)?;
                let before = super::prev_sig(tokens, p);
                let first = before == Some(o);
                let item = first || before.and_then(|b| tokens.get(b)).is_some_and(|t| t.kind() == T::Comma);
                if first || (item && after_primary(tokens, o)) {
                    // 3.15 (whose displays take starred comprehension elements) says only
                    // `invalid syntax` for a bare '*' opening a list or set display.
                    let display = matches!(tokens.get(o).map(|t| t.kind()), Some(T::Lsqb | T::Lbrace)) && !after_primary(tokens, o);
                    if minor >= PyMinor::Py315 && display {
                        return Some(mk("invalid syntax", cur.range()));
                    }
                    return Some(mk("Invalid star expression", cur.range()));
                }
            }
            None
        }
        _ => None,
    }
}

/// 3.12+ `invalid_starred_expression` (`'*'` when `'*' expression` fails) for a starred call
/// argument or subscript element whose parenthesized operand fails to parse (`A[*(1:2)]`): the
/// message replaces `invalid syntax` at the same (last read) token.
pub(super) fn star_operand(tokens: &[Token], i: usize, minor: PyMinor) -> Option<PErr> {
    if minor < PyMinor::Py312 {
        return None;
    }
    let o = super::open_bracket(tokens, i)?;
    if tokens.get(o)?.kind() != T::Lpar {
        return None;
    }
    let st = super::prev_sig(tokens, o)?;
    if tokens.get(st)?.kind() != T::Star {
        return None;
    }
    let b = super::prev_sig(tokens, st)?;
    let outer = super::open_bracket(tokens, st)?;
    let item_start = b == outer || tokens.get(b)?.kind() == T::Comma;
    if !item_start || !matches!(tokens.get(outer)?.kind(), T::Lpar | T::Lsqb) || !after_primary(tokens, outer) {
        return None;
    }
    let cur = tokens.get(i)?;
    if matches!(cur.kind(), T::Newline | T::NonLogicalNewline | T::Dedent | T::Indent | T::EndOfFile) {
        return None;
    }
    Some(mk("Invalid star expression", cur.range()))
}

/// Rules recognised from ruff's unsupported-syntax error at token `i`.
pub(super) fn from_unsupported(tokens: &[Token], u: &ruff_python_parser::UnsupportedSyntaxError, i: usize, minor: PyMinor) -> Option<PErr> {
    use ruff_python_parser::UnsupportedSyntaxErrorKind as K;
    match u.kind {
        // invalid_dict_comprehension: '{' a='**' bitwise_or for_if_clauses '}' (at the '**')
        K::UnpackingInComprehension(_) if tokens.get(i)?.kind() == T::DoubleStar => {
            Some(mk("dict unpacking cannot be used in dict comprehension", tokens.get(i)?.range()))
        }
        K::UnpackingInComprehension(_) => Some(mk("iterable unpacking cannot be used in comprehension", u.range)),
        K::UnparenthesizedExceptionTypes => multiple_exception_types(tokens, i, minor),
        K::ParenthesizedKeywordArgumentName => invalid_kwarg(tokens, u.range, minor),
        // (3.12: the first type-parameter default, of this statement or an earlier one ruff
        // accepted, e.g. a `*Ts` default)
        K::TypeParamDefault if minor == PyMinor::Py312 => py312_type_param_default(tokens),
        // before 3.15 `lazy` is a name: the `import` / `from` after it fails
        K::LazyImportStatement if tokens.get(i)?.kind() == T::Lazy => Some(mk("invalid syntax", tokens.get(i + 1)?.range())),
        _ => None,
    }
}

/// 3.14's `ast.parse` runs `_PyFuture_FromAST` (`Python/future.c`, `future_parse` /
/// `future_check_features`): the `from __future__ import` statements leading the module (after
/// a docstring) may only name known features; `braces` is `not a chance`. At the alias.
pub(super) fn future_features(module: &ruff_python_ast::Mod) -> Option<PErr> {
    use ruff_python_ast::{Expr as E, Stmt as S};
    let ruff_python_ast::Mod::Module(m) = module else {
        return None;
    };
    let mut body = m.body.iter().peekable();
    if let Some(S::Expr(e)) = body.peek() {
        if matches!(&*e.value, E::StringLiteral(_)) {
            body.next();
        }
    }
    for s in body {
        let S::ImportFrom(imp) = s else {
            return None;
        };
        if imp.level != 0 || imp.module.as_ref().is_none_or(|n| n.as_str() != "__future__") {
            return None;
        }
        for a in &imp.names {
            let msg = match a.name.as_str() {
                "nested_scopes" | "generators" | "division" | "absolute_import" | "with_statement" | "print_function"
                | "unicode_literals" | "barry_as_FLUFL" | "generator_stop" | "annotations" => continue,
                "braces" => "not a chance".to_string(),
                other => format!("future feature {other} is not defined"),
            };
            return Some(mk(&msg, a.range()));
        }
    }
    None
}

/// `invalid_try_stmt`: `'try' ':' block !('except' | 'finally')` → `expected 'except' or
/// 'finally' block`, RAISE_SYNTAX_ERROR on the token after the block: a real token keeps its
/// range; at the end of the source (ENDMARKER, no column) CPython reports the tokenizer's
/// position, past the last line, with no end.
pub(super) fn try_without_handlers(src: &str, tokens: &[Token], loc: TextRange, module: &ruff_python_ast::Mod) -> Option<PErr> {
    use ruff_python_ast::visitor::source_order::{walk_stmt, SourceOrderVisitor};
    struct FindTry {
        limit: ruff_text_size::TextSize,
        found: Option<ruff_text_size::TextSize>,
    }
    impl<'a> SourceOrderVisitor<'a> for FindTry {
        fn visit_stmt(&mut self, stmt: &'a ruff_python_ast::Stmt) {
            if self.found.is_some() || stmt.start() > self.limit {
                return;
            }
            if let ruff_python_ast::Stmt::Try(t) = stmt {
                if t.handlers.is_empty() && t.finalbody.is_empty() {
                    if let Some(last) = t.body.last() {
                        if last.end() <= self.limit {
                            self.found = Some(last.end());
                            return;
                        }
                    }
                }
            }
            walk_stmt(self, stmt);
        }
    }
    let ruff_python_ast::Mod::Module(m) = module else {
        return None;
    };
    let mut f = FindTry { limit: loc.start(), found: None };
    for s in &m.body {
        f.visit_stmt(s);
    }
    let end = f.found?;
    let k = tokens.partition_point(|t| t.start() < end);
    let next =
        tokens.get(k..)?.iter().find(|t| !matches!(t.kind(), T::Newline | T::NonLogicalNewline | T::Comment | T::Dedent | T::Indent));
    let msg = "expected 'except' or 'finally' block";
    if let Some(n) = next.filter(|n| n.kind() != T::EndOfFile) {
        return Some(mk(msg, n.range()));
    }
    let body = src.strip_suffix('\n').unwrap_or(src);
    let ls = body.rfind('\n').map_or(0, |p| p + 1);
    let width = body.get(ls..).map_or(0, |l| l.trim_end_matches('\r').chars().count()) as i64;
    let at = ruff_text_size::TextSize::try_from(ls).ok()?;
    let mut e = mk(msg, TextRange::new(at, at));
    e.col_override = Some(width + 1);
    e.no_end = true;
    Some(e)
}

/// 3.14 `invalid_except_stmt` / `invalid_except_star_stmt`: `'except' '*'? expression 'as'
/// a=expression ':' block` with a target that is not a name → `cannot use except statement
/// with X` at the target.
pub(super) fn except_as_target(src: &str, tokens: &[Token], i: usize, minor: PyMinor) -> Option<PErr> {
    if minor < PyMinor::Py314 {
        return None;
    }
    let s = stmt_start(tokens, i);
    if tokens.get(s)?.kind() != T::Except {
        return None;
    }
    let star = tokens.get(s + 1)?.kind() == T::Star;
    let stops = depth0(tokens, s + 1, tokens.len(), &[T::As, T::Colon, T::Newline]);
    let as_at = *stops.first()?;
    if tokens.get(as_at)?.kind() != T::As || i <= as_at {
        return None;
    }
    let colon = *stops.get(1)?;
    if tokens.get(colon)?.kind() != T::Colon {
        return None;
    }
    let a = expr_start(tokens, as_at + 1, colon)?;
    let mut z = colon;
    if a > as_at + 1 {
        z = super::matching_close(tokens, as_at + 1)?;
    }
    let start = tokens.get(a)?.start();
    let end = tokens.get(super::prev_sig(tokens, z)?)?.end();
    let text = src.get(usize::from(start)..usize::from(end))?;
    let parsed = ruff_python_parser::parse_expression(text).ok()?;
    let e = parsed.expr();
    if matches!(e, ruff_python_ast::Expr::Tuple(t) if !t.parenthesized) {
        return None;
    }
    if a == as_at + 1 && matches!(e, ruff_python_ast::Expr::Name(_)) {
        return None;
    }
    let what = if star { "except*" } else { "except" };
    Some(mk(&format!("cannot use {what} statement with {}", super::expr_name(e)), TextRange::new(start, end)))
}

/// 3.12 has no type-parameter defaults (`type_param: NAME [type_param_bound]`, ...): a `=` in
/// the type-parameter list of a `class` fails the first pass at the `=`; of a `def`, the
/// forced `&&'('` after the name fails at the `[`; of a `type` statement, see
/// [`py312_type_alias_default`]. ruff does not flag every such default (not those holding a
/// `yield`, nor `*Ts`/`**P` defaults), so the tokens are checked when ruff accepts the source.
pub(super) fn py312_type_param_default(tokens: &[Token]) -> Option<PErr> {
    for (k, t) in tokens.iter().enumerate() {
        if !matches!(t.kind(), T::Class | T::Def | T::Type) {
            continue;
        }
        if tokens.get(k + 1).is_none_or(|n| n.kind() != T::Name) || tokens.get(k + 2).is_none_or(|n| n.kind() != T::Lsqb) {
            continue;
        }
        if t.kind() == T::Type && stmt_start(tokens, k) != k {
            continue;
        }
        let close = super::matching_close(tokens, k + 2)?;
        let eq = depth0(tokens, k + 3, close, &[T::Equal]);
        let Some(&e) = eq.first() else { continue };
        return Some(match t.kind() {
            T::Class => mk("invalid syntax", tokens.get(e)?.range()),
            T::Type => py312_type_alias_default(tokens, k + 2, close)
                .unwrap_or_else(|| mk("invalid syntax", tokens.get(e).map_or(t.range(), Ranged::range))),
            _ => mk("expected '('", tokens.get(k + 2)?.range()),
        });
    }
    None
}

/// 3.12's second pass over `type NAME [params] ...` whose parameters hold a default (the first
/// pass failed at the first `=` in the brackets): `invalid_legacy_expression` (`a=NAME !'('
/// b=star_expressions`, tried on the statement's first expression) parses `NAME [params]` as a
/// subscript, and its slices raise, at the first parameter they cannot take as a slice:
/// `invalid_named_expression` (`a=NAME '=' b=bitwise_or !('='|':=')`, range `a`..`b`) for
/// `T = default`, `invalid_starred_expression` (`a='*' expression '=' b=expression`, range
/// `a`..`b`) for `*Ts = default`. `None`: no rule raises (`invalid syntax` at that `=`).
fn py312_type_alias_default(tokens: &[Token], lsqb: usize, close: usize) -> Option<PErr> {
    let trivia = |k: usize| tokens.get(k).is_some_and(|t| matches!(t.kind(), T::Comment | T::NonLogicalNewline));
    let mut commas = depth0(tokens, lsqb + 1, close, &[T::Comma]);
    commas.push(close);
    let mut a = lsqb + 1;
    for &b in &commas {
        let item = a;
        a = b + 1;
        let mut s = item;
        while s < b && trivia(s) {
            s += 1;
        }
        let eq = depth0(tokens, s, b, &[T::Equal]).first().copied();
        let first = tokens.get(s)?;
        match first.kind() {
            T::Name => {
                let Some(q) = eq else { continue };
                let mut n = s + 1;
                while n < q && trivia(n) {
                    n += 1;
                }
                if n != q {
                    // `T: bound = default`: the slice `T: bound` is followed by `=`
                    return None;
                }
                let last = bitwise_or_end(tokens, q + 1, b)?;
                let mut after = last + 1;
                while trivia(after) {
                    after += 1;
                }
                if tokens.get(after).is_some_and(|t| matches!(t.kind(), T::Equal | T::ColonEqual)) {
                    return None;
                }
                let end = node_end(tokens, q + 1, last)?;
                return Some(mk("invalid syntax. Maybe you meant '==' or ':=' instead of '='?", TextRange::new(first.start(), end)));
            }
            T::Star => {
                let Some(q) = eq else { continue };
                let mut d = q + 1;
                while d < b && trivia(d) {
                    d += 1;
                }
                if d >= b || tokens.get(d)?.kind() == T::Star {
                    return None;
                }
                let last = (d..b).rev().find(|&k| !trivia(k))?;
                let end = node_end(tokens, d, last)?;
                return Some(mk("cannot assign to iterable argument unpacking", TextRange::new(first.start(), end)));
            }
            _ => return None,
        }
    }
    None
}

/// Where the node of the expression spanning tokens `first..=last` ends: a parenthesized group
/// (`'(' (yield_expr | named_expression) ')'`, not a tuple or generator expression) is its
/// inner expression, without the parentheses.
fn node_end(tokens: &[Token], mut first: usize, mut last: usize) -> Option<ruff_text_size::TextSize> {
    let trivia = |k: usize| tokens.get(k).is_some_and(|t| matches!(t.kind(), T::Comment | T::NonLogicalNewline));
    for _ in 0..64 {
        while first < last && trivia(first) {
            first += 1;
        }
        let grouped = tokens.get(first)?.kind() == T::Lpar
            && super::matching_close(tokens, first) == Some(last)
            && last > first + 1
            && depth0(tokens, first + 1, last, &[T::Comma, T::For, T::Async]).is_empty();
        if !grouped {
            break;
        }
        first += 1;
        last = (first..last).rev().find(|&k| !trivia(k))?;
    }
    Some(tokens.get(last)?.end())
}

/// Index of the last token of the `bitwise_or` starting at token `from` (before `to`): the
/// longest stretch of operands and arithmetic/bitwise operators before a comparison, boolean
/// operator, conditional, `:=`/`=`, comma, colon or closing bracket at depth 0. `None` when no
/// `bitwise_or` starts there (`not`, `lambda`, a starred or yield expression, ...).
fn bitwise_or_end(tokens: &[Token], from: usize, to: usize) -> Option<usize> {
    let ends = |k: T| {
        matches!(
            k,
            T::EqEqual
                | T::NotEqual
                | T::Less
                | T::Greater
                | T::LessEqual
                | T::GreaterEqual
                | T::In
                | T::Not
                | T::Is
                | T::And
                | T::Or
                | T::If
                | T::Else
                | T::For
                | T::Async
                | T::ColonEqual
                | T::Equal
                | T::Comma
                | T::Colon
                | T::Lambda
                | T::Yield
                | T::Newline
                | T::Rpar
                | T::Rsqb
                | T::Rbrace
        )
    };
    let mut depth = 0i32;
    let mut last = None;
    for k in from..to {
        let kind = tokens.get(k)?.kind();
        if matches!(kind, T::Comment | T::NonLogicalNewline) {
            continue;
        }
        if depth == 0 {
            if last.is_none() && matches!(kind, T::Star | T::DoubleStar) {
                return None;
            }
            if ends(kind) {
                break;
            }
        }
        match kind {
            T::Lpar | T::Lsqb | T::Lbrace => depth += 1,
            T::Rpar | T::Rsqb | T::Rbrace => depth -= 1,
            _ => {}
        }
        last = Some(k);
    }
    last
}

/// The parameter list holding token `i`: (index of its first token, is it a lambda's).
fn param_list(tokens: &[Token], i: usize) -> Option<(usize, bool)> {
    // a lambda at the same bracket depth, with no ':' between it and `i`
    let mut depth = 0i32;
    let mut k = i;
    while k > 0 {
        k -= 1;
        let t = tokens.get(k)?;
        match t.kind() {
            T::Rpar | T::Rsqb | T::Rbrace => depth += 1,
            T::Lpar | T::Lsqb | T::Lbrace => {
                if depth == 0 {
                    break;
                }
                depth -= 1;
            }
            T::Colon | T::Newline if depth == 0 => break,
            T::Lambda if depth == 0 => return Some((k + 1, true)),
            _ => {}
        }
    }
    let o = super::open_bracket(tokens, i)?;
    if tokens.get(o)?.kind() != T::Lpar {
        return None;
    }
    let mut n = super::prev_sig(tokens, o)?;
    if tokens.get(n)?.kind() == T::Rsqb {
        // type parameters: back to their '['
        let mut depth = 0i32;
        loop {
            match tokens.get(n)?.kind() {
                T::Rsqb | T::Rpar | T::Rbrace => depth += 1,
                T::Lsqb | T::Lpar | T::Lbrace => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                _ => {}
            }
            n = n.checked_sub(1)?;
        }
        n = super::prev_sig(tokens, n)?;
    }
    let d = super::prev_sig(tokens, n)?;
    (tokens.get(n)?.kind() == T::Name && tokens.get(d)?.kind() == T::Def).then_some((o + 1, false))
}

/// `invalid_parameters` / `invalid_lambda_parameters`, `invalid_star_etc`, `invalid_kwds`
/// (and the lambda forms) for ruff's error at token `i`.
pub(super) fn parameters(tokens: &[Token], err: &ruff_python_parser::ParseErrorType, i: usize) -> Option<PErr> {
    use ruff_python_parser::ParseErrorType as P;
    let cur = tokens.get(i)?;
    let (first, lambda) = param_list(tokens, i)?;
    let before = depth0(tokens, first, i, &[T::Star, T::DoubleStar, T::Slash, T::Equal, T::Comma]);
    let kind_at = |k: usize| tokens.get(k).map(|t| t.kind());
    match err {
        // '*' param a='=' / '**' param a='='
        P::VarParameterWithDefault if cur.kind() == T::Equal => {
            let last_comma = before.iter().rev().find(|&&k| kind_at(k) == Some(T::Comma)).map_or(first, |&k| k + 1);
            let msg = match kind_at(last_comma)? {
                T::Star => "var-positional argument cannot have default value",
                T::DoubleStar => "var-keyword argument cannot have default value",
                _ => return None,
            };
            Some(mk(msg, cur.range()))
        }
        P::OtherError(m) if m == "Position-only parameter separator not allowed as first parameter" && cur.kind() == T::Slash => {
            if before.iter().any(|&k| kind_at(k) == Some(T::Star)) {
                return Some(mk("/ must be ahead of *", cur.range()));
            }
            if kind_at(i + 1) == Some(T::Comma) {
                return Some(mk("at least one argument must precede /", cur.range()));
            }
            Some(mk("invalid syntax", cur.range()))
        }
        // param_maybe_default+ '/' a='*'
        P::ExpectedToken { expected: T::Comma, found: T::Star } => {
            let p = super::prev_sig(tokens, i)?;
            (kind_at(p) == Some(T::Slash) && p > first).then(|| mk("expected comma between / and *", cur.range()))
        }
        // param_no_default* a='(' param_no_default+ ','? b=')'
        P::ExpectedToken { found: T::Lpar, .. } if cur.kind() == T::Lpar => {
            if before.iter().any(|&k| kind_at(k) != Some(T::Comma)) {
                return None;
            }
            let close = super::matching_close(tokens, i)?;
            let inner = tokens.get(i + 1..close)?;
            let ok = inner.first().is_some_and(|t| t.kind() == T::Name)
                && depth0(tokens, i + 1, close, &[T::Equal, T::Star, T::DoubleStar, T::Slash, T::Lpar]).is_empty()
                && (!lambda || inner.iter().all(|t| matches!(t.kind(), T::Name | T::Comma)));
            if !ok {
                return None;
            }
            let msg =
                if lambda { "Lambda expression parameters cannot be parenthesized" } else { "Function parameters cannot be parenthesized" };
            Some(mk(msg, TextRange::new(cur.start(), tokens.get(close)?.end())))
        }
        _ => None,
    }
}

/// Annotation, named-expression and comprehension-unpacking rules for ruff's error at `loc`
/// (token `i`): `invalid_assignment`'s `only single target (not X) can be annotated` (an
/// unparenthesized tuple: at its first element) and `illegal target for annotation`,
/// `invalid_named_expression`'s `cannot use assignment expressions with X`, `invalid_kvpair`'s
/// starred dictionary value.
pub(super) fn targets(src: &str, tokens: &[Token], err: &ruff_python_parser::ParseErrorType, loc: TextRange, i: usize) -> Option<PErr> {
    use ruff_python_parser::ParseErrorType as P;
    let cur = tokens.get(i)?;
    match err {
        P::OtherError(m) if m.starts_with("Only single target (not ") && m.ends_with(") can be annotated") => {
            let msg = format!("o{}", m.get(1..)?);
            if !matches!(cur.kind(), T::Lpar | T::Lsqb) {
                let end = tokens.partition_point(|t| t.start() < loc.end());
                let comma = *depth0(tokens, i, end, &[T::Comma]).first()?;
                let last = tokens.get(super::prev_sig(tokens, comma)?)?;
                return Some(mk(&msg, TextRange::new(cur.start(), last.end())));
            }
            Some(mk(&msg, loc))
        }
        P::InvalidAnnotatedAssignmentTarget => Some(mk("illegal target for annotation", loc)),
        P::InvalidNamedAssignmentTarget => {
            let text = src.get(usize::from(loc.start())..usize::from(loc.end()))?;
            let parsed = ruff_python_parser::parse_expression(text).ok()?;
            Some(mk(&format!("cannot use assignment expressions with {}", super::expr_name(parsed.expr())), loc))
        }
        P::InvalidStarredExpressionUsage => {
            // invalid_kvpair: expression ':' a='*' bitwise_or
            let p = super::prev_sig(tokens, i)?;
            let o = super::open_bracket(tokens, i)?;
            if cur.kind() == T::Star && tokens.get(p)?.kind() == T::Colon && tokens.get(o)?.kind() == T::Lbrace {
                // RAISE_SYNTAX_ERROR_STARTING_FROM(a): up to one before the end of the token
                // read after the value (3.11-3.14, measured: `{1: *x for x in y}` ends inside
                // the `for`)
                let j = tokens.partition_point(|t| t.start() < loc.end());
                let end = match tokens.get(j) {
                    Some(n) if n.end() > n.start() && n.start() >= loc.end() => n.end() - ruff_text_size::TextSize::from(1),
                    _ => loc.end(),
                };
                return Some(mk("cannot use a starred expression in a dictionary value", TextRange::new(loc.start(), end.max(loc.end()))));
            }
            // before 3.15 `{**x` (a dict item) or `{*x` (a set element) parses, and the `:`
            // after it is the failing token
            let first_item = tokens.get(p)?.kind() == T::Lbrace || (cur.kind() == T::DoubleStar && tokens.get(p)?.kind() == T::Comma);
            if tokens.get(o)?.kind() == T::Lbrace && first_item {
                let j = tokens.partition_point(|t| t.start() < loc.end());
                if let Some(c) = tokens.get(j).filter(|t| t.kind() == T::Colon) {
                    return Some(mk("invalid syntax", c.range()));
                }
            }
            None
        }
        _ => None,
    }
}

/// Most tokens a legacy statement's operand is searched over (the rule runs only on the
/// error path; each candidate prefix is re-parsed).
const LEGACY_MAX_TOKENS: usize = 256;

/// Can `kind` start a `star_expressions` (other than `(`, excluded by `!'('`)?
fn starts_star_expressions(kind: T) -> bool {
    matches!(
        kind,
        T::Name
            | T::Int
            | T::Float
            | T::Complex
            | T::String
            | T::FStringStart
            | T::TStringStart
            | T::Lsqb
            | T::Lbrace
            | T::Minus
            | T::Plus
            | T::Tilde
            | T::Star
            | T::Not
            | T::Lambda
            | T::Await
            | T::True
            | T::False
            | T::None
            | T::Ellipsis
    ) || kind.is_soft_keyword()
}

/// The previous token that is not a comment or a blank-line NEWLINE.
fn prev_significant(tokens: &[Token], k: usize) -> Option<usize> {
    tokens.get(..k)?.iter().rposition(|t| !matches!(t.kind(), T::Comment | T::NonLogicalNewline))
}

/// Does CPython's grammar try `expression` (or `star_expressions`) at token `k`? Judged on
/// the token before it: statement starts, `=`/augmented assignment/`:=`/`->`, brackets,
/// commas, colons, and the keywords followed by an expression (`return`, `yield`, `assert`,
/// `raise`/`from`, `with`, `except`, `while`, statement `if`/`elif`, `else`, a `for`
/// statement's `in`). Not after operators or `not` (those operands are `disjunction` or
/// tighter), nor after a comprehension's `if`/`in` or a conditional expression's `if`.
fn expression_position(tokens: &[Token], k: usize) -> bool {
    let Some(p) = prev_significant(tokens, k) else {
        return true;
    };
    let Some(pt) = tokens.get(p) else {
        return false;
    };
    match pt.kind() {
        T::Newline
        | T::Indent
        | T::Dedent
        | T::Semi
        | T::Colon
        | T::Equal
        | T::ColonEqual
        | T::Rarrow
        | T::Lpar
        | T::Lsqb
        | T::Lbrace
        | T::Comma
        | T::Return
        | T::Yield
        | T::Assert
        | T::Raise
        | T::From
        | T::With
        | T::Except
        | T::While
        | T::Elif
        | T::Else => true,
        kd if kd.as_augmented_assign_operator().is_some() => true,
        T::If => stmt_start(tokens, p) == p,
        T::In => {
            let s = stmt_start(tokens, p);
            let s = if tokens.get(s).is_some_and(|t| t.kind() == T::Async) { s + 1 } else { s };
            tokens.get(s).is_some_and(|t| t.kind() == T::For) && depth0(tokens, s, p + 1, &[T::In]).first() == Some(&p)
        }
        _ => false,
    }
}

/// Is `text` one `star_expressions` (an expression statement ruff accepts)?
fn is_star_expressions(text: &str) -> bool {
    let opts = ruff_python_parser::ParseOptions::from(ruff_python_parser::Mode::Module);
    let parsed = ruff_python_parser::parse_unchecked(text, opts);
    parsed.errors().is_empty()
        && match parsed.syntax() {
            ruff_python_ast::Mod::Module(m) => {
                m.body.len() == 1 && m.body.first().is_some_and(|s| matches!(s, ruff_python_ast::Stmt::Expr(_)))
            }
            ruff_python_ast::Mod::Expression(_) => false,
        }
}

/// The token index just past the longest `star_expressions` starting at token `from` (PEG
/// is greedy), bounded by the logical line; `None` when none parses or when the operand
/// runs into the end of the source inside an open bracket (CPython's tokenizer error wins).
fn longest_star_expressions(src: &str, tokens: &[Token], from: usize) -> Option<usize> {
    let start = usize::from(tokens.get(from)?.start());
    let mut depth = 0i32;
    let mut cap = from;
    while let Some(t) = tokens.get(cap) {
        match t.kind() {
            T::Lpar | T::Lsqb | T::Lbrace => depth += 1,
            T::Rpar | T::Rsqb | T::Rbrace if depth > 0 => depth -= 1,
            T::Rpar | T::Rsqb | T::Rbrace => break,
            T::Newline | T::Semi if depth == 0 => break,
            T::Newline | T::EndOfFile => {
                if depth > 0 {
                    return None;
                }
                break;
            }
            _ => {}
        }
        cap += 1;
        if cap >= from + LEGACY_MAX_TOKENS {
            break;
        }
    }
    (from + 1..=cap).rev().find(|&e| {
        tokens.get(e - 1).is_some_and(|t| {
            !matches!(t.kind(), T::Comment | T::NonLogicalNewline) && src.get(start..usize::from(t.end())).is_some_and(is_star_expressions)
        })
    })
}

/// CPython's `invalid_legacy_expression` (`a=NAME !'(' b=star_expressions`, raised when
/// `_PyPegen_check_legacy_stmt` finds `print` or `exec`): `Missing parentheses in call to
/// 'print'. Did you mean print(...)?` on a..b. `expression` tries it (after
/// `invalid_expression`, whose forgot-a-comma alternative skips these names) wherever the
/// second pass parses an expression, so a valid `print -1` or `print [0]` in an earlier
/// statement is reported too. Candidates are the names before ruff's first error (token
/// `i`); one whose operand holds another candidate yields to it (that one is raised while
/// parsing the operand). An operand followed by `if` may first meet `invalid_expression`'s
/// `expected 'else' after 'if' expression` (`expected_else`).
pub(super) fn invalid_legacy_expression(src: &str, tokens: &[Token], i: usize) -> Option<PErr> {
    let err_stmt = stmt_start(tokens, i);
    let mut found: Option<(usize, usize)> = None;
    for (k, t) in tokens.iter().enumerate() {
        // past ruff's error only inside the operand of a candidate
        match found {
            Some((_, end)) if k >= end => break,
            None if k >= i => break,
            _ => {}
        }
        if t.kind() != T::Name {
            continue;
        }
        let name = src.get(usize::from(t.start())..usize::from(t.end())).unwrap_or("");
        if name != "print" && name != "exec" {
            continue;
        }
        // the operand of the candidate found so far starts with an expression
        let operand_start = found.is_some_and(|(f, _)| f + 1 == k);
        if !tokens.get(k + 1).is_some_and(|n| starts_star_expressions(n.kind())) || !(operand_start || expression_position(tokens, k)) {
            continue;
        }
        let s = stmt_start(tokens, k);
        if s == k
            && s < err_stmt
            && depth0(tokens, k, tokens.len(), &[T::Newline, T::Equal])
                .first()
                .is_none_or(|&x| tokens.get(x).is_none_or(|t| t.kind() != T::Newline))
        {
            // an earlier statement that is an assignment to `print[...]`: `assignment`
            // matches before `star_expressions` is tried
            continue;
        }
        if s == k && s < err_stmt {
            let nl = depth0(tokens, k, tokens.len(), &[T::Newline]).first().copied().unwrap_or(tokens.len());
            if tokens.get(k..nl).is_some_and(|ts| ts.iter().any(|t| t.kind().as_augmented_assign_operator().is_some())) {
                continue;
            }
        }
        let Some(end) = longest_star_expressions(src, tokens, k + 1) else { continue };
        found = Some((k, end));
    }
    let (k, end) = found?;
    if tokens.get(end).is_some_and(|t| t.kind() == T::If) {
        if let Some(p) = expected_else(src, tokens, k + 1, end) {
            return Some(p);
        }
    }
    let a = tokens.get(k)?;
    let b = tokens.get(end.checked_sub(1)?)?;
    let name = src.get(usize::from(a.start())..usize::from(a.end()))?;
    Some(mk(&format!("Missing parentheses in call to '{name}'. Did you mean {name}(...)?"), TextRange::new(a.start(), b.end())))
}

/// Is ruff's error at token `i` one of the forced tokens (`'try' &&':'`, `'else' &&':'`,
/// `'finally' &&':'`, `'def' NAME &&'(' ... &&':'`)? CPython raises those in its first
/// pass, before the second pass could reach any `invalid_*` rule.
pub(super) fn forced_token_error(src: &str, tokens: &[Token], i: usize, minor: PyMinor) -> bool {
    if expected_lpar(src, tokens, i, minor).is_some() {
        return true;
    }
    if expected_colon(src, tokens, i, minor).is_none() {
        return false;
    }
    let s = stmt_start(tokens, i);
    let kw = if tokens.get(s).is_some_and(|t| t.kind() == T::Async) { s + 1 } else { s };
    tokens.get(kw).is_some_and(|t| matches!(t.kind(), T::Try | T::Else | T::Finally | T::Def))
}

/// `invalid_expression`'s `a=disjunction 'if' b=disjunction !('else'|':')`, met while the
/// legacy rule parses its operand (when it does not match, the legacy error stands) `from..at` (token `at` is the `if`): `expected 'else' after
/// 'if' expression` on a..b, `a` being the operand's last element. `None` when `b` is
/// followed by `else` or `:` or is not a plain disjunction.
fn expected_else(src: &str, tokens: &[Token], from: usize, at: usize) -> Option<PErr> {
    let a = depth0(tokens, from, at, &[T::Comma]).last().map_or(from, |&c| c + 1);
    if a >= at || tokens.get(a).is_some_and(|t| matches!(t.kind(), T::Star | T::Lambda)) {
        return None;
    }
    let b0 = at + 1;
    if tokens.get(b0).is_some_and(|t| matches!(t.kind(), T::Star | T::Lambda)) {
        return None;
    }
    let end = longest_star_expressions(src, tokens, b0)?;
    // a disjunction stops at the first top-level ',' (and before a nested conditional)
    let end = depth0(tokens, b0, end, &[T::Comma, T::If]).first().copied().unwrap_or(end);
    if end <= b0 || tokens.get(end).is_some_and(|t| matches!(t.kind(), T::Else | T::Colon)) {
        return None;
    }
    let first = tokens.get(a)?;
    let last = tokens.get(end - 1)?;
    Some(mk("expected 'else' after 'if' expression", TextRange::new(first.start(), last.end())))
}

/// 3.15's `invalid_mapping_pattern`: in a `case` pattern, `{**rest, <more subpatterns>}` is
/// "double star pattern must be the last (right-most) subpattern in the mapping pattern" at the
/// rest name (3.14 and before: `invalid syntax` at the next subpattern, ruff's own error `p`).
pub(super) fn double_star_not_last(tokens: &[Token], p: &PErr) -> Option<PErr> {
    if p.msg != "invalid syntax" {
        return None;
    }
    let i = tokens.partition_point(|t| t.start() < p.range.start());
    if matches!(tokens.get(i)?.kind(), T::Rbrace) {
        return None;
    }
    let comma = super::prev_sig(tokens, i)?;
    if tokens.get(comma)?.kind() != T::Comma {
        return None;
    }
    let name = super::prev_sig(tokens, comma)?;
    let nt = tokens.get(name)?;
    if !(nt.kind() == T::Name || nt.kind().is_soft_keyword()) {
        return None;
    }
    let ds = super::prev_sig(tokens, name)?;
    if tokens.get(ds)?.kind() != T::DoubleStar {
        return None;
    }
    let o = super::open_bracket(tokens, ds)?;
    let before = super::prev_sig(tokens, ds)?;
    if tokens.get(o)?.kind() != T::Lbrace || !(before == o || tokens.get(before)?.kind() == T::Comma) {
        return None;
    }
    // the logical line (a `case` clause) starts after the last NEWLINE/INDENT/DEDENT before it
    let line_start = tokens.get(..o)?.iter().rposition(|t| matches!(t.kind(), T::Newline | T::Indent | T::Dedent)).map_or(0, |k| k + 1);
    if tokens.get(line_start)?.kind() != T::Case {
        return None;
    }
    Some(mk("double star pattern must be the last (right-most) subpattern in the mapping pattern", nt.range()))
}

/// 3.15's PEP 798 `invalid_*` alternatives, on ruff's error at token `i` (`err`'s range `loc`):
/// `'[' '**' expression for_if_clauses` (also after a primary: `a[**x for x in y]`) → `cannot
/// use dict unpacking in list comprehension`; `'(' '**' expression for_if_clauses` (a call's
/// first argument too) → `... in generator expression`, both from the `**` to the end of the
/// expression; a `**` item elsewhere in a list display → `cannot use dict unpacking here` at
/// the `**`; `*`/`**` as a dict display's key or value → `cannot use a starred expression` /
/// `dict unpacking` `in a dictionary key` / `value` over the starred expression.
pub(super) fn pep798_unpacking(
    tokens: &[Token],
    err: &ruff_python_parser::ParseErrorType,
    loc: TextRange,
    i: usize,
    minor: PyMinor,
) -> Option<PErr> {
    use ruff_python_parser::ParseErrorType as P;
    if minor < PyMinor::Py315 {
        return None;
    }
    let kind = |k: usize| tokens.get(k).map(Token::kind);
    // the end of the expression starting at token `from` and the index of the token that
    // stops it at bracket depth 0 (`for`, `async`, `,`, `:`, a closing bracket, NEWLINE)
    let expr_end = |from: usize| -> Option<(usize, usize)> {
        let mut depth = 0usize;
        let mut last = None;
        let mut k = from;
        loop {
            let t = tokens.get(k)?;
            match t.kind() {
                T::Lpar | T::Lsqb | T::Lbrace => depth += 1,
                T::Rpar | T::Rsqb | T::Rbrace if depth == 0 => return Some((last?, k)),
                T::Rpar | T::Rsqb | T::Rbrace => depth -= 1,
                T::For | T::Async | T::Comma | T::Colon | T::Newline if depth == 0 => return Some((last?, k)),
                T::Comment | T::NonLogicalNewline => {
                    k += 1;
                    continue;
                }
                _ => {}
            }
            last = Some(k);
            k += 1;
        }
    };
    // `for` ... `in` at the top level of the bracket after `stop` (`for_if_clauses` parses on)
    let comprehension_follows = |stop: usize| -> bool {
        let is_for = match kind(stop) {
            Some(T::For) => true,
            Some(T::Async) => kind(stop + 1) == Some(T::For),
            _ => false,
        };
        let f = if kind(stop) == Some(T::Async) { stop + 1 } else { stop };
        is_for && expr_end(f + 1).is_some_and(|(_, s)| tokens.get(f + 1..s).is_some_and(|ts| ts.iter().any(|t| t.kind() == T::In)))
    };
    // the node's range of the expression `from..=last`: a parenthesized expression's node
    // leaves its parentheses out
    let expr_range = |from: usize, mut last: usize| -> Option<TextRange> {
        let mut first = from;
        while kind(first) == Some(T::Lpar)
            && kind(last) == Some(T::Rpar)
            && super::open_bracket(tokens, last) == Some(first)
            && first + 1 < last
        {
            first += 1;
            last -= 1;
        }
        Some(TextRange::new(tokens.get(first)?.start(), tokens.get(last)?.end()))
    };
    match err {
        P::InvalidStarredExpressionUsage => {
            let k = i;
            let double = match kind(k)? {
                T::DoubleStar => true,
                T::Star => false,
                _ => return None,
            };
            let o = super::open_bracket(tokens, k)?;
            if kind(o)? != T::Lbrace {
                return None;
            }
            let p = super::prev_sig(tokens, k)?;
            let what = if double { "dict unpacking" } else { "a starred expression" };
            match kind(p)? {
                T::Lbrace | T::Comma => {
                    let (_, stop) = expr_end(k + 1)?;
                    (kind(stop)? == T::Colon).then(|| mk(&format!("cannot use {what} in a dictionary key"), loc))
                }
                T::Colon => Some(mk(&format!("cannot use {what} in a dictionary value"), loc)),
                _ => None,
            }
        }
        P::ExpectedExpression => {
            let k = i;
            if kind(k)? != T::DoubleStar {
                return None;
            }
            let o = super::open_bracket(tokens, k)?;
            let p = super::prev_sig(tokens, k)?;
            let (last, stop) = expr_end(k + 1)?;
            let at_open = p == o;
            match kind(o)? {
                T::Lsqb if at_open && comprehension_follows(stop) => Some(mk(
                    "cannot use dict unpacking in list comprehension",
                    TextRange::new(tokens.get(k)?.start(), expr_range(k + 1, last)?.end()),
                )),
                T::Lpar if at_open && comprehension_follows(stop) => Some(mk(
                    "cannot use dict unpacking in generator expression",
                    TextRange::new(tokens.get(k)?.start(), expr_range(k + 1, last)?.end()),
                )),
                // (a list display: not a subscript's `[`)
                T::Lsqb
                    if ((at_open && matches!(kind(stop)?, T::Comma | T::Rsqb)) || kind(p)? == T::Comma)
                        && !super::is_call_paren(tokens, o) =>
                {
                    Some(mk("cannot use dict unpacking here", tokens.get(k)?.range()))
                }
                T::Lpar
                    if ((at_open && matches!(kind(stop)?, T::Comma | T::Rpar)) || kind(p)? == T::Comma)
                        && !super::is_call_paren(tokens, o) =>
                {
                    Some(mk("cannot use dict unpacking here", tokens.get(k)?.range()))
                }
                _ => None,
            }
        }
        // a call's `(**x for x in y)`: ruff stops at the `for`
        P::ExpectedToken { found: T::For | T::Async, .. } => {
            let o = super::open_bracket(tokens, i)?;
            let k = (o + 1..i).find(|&k| !matches!(kind(k), Some(T::Comment | T::NonLogicalNewline)))?;
            if kind(o)? != T::Lpar || kind(k)? != T::DoubleStar || !super::is_call_paren(tokens, o) {
                return None;
            }
            let (last, stop) = expr_end(k + 1)?;
            if stop != i || !comprehension_follows(stop) {
                return None;
            }
            Some(mk(
                "cannot use dict unpacking in generator expression",
                TextRange::new(tokens.get(k)?.start(), expr_range(k + 1, last)?.end()),
            ))
        }
        _ => None,
    }
}
