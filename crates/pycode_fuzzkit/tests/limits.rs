//! CPython's limits (bracket nesting, indentation, f-string nesting, compiler recursion, static
//! blocks, huge literals): each fixture of `data/limits.in` compiled for 3.12.1 must give what
//! `python -m py_compile` of CPython 3.12.1 gave (`data/limits-3.12.1.expected`, written by
//! `fuzz/limits_oracle.py`) — on the default test thread stack, so a deep input that needs more
//! stack than that is a failure here (a crash), not a pass.
//!
//! Known differences are listed in `data/limits-3.12.1.known-diffs` with what pycode gives; the
//! test fails when one of them changes (fixed or different), so the list stays current.

use std::collections::BTreeMap;
use std::path::Path;

use pycode_compile::{compile_source, CompileError, CompileMode};
use pycode_release::Release;

fn data(name: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data").join(name)).unwrap_or_default()
}

fn table(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once(" | ").map(|(a, b)| (a.trim().to_string(), b.trim().to_string())))
        .collect()
}

/// The outcome in the oracle's normal form.
fn outcome(src: &str) -> String {
    match compile_source(src.as_bytes(), "t.py", Release::V3_12_1, CompileMode::Exec, 0) {
        Ok(_) => "OK".into(),
        Err(CompileError::Parse(p)) => match p.kind {
            pycode_parser::ErrorKind::RecursionError | pycode_parser::ErrorKind::ValueError => format!("{}: {}", p.kind.name(), p.msg),
            _ => format!("{}: {} @{}", p.kind.name(), p.msg, p.lineno),
        },
        Err(CompileError::Compile(c)) if c.kind.name() == "SyntaxError" => format!("SyntaxError: {} @{}", c.msg, c.lineno),
        Err(CompileError::Compile(c)) => format!("{}: {}", c.kind.name(), c.msg),
        Err(e) => e.to_string(),
    }
}

/// Cases checked when the floor was last raised, and the most known differences allowed.
const FLOOR: usize = 61;
const MAX_KNOWN: usize = 1;

#[test]
fn limits_match_cpython_3_12_1() {
    let cases = table(&data("limits.in"));
    let expected = table(&data("limits-3.12.1.expected"));
    let known = table(&data("limits-3.12.1.known-diffs"));
    assert!(expected.len() == cases.len(), "fixtures and expectations out of step");
    // The known differences (limits-3.12.1.known-diffs, each with pycode's outcome) are the skip
    // list: it may not grow.
    assert!(known.len() <= MAX_KNOWN, "{} known differences, at most {MAX_KNOWN}", known.len());
    let mut problems = Vec::new();
    let mut matched = 0;
    for (name, t) in &cases {
        let got = outcome(&pycode_fuzzkit::gen::fixture_program(t));
        let want = &expected[name];
        match known.get(name) {
            None if &got == want => matched += 1,
            None => problems.push(format!("{name}: CPython {want:?}, pycode {got:?}")),
            Some(k) if k == &got => {}
            Some(k) => problems.push(format!("{name}: known difference changed: was {k:?}, now {got:?} (CPython {want:?})")),
        }
    }
    eprintln!("limits: matched {matched}/{} ({} known differences)", cases.len(), known.len());
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let mut tally = pycode_testkit::Cases::new("limits");
    tally.ran_n(cases.len());
    tally.finish(FLOOR);
}
