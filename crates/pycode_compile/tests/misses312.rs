//! 3.12 compile misses found outside the corpora (issue 8, deliverable 7), byte for byte against
//! CPython 3.12.7 and 3.12.1.
//!
//! Every fixture `tests/data/misses312/NAME.py` has references `NAME.py.<release>.O{0,1,2}.marshal`
//! = `marshal.dumps(compile(source, "NAME.py", "exec", dont_inherit=True, optimize=N))` made by
//! CPython 3.12.7 (Pyodide 0.27.7) and 3.12.1 (native), one fresh process per fixture. Regenerate
//! them with `python3 crates/pycode_compile/tests/data/misses312/regen.py` after changing a
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

#[test]
fn misses_found_outside_the_corpora_match_cpython_3_12_7_and_3_12_1() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/misses312");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("tests/data/misses312")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".py") && n != "regen.py" && n != "oracle_misses.py")
        .collect();
    names.sort();
    assert_eq!(names.len(), 7, "fixtures: {names:?}");
    let mut checked = 0;
    let mut failures = Vec::new();
    for release in [Release::V3_12_7, Release::V3_12_1] {
        for name in &names {
            let src = std::fs::read(dir.join(name)).expect("fixture");
            for level in 0u8..=2 {
                let ref_path = dir.join(format!("{name}.{release}.O{level}.marshal"));
                let want = std::fs::read(&ref_path)
                    .unwrap_or_else(|_| panic!("{} missing: run regen.py", ref_path.display()));
                let got = compile_source(&src, name, release, CompileMode::Exec, level)
                    .map_err(|e| e.to_string())
                    .and_then(|(g, root)| {
                        pycode_marshal::dumps_with(&g, root, &DumpOptions::new(release.marshal_version()))
                            .map_err(|e| e.to_string())
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
    assert_eq!(checked, 42);
    assert!(failures.is_empty(), "{}/{checked} differ:\n{}", failures.len(), failures.join("\n"));
}
