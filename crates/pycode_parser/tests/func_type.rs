//! `ast.parse(src, mode="func_type")` against CPython 3.11.7 / 3.12.1 / 3.13.0: the dump with
//! attributes, or the error class, message and position (`tests/fixtures/func_type/`, made by
//! its `make.py` with each interpreter). Includes non-ASCII text before `->`, which once
//! panicked on a byte/character offset mix-up, and `(int) -> int`, which was once rejected.

use std::path::Path;

use pycode_ast::{DumpOptions, PyMinor};
use pycode_parser::{Mode, Options};

#[test]
fn func_type_matches_cpython() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/func_type");
    let cases: Vec<String> = {
        let text = std::fs::read_to_string(dir.join("cases.json")).expect("cases.json");
        // A JSON list of strings, one per line as json.dump(indent=0) writes it.
        text.lines().filter(|l| l.starts_with('"')).map(|l| unjson(l.trim_end_matches(','))).collect()
    };
    let mut tally = pycode_testkit::Cases::new("func_type (case x release)");
    let mut failures = Vec::new();
    for (tag, minor) in [("3.11", PyMinor::Py311), ("3.12", PyMinor::Py312), ("3.13", PyMinor::Py313)] {
        let expected = std::fs::read_to_string(dir.join(format!("expected.{tag}.txt"))).expect("expected");
        let expected: Vec<&str> = expected.lines().collect();
        assert_eq!(expected.len(), cases.len(), "{tag}: expected file out of step with cases.json");
        for (src, want) in cases.iter().zip(expected) {
            let opts = Options { type_comments: true, ..Options::new(minor, Mode::FuncType) };
            let got = match pycode_parser::parse(src.as_bytes(), &opts) {
                Ok(tree) => pycode_ast::dump(&tree, &DumpOptions { include_attributes: true, indent: None, minor }),
                Err(e) => format!("ERROR {}: {} {} {} {} {}", e.kind.name(), e.msg, e.lineno, e.offset, e.end_lineno, e.end_offset),
            };
            tally.ran();
            if got != want {
                failures.push(format!("[{tag}] {src:?}\n  CPython {want}\n  pycode  {got}"));
            }
        }
    }
    assert!(failures.is_empty(), "{} differ:\n{}", failures.len(), failures.join("\n"));
    tally.finish(120);
}

/// Decodes one JSON string literal (the escapes json.dump writes with ensure_ascii=False).
fn unjson(s: &str) -> String {
    let body = s.trim().strip_prefix('"').and_then(|b| b.strip_suffix('"')).expect("JSON string");
    let mut out = String::new();
    let mut it = body.chars();
    while let Some(c) = it.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match it.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('u') => {
                let h: String = it.by_ref().take(4).collect();
                out.push(char::from_u32(u32::from_str_radix(&h, 16).expect("hex")).expect("char"));
            }
            Some(c) => out.push(c),
            None => {}
        }
    }
    out
}
