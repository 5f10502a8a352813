//! Error fixtures: `tests/data/errors.tsv` holds sources and the `SyntaxError` CPython raises for
//! them (class, positions, message), written by `ast.parse` of each release; the new parser's
//! error must be the same.

use pycode_ast::PyMinor;

fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match it.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some(o) => out.push(o),
            None => out.push('\\'),
        }
    }
    out
}

#[test]
fn errors() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/errors.tsv");
    let text = std::fs::read_to_string(path).unwrap();
    let mut ran = 0;
    let mut failures = Vec::new();
    for line in text.lines().filter(|l| !l.starts_with('#') && !l.is_empty()) {
        let mut parts = line.splitn(3, '\t');
        let (tag, src, want) = (parts.next().unwrap(), parts.next().unwrap(), parts.next().unwrap());
        let minor = match tag {
            "3.11" => PyMinor::Py311,
            "3.12" => PyMinor::Py312,
            "3.13" => PyMinor::Py313,
            "3.14" => PyMinor::Py314,
            _ => PyMinor::Py315,
        };
        let src = unescape(src);
        let opts = pycode_parser::Options::new(minor, pycode_parser::Mode::Exec);
        let got = match pycode_parser::parse(src.as_bytes(), &opts) {
            Ok(_) => "accepted".to_string(),
            Err(e) => {
                let r = e.raw.unwrap_or([e.lineno as i64, e.offset as i64, e.end_lineno as i64, e.end_offset as i64]);
                let f = |v: i64| if e.lineno > 0 { v.to_string() } else { "None".into() };
                format!("{} {}:{}-{}:{} {}", e.kind.name(), f(r[0]), f(r[1]), f(r[2]), f(r[3]), e.msg)
            }
        };
        ran += 1;
        if got != want {
            failures.push(format!("{tag} {src:?}:\n   got {got}\n  want {want}"));
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
    assert_eq!(ran, 158, "error fixture count");
}
