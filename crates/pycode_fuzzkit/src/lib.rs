//! `pycode_fuzzkit`: what the source fuzzers share — the two properties they check
//! ([`check_parse`], [`check_compile`]), a token-level mutator ([`mutate`]) and generators of
//! deeply nested programs ([`gen`]).
//!
//! The properties are "returns": every input gives a tree/code object or a typed error, never a
//! panic, stack overflow or hang. Callers (the `srcfuzz` example, the cargo-fuzz targets in
//! `fuzz/`, the replay test) add `catch_unwind`, a stack of known size and a time budget.

pub mod gen;
pub mod mutate;

use pycode_ast::{DumpOptions, PyMinor};
use pycode_compile::CompileMode;
use pycode_release::Release;

/// Every `ast.parse` configuration the parse property runs.
pub const MINORS: [PyMinor; 4] = [PyMinor::Py311, PyMinor::Py312, PyMinor::Py313, PyMinor::Py314];
pub const PARSE_MODES: [pycode_parser::Mode; 4] =
    [pycode_parser::Mode::Exec, pycode_parser::Mode::Eval, pycode_parser::Mode::Single, pycode_parser::Mode::FuncType];
pub const COMPILE_MODES: [CompileMode; 3] = [CompileMode::Exec, CompileMode::Eval, CompileMode::Single];

/// The releases the compile property targets: the newest patch of every minor whose back end
/// is implemented (3.11.7, 3.12.7, 3.13.2 today; 3.14 and 3.15 join when theirs do).
pub fn compile_releases() -> Vec<Release> {
    let mut out: Vec<Release> = Vec::new();
    for r in Release::ALL.iter().rev().copied().filter(|&r| pycode_compile::implemented(r)) {
        if !out.iter().any(|o| o.minor() == r.minor()) {
            out.push(r);
        }
    }
    out.reverse();
    out
}

/// One configuration's result: `"ok"` or `"<Class>: <message with names and numbers masked>"`.
pub type Outcome = (&'static str, String);

/// Masks what varies between otherwise equal errors (quoted text, numbers) so outcomes can be
/// counted as "new" by kind of error rather than by name.
pub fn normalize(msg: &str) -> String {
    let mut out = String::with_capacity(msg.len().min(120));
    let mut chars = msg.chars().peekable();
    while let Some(c) = chars.next() {
        if out.len() > 100 {
            break;
        }
        match c {
            '\'' | '"' => {
                for d in chars.by_ref() {
                    if d == c {
                        break;
                    }
                }
                out.push_str("'_'");
            }
            '0'..='9' => {
                while chars.peek().is_some_and(|d| d.is_ascii_digit()) {
                    chars.next();
                }
                out.push('N');
            }
            _ => out.push(c),
        }
    }
    out
}

/// `ast.parse(data, mode=M)` for every release and mode, then `ast.dump` of each tree (with and
/// without attributes). Returns one outcome per configuration; a panic propagates.
pub fn check_parse(data: &[u8]) -> Vec<Outcome> {
    let mut out = Vec::with_capacity(16);
    for minor in MINORS {
        for mode in PARSE_MODES {
            let opts =
                pycode_parser::Options { type_comments: mode == pycode_parser::Mode::FuncType, ..pycode_parser::Options::new(minor, mode) };
            let label: &'static str = config_label(minor, mode);
            let arena = pycode_parser::parse_arena(data, &opts);
            match pycode_parser::parse(data, &opts) {
                Ok(tree) => {
                    // The arena builder gives the same tree (`Ast::to_tree`), whatever the input;
                    // compared through the dump with positions (it recurses on a growing stack,
                    // where `==` on a deep tree would not).
                    let converted = arena.as_ref().map(|a| a.to_tree());
                    assert!(
                        matches!(converted, Ok(Ok(_))),
                        "{label}: the arena parse failed or did not convert: {:?}",
                        converted.as_ref().err()
                    );
                    if let Ok(Ok(same)) = converted {
                        let with_pos = DumpOptions { include_attributes: true, indent: None, minor };
                        assert!(
                            pycode_ast::dump(&same, &with_pos) == pycode_ast::dump(&tree, &with_pos),
                            "{label}: the arena tree differs from the boxed tree"
                        );
                        drop_deep(same, data.len());
                    }
                    // The indented form's size is quadratic in the depth by nature (as CPython's),
                    // so only one configuration gets it, and it stops where CPython's `ast.dump`
                    // meets its recursion limit (`dump_frame_limit`, as `pycode ast` does): a
                    // 3,000-deep chain would otherwise be gigabytes of copying. Every tree gets
                    // the one-line form in full.
                    if mode == pycode_parser::Mode::Exec && minor == PyMinor::Py312 {
                        let opts = DumpOptions { include_attributes: true, indent: Some(" ".into()), minor };
                        let (d, depths) = pycode_ast::dump_limited(&tree, &opts, pycode_ast::dump_frame_limit(minor));
                        assert!(!d.is_empty() || depths.frames_exceeded.is_some(), "empty dump");
                    }
                    let d2 = pycode_ast::dump(&tree, &DumpOptions { include_attributes: false, indent: None, minor });
                    assert!(!d2.is_empty(), "empty dump");
                    drop_deep(tree, data.len());
                    out.push((label, "ok".to_string()));
                }
                Err(e) => {
                    assert!(arena.as_ref().err() == Some(&e), "{label}: the arena parse's error differs: {:?} / {e}", arena.err());
                    out.push((label, format!("{}: {}", e.kind.name(), normalize(&e.msg))))
                }
            }
        }
    }
    // `type_comments=True` in exec mode too.
    let opts = pycode_parser::Options { type_comments: true, ..pycode_parser::Options::new(PyMinor::Py312, pycode_parser::Mode::Exec) };
    match pycode_parser::parse(data, &opts) {
        Ok(tree) => {
            drop_deep(tree, data.len());
            out.push(("3.12/exec/type_comments", "ok".into()))
        }
        Err(e) => out.push(("3.12/exec/type_comments", format!("{}: {}", e.kind.name(), normalize(&e.msg)))),
    }
    out
}

/// `compile(data, 'f.py', mode, optimize=N)`, then `marshal.dumps` and `dis.dis` of the result,
/// for every release of [`compile_releases`], mode and optimization level. An outcome's text
/// starts with the release.
pub fn check_compile(data: &[u8]) -> Vec<Outcome> {
    let releases = compile_releases();
    let mut out = Vec::with_capacity(9 * releases.len());
    for release in releases {
        let r = release.name();
        for mode in COMPILE_MODES {
            for optimize in 0..=2u8 {
                let label = compile_label(mode, optimize);
                match pycode_compile::compile_source(data, "<fuzz>", release, mode, optimize) {
                    Ok((g, root)) => {
                        match pycode_marshal::dumps(&g, root, release.marshal_version()) {
                            Ok(b) => assert!(!b.is_empty(), "empty marshal"),
                            Err(e) => {
                                out.push((label, format!("{r} marshal: {}", normalize(&e.to_string()))));
                                continue;
                            }
                        }
                        // Disassembling pycode's own output must always work.
                        if let Err(e) = pycode_dis::dis(&g, root, release, &pycode_dis::DisOptions::default()) {
                            out.push((label, format!("{r} dis: {}", normalize(&e.to_string()))));
                            continue;
                        }
                        out.push((label, format!("{r} ok")));
                    }
                    Err(e) => {
                        let s = match &e {
                            pycode_compile::CompileError::Parse(p) => format!("parse {}: {}", p.kind.name(), normalize(&p.msg)),
                            pycode_compile::CompileError::Compile(c) => format!("{}: {}", c.kind.name(), normalize(&c.msg)),
                            pycode_compile::CompileError::Assemble(a) => format!("assemble: {}", normalize(a)),
                            pycode_compile::CompileError::Unsupported(u) => format!("unsupported: {}", normalize(u)),
                        };
                        out.push((label, format!("{r} {s}")));
                    }
                }
            }
        }
    }
    out
}

/// `pycode_lexer` for every release, with and without type comments and extra tokens: it ends
/// (ENDMARKER or an error) after a bounded number of tokens, every token lies inside the source
/// with `start <= end`, and lines never go backwards.
pub fn check_lex(data: &[u8]) -> Vec<Outcome> {
    let src = pycode_lexer::prepare(data, true);
    let mut out = Vec::with_capacity(15);
    for minor in 11..=15u8 {
        for (type_comments, extra_tokens) in [(false, false), (true, false), (false, true)] {
            let cfg = pycode_lexer::Config { minor, type_comments, extra_tokens };
            let mut lx = pycode_lexer::Lexer::new(&src, cfg);
            let limit = 4 * src.len() + 1000;
            let mut last_line = 0;
            let mut outcome = None;
            for _ in 0..limit {
                match lx.next_token() {
                    Ok(t) => {
                        assert!(t.start <= t.end && t.end as usize <= src.len(), "token {t:?} outside the source");
                        assert!(t.lineno >= last_line || t.kind.is_string_piece(), "line went back at {t:?}");
                        last_line = t.end_lineno.max(last_line);
                        if t.kind == pycode_lexer::TokKind::ENDMARKER {
                            outcome = Some("ok".to_string());
                            break;
                        }
                    }
                    Err(e) => {
                        outcome = Some(format!("{}: {}", minor, normalize(&e.kind.message())));
                        break;
                    }
                }
            }
            assert!(outcome.is_some(), "lexer did not finish within {limit} tokens");
            out.push(("lex", outcome.unwrap_or_default()));
        }
    }
    out
}

/// Every property.
pub fn check_all(data: &[u8]) -> Vec<Outcome> {
    let mut v = check_lex(data);
    v.extend(check_parse(data));
    v.extend(check_compile(data));
    v
}

/// Trees the parser accepts can be thousands of levels deep; dropping boxed nodes recurses, so
/// a deep one is dropped on a larger stack .
fn drop_deep<T: Send + 'static>(t: T, input_len: usize) {
    if input_len < 4000 {
        return drop(t);
    }
    // 64 MiB is far more than any tree the parser's depth limit lets through needs.
    std::thread::Builder::new().stack_size(64 << 20).spawn(move || drop(t)).ok().map(|h| h.join());
}

fn config_label(minor: PyMinor, mode: pycode_parser::Mode) -> &'static str {
    // A fixed table, so outcomes carry `&'static str` labels without allocating.
    const L: [[&str; 4]; 4] = [
        ["3.11/exec", "3.11/eval", "3.11/single", "3.11/func_type"],
        ["3.12/exec", "3.12/eval", "3.12/single", "3.12/func_type"],
        ["3.13/exec", "3.13/eval", "3.13/single", "3.13/func_type"],
        ["3.14/exec", "3.14/eval", "3.14/single", "3.14/func_type"],
    ];
    let i = MINORS.iter().position(|m| *m == minor).unwrap_or(0);
    let j = PARSE_MODES.iter().position(|m| *m == mode).unwrap_or(0);
    L[i][j]
}

fn compile_label(mode: CompileMode, optimize: u8) -> &'static str {
    const L: [[&str; 3]; 3] = [
        ["compile/exec/O0", "compile/exec/O1", "compile/exec/O2"],
        ["compile/eval/O0", "compile/eval/O1", "compile/eval/O2"],
        ["compile/single/O0", "compile/single/O1", "compile/single/O2"],
    ];
    let i = COMPILE_MODES.iter().position(|m| *m == mode).unwrap_or(0);
    L[i][(optimize as usize).min(2)]
}
