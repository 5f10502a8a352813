//! `pycode verify FILE.pyc...`: whether the CPython release named by each file's header can load
//! and run its code without breaking an assumption its interpreter does not check
//! (`pycode_verify`). Prints `ok` or every violation; exit 0 only when every file is valid.

use std::process::ExitCode;

const USAGE: &str = "usage: pycode verify [-h] [-q] FILE.pyc [FILE.pyc ...]";

const HELP: &str = "
Check each FILE.pyc for the release its magic number names: opcodes, operands, jumps, stack
depth on every path (exception edges included), exception and line tables, locals and flags.
Prints `FILE: ok` or one line per violation (code object, offset, rule, detail).

options:
  -h, --help   show this help message and exit
  -q, --quiet  print only violations and errors
";

pub fn run(args: &[String]) -> ExitCode {
    if args.iter().any(|a| a == "-h" || a == "--help") {
        println!("{USAGE}\n{HELP}");
        return ExitCode::SUCCESS;
    }
    let quiet = args.iter().any(|a| a == "-q" || a == "--quiet");
    let files: Vec<&String> = args.iter().filter(|a| !a.starts_with('-')).collect();
    if let Some(bad) = args.iter().find(|a| a.starts_with('-') && !matches!(a.as_str(), "-q" | "--quiet")) {
        eprintln!("{USAGE}\npycode verify: error: unrecognized arguments: {bad}");
        return ExitCode::from(2);
    }
    if files.is_empty() {
        eprintln!("{USAGE}\npycode verify: error: the following arguments are required: FILE.pyc");
        return ExitCode::from(2);
    }
    let mut status = 0u8;
    for path in files {
        let data = match std::fs::read(path) {
            Ok(d) => d,
            Err(e) => {
                let text =
                    pycode_compileall::pytext::PyOsError::from_io(&e, Some(path.as_bytes()), None, pycode_release::Release::LATEST).text;
                eprintln!("{path}: error: {text}");
                status = 1;
                continue;
            }
        };
        match pycode_verify::verify_pyc(&data) {
            Err(e) => {
                println!("{path}: invalid: {e}");
                status = 1;
            }
            Ok((release, v)) if v.is_empty() => {
                if !quiet {
                    println!("{path}: ok ({})", release.magic_family());
                }
            }
            Ok((_, v)) => {
                for x in v {
                    println!("{path}: {x}");
                }
                status = 1;
            }
        }
    }
    ExitCode::from(status)
}
