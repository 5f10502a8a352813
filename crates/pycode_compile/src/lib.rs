//! `pycode_compile`: the compiler driver — `compile(source, filename, 'exec', optimize=N)`
//! followed by `marshal.dumps`, as `py_compile` does it for one CPython release.
//!
//! Pipeline: `pycode_parse` (source → AST) → `pycode_codegen` (constant folding, symbol table,
//! code generation; one code unit per code object, children first) → `pycode_assemble`
//! (`optimize_and_assemble` per unit, then `GraphBuilder` for CPython's object sharing) →
//! `pycode_marshal` (`.pyc` bytes).
//!
//! Only 3.12 code generation exists so far; other releases give [`CompileError::Unsupported`].

use pycode_ast::{Mod, PyMinor};
use pycode_assemble::graph::GraphBuilder;
use pycode_codegen::{compile_module, CompileOptions};
use pycode_instr::PyStr;
use pycode_marshal::{write_pyc, DumpOptions, PycHeader, PycKind};
use pycode_object::{ObjId, ObjectGraph};
use pycode_release::Release;

/// Why a compilation failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CompileError {
    /// The parser's `SyntaxError` (or decoding error).
    Parse(pycode_parse::ParseError),
    /// A `SyntaxError` / `RecursionError` / `SystemError` raised by symtable or codegen.
    Compile(pycode_codegen::CompileError),
    /// The back end rejected a code unit (an internal inconsistency).
    Assemble(String),
    /// Release or construct not implemented yet.
    Unsupported(String),
}

impl std::fmt::Display for CompileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CompileError::Parse(e) => write!(f, "{e}"),
            CompileError::Compile(e) => write!(f, "{e}"),
            CompileError::Assemble(e) => write!(f, "internal compiler error: {e}"),
            CompileError::Unsupported(e) => write!(f, "NotImplementedError: {e}"),
        }
    }
}

impl std::error::Error for CompileError {}

fn minor_of(release: Release) -> PyMinor {
    match release.minor() {
        (3, 11) => PyMinor::Py311,
        (3, 12) => PyMinor::Py312,
        (3, 13) => PyMinor::Py313,
        _ => PyMinor::Py314,
    }
}

/// `compile()`'s `mode` argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompileMode {
    /// `'exec'`: a module.
    Exec,
    /// `'eval'`: one expression; the code returns its value.
    Eval,
    /// `'single'`: one interactive statement; expression statements print their value.
    Single,
}

impl CompileMode {
    /// From `compile()`'s spelling: `exec`, `eval` or `single`.
    pub fn from_name(s: &str) -> Option<CompileMode> {
        match s {
            "exec" => Some(CompileMode::Exec),
            "eval" => Some(CompileMode::Eval),
            "single" => Some(CompileMode::Single),
            _ => None,
        }
    }
}

/// Parses `source` (bytes as read from a file) for `release`.
pub fn parse_source(source: &[u8], release: Release) -> Result<Mod, CompileError> {
    parse_source_mode(source, release, CompileMode::Exec)
}

/// Parses `source` for `release` in `compile()` mode `mode`.
pub fn parse_source_mode(source: &[u8], release: Release, mode: CompileMode) -> Result<Mod, CompileError> {
    let mode = match mode {
        CompileMode::Exec => pycode_parse::Mode::Exec,
        CompileMode::Eval => pycode_parse::Mode::Eval,
        CompileMode::Single => pycode_parse::Mode::Single,
    };
    let opts = pycode_parse::Options { minor: minor_of(release), mode, type_comments: false };
    pycode_parse::parse(source, &opts).map_err(CompileError::Parse)
}

/// `compile(source, filename, mode, dont_inherit=True, optimize=optimize)`: the code object
/// graph (root = the top-level code object) for any of the three modes.
pub fn compile_source(
    source: &[u8],
    filename: &str,
    release: Release,
    mode: CompileMode,
    optimize: u8,
) -> Result<(ObjectGraph, ObjId), CompileError> {
    let mut m = parse_source_mode(source, release, mode)?;
    compile_ast(&mut m, filename, release, optimize)
}

/// [`compile_source`], but the graph shows the code objects as `compile()` leaves them in
/// memory rather than as marshal writes them: frozenset elements are in the order the compiler
/// added them (first occurrence in the source), from which a set's iteration order follows.
pub fn compile_source_in_memory(
    source: &[u8],
    filename: &str,
    release: Release,
    mode: CompileMode,
    optimize: u8,
) -> Result<(ObjectGraph, ObjId), CompileError> {
    let mut m = parse_source_mode(source, release, mode)?;
    compile_ast_with(&mut m, filename, release, optimize, false)
}

/// Compiles a parsed module into a code object graph (root = the module code object).
pub fn compile_ast(module: &mut Mod, filename: &str, release: Release, optimize: u8) -> Result<(ObjectGraph, ObjId), CompileError> {
    compile_ast_with(module, filename, release, optimize, true)
}

/// [`compile_ast`]; `marshal_set_order` false keeps frozenset elements in the compiler's order.
fn compile_ast_with(
    module: &mut Mod,
    filename: &str,
    release: Release,
    optimize: u8,
    marshal_set_order: bool,
) -> Result<(ObjectGraph, ObjId), CompileError> {
    match release {
        Release::V3_12_1 | Release::V3_12_7 => {}
        Release::V3_11_7 | Release::V3_13_0 | Release::V3_13_2 | Release::V3_14_2 => {
            return Err(CompileError::Unsupported(format!(
                "code generation for CPython {}.{}.{}",
                release.version().0,
                release.version().1,
                release.version().2
            )))
        }
    }
    let mut opts = CompileOptions::new(release);
    opts.optimize = optimize;
    let mut compiled = compile_module(module, opts).map_err(CompileError::Compile)?;
    let mut b = GraphBuilder::for_release(release, filename);
    if !marshal_set_order {
        b.keep_compiler_set_order();
    }
    // Identifiers the parser interned before compiling (approximation: the names that end up
    // in the code objects).
    for u in &compiled.units {
        let md = &u.unit.metadata;
        for n in md.names.iter().chain(md.varnames.iter()).chain(md.cellvars.iter()).chain(md.freevars.iter()) {
            b.note_preinterned(n);
        }
        b.note_preinterned(&md.name);
    }
    let mut root = None;
    for (i, u) in compiled.units.iter().enumerate() {
        let a = pycode_assemble::optimize_and_assemble(release, &u.unit, &mut compiled.consts)
            .map_err(|e| CompileError::Assemble(format!("{e} (in {})", u.unit.metadata.qualname.to_string_lossy())))?;
        let id = b
            .add_code(&a, &compiled.consts, Some(i as u32))
            .ok_or_else(|| CompileError::Assemble("add_code: unknown constant".into()))?;
        if i == compiled.root {
            root = Some(id);
        }
    }
    let root = root.ok_or_else(|| CompileError::Assemble("no module code unit".into()))?;
    let _ = PyStr::new("", false);
    Ok(b.finish(root))
}

/// `compile()` + `marshal.dumps()`: the marshalled module code object.
pub fn compile_to_marshal(source: &[u8], filename: &str, release: Release, optimize: u8) -> Result<Vec<u8>, CompileError> {
    let mut m = parse_source(source, release)?;
    let (g, root) = compile_ast(&mut m, filename, release, optimize)?;
    pycode_marshal::dumps_with(&g, root, &DumpOptions::new(release.marshal_version()))
        .map_err(|e| CompileError::Assemble(e.to_string()))
}

/// A whole `.pyc` file (header + marshalled code), as `py_compile.compile` writes it.
pub fn compile_to_pyc(source: &[u8], filename: &str, release: Release, optimize: u8, kind: PycKind) -> Result<Vec<u8>, CompileError> {
    let mut m = parse_source(source, release)?;
    let (g, root) = compile_ast(&mut m, filename, release, optimize)?;
    let header = PycHeader::new(release, kind);
    write_pyc(&header, &g, root).map_err(|e| CompileError::Assemble(e.to_string()))
}
