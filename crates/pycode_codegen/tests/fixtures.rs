//! Data-driven codegen fixtures: each `tests/fixtures/NAME.py` has its CPython 3.12.1 AST
//! (`NAME.ast.json`) and the module-level pseudo-instruction listing CPython's codegen produced
//! (`NAME.expected`), both written by `tools/codegen/make_fixtures.sh`. The test compiles the AST
//! and compares listings (or error class and message).

use pycode_codegen::{compile_module, listing::module_listing, CompileOptions};
use pycode_release::Release;

/// Fixtures checked when the floor was last raised.
const FLOOR: usize = 23;

#[test]
fn fixtures_match_cpython_3_12_1_codegen() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("fixtures dir")
        .flatten()
        .filter_map(|e| e.file_name().to_str().and_then(|n| n.strip_suffix(".py")).map(String::from))
        .collect();
    names.sort();
    let mut failures = Vec::new();
    for n in &names {
        let line = std::fs::read_to_string(dir.join(format!("{n}.ast.json"))).expect("ast json");
        let expected = std::fs::read_to_string(dir.join(format!("{n}.expected"))).expect("expected");
        let (_, mut m) = pycode_astjson::load_line(line.trim_end()).expect("load ast");
        let got = match compile_module(&mut m, CompileOptions::new(Release::V3_12_1)) {
            Ok(c) => module_listing(&c, Release::V3_12_1),
            Err(e) => format!("ERROR {}: {}\n", e.kind.name(), e.msg),
        };
        if got != expected {
            let first =
                got.lines().zip(expected.lines()).position(|(a, b)| a != b).unwrap_or(got.lines().count().min(expected.lines().count()));
            failures.push(format!(
                "{n}: first difference at line {first}:\n  got:      {:?}\n  expected: {:?}",
                got.lines().nth(first),
                expected.lines().nth(first)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let mut cases = pycode_testkit::Cases::new("codegen fixtures");
    cases.ran_n(names.len());
    cases.finish(FLOOR);
}
