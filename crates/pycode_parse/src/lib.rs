//! `pycode_parse`: source bytes → CPython-shaped AST ([`pycode_ast::Mod`]) for a given release.
//!
//! Pipeline: [`decode::decode_source`] (PEP 263, BOM, universal newlines) → `ruff_python_parser`
//! (with the release as target version, so version-gated syntax is rejected) → one conversion pass
//! ([`convert`]) → type comments ([`typecomments`]) when requested, as `ast.parse(..., type_comments=True)`.
//!
//! # API boundary
//! Returns `Ok(tree)` or a typed [`ParseError`]; never panics, never prints.

#[rustfmt::skip] // generated (do not edit)
mod codec_tables;
pub mod codecs;
pub mod convert;
pub mod decode;
pub mod error;
pub mod strings;
pub mod syntax_errors;
pub mod typecomments;
pub mod warnings;

pub use error::{ErrorKind, ParseError};
pub use pycode_ast::PyMinor;

use pycode_ast as a;
use ruff_python_ast::PythonVersion;
use ruff_python_parser::{Mode as RMode, ParseOptions as ROptions};
use ruff_text_size::{Ranged, TextRange, TextSize};

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

/// Options of [`parse`].
#[derive(Clone, Debug)]
pub struct Options {
    pub minor: PyMinor,
    pub mode: Mode,
    /// `type_comments=True`.
    pub type_comments: bool,
    /// CPython 3.12.1 (fixed in a later 3.12 patch): a format spec that ends with a replacement
    /// field gets a trailing `Constant('')` (from the end of that field to the spec's end).
    pub spec_empty_tail: bool,
    /// CPython 3.13.0 (fixed in 3.13.1): a `{expr=}` debug field's text ends at the first
    /// top-level `!=` of the expression, as in every 3.12 (`f"{x!=y=}"` shows `x`).
    pub debug_text_cut_3_13_0: bool,
}

impl Options {
    /// The options that parse as `release` does: its minor, and the patch-level quirks the
    /// parser follows (3.12.1's [`Options::spec_empty_tail`], 3.13.0's
    /// [`Options::debug_text_cut_3_13_0`]).
    pub fn for_release(release: pycode_release::Release, mode: Mode, type_comments: bool) -> Options {
        use pycode_release::Release;
        Options {
            minor: PyMinor::from(release),
            mode,
            type_comments,
            spec_empty_tail: release == Release::V3_12_1,
            debug_text_cut_3_13_0: release == Release::V3_13_0,
        }
    }
}

/// Maximum nesting of brackets, as CPython's tokenizer (`MAXLEVEL`).
const MAXLEVEL: usize = 200;
/// Maximum indentation depth, as CPython's tokenizer (`MAXINDENT`).
const MAXINDENT: usize = 100;
/// Maximum f-string nesting (3.12+), as CPython's tokenizer (`MAXFSTRINGLEVEL`).
const MAXFSTRINGLEVEL: usize = 150;

/// Stack reserved for the parse; deep but legal inputs need more than a default thread has.
const STACK_SIZE: usize = 512 << 20;

/// `ast.parse(source_bytes, mode=..., type_comments=...)` for the release `opts.minor`.
pub fn parse(source: &[u8], opts: &Options) -> Result<a::Mod, ParseError> {
    let text = decode::decode_source(source, opts.minor)?;
    parse_text(&text, opts)
}

/// Like [`parse`] for already decoded text (newlines must already be `\n`).
pub fn parse_text(text: &str, opts: &Options) -> Result<a::Mod, ParseError> {
    // Deep input: ruff's parser and our converter grow the stack on demand (`stacker`).
    let tree = parse_inner(text, opts, None).map_err(|e| reword(e, opts.minor))?;
    if opts.minor >= PyMinor::Py314 {
        future_check(&tree, text)?;
    }
    Ok(tree)
}

/// Messages 3.15 words differently from 3.11–3.14 (same error, same position): the
/// definition-side `argument`s became `parameter`s, `double starred expression` became
/// `dict unpacking`.
const REWORDED_3_15: [(&str, &str); 7] = [
    ("at least one argument must precede /", "at least one parameter must precede /"),
    ("var-positional argument cannot have default value", "var-positional parameter cannot have default value"),
    ("var-keyword argument cannot have default value", "var-keyword parameter cannot have default value"),
    ("arguments cannot follow var-keyword argument", "parameters cannot follow var-keyword parameter"),
    ("* argument may appear only once", "* may appear only once"),
    ("named arguments must follow bare *", "named parameters must follow bare *"),
    ("cannot use double starred expression here", "cannot use dict unpacking here"),
];

/// The release's wording of a parser error (see [`REWORDED_3_15`]).
fn reword(mut e: ParseError, minor: PyMinor) -> ParseError {
    if minor >= PyMinor::Py315 {
        if let Some((_, new)) = REWORDED_3_15.iter().find(|(old, _)| e.msg == *old) {
            e.msg = (*new).to_owned();
        }
    }
    e
}

/// The `__future__` features of `Python/future.c` (3.14 checks them in `ast.parse` too).
const FUTURE_FEATURES: [&str; 10] = [
    "nested_scopes",
    "generators",
    "division",
    "absolute_import",
    "with_statement",
    "print_function",
    "unicode_literals",
    "barry_as_FLUFL",
    "generator_stop",
    "annotations",
];

/// Mirrors `future_parse` / `future_check_features` (`Python/future.c`), which 3.14 runs for
/// `ast.parse` as well: the `from __future__ import` statements at the start of the module
/// (after a docstring) must name known features; `braces` is "not a chance".
fn future_check(tree: &a::Mod, text: &str) -> Result<(), ParseError> {
    let body = match tree {
        a::Mod::Module { body, .. } | a::Mod::Interactive { body } => body,
        _ => return Ok(()),
    };
    let docstring = matches!(body.first().map(|s| &s.kind), Some(a::StmtKind::Expr { value })
        if matches!(&value.kind, a::ExprKind::Constant { value: a::Constant::Str(_), .. }));
    for stmt in body.iter().skip(usize::from(docstring)) {
        let a::StmtKind::ImportFrom { module: Some(m), names, level: 0, .. } = &stmt.kind else { break };
        if &**m != "__future__" {
            break;
        }
        for alias in names {
            if FUTURE_FEATURES.contains(&&*alias.name) {
                continue;
            }
            let msg =
                if &*alias.name == "braces" { "not a chance".to_string() } else { format!("future feature {} is not defined", alias.name) };
            let mut e = ParseError::syntax(msg);
            let p = alias.pos;
            e.lineno = p.lineno;
            e.end_lineno = p.end_lineno;
            e.offset = p.col_offset + 1;
            e.end_offset = p.end_col_offset + 1;
            e.text = text.lines().nth((p.lineno as usize).saturating_sub(1)).map(|l| format!("{l}\n"));
            return Err(e);
        }
    }
    Ok(())
}

/// [`parse`], appending the `SyntaxWarning`s CPython's parser emits for the source
/// ([`warnings`]; reported for sources that parse) to `warnings`.
pub fn parse_warn(source: &[u8], opts: &Options, warnings: &mut Vec<warnings::ParseWarning>) -> Result<a::Mod, ParseError> {
    let text = decode::decode_source(source, opts.minor)?;
    let tree = parse_inner(&text, opts, Some(warnings)).map_err(|e| reword(e, opts.minor))?;
    if opts.minor >= PyMinor::Py314 {
        future_check(&tree, &text)?;
    }
    Ok(tree)
}

/// Drops ruff's tree; a deeply nested one is dropped on a large stack segment, since dropping
/// nested boxes recurses.
fn drop_parsed<T>(parsed: T, depth: u32) {
    if depth > 500 {
        stacker::grow(STACK_SIZE, move || drop(parsed));
    } else {
        drop(parsed);
    }
}

fn target_version(minor: PyMinor) -> PythonVersion {
    match minor {
        PyMinor::Py311 => PythonVersion::PY311,
        PyMinor::Py312 => PythonVersion::PY312,
        PyMinor::Py313 => PythonVersion::PY313,
        PyMinor::Py314 => PythonVersion::PY314,
        PyMinor::Py315 => PythonVersion::PY315,
    }
}

fn parse_inner(text: &str, opts: &Options, warnings: Option<&mut Vec<warnings::ParseWarning>>) -> Result<a::Mod, ParseError> {
    if opts.mode == Mode::FuncType {
        return parse_func_type(text, opts);
    }
    let rmode = match opts.mode {
        Mode::Eval => RMode::Expression,
        _ => RMode::Module,
    };
    let ropts = ROptions::from(rmode).with_target_version(target_version(opts.minor));
    let parsed = ruff_python_parser::parse_unchecked(text, ropts);
    let mut conv = convert::Converter::new(text, opts.minor);
    conv.spec_empty_tail = opts.spec_empty_tail;
    conv.debug_text_cut_3_13_0 = opts.debug_text_cut_3_13_0;
    let result = convert_parsed(&parsed, &mut conv, text, opts);
    if let Some(w) = warnings {
        match &result {
            Ok(_) => warnings::string_warnings(text, parsed.tokens(), opts.minor, w),
            // the first pass emitted the warnings of the strings it tokenized before failing:
            // those up to the token where the first error is found
            Err(_) => {
                let first = parsed
                    .errors()
                    .iter()
                    .map(|e| e.location.start())
                    .chain(parsed.unsupported_syntax_errors().iter().map(|u| u.range.start()))
                    .min();
                if let Some(at) = first {
                    let tokens = parsed.tokens();
                    let k = tokens.partition_point(|t| t.start() <= at);
                    warnings::string_warnings(text, tokens.get(..k).unwrap_or(&[]), opts.minor, w);
                }
            }
        }
    }
    let depth = if result.is_err() { u32::MAX } else { conv.max_depth };
    drop_parsed(parsed, depth);
    result
}

fn convert_parsed(
    parsed: &ruff_python_parser::Parsed<ruff_python_ast::Mod>,
    conv: &mut convert::Converter<'_>,
    text: &str,
    opts: &Options,
) -> Result<a::Mod, ParseError> {
    let facts = check_tokens(conv, parsed.tokens())?;
    if let Some(err) = syntax_errors::report_with(text, parsed, opts.minor, &facts) {
        return Err(err);
    }
    match parsed.syntax() {
        ruff_python_ast::Mod::Expression(e) => {
            let body = conv.expr(&e.body).map_err(|e| *e)?;
            Ok(a::Mod::Expression { body: Box::new(body) })
        }
        ruff_python_ast::Mod::Module(m) => {
            let mut body = conv.stmts(&m.body).map_err(|e| *e)?;
            let mut type_ignores = Vec::new();
            if opts.type_comments {
                type_ignores = typecomments::apply(conv, parsed.tokens(), &mut body)?;
            }
            if opts.mode == Mode::Single {
                check_single(conv, &m.body)?;
                return Ok(a::Mod::Interactive { body });
            }
            Ok(a::Mod::Module { body, type_ignores })
        }
    }
}

/// Token-level limits of CPython's tokenizer that ruff does not have (`Parser/tokenizer.c`):
/// bracket nesting (`MAXLEVEL`, f-string replacement fields count), indentation depth
/// (`MAXINDENT`) and, from 3.12, f-string nesting (`MAXFSTRINGLEVEL`). The same walk gathers the
/// [`syntax_errors::TokenFacts`] that let the syntax-error pass skip its own walks.
fn check_tokens(conv: &convert::Converter<'_>, tokens: &[ruff_python_ast::token::Token]) -> Result<syntax_errors::TokenFacts, ParseError> {
    use ruff_python_ast::token::TokenKind as T;
    let mut level = 0usize;
    let mut indent = 0usize;
    let mut fstrings = 0usize;
    let mut facts = syntax_errors::TokenFacts::default();
    for (k, t) in tokens.iter().enumerate() {
        match t.kind() {
            T::Lpar | T::Lsqb | T::Lbrace => {
                // CPython checks before pushing: the 201st open bracket is the error.
                if level >= MAXLEVEL {
                    return Err(conv.err_at(t.start(), "too many nested parentheses"));
                }
                level += 1;
            }
            T::Rpar | T::Rsqb | T::Rbrace => level = level.saturating_sub(1),
            T::Indent => {
                if indent + 1 >= MAXINDENT {
                    let mut e = conv.err_at(t.start(), "too many levels of indentation");
                    e.kind = ErrorKind::IndentationError;
                    e.offset = 1;
                    e.end_offset = 0;
                    e.raw = Some([e.lineno as i64, 1, e.lineno as i64, 0]);
                    return Err(e);
                }
                indent += 1;
            }
            T::Dedent => indent = indent.saturating_sub(1),
            T::FStringStart | T::TStringStart => {
                facts.interpolated_strings = true;
                if conv.minor >= PyMinor::Py312 {
                    // Reported after the opening quote has been read.
                    if fstrings + 1 >= MAXFSTRINGLEVEL {
                        let at = t.end().checked_sub(TextSize::from(1)).unwrap_or(t.start());
                        return Err(conv.err_at(at, "too many nested f-strings"));
                    }
                    fstrings += 1;
                }
            }
            T::FStringEnd | T::TStringEnd => fstrings = fstrings.saturating_sub(1),
            T::Class | T::Def | T::Type
                if tokens.get(k + 1).is_some_and(|n| n.kind() == T::Name) && tokens.get(k + 2).is_some_and(|n| n.kind() == T::Lsqb) =>
            {
                facts.generic_definitions = true;
            }
            _ => {}
        }
    }
    Ok(facts)
}

/// `single` mode accepts one statement (or several `;`-separated simple statements on one line).
fn check_single(conv: &convert::Converter<'_>, body: &[ruff_python_ast::Stmt]) -> Result<(), ParseError> {
    if body.len() > 1 {
        let first_line = conv.loc(body[0].start()).0;
        let first_compound = !matches!(
            body[0],
            ruff_python_ast::Stmt::Expr(_)
                | ruff_python_ast::Stmt::Assign(_)
                | ruff_python_ast::Stmt::AugAssign(_)
                | ruff_python_ast::Stmt::AnnAssign(_)
                | ruff_python_ast::Stmt::Pass(_)
                | ruff_python_ast::Stmt::Break(_)
                | ruff_python_ast::Stmt::Continue(_)
                | ruff_python_ast::Stmt::Return(_)
                | ruff_python_ast::Stmt::Raise(_)
                | ruff_python_ast::Stmt::Global(_)
                | ruff_python_ast::Stmt::Nonlocal(_)
                | ruff_python_ast::Stmt::Import(_)
                | ruff_python_ast::Stmt::ImportFrom(_)
                | ruff_python_ast::Stmt::Assert(_)
                | ruff_python_ast::Stmt::Delete(_)
                | ruff_python_ast::Stmt::TypeAlias(_)
        );
        for s in &body[1..] {
            if first_compound || conv.loc(s.start()).0 != first_line {
                return Err(conv.err_at(s.start(), "multiple statements found while compiling a single statement"));
            }
        }
    }
    Ok(())
}

/// `func_type` mode: `(argtypes) -> returns`.
fn parse_func_type(text: &str, opts: &Options) -> Result<a::Mod, ParseError> {
    use ruff_python_ast::token::TokenKind as T;
    // `func_type: '(' [type_expressions] ')' '->' expression NEWLINE* ENDMARKER`. The top-level
    // `->` (found with the lexer of a module parse) is replaced by `, ` and the `*` / `**` of
    // `type_expressions` by spaces — the same number of bytes, so every position stays where it
    // was — and the text is parsed once as an `eval` expression: a two-element tuple (argument
    // group, return type).
    let conv = convert::Converter::new(text, opts.minor);
    let probe = ruff_python_parser::parse_unchecked(text, ROptions::from(RMode::Module).with_target_version(target_version(opts.minor)));
    let significant = |k: T| !matches!(k, T::Comment | T::NonLogicalNewline | T::Newline | T::Indent | T::Dedent | T::EndOfFile);
    let toks: Vec<(T, TextRange)> = probe.tokens().iter().filter(|t| significant(t.kind())).map(|t| (t.kind(), t.range())).collect();
    let invalid = |r: TextRange| {
        let mut e = conv.err_at(r.start(), "invalid syntax");
        // The token's width in characters (a newline token counts one).
        let width = text.get(usize::from(r.start())..usize::from(r.end())).map_or(0, |t| t.chars().count());
        e.end_offset = e.offset + width as u32;
        e
    };
    let at_end = TextRange::empty(TextSize::from(text.len() as u32));
    // The argument group: `(` first, its matching `)` right before a top-level `->`.
    let Some(&(T::Lpar, first)) = toks.first() else {
        return Err(invalid(toks.first().map_or(at_end, |t| t.1)));
    };
    let mut depth = 0i32;
    let mut close = None;
    for (i, &(k, _)) in toks.iter().enumerate() {
        match k {
            T::Lpar | T::Lsqb | T::Lbrace => depth += 1,
            T::Rpar | T::Rsqb | T::Rbrace => depth -= 1,
            _ => {}
        }
        if depth == 0 {
            close = Some(i);
            break;
        }
    }
    let Some(close) = close else {
        // Unclosed: the eval parse of the text reports it as CPython does ("'(' was never closed").
        let sub = Options { mode: Mode::Eval, type_comments: false, ..opts.clone() };
        return Err(parse_inner(text, &sub, None).err().unwrap_or_else(|| invalid(first)));
    };
    match toks.get(close + 1) {
        Some(&(T::Rarrow, _)) => {}
        Some(&(_, r)) => return Err(invalid(r)),
        None => return Err(invalid(at_end)),
    }
    let arrow = toks.get(close + 1).map_or(at_end, |t| t.1);
    // Inside the group: items separated by commas at depth 1, no trailing comma; `*x` may only be
    // the last item or the one before a last `**y`, `**y` only the last.
    let inner = toks.get(1..close).unwrap_or(&[]);
    let mut items = 0usize;
    let mut stars: Vec<(usize, T, TextRange)> = Vec::new();
    // Per item: its first token and the comma that ends it (CPython's error positions).
    let mut item_first: Vec<TextRange> = Vec::new();
    let mut item_comma: Vec<TextRange> = Vec::new();
    let mut d = 0i32;
    let mut item_start = true;
    let mut tuple = false;
    for &(k, r) in inner {
        match k {
            T::Lpar | T::Lsqb | T::Lbrace => d += 1,
            T::Rpar | T::Rsqb | T::Rbrace => d -= 1,
            T::Comma if d == 0 => {
                tuple = true;
                items += 1;
                item_start = true;
                item_comma.push(r);
                continue;
            }
            T::Star | T::DoubleStar if d == 0 && item_start => stars.push((items, k, r)),
            _ => {}
        }
        if item_start {
            item_first.push(r);
        }
        item_start = false;
    }
    if item_start && tuple {
        // `(a,)`: CPython points at the `)`.
        return Err(invalid(toks.get(close).map_or(at_end, |t| t.1)));
    }
    let last = items;
    let mut seen_star = false;
    for (n, &(item, k, r)) in stars.iter().enumerate() {
        let ok = match k {
            T::DoubleStar => item == last,
            _ => !seen_star && (item == last || (item + 1 == last && stars.get(n + 1).is_some_and(|s| s.1 == T::DoubleStar))),
        };
        seen_star |= k == T::Star;
        if !ok {
            // After `**x` CPython stops at the comma; after `*x`, at the next item.
            let at = match k {
                T::DoubleStar => item_comma.get(item).copied(),
                _ => item_first.get(item + 1).copied(),
            };
            return Err(invalid(at.unwrap_or(r)));
        }
    }
    // After the arrow: one `expression` (no top-level comma, no starred expression).
    let mut d = 0i32;
    for &(k, r) in toks.get(close + 2..).unwrap_or(&[]) {
        match k {
            T::Lpar | T::Lsqb | T::Lbrace => d += 1,
            T::Rpar | T::Rsqb | T::Rbrace => d -= 1,
            T::Comma if d == 0 => return Err(invalid(r)),
            _ => {}
        }
    }
    match toks.get(close + 2) {
        Some(&(T::Star | T::DoubleStar, r)) => return Err(invalid(r)),
        // Nothing after the arrow: CPython points just past the line's last token.
        None => {
            // (a comment there is what it points at, whole).
            let end = probe.tokens().iter().find(|t| t.start() >= arrow.end() && t.kind() != T::NonLogicalNewline);
            return Err(invalid(match end {
                Some(t) if t.kind() == T::Comment => t.range(),
                // 3.12+ give the newline token its width.
                Some(t) if opts.minor >= PyMinor::Py312 && t.kind() == T::Newline => t.range(),
                Some(t) => TextRange::empty(t.start()),
                None => TextRange::empty(arrow.end()),
            }));
        }
        _ => {}
    }
    let mut joined = text.as_bytes().to_vec();
    let blank = |v: &mut Vec<u8>, r: TextRange, with: &[u8]| {
        if let Some(dst) = v.get_mut(usize::from(r.start())..usize::from(r.end())) {
            for (i, b) in dst.iter_mut().enumerate() {
                *b = with.get(i).copied().unwrap_or(b' ');
            }
        }
    };
    blank(&mut joined, arrow, b", ");
    for &(_, _, r) in &stars {
        blank(&mut joined, r, b"");
    }
    // Only ASCII bytes were replaced by ASCII bytes, so this cannot fail.
    let Ok(joined) = String::from_utf8(joined) else {
        return Err(invalid(first));
    };
    let sub = Options { mode: Mode::Eval, type_comments: false, ..opts.clone() };
    let tree = parse_inner(&joined, &sub, None).map_err(|mut e| {
        // Show the line as written, not the rewritten one.
        if e.text.is_some() && e.lineno >= 1 {
            e.text = Some(conv.line_text(e.lineno).to_string());
        }
        e
    })?;
    let a::Mod::Expression { body } = tree else {
        return Err(invalid(first));
    };
    let a::ExprKind::Tuple { elts, .. } = body.kind else {
        return Err(invalid(arrow));
    };
    let mut elts = elts.into_iter();
    let (Some(group), Some(returns), None) = (elts.next(), elts.next(), elts.next()) else {
        return Err(invalid(arrow));
    };
    let empty = inner.is_empty();
    let argtypes = match group.kind {
        a::ExprKind::Tuple { elts, .. } if tuple || empty => elts,
        _ => vec![group],
    };
    Ok(a::Mod::FunctionType { argtypes, returns: Box::new(returns) })
}

#[cfg(test)]
mod future_tests {
    use super::*;

    fn err(src: &str, minor: PyMinor) -> Option<(String, u32, u32, u32)> {
        let opts = Options { minor, mode: Mode::Exec, type_comments: false, spec_empty_tail: false, debug_text_cut_3_13_0: false };
        parse(src.as_bytes(), &opts).err().map(|e| (e.msg, e.lineno, e.offset, e.end_offset))
    }

    // Expected from CPython 3.14.2's `ast.parse` (test_future_stmt/badsyntax_future*.py).
    #[test]
    fn future_features() {
        let src = "\"doc\"\nfrom __future__ import nested_scopes, braces\n";
        assert_eq!(err(src, PyMinor::Py314), Some(("not a chance".into(), 2, 39, 45)));
        assert_eq!(err(src, PyMinor::Py313), None);
        let src = "from __future__ import *\n";
        assert_eq!(err(src, PyMinor::Py314), Some(("future feature * is not defined".into(), 1, 24, 25)));
        // only the leading block is checked by the parser
        assert_eq!(err("import os\nfrom __future__ import spam\n", PyMinor::Py314), None);
    }

    // Expected from CPython 3.14.2 and 3.15.0rc1 (Pyodide) `ast.parse`.
    #[test]
    fn lazy_imports_and_315_wording() {
        for minor in [PyMinor::Py311, PyMinor::Py314] {
            assert_eq!(err("lazy import os\n", minor), Some(("invalid syntax".into(), 1, 6, 12)));
            assert_eq!(err("lazy from a import b\n", minor), Some(("invalid syntax".into(), 1, 6, 10)));
        }
        assert_eq!(err("lazy import os\nlazy from . import b\nlazy = 1\n", PyMinor::Py315), None);
        let src = "lazy from __future__ import annotations\n";
        assert_eq!(err(src, PyMinor::Py315), Some(("lazy from __future__ import is not allowed".into(), 1, 1, 5)));
        let src = "def f(*a, *b): pass\n";
        assert_eq!(err(src, PyMinor::Py314), Some(("* argument may appear only once".into(), 1, 11, 12)));
        assert_eq!(err(src, PyMinor::Py315), Some(("* may appear only once".into(), 1, 11, 12)));
        assert_eq!(err("[*]\n", PyMinor::Py315), Some(("invalid syntax".into(), 1, 3, 4)));
        assert_eq!(err("f(*)\n", PyMinor::Py315), Some(("Invalid star expression".into(), 1, 4, 5)));
        let src = "match x:\n    case {**rest, \"key\": value}:\n        pass\n";
        let msg = "double star pattern must be the last (right-most) subpattern in the mapping pattern";
        assert_eq!(err(src, PyMinor::Py315), Some((msg.into(), 2, 13, 17)));
        assert_eq!(err(src, PyMinor::Py314), Some(("invalid syntax".into(), 2, 19, 24)));
    }
}
