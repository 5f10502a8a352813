//! `pycode dis` and `pycode info`.

use std::io::Write as _;
use std::process::ExitCode;

use pycode_dis::{DisOptions, SetOrder};
use pycode_release::Release;

const DIS_USAGE: &str = "usage: pycode dis [-h] [-C] [-O] [-P] [--target X.Y.Z] [--set-order ORDER] FILE.pyc";
const INFO_USAGE: &str = "usage: pycode info [-h] [--target X.Y.Z] [--set-order ORDER] FILE.pyc";
const TABLES_USAGE: &str = "usage: pycode tables [-h] [--target X.Y.Z] FILE.pyc";

const DIS_HELP: &str = "
Disassemble FILE.pyc exactly as `dis.dis(code)` of the CPython release that wrote it
(chosen from the file's magic number).

options:
  -h, --help            show this help message and exit
  -C, --show-caches     show inline caches (`show_caches=True`)
  -O, --show-offsets    show instruction offsets (3.13+)
  -P, --show-positions  show instruction positions (3.14+)
  --target X.Y.Z        the release that wrote the file, where several share its magic
                        number (default: the newest of them)
  --set-order ORDER     order of frozenset elements: `64` (default; as a 64-bit CPython with
                        PYTHONHASHSEED=0), `32` (as a 32-bit one, e.g. Pyodide) or `marshal`
";

fn usage_error(usage: &str, cmd: &str, msg: &str) -> ExitCode {
    eprintln!("{usage}\npycode {cmd}: error: {msg}");
    ExitCode::from(2)
}

fn write_stdout(text: &str) -> ExitCode {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("pycode: cannot write output: {e}");
            ExitCode::from(1)
        }
    }
}

/// Reads and parses a `.pyc`; `Err` holds the exit code after the message was printed.
fn load(cmd: &str, path: &str) -> Result<pycode_marshal::Pyc, ExitCode> {
    if path.ends_with(".py") {
        eprintln!("pycode {cmd}: {path}: disassembling source files needs the compiler, which is not built yet; pass a .pyc");
        return Err(ExitCode::from(2));
    }
    let data = std::fs::read(path).map_err(|e| {
        eprintln!("pycode {cmd}: cannot read {path}: {e}");
        ExitCode::from(1)
    })?;
    pycode_marshal::read_pyc(&data).map_err(|e| {
        eprintln!("pycode {cmd}: {path}: {e}");
        ExitCode::from(1)
    })
}

/// Options shared by `dis` and `info`; returns `Ok(true)` if `a` (and maybe the next
/// argument) was consumed.
struct Common {
    target: Option<Release>,
    set_order: SetOrder,
}

fn parse_common<'a>(
    a: &'a str,
    rest: &mut impl Iterator<Item = &'a String>,
    c: &mut Common,
) -> Result<bool, String> {
    let (name, inline) = match a.split_once('=') {
        Some((n, v)) if n.starts_with("--") => (n, Some(v)),
        _ => (a, None),
    };
    if name != "--target" && name != "--set-order" {
        return Ok(false);
    }
    let value = match inline {
        Some(v) => v,
        None => rest.next().map(String::as_str).ok_or(format!("argument {name}: expected one argument"))?,
    };
    if name == "--target" {
        c.target = Some(Release::parse(value).map_err(|e| format!("argument --target: {e}"))?);
    } else {
        c.set_order = match value {
            "64" => SetOrder::Seed0Bits64,
            "32" => SetOrder::Seed0Bits32,
            "marshal" => SetOrder::Marshal,
            other => return Err(format!("argument --set-order: invalid choice: '{other}' (choose from '64', '32', 'marshal')")),
        };
    }
    Ok(true)
}

/// The release to use: the file's, or `--target` when it has the same magic number.
fn pick_release(cmd: &str, pyc: &pycode_marshal::Pyc, target: Option<Release>) -> Result<Release, ExitCode> {
    let file_release = pyc.release();
    match target {
        None => Ok(file_release),
        Some(t) if t.magic() == file_release.magic() => Ok(t),
        Some(t) => {
            eprintln!(
                "pycode {cmd}: --target {t} does not match the file, whose magic number {} is CPython {}'s",
                file_release.magic(),
                file_release
            );
            Err(ExitCode::from(2))
        }
    }
}

/// Whether the release's `dis` has the option. `python -m dis` of 3.11 and 3.12 has no options,
/// but their `dis.dis` takes `show_caches`, so `-C` is accepted for every release; `-O`
/// (`show_offsets`) needs 3.13 and `-P` (`show_positions`) 3.14, as in `dis.dis`.
fn has_option(release: Release, opt: char) -> bool {
    let (_, minor) = release.minor();
    match opt {
        'C' => true,
        'O' => minor >= 13,
        'P' => minor >= 14,
        _ => false,
    }
}

pub fn run_dis(args: &[String]) -> ExitCode {
    let mut opts = DisOptions::default();
    let mut given: Vec<(char, &str)> = Vec::new();
    let mut file: Option<&str> = None;
    let mut only_positional = false;
    let mut common = Common { target: None, set_order: SetOrder::default() };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let a = a.as_str();
        if !only_positional {
            match parse_common(a, &mut it, &mut common) {
                Ok(true) => continue,
                Ok(false) => {}
                Err(m) => return usage_error(DIS_USAGE, "dis", &m),
            }
        }
        if only_positional || !a.starts_with('-') || a == "-" {
            if file.is_some() {
                return usage_error(DIS_USAGE, "dis", &format!("unrecognized arguments: {a}"));
            }
            file = Some(a);
            continue;
        }
        match a {
            "--" => only_positional = true,
            "-h" | "--help" => {
                print!("{DIS_USAGE}\n{DIS_HELP}");
                return ExitCode::SUCCESS;
            }
            "-C" | "--show-caches" => given.push(('C', a)),
            "-O" | "--show-offsets" => given.push(('O', a)),
            "-P" | "--show-positions" => given.push(('P', a)),
            // Bundled short flags, e.g. `-CO`.
            s if !s.starts_with("--") && s.len() > 2 && s[1..].chars().all(|c| "COP".contains(c)) => {
                for c in s[1..].chars() {
                    given.push((c, s));
                }
            }
            _ => return usage_error(DIS_USAGE, "dis", &format!("unrecognized arguments: {a}")),
        }
    }
    let Some(path) = file else {
        return usage_error(DIS_USAGE, "dis", "the following arguments are required: FILE.pyc");
    };
    let pyc = match load("dis", path) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let release = match pick_release("dis", &pyc, common.target) {
        Ok(r) => r,
        Err(code) => return code,
    };
    opts.set_order = common.set_order;
    for &(c, spelled) in &given {
        if !has_option(release, c) {
            return usage_error(
                DIS_USAGE,
                "dis",
                &format!("unrecognized arguments: {spelled} (`dis` of CPython {release} has no such option)"),
            );
        }
        match c {
            'C' => opts.show_caches = true,
            'O' => opts.show_offsets = true,
            _ => opts.show_positions = true,
        }
    }
    match pycode_dis::dis(&pyc.graph, pyc.root, release, &opts) {
        Ok(text) => write_stdout(&text),
        Err(e) => {
            eprintln!("pycode dis: {path}: {e}");
            ExitCode::from(1)
        }
    }
}

pub fn run_info(args: &[String]) -> ExitCode {
    run_per_code(
        args,
        "info",
        INFO_USAGE,
        "Print dis.show_code for every code object in FILE.pyc (depth-first, in co_consts order).",
        |pyc, release, set_order| pycode_dis::code_info_all(&pyc.graph, pyc.root, release, set_order),
    )
}

pub fn run_tables(args: &[String]) -> ExitCode {
    run_per_code(
        args,
        "tables",
        TABLES_USAGE,
        "Print co_lines(), co_positions() and the exception table (as dis._parse_exception_table\n\
         gives it) of every code object in FILE.pyc, depth-first in co_consts order.",
        |pyc, release, _| pycode_dis::code_tables_all(&pyc.graph, pyc.root, release),
    )
}

/// The shared driver of `info` and `tables`: one FILE.pyc, text for every code object in it.
fn run_per_code(
    args: &[String],
    name: &str,
    usage: &str,
    help: &str,
    render: impl Fn(&pycode_marshal::Pyc, Release, SetOrder) -> Result<String, pycode_dis::DisError>,
) -> ExitCode {
    let mut file: Option<&str> = None;
    let mut common = Common { target: None, set_order: SetOrder::default() };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match parse_common(a, &mut it, &mut common) {
            Ok(true) => continue,
            Ok(false) => {}
            Err(m) => return usage_error(usage, name, &m),
        }
        match a.as_str() {
            "-h" | "--help" => {
                println!("{usage}\n\n{help}");
                return ExitCode::SUCCESS;
            }
            s if s.starts_with('-') && s != "-" => {
                return usage_error(usage, name, &format!("unrecognized arguments: {s}"))
            }
            s => {
                if file.is_some() {
                    return usage_error(usage, name, &format!("unrecognized arguments: {s}"));
                }
                file = Some(s);
            }
        }
    }
    let Some(path) = file else {
        return usage_error(usage, name, "the following arguments are required: FILE.pyc");
    };
    let pyc = match load(name, path) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let release = match pick_release(name, &pyc, common.target) {
        Ok(r) => r,
        Err(code) => return code,
    };
    match render(&pyc, release, common.set_order) {
        Ok(text) => write_stdout(&text),
        Err(e) => {
            eprintln!("pycode {name}: {path}: {e}");
            ExitCode::from(1)
        }
    }
}
