//! `pycode ast [--target X] [-m MODE] [-a] [-i N] [--no-type-comments] FILE`: what that release's
//! `python -m ast` prints. Syntax errors are reported as `python -m py_compile FILE` reports them.

use std::io::Write as _;
use std::process::ExitCode;

use pycode_ast::{DumpOptions, PyMinor};
use pycode_parser::Mode;
use pycode_release::Release;

const USAGE: &str = "usage: pycode ast [-h] [--target X] [-m {exec,single,eval,func_type}] [--no-type-comments] [-a] [-i INDENT] FILE";

const HELP: &str = "
Print the AST of FILE exactly as `python -m ast FILE` of the target release does.

options:
  -h, --help            show this help message and exit
  --target X            CPython release (3.11, 3.12, 3.13, 3.14, 3.15 or a full version such as
                        3.11.2 or 3.15.0rc1; default: 3.14.2, the newest final release)
  -m, --mode MODE       exec (default), single, eval or func_type
  --no-type-comments    don't add information about type comments
  -a, --include-attributes
                        include attributes such as line numbers and column offsets
  -i, --indent INDENT   indentation of nodes (number of spaces, default 3)
";

fn usage_error(msg: &str) -> ExitCode {
    eprintln!("{USAGE}\npycode ast: error: {msg}");
    ExitCode::from(2)
}

struct Args {
    release: Release,
    mode: Mode,
    include_attributes: bool,
    indent: i64,
    type_comments: bool,
    file: String,
}

fn parse_args(args: &[String]) -> Result<Args, ExitCode> {
    let mut out =
        Args { release: Release::LATEST, mode: Mode::Exec, include_attributes: false, indent: 3, type_comments: true, file: String::new() };
    let mut file = None;
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
            _ => (a, None),
        };
        let mut value = |name: &str| -> Result<String, ExitCode> {
            if let Some(v) = inline.clone() {
                return Ok(v);
            }
            i += 1;
            args.get(i).cloned().ok_or_else(|| usage_error(&format!("argument {name}: expected one argument")))
        };
        match flag {
            "-h" | "--help" => {
                println!("{USAGE}\n{HELP}");
                return Err(ExitCode::SUCCESS);
            }
            "--target" => {
                let v = value("--target")?;
                out.release = Release::parse(&v).map_err(|e| usage_error(&format!("argument --target: {e}")))?;
            }
            "-m" | "--mode" => {
                let v = value("-m/--mode")?;
                out.mode = Mode::from_name(&v).ok_or_else(|| {
                    usage_error(&format!("argument -m/--mode: invalid choice: '{v}' (choose from 'exec', 'single', 'eval', 'func_type')"))
                })?;
            }
            "-a" | "--include-attributes" => out.include_attributes = true,
            "--no-type-comments" => out.type_comments = false,
            "-i" | "--indent" => {
                let v = value("-i/--indent")?;
                out.indent = v.trim().parse().map_err(|_| usage_error(&format!("argument -i/--indent: invalid int value: '{v}'")))?;
            }
            _ if a.starts_with('-') && a.len() > 1 => return Err(usage_error(&format!("unrecognized arguments: {a}"))),
            _ => {
                if file.is_some() {
                    return Err(usage_error(&format!("unrecognized arguments: {a}")));
                }
                file = Some(a.to_string());
            }
        }
        i += 1;
    }
    out.file = file.ok_or_else(|| usage_error("the following arguments are required: FILE"))?;
    Ok(out)
}

pub fn run(args: &[String]) -> ExitCode {
    let args = match parse_args(args) {
        Ok(a) => a,
        Err(code) => return code,
    };
    let source = match std::fs::read(&args.file) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("pycode ast: error: can't open '{}': {e}", args.file);
            return ExitCode::from(2);
        }
    };
    let minor = PyMinor::from(args.release);
    let opts = pycode_parser::Options::for_release(args.release, args.mode, args.type_comments);
    let indent = if args.indent > 0 { " ".repeat(args.indent as usize) } else { String::new() };
    let dopts = DumpOptions { include_attributes: args.include_attributes, indent: Some(indent), minor };
    // The dump recurses over the tree: give it a deep stack, like the parser has.
    let result = std::thread::Builder::new()
        .stack_size(512 << 20)
        .spawn(move || {
            pycode_parser::parse(&source, &opts).map_err(|e| deep_parse_error(e, minor)).and_then(|tree| dump_as_cpython(&tree, &dopts))
        })
        .map_err(|e| e.to_string())
        .and_then(|h| h.join().map_err(|_| "internal error".to_string()));
    match result {
        Ok(Ok(text)) => {
            let mut out = std::io::stdout().lock();
            let r = out.write_all(text.as_bytes()).and_then(|_| out.write_all(b"\n")).and_then(|_| out.flush());
            match r {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("pycode: cannot write output: {e}");
                    ExitCode::from(1)
                }
            }
        }
        Ok(Err(e)) => {
            eprint!("{}", e.py_compile_text(&args.file, minor));
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("pycode ast: {e}");
            ExitCode::from(1)
        }
    }
}

fn recursion_error(msg: &str) -> pycode_parser::ParseError {
    pycode_parser::ParseError::new(pycode_parser::ErrorKind::RecursionError, msg)
}

/// pycode's own converter stops at a nesting CPython 3.11/3.12 never reach (their construction
/// limit is lower) and 3.13/3.14 reach only after `ast.dump` has given up: say what CPython says.
fn deep_parse_error(e: pycode_parser::ParseError, minor: PyMinor) -> pycode_parser::ParseError {
    if !matches!(e.kind, pycode_parser::ErrorKind::RecursionError) {
        return e;
    }
    match minor {
        PyMinor::Py311 | PyMinor::Py312 => recursion_error("maximum recursion depth exceeded during ast construction"),
        PyMinor::Py313 | PyMinor::Py314 | PyMinor::Py315 => recursion_error("maximum recursion depth exceeded"),
    }
}

/// `python -m ast` runs `ast.parse` then `ast.dump` inside CPython, whose recursion limits stop
/// a deep tree with a `RecursionError`. Measured with `python -m ast` of each release on chains
/// such as `x = a.b.b…`, `a()()…`, `a+a+…` (Python recursion limit 1000):
/// * `ast2obj` ("during ast construction") allows trees nested at most
///   `pycode_ast::ast_construction_limit` deep;
/// * `ast.dump`'s `_format` then allows `pycode_ast::dump_frame_limit` frames of its own
///   (see `pycode_ast::dump_limited`). 3.11 names the call it stopped in; the first frame too
///   many being a plain value's repr gives "while getting the repr of an object" there.
fn dump_as_cpython(tree: &pycode_ast::Mod, dopts: &DumpOptions) -> Result<String, pycode_parser::ParseError> {
    let minor = dopts.minor;
    let (text, depths) = pycode_ast::dump_limited(tree, dopts, pycode_ast::dump_frame_limit(minor));
    if depths.nodes > pycode_ast::ast_construction_limit(minor) {
        return Err(recursion_error("maximum recursion depth exceeded during ast construction"));
    }
    match depths.frames_exceeded {
        None => Ok(text),
        Some(true) if minor == PyMinor::Py311 => {
            Err(recursion_error("maximum recursion depth exceeded while getting the repr of an object"))
        }
        Some(_) => Err(recursion_error("maximum recursion depth exceeded")),
    }
}
