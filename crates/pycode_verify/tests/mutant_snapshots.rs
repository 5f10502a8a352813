//! The committed evidence of tools/verify_mutants.py (conformance/verify-mutants/<release>.txt):
//! for each native release, at least 100,000 mutants, none that the verifier accepted crashed
//! CPython, and at least 99 % of the benign mutants accepted. A snapshot that claims otherwise
//! fails here.

use std::path::Path;

/// The number right after `label` in `text` (e.g. "of which the verifier accepted: 0").
fn number_after(text: &str, label: &str) -> Option<u64> {
    let at = text.find(label)? + label.len();
    let digits: String = text.get(at..)?.trim_start().chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

#[test]
fn committed_mutant_snapshots_hold_the_claim() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../conformance/verify-mutants");
    let mut checked = 0;
    for release in ["3.11.7", "3.12.1", "3.13.0"] {
        let path = dir.join(format!("{release}.txt"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let first = text.lines().next().unwrap_or_default();
        assert!(first.starts_with(&format!("verify mutants under CPython {release}:")), "{release}: {first}");
        let count = number_after(first, ":").unwrap_or(0);
        assert!(count >= 100_000, "{release}: only {count} mutants");
        let accepted_crashes = number_after(&text, "of which the verifier accepted:");
        assert_eq!(accepted_crashes, Some(0), "{release}: accepted mutants crashed CPython");
        let benign = text.lines().find(|l| l.starts_with("benign mutants")).unwrap_or_default();
        let (ok, all) = benign
            .rsplit_once(": ")
            .and_then(|(_, r)| r.split_whitespace().next())
            .and_then(|r| r.split_once('/'))
            .and_then(|(a, b)| Some((a.parse::<u64>().ok()?, b.parse::<u64>().ok()?)))
            .unwrap_or((0, 1));
        assert!(all > 0 && ok * 100 >= all * 99, "{release}: benign acceptance {ok}/{all} is below 99 %");
        checked += 1;
    }
    assert_eq!(checked, 3);
}
