//! `pycode ast`.

use std::process::ExitCode;

pub fn run(_args: &[String]) -> ExitCode {
    eprintln!("pycode ast: not built yet");
    ExitCode::from(2)
}
