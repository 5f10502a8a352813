//! `pycode_parser`: pycode's own parser. CPython's `Grammar/python.gram`, rule for rule (same
//! rule names, alternatives in the same order), over the tokens of [`pycode_lexer`], building
//! the tree through an [`AstBuilder`] (docs/parser.md).
//!
//! Pipeline: [`pycode_parse::decode::decode_source`] (BOM, PEP 263, newlines) →
//! [`pycode_lexer::prepare`] → tokens on demand into one `Vec` (backtracking resets an index) →
//! the rules in [`parser`] → the builder.
//!
//! Status: both passes of `_PyPegen_run_parser` for 3.11 to 3.15: valid programs give CPython's
//! tree, invalid ones CPython's error from the `invalid_*` rules (docs/parser.md §6).
//!
//! # API boundary
//! Returns a tree or a typed [`ParseError`]; never panics. Deep input is an error (CPython's
//! `MAXSTACK`), never a stack overflow.

pub mod arena_builder;
pub mod builder;
pub mod grammar;
mod numbers;
pub mod parser;
mod strings;
pub mod warnings;

pub use arena_builder::ArenaBuilder;
pub use builder::{AstBuilder, TreeBuilder};
pub use grammar::Grammar;
pub use pycode_parse::{ErrorKind, ParseError};
pub use warnings::ParseWarning;

/// `ast.parse`'s `mode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Exec,
    Eval,
    Single,
    FuncType,
}

impl Mode {
    pub fn from_name(s: &str) -> Option<Mode> {
        Some(match s {
            "exec" => Mode::Exec,
            "eval" => Mode::Eval,
            "single" => Mode::Single,
            "func_type" => Mode::FuncType,
            _ => return None,
        })
    }
}

use pycode_ast::{Mod, PyMinor};
use pycode_release::Release;

/// Options of [`parse`].
#[derive(Clone, Debug)]
pub struct Options {
    pub minor: PyMinor,
    pub mode: Mode,
    /// `type_comments=True` (`PyCF_TYPE_COMMENTS`): `# type:` comments become TYPE_COMMENT /
    /// TYPE_IGNORE tokens, kept in the tree.
    pub type_comments: bool,
    /// CPython 3.12.1 (fixed in a later 3.12 patch): a format spec that ends with a replacement
    /// field gets a trailing `Constant('')`.
    pub spec_empty_tail: bool,
    /// CPython 3.13.0 (fixed in 3.13.1): a `{expr=}` debug text ends at the first top-level
    /// `!=` of the expression, as in every 3.12 (`f"{x!=y=}"` shows `x`).
    pub debug_text_cut_3_13_0: bool,
    /// CPython 3.11.2: `invalid_arguments` reports `args ',' '*'` (keyword arguments or not)
    /// over the arguments before the `*`, non-ASCII bytes literals are reported at the last
    /// token read, and null bytes are a `ValueError`.
    pub quirks_3_11_2: bool,
}

impl Options {
    /// The options of a minor release's newest patch, no type comments.
    pub fn new(minor: PyMinor, mode: Mode) -> Options {
        Options { minor, mode, type_comments: false, spec_empty_tail: false, debug_text_cut_3_13_0: false, quirks_3_11_2: false }
    }

    /// The options that parse as `release` does: its minor and the patch-level differences
    /// (3.11.2, 3.12.1, 3.13.0).
    pub fn for_release(release: Release, mode: Mode, type_comments: bool) -> Options {
        Options {
            type_comments,
            spec_empty_tail: release == Release::V3_12_1,
            debug_text_cut_3_13_0: release == Release::V3_13_0,
            quirks_3_11_2: release == Release::V3_11_2,
            ..Options::new(PyMinor::from(release), mode)
        }
    }
}

/// `ast.parse(source_bytes, mode=..., type_comments=...)` for the release `opts.minor`, as
/// `pycode_ast` trees.
pub fn parse(source: &[u8], opts: &Options) -> Result<Mod, ParseError> {
    parse_with(source, opts, TreeBuilder)
}

/// [`parse`], appending the `SyntaxWarning`s CPython's parser emits for the source
/// ([`warnings`]) to `warnings`; those emitted before a syntax error are kept too.
pub fn parse_warn(source: &[u8], opts: &Options, warnings: &mut Vec<ParseWarning>) -> Result<Mod, ParseError> {
    parse_bytes(source, opts, &mut TreeBuilder, Some(warnings))
}

/// [`parse`], as one [`pycode_ast::arena::Ast`] (node pools, ids, interned identifiers).
pub fn parse_arena(source: &[u8], opts: &Options) -> Result<pycode_ast::arena::Ast, ParseError> {
    parse_with(source, opts, ArenaBuilder::new(source.len()))
}

/// [`parse_arena`] into `ast`, whose pools are cleared and reused (their memory kept): one
/// `Ast` per worker thread, reset between files. On an error `ast` holds no tree.
pub fn parse_arena_in(source: &[u8], opts: &Options, ast: &mut pycode_ast::arena::Ast) -> Result<(), ParseError> {
    parse_arena_in_warn(source, opts, ast, None)
}

/// [`parse_arena_in`], appending the parser's `SyntaxWarning`s to `warnings` when given (as
/// [`parse_warn`] does; those emitted before a syntax error are kept too).
pub fn parse_arena_in_warn(
    source: &[u8],
    opts: &Options,
    ast: &mut pycode_ast::arena::Ast,
    warnings: Option<&mut Vec<ParseWarning>>,
) -> Result<(), ParseError> {
    let mut b = ArenaBuilder::reusing(std::mem::take(ast));
    match parse_bytes(source, opts, &mut b, warnings) {
        Ok(tree) => {
            *ast = tree;
            Ok(())
        }
        Err(e) => {
            *ast = b.into_ast();
            ast.clear();
            Err(e)
        }
    }
}

/// [`parse`] with any [`AstBuilder`].
pub fn parse_with<B: AstBuilder>(source: &[u8], opts: &Options, mut builder: B) -> Result<B::Mod, ParseError> {
    parse_bytes(source, opts, &mut builder, None)
}

fn parse_bytes<B: AstBuilder>(
    source: &[u8],
    opts: &Options,
    builder: &mut B,
    warnings: Option<&mut Vec<ParseWarning>>,
) -> Result<B::Mod, ParseError> {
    let declared = source.starts_with(b"\xef\xbb\xbf") || has_coding_cookie(source);
    let text = pycode_parse::decode::decode_source(source, opts.minor).map_err(|mut e| {
        if e.lineno == 0
            && e.raw.is_none()
            && matches!(e.kind, ErrorKind::SyntaxError | ErrorKind::UnknownEncoding)
            && (e.msg.starts_with("unknown encoding") || e.msg.starts_with("encoding problem"))
        {
            // `_PyPegen_raise_tokenizer_init_error`: (filename, 0, -1, None)
            e.raw = Some([0, -1, 0, 0]);
        }
        if opts.minor == PyMinor::Py311 && e.lineno > 0 && e.end_offset == e.offset && e.msg.starts_with("(unicode error) 'utf-8'") {
            // 3.11 decodes a string token when its run is joined and reports the error on the
            // token after the run, which starts at the offset: its end is the token's.
            e.end_offset = e.offset + next_token_width(source, e.lineno, e.offset);
        }
        if opts.quirks_3_11_2 && e.kind == ErrorKind::SyntaxError && e.msg == "source code string cannot contain null bytes" {
            // 3.11.2's `compile()` refuses them before parsing, as a `ValueError`
            e.kind = ErrorKind::ValueError;
        }
        e
    })?;
    parse_text_inner(&text, opts, builder, opts.minor == PyMinor::Py311 && !declared, warnings)
}

/// The byte width of the token at 1-based byte offset `offset` of line `lineno` (0 if it cannot
/// be lexed).
fn next_token_width(source: &[u8], lineno: u32, offset: u32) -> u32 {
    let Some(line) = source.split(|&c| c == b'\n').nth(lineno.saturating_sub(1) as usize) else { return 0 };
    let Some(rest) = line.get(offset.saturating_sub(1) as usize..) else { return 0 };
    let mut lexer = pycode_lexer::Lexer::new(rest, pycode_lexer::Config::parser(11));
    match lexer.next_token() {
        Ok(t) if t.end > t.start && t.kind != pycode_lexer::TokKind::NEWLINE => t.end - t.start,
        // a closing bracket alone on the rest of the line
        Err(_) if rest.first().is_some_and(|c| matches!(c, b')' | b']' | b'}')) => 1,
        _ => 0,
    }
}

/// A PEP 263 coding declaration on line 1 or 2 (line 2 only after a comment or blank line 1).
fn has_coding_cookie(source: &[u8]) -> bool {
    let mut lines = source.split(|&c| c == b'\n');
    let is_cookie = |l: &[u8]| {
        let t: &[u8] = {
            let k = l.iter().position(|c| !matches!(c, b' ' | b'\t' | b'\x0c')).unwrap_or(l.len());
            l.get(k..).unwrap_or_default()
        };
        t.first() == Some(&b'#') && t.windows(7).any(|w| w == b"coding:" || w == b"coding=")
    };
    let Some(first) = lines.next() else { return false };
    if is_cookie(first) {
        return true;
    }
    let blank_or_comment = {
        let t: Vec<u8> = first.iter().copied().filter(|c| !matches!(c, b' ' | b'\t' | b'\x0c' | b'\r')).collect();
        t.is_empty() || t.first() == Some(&b'#')
    };
    blank_or_comment && lines.next().is_some_and(is_cookie)
}

/// [`parse_with`] for already decoded text (newlines already `\n`).
pub fn parse_text_with<B: AstBuilder>(text: &str, opts: &Options, mut builder: B) -> Result<B::Mod, ParseError> {
    parse_text_inner(text, opts, &mut builder, false, None)
}

fn parse_text_inner<B: AstBuilder>(
    text: &str,
    opts: &Options,
    builder: &mut B,
    bytes_cols: bool,
    warnings: Option<&mut Vec<ParseWarning>>,
) -> Result<B::Mod, ParseError> {
    let exec_input = matches!(opts.mode, Mode::Exec | Mode::Single);
    let prepared = pycode_lexer::prepare(text.as_bytes(), exec_input);
    let src = match &prepared {
        // `prepare` changed nothing: the text itself, already UTF-8
        std::borrow::Cow::Borrowed(_) => text,
        std::borrow::Cow::Owned(v) => match std::str::from_utf8(v) {
            Ok(s) => s,
            Err(_) => return Err(ParseError::syntax("invalid UTF-8 after decoding")),
        },
    };
    let grammar = Grammar::new(opts.minor);
    let mut p = parser::Parser::new(src, grammar, builder);
    p.spec_empty_tail = opts.spec_empty_tail;
    p.debug_text_cut_3_13_0 = opts.debug_text_cut_3_13_0;
    p.quirks_3_11_2 = opts.quirks_3_11_2;
    p.bytes_cols = bytes_cols;
    if opts.type_comments {
        p.set_type_comments();
    }
    if prepared.len() > text.len() {
        p.implicit_nl = Some(text.len() as u32);
    }
    let result = p.run(opts.mode).map_err(|e| *e);
    if let Some(out) = warnings {
        p.string_warnings(result.is_ok(), opts.minor, out);
    }
    result
}
