//! Replays every saved source fuzz input (`fuzz/src_seeds`: hand-written seeds;
//! `fuzz/src_corpus`: inputs the fuzzers kept or that once crashed, hung or overflowed) and every
//! generated deep-nesting program through both properties — parse + `ast.dump` for every release
//! and mode, compile + marshal for 3.12.7 at every mode and optimization level — on the default
//! test thread stack. A panic or stack overflow fails (aborts) the test.

use std::path::Path;

fn inputs(dir: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").join(dir);
    let mut v: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "py"))
        .map(|e| (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).expect("read")))
        .collect();
    v.sort();
    v
}

#[test]
fn saved_inputs_never_panic() {
    let mut n = 0;
    for dir in ["fuzz/src_seeds", "fuzz/src_corpus"] {
        for (name, data) in inputs(dir) {
            let out = pycode_fuzzkit::check_all(&data);
            assert!(out.len() >= 25, "{name}");
            n += 1;
        }
    }
    let mut cases = pycode_testkit::Cases::new("saved source fuzz inputs");
    cases.ran_n(n);
    cases.finish(13);
}

#[test]
fn generated_deep_programs_never_panic() {
    // Up to 3000 levels: past CPython's compiler limit; deeper ones are in the fuzzer's seeds.
    let releases = pycode_fuzzkit::compile_releases().len();
    assert!(releases >= 3, "3.11, 3.12 and 3.13 back ends at least");
    let mut n = 0;
    for (name, p) in pycode_fuzzkit::gen::all(3000) {
        let out = pycode_fuzzkit::check_compile(p.as_bytes());
        assert_eq!(out.len(), 9 * releases, "{name}");
        n += 1;
    }
    let mut cases = pycode_testkit::Cases::new("generated deep programs");
    cases.ran_n(n);
    cases.finish(40);
}
