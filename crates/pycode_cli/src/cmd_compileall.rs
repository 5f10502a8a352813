//! `pycode compileall [python -m compileall options] [--target X | --python PATH] [FILE|DIR ...]`.
//!
//! Everything except printing lives in `pycode_compileall`; this module wires stdout/stderr, the
//! environment (`SOURCE_DATE_EPOCH`, `PYTHONPYCACHEPREFIX`, and `PYCODE_SYS_PATH` standing in for
//! `sys.path` when no FILE|DIR is given) and the compile backend (`pycode_compile`).

use std::io::{IsTerminal, Write};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use pycode_compileall::{run_main, Reporter, RunEnv};

/// stdout/stderr, with a progress line on stderr when it is a terminal, stdout is not (or is
/// quiet), and the run has lasted over a second.
struct Console {
    out: Mutex<std::io::BufWriter<std::io::Stdout>>,
    progress_ok: bool,
    start: Instant,
    last: Mutex<Option<Instant>>,
    shown: std::sync::atomic::AtomicBool,
}

impl Console {
    fn clear_progress(&self) {
        if self.shown.swap(false, std::sync::atomic::Ordering::Relaxed) {
            eprint!("\r\x1b[K");
        }
    }
}

impl Reporter for Console {
    fn out(&self, text: &str) {
        if let Ok(mut o) = self.out.lock() {
            let _ = o.write_all(text.as_bytes());
        }
    }
    fn err(&self, text: &str) {
        if let Ok(mut o) = self.out.lock() {
            let _ = o.flush();
        }
        self.clear_progress();
        let _ = std::io::stderr().write_all(text.as_bytes());
    }
    fn progress(&self, done: usize, total: Option<usize>) {
        if !self.progress_ok || self.start.elapsed() < Duration::from_secs(1) {
            return;
        }
        let Ok(mut last) = self.last.lock() else { return };
        if last.is_some_and(|t| t.elapsed() < Duration::from_millis(100)) {
            return;
        }
        *last = Some(Instant::now());
        self.shown.store(true, std::sync::atomic::Ordering::Relaxed);
        let rate = done as f64 / self.start.elapsed().as_secs_f64().max(1e-3);
        match total {
            Some(t) => eprint!("\r\x1b[Kpycode compileall: {done}/{t} files, {rate:.0} files/s"),
            None => eprint!("\r\x1b[Kpycode compileall: {done} files, {rate:.0} files/s"),
        }
    }
}

/// `argv`: the raw (bytes) arguments after the command, as Python's sys.argv would decode them
/// with surrogateescape.
pub fn run(argv: Vec<Vec<u8>>) -> ExitCode {
    // `--target X` / `--python PATH` are pycode's own, accepted anywhere before `--`.
    let (release, argv) = match crate::target::extract("compileall", argv) {
        Ok(e) => (e.release.unwrap_or_else(crate::target::default_target), e.rest),
        Err(msg) => {
            eprintln!("{msg}");
            return ExitCode::from(2);
        }
    };
    if argv.iter().take_while(|a| a.as_slice() != b"--").any(|a| a == b"-h" || a == b"--help") {
        println!("{}", crate::target::help_section());
    }
    let nonempty = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
    let sys_path = std::env::var_os("PYCODE_SYS_PATH").map(|v| v.as_bytes().split(|&c| c == b':').map(<[u8]>::to_vec).collect());
    let mut stdin = std::io::stdin();
    let env = RunEnv {
        source_date_epoch: std::env::var_os("SOURCE_DATE_EPOCH"),
        pycache_prefix: nonempty("PYTHONPYCACHEPREFIX").map(|v| v.into_vec()),
        sys_path,
        stdin: Some(&mut stdin),
        cpu_count: None,
    };
    let quiet_given = argv.iter().any(|a| a.starts_with(b"-q"));
    let console = Console {
        out: Mutex::new(std::io::BufWriter::new(std::io::stdout())),
        progress_ok: std::io::stderr().is_terminal() && (!std::io::stdout().is_terminal() || quiet_given),
        start: Instant::now(),
        last: Mutex::new(None),
        shown: std::sync::atomic::AtomicBool::new(false),
    };
    let status = run_main(&argv, release, env, &pycode::compileall_backend, &console);
    console.clear_progress();
    if let Ok(mut o) = console.out.lock() {
        let _ = o.flush();
    }
    ExitCode::from(status as u8)
}
