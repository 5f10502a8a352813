//! `compileall.compile_dir` / `compile_file` / `compile_path` / the rest of `main()`, and the
//! parts of `py_compile.compile` they use.

use std::cell::Cell;
use std::io::Read;
use std::os::unix::fs::MetadataExt;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

use pycode_marshal::{PycHeader, PycKind};
use pycode_release::Release;

use crate::pathops::{as_path, basename, cache_from_source, compute_dfile, is_proper_ancestor, join, resolve, PathBytes};
use crate::pytext::{display_path, py_minor, repr_path, PyOsError};
use crate::write::makedirs_and_write_atomic;
use crate::{CompileFailure, Compiler, InvalidationMode, Reporter};
use pycode_ast::pyerr::{py_compile_error_msg, read_source_line};

/// `sys.getrecursionlimit()` of a fresh interpreter: `compile_dir`'s default `maxlevels`.
pub const DEFAULT_MAXLEVELS: i64 = 1000;

/// The stack of every thread the driver compiles on: 64 MiB of address space, of which a file
/// touches only as much as its nesting needs. A compiler may move to a fresh stack segment when
/// less than its red zone is left (pycode's parse wants 16 MiB, `pycode_compile::PARSE_RED_ZONE`);
/// on the 8 MiB main thread or a default 2 MiB worker that happened for every file: a 256 MiB
/// mapping made, faulted in and unmapped twice per file, half of the job's page faults.
pub const COMPILE_THREAD_STACK: usize = 64 << 20;

thread_local! {
    /// Whether this thread was started by the driver with [`COMPILE_THREAD_STACK`].
    static ON_COMPILE_THREAD: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f` on a thread with [`COMPILE_THREAD_STACK`]: the current one if the driver started
/// it, else a new one that `f` runs on to the end.
fn on_compile_thread<T: Send>(f: impl FnOnce() -> Result<T, Fatal> + Send) -> Result<T, Fatal> {
    if ON_COMPILE_THREAD.with(Cell::get) {
        return f();
    }
    std::thread::scope(|s| {
        let handle = spawn_compile_thread(s, f)?;
        handle.join().map_err(|_| Fatal::new("RuntimeError", "worker thread panicked"))?
    })
}

/// Starts `f` on a new scoped thread with [`COMPILE_THREAD_STACK`].
fn spawn_compile_thread<'scope, T: Send + 'scope>(
    s: &'scope std::thread::Scope<'scope, '_>,
    f: impl FnOnce() -> T + Send + 'scope,
) -> Result<std::thread::ScopedJoinHandle<'scope, T>, Fatal> {
    std::thread::Builder::new()
        .stack_size(COMPILE_THREAD_STACK)
        .spawn_scoped(s, move || {
            ON_COMPILE_THREAD.with(|c| c.set(true));
            f()
        })
        .map_err(|_| Fatal::new("RuntimeError", "can't start new thread"))
}

/// An exception compileall does not catch: CPython prints a traceback and exits with status 1.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fatal {
    pub class: String,
    pub message: String,
}

impl Fatal {
    fn new(class: &str, message: impl Into<String>) -> Self {
        Fatal { class: class.to_owned(), message: message.into() }
    }
}

impl std::fmt::Display for Fatal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.class, self.message)
    }
}

impl std::error::Error for Fatal {}

/// Settings shared by every file of a run (what `main()` passes down to `compile_file`).
#[derive(Clone, Debug)]
pub struct Config {
    pub release: Release,
    pub force: bool,
    /// `-q` count: 0 = full output, 1 = errors only, 2+ = nothing.
    pub quiet: i64,
    /// `-b`: legacy `NAME.pyc` next to the source.
    pub legacy: bool,
    /// `-x`: files whose full path matches are skipped (`re.search`).
    pub rx: Option<fancy_regex::Regex>,
    /// `-o` levels as given (`[-1]` when none).
    pub opt_levels: Vec<i64>,
    /// `--invalidation-mode`; `None` = `default_mode`.
    pub invalidation_mode: Option<InvalidationMode>,
    /// What `None` means (`SOURCE_DATE_EPOCH` decides).
    pub default_mode: InvalidationMode,
    /// `-e`: symlinked files resolving outside this directory are skipped.
    pub limit_sl_dest: Option<PathBytes>,
    pub hardlink_dupes: bool,
    /// `sys.pycache_prefix` (`PYTHONPYCACHEPREFIX`).
    pub pycache_prefix: Option<PathBytes>,
    /// The working directory (for `Path.resolve()` and the pycache prefix).
    pub cwd: PathBytes,
    /// What `-j 0` means (`os.cpu_count()`).
    pub cpu_count: usize,
}

impl Config {
    /// Defaults of `compile_file`/`compile_dir` for `release`.
    pub fn new(release: Release) -> Self {
        Config {
            release,
            force: false,
            quiet: 0,
            legacy: false,
            rx: None,
            opt_levels: vec![-1],
            invalidation_mode: None,
            default_mode: InvalidationMode::Timestamp,
            limit_sl_dest: None,
            hardlink_dupes: false,
            pycache_prefix: None,
            cwd: std::env::current_dir()
                .map(|p| std::os::unix::ffi::OsStrExt::as_bytes(p.as_os_str()).to_vec())
                .unwrap_or_else(|_| b"/".to_vec()),
            cpu_count: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        }
    }
}

/// The text one `compile_file` call prints, kept together so parallel runs can print each file's
/// lines as one block.
#[derive(Default)]
struct FileOut {
    out: String,
    err: String,
}

impl FileOut {
    fn print(&mut self, s: &str) {
        self.out.push_str(s);
        self.out.push('\n');
    }
    fn flush(self, r: &dyn Reporter) {
        if !self.err.is_empty() {
            r.err(&self.err);
        }
        if !self.out.is_empty() {
            r.out(&self.out);
        }
    }
}

/// `int(os.stat(p).st_mtime)`: CPython builds the float as `sec + nsec * 1e-9` and `int()`
/// truncates it, which can round up to the next second for large `nsec`.
fn py_int_mtime(m: &std::fs::Metadata) -> i64 {
    let f = m.mtime() as f64 + m.mtime_nsec() as f64 * 1e-9;
    f.trunc() as i64
}

/// `os.path.isfile` / `isdir` / `islink`.
fn isfile(p: &[u8]) -> bool {
    std::fs::metadata(as_path(p)).map(|m| m.is_file()).unwrap_or(false)
}
fn isdir(p: &[u8]) -> bool {
    std::fs::metadata(as_path(p)).map(|m| m.is_dir()).unwrap_or(false)
}
fn islink(p: &[u8]) -> bool {
    std::fs::symlink_metadata(as_path(p)).map(|m| m.file_type().is_symlink()).unwrap_or(false)
}

/// Buffers one worker reuses from file to file, so a run does not allocate (and fault in) a fresh
/// source buffer and `.pyc` buffer per file.
#[derive(Default)]
pub(crate) struct Scratch {
    /// The source bytes of the current file (`source_len` of them are valid).
    source: Vec<u8>,
    source_len: usize,
    /// Header + marshalled code of the `.pyc` being written.
    pyc: Vec<u8>,
}

impl Scratch {
    /// `loader.get_data(path)`: the whole file, read into the reused buffer. `size_hint` (the
    /// size from a `stat` already made) lets the first `read` take the whole file; reading goes
    /// on until `read` returns 0, so a file that grew meanwhile is still read completely. Unlike
    /// `std::fs::read` this makes no `fstat` of its own.
    fn read_source(&mut self, path: &[u8], size_hint: u64) -> std::io::Result<&[u8]> {
        let mut f = std::fs::File::open(as_path(path))?;
        // The buffer stays initialised (zeroed once when it grows), so reads need no unsafe.
        let want = usize::try_from(size_hint).unwrap_or(0).saturating_add(1);
        if self.source.len() < want {
            self.source.resize(want, 0);
        }
        let mut filled = 0;
        loop {
            if filled == self.source.len() {
                let grow = self.source.len().max(8192);
                self.source.resize(self.source.len() + grow, 0);
            }
            match f.read(&mut self.source[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        self.source_len = filled;
        Ok(self.source())
    }

    /// The bytes `read_source` read last.
    fn source(&self) -> &[u8] {
        self.source.get(..self.source_len).unwrap_or(&[])
    }
}

/// `open(path, 'rb').read(12)` when the file has at least 12 bytes (`None` when it is shorter),
/// with no `fstat` and no buffering.
fn read_head(path: &[u8]) -> std::io::Result<Option<[u8; 12]>> {
    let mut f = std::fs::File::open(as_path(path))?;
    let mut head = [0u8; 12];
    let mut filled = 0;
    while filled < head.len() {
        match f.read(&mut head[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok((filled == head.len()).then_some(head))
}

/// Why `py_compile.compile` stopped.
enum PyCompileErr {
    /// `PyCompileError` (the message), from a failed `compile()`.
    Compile(String),
    /// An `OSError` (or `FileExistsError` raised with a message).
    Os(PyOsError),
}

/// `py_compile.compile(file, cfile, dfile, doraise=True, optimize, invalidation_mode)`.
///
/// `source_meta` is the `os.stat(file)` that `compile_file` made just before; it also serves as
/// `loader.path_stats(file)` (the timestamp header) and `_calc_mode(file)` (the new file's
/// permissions), which CPython re-`stat`s. Taken before the source is read, it can only make a
/// `.pyc` look older than its source, never newer, if the file changes meanwhile.
#[allow(clippy::too_many_arguments)]
fn py_compile(
    cfg: &Config,
    fullname: &[u8],
    source_meta: &std::fs::Metadata,
    cfile: &[u8],
    dfile: &str,
    optimize: i64,
    compiler: &dyn Compiler,
    fo: &mut FileOut,
    scratch: &mut Scratch,
) -> Result<(), PyCompileErr> {
    let release = cfg.release;
    let mode = cfg.invalidation_mode.unwrap_or(cfg.default_mode);
    // `os.path.islink(cfile)`, then `os.path.exists(cfile) and not os.path.isfile(cfile)`: one
    // `lstat` answers both (for a path that is not a symlink, `stat` and `lstat` agree).
    if let Ok(m) = std::fs::symlink_metadata(as_path(cfile)) {
        if m.file_type().is_symlink() {
            return Err(PyCompileErr::Os(PyOsError::with_message(
                "FileExistsError",
                format!(
                    "{} is a symlink and will be changed into a regular file if import writes a byte-compiled file to it",
                    display_path(cfile)
                ),
            )));
        }
        if !m.is_file() {
            return Err(PyCompileErr::Os(PyOsError::with_message(
                "FileExistsError",
                format!(
                    "{} is a non-regular file and will be changed into a regular one if import writes a byte-compiled file to it",
                    display_path(cfile)
                ),
            )));
        }
    }
    let source = scratch
        .read_source(fullname, source_meta.size())
        .map_err(|e| PyCompileErr::Os(PyOsError::from_io(&e, Some(fullname), None, release)))?;
    let compiled = if !(-1..=2).contains(&optimize) {
        Err(CompileFailure::Other { class: "ValueError".into(), message: "compile(): invalid optimize value".into() })
    } else {
        compiler.compile(source, dfile, release, optimize)
    };
    let compiled = compiled.map_err(|f| PyCompileErr::Compile(py_compile_error_msg(&f, dfile, py_minor(release))))?;
    for w in &compiled.warnings {
        fo.err.push_str(&w.format(read_source_line(&w.filename, w.lineno).as_deref()));
    }
    let kind = match mode {
        InvalidationMode::Timestamp => {
            PycKind::Timestamp { mtime: py_int_mtime(source_meta) as u32, source_size: source_meta.size() as u32 }
        }
        InvalidationMode::CheckedHash => PycKind::CheckedHash { source_hash: pycode_marshal::source_hash(release, scratch.source()) },
        InvalidationMode::UncheckedHash => PycKind::UncheckedHash { source_hash: pycode_marshal::source_hash(release, scratch.source()) },
    };
    let header = PycHeader::new(release, kind).to_bytes().unwrap_or([0; 16]);
    let mut compiled = compiled;
    let pyc: &[u8] = match compiled.code.get_mut(..header.len()) {
        // The compiler left room for the header: written in place, nothing copied.
        Some(room) if compiled.header_room == header.len() => {
            room.copy_from_slice(&header);
            &compiled.code
        }
        _ => {
            scratch.pyc.clear();
            scratch.pyc.reserve(header.len() + compiled.marshal().len());
            scratch.pyc.extend_from_slice(&header);
            scratch.pyc.extend_from_slice(compiled.marshal());
            &scratch.pyc
        }
    };
    // `_calc_mode(file)`: the source's mode with owner-write added.
    let file_mode = source_meta.mode() | 0o200;
    // `os.makedirs(dirname(cfile))`, then `_write_atomic`.
    makedirs_and_write_atomic(cfile, pyc, file_mode, release).map_err(PyCompileErr::Os)
}

/// `filecmp.cmp(a, b, shallow=False)`: same kind of file, same size, same bytes.
fn same_contents(a: &[u8], b: &[u8]) -> Result<bool, std::io::Error> {
    let ma = std::fs::metadata(as_path(a))?;
    let mb = std::fs::metadata(as_path(b))?;
    if !ma.is_file() || !mb.is_file() {
        return Ok(false);
    }
    if ma.len() != mb.len() {
        return Ok(false);
    }
    Ok(std::fs::read(as_path(a))? == std::fs::read(as_path(b))?)
}

/// `compileall.compile_file(fullname, ddir, ...)` with the run's settings; the text it prints
/// goes to `fo`.
#[allow(clippy::too_many_arguments)]
fn compile_file_into(
    cfg: &Config,
    fullname: &[u8],
    ddir: Option<&[u8]>,
    stripdir: Option<&[u8]>,
    prependdir: Option<&[u8]>,
    compiler: &dyn Compiler,
    fo: &mut FileOut,
    scratch: &mut Scratch,
) -> Result<bool, Fatal> {
    let release = cfg.release;
    let quiet = cfg.quiet;
    let name = basename(fullname);
    let (dfile, notice) = compute_dfile(fullname, ddir, stripdir, prependdir, release)
        .map_err(|_| Fatal::new("TypeError", "join() missing 1 required positional argument: 'a'"))?;
    if let Some(n) = notice {
        if quiet < 2 {
            fo.print(&n);
        }
    }
    let mut optimize: Vec<i64> = cfg.opt_levels.clone();
    optimize.sort_unstable();
    optimize.dedup();
    if cfg.hardlink_dupes && optimize.len() < 2 {
        return Err(Fatal::new("ValueError", "Hardlinking of duplicated bytecode makes sense only for more than one optimization level"));
    }
    if let Some(rx) = &cfg.rx {
        if rx.is_match(&String::from_utf8_lossy(fullname)).unwrap_or(false) {
            return Ok(true);
        }
    }
    if let Some(limit) = &cfg.limit_sl_dest {
        if islink(fullname) {
            let l = resolve(limit, &cfg.cwd);
            let f = resolve(fullname, &cfg.cwd);
            if !is_proper_ancestor(&l, &f) {
                return Ok(true);
            }
        }
    }
    // `name[-3:] == '.py'` on the decoded name: tested before `os.path.isfile` here (CPython
    // tests it after), which returns the same for every file and spares the `stat` of the
    // others.
    if !name.ends_with(b".py") {
        return Ok(true);
    }
    // `os.path.isfile(fullname)`; the same `stat` serves the up-to-date check and `py_compile`.
    let source_meta = match std::fs::metadata(as_path(fullname)) {
        Ok(m) if m.is_file() => m,
        _ => return Ok(true),
    };
    let cfiles: Vec<(i64, PathBytes)> = optimize
        .iter()
        .map(|&o| {
            let c = if cfg.legacy {
                let mut c = fullname.to_vec();
                c.push(b'c');
                c
            } else if o >= 0 {
                cache_from_source(fullname, Some(o), release, cfg.pycache_prefix.as_deref(), &cfg.cwd)
            } else {
                cache_from_source(fullname, None, release, cfg.pycache_prefix.as_deref(), &cfg.cwd)
            };
            (o, c)
        })
        .collect();
    if !cfg.force {
        let mtime = py_int_mtime(&source_meta) as u32;
        let mut expect = [0u8; 12];
        expect[..4].copy_from_slice(&release.magic_bytes());
        expect[8..].copy_from_slice(&mtime.to_le_bytes());
        // Distinct cfiles, like the dict `opt_cfiles` (keys are levels, values may repeat).
        let mut all_fresh = true;
        for (_, c) in &cfiles {
            // `open(cfile, 'rb').read(12)`; an OSError means `pass`: recompile.
            if !matches!(read_head(c), Ok(Some(head)) if head == expect) {
                all_fresh = false;
                break;
            }
        }
        if all_fresh {
            return Ok(true);
        }
    }
    if quiet == 0 {
        fo.print(&format!("Compiling {}...", repr_path(fullname, release)));
    }
    let dfile_str = String::from_utf8_lossy(dfile.as_deref().unwrap_or(fullname)).into_owned();
    let mut success = true;
    let mut failure: Option<String> = None;
    for (index, (o, cfile)) in cfiles.iter().enumerate() {
        match py_compile(cfg, fullname, &source_meta, cfile, &dfile_str, *o, compiler, fo, scratch) {
            Ok(()) => {}
            Err(PyCompileErr::Compile(msg)) => {
                failure = Some(msg);
                break;
            }
            Err(PyCompileErr::Os(e)) => {
                failure = Some(format!("{}: {}", e.class, e.text));
                break;
            }
        }
        if index > 0 && cfg.hardlink_dupes {
            let prev = &cfiles[index - 1].1;
            let r = same_contents(cfile, prev).map_err(|e| PyOsError::from_io(&e, None, None, release)).and_then(|same| {
                if same {
                    std::fs::remove_file(as_path(cfile)).map_err(|e| PyOsError::from_io(&e, Some(cfile), None, release))?;
                    std::fs::hard_link(as_path(prev), as_path(cfile))
                        .map_err(|e| PyOsError::from_io(&e, Some(prev), Some(cfile), release))?;
                }
                Ok(())
            });
            if let Err(e) = r {
                failure = Some(format!("{}: {}", e.class, e.text));
                break;
            }
        }
    }
    if let Some(msg) = failure {
        success = false;
        if quiet >= 2 {
            return Ok(false);
        }
        if quiet > 0 {
            fo.print(&format!("*** Error compiling {}...", repr_path(fullname, release)));
            fo.print(&msg);
        } else {
            fo.out.push_str("*** ");
            fo.print(&msg);
        }
    }
    Ok(success)
}

/// `compileall.compile_file` for one file given on the command line (`ddir` is `-d` itself).
pub fn compile_file(
    cfg: &Config,
    fullname: &[u8],
    ddir: Option<&[u8]>,
    stripdir: Option<&[u8]>,
    prependdir: Option<&[u8]>,
    compiler: &dyn Compiler,
    reporter: &dyn Reporter,
) -> Result<bool, Fatal> {
    compile_file_with(cfg, fullname, ddir, stripdir, prependdir, compiler, reporter, &mut Scratch::default())
}

/// [`compile_file`] with the caller's reused buffers.
#[allow(clippy::too_many_arguments)]
fn compile_file_with(
    cfg: &Config,
    fullname: &[u8],
    ddir: Option<&[u8]>,
    stripdir: Option<&[u8]>,
    prependdir: Option<&[u8]>,
    compiler: &dyn Compiler,
    reporter: &dyn Reporter,
    scratch: &mut Scratch,
) -> Result<bool, Fatal> {
    let mut fo = FileOut::default();
    let r = compile_file_into(cfg, fullname, ddir, stripdir, prependdir, compiler, &mut fo, scratch);
    fo.flush(reporter);
    r
}

/// Python's `str` ordering of two file names decoded with `surrogateescape` (code point order;
/// for valid UTF-8 that is byte order).
fn py_name_cmp(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    match (std::str::from_utf8(a), std::str::from_utf8(b)) {
        (Ok(_), Ok(_)) => a.cmp(b),
        _ => {
            let pa = crate::pytext::fsdecode(a);
            let pb = crate::pytext::fsdecode(b);
            pa.code_points().cmp(pb.code_points())
        }
    }
}

/// One directory being listed by `_walk_dir`.
struct WalkFrame {
    dir: PathBytes,
    names: Vec<(PathBytes, Option<std::fs::FileType>)>,
    next: usize,
    maxlevels: i64,
}

/// `os.path.isdir(fullname)` and `os.path.islink(fullname)` for a listed entry, answered from the
/// type the directory listing gave (`d_type`) when it is not a symlink, so most entries cost no
/// `stat`; a symlink (whose target decides `isdir`) or an entry without a known type is
/// `stat`ed as CPython does.
fn entry_isdir_islink(fullname: &[u8], listed: Option<std::fs::FileType>) -> (bool, bool) {
    match listed {
        Some(t) if !t.is_symlink() => (t.is_dir(), false),
        Some(_) => (isdir(fullname), true),
        None => (isdir(fullname), islink(fullname)),
    }
}

/// `compileall._walk_dir` as an explicit stack (no recursion): prints `Listing`/`Can't list`
/// and calls `on_file` with each non-directory in CPython's order (sorted names, depth first,
/// `__pycache__` skipped, symlinked directories not entered).
fn walk_dir(
    dir: &[u8],
    maxlevels: i64,
    cfg: &Config,
    reporter: &dyn Reporter,
    on_file: &mut dyn FnMut(PathBytes) -> Result<(), Fatal>,
) -> Result<(), Fatal> {
    let open = |dir: &[u8], maxlevels: i64| -> WalkFrame {
        if cfg.quiet == 0 {
            reporter.out(&format!("Listing {}...\n", repr_path(dir, cfg.release)));
        }
        // `os.listdir('')` fails like a missing directory.
        let listed = if dir.is_empty() {
            Err(std::io::Error::from_raw_os_error(2))
        } else {
            std::fs::read_dir(as_path(dir)).and_then(|rd| {
                rd.map(|e| e.map(|e| (std::os::unix::ffi::OsStrExt::as_bytes(e.file_name().as_os_str()).to_vec(), e.file_type().ok())))
                    .collect::<Result<Vec<_>, _>>()
            })
        };
        let mut names = match listed {
            Ok(n) => n,
            Err(_) => {
                if cfg.quiet < 2 {
                    reporter.out(&format!("Can't list {}\n", repr_path(dir, cfg.release)));
                }
                Vec::new()
            }
        };
        names.sort_by(|a, b| py_name_cmp(&a.0, &b.0));
        WalkFrame { dir: dir.to_vec(), names, next: 0, maxlevels }
    };
    let mut stack = vec![open(dir, maxlevels)];
    while let Some(top) = stack.last_mut() {
        let Some((name, listed)) = top.names.get(top.next) else {
            stack.pop();
            continue;
        };
        top.next += 1;
        if name == b"__pycache__" {
            continue;
        }
        let fullname = join(&[&top.dir, name]);
        let (is_dir, is_link) = entry_isdir_islink(&fullname, *listed);
        if !is_dir {
            on_file(fullname)?;
        } else if top.maxlevels > 0 && name != b"." && name != b".." && !is_link {
            let ml = top.maxlevels - 1;
            let frame = open(&fullname, ml);
            stack.push(frame);
        }
    }
    Ok(())
}

/// `compileall.compile_dir(dir, maxlevels, ddir, ..., workers)`.
///
/// With `workers != 1`, CPython's `ProcessPoolExecutor.map` first walks the whole tree (so every
/// `Listing` line comes first) and then compiles in worker processes whose output interleaves
/// unpredictably. Here the tree is walked first too, files are compiled on `workers` threads
/// (`0` = `cfg.cpu_count`), and each file's lines are printed as one block in walk order, so the
/// output is deterministic and equal to one of the orders CPython can produce.
#[allow(clippy::too_many_arguments)]
pub fn compile_dir(
    cfg: &Config,
    dir: &[u8],
    maxlevels: Option<i64>,
    ddir: Option<&[u8]>,
    stripdir: Option<&[u8]>,
    prependdir: Option<&[u8]>,
    workers: i64,
    compiler: &dyn Compiler,
    reporter: &dyn Reporter,
) -> Result<bool, Fatal> {
    let (stripdir, prependdir): (Option<&[u8]>, Option<&[u8]>) = match ddir {
        Some(d) => (Some(dir), Some(d)),
        None => (stripdir, prependdir),
    };
    if workers < 0 {
        return Err(Fatal::new("ValueError", "workers must be greater or equal to 0"));
    }
    let maxlevels = maxlevels.unwrap_or(DEFAULT_MAXLEVELS);
    if workers == 1 {
        return on_compile_thread(|| {
            let mut success = true;
            let mut done = 0usize;
            let mut scratch = Scratch::default();
            walk_dir(dir, maxlevels, cfg, reporter, &mut |f| {
                if !compile_file_with(cfg, &f, None, stripdir, prependdir, compiler, reporter, &mut scratch)? {
                    success = false;
                }
                done += 1;
                reporter.progress(done, None);
                Ok(())
            })?;
            Ok(success)
        });
    }
    let mut files = Vec::new();
    walk_dir(dir, maxlevels, cfg, reporter, &mut |f| {
        files.push(f);
        Ok(())
    })?;
    let nthreads = if workers == 0 { cfg.cpu_count.max(1) } else { workers as usize }.min(files.len().max(1));
    let total = files.len();
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let all_ok = AtomicBool::new(true);
    // Finished blocks wait here until every earlier file has been printed.
    struct Ordered {
        pending: Vec<Option<Result<(FileOut, bool), Fatal>>>,
        printed: usize,
        fatal: Option<Fatal>,
    }
    let state = Mutex::new(Ordered { pending: (0..total).map(|_| None).collect(), printed: 0, fatal: None });
    let started = std::thread::scope(|s| {
        let mut started: Result<usize, Fatal> = Ok(0);
        for _ in 0..nthreads {
            let spawned = spawn_compile_thread(s, || {
                let mut scratch = Scratch::default();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(f) = files.get(i) else { break };
                    let mut fo = FileOut::default();
                    let r = compile_file_into(cfg, f, None, stripdir, prependdir, compiler, &mut fo, &mut scratch).map(|ok| (fo, ok));
                    let d = done.fetch_add(1, Ordering::Relaxed) + 1;
                    let Ok(mut st) = state.lock() else { break };
                    if let Some(slot) = st.pending.get_mut(i) {
                        *slot = Some(r);
                    }
                    while let Some(Some(_)) = st.pending.get(st.printed) {
                        let idx = st.printed;
                        match st.pending.get_mut(idx).and_then(Option::take) {
                            Some(Ok((fo, ok))) => {
                                if !ok {
                                    all_ok.store(false, Ordering::Relaxed);
                                }
                                fo.flush(reporter);
                            }
                            Some(Err(e)) if st.fatal.is_none() => st.fatal = Some(e),
                            Some(Err(_)) => {}
                            None => {}
                        }
                        // Mark as printed with an empty placeholder so the loop test moves on.
                        st.printed += 1;
                    }
                    drop(st);
                    reporter.progress(d, Some(total));
                }
            });
            match (spawned, &mut started) {
                (Ok(_), Ok(n)) => *n += 1,
                // The threads already started take every file; with none, the error stands.
                (Err(e), Ok(0)) => started = Err(e),
                _ => break,
            }
        }
        started
    });
    started?;
    let st = state.into_inner().map_err(|_| Fatal::new("RuntimeError", "worker thread panicked"))?;
    if let Some(f) = st.fatal {
        return Err(f);
    }
    Ok(all_ok.load(Ordering::Relaxed))
}

/// `compileall.compile_path(skip_curdir=True, maxlevels=0, force, quiet, legacy, optimize=-1,
/// invalidation_mode)` over `sys_path` (pycode has no interpreter: the caller supplies it).
/// Stops at the first directory that fails, as CPython's `success and compile_dir(...)` does.
pub fn compile_path(cfg: &Config, sys_path: &[PathBytes], compiler: &dyn Compiler, reporter: &dyn Reporter) -> Result<bool, Fatal> {
    let mut c = cfg.clone();
    c.rx = None;
    c.opt_levels = vec![-1];
    c.limit_sl_dest = None;
    c.hardlink_dupes = false;
    let mut success = true;
    for dir in sys_path {
        if dir.is_empty() || dir == b"." {
            if c.quiet < 2 {
                reporter.out("Skipping current directory\n");
            }
        } else {
            success = success && compile_dir(&c, dir, Some(0), None, None, None, 1, compiler, reporter)?;
        }
    }
    Ok(success)
}

/// Where `-i` names come from.
pub enum FileList<'a> {
    None,
    Stdin(&'a mut dyn Read),
    Path(PathBytes),
}

/// `str.strip()`'s notion of whitespace.
fn py_strip(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c))
}

/// The rest of `compileall.main()` after the arguments are parsed: read `-i`, then compile each
/// destination (files with `compile_file`, anything else with `compile_dir`), or `sys_path`
/// when there is none. Returns `main()`'s result (the exit status is `int(not result)`).
#[allow(clippy::too_many_arguments)]
pub fn main_after_parse(
    cfg: &Config,
    parsed: &crate::ParsedArgs,
    flist: FileList<'_>,
    sys_path: Option<&[PathBytes]>,
    compiler: &dyn Compiler,
    reporter: &dyn Reporter,
) -> Result<bool, Fatal> {
    let mut dests: Vec<PathBytes> = parsed.compile_dest.clone();
    let flist_name = parsed.flist.clone().unwrap_or_default();
    let read = match flist {
        FileList::None => None,
        FileList::Stdin(r) => {
            let mut buf = Vec::new();
            Some(r.read_to_end(&mut buf).map(|_| buf))
        }
        FileList::Path(p) => Some(std::fs::read(as_path(&p))),
    };
    if let Some(read) = read {
        match read {
            Ok(bytes) => {
                let text = String::from_utf8(bytes).map_err(|e| {
                    Fatal::new(
                        "UnicodeDecodeError",
                        format!("'utf-8' codec can't decode byte at position {}: invalid utf-8", e.utf8_error().valid_up_to()),
                    )
                })?;
                // Universal newlines: \n, \r\n and \r end lines.
                let text = text.replace("\r\n", "\n").replace('\r', "\n");
                for line in text.split_inclusive('\n') {
                    dests.push(py_strip(line).as_bytes().to_vec());
                }
            }
            Err(_) => {
                if cfg.quiet < 2 {
                    reporter.out(&format!("Error reading file list {}\n", display_path(&flist_name)));
                }
                return Ok(false);
            }
        }
    }
    if dests.is_empty() {
        let Some(sp) = sys_path else {
            return Err(Fatal::new(
                "RuntimeError",
                "no FILE|DIR given, and pycode has no sys.path to compile instead: set PYCODE_SYS_PATH (colon-separated)",
            ));
        };
        let mut c = cfg.clone();
        c.invalidation_mode = parsed.invalidation_mode;
        return compile_path(&c, sp, compiler, reporter);
    }
    on_compile_thread(|| compile_dests(cfg, parsed, &dests, compiler, reporter))
}

/// `main()`'s loop over its destinations: files with `compile_file`, the rest with `compile_dir`.
fn compile_dests(
    cfg: &Config,
    parsed: &crate::ParsedArgs,
    dests: &[PathBytes],
    compiler: &dyn Compiler,
    reporter: &dyn Reporter,
) -> Result<bool, Fatal> {
    let mut success = true;
    for dest in dests {
        let ok = if isfile(dest) {
            compile_file(cfg, dest, parsed.ddir.as_deref(), parsed.stripdir.as_deref(), parsed.prependdir.as_deref(), compiler, reporter)?
        } else {
            let maxlevels = parsed.recursion.or(parsed.maxlevels);
            compile_dir(
                cfg,
                dest,
                maxlevels,
                parsed.ddir.as_deref(),
                parsed.stripdir.as_deref(),
                parsed.prependdir.as_deref(),
                parsed.workers,
                compiler,
                reporter,
            )?
        };
        if !ok {
            success = false;
        }
    }
    Ok(success)
}
