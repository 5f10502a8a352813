//! The command line parsed as each release's `compileall.main()` parses it. Expected outputs were
//! recorded from the real interpreters by `tests/fixtures/gen_argparse.py` (native 3.11.7, 3.12.1,
//! 3.13.0; Pyodide 3.12.7, 3.13.2, 3.14.2) over `tests/fixtures/argv_cases.txt`.

use pycode_compileall::args::{parse_namespace, prog, Parsed};
use pycode_compileall::{parse_args, ArgsOutcome, InvalidationMode, ParsedArgs};
use pycode_release::Release;

fn py_list(v: &[Vec<u8>]) -> String {
    let items: Vec<String> = v.iter().map(|s| py_repr(s)).collect();
    format!("[{}]", items.join(", "))
}

fn py_repr(s: &[u8]) -> String {
    pycode_compileall::pytext::repr_path(s, Release::V3_12_7)
}

fn opt_repr(s: &Option<Vec<u8>>) -> String {
    s.as_ref().map_or("None".into(), |v| py_repr(v))
}

fn int_repr(v: Option<i64>) -> String {
    v.map_or("None".into(), |n| n.to_string())
}

/// The `ns:` line gen_argparse.py prints (attributes sorted by name).
fn ns_line(ns: &ParsedArgs, opt_given: bool) -> String {
    let mode = match ns.invalidation_mode {
        None => "None",
        Some(InvalidationMode::Timestamp) => "timestamp",
        Some(InvalidationMode::CheckedHash) => "checked-hash",
        Some(InvalidationMode::UncheckedHash) => "unchecked-hash",
    };
    let mode = if mode == "None" { mode.to_owned() } else { format!("'{mode}'") };
    let opt =
        if opt_given { format!("[{}]", ns.opt_levels.iter().map(|n| n.to_string()).collect::<Vec<_>>().join(", ")) } else { "None".into() };
    format!(
        "ns: compile_dest={} ddir={} flist={} force={} hardlink_dupes={} invalidation_mode={} legacy={} limit_sl_dest={} maxlevels={} opt_levels={} prependdir={} quiet={} recursion={} rx={} stripdir={} workers={}",
        py_list(&ns.compile_dest),
        opt_repr(&ns.ddir),
        opt_repr(&ns.flist),
        if ns.force { "True" } else { "False" },
        if ns.hardlink_dupes { "True" } else { "False" },
        mode,
        if ns.legacy { "True" } else { "False" },
        opt_repr(&ns.limit_sl_dest),
        int_repr(ns.maxlevels),
        opt,
        opt_repr(&ns.prependdir),
        ns.quiet,
        int_repr(ns.recursion),
        ns.rx.as_ref().map_or("None".into(), |r| py_repr(r.as_bytes())),
        opt_repr(&ns.stripdir),
        ns.workers,
    )
}

/// What our parser gives for `argv`, in the fixture's format (compile_* lines dropped).
fn render(argv: &[Vec<u8>], release: Release) -> String {
    let mut out = String::new();
    let status = match parse_namespace(argv, release) {
        Err(text) => {
            out.push_str(&text);
            2
        }
        Ok(Parsed::Help(h)) => {
            out.push_str(&h);
            0
        }
        Ok(Parsed::Ns(ns, given)) => {
            out.push_str(&ns_line(&ns, given));
            out.push('\n');
            match parse_args(argv, release) {
                ArgsOutcome::Run(..) => 0,
                ArgsOutcome::Usage(text) => {
                    out.push_str(&text);
                    2
                }
                ArgsOutcome::Help(_) => 99,
                ArgsOutcome::Fatal(_) => 1,
            }
        }
    };
    out.replace(prog(release), "{prog}") + &format!("exit {status}\n")
}

/// Cases checked when the floor was last raised.
const FLOOR: usize = 378;

#[test]
fn argparse_matches_every_release() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
    let mut failures = Vec::new();
    let mut total = 0;
    for release in Release::ALL {
        let path = format!("{dir}/argparse_{release}.txt");
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        for block in text.split("=== ").skip(1) {
            let (case, expected) = block.split_once('\n').unwrap_or((block, ""));
            let mut argv: Vec<Vec<u8>> = case.split(' ').map(|t| if t == "''" { Vec::new() } else { t.as_bytes().to_vec() }).collect();
            if case.ends_with(' ') {
                argv.pop();
            }
            // Drop the stubbed compile_* calls the recorder printed; they follow from the namespace.
            let expected: String = expected
                .lines()
                .filter(|l| !l.starts_with("compile_file ") && !l.starts_with("compile_dir ") && !l.starts_with("compile_path "))
                .map(|l| format!("{l}\n"))
                .collect();
            total += 1;
            let got = render(&argv, release);
            if got != expected {
                failures.push(format!("[{release}] {case:?}\n--- expected\n{expected}--- got\n{got}"));
            }
        }
    }
    assert!(failures.is_empty(), "{} of {total} differ:\n{}", failures.len(), failures.join("\n"));
    let mut cases = pycode_testkit::Cases::new("argparse cases");
    cases.ran_n(total);
    cases.finish(FLOOR);
}
