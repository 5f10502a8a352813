//! `pycode`: the command-line tool. The only crate that prints or exits.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("--version") => {
            println!("pycode {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("usage: pycode <dis|info|ast|compile|compileall> ...");
            ExitCode::from(2)
        }
    }
}
