//! `pycode dis`.

use std::process::ExitCode;

pub fn run_dis(_args: &[String]) -> ExitCode {
    eprintln!("pycode dis: not built yet");
    ExitCode::from(2)
}

pub fn run_info(_args: &[String]) -> ExitCode {
    eprintln!("pycode info: not built yet");
    ExitCode::from(2)
}
