//! CPython's syntax errors: which exception, where, and with which message, for a source the
//! parser rejects.
//!
//! Mirrors how CPython's PEG parser reports errors (`Parser/pegen_errors.c`,
//! `_PyPegen_set_syntax_error` and `_PyPegen_tokenize_full_source_to_check_for_errors`):
//!
//! * a tokenizer error met while the parser is still reading tokens wins;
//! * otherwise the parser's error (a specific `invalid_*` rule message, else
//!   `invalid syntax` on the token where the first pass failed) stands, unless the rest of the
//!   source holds a tokenizer error that raises an exception directly (unterminated string,
//!   invalid number, mismatched bracket, ...), which replaces it; or a bracket opened on an
//!   earlier line is never closed (`'(' was never closed`).
//!
//! Tokenizer errors come from [`tokenizer::scan`]; parser errors from ruff's first error,
//! mapped onto CPython's wording and location by `parser_error`.

mod fstring;
mod rules;
mod strings;
pub mod tokenizer;

use pycode_ast::PyMinor;
use ruff_python_ast::token::TokenKind as T;
use ruff_python_parser::{ParseErrorType, Parsed};
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::error::{ErrorKind, ParseError};

/// A parser error before it is turned into a [`ParseError`]: byte range of what it points at.
struct PErr {
    kind: ErrorKind,
    msg: String,
    range: TextRange,
    /// end_offset = -1 (CPython's RAISE_*_ERROR without an end, e.g. indentation errors).
    no_end: bool,
    /// offset = the token's column (INDENT tokens: the indentation width).
    col_override: Option<i64>,
    /// end_offset = column of the range's end + 1, on the start line (3.12+ NEWLINE tokens,
    /// which end one past their '\n').
    nl_end: bool,
}

/// Line-oriented helpers over the decoded source.
struct Lines<'s> {
    src: &'s str,
    starts: Vec<usize>,
}

impl<'s> Lines<'s> {
    fn new(src: &'s str) -> Self {
        let mut starts = vec![0];
        starts.extend(src.bytes().enumerate().filter(|&(_, b)| b == b'\n').map(|(i, _)| i + 1));
        Lines { src, starts }
    }

    /// (1-based line, line start byte) of a byte offset.
    fn line_of(&self, off: usize) -> (u32, usize) {
        let idx = self.starts.partition_point(|&s| s <= off);
        let start = idx.checked_sub(1).and_then(|i| self.starts.get(i)).copied().unwrap_or(0);
        (idx.max(1) as u32, start)
    }

    fn text(&self, line: u32) -> &'s str {
        let i = (line as usize).saturating_sub(1);
        let start = self.starts.get(i).copied().unwrap_or(self.src.len());
        let end = self.starts.get(i + 1).copied().unwrap_or(self.src.len());
        self.src.get(start..end).unwrap_or("").trim_end_matches('\n')
    }

    /// 1-based character column of a byte offset (CPython's `offset`).
    fn col1(&self, off: usize) -> i64 {
        let (_, start) = self.line_of(off);
        self.src.get(start..off).map_or((off - start) as i64, |s| s.chars().count() as i64) + 1
    }
}

fn to_u32(v: i64) -> u32 {
    v.clamp(0, u32::MAX as i64) as u32
}

fn finish(lines: &Lines<'_>, kind: ErrorKind, msg: String, lineno: u32, offset: i64, end_lineno: u32, end_offset: i64) -> ParseError {
    let mut e = ParseError::new(kind, msg);
    e.lineno = lineno;
    e.offset = to_u32(offset);
    e.end_lineno = end_lineno;
    e.end_offset = to_u32(end_offset);
    if offset <= 0 || end_offset <= 0 {
        e.raw = Some([lineno as i64, offset, end_lineno as i64, end_offset]);
    }
    e.text = Some(lines.text(lineno).to_string());
    e
}

/// The error CPython reports for `src` given ruff's parse, or `None` when ruff found no error
/// and the tokenizer scan finds none either.
pub fn report(src: &str, parsed: &Parsed<ruff_python_ast::Mod>, minor: PyMinor) -> Option<ParseError> {
    report_depth(src, parsed, minor, 0, None)
}

/// What a caller's own walk over all of ruff's tokens found, so that [`report_with`] can skip the
/// late checks of an accepted source that cannot fire (each is a further walk over the tokens).
#[derive(Clone, Copy, Debug, Default)]
pub struct TokenFacts {
    /// Some `FStringStart`/`TStringStart` token (f-string limits ruff does not check).
    pub interpolated_strings: bool,
    /// Some `class`/`def`/`type` keyword followed by a name and `[` (type parameters; 3.12 rejects defaults).
    pub generic_definitions: bool,
}

/// [`report`], given the [`TokenFacts`] of `parsed`'s tokens.
pub fn report_with(src: &str, parsed: &Parsed<ruff_python_ast::Mod>, minor: PyMinor, facts: &TokenFacts) -> Option<ParseError> {
    report_depth(src, parsed, minor, 0, Some(facts))
}

/// Nesting limit of 3.11 f-string expression sub-parses (each level is strictly shorter).
const MAX_SUB_DEPTH: u32 = 8;

fn report_depth(
    src: &str,
    parsed: &Parsed<ruff_python_ast::Mod>,
    minor: PyMinor,
    depth: u32,
    facts: Option<&TokenFacts>,
) -> Option<ParseError> {
    let ruff_first = first_parser_error(src, parsed, minor);
    if ruff_first.is_none() {
        // Accepted by ruff: the line index is built only when a late check reports something.
        let late = match minor {
            // it looks for `class`/`def`/`type` NAME `[`
            PyMinor::Py312 if facts.is_some_and(|f| !f.generic_definitions) => None,
            PyMinor::Py312 => rules::py312_type_param_default(parsed.tokens()),
            PyMinor::Py314 | PyMinor::Py315 if depth == 0 => rules::future_features(parsed.syntax()),
            _ => None,
        };
        if let Some(p) = late {
            let lines = Lines::new(src);
            let (lineno, _) = lines.line_of(usize::from(p.range.start()));
            let (end_lineno, _) = lines.line_of(usize::from(p.range.end()));
            let (a, b) = (lines.col1(usize::from(p.range.start())), lines.col1(usize::from(p.range.end())));
            return Some(finish(&lines, p.kind, p.msg, lineno, a, end_lineno, b));
        }
        // f-string limits ruff does not check (none without an f-string or t-string token)
        if facts.is_some_and(|f| !f.interpolated_strings) {
            return None;
        }
        return match fstring::check_accepted(src, parsed.tokens(), minor)? {
            fstring::Accepted::TooDeep { what, at } => {
                let lines = Lines::new(src);
                let (line, _) = lines.line_of(at);
                let col = lines.col1(at) - 1;
                Some(finish(&lines, ErrorKind::SyntaxError, format!("{what}: expressions nested too deeply"), line, col, line, col))
            }
            fstring::Accepted::SpecDecode(msg) => Some(ParseError::new(ErrorKind::UnicodeDecodeError, msg)),
            fstring::Accepted::CheckStrings => {
                let lines = Lines::new(src);
                let scan = tokenizer::scan(src, minor);
                string_run_error(src, &lines, &scan, parsed, usize::MAX, minor, depth)
            }
        };
    }
    let lines = Lines::new(src);
    let scan = tokenizer::scan(src, minor);
    if let Some(e) = fstring::spec_decode_first(src, parsed, &scan, minor) {
        return Some(e);
    }
    let perr = ruff_first;
    if let Some(t) = &scan.error {
        let before = match &perr {
            None => true,
            Some(p) => t.pos <= usize::from(p.range.start()),
        };
        if before || t.direct {
            return Some(finish(&lines, t.kind, t.msg.clone(), t.lineno, t.offset, t.end_lineno, t.end_offset));
        }
    }
    // Errors of a string run the parser reaches before its own error (a grammar action).
    if let Some(p) = &perr {
        if let Some(e) = string_run_error(src, &lines, &scan, parsed, usize::from(p.range.start()), minor, depth) {
            return Some(e);
        }
    }
    let mut p = perr?;
    if minor >= PyMinor::Py315 {
        if let Some(q) = rules::double_star_not_last(parsed.tokens(), &p) {
            p = q;
        }
    }
    let (lineno, _) = lines.line_of(usize::from(p.range.start()));
    // A bracket left open on an earlier line than the error: `'(' was never closed`.
    if scan.error.is_none() {
        if let Some(o) = scan.open.last() {
            let at_eof = usize::from(p.range.start()) >= src.trim_end().len();
            if lineno > o.lineno || at_eof {
                let msg = sub_prefix(format!("'{}' was never closed", o.ch), ErrorKind::SyntaxError, depth);
                return Some(finish(&lines, ErrorKind::SyntaxError, msg, o.lineno, o.col as i64 + 1, o.lineno, 0));
            }
        }
    }
    let start = usize::from(p.range.start());
    let end = usize::from(p.range.end());
    let offset = p.col_override.unwrap_or_else(|| lines.col1(start));
    let (end_lineno, _) = lines.line_of(end);
    let mut end_offset = if p.no_end {
        -1
    } else if p.nl_end {
        lines.col1(end) + 1
    } else {
        lines.col1(end)
    };
    if p.msg == rules::KVPAIR_MSG {
        // invalid_kvpair: RAISE_ERROR_KNOWN_LOCATION(..., a->end_col_offset - 1, ..., -1): end 0
        end_offset = 0;
    }
    let end_lineno = if p.no_end || p.nl_end { lineno } else { end_lineno };
    Some(finish(&lines, p.kind, sub_prefix(p.msg, p.kind, depth), lineno, offset, end_lineno, end_offset))
}

/// 3.11's f-string expression sub-parser (`depth` > 0, start rule `fstring_input`) prefixes
/// the errors its parser raises with `f-string: ` (`_PyPegen_raise_error_known_location`);
/// tokenizer errors and errors coming up from a deeper sub-parser keep their text.
fn sub_prefix(msg: String, kind: ErrorKind, depth: u32) -> String {
    if depth > 0 && kind == ErrorKind::SyntaxError {
        format!("f-string: {msg}")
    } else {
        msg
    }
}

/// The first error of a run of adjacent string tokens starting at or before `limit`
/// (`strings::check_run`), located as CPython does.
fn string_run_error(
    src: &str,
    lines: &Lines<'_>,
    scan: &tokenizer::Scan,
    parsed: &Parsed<ruff_python_ast::Mod>,
    limit: usize,
    minor: PyMinor,
    depth: u32,
) -> Option<ParseError> {
    let tokens = parsed.tokens();
    // ruff's errors other than escape errors, lying inside a byte range
    let other_error_in = |a: usize, b: usize| {
        use ruff_python_parser::LexicalErrorType as L;
        parsed.errors().iter().any(|e| {
            let at = usize::from(e.location.start());
            let escape = matches!(&e.error, ParseErrorType::Lexical(L::UnicodeError | L::MissingUnicodeLbrace | L::MissingUnicodeRbrace));
            !escape && at >= a && usize::from(e.location.end()) <= b
        })
    };
    let mut k = 0;
    let all = &scan.strings;
    while let Some(first) = all.get(k) {
        let n = all.get(k..)?.iter().take_while(|t| t.run == first.run).count();
        let run = all.get(k..k + n)?;
        k += n;
        // (3.12+: strings inside a replacement field come before the f-string holding them)
        if first.start > limit {
            continue;
        }
        let mut sub_err: Option<ParseError> = None;
        let mut fails = |a: usize, b: usize| -> bool {
            if depth >= MAX_SUB_DEPTH {
                return false;
            }
            let buf = format!("({})", src.get(a..b).unwrap_or(""));
            let ropts = ruff_python_parser::ParseOptions::from(ruff_python_parser::Mode::Module)
                .with_target_version(ruff_python_ast::PythonVersion::PY311);
            let parsed = ruff_python_parser::parse_unchecked(&buf, ropts);
            match report_depth(&buf, &parsed, minor, depth + 1, None) {
                Some(e) => {
                    sub_err = Some(e);
                    true
                }
                None => false,
            }
        };
        let Some(err) = strings::check_run(src, run, minor, tokens, &other_error_in, &mut fails) else {
            continue;
        };
        let last = run.last()?;
        return Some(match err {
            strings::StrErr::Msg(msg) => {
                let (l0, c0, l1, c1) = next_token_range(src, lines, tokens, last.end, last.in_brackets);
                finish(lines, ErrorKind::SyntaxError, sub_prefix(msg, ErrorKind::SyntaxError, depth), l0, c0, l1, c1)
            }
            strings::StrErr::At { msg, start, end } => {
                let ((l0, _), (l1, _)) = (lines.line_of(start), lines.line_of(end));
                finish(lines, ErrorKind::SyntaxError, msg, l0, lines.col1(start), l1, lines.col1(end))
            }
            strings::StrErr::Sub { start } => {
                let mut e = sub_err?;
                // The sub-parser's lines start at the line of the replacement field's '{';
                // its columns are those of the `(expr)` buffer.
                let (base, _) = lines.line_of(start.saturating_sub(1));
                let shift = |l: u32| if l == 0 { 0 } else { l + base - 1 };
                e.lineno = shift(e.lineno);
                e.end_lineno = shift(e.end_lineno);
                if let Some(r) = e.raw.as_mut() {
                    r[0] = shift(r[0].max(0) as u32) as i64;
                    r[2] = shift(r[2].max(0) as u32) as i64;
                }
                // (already prefixed by the sub-parser that raised it, if a parser did)
                e
            }
        });
    }
    None
}

/// Where CPython's `RAISE_SYNTAX_ERROR` inside a string action points: the token after the
/// run (the parser's last token). A NEWLINE token starts at a comment before it and has
/// no width. Returns (lineno, offset, end_lineno, end_offset), 1-based.
fn next_token_range(
    src: &str,
    lines: &Lines<'_>,
    tokens: &[ruff_python_ast::token::Token],
    from: usize,
    in_brackets: bool,
) -> (u32, i64, u32, i64) {
    let b = src.as_bytes();
    let mut i = from;
    let mut comment: Option<usize> = None;
    loop {
        match b.get(i) {
            Some(b' ' | b'\t' | b'\x0c' | b'\r') => i += 1,
            Some(b'\\') if b.get(i + 1) == Some(&b'\n') => i += 2,
            Some(b'\\') if b.get(i + 1) == Some(&b'\r') && b.get(i + 2) == Some(&b'\n') => i += 3,
            Some(b'#') => {
                comment.get_or_insert(i);
                while i < b.len() && b.get(i) != Some(&b'\n') {
                    i += 1;
                }
            }
            Some(b'\n') if in_brackets => {
                comment = None;
                i += 1;
            }
            Some(b'\n') | None => {
                let s = comment.unwrap_or(i);
                let (l0, _) = lines.line_of(s);
                let (l1, _) = lines.line_of(i);
                return (l0, lines.col1(s), l1, lines.col1(i));
            }
            Some(_) => {
                let at = TextSize::try_from(i).unwrap_or_default();
                let end = match token_at(tokens, at) {
                    Some((_, r)) if r.start() == at && r.end() > at => usize::from(r.end()),
                    _ => i + src.get(i..).and_then(|s| s.chars().next()).map_or(1, char::len_utf8),
                };
                let (l0, _) = lines.line_of(i);
                let (l1, _) = lines.line_of(end);
                return (l0, lines.col1(i), l1, lines.col1(end));
            }
        }
    }
}

/// The first error ruff reports (syntax or unsupported-syntax), mapped to CPython.
fn first_parser_error(src: &str, parsed: &Parsed<ruff_python_ast::Mod>, minor: PyMinor) -> Option<PErr> {
    let syn = fstring::first_syntax_error(parsed, minor);
    // the earliest construct the release lacks (ruff does not report them in source order)
    let uns = parsed.unsupported_syntax_errors().iter().min_by_key(|u| u.range.start());
    let use_uns = match (syn, uns) {
        (None, None) => return None,
        (Some(s), Some(u)) => u.range.start() < s.location.start(),
        (None, Some(_)) => true,
        (Some(_), None) => false,
    };
    let tokens: &[ruff_python_ast::token::Token] = parsed.tokens();
    if use_uns {
        let u = uns?;
        let i = tokens.partition_point(|t| t.start() < u.range.start());
        // a construct the release lacks fails its second pass too: an earlier legacy
        // `print`/`exec` expression is raised first
        if !rules::forced_token_error(src, tokens, i, minor) {
            if let Some(p) = rules::invalid_legacy_expression(src, tokens, i) {
                return Some(p);
            }
        }
        if let Some(p) = type_params_error(tokens, i, minor) {
            return Some(p);
        }
        if let Some(p) = rules::from_unsupported(tokens, u, i, minor) {
            return Some(p);
        }
        // 3.11 has no `type` statement: `type` is a name, the next token fails
        if minor == PyMinor::Py311 && tokens.get(i).is_some_and(|t| t.kind() == T::Type) {
            if let Some(n) = tokens.get(i + 1) {
                return Some(generic(src, tokens, n.start(), minor));
            }
        }
        return Some(generic(src, tokens, u.range.start(), minor));
    }
    let e = syn?;
    Some(parser_error(src, tokens, &e.error, e.location, minor, Some(parsed.syntax())))
}

/// The token starting at or after `at` (CPython's failing token).
fn token_at(tokens: &[ruff_python_ast::token::Token], at: TextSize) -> Option<(T, TextRange)> {
    let i = tokens.partition_point(|t| t.start() < at);
    tokens.get(i).map(|t| (t.kind(), t.range()))
}

/// `invalid syntax` pointing at the whole token at `at`.
fn generic(src: &str, tokens: &[ruff_python_ast::token::Token], at: TextSize, minor: PyMinor) -> PErr {
    let i = tokens.partition_point(|t| t.start() < at);
    if tokens.get(i).is_some_and(|t| t.kind() == T::Newline) {
        return rules::at_newline(src, tokens, i, minor, "invalid syntax");
    }
    if let Some(range) = fstring::tstring_before_314(src, tokens, i, minor) {
        return PErr {
            kind: ErrorKind::SyntaxError,
            msg: "invalid syntax".into(),
            range,
            no_end: false,
            col_override: None,
            nl_end: false,
        };
    }
    let range = match token_at(tokens, at) {
        Some((k, r)) if !matches!(k, T::Newline | T::NonLogicalNewline | T::Dedent | T::EndOfFile) => r,
        Some((_, r)) => TextRange::new(r.start(), r.start() + TextSize::from(1)),
        None => TextRange::new(at, at + TextSize::from(1)),
    };
    PErr { kind: ErrorKind::SyntaxError, msg: "invalid syntax".into(), range, no_end: false, col_override: None, nl_end: false }
}

/// ruff's error → CPython's message and location.
fn parser_error(
    src: &str,
    tokens: &[ruff_python_ast::token::Token],
    err: &ParseErrorType,
    loc: TextRange,
    minor: PyMinor,
    module: Option<&ruff_python_ast::Mod>,
) -> PErr {
    // `invalid_legacy_expression` at a `print`/`exec` before ruff's error: the second pass
    // raises it on reaching that expression, before anything at the failing token (but
    // after the first pass's forced-token errors).
    let i = tokens.partition_point(|t| t.start() < loc.start());
    if !rules::forced_token_error(src, tokens, i, minor) {
        if let Some(p) = rules::invalid_legacy_expression(src, tokens, i) {
            return p;
        }
    }
    match err {
        ParseErrorType::UnexpectedIndentation => {
            let lines = Lines::new(src);
            let (_, ls) = lines.line_of(usize::from(loc.start()));
            let first = src.get(ls..).map_or(0, |l| l.len() - l.trim_start_matches([' ', '\t', '\x0c']).len());
            let width = src.get(ls..ls + first).map_or(0, |s| s.chars().count()) as i64;
            PErr {
                kind: ErrorKind::IndentationError,
                msg: "unexpected indent".into(),
                range: loc,
                no_end: true,
                col_override: Some(width),
                nl_end: false,
            }
        }
        ParseErrorType::InvalidAssignmentTarget
        | ParseErrorType::InvalidDeleteTarget
        | ParseErrorType::InvalidAugmentedAssignmentTarget => {
            invalid_target(src, tokens, err, loc, minor, module).unwrap_or_else(|| generic(src, tokens, loc.start(), minor))
        }
        _ => {
            let i = tokens.partition_point(|t| t.start() < loc.start());
            if let Some(p) = rules::pep798_unpacking(tokens, err, loc, i, minor) {
                return p;
            }
            if let Some(p) = rules::parameters(tokens, err, i).or_else(|| rules::targets(src, tokens, err, loc, i)) {
                return p;
            }
            if minor == PyMinor::Py311 && matches!(err, ParseErrorType::InvalidArgumentUnpackingOrder) {
                // 3.11: `args ',' a='*'` at the '*'
                if let Some(t) = tokens.get(i).filter(|t| t.kind() == T::Star) {
                    return PErr {
                        kind: ErrorKind::SyntaxError,
                        msg: "iterable argument unpacking follows keyword argument unpacking".into(),
                        range: t.range(),
                        no_end: false,
                        col_override: None,
                        nl_end: false,
                    };
                }
            }
            let text = err.to_string();
            let fixed = match text.as_str() {
                "Parameter without a default cannot follow a parameter with a default" => Some(if minor >= PyMinor::Py312 {
                    "parameter without a default follows parameter with a default"
                } else {
                    "non-default argument follows default argument"
                }),
                "Expected one or more keyword parameter after `*` separator" => {
                    // invalid_parameters / invalid_lambda_parameters: '*' (',' | ')' | ':' | '**')
                    // → `named arguments must follow bare *` at the '*'
                    let i = tokens.partition_point(|t| t.start() < loc.start());
                    let star =
                        tokens.get(..=i.min(tokens.len().saturating_sub(1))).and_then(|ts| ts.iter().rev().find(|t| t.kind() == T::Star));
                    let si = star.map(|st| tokens.partition_point(|t| t.start() < st.start()));
                    let next = |k: usize| tokens.get(k).map(|t| t.kind());
                    if let (Some(st), Some(si)) = (star, si) {
                        let in_def = open_bracket(tokens, si).is_some_and(|o| {
                            let nm = prev_sig(tokens, o);
                            let df = nm.and_then(|x| prev_sig(tokens, x));
                            tokens.get(o).is_some_and(|t| t.kind() == T::Lpar)
                                && df.and_then(|x| tokens.get(x)).is_some_and(|t| t.kind() == T::Def)
                        });
                        let range = if in_def {
                            // a='*' (')' | ',' (')' | '**')): at the '*'
                            match (next(si + 1), next(si + 2)) {
                                (Some(T::Rpar), _) | (Some(T::Comma), Some(T::Rpar | T::DoubleStar)) => Some(st.range()),
                                _ => None,
                            }
                        } else {
                            // '*' (':' | ',' (':' | '**')): at the parser's last token
                            match (next(si + 1), next(si + 2)) {
                                (Some(T::Colon), _) => tokens.get(si + 1).map(|t| t.range()),
                                (Some(T::Comma), Some(T::Colon | T::DoubleStar)) => tokens.get(si + 2).map(|t| t.range()),
                                _ => None,
                            }
                        };
                        if let Some(range) = range {
                            return PErr {
                                kind: ErrorKind::SyntaxError,
                                msg: "named arguments must follow bare *".into(),
                                range,
                                no_end: false,
                                col_override: None,
                                nl_end: false,
                            };
                        }
                        // otherwise the first pass fails on the token after the '*'
                        if let Some(n) = tokens.get(si + 1) {
                            return generic(src, tokens, n.start(), minor);
                        }
                    }
                    None
                }
                "Only one '/' separator allowed" => Some("/ may appear only once"),
                "'/' parameter must appear before '*' parameter" => Some("/ must be ahead of *"),
                "Position-only parameter separator not allowed as first parameter" => Some("at least one argument must precede /"),
                "Parameter cannot follow var-keyword parameter" => Some("arguments cannot follow var-keyword argument"),
                "Only one '*' parameter allowed" => Some("* argument may appear only once"),
                "Only one '**' parameter allowed" => Some("arguments cannot follow var-keyword argument"),
                "Positional patterns cannot follow keyword patterns" => Some("positional patterns follow keyword patterns"),
                "Expected one or more exception types" => Some("expected one or more exception types"),
                "Parameter with '*' or '**' cannot have default value" => None,
                _ => None,
            };
            if let Some(m) = fixed {
                let i = tokens.partition_point(|t| t.start() < loc.start());
                if minor == PyMinor::Py311 && matches!(err, ParseErrorType::NonDefaultParamAfterDefaultParam) && slash_before(tokens, i) {
                    // 3.11's invalid_parameters has no alternative after '/': the first
                    // pass fails on the token after the parameter.
                    if let Some(n) = tokens.get(i + 1) {
                        return generic(src, tokens, n.start(), minor);
                    }
                }
                let mut g = generic(src, tokens, loc.start(), minor);
                g.msg = m.into();
                return g;
            }
            if let Some(rest) = text.strip_prefix("Expected an indented block after ") {
                return expected_indented_block(src, tokens, rest, loc);
            }
            {
                let i = tokens.partition_point(|t| t.start() < loc.start());
                if let Some(p) = rules::expected_colon(src, tokens, i, minor)
                    .or_else(|| rules::expected_lpar(src, tokens, i, minor))
                    .or_else(|| rules::from_syntax_error(src, tokens, err, loc, i, minor))
                    .or_else(|| rules::except_as_target(src, tokens, i, minor))
                    .or_else(|| module.and_then(|m| rules::try_without_handlers(src, tokens, loc, m)))
                {
                    return p;
                }
            }
            if matches!(err, ParseErrorType::UnparenthesizedTupleExpression) {
                // the first pass stops at the tuple's first ','
                let i = tokens.partition_point(|t| t.start() < loc.start());
                if open_bracket(tokens, i).is_some() {
                    // (inside brackets other rules decide)
                } else if let Some(c) = first_at_depth0(tokens, i, &[T::Comma, T::Newline]) {
                    if tokens.get(c).is_some_and(|t| t.kind() == T::Comma) {
                        return generic(src, tokens, tokens.get(c).map_or(loc.start(), |t| t.start()), minor);
                    }
                }
            }
            if let Some(p) = invalid_arguments(tokens, err, loc, minor) {
                return p;
            }
            if let Some(p) = invalid_token_rules(tokens, loc, minor, module) {
                return p;
            }
            if minor >= PyMinor::Py312 {
                if let Some(p) = invalid_import(tokens, loc) {
                    return p;
                }
            }
            if minor >= PyMinor::Py313 && matches!(err, ParseErrorType::ExpectedToken { expected: T::Else, .. }) {
                if let Some(p) = invalid_for_if_clause(tokens, loc) {
                    return p;
                }
            }
            if let Some(m) = module {
                if let Some(p) = invalid_expression(src, tokens, err, loc, m) {
                    return p;
                }
            }
            if let Some(p) = fstring::replacement_field_error(src, tokens, loc, minor) {
                return p;
            }
            if let Some(p) = rules::star_operand(tokens, tokens.partition_point(|t| t.start() < loc.start()), minor) {
                return p;
            }
            generic(src, tokens, loc.start(), minor)
        }
    }
}

/// 3.13+ `invalid_for_if_clause`: `'for' (bitwise_or (',' bitwise_or)* [',']) !'in'` →
/// `'in' expected after for-loop variables` at the token after the targets (an `if`).
fn invalid_for_if_clause(tokens: &[ruff_python_ast::token::Token], loc: TextRange) -> Option<PErr> {
    let i = tokens.partition_point(|t| t.start() < loc.start());
    let o = open_bracket(tokens, i)?;
    // the last depth-0 `for` between the bracket and the error
    let mut depth = 0i32;
    let mut for_at = None;
    for (k, t) in tokens.get(o + 1..i)?.iter().enumerate() {
        match t.kind() {
            T::Lpar | T::Lsqb | T::Lbrace => depth += 1,
            T::Rpar | T::Rsqb | T::Rbrace => depth -= 1,
            T::For if depth == 0 => for_at = Some(o + 1 + k),
            _ => {}
        }
    }
    let f = for_at?;
    let mut depth = 0i32;
    for t in tokens.get(f + 1..i)? {
        match t.kind() {
            T::Lpar | T::Lsqb | T::Lbrace => depth += 1,
            T::Rpar | T::Rsqb | T::Rbrace => depth -= 1,
            T::In | T::Lambda | T::Colon | T::Equal | T::ColonEqual => return None,
            T::If if depth == 0 => {
                return Some(PErr {
                    kind: ErrorKind::SyntaxError,
                    msg: "'in' expected after for-loop variables".into(),
                    range: t.range(),
                    no_end: false,
                    col_override: None,
                    nl_end: false,
                })
            }
            _ => {}
        }
    }
    None
}

/// The first token of `kinds` at bracket depth 0 from index `from` (None past an unmatched closer).
fn first_at_depth0(tokens: &[ruff_python_ast::token::Token], from: usize, kinds: &[T]) -> Option<usize> {
    let mut depth = 0i32;
    for (k, t) in tokens.get(from..)?.iter().enumerate() {
        if depth == 0 && kinds.contains(&t.kind()) {
            return Some(from + k);
        }
        match t.kind() {
            T::Lpar | T::Lsqb | T::Lbrace => depth += 1,
            T::Rpar | T::Rsqb | T::Rbrace => {
                depth -= 1;
                if depth < 0 {
                    return None;
                }
            }
            _ => {}
        }
    }
    None
}

/// A '/' separator earlier in the parameter list holding token `i`, with a default between
/// it and `i`.
fn slash_before(tokens: &[ruff_python_ast::token::Token], i: usize) -> bool {
    let mut depth = 0i32;
    let mut default = false;
    for t in tokens.get(..i).unwrap_or(&[]).iter().rev() {
        match t.kind() {
            T::Rpar | T::Rsqb | T::Rbrace => depth += 1,
            T::Lpar | T::Lsqb | T::Lbrace if depth > 0 => depth -= 1,
            T::Lpar | T::Lsqb | T::Lbrace | T::Newline | T::Lambda | T::Colon => return false,
            T::Slash if depth == 0 => return default,
            T::Equal if depth == 0 => default = true,
            _ => {}
        }
    }
    false
}

/// Index of the bracket closing the one at `o`.
fn matching_close(tokens: &[ruff_python_ast::token::Token], o: usize) -> Option<usize> {
    let mut depth = 0i32;
    for (k, t) in tokens.get(o..)?.iter().enumerate() {
        match t.kind() {
            T::Lpar | T::Lsqb | T::Lbrace => depth += 1,
            T::Rpar | T::Rsqb | T::Rbrace => {
                depth -= 1;
                if depth == 0 {
                    return Some(o + k);
                }
            }
            _ => {}
        }
    }
    None
}

/// CPython's `invalid_arguments` (`_PyPegen_arguments_parsing_error`: `positional argument
/// follows keyword argument [unpacking]` at the parser's last token, the call's `)`), and
/// `iterable argument unpacking follows keyword argument unpacking` (3.12+: from the `,` before
/// the starred arguments to the last of them; 3.11: `args ',' '*'` at the `*`).
fn invalid_arguments(tokens: &[ruff_python_ast::token::Token], err: &ParseErrorType, loc: TextRange, minor: PyMinor) -> Option<PErr> {
    let mk = |msg: &str, range: TextRange| PErr {
        kind: ErrorKind::SyntaxError,
        msg: msg.into(),
        range,
        no_end: false,
        col_override: None,
        nl_end: false,
    };
    let mut i = tokens.partition_point(|t| t.start() < loc.start());
    // ruff's range of a parenthesized argument excludes its parentheses
    while i > 0 && tokens.get(i - 1).is_some_and(|t| t.kind() == T::Lpar) && !is_call_paren(tokens, i - 1) {
        i -= 1;
    }
    let o = open_bracket(tokens, i)?;
    if tokens.get(o)?.kind() != T::Lpar || !is_call_paren(tokens, o) {
        return None;
    }
    // a keyword argument or `**` unpacking at depth 0 before the error
    let mut depth = 0i32;
    let (mut kw, mut kwunpack) = (false, false);
    for t in tokens.get(o + 1..i)? {
        match t.kind() {
            T::Lpar | T::Lsqb | T::Lbrace => depth += 1,
            T::Rpar | T::Rsqb | T::Rbrace => depth -= 1,
            T::Equal if depth == 0 => kw = true,
            T::DoubleStar if depth == 0 => kwunpack = true,
            _ => {}
        }
    }
    match err {
        ParseErrorType::PositionalAfterKeywordArgument | ParseErrorType::PositionalAfterKeywordUnpacking => {
            let c = matching_close(tokens, o)?;
            let close = tokens.get(c)?;
            let msg = if matches!(err, ParseErrorType::PositionalAfterKeywordUnpacking) {
                "positional argument follows keyword argument unpacking"
            } else {
                "positional argument follows keyword argument"
            };
            Some(mk(msg, close.range()))
        }
        ParseErrorType::InvalidArgumentUnpackingOrder if minor >= PyMinor::Py312 => {
            let comma = tokens.get(prev_sig(tokens, i)?)?;
            if comma.kind() != T::Comma || tokens.get(i)?.kind() != T::Star {
                return None;
            }
            // extend over `, *expr` items
            let c = matching_close(tokens, o)?;
            let mut depth = 0i32;
            let mut end = None;
            let mut k = i;
            while k < c {
                let t = tokens.get(k)?;
                match t.kind() {
                    T::Lpar | T::Lsqb | T::Lbrace => depth += 1,
                    T::Rpar | T::Rsqb | T::Rbrace => depth -= 1,
                    T::Comma if depth == 0 => {
                        if tokens.get(k + 1).is_some_and(|n| n.kind() == T::Star) {
                            k += 1;
                            continue;
                        }
                        break;
                    }
                    T::Equal if depth == 0 => return None,
                    _ => {}
                }
                end = Some(t.end());
                k += 1;
            }
            Some(mk("iterable argument unpacking follows keyword argument unpacking", TextRange::new(comma.start(), end?)))
        }
        _ if minor == PyMinor::Py311 && (kw || kwunpack) => {
            // `args ',' '*'` with nothing starred after the '*'
            let st = prev_sig(tokens, i)?;
            let cm = prev_sig(tokens, st)?;
            if tokens.get(st)?.kind() == T::Star
                && tokens.get(cm)?.kind() == T::Comma
                && matches!(tokens.get(i)?.kind(), T::Rpar | T::Colon | T::Comma)
            {
                return Some(mk("iterable argument unpacking follows keyword argument unpacking", tokens.get(st)?.range()));
            }
            None
        }
        _ => None,
    }
}

/// Index of the innermost bracket still open before token `i` (scanning from `from`).
fn open_bracket(tokens: &[ruff_python_ast::token::Token], i: usize) -> Option<usize> {
    let mut stack: Vec<usize> = Vec::new();
    for (k, t) in tokens.get(..i)?.iter().enumerate() {
        match t.kind() {
            T::Lpar | T::Lsqb | T::Lbrace => stack.push(k),
            T::Rpar | T::Rsqb | T::Rbrace => {
                stack.pop();
            }
            T::Newline => stack.clear(),
            _ => {}
        }
    }
    stack.last().copied()
}

/// The previous significant token index before `i`.
fn prev_sig(tokens: &[ruff_python_ast::token::Token], i: usize) -> Option<usize> {
    tokens.get(..i)?.iter().rposition(|t| !matches!(t.kind(), T::Comment | T::NonLogicalNewline))
}

/// Is the `(` at index `k` a call's (or a class's bases') parenthesis?
fn is_call_paren(tokens: &[ruff_python_ast::token::Token], k: usize) -> bool {
    prev_sig(tokens, k).and_then(|p| tokens.get(p)).is_some_and(|t| {
        matches!(t.kind(), T::Name | T::Rpar | T::Rsqb | T::String | T::FStringEnd | T::TStringEnd) || t.kind().is_soft_keyword()
    })
}

/// Several `invalid_*` rules of CPython's grammar recognised on the tokens around ruff's error:
/// `invalid_named_expression` (`a=NAME '=' b=bitwise_or !('='|':=')` → `invalid syntax. Maybe
/// you meant '==' or ':=' instead of '='?` on a..b), `invalid_kwarg` (`a=NAME b='='
/// expression for_if_clauses` → the same message on a..b; 3.12+ `a=NAME b='=' &(','|')')` →
/// `expected argument value expression`), `invalid_default` (`a='=' &(')'|',')` → `expected
/// default value expression`), `invalid_comprehension` (`('['|'{') a=star_named_expression ','
/// b=star_named_expressions for_if_clauses` → `did you forget parentheses around the
/// comprehension target?`), and `def NAME` followed by a type-parameter list the release does not
/// accept (`&&'('` → `expected '('`; 3.13+ `invalid_type_params` for `[]`).
fn invalid_token_rules(
    tokens: &[ruff_python_ast::token::Token],
    loc: TextRange,
    minor: PyMinor,
    module: Option<&ruff_python_ast::Mod>,
) -> Option<PErr> {
    let mk = |msg: &str, range: TextRange| PErr {
        kind: ErrorKind::SyntaxError,
        msg: msg.into(),
        range,
        no_end: false,
        col_override: None,
        nl_end: false,
    };
    let i = tokens.partition_point(|t| t.start() < loc.start());
    let cur = tokens.get(i)?;
    // def NAME [ ... ] with an unsupported type-parameter list
    if let Some(p) = type_params_error(tokens, i, minor) {
        return Some(p);
    }
    let ob = open_bracket(tokens, i);
    // `*x:` in a subscript: the first pass fails at the ':' after the starred expression
    if cur.kind() == T::Star && ob.and_then(|o| tokens.get(o)).is_some_and(|t| t.kind() == T::Lsqb) {
        if let Some(c) = first_at_depth0(tokens, i + 1, &[T::Colon, T::Comma, T::Rsqb, T::Newline]) {
            if tokens.get(c)?.kind() == T::Colon {
                return Some(mk("invalid syntax", tokens.get(c)?.range()));
            }
        }
    }
    // invalid_double_starred_kvpairs: expression a=':' &('}'|',')
    if matches!(cur.kind(), T::Rbrace | T::Comma) {
        if let Some(c) = prev_sig(tokens, i).and_then(|k| tokens.get(k)) {
            if c.kind() == T::Colon && ob.and_then(|o| tokens.get(o)).is_some_and(|t| t.kind() == T::Lbrace) {
                return Some(mk("expression expected after dictionary key and ':'", c.range()));
            }
        }
    }
    // invalid_import_from_targets: import_from_as_names ',' NEWLINE
    if cur.kind() == T::Comma && ob.is_none() {
        if let Some(nl) = tokens.get(i + 1).filter(|t| t.kind() == T::Newline) {
            let stmt = tokens
                .get(..i)?
                .iter()
                .rposition(|t| matches!(t.kind(), T::Newline | T::Semi | T::Indent | T::Dedent))
                .map_or(0, |k| k + 1);
            let line = tokens.get(stmt..i)?;
            if line.first().is_some_and(|t| t.kind() == T::From) && line.iter().any(|t| t.kind() == T::Import) {
                let mut e = mk("trailing comma not allowed without surrounding parentheses", TextRange::new(nl.start(), nl.start()));
                e.nl_end = minor >= PyMinor::Py312;
                return Some(e);
            }
        }
    }
    match cur.kind() {
        // NAME '=' <error at '='>  in a named_expression context
        T::Equal => {
            let n = prev_sig(tokens, i)?;
            let m = module?;
            use ruff_python_ast::visitor::source_order::SourceOrderVisitor;
            use ruff_python_ast::Expr as E;
            let mut all = AllExprs { out: Vec::new() };
            match m {
                ruff_python_ast::Mod::Module(mm) => {
                    for st in &mm.body {
                        all.visit_stmt(st);
                    }
                }
                ruff_python_ast::Mod::Expression(e) => all.visit_expr(&e.body),
            }
            let bitwise_or = |e: &&&ruff_python_ast::Expr| {
                !matches!(
                    e,
                    E::Compare(_)
                        | E::BoolOp(_)
                        | E::If(_)
                        | E::Lambda(_)
                        | E::Named(_)
                        | E::Starred(_)
                        | E::Yield(_)
                        | E::YieldFrom(_)
                        | E::Tuple(_)
                ) && !matches!(e, E::UnaryOp(u) if u.op == ruff_python_ast::UnaryOp::Not)
                    && !matches!(e, E::Generator(g) if !g.parenthesized)
            };
            // a = the bitwise_or before '=' (the longest ending at the previous token)
            let prev_end = tokens.get(n)?.end();
            let a = all.out.iter().filter(|e| e.end() == prev_end).filter(bitwise_or).min_by_key(|e| e.start())?;
            let a_tok = tokens.partition_point(|t| t.start() < a.start());
            let before = prev_sig(tokens, a_tok).and_then(|k| tokens.get(k).map(|t| (k, t.kind())));
            let ctx = match before {
                Some((_, T::If | T::Elif | T::While)) => true,
                Some((k, T::Lsqb | T::Lbrace)) => Some(k) == ob,
                Some((k, T::Lpar)) => Some(k) == ob && !is_call_paren(tokens, k),
                Some((_, T::Comma)) => ob.is_some_and(|o| {
                    tokens
                        .get(o)
                        .is_some_and(|t| matches!(t.kind(), T::Lsqb | T::Lbrace) || (t.kind() == T::Lpar && !is_call_paren(tokens, o)))
                }),
                _ => false,
            };
            if !ctx {
                return None;
            }
            // b = the bitwise_or after '=': the longest such expression starting there
            let nx = tokens.get(i + 1)?;
            let b = all.out.iter().filter(|e| e.start() == nx.start()).filter(bitwise_or).max_by_key(|e| e.end())?;
            // !('=' | ':=')
            let after = tokens.partition_point(|t| t.start() < b.end());
            if tokens.get(after).is_some_and(|t| matches!(t.kind(), T::Equal | T::ColonEqual)) {
                return None;
            }
            if let E::Name(_) = a {
                return Some(mk("invalid syntax. Maybe you meant '==' or ':=' instead of '='?", TextRange::new(a.start(), b.end())));
            }
            // !(list|tuple|genexp|'True'|'None'|'False') a=bitwise_or b='=' bitwise_or
            if matches!(a, E::List(_) | E::Tuple(_) | E::Generator(_) | E::NoneLiteral(_) | E::BooleanLiteral(_)) {
                return None;
            }
            Some(mk(&format!("cannot assign to {} here. Maybe you meant '==' instead of '='?", expr_name(a)), a.range()))
        }
        // '=' <error at ',' or ')'>
        T::Comma | T::Rpar => {
            let e = prev_sig(tokens, i)?;
            if tokens.get(e)?.kind() != T::Equal {
                return None;
            }
            let eq = tokens.get(e)?;
            // a def's or lambda's parameters?
            let mut k = e;
            let mut depth = 0i32;
            let in_params = loop {
                let Some(nk) = k.checked_sub(1) else { break false };
                k = nk;
                let t = tokens.get(k)?;
                match t.kind() {
                    T::Rpar | T::Rsqb | T::Rbrace => depth += 1,
                    T::Lpar | T::Lsqb | T::Lbrace if depth > 0 => depth -= 1,
                    T::Lpar => {
                        let nm = prev_sig(tokens, k);
                        let dk = nm.and_then(|x| prev_sig(tokens, x));
                        break nm.and_then(|x| tokens.get(x)).is_some_and(|t| t.kind() == T::Name)
                            && dk.and_then(|x| tokens.get(x)).is_some_and(|t| t.kind() == T::Def);
                    }
                    T::Lsqb | T::Lbrace => break false,
                    T::Lambda if depth == 0 => break true,
                    T::Newline | T::Semi if depth == 0 => break false,
                    _ => {}
                }
            };
            if in_params {
                return Some(mk("expected default value expression", eq.range()));
            }
            if minor >= PyMinor::Py312 {
                let n = prev_sig(tokens, e)?;
                let name = tokens.get(n)?;
                let o = ob?;
                if name.kind() == T::Name
                    && tokens.get(o).is_some_and(|t| t.kind() == T::Lpar)
                    && is_call_paren(tokens, o)
                    && prev_sig(tokens, n).is_some_and(|p| p == o || tokens.get(p).is_some_and(|t| t.kind() == T::Comma))
                {
                    return Some(mk("expected argument value expression", TextRange::new(name.start(), eq.end())));
                }
            }
            None
        }
        T::For | T::Async => {
            let o = ob?;
            let open = tokens.get(o)?;
            let toks = tokens.get(o + 1..i)?;
            if open.kind() == T::Lpar {
                // call argument `NAME '=' expression for_if_clauses` (invalid_kwarg)
                if !is_call_paren(tokens, o) {
                    return None;
                }
                return kwarg_genexp(tokens, o, i, mk);
            }
            let mut depth = 0i32;
            let mut commas: Vec<usize> = Vec::new();
            for (k, t) in toks.iter().enumerate() {
                match t.kind() {
                    T::Lpar | T::Lsqb | T::Lbrace => depth += 1,
                    T::Rpar | T::Rsqb | T::Rbrace => depth -= 1,
                    T::Comma if depth == 0 => commas.push(k),
                    T::Colon | T::Equal | T::Lambda | T::For | T::Yield if depth == 0 => return None,
                    _ => {}
                }
            }
            if !matches!(open.kind(), T::Lsqb | T::Lbrace) || commas.is_empty() {
                return None;
            }
            let first = toks.iter().find(|t| !matches!(t.kind(), T::Comment | T::NonLogicalNewline))?;
            let sig: Vec<&ruff_python_ast::token::Token> =
                toks.iter().filter(|t| !matches!(t.kind(), T::Comment | T::NonLogicalNewline)).collect();
            let last = *sig.last()?;
            let end = if last.kind() == T::Comma {
                if commas.len() == 1 {
                    last.end()
                } else {
                    sig.get(sig.len().checked_sub(2)?)?.end()
                }
            } else {
                last.end()
            };
            Some(mk("did you forget parentheses around the comprehension target?", TextRange::new(first.start(), end)))
        }
        _ => None,
    }
}

/// `invalid_kwarg`: `a=NAME b='=' expression for_if_clauses` inside call parentheses at `o`,
/// `for` at `i`.
fn kwarg_genexp(tokens: &[ruff_python_ast::token::Token], o: usize, i: usize, mk: impl Fn(&str, TextRange) -> PErr) -> Option<PErr> {
    // the argument starts after the last depth-0 comma (or the parenthesis)
    let mut depth = 0i32;
    let mut start = o + 1;
    for (k, t) in tokens.get(o + 1..i)?.iter().enumerate() {
        match t.kind() {
            T::Lpar | T::Lsqb | T::Lbrace => depth += 1,
            T::Rpar | T::Rsqb | T::Rbrace => depth -= 1,
            T::Comma if depth == 0 => start = o + 1 + k + 1,
            _ => {}
        }
    }
    let name = tokens.get(start)?;
    let eq = tokens.get(start + 1)?;
    if name.kind() != T::Name || eq.kind() != T::Equal || start + 2 >= i {
        return None;
    }
    Some(mk("invalid syntax. Maybe you meant '==' or ':=' instead of '='?", TextRange::new(name.start(), eq.end())))
}

/// `'def' NAME [type_params] &&'('` when the release rejects the list in brackets: 3.11 has no
/// type parameters, 3.12 no defaults (`expected '('` at the `[`); 3.13+ report an empty list
/// (`Type parameter list cannot be empty`, at the `]`).
fn type_params_error(tokens: &[ruff_python_ast::token::Token], i: usize, minor: PyMinor) -> Option<PErr> {
    // find `def NAME [` before or at i on the same logical line
    let lb = tokens.get(..=i.min(tokens.len().checked_sub(1)?))?.iter().rposition(|t| t.kind() == T::Lsqb)?;
    let nm = prev_sig(tokens, lb)?;
    let df = prev_sig(tokens, nm)?;
    if tokens.get(nm)?.kind() != T::Name || tokens.get(df)?.kind() != T::Def {
        // 3.13+ invalid_type_params is also reached from `class NAME [` and `type NAME [`
        let other = matches!(tokens.get(df)?.kind(), T::Class | T::Type);
        let empty = tokens.get(lb + 1).is_some_and(|t| t.kind() == T::Rsqb);
        if minor >= PyMinor::Py313 && other && empty && tokens.get(nm)?.kind() == T::Name {
            let rs = tokens.get(lb + 1)?;
            if rs.start() <= tokens.get(i)?.start() {
                // RAISE_SYNTAX_ERROR_STARTING_FROM: the end is the tokenizer's position, past the
                // last token read (a `type` statement has read the token after the `]`), as a
                // 0-based column
                let mut end = rs.start();
                if tokens.get(df)?.kind() == T::Type {
                    if let Some(n) = tokens.get(lb + 2) {
                        end = n.end().checked_sub(TextSize::from(1)).unwrap_or(end).max(end);
                    }
                }
                return Some(rules::mk("Type parameter list cannot be empty", TextRange::new(rs.start(), end)));
            }
        }
        return None;
    }
    if tokens.get(lb + 1..=i)?.iter().any(|t| t.kind() == T::Newline) {
        return None;
    }
    let lsqb = tokens.get(lb)?;
    let empty = tokens.get(lb + 1).is_some_and(|t| t.kind() == T::Rsqb);
    let expected = |r: TextRange| PErr {
        kind: ErrorKind::SyntaxError,
        msg: "expected '('".into(),
        range: r,
        no_end: false,
        col_override: None,
        nl_end: false,
    };
    match minor {
        PyMinor::Py311 => Some(expected(lsqb.range())),
        PyMinor::Py312 => {
            // a '=' at bracket depth 1 (a default) before the closing ']'
            let mut depth = 0i32;
            let mut has_default = false;
            for t in tokens.get(lb..)? {
                match t.kind() {
                    T::Lpar | T::Lsqb | T::Lbrace => depth += 1,
                    T::Rpar | T::Rsqb | T::Rbrace => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    T::Equal if depth == 1 => has_default = true,
                    T::Newline => break,
                    _ => {}
                }
            }
            (empty || has_default).then(|| expected(lsqb.range()))
        }
        _ => {
            let rs = tokens.get(lb + 1)?;
            (empty && rs.start() <= tokens.get(i)?.start()).then(|| PErr {
                kind: ErrorKind::SyntaxError,
                msg: "Type parameter list cannot be empty".into(),
                range: TextRange::new(rs.start(), rs.start()),
                no_end: false,
                col_override: None,
                nl_end: false,
            })
        }
    }
}

/// 3.12+ `invalid_import`: `a='import' ','.dotted_name+ 'from' dotted_name` →
/// `Did you mean to use 'from ... import ...' instead?` from `import` to the end of the last
/// token the parser fetched (the one after the dotted name).
fn invalid_import(tokens: &[ruff_python_ast::token::Token], loc: TextRange) -> Option<PErr> {
    let i = tokens.partition_point(|t| t.start() < loc.start());
    if tokens.get(i)?.kind() != T::From {
        return None;
    }
    // walk back over `dotted_name (',' dotted_name)*` to `import`
    let mut j = i;
    let mut want_name = true;
    loop {
        j = j.checked_sub(1)?;
        let k = tokens.get(j)?.kind();
        match (want_name, k) {
            (true, T::Name) => want_name = false,
            (false, T::Dot | T::Comma) => want_name = true,
            (false, T::Import) => break,
            _ => return None,
        }
    }
    let import = tokens.get(j)?;
    // statement start: `import` follows a newline, indent, dedent, ';' or ':' (or nothing)
    if j > 0
        && !matches!(tokens.get(j - 1)?.kind(), T::Newline | T::Indent | T::Dedent | T::Semi | T::Colon | T::NonLogicalNewline | T::Comment)
    {
        return None;
    }
    let mut k = i + 1;
    if tokens.get(k)?.kind() != T::Name {
        return None;
    }
    k += 1;
    while tokens.get(k).is_some_and(|t| t.kind() == T::Dot) && tokens.get(k + 1).is_some_and(|t| t.kind() == T::Name) {
        k += 2;
    }
    if tokens.get(k).is_some_and(|t| t.kind() == T::Dot) {
        k += 1;
    }
    let last = tokens.get(k)?;
    // CPython's end_col_offset of that token; a NEWLINE spans its '\n'.
    let end = if last.range().is_empty() { last.start() } else { last.end() - TextSize::from(1) };
    Some(PErr {
        kind: ErrorKind::SyntaxError,
        msg: "Did you mean to use 'from ... import ...' instead?".into(),
        range: TextRange::new(import.start(), end.max(import.start())),
        no_end: false,
        col_override: None,
        nl_end: false,
    })
}

/// Every expression of the tree (only walked on the error path).
struct AllExprs<'a> {
    out: Vec<&'a ruff_python_ast::Expr>,
}

impl<'a> ruff_python_ast::visitor::source_order::SourceOrderVisitor<'a> for AllExprs<'a> {
    fn visit_expr(&mut self, expr: &'a ruff_python_ast::Expr) {
        self.out.push(expr);
        ruff_python_ast::visitor::source_order::walk_expr(self, expr);
    }
}

/// Two alternatives of CPython's `invalid_expression` rule:
/// `a=disjunction 'if' b=disjunction !('else'|':')` → `expected 'else' after 'if' expression`
/// on a..b, and `!(NAME STRING | SOFT_KEYWORD) a=disjunction b=expression_without_invalid`
/// inside brackets → `invalid syntax. Perhaps you forgot a comma?` on a..b.
fn invalid_expression(
    src: &str,
    tokens: &[ruff_python_ast::token::Token],
    err: &ParseErrorType,
    loc: TextRange,
    module: &ruff_python_ast::Mod,
) -> Option<PErr> {
    use ruff_python_ast::visitor::source_order::SourceOrderVisitor;
    use ruff_python_ast::Expr as E;
    let mut all = AllExprs { out: Vec::new() };
    match module {
        ruff_python_ast::Mod::Module(m) => {
            for st in &m.body {
                all.visit_stmt(st);
            }
        }
        ruff_python_ast::Mod::Expression(e) => all.visit_expr(&e.body),
    }
    let at = loc.start();
    let mk = |msg: &str, range: TextRange| PErr {
        kind: ErrorKind::SyntaxError,
        msg: msg.into(),
        range,
        no_end: false,
        col_override: None,
        nl_end: false,
    };
    if let ParseErrorType::ExpectedToken { expected: T::Else, .. } = err {
        let best = all
            .out
            .iter()
            .filter_map(|e| match e {
                E::If(i) if i.test.end() <= at && i.orelse.start() >= at => Some(i),
                _ => None,
            })
            .max_by_key(|i| i.test.end())?;
        // !('else' | ':')
        if token_at(tokens, best.test.end()).is_some_and(|(k, _)| k == T::Colon) {
            return None;
        }
        return Some(mk("expected 'else' after 'if' expression", TextRange::new(best.body.start(), best.test.end())));
    }
    // Perhaps you forgot a comma?
    let i = tokens.partition_point(|t| t.start() < at);
    let cur = tokens.get(i)?;
    let prev = tokens.get(..i)?.iter().rev().find(|t| !matches!(t.kind(), T::Comment | T::NonLogicalNewline))?;
    let starts_expr = matches!(
        cur.kind(),
        T::Name
            | T::Int
            | T::Float
            | T::Complex
            | T::String
            | T::FStringStart
            | T::TStringStart
            | T::Lbrace
            | T::Lambda
            | T::Not
            | T::Await
            | T::True
            | T::False
            | T::None
            | T::Ellipsis
            | T::Tilde
    ) || cur.kind().is_soft_keyword();
    if !starts_expr {
        return None;
    }
    // the innermost open bracket before `cur`
    let mut stack: Vec<TextSize> = Vec::new();
    for t in tokens.get(..i)? {
        match t.kind() {
            T::Lpar | T::Lsqb | T::Lbrace => stack.push(t.start()),
            T::Rpar | T::Rsqb | T::Rbrace => {
                stack.pop();
            }
            _ => {}
        }
    }
    let open = *stack.last()?;
    let a = all.out.iter().filter(|e| e.end() == prev.end() && e.start() > open).min_by_key(|e| e.start())?;
    let b = all.out.iter().filter(|e| e.start() == cur.start()).max_by_key(|e| e.end())?;
    // Adjacent tokens (`123_a`) are a tokenizer error in CPython; a `b` running into the end
    // of the source inside brackets meets the tokenizer's EOF first (`'(' was never closed`).
    if cur.start() == prev.end() {
        return None;
    }
    let rest = src.get(usize::from(b.end())..).unwrap_or("");
    if rest.lines().all(|l| {
        let l = l.trim_start();
        l.is_empty() || l.starts_with('#')
    }) {
        return None;
    }
    // !(NAME STRING | SOFT_KEYWORD)
    let j = tokens.partition_point(|t| t.start() < a.start());
    let first = tokens.get(j)?;
    if first.kind().is_soft_keyword() {
        return None;
    }
    if first.kind() == T::Name && tokens.get(j + 1).is_some_and(|t| matches!(t.kind(), T::String | T::FStringStart)) {
        return None;
    }
    if matches!(a, E::If(_)) {
        return None;
    }
    Some(mk("invalid syntax. Perhaps you forgot a comma?", TextRange::new(a.start(), b.end())))
}

/// `expected an indented block after 'if' statement on line N` (IndentationError) on the token
/// where the block should start.
fn expected_indented_block(src: &str, tokens: &[ruff_python_ast::token::Token], what: &str, loc: TextRange) -> PErr {
    let (kw, label): (&[T], String) = match what {
        "`if` statement" => (&[T::If], "'if' statement".into()),
        "`elif` clause" => (&[T::Elif], "'elif' statement".into()),
        "`else` clause" => (&[T::Else], "'else' statement".into()),
        "`for` statement" => (&[T::For], "'for' statement".into()),
        "`while` statement" => (&[T::While], "'while' statement".into()),
        "`with` statement" => (&[T::With], "'with' statement".into()),
        "`try` statement" => (&[T::Try], "'try' statement".into()),
        "`except` clause" => (&[T::Except], "'except' statement".into()),
        "`finally` clause" => (&[T::Finally], "'finally' statement".into()),
        "`match` statement" => (&[T::Match], "'match' statement".into()),
        "`case` block" => (&[T::Case], "'case' statement".into()),
        "function definition" => (&[T::Def], "function definition".into()),
        "`class` definition" => (&[T::Class], "class definition".into()),
        _ => (&[], String::new()),
    };
    let i = tokens.partition_point(|t| t.start() < loc.start());
    let head_at = tokens.get(..i).and_then(|ts| ts.iter().rposition(|t| kw.contains(&t.kind())));
    let head = head_at.and_then(|k| tokens.get(k));
    let label = if kw == [T::Except] && head_at.and_then(|k| tokens.get(k + 1)).is_some_and(|t| t.kind() == T::Star) {
        "'except*' statement".to_string()
    } else {
        label
    };
    let mut g = generic(src, tokens, loc.start(), PyMinor::Py311);
    if let Some(h) = head {
        let lines = Lines::new(src);
        let (line, _) = lines.line_of(usize::from(h.start()));
        // `except` / `finally` / `else` of a try statement are reported as in CPython's rules
        g.msg = format!("expected an indented block after {label} on line {line}");
        g.kind = ErrorKind::IndentationError;
        if kw == [T::Case] {
            // invalid_case_block uses RAISE_INDENTATION_ERROR: the next token's line, offset 0,
            // no end.
            if let Some(n) = tokens.get(i..).and_then(|ts| {
                ts.iter().find(|t| !matches!(t.kind(), T::Newline | T::NonLogicalNewline | T::Comment | T::Indent | T::Dedent))
            }) {
                g.range = TextRange::new(n.start(), n.start());
                g.col_override = Some(0);
                g.no_end = true;
            }
        }
    }
    g
}

/// CPython's `_PyPegen_get_expr_name`.
fn expr_name(e: &ruff_python_ast::Expr) -> &'static str {
    use ruff_python_ast::Expr as E;
    match e {
        E::Attribute(_) => "attribute",
        E::Subscript(_) => "subscript",
        E::Starred(_) => "starred",
        E::Name(_) => "name",
        E::List(_) => "list",
        E::Tuple(_) => "tuple",
        E::Lambda(_) => "lambda",
        E::Call(_) => "function call",
        E::BoolOp(_) | E::BinOp(_) | E::UnaryOp(_) => "expression",
        E::Generator(_) => "generator expression",
        E::Yield(_) | E::YieldFrom(_) => "yield expression",
        E::Await(_) => "await expression",
        E::ListComp(_) => "list comprehension",
        E::SetComp(_) => "set comprehension",
        E::DictComp(_) => "dict comprehension",
        E::Dict(_) => "dict literal",
        E::Set(_) => "set display",
        E::FString(_) | E::TString(_) => "f-string expression",
        E::StringLiteral(_) | E::BytesLiteral(_) | E::NumberLiteral(_) => "literal",
        E::BooleanLiteral(b) => {
            if b.value {
                "True"
            } else {
                "False"
            }
        }
        E::NoneLiteral(_) => "None",
        E::EllipsisLiteral(_) => "ellipsis",
        E::Compare(_) => "comparison",
        E::If(_) => "conditional expression",
        E::Named(_) => "named expression",
        _ => "expression",
    }
}

/// Finds the expression with exactly `range` and the statement holding it.
struct Finder<'a> {
    range: TextRange,
    found: Option<&'a ruff_python_ast::Expr>,
    stmt: Option<&'a ruff_python_ast::Stmt>,
    cur_stmt: Option<&'a ruff_python_ast::Stmt>,
}

impl<'a> ruff_python_ast::visitor::source_order::SourceOrderVisitor<'a> for Finder<'a> {
    fn enter_node(&mut self, node: ruff_python_ast::AnyNodeRef<'a>) -> ruff_python_ast::visitor::source_order::TraversalSignal {
        use ruff_python_ast::visitor::source_order::TraversalSignal;
        if self.found.is_some() || !node.range().contains_range(self.range) {
            return TraversalSignal::Skip;
        }
        if let Some(s) = node.as_stmt_ref() {
            let _ = s;
        }
        TraversalSignal::Traverse
    }

    fn visit_stmt(&mut self, stmt: &'a ruff_python_ast::Stmt) {
        if self.found.is_some() || !stmt.range().contains_range(self.range) {
            return;
        }
        let saved = self.cur_stmt;
        self.cur_stmt = Some(stmt);
        ruff_python_ast::visitor::source_order::walk_stmt(self, stmt);
        self.cur_stmt = saved;
    }

    fn visit_expr(&mut self, expr: &'a ruff_python_ast::Expr) {
        if self.found.is_some() {
            return;
        }
        if expr.range() == self.range {
            self.found = Some(expr);
            self.stmt = self.cur_stmt;
            return;
        }
        if expr.range().contains_range(self.range) {
            ruff_python_ast::visitor::source_order::walk_expr(self, expr);
        }
    }
}

/// `cannot assign to X` / `cannot delete X` / `'X' is an illegal expression for augmented
/// assignment`, and the `... here. Maybe you meant '==' instead of '='?` form of
/// `invalid_named_expression`.
fn invalid_target(
    src: &str,
    tokens: &[ruff_python_ast::token::Token],
    err: &ParseErrorType,
    loc: TextRange,
    minor: PyMinor,
    module: Option<&ruff_python_ast::Mod>,
) -> Option<PErr> {
    use ruff_python_ast::visitor::source_order::SourceOrderVisitor;
    use ruff_python_ast::{Expr as E, Stmt as S};
    let module = module?;
    let body = match module {
        ruff_python_ast::Mod::Module(m) => &m.body,
        ruff_python_ast::Mod::Expression(_) => return None,
    };
    let mut f = Finder { range: loc, found: None, stmt: None, cur_stmt: None };
    for st in body {
        f.visit_stmt(st);
    }
    let e = f.found?;
    if let (Some(S::For(fr)), E::Compare(c)) = (f.stmt, e) {
        // invalid_for_target: `_PyPegen_get_invalid_target` of a comparison not starting with
        // `in` is NULL, so no rule fires: the first pass failed at the operator.
        if fr.target.range() == loc && c.ops.first() != Some(&ruff_python_ast::CmpOp::In) {
            let k = tokens.partition_point(|t| t.start() < c.left.end());
            return Some(generic(src, tokens, tokens.get(k)?.start(), minor));
        }
    }
    let name = expr_name(e);
    let _ = (src, tokens, minor);
    // a parenthesized yield is an atom (a bitwise_or for invalid_named_expression); a bare one
    // is `(star_targets '=')* a=yield_expr '='`
    let is_yield = matches!(e, E::Yield(_) | E::YieldFrom(_));
    let paren_yield = is_yield && {
        let j = tokens.partition_point(|t| t.start() < loc.start());
        j > 0 && tokens.get(j - 1).is_some_and(|t| t.kind() == T::Lpar) && token_at(tokens, loc.end()).is_some_and(|(k, _)| k == T::Rpar)
    };
    let msg = match err {
        ParseErrorType::InvalidDeleteTarget => format!("cannot delete {name}"),
        ParseErrorType::InvalidAugmentedAssignmentTarget => format!("'{name}' is an illegal expression for augmented assignment"),
        _ => {
            let here = match f.stmt {
                Some(S::Assign(a)) => {
                    a.targets.len() == 1
                        && a.targets[0].range() == loc
                        && !matches!(
                            e,
                            E::List(_)
                                | E::Tuple(_)
                                | E::Generator(_)
                                | E::BooleanLiteral(_)
                                | E::NoneLiteral(_)
                                | E::Lambda(_)
                                | E::If(_)
                                | E::BoolOp(_)
                                | E::Compare(_)
                                | E::Named(_)
                                | E::Starred(_)
                        )
                        && (!is_yield || paren_yield)
                        && !matches!(e, E::UnaryOp(u) if u.op == ruff_python_ast::UnaryOp::Not)
                        && !matches!(
                            &*a.value,
                            E::Tuple(t) if !t.parenthesized
                        )
                        && !matches!(
                            &*a.value,
                            E::Lambda(_)
                                | E::If(_)
                                | E::BoolOp(_)
                                | E::Compare(_)
                                | E::Yield(_)
                                | E::YieldFrom(_)
                                | E::Named(_)
                                | E::Starred(_)
                        )
                        && !matches!(&*a.value, E::UnaryOp(u) if u.op == ruff_python_ast::UnaryOp::Not)
                }
                _ => false,
            };
            if here {
                format!("cannot assign to {name} here. Maybe you meant '==' instead of '='?")
            } else if is_yield && !paren_yield && matches!(err, ParseErrorType::InvalidAssignmentTarget) {
                "assignment to yield expression not possible".to_string()
            } else {
                format!("cannot assign to {name}")
            }
        }
    };
    Some(PErr { kind: ErrorKind::SyntaxError, msg, range: loc, no_end: false, col_override: None, nl_end: false })
}

/// What `python -m py_compile FILE` of `minor` writes to stderr for `e` (`py_compile.main`:
/// `PyCompileError.msg`): `traceback.format_exception_only` for a plain `SyntaxError`,
/// `Sorry: <Class>: <str(exc)>` for its subclasses (IndentationError, TabError) and other
/// exceptions (3.11's ValueError for null bytes). `filename` is the path as given.
pub fn format_py_compile(e: &ParseError, filename: &str, minor: PyMinor) -> String {
    pycode_ast::pyerr::py_compile_error_msg(&e.to_failure(filename), filename, minor)
}

/// What 3.11.2 reports differently from 3.11.7 (whose behaviour the parser follows for 3.11),
/// applied to an error found for `src` (decoded text): `compile()` refuses null bytes with a
/// `ValueError`, and `iterable argument unpacking follows keyword argument unpacking` is placed
/// on the arguments before the `, *` (3.11.2's `a=args ',' '*'` rule) instead of the `*`.
pub fn adjust_for_3_11_2(src: &str, mut e: ParseError) -> ParseError {
    if e.kind == ErrorKind::SyntaxError && e.msg == "source code string cannot contain null bytes" {
        e.kind = ErrorKind::ValueError;
        return e;
    }
    const MSG: &str = "iterable argument unpacking follows keyword argument unpacking";
    // 3.11.2's rule also fires without keyword arguments (`f(x, *)`), where 3.11.7 reports
    // `invalid syntax` at the token after the `*`.
    let retry = e.msg == "invalid syntax";
    if e.msg != MSG && !retry {
        return e;
    }
    let lines = Lines::new(src);
    let Some(&line_start) = lines.starts.get((e.lineno as usize).saturating_sub(1)) else { return e };
    // the `*` token (or the one after it): the character column of `offset` on its line
    let Some(line) = src.get(line_start..) else { return e };
    let Some((at, _)) = line.char_indices().nth((e.offset as usize).saturating_sub(1)) else { return e };
    let at = line_start + at;
    let parsed = ruff_python_parser::parse_unchecked(src, ruff_python_parser::ParseOptions::from(ruff_python_parser::Mode::Module));
    let tokens = parsed.tokens();
    let mut i = tokens.partition_point(|t| usize::from(t.start()) < at);
    if retry {
        match prev_sig(tokens, i) {
            Some(k) if tokens.get(k).map(|t| t.kind()) == Some(T::Star) => i = k,
            _ => return e,
        }
        let is_call = open_bracket(tokens, i).is_some_and(|o| tokens.get(o).map(|t| t.kind()) == Some(T::Lpar) && is_call_paren(tokens, o));
        if !is_call {
            return e;
        }
    }
    if tokens.get(i).map(|t| t.kind()) != Some(T::Star) {
        return e;
    }
    let (Some(comma), Some(o)) = (prev_sig(tokens, i), open_bracket(tokens, i)) else { return e };
    let (Some(last), Some(first)) = (prev_sig(tokens, comma).and_then(|k| tokens.get(k)), tokens.get(o + 1)) else { return e };
    if tokens.get(comma).map(|t| t.kind()) != Some(T::Comma) || usize::from(first.start()) > usize::from(last.start()) {
        return e;
    }
    let (s, en) = (usize::from(first.start()), usize::from(last.end()));
    let (l1, _) = lines.line_of(s);
    let (l2, _) = lines.line_of(en);
    finish(&lines, e.kind, MSG.into(), l1, lines.col1(s), l2, lines.col1(en))
}
