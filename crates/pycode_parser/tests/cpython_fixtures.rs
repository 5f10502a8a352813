//! Fixture tests: every `tests/fixtures/*.py` parsed for every release must dump exactly as real
//! CPython's `python -m ast -a` did (expected files made by `tests/difftest/make_fixtures.py`).

use std::path::Path;

use pycode_ast::{DumpOptions, PyMinor};
use pycode_parser::{Mode, Options};

const RELEASES: [(&str, PyMinor); 4] =
    [("3.11", PyMinor::Py311), ("3.12", PyMinor::Py312), ("3.13", PyMinor::Py313), ("3.14", PyMinor::Py314)];

#[test]
fn fixtures_match_cpython() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let names = pycode_testkit::files(&dir, ".py");
    let mut failures = Vec::new();
    let mut checked = 0;
    for path in &names {
        let src = std::fs::read(path).unwrap();
        let stem = path.file_stem().unwrap().to_string_lossy().to_string();
        for (rel, minor) in RELEASES {
            let exp_path = dir.join("expected").join(format!("{stem}.{rel}.txt"));
            let expected = std::fs::read_to_string(&exp_path).unwrap_or_else(|_| panic!("missing {}", exp_path.display()));
            let opts = Options { type_comments: true, ..Options::new(minor, Mode::Exec) };
            let got = match pycode_parser::parse(&src, &opts) {
                Ok(tree) => {
                    let d = DumpOptions { include_attributes: true, indent: Some("   ".into()), minor };
                    pycode_ast::dump(&tree, &d) + "\n"
                }
                Err(e) => format!("ERROR {}\n", e.kind.name()),
            };
            checked += 1;
            if got != expected {
                let line = got.lines().zip(expected.lines()).position(|(a, b)| a != b).unwrap_or(0);
                failures.push(format!(
                    "{stem} {rel}: first difference at line {}: got {:?}, expected {:?}",
                    line + 1,
                    got.lines().nth(line).unwrap_or(""),
                    expected.lines().nth(line).unwrap_or("")
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{} of {checked} differ:\n{}", failures.len(), failures.join("\n"));
    assert_eq!(checked, 9 * RELEASES.len(), "fixtures: {names:?}");
    let mut cases = pycode_testkit::Cases::new("parse fixtures (file x release)");
    cases.ran_n(checked);
    cases.finish(32);
}
