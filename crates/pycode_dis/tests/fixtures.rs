//! Fixture tests: `.pyc` files written by real CPython of each release, with the `dis` /
//! `show_code` text that release printed for them (see `make_fixtures.py`). pycode must print
//! the same text; the only normalised difference is the address in `<code object … at 0x…>`.

use std::path::{Path, PathBuf};

use pycode_dis::{DisOptions, SetOrder};
use pycode_release::Release;

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("fixtures")
}

/// Replaces the hex address in every ` at 0x…, file ` with `0xADDR`.
fn normalise(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find(" at 0x") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 6..];
        let hex_len = after.bytes().take_while(u8::is_ascii_hexdigit).count();
        if after[hex_len..].starts_with(", file ") {
            out.push_str(" at 0xADDR");
        } else {
            out.push_str(&rest[i..i + 6 + hex_len]);
        }
        rest = &after[hex_len..];
    }
    out.push_str(rest);
    out
}

/// The fixtures of 3.12.7 / 3.13.2 / 3.14.2 come from Pyodide (32-bit hashes).
fn set_order(release: Release) -> SetOrder {
    match release {
        Release::V3_11_2 | Release::V3_11_7 | Release::V3_12_1 | Release::V3_13_0 => SetOrder::Seed0Bits64,
        Release::V3_12_7 | Release::V3_13_2 | Release::V3_14_2 | Release::V3_15_0rc1 => SetOrder::Seed0Bits32,
    }
}

fn first_difference(expected: &str, got: &str) -> String {
    for (i, (a, b)) in expected.lines().zip(got.lines()).enumerate() {
        if a != b {
            return format!("line {}:\n  expected: {a}\n  got:      {b}", i + 1);
        }
    }
    format!("line counts differ: expected {}, got {}", expected.lines().count(), got.lines().count())
}

/// Fixtures checked when the floor was last raised.
const FLOOR: usize = 97;

#[test]
fn fixtures_match_cpython() {
    let mut checked = 0;
    let mut failures = Vec::new();
    for release in Release::ALL {
        let dir = fixtures_dir().join(release.to_string());
        let mut entries: Vec<_> =
            std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())).map(|e| e.unwrap().path()).collect();
        entries.sort();
        for expected_path in entries {
            let Some(ext) = expected_path.extension().and_then(|e| e.to_str()) else { continue };
            let opts = |c: bool, o: bool, p: bool| DisOptions {
                show_caches: c,
                show_offsets: o,
                show_positions: p,
                set_order: set_order(release),
            };
            let options = match ext {
                "dis" => Some(opts(false, false, false)),
                "dis-C" => Some(opts(true, false, false)),
                "dis-O" => Some(opts(false, true, false)),
                "dis-P" => Some(opts(false, false, true)),
                "info" => None,
                _ => continue,
            };
            let pyc_path = expected_path.with_extension("pyc");
            let data = std::fs::read(&pyc_path).unwrap();
            let pyc = pycode_marshal::read_pyc(&data).unwrap();
            assert_eq!(pyc.release().magic(), release.magic(), "{}", pyc_path.display());
            let got = match options {
                Some(o) => pycode_dis::dis(&pyc.graph, pyc.root, release, &o),
                None => pycode_dis::code_info_all(&pyc.graph, pyc.root, release, set_order(release)),
            };
            let expected = std::fs::read_to_string(&expected_path).unwrap();
            checked += 1;
            match got {
                Ok(text) if normalise(&text) == normalise(&expected) => {}
                Ok(text) => {
                    failures.push(format!("{}: {}", expected_path.display(), first_difference(&normalise(&expected), &normalise(&text))))
                }
                Err(e) => failures.push(format!("{}: error {e}", expected_path.display())),
            }
        }
    }
    assert!(failures.is_empty(), "{} of {checked} fixtures differ:\n{}", failures.len(), failures.join("\n"));
    let mut cases = pycode_testkit::Cases::new("dis fixtures");
    cases.ran_n(checked);
    cases.finish(FLOOR);
}

#[test]
fn options_a_release_lacks_are_errors() {
    let data = std::fs::read(fixtures_dir().join("3.12.1").join("basics.pyc")).unwrap();
    let pyc = pycode_marshal::read_pyc(&data).unwrap();
    let o = DisOptions { show_offsets: true, ..DisOptions::default() };
    assert!(pycode_dis::dis(&pyc.graph, pyc.root, Release::V3_12_1, &o).is_err());
    let p = DisOptions { show_positions: true, ..DisOptions::default() };
    assert!(pycode_dis::dis(&pyc.graph, pyc.root, Release::V3_13_0, &p).is_err());
}

#[test]
fn every_truncation_of_a_pyc_is_handled() {
    // Whatever the marshal reader accepts, the disassembler must not panic on.
    let data = std::fs::read(fixtures_dir().join("3.14.2").join("flow.pyc")).unwrap();
    for cut in (16..data.len()).step_by(7) {
        if let Ok(pyc) = pycode_marshal::read_pyc(&data[..cut]) {
            let _ = pycode_dis::dis(&pyc.graph, pyc.root, Release::V3_14_2, &DisOptions::default());
        }
    }
}
