//! What an installer does after unpacking a wheel: byte-compile every module of the unpacked
//! tree for the target interpreter, in parallel, without running Python.
//!
//!     cargo run --release -p pycode --example install_wheel -- SITE_PACKAGES_DIR [TARGET]
//!
//! TARGET is a release such as `3.12` or `3.13.2` (default: 3.12). Prints what `compileall`
//! would print for files that fail, and a summary line; exits 1 when a file failed.

use std::path::PathBuf;
use std::process::ExitCode;

use pycode::{compile_tree, Release, TreeOptions};

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let Some(dir) = args.next().map(PathBuf::from) else {
        eprintln!("usage: install_wheel DIR [TARGET]");
        return ExitCode::from(2);
    };
    let target = args.next().map(|t| t.to_string_lossy().into_owned()).unwrap_or_else(|| "3.12".into());
    let release = match Release::parse(&target) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    if !pycode::can_compile(release) {
        eprintln!("pycode cannot compile for CPython {release} yet");
        return ExitCode::from(2);
    }
    // What pip and uv write: levels 0, 1 and 2 are not all needed; installers usually write 0.
    let mut opts = TreeOptions::new(release);
    opts.quiet = 1;
    opts.workers = 0;
    match compile_tree(&dir, &opts) {
        Ok(report) => {
            print!("{}", report.stdout);
            eprint!("{}", report.stderr);
            println!("compiled {} for CPython {}: {}", dir.display(), release, if report.success { "ok" } else { "with errors" });
            if report.success {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(1)
        }
    }
}
