//! The command lines of `pycode compile` / `pycode compileall` as a user meets them: pycode's
//! `--target` / `--python` anywhere, `--help` listing them first, and `pycode compile` answering
//! like `python -m py_compile` (usage errors, `-q`, `-` for names on stdin, OS errors as Python
//! prints them). The Python side is the machine's `python3` (3.11.7), whose `py_compile` command
//! line is the same as 3.12's and 3.13's.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("pycode-cli-options-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    std::fs::write(dir.join("ok.py"), "x = 1\n").expect("write ok.py");
    std::fs::write(dir.join("bad.py"), "x = (\n").expect("write bad.py");
    dir
}

fn run(dir: &Path, program: &str, args: &[&str], stdin: &str) -> Output {
    let mut cmd = Command::new(program);
    cmd.current_dir(dir).args(args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("{program}: {e}"));
    if let Some(mut i) = child.stdin.take() {
        i.write_all(stdin.as_bytes()).expect("stdin");
    }
    child.wait_with_output().expect("wait")
}

fn pycode(dir: &Path, args: &[&str], stdin: &str) -> Output {
    run(dir, env!("CARGO_BIN_EXE_pycode"), args, stdin)
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The 4-byte magic at the start of the one `.pyc` under `dir/__pycache__`.
fn magic_in(dir: &Path) -> Vec<u8> {
    let cache = dir.join("__pycache__");
    let mut found: Vec<PathBuf> = std::fs::read_dir(&cache).expect("__pycache__").flatten().map(|e| e.path()).collect();
    found.sort();
    assert_eq!(found.len(), 1, "{found:?}");
    let bytes = std::fs::read(&found[0]).expect("pyc");
    bytes.get(..4).expect("header").to_vec()
}

#[test]
fn target_is_accepted_anywhere_in_compileall() {
    let dir = scratch("compileall");
    std::fs::remove_file(dir.join("bad.py")).expect("rm");
    // After compileall's own options and after the directory.
    for args in [&["compileall", "-q", "--target", "3.12.1", "."][..], &["compileall", "-q", ".", "--target=3.12.1", "-f"][..]] {
        let out = pycode(&dir, args, "");
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        assert_eq!(magic_in(&dir), [0xcb, 0x0d, 0x0d, 0x0a], "{args:?}: 3.12.1's magic (3531)");
    }
    let out = pycode(&dir, &["compileall", "-q", "-f", ".", "--target", "3.12.7"], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(magic_in(&dir), [0xcb, 0x0d, 0x0d, 0x0a], "3.12.7 shares 3.12.1's magic");
    // Before the command too (`pycode --target 3.13 compileall ...`).
    std::fs::remove_dir_all(dir.join("__pycache__")).expect("rm __pycache__");
    for args in [&["--target", "3.13", "compileall", "-q", "."][..], &["--target=3.13.0", "compileall", "-q", "-f", "."][..]] {
        let out = pycode(&dir, args, "");
        assert!(out.status.success(), "{args:?}: {}", text(&out.stderr));
        assert_eq!(magic_in(&dir), [0xf3, 0x0d, 0x0d, 0x0a], "{args:?}: 3.13's magic (3571)");
    }
    // After `--` it is a file name, as argparse would have it (`python3 -m compileall` says the
    // same and exits 0).
    let out = pycode(&dir, &["compileall", "-q", "--", "--target"], "");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "Can't list '--target'\n");
}

#[test]
fn bad_target_lists_the_valid_ones() {
    let dir = scratch("badtarget");
    for cmd in ["compile", "compileall"] {
        let out = pycode(&dir, &[cmd, "ok.py", "--target", "3.99"], "");
        assert_eq!(out.status.code(), Some(2), "{cmd}");
        let err = text(&out.stderr);
        assert!(err.contains("known releases:") && err.contains("3.12.7"), "{cmd}: {err}");
    }
}

#[test]
fn help_shows_pycode_options_first() {
    let dir = scratch("help");
    for cmd in ["compile", "compileall"] {
        let out = pycode(&dir, &[cmd, "--help"], "");
        assert!(out.status.success(), "{cmd}");
        let help = text(&out.stdout);
        let target = help.find("--target X").unwrap_or_else(|| panic!("{cmd}: no --target in {help}"));
        let python = help.find("--python PATH").unwrap_or_else(|| panic!("{cmd}: no --python in {help}"));
        let usage = help.find("usage:").unwrap_or_else(|| panic!("{cmd}: no usage in {help}"));
        assert!(target < usage && python < usage, "{cmd}: pycode's options must come first:\n{help}");
        assert!(help.contains("(default: 3."), "{cmd}: the default target is stated:\n{help}");
    }
}

#[test]
fn python_option_takes_the_target_from_an_interpreter() {
    let dir = scratch("python");
    let out = pycode(&dir, &["compile", "--python", "/nonexistent/python3", "ok.py"], "");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("[Errno 2] No such file or directory: '/nonexistent/python3'"), "{}", text(&out.stderr));
}

/// `pycode compile ARGS` and `python3 -m py_compile ARGS` give the same exit status and stderr.
#[test]
fn compile_answers_like_py_compile() {
    let cases: &[(&[&str], &str)] = &[
        (&[], ""),
        (&["-x", "ok.py"], ""),
        (&["nonexistent.py"], ""),
        (&["-q", "nonexistent.py"], ""),
        (&["bad.py"], ""),
        (&["-q", "bad.py"], ""),
        (&["ok.py", "--quiet"], ""),
        (&["-"], "ok.py\nbad.py\n"),
        (&["-"], "ok.py\n"),
    ];
    let mut ran = 0;
    for (args, stdin) in cases {
        let ours_dir = scratch(&format!("pyc-ours-{ran}"));
        let theirs_dir = scratch(&format!("pyc-theirs-{ran}"));
        let mut ours_args = vec!["compile", "--target", "3.12.7"];
        ours_args.extend_from_slice(args);
        let ours = pycode(&ours_dir, &ours_args, stdin);
        let mut py_args = vec!["-m", "py_compile"];
        py_args.extend_from_slice(args);
        let theirs = run(&theirs_dir, "python3", &py_args, stdin);
        assert_eq!(ours.status.code(), theirs.status.code(), "{args:?}: exit status; ours: {}", text(&ours.stderr));
        assert_eq!(text(&ours.stderr), text(&theirs.stderr), "{args:?}: stderr");
        assert_eq!(ours_dir.join("__pycache__").exists(), theirs_dir.join("__pycache__").exists(), "{args:?}: .pyc written");
        ran += 1;
    }
    assert_eq!(ran, cases.len());
    assert_eq!(ran, 9);
}
