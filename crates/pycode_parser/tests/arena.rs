//! The arena builder (`pycode_parser::parse_arena`) against the boxed tree
//! (`pycode_parser::parse`): for every `.py` file of the parser's fixtures (valid programs and
//! the syntax-error cases), every release, each mode the file can be parsed in, with and without
//! type comments, both give the same tree (`Ast::to_tree`) or the same error. The corpora are
//! checked the same way by `examples/arenacheck.rs` in `.ci/run`.

use pycode_parser::{Mode, Options};

fn py_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for p in pycode_testkit::files(dir, "") {
        if p.is_dir() {
            py_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "py") {
            out.push(p);
        }
    }
}

#[test]
fn arena_matches_tree() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut files = Vec::new();
    py_files(&root.join("fixtures"), &mut files);
    py_files(&root.join("data"), &mut files);
    let mut cases = pycode_testkit::Cases::new("arena_matches_tree");
    let mut failures = Vec::new();
    let (mut trees, mut errors) = (0usize, 0usize);
    for f in &files {
        let src = std::fs::read(f).unwrap();
        for minor in [
            pycode_ast::PyMinor::Py311,
            pycode_ast::PyMinor::Py312,
            pycode_ast::PyMinor::Py313,
            pycode_ast::PyMinor::Py314,
            pycode_ast::PyMinor::Py315,
        ] {
            for mode in [Mode::Exec, Mode::Eval, Mode::Single, Mode::FuncType] {
                for type_comments in [false, true] {
                    let opts = Options { type_comments, ..Options::new(minor, mode) };
                    let tree = pycode_parser::parse(&src, &opts);
                    let arena = pycode_parser::parse_arena(&src, &opts);
                    cases.ran();
                    match (&tree, &arena) {
                        (Ok(t), Ok(a)) => {
                            trees += 1;
                            assert!(a.is_complete());
                            if a.to_tree().as_ref() != Ok(t) {
                                failures.push(format!("{} {minor:?} {mode:?} tc={type_comments}: trees differ", f.display()));
                            }
                        }
                        (Err(e1), Err(e2)) => {
                            errors += 1;
                            if e1 != e2 {
                                failures.push(format!("{} {minor:?} {mode:?}: errors differ: {e1} / {e2}", f.display()));
                            }
                        }
                        _ => failures.push(format!("{} {minor:?} {mode:?}: one parsed, the other failed", f.display())),
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} differences:\n{}", failures.len(), failures.join("\n"));
    eprintln!("arena_matches_tree: {trees} trees, {errors} errors");
    // Both kinds must be exercised: trees (valid fixtures) and errors (syntax_errors/).
    assert!(trees >= 200 && errors >= 1000, "trees {trees}, errors {errors}");
    cases.finish(3_480);
}
