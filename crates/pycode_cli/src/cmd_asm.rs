//! `pycode asm` (text → `.pyc`) and `pycode dis --asm` (`.pyc` → text); docs/asm.md.

use std::process::ExitCode;

use pycode_release::Release;

const ASM_USAGE: &str = "usage: pycode asm [-h] [--target X.Y.Z] FILE.s -o FILE.pyc
       pycode asm --roundtrip [--target X.Y.Z] FILE.pyc...";
const ASM_HELP: &str = "
Assemble the text format of docs/asm.md (what `pycode dis --asm` prints) into a .pyc.

options:
  -h, --help        show this help message and exit
  -o FILE.pyc       where to write the .pyc (required)
  --target X.Y.Z    the release to assemble for (must share the magic number of .release)
  --roundtrip       for each FILE.pyc: print it as text, assemble the text, and compare the
                    bytes with the file; exit 0 only if every file is reproduced exactly
";

fn usage_error(msg: &str) -> ExitCode {
    eprintln!("{ASM_USAGE}\npycode asm: error: {msg}");
    ExitCode::from(2)
}

fn parse_target(v: &str) -> Result<Release, String> {
    Release::parse(v).map_err(|e| format!("argument --target: {e}"))
}

/// `pycode dis --asm [--target X] FILE.pyc`
pub fn run_dis_asm(args: &[String]) -> ExitCode {
    let mut target = None;
    let mut file = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--asm" => {}
            "--target" => match it.next().map(|v| parse_target(v)) {
                Some(Ok(r)) => target = Some(r),
                Some(Err(e)) => return usage_error(&e),
                None => return usage_error("argument --target: expected one argument"),
            },
            s if s.starts_with("--target=") => match parse_target(s.strip_prefix("--target=").unwrap_or_default()) {
                Ok(r) => target = Some(r),
                Err(e) => return usage_error(&e),
            },
            s if s.starts_with('-') => return usage_error(&format!("dis --asm: unrecognized arguments: {s}")),
            s => {
                if file.replace(s).is_some() {
                    return usage_error(&format!("dis --asm: unrecognized arguments: {s}"));
                }
            }
        }
    }
    let Some(path) = file else { return usage_error("dis --asm: the following arguments are required: FILE.pyc") };
    let data = match std::fs::read(path) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("pycode dis: {path}: {e}");
            return ExitCode::from(1);
        }
    };
    match pycode_asm::disassemble_pyc(&data, target) {
        Ok(text) => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            if out.write_all(text.as_bytes()).and_then(|_| out.flush()).is_err() {
                return ExitCode::from(1);
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("pycode dis: {path}: {e}");
            ExitCode::from(1)
        }
    }
}

/// `pycode asm`
pub fn run(args: &[String]) -> ExitCode {
    let mut target = None;
    let mut out: Option<&str> = None;
    let mut files: Vec<&str> = Vec::new();
    let mut roundtrip = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "-h" | "--help" => {
                print!("{ASM_USAGE}\n{ASM_HELP}");
                return ExitCode::SUCCESS;
            }
            "--roundtrip" => roundtrip = true,
            "-o" => match it.next() {
                Some(v) => out = Some(v),
                None => return usage_error("argument -o: expected one argument"),
            },
            "--target" => match it.next().map(|v| parse_target(v)) {
                Some(Ok(r)) => target = Some(r),
                Some(Err(e)) => return usage_error(&e),
                None => return usage_error("argument --target: expected one argument"),
            },
            s if s.starts_with("--target=") => match parse_target(s.strip_prefix("--target=").unwrap_or_default()) {
                Ok(r) => target = Some(r),
                Err(e) => return usage_error(&e),
            },
            s if s.starts_with('-') && s != "-" => return usage_error(&format!("unrecognized arguments: {s}")),
            s => files.push(s),
        }
    }
    if roundtrip {
        return run_roundtrip(&files, target);
    }
    let ([path], Some(out)) = (files.as_slice(), out) else {
        return usage_error("expected one FILE.s and -o FILE.pyc");
    };
    let text = match std::fs::read(path) {
        Ok(d) => match String::from_utf8(d) {
            Ok(t) => t,
            Err(_) => {
                eprintln!("pycode asm: {path}: not UTF-8 text");
                return ExitCode::from(1);
            }
        },
        Err(e) => {
            eprintln!("pycode asm: {path}: {e}");
            return ExitCode::from(1);
        }
    };
    match pycode_asm::assemble(&text, target) {
        Ok(bytes) => match std::fs::write(out, bytes) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("pycode asm: {out}: {e}");
                ExitCode::from(1)
            }
        },
        Err(e) => {
            eprintln!("pycode asm: {path}: {e}");
            ExitCode::from(1)
        }
    }
}

fn run_roundtrip(files: &[&str], target: Option<Release>) -> ExitCode {
    if files.is_empty() {
        return usage_error("--roundtrip: the following arguments are required: FILE.pyc");
    }
    let mut failed = 0usize;
    for path in files {
        let data = match std::fs::read(path) {
            Ok(d) => d,
            Err(e) => {
                println!("{path}: error: {e}");
                failed += 1;
                continue;
            }
        };
        let verdict = pycode_asm::disassemble_pyc(&data, target).and_then(|text| {
            let refs = text.lines().filter(|l| l.starts_with(".refs")).count();
            pycode_asm::assemble(&text, target).map(|b| (b, refs))
        });
        match verdict {
            Ok((bytes, refs)) if bytes == data => println!("{path}: identical ({refs} .refs lines)"),
            Ok((bytes, _)) => {
                let at = bytes.iter().zip(data.iter()).position(|(a, b)| a != b).unwrap_or(bytes.len().min(data.len()));
                println!("{path}: differs at byte {at} (assembled {} bytes, file {} bytes)", bytes.len(), data.len());
                failed += 1;
            }
            Err(e) => {
                println!("{path}: error: {e}");
                failed += 1;
            }
        }
    }
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
