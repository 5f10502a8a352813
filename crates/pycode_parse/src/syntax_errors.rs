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
//! mapped onto CPython's wording and location by [`parser_error`].

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
    let ruff_first = first_parser_error(src, parsed, minor);
    if ruff_first.is_none() {
        return None;
    }
    let lines = Lines::new(src);
    let scan = tokenizer::scan(src, minor);
    let perr = ruff_first.map(|p| p);
    if let Some(t) = &scan.error {
        let before = match &perr {
            None => true,
            Some(p) => t.pos <= usize::from(p.range.start()),
        };
        if before || t.direct {
            return Some(finish(&lines, t.kind, t.msg.clone(), t.lineno, t.offset, t.end_lineno, t.end_offset));
        }
    }
    let p = perr?;
    let (lineno, _) = lines.line_of(usize::from(p.range.start()));
    // A bracket left open on an earlier line than the error: `'(' was never closed`.
    if scan.error.is_none() {
        if let Some(o) = scan.open.last() {
            let at_eof = usize::from(p.range.start()) >= src.trim_end().len();
            if lineno > o.lineno || at_eof {
                return Some(finish(&lines, ErrorKind::SyntaxError, format!("'{}' was never closed", o.ch), o.lineno, o.col as i64 + 1, o.lineno, 0));
            }
        }
    }
    let start = usize::from(p.range.start());
    let end = usize::from(p.range.end());
    let offset = p.col_override.unwrap_or_else(|| lines.col1(start));
    let (end_lineno, _) = lines.line_of(end);
    let end_offset = if p.no_end { -1 } else { lines.col1(end) };
    Some(finish(&lines, p.kind, p.msg, lineno, offset, if p.no_end { lineno } else { end_lineno }, end_offset))
}

/// The first error ruff reports (syntax or unsupported-syntax), mapped to CPython.
fn first_parser_error(src: &str, parsed: &Parsed<ruff_python_ast::Mod>, minor: PyMinor) -> Option<PErr> {
    let syn = parsed.errors().first();
    let uns = parsed.unsupported_syntax_errors().first();
    let use_uns = match (syn, uns) {
        (None, None) => return None,
        (Some(s), Some(u)) => u.range.start() < s.location.start(),
        (None, Some(_)) => true,
        (Some(_), None) => false,
    };
    let tokens: &[ruff_python_ast::token::Token] = parsed.tokens();
    if use_uns {
        let u = uns?;
        return Some(generic(src, tokens, u.range.start(), minor));
    }
    let e = syn?;
    Some(parser_error(src, tokens, &e.error, e.location, minor))
}

/// The token starting at or after `at` (CPython's failing token).
fn token_at(tokens: &[ruff_python_ast::token::Token], at: TextSize) -> Option<(T, TextRange)> {
    let i = tokens.partition_point(|t| t.start() < at);
    tokens.get(i).map(|t| (t.kind(), t.range()))
}

/// `invalid syntax` pointing at the whole token at `at`.
fn generic(_src: &str, tokens: &[ruff_python_ast::token::Token], at: TextSize, _minor: PyMinor) -> PErr {
    let range = match token_at(tokens, at) {
        Some((k, r)) if !matches!(k, T::Newline | T::NonLogicalNewline | T::Dedent | T::EndOfFile) => r,
        Some((_, r)) => TextRange::new(r.start(), r.start() + TextSize::from(1)),
        None => TextRange::new(at, at + TextSize::from(1)),
    };
    PErr { kind: ErrorKind::SyntaxError, msg: "invalid syntax".into(), range, no_end: false, col_override: None }
}

/// ruff's error → CPython's message and location.
fn parser_error(src: &str, tokens: &[ruff_python_ast::token::Token], err: &ParseErrorType, loc: TextRange, minor: PyMinor) -> PErr {
    match err {
        ParseErrorType::UnexpectedIndentation => {
            let lines = Lines::new(src);
            let (_, ls) = lines.line_of(usize::from(loc.start()));
            let first = src.get(ls..).map_or(0, |l| l.len() - l.trim_start_matches([' ', '\t', '\x0c']).len());
            let width = src.get(ls..ls + first).map_or(0, |s| s.chars().count()) as i64;
            PErr { kind: ErrorKind::IndentationError, msg: "unexpected indent".into(), range: loc, no_end: true, col_override: Some(width) }
        }
        _ => generic(src, tokens, loc.start(), minor),
    }
}
