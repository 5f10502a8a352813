//! Data-driven fixtures: each `tests/data/NAME.py` is parsed for every release with an expected
//! dump `NAME.3XX.txt` (CPython's `ast.dump(ast.parse(src), include_attributes=True, indent=1)`,
//! written by that release), and the new parser's dump must be that text.

use pycode_ast::{dump, DumpOptions, PyMinor};

fn minor_of(tag: &str) -> Option<PyMinor> {
    Some(match tag {
        "311" => PyMinor::Py311,
        "312" => PyMinor::Py312,
        "313" => PyMinor::Py313,
        "314" => PyMinor::Py314,
        "315" => PyMinor::Py315,
        _ => return None,
    })
}

#[test]
fn fixtures() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let mut ran = 0;
    let mut failures = Vec::new();
    for exp in &pycode_testkit::files(&dir, ".txt") {
        let stem = exp.file_stem().unwrap().to_str().unwrap();
        let (name, tag) = stem.rsplit_once('.').unwrap();
        let minor = minor_of(tag).unwrap();
        let src = std::fs::read(dir.join(format!("{name}.py"))).unwrap();
        let expected = std::fs::read_to_string(exp).unwrap();
        let opts =
            pycode_parser::Options { spec_empty_tail: tag == "312", ..pycode_parser::Options::new(minor, pycode_parser::Mode::Exec) };
        let got = match pycode_parser::parse(&src, &opts) {
            Ok(m) => dump(&m, &DumpOptions { include_attributes: true, indent: Some(" ".into()), minor }),
            Err(e) => format!("ERROR {e}"),
        };
        ran += 1;
        if got.trim_end() != expected.trim_end() {
            let k = got.lines().zip(expected.lines()).position(|(a, b)| a != b).unwrap_or(0);
            failures.push(format!(
                "{stem}: first difference at line {}: got {:?}, expected {:?}",
                k + 1,
                got.lines().nth(k),
                expected.lines().nth(k)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(ran, 11, "fixture count");
}
