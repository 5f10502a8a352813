//! Compile misses found outside the corpora (issue 8, deliverable 7; first found on 3.12), byte
//! for byte against every release pycode compiles for: CPython 3.12.7, 3.13.2, 3.14.2 (Pyodide),
//! 3.12.1, 3.13.0 (native pyenv), 3.11.7 (native) and 3.11.2 (Debian's).
//!
//! Every fixture `tests/data/misses312/NAME.py` has references `NAME.py.<release>.O{0,1,2}.marshal`
//! = `marshal.dumps(compile(source, "NAME.py", "exec", dont_inherit=True, optimize=N))`, one fresh
//! process per fixture, or `NAME.py.<release>.rejected` when that release rejects the source (3.12
//! syntax under 3.11: the `_311` fixtures hold what 3.11 accepts). Regenerate them with
//! `python3 crates/pycode_compile/tests/data/misses312/regen.py [--release R]` after changing a
//! fixture. Covered: int true division beyond 2**53 and other folds of huge numbers, non-ASCII
//! identifiers as constants (interned), 1-character f-string pieces and merged-piece positions,
//! and 3.12.1's trailing `Constant('')` in format specs that end with a replacement field.

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

/// Known misses, each (release, fixture) at every level; asserted exactly, so a fix shows up
/// here too. None left: 3.13.0's and 3.14.2's debug texts around `!=` (`debug_noteq.py`) follow
/// those releases since `pycode_parser::Options::debug_text_cut_3_13_0` and 3.14's last-`!=` rule.
const KNOWN_MISSES: [(Release, &str); 0] = [];

#[test]
fn misses_found_outside_the_corpora_match_every_release() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/misses312");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("tests/data/misses312")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".py") && n != "regen.py" && n != "oracle_misses.py")
        .collect();
    names.sort();
    assert_eq!(names.len(), 10, "fixtures: {names:?}");
    let mut checked = 0;
    let mut rejected = 0;
    let mut failures = Vec::new();
    let releases =
        [Release::V3_12_7, Release::V3_12_1, Release::V3_11_7, Release::V3_11_2, Release::V3_13_0, Release::V3_13_2, Release::V3_14_2];
    for release in releases {
        for name in &names {
            let src = std::fs::read(dir.join(name)).expect("fixture");
            if dir.join(format!("{name}.{release}.rejected")).exists() {
                // CPython rejects it: so must pycode
                rejected += 1;
                if compile_source(&src, name, release, CompileMode::Exec, 0).is_ok() {
                    failures.push(format!("{release} {name}: CPython rejects it, pycode compiled it"));
                }
                continue;
            }
            for level in 0u8..=2 {
                let ref_path = dir.join(format!("{name}.{release}.O{level}.marshal"));
                let want = std::fs::read(&ref_path).unwrap_or_else(|_| panic!("{} missing: run regen.py", ref_path.display()));
                let got = compile_source(&src, name, release, CompileMode::Exec, level).map_err(|e| e.to_string()).and_then(|(g, root)| {
                    pycode_marshal::dumps_with(&g, root, &DumpOptions::new(release.marshal_version())).map_err(|e| e.to_string())
                });
                checked += 1;
                match got {
                    Ok(got) if got == want => {}
                    Ok(got) => {
                        let at = got.iter().zip(&want).position(|(a, b)| a != b).unwrap_or(got.len().min(want.len()));
                        failures.push(format!(
                            "{release} {name} -O{level}: bytes differ at offset {at} (pycode {} bytes, CPython {})\n\
                             --- CPython\n{}--- pycode\n{}",
                            got.len(),
                            want.len(),
                            dis_text(&want, release),
                            dis_text(&got, release)
                        ));
                    }
                    Err(e) => failures.push(format!("{release} {name} -O{level}: pycode failed: {e}")),
                }
            }
        }
    }
    // 9 fixtures x 7 releases; 3.11.7 and 3.11.2 reject nonascii_names.py and spec_tail.py
    assert_eq!(rejected, 4);
    assert_eq!(checked, (10 * 7 - 4) * 3);
    // every known miss fails at all three levels, nothing else fails
    let mut unexpected = Vec::new();
    let mut known = 0;
    for f in &failures {
        if KNOWN_MISSES.iter().any(|(r, n)| f.starts_with(&format!("{r} {n} -O"))) {
            known += 1;
        } else {
            unexpected.push(f.clone());
        }
    }
    assert!(unexpected.is_empty(), "{}/{checked} differ:\n{}", unexpected.len(), unexpected.join("\n"));
    assert_eq!(known, KNOWN_MISSES.len() * 3, "a known miss is fixed: update KNOWN_MISSES; still failing: {failures:?}");
}
