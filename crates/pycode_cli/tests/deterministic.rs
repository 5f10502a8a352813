//! Deterministic output: one tree of sources compiled twice by `pycode compileall` — once with
//! `-j 1`, the files created in sorted order and the directory given as the argument; once with
//! `-j 3`, the files created in reverse order and given one by one in reverse — must give the
//! same `.pyc` files, byte for byte (every optimize level, hash-based headers so that no mtime
//! enters; relative paths, so `co_filename` is the same in both trees), for every target line
//! pycode compiles (3.11 to 3.15).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Sources in the tree, and `.pyc` files written from them (three optimize levels; some
/// fixtures are compile errors by design), when the floors were last raised.
const FLOOR: usize = 72;

/// `.pyc` files written per target when the floors were last raised: 3 optimize levels of each
/// source that target compiles (on 3.11 one fixture, newer syntax, is a compile error).
fn pyc_floor(target: &str) -> usize {
    match target {
        "3.11" => 171,
        _ => 174,
    }
}

fn sources() -> Vec<(String, Vec<u8>)> {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut out = Vec::new();
    for (dir, tag) in [
        ("pycode_codegen/tests/fixtures", "codegen"),
        ("pycode_flowgraph/tests/fixtures/snippets", "snippets"),
        ("pycode_cli/tests/fixtures/dis_source", "dis_source"),
        ("pycode_compile/tests/data/modes", "modes"),
    ] {
        for p in pycode_testkit::files(crates.join(dir), ".py") {
            let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            if tag == "modes" && !name.ends_with(".exec.py") {
                continue;
            }
            out.push((format!("{tag}/{name}"), std::fs::read(&p).expect("read source")));
        }
    }
    out
}

fn build(root: &Path, files: &[(String, Vec<u8>)]) {
    let _ = std::fs::remove_dir_all(root);
    for (rel, data) in files {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(&p, data).expect("write");
    }
}

fn pycs(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read_dir").flatten() {
            let p: PathBuf = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "pyc") {
                let rel = p.strip_prefix(root).expect("prefix").display().to_string();
                out.insert(rel, std::fs::read(&p).expect("read pyc"));
            }
        }
    }
    out
}

/// The targets compared: one release of each line.
const TARGETS: [&str; 5] = ["3.11", "3.12", "3.13", "3.14", "3.15"];

fn compile(root: &Path, target: &str, jobs: &str, args: &[String]) {
    let out = Command::new(env!("CARGO_BIN_EXE_pycode"))
        .current_dir(root)
        .args(["compileall", "--target", target, "-q", "-j", jobs, "--invalidation-mode", "unchecked-hash"])
        .args(["-o", "0", "-o", "1", "-o", "2"])
        .args(args)
        .output()
        .expect("run pycode");
    // Some fixtures are meant to fail (compile errors); the exit status says so, both times.
    assert!(out.status.code().is_some(), "pycode was killed: {}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn same_bytes_whatever_the_jobs_and_order() {
    let files = sources();
    let mut tally = pycode_testkit::Cases::new("deterministic (sources x targets)");
    for target in TARGETS {
        let base = std::env::temp_dir().join(format!("pycode_deterministic_{}_{target}", std::process::id()));
        let (a, b) = (base.join("a"), base.join("b"));
        build(&a, &files);
        let mut rev = files.clone();
        rev.reverse();
        build(&b, &rev);
        compile(&a, target, "1", &[".".to_string()]);
        let args: Vec<String> = rev.iter().map(|(rel, _)| format!("./{rel}")).collect();
        compile(&b, target, "3", &args);
        let (pa, pb) = (pycs(&a), pycs(&b));
        let _ = std::fs::remove_dir_all(&base);
        tally.ran_n(files.len());
        assert_eq!(pa.keys().collect::<Vec<_>>(), pb.keys().collect::<Vec<_>>(), "--target {target}: different .pyc files written");
        let differ: Vec<&String> = pa.iter().filter(|(k, v)| pb.get(*k) != Some(v)).map(|(k, _)| k).collect();
        assert!(differ.is_empty(), "--target {target}: {} of {} .pyc files differ: {differ:?}", differ.len(), pa.len());
        let floor = pyc_floor(target);
        assert!(pa.len() >= floor, "--target {target}: only {} .pyc files written, floor {floor}", pa.len());
    }
    tally.finish(FLOOR * TARGETS.len());
}
