//! `pycode roundtrip FILE.pyc...`: read each `.pyc`, write it back, and report whether the bytes
//! are identical (else the first differing offset). Exit 1 on any difference or error.

use std::process::ExitCode;

const USAGE: &str = "usage: pycode roundtrip [-h] FILE.pyc [FILE.pyc ...]";

const HELP: &str = "
Read each FILE.pyc with pycode's marshal reader and write it back with its writer; print
`identical` or the first differing offset for each file.

options:
  -h, --help  show this help message and exit
";

/// The outcome for one file: `Ok(line)` when identical, `Err(line)` otherwise.
fn check(path: &str) -> Result<String, String> {
    let data = std::fs::read(path).map_err(|e| format!("{path}: error: cannot read: {e}"))?;
    let pyc = pycode_marshal::read_pyc(&data).map_err(|e| format!("{path}: error: {e}"))?;
    let out = pycode_marshal::write_pyc(&pyc.header, &pyc.graph, pyc.root).map_err(|e| format!("{path}: error: cannot write: {e}"))?;
    if out == data {
        return Ok(format!("{path}: identical ({} bytes, {})", data.len(), pyc.release().magic_family()));
    }
    let at = out.iter().zip(&data).position(|(a, b)| a != b).unwrap_or(out.len().min(data.len()));
    Err(format!("{path}: differs at offset {at} (read {} bytes, wrote {})", data.len(), out.len()))
}

pub fn run(args: &[String]) -> ExitCode {
    if args.iter().any(|a| a == "-h" || a == "--help") {
        println!("{USAGE}\n{HELP}");
        return ExitCode::SUCCESS;
    }
    if args.is_empty() {
        eprintln!("{USAGE}\npycode roundtrip: error: the following arguments are required: FILE.pyc");
        return ExitCode::from(2);
    }
    let mut failed = false;
    for path in args {
        match check(path) {
            Ok(line) => println!("{line}"),
            Err(line) => {
                failed = true;
                println!("{line}");
            }
        }
    }
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
