//! `pycode_compileall`: a drop-in for CPython's `python -m compileall` (`Lib/compileall.py` with
//! `Lib/py_compile.py`), for each known release.
//!
//! The crate does everything around compilation — the command line ([`args`]), walking the trees
//! (`_walk_dir`), choosing `.pyc` paths (`importlib.util.cache_from_source`), `co_filename`
//! (`dfile` from `-d`/`-s`/`-p`), the up-to-date check, the `.pyc` header for each invalidation
//! mode, atomic writes, `--hardlink-dupes`, parallel workers, and CPython's printed lines and exit
//! status — and leaves the compilation itself to a [`Compiler`], so it does not care how source
//! becomes a code object.
//!
//! It never prints: lines go to a [`Reporter`]. POSIX only (paths are bytes, as `os.fsencode`
//! gives them).

#![cfg(unix)]

pub mod args;
mod cli;
mod driver;
pub mod pathops;
pub mod pytext;
mod write;

use pycode_release::Release;

pub use args::{parse_args, ArgsOutcome, ParsedArgs};
pub use cli::{run_main, RunEnv};
pub use driver::{compile_dir, compile_file, compile_path, main_after_parse, Config, Fatal, FileList, COMPILE_THREAD_STACK};
pub use pathops::PathBytes;

/// `py_compile.PycInvalidationMode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InvalidationMode {
    Timestamp,
    CheckedHash,
    UncheckedHash,
}

impl InvalidationMode {
    /// The command-line spelling (`--invalidation-mode`).
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "timestamp" => Some(Self::Timestamp),
            "checked-hash" => Some(Self::CheckedHash),
            "unchecked-hash" => Some(Self::UncheckedHash),
            _ => None,
        }
    }

    /// `py_compile._get_default_invalidation_mode`: checked-hash when `SOURCE_DATE_EPOCH` is set
    /// and non-empty, else timestamp.
    pub fn default_for(source_date_epoch: Option<&std::ffi::OsStr>) -> Self {
        match source_date_epoch {
            Some(v) if !v.is_empty() => Self::CheckedHash,
            _ => Self::Timestamp,
        }
    }
}

pub use pycode_ast::pyerr::{CompileFailure, CompileWarning, SyntaxErrorInfo};

/// What a successful compilation gives.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Compiled {
    /// `marshal.dumps(code)` of the module code object in `release`'s marshal format, after
    /// `header_room` bytes that are not part of it.
    pub code: Vec<u8>,
    pub warnings: Vec<CompileWarning>,
    /// 0, or [`PYC_HEADER_ROOM`]: the compiler left that many bytes at the start of `code` for
    /// the `.pyc` header, which the driver then writes in place instead of copying the code
    /// behind a header of its own.
    pub header_room: usize,
}

/// The length of a `.pyc` header (3.7+, `pycode_marshal::PYC_HEADER_LEN`): what
/// [`Compiled::header_room`] may leave.
pub const PYC_HEADER_ROOM: usize = pycode_marshal::PYC_HEADER_LEN;

impl Compiled {
    /// The marshal data alone.
    pub fn marshal(&self) -> &[u8] {
        self.code.get(self.header_room..).unwrap_or(&[])
    }
}

/// Turns source into a marshalled module code object: `compile(source, dfile, 'exec',
/// dont_inherit=True, optimize=optimize)` followed by `marshal.dumps`, as `release` does it.
/// `optimize` is what `compileall` passes (-1 = the interpreter's level, i.e. 0 here; CPython
/// rejects levels outside -1..=2 with `ValueError`).
pub trait Compiler: Sync {
    fn compile(&self, source: &[u8], dfile: &str, release: Release, optimize: i64) -> Result<Compiled, CompileFailure>;
}

impl<F> Compiler for F
where
    F: Fn(&[u8], &str, Release, i64) -> Result<Compiled, CompileFailure> + Sync,
{
    fn compile(&self, source: &[u8], dfile: &str, release: Release, optimize: i64) -> Result<Compiled, CompileFailure> {
        self(source, dfile, release, optimize)
    }
}

/// Where output goes. `out` is one `print()` worth of text (newline included) for stdout; `err`
/// is for stderr (warnings). Called from worker threads when `workers != 1`, hence `Sync`.
pub trait Reporter: Sync {
    fn out(&self, text: &str);
    fn err(&self, text: &str);
    /// Progress: `done` of `total` files handled so far (`total` is `None` while the tree is
    /// still being walked). Default: ignored.
    fn progress(&self, _done: usize, _total: Option<usize>) {}
}

/// A [`Reporter`] that collects everything (for tests and embedding).
#[derive(Default, Debug)]
pub struct Collect {
    pub out: std::sync::Mutex<String>,
    pub err: std::sync::Mutex<String>,
}

impl Collect {
    /// What was collected: `(stdout, stderr)`.
    pub fn into_texts(self) -> (String, String) {
        let take = |m: std::sync::Mutex<String>| m.into_inner().unwrap_or_else(|p| p.into_inner());
        (take(self.out), take(self.err))
    }
}

impl Reporter for Collect {
    fn out(&self, text: &str) {
        if let Ok(mut s) = self.out.lock() {
            s.push_str(text);
        }
    }
    fn err(&self, text: &str) {
        if let Ok(mut s) = self.err.lock() {
            s.push_str(text);
        }
    }
}
