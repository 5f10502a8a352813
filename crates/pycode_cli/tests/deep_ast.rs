//! `pycode ast` on deep trees ends as `python -m ast` does — `ast.parse`'s "during ast
//! construction" limit, then `ast.dump`'s Python recursion limit — quickly, instead of printing
//! a quadratic amount of text (a 6 KB `x = a.b.b…` once took 28 s and printed 40 MB).
//! Expected lines measured with `python -m ast FILE` of CPython 3.11.7 (native), 3.12.1 and
//! 3.13.0 (pyenv) on `x = a` followed by N × `.b`.

use std::process::Command;
use std::time::Instant;

/// (target, N, end of the last stderr line — what `traceback.format_exception_only` gives, which
/// the conformance `ast` feature compares the same way — or "" for success)
const CASES: &[(&str, usize, &str)] = &[
    ("3.11", 985, ""),
    ("3.11", 986, "RecursionError: maximum recursion depth exceeded while getting the repr of an object"),
    ("3.11", 2000, "RecursionError: maximum recursion depth exceeded"),
    ("3.11", 2976, "RecursionError: maximum recursion depth exceeded"),
    ("3.11", 2977, "RecursionError: maximum recursion depth exceeded during ast construction"),
    ("3.11", 100_000, "RecursionError: maximum recursion depth exceeded during ast construction"),
    ("3.12", 989, ""),
    ("3.12", 990, "RecursionError: maximum recursion depth exceeded"),
    ("3.12", 2985, "RecursionError: maximum recursion depth exceeded"),
    ("3.12", 2986, "RecursionError: maximum recursion depth exceeded during ast construction"),
    ("3.12", 100_000, "RecursionError: maximum recursion depth exceeded during ast construction"),
    ("3.13", 989, ""),
    ("3.13", 990, "RecursionError: maximum recursion depth exceeded"),
    ("3.13", 3000, "RecursionError: maximum recursion depth exceeded"),
    ("3.13", 6000, "RecursionError: maximum recursion depth exceeded"),
];

#[test]
fn deep_chains_end_as_python_m_ast() {
    let dir = std::env::temp_dir().join(format!("pycode_deep_ast_{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("mkdir");
    let mut tally = pycode_testkit::Cases::new("deep ast chains");
    let mut failures = Vec::new();
    for &(target, n, want) in CASES {
        let path = dir.join(format!("chain_{n}.py"));
        std::fs::write(&path, format!("x = a{}\n", ".b".repeat(n))).expect("write");
        let start = Instant::now();
        let out = Command::new(env!("CARGO_BIN_EXE_pycode")).args(["ast", "--target", target]).arg(&path).output().expect("run pycode");
        let secs = start.elapsed().as_secs_f64();
        let stderr = String::from_utf8_lossy(&out.stderr);
        let last = stderr.trim_end().lines().last().unwrap_or("");
        let ok =
            if want.is_empty() { out.status.success() && stderr.is_empty() } else { out.status.code() == Some(1) && last.ends_with(want) };
        if !ok {
            failures.push(format!("{target} N={n}: exit {:?}, last line {last:?}, want {want:?}", out.status.code()));
        }
        // Linear work: well under the 28 s the quadratic dump once took.
        if secs > 10.0 {
            failures.push(format!("{target} N={n}: took {secs:.1} s"));
        }
        tally.ran();
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    tally.finish(CASES.len());
}
