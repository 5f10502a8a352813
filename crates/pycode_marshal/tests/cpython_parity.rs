//! Differential test against recorded CPython decisions: for every input in `fuzz/seeds` and
//! `fuzz/corpus`, pycode's reader must accept exactly when that release's `marshal.loads`
//! accepted (`tests/fixtures/parity.txt`, made by `tools/marshal_parity.py`). The only allowed
//! differences are the documented ones: references into a container still being read (CPython
//! builds a cycle, we refuse), and nesting between 1500 and 2000 levels (the Pyodide builds of
//! 3.13/3.14/3.15 stop at 1500; native CPython, which we follow, at 2000), measured on the object
//! that was read, not guessed from the input's length. Every excused case is listed, with its
//! reason, in `tests/fixtures/parity_excused.txt`, which may not grow.

use std::collections::HashSet;
use std::path::Path;

use pycode_marshal::{loads_prefix, MarshalErrorKind};
use pycode_object::{Obj, ObjId, ObjectGraph};
use pycode_release::Release;

/// Decisions checked when the floor was last raised, and the most excused differences allowed.
const FLOOR: usize = 1280;
// 19 since the 3.11.2 and 3.15.0rc1 columns (same two documented differences per release).
const MAX_EXCUSED: usize = 19;
/// `MAX_MARSHAL_STACK_DEPTH` of the Pyodide (emscripten) builds of 3.13.2 and 3.14.2.
const EMSCRIPTEN_DEPTH: usize = 1500;

/// How deep CPython's `r_object` recursion goes to read this object (the root is level 1):
/// each element of a container and each object field of a code object is read one level
/// deeper, a dict ends with a `TYPE_NULL` one level deeper, and an object met again (a
/// back-reference) is a leaf where it reappears. Children are visited in stream order.
fn nesting_depth(g: &ObjectGraph, root: ObjId) -> usize {
    let mut seen = HashSet::new();
    let mut deepest = 0;
    let mut stack = vec![(root, 1usize)];
    while let Some((id, d)) = stack.pop() {
        deepest = deepest.max(d);
        if !seen.insert(id) {
            continue;
        }
        let kids: Vec<ObjId> = match g.get(id) {
            Some(Obj::Tuple(v) | Obj::List(v) | Obj::Set(v) | Obj::FrozenSet(v)) => v.to_vec(),
            Some(Obj::Dict(kv)) => {
                deepest = deepest.max(d + 1);
                kv.iter().flat_map(|&(k, v)| [k, v]).collect()
            }
            Some(Obj::Slice(v)) => v.to_vec(),
            Some(Obj::Code(c)) => vec![
                c.code,
                c.consts,
                c.names,
                c.localsplusnames,
                c.localspluskinds,
                c.filename,
                c.name,
                c.qualname,
                c.linetable,
                c.exceptiontable,
            ],
            _ => Vec::new(),
        };
        stack.extend(kids.into_iter().rev().map(|k| (k, d + 1)));
    }
    deepest
}

#[test]
fn accept_reject_matches_cpython() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let fixture = std::fs::read_to_string(root.join("tests/fixtures/parity.txt")).expect("fixture");
    let fuzz = root.join("../../fuzz");
    let mut cases = pycode_testkit::Cases::new("marshal parity decisions");
    let (mut checked, mut allowed) = (0, 0);
    let mut mismatches = Vec::new();
    for line in fixture.lines().filter(|l| !l.starts_with('#') && !l.is_empty()) {
        let mut parts = line.split(' ');
        let name = parts.next().expect("name");
        let data = std::fs::read(fuzz.join(name)).expect("input file");
        for col in parts {
            let (rel, outcome) = col.split_once('=').expect("release=outcome");
            let release = Release::parse(rel).expect("release");
            let ours = loads_prefix(&data, release.marshal_version());
            let cpython_ok = outcome == "ok";
            checked += 1;
            cases.ran();
            match (&ours, cpython_ok) {
                (Ok(_), true) | (Err(_), false) => {}
                (Err(e), true) if matches!(e.kind, MarshalErrorKind::RefInProgress { .. }) => {
                    eprintln!("allowed: {name} {rel}: CPython ok (cycle), pycode {e}");
                    cases.skip(format!("{name} {rel}"), "reference into a container being read");
                    allowed += 1
                }
                (Ok((g, root, _)), false)
                    if outcome == "err:ValueError" && matches!(release, Release::V3_13_2 | Release::V3_14_2 | Release::V3_15_0rc1) =>
                {
                    // The emscripten depth limit: allowed only when what was read is nested
                    // deeper than that limit.
                    let depth = nesting_depth(g, *root);
                    if depth > EMSCRIPTEN_DEPTH {
                        eprintln!("allowed: {name} {rel}: CPython {outcome} (depth {depth} > {EMSCRIPTEN_DEPTH}), pycode ok");
                        cases.skip(format!("{name} {rel}"), format!("nested {depth} deep"));
                        allowed += 1
                    } else {
                        mismatches.push(format!("{name} {rel}: CPython {outcome}, pycode ok"))
                    }
                }
                (Ok(_), false) => mismatches.push(format!("{name} {rel}: CPython {outcome}, pycode ok")),
                (Err(e), true) => mismatches.push(format!("{name} {rel}: CPython ok, pycode {e}")),
            }
        }
    }
    assert!(mismatches.is_empty(), "{} mismatches:\n{}", mismatches.len(), mismatches.join("\n"));
    eprintln!("{checked} decisions checked, {allowed} documented differences");
    let list = root.join("tests/fixtures/parity_excused.txt");
    cases.finish_with_skips(FLOOR, &pycode_testkit::SkipList::new(list, MAX_EXCUSED).exact());
}
