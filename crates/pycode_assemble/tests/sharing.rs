//! `GraphBuilder`'s sharing / `FLAG_REF` rules against real `.pyc` files written by each CPython
//! release (a few small files from the oracle corpus, under `tests/data/pyc/<release>/`): every
//! file is stripped of all object identity, rebuilt with `GraphBuilder` and re-marshalled, and
//! must come out byte-identical. The full-corpus run is `examples/resharing.rs`.

mod support;

use support::reshare::{self, Outcome};

use pycode_release::Release;

fn fixtures() -> Vec<(String, Vec<u8>)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/pyc");
    let mut out = Vec::new();
    let mut dirs: Vec<_> = std::fs::read_dir(&root).expect("fixture dir").flatten().map(|e| e.path()).collect();
    dirs.sort();
    for d in dirs {
        let mut files: Vec<_> = std::fs::read_dir(&d).expect("release dir").flatten().map(|e| e.path()).collect();
        files.sort();
        for f in files {
            let data = std::fs::read(&f).expect("fixture");
            out.push((f.strip_prefix(&root).unwrap_or(&f).display().to_string(), data));
        }
    }
    out
}

#[test]
fn rebuilt_pyc_is_byte_identical() {
    let mut seen = std::collections::BTreeSet::new();
    let mut failures = Vec::new();
    let mut cases = pycode_testkit::Cases::new("sharing");
    for (name, data) in fixtures() {
        cases.ran();
        match reshare::check_pyc(&data, &[]) {
            Ok((rel, Outcome::Identical)) => {
                seen.insert(rel.version().1);
            }
            Ok((_, Outcome::Differs(d))) => failures.push(format!("{name}: {d}")),
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // One release of each minor version is covered.
    assert_eq!(seen.into_iter().collect::<Vec<_>>(), vec![11, 12, 13, 14]);
    cases.finish(14);
}

/// The rules are release-specific: rebuilding a file with another minor version's rules must
/// change the bytes (so the test above can fail).
#[test]
fn other_release_rules_differ() {
    for (name, data) in fixtures() {
        let pyc = pycode_marshal::read_pyc(&data).expect("fixture reads");
        let own = pyc.release();
        let other = match own.version().1 {
            11 => Release::V3_12_7,
            _ => Release::V3_11_7,
        };
        let logical = reshare::strip(&pyc.graph, pyc.root, true).expect("strips");
        let (g, root) = reshare::rebuild(other, &logical, &[]).expect("rebuilds");
        let out = pycode_marshal::dumps(&g, root, own.marshal_version()).expect("dumps");
        assert_ne!(out.as_slice(), &data[16..], "{name}: {other:?} rules gave {own:?}'s bytes");
    }
}
