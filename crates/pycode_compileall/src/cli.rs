//! `python -m compileall`'s whole `main()` as one call: parse the words, set up the run, compile,
//! and return the exit status. All text goes to the [`Reporter`]; the caller only prints it.

use std::io::Read;

use pycode_release::Release;

use crate::args::{parse_args, ArgsOutcome};
use crate::driver::{main_after_parse, Config, FileList};
use crate::pathops::PathBytes;
use crate::{Compiler, InvalidationMode, Reporter};

/// What `main()` reads from its environment.
pub struct RunEnv<'a> {
    /// `SOURCE_DATE_EPOCH` (non-empty selects checked-hash by default).
    pub source_date_epoch: Option<std::ffi::OsString>,
    /// `sys.pycache_prefix` (`PYTHONPYCACHEPREFIX`).
    pub pycache_prefix: Option<PathBytes>,
    /// `sys.path`, compiled when no FILE|DIR is given; `None` = unknown (then that is an error).
    pub sys_path: Option<Vec<PathBytes>>,
    /// Where `-i -` reads names.
    pub stdin: Option<&'a mut dyn Read>,
    /// What `-j 0` means.
    pub cpu_count: Option<usize>,
}

impl RunEnv<'_> {
    /// Everything unset.
    pub fn empty() -> Self {
        RunEnv { source_date_epoch: None, pycache_prefix: None, sys_path: None, stdin: None, cpu_count: None }
    }
}

/// `exit_status = int(not main())`: 0 when everything compiled, 1 when anything failed (or an
/// uncaught exception), 2 for a command-line error.
pub fn run_main(argv: &[Vec<u8>], release: Release, env: RunEnv<'_>, compiler: &dyn Compiler, reporter: &dyn Reporter) -> i32 {
    let (parsed, rx) = match parse_args(argv, release) {
        ArgsOutcome::Run(p, rx) => (p, rx),
        ArgsOutcome::Help(h) => {
            reporter.out(&h);
            return 0;
        }
        ArgsOutcome::Usage(text) => {
            reporter.err(&text);
            return 2;
        }
        ArgsOutcome::Fatal(f) => {
            reporter.err(&format!("{}: {}\n", f.class, f.message));
            return 1;
        }
    };
    let mut cfg = Config::new(release);
    cfg.force = parsed.force;
    cfg.quiet = parsed.quiet;
    cfg.legacy = parsed.legacy;
    cfg.rx = rx;
    cfg.opt_levels = parsed.opt_levels.clone();
    cfg.invalidation_mode = parsed.invalidation_mode;
    cfg.default_mode = InvalidationMode::default_for(env.source_date_epoch.as_deref());
    cfg.limit_sl_dest = parsed.limit_sl_dest.clone();
    cfg.hardlink_dupes = parsed.hardlink_dupes;
    cfg.pycache_prefix = env.pycache_prefix.clone();
    if let Some(n) = env.cpu_count {
        cfg.cpu_count = n;
    }
    let mut empty = std::io::empty();
    let flist = match &parsed.flist {
        None => FileList::None,
        Some(f) if f == b"-" => match env.stdin {
            Some(r) => FileList::Stdin(r),
            None => FileList::Stdin(&mut empty),
        },
        Some(f) => FileList::Path(f.clone()),
    };
    match main_after_parse(&cfg, &parsed, flist, env.sys_path.as_deref(), compiler, reporter) {
        Ok(true) => 0,
        Ok(false) => 1,
        Err(f) => {
            reporter.err(&format!("{}: {}\n", f.class, f.message));
            1
        }
    }
}
