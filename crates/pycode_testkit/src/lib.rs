//! `pycode_testkit`: what every data-driven test of pycode uses so that it cannot pass by
//! accident — by finding no fixtures, or by skipping cases nobody sees.
//!
//! A test makes a [`Cases`], records each case it checked ([`Cases::ran`]) and each case it
//! could not check with the reason ([`Cases::skip`]), then calls [`Cases::finish`]:
//!
//! * the number of cases checked must be at least the test's floor (the count when the floor
//!   was last raised), so an emptied, moved or mis-filtered fixture directory fails;
//! * every skipped case must be listed, with its reason, in a committed skip-list file, and the
//!   number of skips may not exceed the test's ceiling; with [`SkipList::exact`] a listed case
//!   that is no longer skipped fails too (remove it from the list).
//!
//! This is test-support code: it panics (through `assert!`) by design.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The files directly inside `dir` whose names end with `suffix`, sorted. Panics when the
/// directory cannot be read (a missing fixture directory is a failure, not zero cases).
pub fn files(dir: impl AsRef<Path>, suffix: &str) -> Vec<PathBuf> {
    let dir = dir.as_ref();
    let rd = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("fixture directory {}: {e}", dir.display()));
    let mut out: Vec<PathBuf> = rd
        .map(|e| e.unwrap_or_else(|e| panic!("fixture directory {}: {e}", dir.display())).path())
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.ends_with(suffix)))
        .collect();
    out.sort();
    out
}

/// A committed list of the cases a test may skip: one `CASE | REASON` per line, `#` comments.
#[derive(Debug, Clone)]
pub struct SkipList {
    path: PathBuf,
    max: usize,
    exact: bool,
}

impl SkipList {
    /// Skips allowed only when listed in `path`; at most `max` of them (the ratchet: lower it
    /// when cases come back, never raise it silently).
    pub fn new(path: impl Into<PathBuf>, max: usize) -> Self {
        SkipList { path: path.into(), max, exact: false }
    }

    /// Also fail when a listed case was not skipped (the skip reason is gone: drop the line).
    /// Use it when the skips do not depend on the machine the test runs on.
    pub fn exact(mut self) -> Self {
        self.exact = true;
        self
    }

    fn load(&self) -> BTreeMap<String, String> {
        let text = std::fs::read_to_string(&self.path).unwrap_or_else(|e| panic!("skip list {}: {e}", self.path.display()));
        let mut out = BTreeMap::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((case, reason)) = line.split_once(" | ") else {
                panic!("{}:{}: expected `CASE | REASON`", self.path.display(), i + 1);
            };
            assert!(!reason.trim().is_empty(), "{}:{}: a skip needs a reason", self.path.display(), i + 1);
            let dup = out.insert(case.trim().to_string(), reason.trim().to_string());
            assert!(dup.is_none(), "{}:{}: {} listed twice", self.path.display(), i + 1, case.trim());
        }
        out
    }
}

/// The tally of one data-driven test.
#[derive(Debug)]
pub struct Cases {
    name: String,
    ran: usize,
    skipped: BTreeMap<String, String>,
}

impl Cases {
    pub fn new(name: &str) -> Self {
        Cases { name: name.to_string(), ran: 0, skipped: BTreeMap::new() }
    }

    /// One case was checked (whether it passed or not: failures are the test's own business).
    pub fn ran(&mut self) {
        self.ran += 1;
    }

    /// `n` cases were checked.
    pub fn ran_n(&mut self, n: usize) {
        self.ran += n;
    }

    /// A case could not be checked; `reason` says why (it is compared with nothing, only shown).
    pub fn skip(&mut self, case: impl Into<String>, reason: impl Into<String>) {
        self.skipped.insert(case.into(), reason.into());
    }

    pub fn count(&self) -> usize {
        self.ran
    }

    pub fn skipped(&self) -> usize {
        self.skipped.len()
    }

    /// At least `floor` cases checked, and nothing skipped.
    pub fn finish(self, floor: usize) {
        self.finish_inner(floor, None);
    }

    /// At least `floor` cases checked; every skip listed in `skips`, no more than its ceiling.
    pub fn finish_with_skips(self, floor: usize, skips: &SkipList) {
        self.finish_inner(floor, Some(skips));
    }

    fn finish_inner(self, floor: usize, skips: Option<&SkipList>) {
        let name = &self.name;
        eprintln!("{name}: {} cases checked (floor {floor}), {} skipped", self.ran, self.skipped.len());
        assert!(
            self.ran >= floor,
            "{name}: only {} cases checked, the floor is {floor} (fixtures missing, moved or filtered out?)",
            self.ran
        );
        let Some(list) = skips else {
            assert!(self.skipped.is_empty(), "{name}: {} cases skipped and no skip list: {:?}", self.skipped.len(), self.skipped);
            return;
        };
        let listed = list.load();
        let mut problems = String::new();
        for (case, reason) in &self.skipped {
            if !listed.contains_key(case) {
                let _ = writeln!(problems, "  skipped but not listed in {}: {case} | {reason}", list.path.display());
            }
        }
        if list.exact {
            for case in listed.keys() {
                if !self.skipped.contains_key(case) {
                    let _ = writeln!(problems, "  listed in {} but no longer skipped (drop the line): {case}", list.path.display());
                }
            }
        }
        assert!(problems.is_empty(), "{name}: skips out of step with the skip list:\n{problems}");
        assert!(
            self.skipped.len() <= list.max && listed.len() <= list.max,
            "{name}: {} skipped, {} listed in {}: the number of skips may not grow past {}",
            self.skipped.len(),
            listed.len(),
            list.path.display(),
            list.max
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[should_panic(expected = "floor is 3")]
    fn too_few_cases_fail() {
        let mut c = Cases::new("t");
        c.ran_n(2);
        c.finish(3);
    }

    #[test]
    #[should_panic(expected = "no skip list")]
    fn unlisted_skip_fails() {
        let mut c = Cases::new("t");
        c.ran();
        c.skip("a", "why");
        c.finish(1);
    }

    #[test]
    fn listed_skips_pass_and_ceiling_holds() {
        let dir = std::env::temp_dir().join(format!("pycode_testkit_{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("skips.txt");
        std::fs::write(&p, "# comment\na | reason one\nb | reason two\n").unwrap();
        let mut c = Cases::new("t");
        c.ran();
        c.skip("a", "x");
        c.skip("b", "y");
        c.finish_with_skips(1, &SkipList::new(&p, 2).exact());
        let mut c = Cases::new("t");
        c.ran();
        c.skip("a", "x");
        let r = std::panic::catch_unwind(move || c.finish_with_skips(1, &SkipList::new(&p, 2).exact()));
        assert!(r.is_err(), "b is listed but not skipped");
        let p2 = dir.join("skips2.txt");
        std::fs::write(&p2, "a | r\nb | r\nc | r\n").unwrap();
        let mut c = Cases::new("t");
        c.ran();
        c.skip("a", "x");
        let r = std::panic::catch_unwind(move || c.finish_with_skips(1, &SkipList::new(&p2, 2)));
        assert!(r.is_err(), "three listed, ceiling two");
        assert!(files(&dir, ".txt").len() == 2);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
