//! Replays the fuzz seeds and the corpus the fuzzers kept (`fuzz/seeds`, `fuzz/corpus`): no
//! panic, and for everything accepted, `dumps` is a fixpoint and the seeds (written by CPython)
//! round-trip byte for byte.

use std::path::Path;

use pycode_marshal::{dumps, loads, loads_prefix};

fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<_> = pycode_testkit::files(dir, "")
        .into_iter()
        .map(|p| (p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(), std::fs::read(&p).expect("read")))
        .collect();
    v.sort();
    v
}

#[test]
fn seeds_round_trip_exactly() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/seeds");
    let seeds = files(&dir);
    let mut cases = pycode_testkit::Cases::new("marshal seeds");
    cases.ran_n(seeds.len());
    cases.finish(8);
    for (name, data) in seeds {
        let version = if name.starts_with("3.14") { 5 } else { 4 };
        let (g, root) = loads(&data, version).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(dumps(&g, root, version).expect("dumps"), data, "{name}");
    }
}

#[test]
fn corpus_never_panics_and_dumps_is_a_fixpoint() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus");
    let corpus = files(&dir);
    let mut cases = pycode_testkit::Cases::new("marshal fuzz corpus");
    cases.ran_n(corpus.len());
    cases.finish(152);
    let mut accepted = 0;
    for (name, data) in corpus {
        for version in [4u8, 5] {
            if let Ok((g, root, _)) = loads_prefix(&data, version) {
                accepted += 1;
                let d1 = dumps(&g, root, version).unwrap_or_else(|e| panic!("{name}: {e}"));
                let (g2, r2) = loads(&d1, version).unwrap_or_else(|e| panic!("{name}: {e}"));
                assert_eq!(dumps(&g2, r2, version).expect("dumps"), d1, "{name}");
            }
        }
    }
    assert!(accepted > 10);
}
