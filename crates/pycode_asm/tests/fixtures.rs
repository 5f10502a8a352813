//! Data-driven tests of the assembler:
//! * `fixtures/NAME.RELEASE.s` (hand-written or edited text) must assemble to exactly
//!   `fixtures/NAME.RELEASE.pyc`, which that CPython release wrote (`py_compile`, unchecked hash);
//! * every `fixtures/*.pyc` must survive `dis --asm` then `asm` byte for byte;
//! * `errors/*.s` must fail with the message on their first line (`# expect-error: ...`).

use std::path::Path;

use pycode_release::Release;
use pycode_testkit::{files, Cases};

fn dir(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join(name)
}

/// `NAME.RELEASE.ext` → RELEASE.
fn release_of(p: &Path) -> Release {
    let stem = p.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
    let (_, r) = stem.split_once('.').unwrap_or_else(|| panic!("{}: expected NAME.RELEASE.ext", p.display()));
    Release::parse(r).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn text_assembles_to_cpython_bytes() {
    let mut cases = Cases::new("asm fixtures");
    for s in files(dir("fixtures"), ".s") {
        let text = std::fs::read_to_string(&s).unwrap();
        let want = std::fs::read(s.with_extension("pyc")).unwrap_or_else(|e| panic!("{}: reference .pyc: {e}", s.display()));
        let got = pycode_asm::assemble(&text, Some(release_of(&s))).unwrap_or_else(|e| panic!("{}: {e}", s.display()));
        assert!(got == want, "{}: assembled bytes differ from CPython's", s.display());
        let (_, violations) = pycode_verify::verify_pyc(&got).unwrap();
        assert!(violations.is_empty(), "{}: pycode verify rejects it: {violations:?}", s.display());
        cases.ran();
    }
    cases.finish(5);
}

#[test]
fn pyc_round_trip() {
    let mut cases = Cases::new("asm round trip");
    for p in files(dir("fixtures"), ".pyc") {
        let data = std::fs::read(&p).unwrap();
        let r = release_of(&p);
        let text = pycode_asm::disassemble_pyc(&data, Some(r)).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        let back = pycode_asm::assemble(&text, Some(r)).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        assert!(back == data, "{}: round trip differs", p.display());
        // The text of the assembled file is the same text.
        assert_eq!(pycode_asm::disassemble_pyc(&back, Some(r)).unwrap(), text, "{}", p.display());
        cases.ran();
    }
    cases.finish(6);
}

#[test]
fn errors_name_the_line() {
    let mut cases = Cases::new("asm errors");
    for s in files(dir("errors"), ".s") {
        let text = std::fs::read_to_string(&s).unwrap();
        let want = text
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# expect-error: "))
            .unwrap_or_else(|| panic!("{}: no expect-error line", s.display()));
        match pycode_asm::assemble(&text, None) {
            Ok(_) => panic!("{}: assembled, expected an error", s.display()),
            Err(e) => assert_eq!(e.to_string(), want, "{}", s.display()),
        }
        cases.ran();
    }
    cases.finish(10);
}

/// Bad input never panics: every prefix of every fixture text, and some mangled lines.
#[test]
fn no_panic_on_damaged_text() {
    let mut cases = Cases::new("asm damaged text");
    for s in files(dir("fixtures"), ".s").into_iter().chain(files(dir("errors"), ".s")) {
        let text = std::fs::read_to_string(&s).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for n in 0..=lines.len() {
            let _ = pycode_asm::assemble(&lines[..n].join("\n"), None);
            let mut damaged: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
            if let Some(l) = damaged.get_mut(n) {
                let cut = l.char_indices().map(|(i, _)| i).nth(l.chars().count() / 2).unwrap_or(0);
                l.truncate(cut);
                let _ = pycode_asm::assemble(&damaged.join("\n"), None);
            }
            cases.ran();
        }
    }
    cases.finish(100);
}

/// Damaged `.pyc` files never make the printer or the assembler panic: every byte of every
/// fixture `.pyc` replaced by 0 and by 255; what still prints must assemble or fail cleanly.
#[test]
fn no_panic_on_damaged_pyc() {
    let mut cases = Cases::new("asm damaged pyc");
    for p in files(dir("fixtures"), ".pyc") {
        let data = std::fs::read(&p).unwrap();
        for i in 16..data.len() {
            for v in [0u8, 0xff] {
                let mut d = data.clone();
                d[i] = v;
                if let Ok(text) = pycode_asm::disassemble_pyc(&d, None) {
                    let _ = pycode_asm::assemble(&text, None);
                }
                cases.ran();
            }
        }
    }
    cases.finish(10_000);
}
