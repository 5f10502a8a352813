//! 3.15's PEP 798 (unpacking in comprehensions) and the compile-stage errors around it, and
//! 3.14's PEP 765 warnings (`'return' in a 'finally' block`), byte for byte against CPython
//! 3.15.0rc1 and 3.14.2; also 3.14+ marshal sharing details measured next to them
//! (`frozenset_names.py`: frozensets of name-like strings are rebuilt per code object).
//!
//! Every fixture `tests/data/pep798/NAME.py` has, per release R, either the references
//! `R/NAME.py.O{0,1,2}.marshal` = `marshal.dumps(compile(source, "NAME.py", "exec",
//! dont_inherit=True, optimize=N))` or `R/NAME.py.err` = the `SyntaxError` that release raises
//! (`msg|lineno|offset|end_lineno|end_offset`), and `R/NAME.py.O{N}.warnings` listing the
//! warnings `compile()` emitted (`Category:line: message`, none when absent), made by
//! `regen.py` next to the fixtures
//! (Pyodide 314.0.7 / 315.0.0-alpha.2).

use std::path::Path;

use pycode_ast::pyerr::CompileFailure;
use pycode_compile::{compile_source, compile_to_marshal_warn, CompileMode};
use pycode_marshal::DumpOptions;
use pycode_release::Release;

fn dis_text(data: &[u8], release: Release) -> String {
    let (g, root) = match pycode_marshal::loads(data, release.marshal_version()) {
        Ok(x) => x,
        Err(e) => return format!("<unreadable: {e}>"),
    };
    let opts = pycode_dis::DisOptions { set_order: pycode_dis::SetOrder::Marshal, ..Default::default() };
    pycode_dis::dis(&g, root, release, &opts).unwrap_or_else(|e| format!("<dis failed: {e}>"))
}

/// Error texts the own parser does not give yet (3.15.0rc1: `R/NAME.py.known-diff`).
const MAX_KNOWN_DIFFS: usize = 3;

/// Checks every fixture for `release`; returns the number of cases (fixture x level, or one
/// per rejected fixture).
fn check(release: Release) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/pep798");
    let ref_dir = dir.join(release.to_string());
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("tests/data/pep798")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".py") && !n.starts_with("oracle_") && !n.starts_with("regen"))
        .collect();
    names.sort();
    let mut checked = 0;
    let mut known_diffs = 0;
    let mut failures = Vec::new();
    for name in &names {
        let src = std::fs::read(dir.join(name)).expect("fixture");
        let err_path = ref_dir.join(format!("{name}.err"));
        if let Ok(want) = std::fs::read_to_string(&err_path) {
            checked += 1;
            let got = match compile_source(&src, name, release, CompileMode::Exec, 0) {
                Ok(_) => "compiled".to_owned(),
                Err(e) => match e.to_failure(name) {
                    CompileFailure::Syntax(s) => format!(
                        "{}|{}|{}|{}|{}",
                        s.msg,
                        s.lineno.map_or("None".into(), |v| v.to_string()),
                        s.offset.map_or("None".into(), |v| v.to_string()),
                        s.end_lineno.map_or("None".into(), |v| v.to_string()),
                        s.end_offset.map_or("None".into(), |v| v.to_string())
                    ),
                    other => format!("{other:?}"),
                },
            };
            let known = std::fs::read_to_string(ref_dir.join(format!("{name}.known-diff"))).ok();
            match known {
                // A listed difference (the file holds pycode's outcome and, after '#', why): it
                // must stay exactly that; when it changes, fix or update the listing.
                Some(k) => {
                    let k = k.lines().find(|l| !l.starts_with('#')).unwrap_or_default().to_owned();
                    known_diffs += 1;
                    if got.trim_end() != k.trim_end() {
                        failures.push(format!("{name}: known difference changed: was {k}, now {got} (CPython {})", want.trim_end()));
                    }
                }
                None if got.trim_end() != want.trim_end() => {
                    failures.push(format!("{name}: CPython {release} raises {}, pycode: {got}", want.trim_end()));
                }
                None => {}
            }
            continue;
        }
        for level in 0u8..=2 {
            checked += 1;
            let ref_path = ref_dir.join(format!("{name}.O{level}.marshal"));
            let want = std::fs::read(&ref_path).unwrap_or_else(|_| panic!("{} missing: run regen.py", ref_path.display()));
            // (the bytes as `compile()` + `marshal.dumps` make them; the warnings from the
            // `py_compile` path, which compiles the same way)
            let got = compile_source(&src, name, release, CompileMode::Exec, level).map_err(|e| e.to_string()).and_then(|(g, root)| {
                pycode_marshal::dumps_with(&g, root, &DumpOptions::new(release.marshal_version())).map_err(|e| e.to_string())
            });
            let mut warnings = Vec::new();
            let _ = compile_to_marshal_warn(&src, name, release, level, &mut warnings);
            let want_w = std::fs::read_to_string(ref_dir.join(format!("{name}.O{level}.warnings"))).unwrap_or_default();
            let got_w: String = warnings.iter().map(|w| format!("{}:{}: {}\n", w.category, w.lineno, w.message)).collect();
            if got_w != want_w {
                failures.push(format!("{name} -O{level}: warnings differ\n--- CPython\n{want_w}--- pycode\n{got_w}"));
            }
            match got {
                Ok(got) if got == want => {}
                Ok(got) => failures.push(format!(
                    "{name} -O{level}: bytes differ (pycode {} bytes, CPython {})\n--- CPython\n{}--- pycode\n{}",
                    got.len(),
                    want.len(),
                    dis_text(&want, release),
                    dis_text(&got, release)
                )),
                Err(e) => failures.push(format!("{name} -O{level}: pycode failed: {e}")),
            }
        }
    }
    assert!(failures.is_empty(), "{release}: {}/{checked} differ:\n{}", failures.len(), failures.join("\n"));
    // The listed differences are a skip list that may not grow.
    assert!(known_diffs <= MAX_KNOWN_DIFFS, "{known_diffs} known differences, at most {MAX_KNOWN_DIFFS}");
    checked
}

#[test]
fn pep798_fixtures_match_cpython_3_15_0rc1() {
    let mut cases = pycode_testkit::Cases::new("pep798 3.15.0rc1 (fixture x level, or rejected fixture)");
    cases.ran_n(check(Release::V3_15_0rc1));
    cases.finish(16);
}

#[test]
fn pep798_fixtures_match_cpython_3_14_2() {
    let mut cases = pycode_testkit::Cases::new("pep798 3.14.2 (fixture x level, or rejected fixture)");
    cases.ran_n(check(Release::V3_14_2));
    cases.finish(14);
}
