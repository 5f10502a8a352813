//! `from __future__ import annotations` text (`_PyAST_ExprAsUnicode`) against what CPython's
//! compiler stored: `tests/fixtures/unparse/annotations.tsv` holds, per line, an expression E and
//! the annotation string CPython 3.12.1 and 3.12.7 (identical for every case) produced for
//! `x: E` (or for `def f(*args: E)` when E starts with `*`), or `!SyntaxError` when compile()
//! failed. Written by `tools/unparse/oracle.py tools/unparse/cases.txt`.

use pycode_ast::{Expr, Mod, StmtKind};
use pycode_codegen::{compile_module, unparse::expr_as_unicode, CompileOptions, ErrorKind};
use pycode_release::Release;

fn try_parse(src: &str) -> Result<Mod, pycode_parser::ParseError> {
    let opts = pycode_parser::Options::new(pycode_ast::PyMinor::Py312, pycode_parser::Mode::Exec);
    pycode_parser::parse(src.as_bytes(), &opts)
}

fn parse(src: &str) -> Mod {
    try_parse(src).unwrap_or_else(|e| panic!("parse {src:?}: {e:?}"))
}

fn annotation(m: &Mod, star: bool) -> &Expr {
    let Mod::Module { body, .. } = m else { panic!("not a module") };
    let last = body.last().expect("statement");
    match (&last.kind, star) {
        (StmtKind::AnnAssign { annotation, .. }, false) => annotation,
        (StmtKind::FunctionDef(f), true) => f.args.vararg.as_ref().and_then(|v| v.annotation.as_deref()).expect("vararg annotation"),
        _ => panic!("unexpected statement"),
    }
}

/// Cases checked when the floor was last raised.
const FLOOR: usize = 262;

#[test]
fn annotation_text_matches_cpython_3_12() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/unparse/annotations.tsv");
    let text = std::fs::read_to_string(path).expect("fixture");
    let mut failures = Vec::new();
    let mut n = 0;
    for line in text.lines() {
        let Some((expr, expected)) = line.split_once('\t') else { continue };
        n += 1;
        let star = expr.starts_with('*');
        let src = if star {
            format!("from __future__ import annotations\ndef f(*args: {expr}): pass\n")
        } else {
            format!("from __future__ import annotations\nx: {expr}\n")
        };
        for release in [Release::V3_12_1, Release::V3_12_7] {
            let compiled = match try_parse(&src) {
                // The parser's SyntaxError (e.g. `lambda` as a comprehension's iterable).
                Err(e) => Err(pycode_codegen::CompileError::new(ErrorKind::SyntaxError, e.msg)),
                Ok(mut m) => compile_module(&mut m, CompileOptions::new(release)),
            };
            if let Some(err) = expected.strip_prefix('!') {
                match compiled {
                    Err(e) if e.kind.name() == err => {}
                    Err(e) => failures.push(format!("{expr}: expected {err}, got {}: {}", e.kind.name(), e.msg)),
                    Ok(_) => failures.push(format!("{expr}: expected {err}, compiled")),
                }
                continue;
            }
            if let Err(e) = compiled {
                failures.push(format!("{expr}: compile failed: {e}"));
                continue;
            }
            let m = parse(&src);
            match expr_as_unicode(annotation(&m, star), release) {
                Ok(s) if s.to_string_lossy() == expected => {}
                Ok(s) => failures.push(format!("{expr}: got {:?}, expected {expected:?}", s.to_string_lossy())),
                Err(e) => failures.push(format!("{expr}: error {e}")),
            }
        }
    }
    assert!(failures.is_empty(), "{} of {n} cases differ:\n{}", failures.len(), failures.join("\n"));
    let mut cases = pycode_testkit::Cases::new("annotation unparse cases");
    cases.ran_n(n);
    cases.finish(FLOOR);
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    // Build `((((x))))`-like depth directly in the AST, beyond the parser's own limits.
    let mut m = parse("x: a\n");
    let Mod::Module { body, .. } = &mut m else { unreachable!() };
    let StmtKind::AnnAssign { annotation, .. } = &mut body[0].kind else { unreachable!() };
    let mut e: Expr = (**annotation).clone();
    for _ in 0..5000 {
        let pos = e.pos;
        e = Expr { pos, kind: pycode_ast::ExprKind::UnaryOp { op: pycode_ast::UnaryOp::USub, operand: Box::new(e) } };
    }
    let r = std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(move || expr_as_unicode(&e, Release::V3_12_7).map(|s| s.to_string_lossy()))
        .expect("thread")
        .join()
        .expect("no panic");
    assert!(matches!(r, Err(ref e) if e.kind == ErrorKind::RecursionError), "{r:?}");
}
