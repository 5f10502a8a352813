//! eval and single ("interactive") modes, byte for byte against CPython 3.12.7, 3.13.0, 3.13.2,
//! 3.14.2, 3.15.0rc1, 3.11.7 and 3.11.2.
//!
//! Every fixture `tests/data/modes/NAME.MODE.py` (MODE = `eval` or `single`; a few `exec` ones
//! for compiler paths the corpora hardly reach, e.g. equal code objects merged) has references
//! `NAME.MODE.py.O{0,1,2}.marshal` = `marshal.dumps(compile(source, "NAME.MODE.py", MODE,
//! dont_inherit=True, optimize=N))` made by CPython 3.12.7 (Pyodide 0.27.7). Regenerate them
//! with `python3 crates/pycode_compile/tests/data/modes/regen.py` (needs node and the Pyodide
//! oracle, see conformance/README.md) after adding or changing a fixture.
//! pycode's `compile_source` + `marshal.dumps` must reproduce every reference exactly; a
//! mismatch is reported with both disassemblies (marshal order for set constants).
//! The 3.13.0 (native), 3.13.2 (Pyodide 0.29.3), 3.14.2 (Pyodide 314.0.7) and 3.15.0rc1
//! (Pyodide 315.0.0-alpha.2) references are in the subdirectories named after the release
//! (`regen.py --release R`). The 3.11 references
//! `NAME.MODE.py.3.11.7.O{0,1,2}.marshal` / `.3.11.2.` are made by the native interpreters, one
//! fresh process per fixture: `regen311.py` next to the fixtures.

use std::path::Path;

use pycode_compile::{compile_source, CompileMode};
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

/// (fixture, optimize level) pairs checked when the floor was last raised.
const FLOOR: usize = 135;
/// The same for each 3.11 release (references by `regen311.py`; a fixture in 3.12 syntax is a
/// `.rejected` reference, and pycode must reject it at every level too).
const FLOOR_3_11: usize = 135;

/// Compiles every fixture at levels 0-2 for `release` and compares with the references
/// `[SUBDIR/]NAME.MODE.py{tag}.O{N}.marshal` (or `NAME.MODE.py{tag}.rejected`); returns the
/// number of (fixture, level) pairs checked.
fn check_fixtures(release: Release, subdir: Option<&str>, tag: &str) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/modes");
    let ref_dir = match subdir {
        Some(sub) => dir.join(sub),
        None => dir.clone(),
    };
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("tests/data/modes")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".eval.py") || n.ends_with(".single.py") || n.ends_with(".exec.py"))
        .collect();
    names.sort();
    let mut checked = 0;
    let mut failures = Vec::new();
    for name in &names {
        let mode = if name.ends_with(".eval.py") {
            CompileMode::Eval
        } else if name.ends_with(".single.py") {
            CompileMode::Single
        } else {
            CompileMode::Exec
        };
        let src = std::fs::read(dir.join(name)).expect("fixture");
        let rejected = ref_dir.join(format!("{name}{tag}.rejected")).exists();
        for level in 0u8..=2 {
            let got = compile_source(&src, name, release, mode, level).map_err(|e| e.to_string()).and_then(|(g, root)| {
                pycode_marshal::dumps_with(&g, root, &DumpOptions::new(release.marshal_version())).map_err(|e| e.to_string())
            });
            checked += 1;
            if rejected {
                if got.is_ok() {
                    failures.push(format!("{name} -O{level}: CPython {release} rejects it, pycode compiled it"));
                }
                continue;
            }
            let ref_path = ref_dir.join(format!("{name}{tag}.O{level}.marshal"));
            let want = std::fs::read(&ref_path).unwrap_or_else(|_| panic!("{} missing: run regen.py / regen311.py", ref_path.display()));
            match got {
                Ok(got) if got == want => {}
                Ok(got) => {
                    let at = got.iter().zip(&want).position(|(a, b)| a != b).unwrap_or(got.len().min(want.len()));
                    failures.push(format!(
                        "{name} -O{level}: bytes differ at offset {at} (pycode {} bytes, CPython {})\n\
                         --- CPython\n{}--- pycode\n{}",
                        got.len(),
                        want.len(),
                        dis_text(&want, release),
                        dis_text(&got, release)
                    ));
                }
                Err(e) => failures.push(format!("{name} -O{level}: pycode failed: {e}")),
            }
        }
    }
    assert!(failures.is_empty(), "{release}: {}/{checked} differ:\n{}", failures.len(), failures.join("\n"));
    checked
}

#[test]
fn eval_single_and_exec_fixtures_match_cpython_3_12_7() {
    let checked = check_fixtures(Release::V3_12_7, None, "");
    let mut cases = pycode_testkit::Cases::new("modes (source x optimize level)");
    cases.ran_n(checked);
    cases.finish(FLOOR);
}

#[test]
fn eval_single_and_exec_fixtures_match_cpython_3_13_0() {
    let checked = check_fixtures(Release::V3_13_0, Some("3.13.0"), "");
    let mut cases = pycode_testkit::Cases::new("modes 3.13.0 (source x optimize level)");
    cases.ran_n(checked);
    cases.finish(FLOOR);
}

#[test]
fn eval_single_and_exec_fixtures_match_cpython_3_13_2() {
    let checked = check_fixtures(Release::V3_13_2, Some("3.13.2"), "");
    let mut cases = pycode_testkit::Cases::new("modes 3.13.2 (source x optimize level)");
    cases.ran_n(checked);
    cases.finish(FLOOR);
}

#[test]
fn eval_single_and_exec_fixtures_match_cpython_3_14_2() {
    let checked = check_fixtures(Release::V3_14_2, Some("3.14.2"), "");
    let mut cases = pycode_testkit::Cases::new("modes 3.14.2 (source x optimize level)");
    cases.ran_n(checked);
    cases.finish(FLOOR);
}

#[test]
fn eval_single_and_exec_fixtures_match_cpython_3_15_0rc1() {
    let checked = check_fixtures(Release::V3_15_0rc1, Some("3.15.0rc1"), "");
    let mut cases = pycode_testkit::Cases::new("modes 3.15.0rc1 (source x optimize level)");
    cases.ran_n(checked);
    cases.finish(FLOOR);
}

#[test]
fn eval_single_and_exec_fixtures_match_cpython_3_11_7() {
    let checked = check_fixtures(Release::V3_11_7, None, ".3.11.7");
    let mut cases = pycode_testkit::Cases::new("modes 3.11.7 (source x optimize level)");
    cases.ran_n(checked);
    cases.finish(FLOOR_3_11);
}

#[test]
fn eval_single_and_exec_fixtures_match_cpython_3_11_2() {
    let checked = check_fixtures(Release::V3_11_2, None, ".3.11.2");
    let mut cases = pycode_testkit::Cases::new("modes 3.11.2 (source x optimize level)");
    cases.ran_n(checked);
    cases.finish(FLOOR_3_11);
}
