//! Every recursive walk of the compiler on a tree far deeper than any parser lets through
//! (built directly, 100 000 nested `BinOp`s, and at CPython's own limits): each returns
//! CPython's `RecursionError` ("maximum recursion depth exceeded during compilation"), never a
//! stack overflow. (The test runs on a big thread only because building and dropping a
//! 100 000-deep `Box` chain recurses in Rust itself.) Source-level limits are checked against
//! CPython by `pycode_fuzzkit/tests/limits.rs`; the `ast` command's by `pycode_cli/tests/deep_ast.rs`;
//! unparse by `unparse.rs`.

use pycode_ast::{Expr, ExprKind, Mod, Operator, StmtKind};
use pycode_codegen::{compile_module, fold_module, CompileOptions, ErrorKind};
use pycode_release::Release;

fn parse(src: &str) -> Mod {
    let opts = pycode_parser::Options::new(pycode_ast::PyMinor::Py312, pycode_parser::Mode::Exec);
    pycode_parser::parse(src.as_bytes(), &opts).unwrap_or_else(|e| panic!("parse {src:?}: {e:?}"))
}

/// `x = a + a + … + a` with `n` additions, as a left-nested chain.
fn deep(n: usize) -> Mod {
    let mut m = parse("x = a\n");
    let Mod::Module { body, .. } = &mut m else { panic!("module") };
    let StmtKind::Assign { value, .. } = &mut body[0].kind else { panic!("assign") };
    let leaf: Expr = (**value).clone();
    let mut e = leaf.clone();
    for _ in 0..n {
        let pos = e.pos;
        e = Expr { pos, kind: ExprKind::BinOp { left: Box::new(e), op: Operator::Add, right: Box::new(leaf.clone()) } };
    }
    **value = e;
    m
}

fn is_recursion(r: Result<(), pycode_codegen::CompileError>) -> bool {
    matches!(r, Err(ref e) if e.kind == ErrorKind::RecursionError && e.msg == "maximum recursion depth exceeded during compilation")
}

#[test]
fn fold_symtable_and_codegen_stop_with_recursion_error() {
    std::thread::Builder::new().stack_size(256 << 20).spawn(walks).expect("thread").join().expect("walks");
}

fn walks() {
    let mut cases = pycode_testkit::Cases::new("deep walks");
    // The AST optimizer (fold).
    let mut m = deep(100_000);
    assert!(is_recursion(fold_module(&mut m, 0).map(|_| ())), "fold");
    cases.ran();
    // The symbol table.
    let m = deep(100_000);
    let ff = pycode_symtable::parse_future(&m).expect("future");
    assert!(is_recursion(pycode_symtable::SymTable::build(&m, ff).map(|_| ())), "symtable");
    cases.ran();
    // The whole compiler (fold, symtable, codegen) at every optimize level.
    for optimize in 0..=2 {
        let mut m = deep(100_000);
        let mut o = CompileOptions::new(Release::V3_12_7);
        o.optimize = optimize;
        assert!(is_recursion(compile_module(&mut m, o).map(|_| ())), "compile -O{optimize}");
        cases.ran();
    }
    // CPython 3.12's boundary (pycode_fuzzkit limits: add-2987 compiles, add-2988 does not).
    let mut m = deep(2986);
    assert!(compile_module(&mut m, CompileOptions::new(Release::V3_12_7)).is_ok(), "2987 operands compile");
    let mut m = deep(2987);
    assert!(is_recursion(compile_module(&mut m, CompileOptions::new(Release::V3_12_7)).map(|_| ())), "2988 operands");
    cases.ran_n(2);
    cases.finish(7);
}
