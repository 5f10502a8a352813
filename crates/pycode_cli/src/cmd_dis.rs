//! `pycode dis` and `pycode info`.

use std::io::Write as _;
use std::process::ExitCode;

use pycode_dis::{DisOptions, SetOrder};
use pycode_release::Release;

const DIS_USAGE: &str =
    "usage: pycode dis [-h] [-C] [-O] [-P] [--target X.Y.Z] [--set-order ORDER] [-m exec|eval|single] FILE.pyc|FILE.py|-";
const INFO_USAGE: &str = "usage: pycode info [-h] [--target X.Y.Z] [--set-order ORDER] FILE.pyc";
const TABLES_USAGE: &str = "usage: pycode tables [-h] [--target X.Y.Z] FILE.pyc";

const DIS_HELP: &str = "
Disassemble FILE.pyc exactly as `dis.dis(code)` of the CPython release that wrote it
(chosen from the file's magic number), or compile FILE.py (`-` reads the source from stdin)
and disassemble it as `python -m dis FILE.py` of the --target release does
(`dis.dis(compile(source, FILE, 'exec'))`).

options:
  -h, --help            show this help message and exit
  -C, --show-caches     show inline caches (`show_caches=True`)
  -O, --show-offsets    show instruction offsets (3.13+)
  -P, --show-positions  show instruction positions (3.14+)
  --target X.Y.Z        the release that wrote the file, where several share its magic
                        number (default: the newest of them)
  --set-order ORDER     order of frozenset elements: `64` (default; as a 64-bit CPython with
                        PYTHONHASHSEED=0), `32` (as a 32-bit one, e.g. Pyodide) or `marshal`
  -m, --mode MODE       treat FILE as source and compile it in `compile()` mode `exec`
                        (default), `eval` or `single` (not an option of `python -m dis`)

For source files, --target is the release to compile for (default: the newest 3.12).
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

/// The release `pycode dis FILE.py` compiles for without `--target`.
const DEFAULT_SOURCE_TARGET: Release = Release::V3_12_7;

/// `compile(source, name, mode)` as `python -m dis` does it (`name` is the path as given, or
/// `<stdin>` for `-`); `Err` holds the exit code after the message was printed.
fn compile_for_dis(
    path: &str,
    release: Release,
    mode: pycode_compile::CompileMode,
) -> Result<(pycode_object::ObjectGraph, pycode_object::ObjId), ExitCode> {
    let (source, name) = if path == "-" {
        let mut buf = Vec::new();
        if let Err(e) = std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut buf) {
            eprintln!("pycode dis: cannot read stdin: {e}");
            return Err(ExitCode::from(1));
        }
        (buf, "<stdin>")
    } else {
        match std::fs::read(path) {
            Ok(b) => (b, path),
            Err(e) => {
                eprintln!("pycode dis: cannot read {path}: {e}");
                return Err(ExitCode::from(1));
            }
        }
    };
    pycode_compile::compile_source_in_memory(&source, name, release, mode, 0).map_err(|e| {
        match e {
            pycode_compile::CompileError::Parse(p) => {
                eprintln!("  File \"{name}\", line {}\n{}: {}", p.lineno, p.kind.name(), p.msg)
            }
            pycode_compile::CompileError::Compile(c) => {
                eprintln!("  File \"{name}\", line {}\n{}: {}", c.lineno, c.kind.name(), c.msg)
            }
            other => eprintln!("pycode dis: {name}: {other}"),
        }
        ExitCode::from(1)
    })
}

/// The order a frozenset constant of freshly compiled code iterates in. Constant folding adds
/// the elements in source order; `merge_consts_recursive` rebuilds the set from that set's
/// iteration order; `intern_string_constants` (code object creation) rebuilds it once more from
/// the new iteration order if interning replaced one of its strings by an already interned
/// equal string — approximated as: an element made of name characters that is also an
/// identifier of the module (the parser interned those) or a builtin constant's name (interned
/// at start-up). `dis` models a set built by adding
/// the listed elements, so each frozenset is given the order of the set it is rebuilt from.
fn as_rebuilt_by_compiler(g: &mut pycode_object::ObjectGraph, release: Release, order: SetOrder) {
    use pycode_object::{Obj, ObjId};
    let Some(h) = order.hasher(release) else { return };
    let mut identifiers: std::collections::HashSet<Vec<u8>> = ["True", "False", "None"].iter().map(|s| s.as_bytes().to_vec()).collect();
    let str_bytes = |g: &pycode_object::ObjectGraph, id: ObjId| match g.get(id) {
        Some(Obj::Str(s)) => Some(s.as_bytes().to_vec()),
        _ => None,
    };
    for i in 0..g.len() {
        if let Some(Obj::Code(c)) = g.get(ObjId(i as u32)) {
            identifiers.extend(str_bytes(g, c.name));
            for t in [c.names, c.localsplusnames] {
                if let Some(Obj::Tuple(items)) = g.get(t) {
                    identifiers.extend(items.iter().filter_map(|&s| str_bytes(g, s)));
                }
            }
        }
    }
    let name_chars = |b: &[u8]| b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_');
    for i in 0..g.len() {
        let id = ObjId(i as u32);
        let items = match g.get(id) {
            Some(Obj::FrozenSet(items)) if items.len() > 1 => items.to_vec(),
            _ => continue,
        };
        let reinterned = items.iter().any(|&e| str_bytes(g, e).is_some_and(|b| name_chars(&b) && identifiers.contains(&b)));
        let Some(first) = h.set_order(g, &items, 0) else { continue };
        let mut ordered: Vec<ObjId> = first.into_iter().map(|(k, _)| k).collect();
        if reinterned {
            match h.set_order(g, &ordered, 0) {
                Some(second) => ordered = second.into_iter().map(|(k, _)| k).collect(),
                None => continue,
            }
        }
        g.set(id, Obj::FrozenSet(ordered.into()));
    }
}

/// Reads and parses a `.pyc`; `Err` holds the exit code after the message was printed.
fn load(cmd: &str, path: &str) -> Result<pycode_marshal::Pyc, ExitCode> {
    if path.ends_with(".py") {
        eprintln!("pycode {cmd}: {path}: pass a .pyc (only `pycode dis` compiles source files)");
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

fn parse_common<'a>(a: &'a str, rest: &mut impl Iterator<Item = &'a String>, c: &mut Common) -> Result<bool, String> {
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
                "pycode {cmd}: --target {t} does not match the file, whose magic number {} is that of CPython {}",
                file_release.magic(),
                file_release.magic_family()
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
    let mut mode: Option<pycode_compile::CompileMode> = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let a = a.as_str();
        if !only_positional {
            match parse_common(a, &mut it, &mut common) {
                Ok(true) => continue,
                Ok(false) => {}
                Err(m) => return usage_error(DIS_USAGE, "dis", &m),
            }
            let mode_arg = match a {
                "-m" | "--mode" => Some(it.next().map(String::as_str)),
                _ => a.strip_prefix("--mode=").map(Some),
            };
            if let Some(value) = mode_arg {
                let Some(value) = value else {
                    return usage_error(DIS_USAGE, "dis", "argument -m/--mode: expected one argument");
                };
                match pycode_compile::CompileMode::from_name(value) {
                    Some(m) => mode = Some(m),
                    None => {
                        return usage_error(
                            DIS_USAGE,
                            "dis",
                            &format!("argument -m/--mode: invalid choice: '{value}' (choose from 'exec', 'eval', 'single')"),
                        )
                    }
                }
                continue;
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
    let is_source = mode.is_some() || path == "-" || path.ends_with(".py") || path.ends_with(".pyw");
    let (graph, root, release) = if is_source {
        let release = common.target.unwrap_or(DEFAULT_SOURCE_TARGET);
        match compile_for_dis(path, release, mode.unwrap_or(pycode_compile::CompileMode::Exec)) {
            Ok((mut g, r)) => {
                as_rebuilt_by_compiler(&mut g, release, common.set_order);
                (g, r, release)
            }
            Err(code) => return code,
        }
    } else {
        let pyc = match load("dis", path) {
            Ok(p) => p,
            Err(code) => return code,
        };
        let release = match pick_release("dis", &pyc, common.target) {
            Ok(r) => r,
            Err(code) => return code,
        };
        (pyc.graph, pyc.root, release)
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
    match pycode_dis::dis(&graph, root, release, &opts) {
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
            s if s.starts_with('-') && s != "-" => return usage_error(usage, name, &format!("unrecognized arguments: {s}")),
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
