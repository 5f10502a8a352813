//! Source decoding fixtures: every `tests/encodings/src/*.py` (PEP 263 declarations with many
//! codecs, BOMs, undecodable bytes) must give, per release, exactly what real CPython's
//! `python -m ast -a FILE` prints, or the same error text (`traceback.format_exception_only`).
//! Expected files are made by `tests/encodings/make_expected.py` (native 3.11.7, Pyodide for
//! 3.12.7/3.13.2/3.14.2).

use std::path::Path;

use pycode_ast::{DumpOptions, PyMinor};
use pycode_parser::{Mode, Options};

const RELEASES: [(&str, PyMinor); 4] =
    [("3.11", PyMinor::Py311), ("3.12", PyMinor::Py312), ("3.13", PyMinor::Py313), ("3.14", PyMinor::Py314)];

/// (file stem, release) pairs that do not match yet; each must still differ (so that fixing one
/// forces its removal from this list). See docs/ast.md "Not done yet".
const KNOWN_GAPS: &[(&str, &str)] = &[
    // 3.11-3.13 accept undecodable bytes in a comment (pycode refuses them) and report one
    // before any token (a UTF-16 BOM) at the tokenizer's position.
    ("bad_decl_utf8", "3.11"),
    ("bad_decl_utf8", "3.12"),
    ("bad_decl_utf8", "3.13"),
    ("utf16_bom", "3.11"),
    ("utf16_bom", "3.12"),
    ("utf16_bom", "3.13"),
    // Pyodide 0.27/0.29 cannot import the base64 codec ("unknown encoding: base64 (file, line 0)").
    ("base64", "3.12"),
    ("base64", "3.13"),
    // Stateful and special codecs not implemented (reported as "not supported by pycode").
    ("hz", "3.11"),
    ("hz", "3.12"),
    ("hz", "3.13"),
    ("hz", "3.14"),
    ("idna", "3.11"),
    ("idna", "3.12"),
    ("idna", "3.13"),
    ("idna", "3.14"),
    ("iso2022jp", "3.11"),
    ("iso2022jp", "3.12"),
    ("iso2022jp", "3.13"),
    ("iso2022jp", "3.14"),
    ("undefined", "3.11"),
    ("undefined", "3.12"),
    ("undefined", "3.13"),
    ("undefined", "3.14"),
    ("utf7", "3.11"),
    ("utf7", "3.12"),
    ("utf7", "3.13"),
    ("utf7", "3.14"),
];

/// (file, release) pairs checked when the floor was last raised; KNOWN_GAPS (the skip list,
/// with reasons) may not grow past its size then.
const FLOOR: usize = 276;
const MAX_KNOWN_GAPS: usize = 28;

#[test]
fn encodings_match_cpython() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/encodings");
    let names = pycode_testkit::files(dir.join("src"), ".py");
    let mut failures = Vec::new();
    let mut stale = Vec::new();
    let mut checked = 0;
    for path in &names {
        let src = std::fs::read(path).unwrap();
        let stem = path.file_stem().unwrap().to_string_lossy().to_string();
        let fname = format!("{stem}.py");
        for (rel, minor) in RELEASES {
            let exp_path = dir.join("expected").join(format!("{stem}.{rel}.txt"));
            let expected = std::fs::read(&exp_path).unwrap_or_else(|_| panic!("missing {}", exp_path.display()));
            let expected = String::from_utf8_lossy(&expected).into_owned();
            let opts = Options { type_comments: true, ..Options::new(minor, Mode::Exec) };
            let got = match pycode_parser::parse(&src, &opts) {
                Ok(tree) => {
                    let d = DumpOptions { include_attributes: true, indent: Some("   ".into()), minor };
                    pycode_ast::dump(&tree, &d) + "\n"
                }
                Err(e) => format!("ERROR\n{}", e.py_compile_text(&fname, minor)),
            };
            checked += 1;
            let known = KNOWN_GAPS.contains(&(stem.as_str(), rel));
            match (got == expected, known) {
                (true, true) => stale.push(format!("{stem} {rel}")),
                (false, false) => failures.push(format!("{stem} {rel}:\n--- expected\n{expected}--- got\n{got}")),
                _ => {}
            }
        }
    }
    assert!(failures.is_empty(), "{} differ:\n{}", failures.len(), failures.join("\n"));
    assert!(stale.is_empty(), "now matching, remove from KNOWN_GAPS: {}", stale.join(", "));
    assert!(KNOWN_GAPS.len() <= MAX_KNOWN_GAPS, "KNOWN_GAPS may not grow past {MAX_KNOWN_GAPS}");
    let mut cases = pycode_testkit::Cases::new("encodings (file x release)");
    cases.ran_n(checked);
    cases.finish(FLOOR);
}
