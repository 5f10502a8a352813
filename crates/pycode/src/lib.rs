//! CPython's code objects outside CPython.
//!
//! `pycode` compiles Python source into the code objects a chosen CPython release produces —
//! byte-identical `.pyc` files that release loads as its own — and reads, writes and
//! disassembles `.pyc` / marshal data of any known release, without running Python.
//!
//! This crate is the one to depend on: it puts the pipeline crates (`pycode_compile`,
//! `pycode_marshal`, `pycode_dis`, `pycode_compileall`) behind a small API.
//!
//! ```
//! use pycode::{Compiler, Invalidation, Release};
//!
//! let release = Release::parse("3.12").unwrap();
//! let pyc = Compiler::new(release)
//!     .compile_pyc(b"print('hello')\n", "hello.py", Invalidation::UncheckedHash)
//!     .unwrap();
//! assert_eq!(&pyc[..4], &release.magic_bytes());
//!
//! // Read it back and disassemble it as that release's `dis` prints it.
//! let (header, code) = pycode::read_pyc(&pyc).unwrap();
//! assert_eq!(header.release.minor(), (3, 12));
//! assert!(code.dis().unwrap().contains("LOAD_NAME                0 (print)"));
//! ```
//!
//! Errors are values: nothing here panics or prints, whatever the input.

use std::fmt;
use std::path::Path;

pub use pycode_ast::pyerr::{CompileFailure, CompileWarning, SyntaxErrorInfo};
pub use pycode_compile::CompileMode as Mode;
pub use pycode_compileall::InvalidationMode;
pub use pycode_dis::{DisOptions, SetOrder};
pub use pycode_marshal::{MarshalError, PycError, PycHeader, PycKind};
pub use pycode_object::{Code, Obj, ObjId, ObjectGraph};
pub use pycode_release::{Release, UnknownRelease};

/// Why an operation failed.
#[derive(Clone, Debug, PartialEq)]
pub enum Error {
    /// The source does not compile: the exception CPython's `compile()` raises
    /// (a `SyntaxError` with its attributes, or another class and message).
    Compile(CompileFailure),
    /// pycode cannot compile for this release (its back end is not there yet).
    Unsupported(String),
    /// A `.pyc` header or its marshal data is bad.
    Pyc(PycError),
    /// Marshal data is bad (or a graph cannot be written for the release).
    Marshal(MarshalError),
    /// The code object cannot be disassembled as that release's `dis` would.
    Dis(pycode_dis::DisError),
    /// Compiling a tree failed as a whole (`compileall` would have raised this exception).
    Tree { class: String, message: String },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Compile(CompileFailure::Syntax(e)) => {
                write!(f, "{}: {}", e.class, e.msg)?;
                if let Some(line) = e.lineno {
                    write!(f, " (line {line})")?;
                }
                Ok(())
            }
            Error::Compile(CompileFailure::Other { class, message }) => write!(f, "{class}: {message}"),
            Error::Unsupported(m) => write!(f, "not supported: {m}"),
            Error::Pyc(e) => write!(f, "{e}"),
            Error::Marshal(e) => write!(f, "{e}"),
            Error::Dis(e) => write!(f, "{e}"),
            Error::Tree { class, message } => write!(f, "{class}: {message}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<PycError> for Error {
    fn from(e: PycError) -> Self {
        Error::Pyc(e)
    }
}

impl From<MarshalError> for Error {
    fn from(e: MarshalError) -> Self {
        Error::Marshal(e)
    }
}

impl From<pycode_dis::DisError> for Error {
    fn from(e: pycode_dis::DisError) -> Self {
        Error::Dis(e)
    }
}

fn compile_error(e: pycode_compile::CompileError, filename: &str) -> Error {
    match e {
        pycode_compile::CompileError::Unsupported(m) => Error::Unsupported(m),
        other => Error::Compile(other.to_failure(filename)),
    }
}

/// `compile(source, filename, mode, flags=ast.PyCF_ONLY_AST)` (`ast.parse(source, filename,
/// mode, type_comments=...)`) as `release` runs it: the text `ast.dump(tree,
/// include_attributes=True)` prints for the tree (exactly that release's `ast.dump`; the Python
/// package builds real `ast` nodes from it). `mode` is `exec`, `eval`, `single` or `func_type`.
/// A tree nested deeper than the release converts to Python objects is that release's
/// `RecursionError` (see [`pycode_ast::ast_construction_limit`]).
pub fn ast_dump(release: Release, source: &[u8], filename: &str, mode: &str, type_comments: bool) -> Result<String, Error> {
    let Some(mode) = pycode_parser::Mode::from_name(mode) else {
        return Err(Error::Compile(CompileFailure::Other {
            class: "ValueError".into(),
            message: "compile() mode must be 'exec', 'eval', 'single' or 'func_type'".into(),
        }));
    };
    let opts = pycode_parser::Options::for_release(release, mode, type_comments);
    let tree = pycode_parser::parse(source, &opts).map_err(|e| compile_error(pycode_compile::CompileError::Parse(e), filename))?;
    let minor = pycode_ast::PyMinor::from(release);
    let dopts = pycode_ast::DumpOptions { include_attributes: true, indent: None, minor };
    let (text, depths) = pycode_ast::dump_limited(&tree, &dopts, usize::MAX);
    if depths.nodes > pycode_ast::ast_construction_limit(minor) {
        return Err(Error::Compile(CompileFailure::Other {
            class: "RecursionError".into(),
            message: "maximum recursion depth exceeded during ast construction".into(),
        }));
    }
    Ok(text)
}

/// Whether pycode's back end compiles for `release` (every construct; byte-identity per
/// release is measured in the project's conformance snapshots).
pub fn can_compile(release: Release) -> bool {
    pycode_compile::implemented(release)
}

/// A code object of some release with everything it references (constants, names, nested
/// code objects), as one graph; sharing between objects is kept, as marshal needs it.
#[derive(Clone, Debug)]
pub struct CodeObject {
    release: Release,
    graph: ObjectGraph,
    root: ObjId,
}

impl CodeObject {
    /// Wraps a graph whose `root` is a code object of `release`.
    pub fn from_graph(release: Release, graph: ObjectGraph, root: ObjId) -> Self {
        CodeObject { release, graph, root }
    }

    /// The release, the graph and the root's id.
    pub fn into_parts(self) -> (Release, ObjectGraph, ObjId) {
        (self.release, self.graph, self.root)
    }

    /// The release whose layout, opcodes and marshal format this code object follows.
    pub fn release(&self) -> Release {
        self.release
    }

    /// Every object reachable from the code object.
    pub fn graph(&self) -> &ObjectGraph {
        &self.graph
    }

    /// The code object's id in [`CodeObject::graph`].
    pub fn root(&self) -> ObjId {
        self.root
    }

    /// The root's fields (`None` when the root is not a code object, e.g. marshal data of a
    /// plain value).
    pub fn code(&self) -> Option<&Code> {
        match self.graph.get(self.root) {
            Some(Obj::Code(c)) => Some(c),
            _ => None,
        }
    }

    /// `marshal.dumps(code)` as the release writes it (its marshal version, `FLAG_REF` bits
    /// and all).
    pub fn to_marshal(&self) -> Result<Vec<u8>, Error> {
        Ok(pycode_marshal::dumps(&self.graph, self.root, self.release.marshal_version())?)
    }

    /// A whole `.pyc` file: a header for `kind`, then [`CodeObject::to_marshal`].
    pub fn to_pyc(&self, kind: PycKind) -> Result<Vec<u8>, Error> {
        let header = PycHeader::new(self.release, kind);
        Ok(pycode_marshal::write_pyc(&header, &self.graph, self.root)?)
    }

    /// `dis.dis(code)` as the release prints it (frozensets ordered as a 64-bit CPython with
    /// `PYTHONHASHSEED=0` orders them).
    pub fn dis(&self) -> Result<String, Error> {
        self.dis_with(&DisOptions::default())
    }

    /// `dis.dis(code, show_caches=..., ...)`: see [`DisOptions`].
    pub fn dis_with(&self, opts: &DisOptions) -> Result<String, Error> {
        Ok(pycode_dis::dis(&self.graph, self.root, self.release, opts)?)
    }

    /// `dis.show_code` for this code object and every nested one.
    pub fn info(&self) -> Result<String, Error> {
        Ok(pycode_dis::code_info_all(&self.graph, self.root, self.release, SetOrder::default())?)
    }
}

/// How a `.pyc` records what it was compiled from (`py_compile.PycInvalidationMode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Invalidation {
    /// The source's modification time (seconds) and size, checked by the importer.
    Timestamp { mtime: u32, source_size: u32 },
    /// A hash of the source, checked by the importer.
    CheckedHash,
    /// A hash of the source, never checked.
    UncheckedHash,
}

impl Invalidation {
    /// The header kind for `source` compiled for `release`.
    pub fn kind(self, release: Release, source: &[u8]) -> PycKind {
        match self {
            Invalidation::Timestamp { mtime, source_size } => PycKind::Timestamp { mtime, source_size },
            Invalidation::CheckedHash => PycKind::CheckedHash { source_hash: pycode_marshal::source_hash(release, source) },
            Invalidation::UncheckedHash => PycKind::UncheckedHash { source_hash: pycode_marshal::source_hash(release, source) },
        }
    }
}

/// Compiles source for one release: `compile(source, filename, mode, dont_inherit=True,
/// optimize=level)` as that release runs it.
///
/// ```
/// use pycode::{Compiler, Mode, Release};
///
/// let code = Compiler::new(Release::parse("3.12.7").unwrap())
///     .mode(Mode::Eval)
///     .compile(b"1 + x", "<string>")
///     .unwrap();
/// assert!(code.dis().unwrap().contains("BINARY_OP                0 (+)"));
///
/// // A syntax error is a value with CPython's attributes.
/// let err = Compiler::new(Release::parse("3.12").unwrap()).compile(b"x = (", "bad.py").unwrap_err();
/// assert_eq!(err.to_string(), "SyntaxError: '(' was never closed (line 1)");
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Compiler {
    release: Release,
    optimize: u8,
    mode: Mode,
    future_flags: u32,
}

impl Compiler {
    /// A compiler for `release` at optimize level 0, `exec` mode.
    pub fn new(release: Release) -> Self {
        Compiler { release, optimize: 0, mode: Mode::Exec, future_flags: 0 }
    }

    /// `compile()`'s flags: the `__future__` features (`CO_FUTURE_*` bits, e.g. `0x1000000` for
    /// `annotations`), in effect before the source's own `from __future__` imports, and
    /// `PyCF_ALLOW_TOP_LEVEL_AWAIT` (`0x2000`).
    pub fn future_flags(mut self, flags: u32) -> Self {
        self.future_flags = flags;
        self
    }

    /// Optimize level: 0, 1 (no `assert`, `__debug__` false) or 2 (no docstrings either).
    pub fn optimize(mut self, level: u8) -> Self {
        self.optimize = level;
        self
    }

    /// `compile()`'s mode.
    pub fn mode(mut self, mode: Mode) -> Self {
        self.mode = mode;
        self
    }

    /// The target release.
    pub fn release(&self) -> Release {
        self.release
    }

    /// The code object of `source`; `filename` becomes `co_filename`.
    pub fn compile(&self, source: &[u8], filename: &str) -> Result<CodeObject, Error> {
        let (graph, root) =
            pycode_compile::compile_source_flags(source, filename, self.release, self.mode, self.optimize, self.future_flags)
                .map_err(|e| compile_error(e, filename))?;
        Ok(CodeObject { release: self.release, graph, root })
    }

    /// What `py_compile.compile` writes for a module (`exec` mode whatever [`Compiler::mode`]
    /// says); warnings `compile()` emits are appended to `warnings`.
    pub fn compile_pyc_warn(
        &self,
        source: &[u8],
        filename: &str,
        invalidation: Invalidation,
        warnings: &mut Vec<CompileWarning>,
    ) -> Result<Vec<u8>, Error> {
        let kind = invalidation.kind(self.release, source);
        pycode_compile::compile_to_pyc_warn(source, filename, self.release, self.optimize, kind, warnings)
            .map_err(|e| compile_error(e, filename))
    }

    /// [`Compiler::compile_pyc_warn`], dropping the warnings.
    pub fn compile_pyc(&self, source: &[u8], filename: &str, invalidation: Invalidation) -> Result<Vec<u8>, Error> {
        self.compile_pyc_warn(source, filename, invalidation, &mut Vec::new())
    }
}

/// Reads a `.pyc` file's bytes: its header and its code object. Safe on any input.
///
/// ```
/// assert!(pycode::read_pyc(b"not a pyc").is_err());
/// ```
pub fn read_pyc(data: &[u8]) -> Result<(PycHeader, CodeObject), Error> {
    let pyc = pycode_marshal::read_pyc(data)?;
    let release = pyc.release();
    Ok((pyc.header, CodeObject { release, graph: pyc.graph, root: pyc.root }))
}

/// `marshal.loads(data)` as `release` reads it (the root need not be a code object).
pub fn read_marshal(data: &[u8], release: Release) -> Result<CodeObject, Error> {
    let (graph, root) = pycode_marshal::loads(data, release.marshal_version())?;
    Ok(CodeObject { release, graph, root })
}

// The driver's compile threads leave the parse its whole red zone with room to spare, so no
// file moves the parse to a fresh stack segment.
const _: () = assert!(pycode_compileall::COMPILE_THREAD_STACK >= 2 * pycode_compile::PARSE_RED_ZONE);

/// The compile step `compileall` runs for each file: pycode's back end (parse, codegen,
/// assemble, marshal), with the warnings it emits. `optimize` -1 means level 0, as for
/// `python -m compileall`. A release or construct the back end lacks fails with
/// `NotImplementedError`, so no `.pyc` is ever written with made-up code. Warnings emitted
/// before an error are dropped (compileall prints only the error block; CPython prints them as
/// they happen).
pub fn compileall_backend(
    source: &[u8],
    dfile: &str,
    release: Release,
    optimize: i64,
) -> Result<pycode_compileall::Compiled, CompileFailure> {
    let level = u8::try_from(optimize.max(0)).unwrap_or(0);
    let mut warnings = Vec::new();
    // The marshal data goes after room for the `.pyc` header, which the driver fills in.
    let room = pycode_compileall::PYC_HEADER_ROOM;
    let mut code = vec![0; room];
    match pycode_compile::compile_to_marshal_into(source, dfile, release, level, &mut warnings, &mut code) {
        Ok(()) => Ok(pycode_compileall::Compiled { code, warnings, header_room: room }),
        Err(e) => Err(e.to_failure(dfile)),
    }
}

/// Options of [`compile_tree`]: what `compileall.compile_dir(dir, ...)` takes.
#[derive(Clone, Debug)]
pub struct TreeOptions {
    /// The target release (decides the `__pycache__/NAME.cpython-3XY.pyc` names too).
    pub release: Release,
    /// Optimize levels to write (`compile_dir(optimize=[...])`); empty means `[0]`.
    pub optimize: Vec<u8>,
    /// Rewrite `.pyc` files that are up to date.
    pub force: bool,
    /// `None`: timestamp, or checked-hash when `SOURCE_DATE_EPOCH` is set (as Python does).
    pub invalidation: Option<InvalidationMode>,
    /// Worker threads; 0 = one per CPU.
    pub workers: usize,
    /// Directory levels to descend; `None` = compileall's default.
    pub max_levels: Option<i64>,
    /// `ddir`: the directory name recorded in `co_filename` instead of `dir`.
    pub ddir: Option<String>,
    /// 0 = list every file, 1 = errors only, 2 = nothing.
    pub quiet: i64,
}

impl TreeOptions {
    /// `compile_dir`'s defaults for `release`, one worker per CPU.
    pub fn new(release: Release) -> Self {
        TreeOptions { release, optimize: Vec::new(), force: false, invalidation: None, workers: 0, max_levels: None, ddir: None, quiet: 1 }
    }
}

/// What [`compile_tree`] did: whether every file compiled, and the text `compileall` would
/// have printed to stdout (`Listing ...`, `Compiling ...`, error blocks) and stderr (warnings).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TreeReport {
    pub success: bool,
    pub stdout: String,
    pub stderr: String,
}

/// `compileall.compile_dir(dir, ...)` with pycode's back end: writes
/// `__pycache__/NAME.cpython-3XY[.opt-N].pyc` next to every `.py` below `dir`, compiling in
/// parallel. A file that does not compile is reported, not fatal.
pub fn compile_tree(dir: &Path, opts: &TreeOptions) -> Result<TreeReport, Error> {
    use std::os::unix::ffi::OsStrExt;
    let mut cfg = pycode_compileall::Config::new(opts.release);
    cfg.force = opts.force;
    cfg.quiet = opts.quiet;
    cfg.invalidation_mode = opts.invalidation;
    cfg.default_mode = pycode_compileall::InvalidationMode::default_for(std::env::var_os("SOURCE_DATE_EPOCH").as_deref());
    if !opts.optimize.is_empty() {
        cfg.opt_levels = opts.optimize.iter().map(|&l| i64::from(l)).collect();
    }
    let reporter = pycode_compileall::Collect::default();
    let workers = i64::try_from(opts.workers).unwrap_or(0);
    let ok = pycode_compileall::compile_dir(
        &cfg,
        dir.as_os_str().as_bytes(),
        opts.max_levels,
        opts.ddir.as_deref().map(str::as_bytes),
        None,
        None,
        workers,
        &compileall_backend,
        &reporter,
    )
    .map_err(|f| Error::Tree { class: f.class, message: f.message })?;
    let (stdout, stderr) = reporter.into_texts();
    Ok(TreeReport { success: ok, stdout, stderr })
}
