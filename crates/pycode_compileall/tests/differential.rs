//! `pycode_compileall` against real `python -m compileall`, run on identical temporary trees:
//! printed lines, exit status, and every file written (path, full bytes, hard-link sharing).
//!
//! The compile step itself is done by the same CPython through `tests/support/compile_server.py`,
//! so this checks the driver (walking, paths, dfile/co_filename, headers, up-to-date checks,
//! errors, hardlinks, output) byte for byte, independently of pycode's own compiler.
//!
//! Interpreters: native 3.11 (`python3`, always there), and 3.12.1 / 3.13.0 under
//! `/root/.pyenv/versions/` when present (skipped cleanly otherwise). One `#[test]` only: it
//! changes the process's working directory.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use pycode_compileall::{run_main, Collect, CompileFailure, Compiled, Compiler, RunEnv, SyntaxErrorInfo};
use pycode_release::Release;

struct Oracle {
    io: Mutex<(std::process::ChildStdin, BufReader<std::process::ChildStdout>)>,
    _child: std::process::Child,
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len() / 2).filter_map(|i| u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()).collect()
}

fn text(s: &str) -> String {
    String::from_utf8_lossy(&unhex(s)).into_owned()
}

fn opt_num(s: &str) -> Option<i64> {
    s.parse().ok()
}

impl Oracle {
    fn start(python: &str) -> Oracle {
        let server = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/compile_server.py");
        let mut child =
            Command::new(python).arg(server).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().expect("start compile server");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = BufReader::new(child.stdout.take().expect("stdout"));
        Oracle { io: Mutex::new((stdin, stdout)), _child: child }
    }
}

impl Compiler for Oracle {
    fn compile(&self, source: &[u8], dfile: &str, _release: Release, optimize: i64) -> Result<Compiled, CompileFailure> {
        let mut io = self.io.lock().expect("lock");
        writeln!(io.0, "{}\t{}\t{}", optimize, hex(dfile.as_bytes()), hex(source)).expect("write");
        io.0.flush().expect("flush");
        let mut line = String::new();
        io.1.read_line(&mut line).expect("read");
        let f: Vec<&str> = line.trim_end_matches('\n').split('\t').collect();
        match f.first().copied() {
            Some("OK") => Ok(Compiled { code: unhex(f[1]), warnings: vec![], header_room: 0 }),
            Some("SYNTAX") => Err(CompileFailure::Syntax(Box::new(SyntaxErrorInfo {
                class: text(f[1]),
                msg: text(f[2]),
                filename: (f[3] != "-").then(|| text(f[3])),
                lineno: opt_num(f[4]),
                offset: opt_num(f[5]),
                end_lineno: opt_num(f[6]),
                end_offset: opt_num(f[7]),
                text: (f[8] != "-").then(|| text(f[8])),
            }))),
            _ => Err(CompileFailure::Other { class: text(f[1]), message: text(f[2]) }),
        }
    }
}

fn set_mtime(p: &Path, secs: u64) {
    let f = std::fs::File::options().write(true).open(p).expect("open for mtime");
    f.set_modified(SystemTime::UNIX_EPOCH + Duration::from_secs(secs)).expect("set mtime");
}

/// The tree every run starts from.
fn build_tree(d: &Path) {
    let files: &[(&str, &[u8])] = &[
        ("pkg/__init__.py", b"x = 1\n"),
        ("pkg/a.py", b"'''Module doc.'''\ndef f(x):\n    '''f doc'''\n    return x + 1\nassert f(1) == 2\n"),
        ("pkg/same.py", b"y = 2\n"),
        ("pkg/sub/b.py", b"import os\nclass C:\n    pass\n"),
        ("pkg/sub/deeper/c.py", b"z = [i for i in range(3)]\n"),
        ("pkg/bad.py", b"x = (\n"),
        ("pkg/bad2.py", b"def f():\n    return 1 +\n"),
        ("pkg/indent.py", b"if 1:\nx = 1\n"),
        ("pkg/tab.py", b"if 1:\n\tx = 1\n        y = 2\n"),
        ("pkg/nul.py", b"x = 1\x00\n"),
        ("pkg/enc.py", b"# -*- coding: klingon -*-\nx = 1\n"),
        ("pkg/badutf8.py", b"x = '\xff'\n"),
        ("pkg/it's.py", b"q = 'quote'\n"),
        ("pkg/sp ace.py", b"s = 1\n"),
        ("pkg/notes.txt", b"not python\n"),
        ("pkg/.py", b"dot = 1\n"),
        ("pkg/__pycache__/junk.py", b"j = 1\n"),
        ("outside.py", b"o = 1\n"),
        ("list.txt", b"pkg/a.py\n  pkg/sub  \n\nmissing\r\npkg/same.py"),
    ];
    for (i, (p, data)) in files.iter().enumerate() {
        let path = d.join(p);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, data).expect("write");
        set_mtime(&path, 1_700_000_000 + i as u64 * 7);
    }
    std::os::unix::fs::symlink("sub", d.join("pkg/lnk_dir")).expect("symlink");
    std::os::unix::fs::symlink("a.py", d.join("pkg/lnk_in.py")).expect("symlink");
    std::os::unix::fs::symlink("../outside.py", d.join("pkg/lnk_out.py")).expect("symlink");
    // Where the .pyc cannot be written: a symlink or a directory in its place (for every cache
    // tag the interpreters use), a FIFO named like a module (never opened: it is not a file),
    // and a `__pycache__` that is a regular file.
    for tag in ["311", "312", "313"] {
        std::fs::create_dir_all(d.join(format!("odd/__pycache__/dir.cpython-{tag}.pyc"))).expect("mkdir");
        std::os::unix::fs::symlink("nowhere", d.join(format!("odd/__pycache__/link.cpython-{tag}.pyc"))).expect("symlink");
    }
    for (p, data) in [
        ("odd/dir.py", "d = 1\n"),
        ("odd/link.py", "l = 1\n"),
        ("odd/ok.py", "k = 1\n"),
        ("odd2/x.py", "x = 2\n"),
        ("odd2/__pycache__", ""),
    ] {
        std::fs::create_dir_all(d.join(p).parent().expect("parent")).expect("mkdir");
        std::fs::write(d.join(p), data).expect("write");
        set_mtime(&d.join(p), 1_700_000_000);
    }
    let fifo = Command::new("mkfifo").arg(d.join("odd/fifo.py")).status();
    assert!(fifo.is_ok_and(|s| s.success()), "mkfifo");
    std::os::unix::fs::symlink("sub", d.join("odd/lnk_dir.py")).expect("symlink");
}

/// Every file the run created: relative path → (bytes, hard-link count).
fn snapshot(d: &Path) -> BTreeMap<String, (Vec<u8>, u64)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![d.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&dir) else { continue };
        for e in rd.flatten() {
            let p = e.path();
            let Ok(m) = std::fs::symlink_metadata(&p) else { continue };
            if m.is_dir() {
                stack.push(p);
            } else if m.is_file() {
                let rel = p.strip_prefix(d).unwrap_or(&p);
                let name = String::from_utf8_lossy(rel.as_os_str().as_bytes()).into_owned();
                if name.ends_with(".pyc") {
                    out.insert(name, (std::fs::read(&p).unwrap_or_default(), m.nlink()));
                }
            }
        }
    }
    out
}

struct Run {
    stdout: String,
    status: i32,
    files: BTreeMap<String, (Vec<u8>, u64)>,
}

struct Scenario {
    name: &'static str,
    /// Argument lists run one after the other on the same tree.
    runs: Vec<Vec<&'static str>>,
    env: Vec<(&'static str, &'static str)>,
    /// Parallel workers: CPython's output is not deterministic; compare `Listing` lines only.
    unordered: bool,
    /// Between runs: bump this file's mtime.
    touch: Option<&'static str>,
}

fn sc(name: &'static str, runs: Vec<Vec<&'static str>>) -> Scenario {
    Scenario { name, runs, env: vec![], unordered: false, touch: None }
}

fn scenarios() -> Vec<Scenario> {
    let mut v = vec![
        sc("plain", vec![vec!["pkg"]]),
        sc("quiet", vec![vec!["-q", "pkg"]]),
        sc("very quiet", vec![vec!["-qq", "pkg"]]),
        sc("no recursion", vec![vec!["-l", "pkg"]]),
        sc("recursion 1", vec![vec!["-r", "1", "pkg"]]),
        sc("-l with -r 0", vec![vec!["-l", "-r", "0", "pkg"]]),
        sc("legacy", vec![vec!["-b", "pkg"]]),
        sc("ddir", vec![vec!["-d", "/ddir", "pkg"]]),
        sc("ddir file and dir", vec![vec!["-d", "/ddir", "pkg/a.py", "pkg/sub"]]),
        sc("strip and prepend", vec![vec!["-s", "pkg", "-p", "/pre", "pkg"]]),
        sc("strip with slash", vec![vec!["-s", "pkg/", "pkg/sub/"]]),
        sc("strip not prefix", vec![vec!["-s", "nomatch/x", "-p", "/pre", "pkg/sub"]]),
        sc("prepend only", vec![vec!["-p", "/pre", "pkg/sub"]]),
        sc("regex", vec![vec!["-x", "bad|indent", "pkg"]]),
        sc("regex anchors", vec![vec!["-x", r"^pkg/s.*\.py$", "pkg"]]),
        sc("opt levels", vec![vec!["-o", "0", "-o", "1", "-o", "2", "pkg/a.py", "pkg/same.py", "pkg/bad.py"]]),
        sc("hardlink dupes", vec![vec!["-o", "2", "-o", "1", "-o", "0", "--hardlink-dupes", "pkg/a.py", "pkg/same.py"]]),
        sc("hardlink -1 and 0", vec![vec!["-o", "-1", "-o", "0", "--hardlink-dupes", "pkg/same.py"]]),
        sc("checked hash", vec![vec!["--invalidation-mode", "checked-hash", "pkg"]]),
        sc("unchecked hash", vec![vec!["--invalidation-mode", "unchecked-hash", "pkg/sub"]]),
        sc("limit symlinks", vec![vec!["-e", "pkg", "pkg"]]),
        sc("limit symlinks sub", vec![vec!["-e", "pkg/sub", "pkg"]]),
        sc("mixed dests", vec![vec!["missing_dir", "pkg/notes.txt", "pkg/a.py", "pkg/lnk_in.py", ""]]),
        sc("file list", vec![vec!["-i", "list.txt", "pkg/sub/deeper"]]),
        sc("missing file list", vec![vec!["-i", "nolist.txt", "pkg"]]),
        sc("bad opt levels", vec![vec!["-o", "5", "pkg/a.py"], vec!["-o", "-2", "pkg/same.py"]]),
        sc("negative workers", vec![vec!["-j", "-1", "pkg/a.py", "pkg"]]),
        sc("up to date", vec![vec!["pkg"], vec!["pkg"], vec!["-q", "pkg"]]),
        sc(
            "hash never up to date",
            vec![vec!["--invalidation-mode", "checked-hash", "pkg/sub"], vec!["--invalidation-mode", "checked-hash", "pkg/sub"]],
        ),
        sc("force", vec![vec!["pkg/sub"], vec!["-f", "pkg/sub"]]),
        sc("dot paths", vec![vec!["./pkg/sub", "pkg//sub/deeper/"]]),
        sc("cwd file", vec![vec!["outside.py"]]),
        sc("pyc path taken", vec![vec!["odd"], vec!["-q", "odd/link.py", "odd/dir.py", "odd/fifo.py"]]),
        // The failing `open` of the temporary file names it, and CPython's name has `id(path)` in it.
        sc("pycache is a file", vec![vec!["-qq", "odd2"], vec!["-qq", "odd2/x.py"]]),
    ];
    v.push(Scenario { touch: Some("pkg/same.py"), ..sc("touched", vec![vec!["pkg"], vec!["pkg"]]) });
    v.push(Scenario { env: vec![("SOURCE_DATE_EPOCH", "1")], ..sc("source date epoch", vec![vec!["pkg/sub"], vec!["pkg/sub"]]) });
    v.push(Scenario { env: vec![("SOURCE_DATE_EPOCH", "")], ..sc("empty source date epoch", vec![vec!["pkg/sub"]]) });
    v.push(Scenario { unordered: true, ..sc("workers", vec![vec!["-j", "2", "pkg"], vec!["-j", "0", "-f", "pkg"]]) });
    v
}

fn fresh_dir(root: &Path, tag: &str) -> PathBuf {
    let d = root.join(tag);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("mkdir");
    d
}

fn run_cpython(python: &str, d: &Path, s: &Scenario) -> Vec<Run> {
    let mut runs = Vec::new();
    for (i, args) in s.runs.iter().enumerate() {
        if i > 0 {
            if let Some(t) = s.touch {
                set_mtime(&d.join(t), 1_800_000_000);
            }
        }
        let mut cmd = Command::new(python);
        cmd.arg("-m").arg("compileall").args(args).current_dir(d);
        cmd.env_remove("SOURCE_DATE_EPOCH").env_remove("PYTHONPYCACHEPREFIX").env_remove("PYTHONDONTWRITEBYTECODE");
        for (k, val) in &s.env {
            cmd.env(k, val);
        }
        let out = cmd.output().expect("run python");
        runs.push(Run {
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            status: out.status.code().unwrap_or(-1),
            files: snapshot(d),
        });
    }
    runs
}

fn run_ours(release: Release, oracle: &Oracle, d: &Path, s: &Scenario) -> Vec<Run> {
    std::env::set_current_dir(d).expect("chdir");
    let mut runs = Vec::new();
    for (i, args) in s.runs.iter().enumerate() {
        if i > 0 {
            if let Some(t) = s.touch {
                set_mtime(&d.join(t), 1_800_000_000);
            }
        }
        let argv: Vec<Vec<u8>> = args.iter().map(|a| a.as_bytes().to_vec()).collect();
        let mut env = RunEnv::empty();
        env.source_date_epoch = s.env.iter().find(|(k, _)| *k == "SOURCE_DATE_EPOCH").map(|(_, v)| (*v).into());
        let rep = Collect::default();
        let status = run_main(&argv, release, env, oracle, &rep);
        let stdout = rep.out.into_inner().unwrap_or_default();
        runs.push(Run { stdout, status, files: snapshot(d) });
    }
    runs
}

/// For parallel runs only the main process's `Listing` lines are comparable, and only as
/// substrings: CPython's workers share the stdout pipe, write `*** ` and each message with separate
/// `print`s from separate buffers, so even lines get split, and output still buffered when a worker
/// exits is lost (seen with 3.11-3.13).
fn same_listing(cpython: &str, ours: &str) -> bool {
    let mine: Vec<&str> = ours.lines().filter(|l| l.starts_with("Listing ")).collect();
    cpython.matches("Listing '").count() == mine.len() && mine.iter().all(|l| cpython.contains(l))
}

/// Runs compared when the floor was last raised with only the required interpreter (native
/// 3.11.7); each optional pyenv interpreter present adds as many again.
const FLOOR: usize = RUNS_PER_INTERPRETER;
const RUNS_PER_INTERPRETER: usize = 48;

#[test]
fn compileall_matches_cpython() {
    let candidates = [
        ("python3", Release::V3_11_7),
        ("/root/.pyenv/versions/3.12.1/bin/python3", Release::V3_12_1),
        ("/root/.pyenv/versions/3.13.0/bin/python3", Release::V3_13_0),
    ];
    let root = std::env::temp_dir().join(format!("pycode_compileall_diff_{}", std::process::id()));
    let mut failures = Vec::new();
    let mut checked_runs = 0;
    let mut checked_files = 0;
    let mut cases = pycode_testkit::Cases::new("compileall differential (runs)");
    let mut interpreters = Vec::new();
    for (python, release) in candidates {
        let version_ok = Command::new(python)
            .args(["-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"])
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim() == release.to_string())
            .unwrap_or(false);
        if !version_ok {
            // Only the pyenv interpreters are optional (tests/differential_skips.txt).
            assert!(release != Release::V3_11_7, "{python} must be CPython 3.11.7 (the native oracle)");
            eprintln!("skipping {release}: {python} is not CPython {release}");
            cases.skip(release.to_string(), format!("{python} is not CPython {release}"));
            continue;
        }
        interpreters.push(release);
        let oracle = Oracle::start(python);
        for s in scenarios() {
            let d = fresh_dir(&root, "cpython");
            build_tree(&d);
            let theirs = run_cpython(python, &d, &s);
            let d2 = fresh_dir(&root, "ours");
            // Same absolute layout is not needed: every path in the scenarios is relative.
            build_tree(&d2);
            let ours = run_ours(release, &oracle, &d2, &s);
            assert_eq!(theirs.len(), ours.len(), "{}: runs", s.name);
            assert_eq!(theirs.len(), s.runs.len(), "{}: runs", s.name);
            for (i, (t, o)) in theirs.iter().zip(ours.iter()).enumerate() {
                checked_runs += 1;
                cases.ran();
                let tag = format!("[{release}] {} run {} {:?}", s.name, i + 1, s.runs[i]);
                let same_out = if s.unordered { same_listing(&t.stdout, &o.stdout) } else { t.stdout == o.stdout };
                if !same_out {
                    failures.push(format!("{tag}: stdout differs\n--- cpython\n{}--- pycode\n{}", t.stdout, o.stdout));
                }
                if t.status != o.status {
                    failures.push(format!("{tag}: exit status cpython {} pycode {}", t.status, o.status));
                }
                let tk: Vec<&String> = t.files.keys().collect();
                let ok: Vec<&String> = o.files.keys().collect();
                if tk != ok {
                    failures.push(format!("{tag}: files differ\n  cpython {tk:?}\n  pycode  {ok:?}"));
                    continue;
                }
                for (k, (tb, tn)) in &t.files {
                    checked_files += 1;
                    let (ob, on) = &o.files[k];
                    if tb.get(..16) != ob.get(..16) {
                        failures.push(format!("{tag}: {k}: header cpython {:02x?} pycode {:02x?}", tb.get(..16), ob.get(..16)));
                    } else if tb != ob {
                        failures.push(format!("{tag}: {k}: code bytes differ ({} vs {} bytes)", tb.len(), ob.len()));
                    }
                    if tn != on {
                        failures.push(format!("{tag}: {k}: link count cpython {tn} pycode {on}"));
                    }
                }
            }
        }
    }
    let _ = std::env::set_current_dir(std::env::temp_dir());
    let _ = std::fs::remove_dir_all(&root);
    eprintln!("compared {checked_runs} runs, {checked_files} .pyc files on {interpreters:?}");
    assert!(failures.is_empty(), "{} differences:\n{}", failures.len(), failures.join("\n"));
    assert!(checked_files > 0, "no .pyc file compared");
    assert_eq!(checked_runs, RUNS_PER_INTERPRETER * interpreters.len(), "every scenario run on every interpreter");
    let skips = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/differential_skips.txt");
    cases.finish_with_skips(FLOOR, &pycode_testkit::SkipList::new(skips, 2));
}
