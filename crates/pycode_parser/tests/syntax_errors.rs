//! Syntax errors against CPython: every `fixtures/syntax_errors/<case>.py` is parsed for each
//! release and formatted as `python -m py_compile` does; the result must equal
//! `<case>.<minor>.txt`, which holds what that CPython release printed (`exit N` line, then
//! stderr; the file name replaced by `FILE`). Made by tools/invalid/make_fixtures.py from the
//! references of tools/invalid/invalid_refs.py. Also: deep nesting must not overflow the stack.

use std::path::Path;

use pycode_ast::PyMinor;
use pycode_parser::{Mode, Options};

fn py_compile_text(src: &[u8], minor: PyMinor) -> String {
    let opts = Options::new(minor, Mode::Exec);
    match pycode_parser::parse(src, &opts) {
        Ok(_) => "exit 0\n".to_string(),
        Err(e) => format!("exit 1\n{}", e.py_compile_text("FILE", minor)),
    }
}

#[test]
fn fixtures_match_cpython() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/syntax_errors");
    let cases = pycode_testkit::files(&dir, ".py");
    let mut failures = Vec::new();
    let mut checked = 0;
    for case in &cases {
        let src = std::fs::read(case).expect("read case");
        for (minor, tag) in [(PyMinor::Py311, "3.11"), (PyMinor::Py312, "3.12"), (PyMinor::Py313, "3.13"), (PyMinor::Py314, "3.14")] {
            let want_path = case.with_extension(format!("{tag}.txt"));
            let want = std::fs::read_to_string(&want_path).expect("expected output");
            let got = py_compile_text(&src, minor);
            checked += 1;
            if got != want {
                failures.push(format!("{} [{tag}]\n--- CPython\n{want}--- pycode\n{got}", case.display()));
            }
        }
    }
    assert!(failures.is_empty(), "{} of {checked} differ:\n{}", failures.len(), failures.join("\n"));
    let mut cases = pycode_testkit::Cases::new("syntax error fixtures (file x release)");
    cases.ran_n(checked);
    cases.finish(288);
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    for minor in [PyMinor::Py311, PyMinor::Py314] {
        let src = format!("x = {}\n", "(".repeat(100_000));
        let text = py_compile_text(src.as_bytes(), minor);
        assert!(text.starts_with("exit 1\n"), "{text}");
        let src = format!("{}\n", "[".repeat(50_000) + &"]".repeat(49_999));
        assert!(py_compile_text(src.as_bytes(), minor).starts_with("exit 1\n"));
        let src = "if x:\n".repeat(150) + "  pass\n";
        assert!(py_compile_text(src.as_bytes(), minor).starts_with("exit 1\n"));
    }
}
