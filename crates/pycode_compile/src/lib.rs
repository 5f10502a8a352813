//! `pycode_compile`: the compiler driver — `compile(source, filename, 'exec', optimize=N)`
//! followed by `marshal.dumps`, as `py_compile` does it for one CPython release.
//!
//! Pipeline: `pycode_parser` (source → AST) → `pycode_codegen` (constant folding, symbol table,
//! code generation; one code unit per code object, children first) → `pycode_assemble`
//! (`optimize_and_assemble` per unit, then `GraphBuilder` for CPython's object sharing) →
//! `pycode_marshal` (`.pyc` bytes).
//!
//! Only 3.12 code generation exists so far; other releases give [`CompileError::Unsupported`].

use pycode_assemble::graph::GraphBuilder;
use pycode_ast::arena::Ast;
use pycode_ast::pyerr::{CompileFailure, CompileWarning, SyntaxErrorInfo};
use pycode_ast::Mod;
use pycode_codegen::{compile_arena_warn, CompileOptions};
use pycode_instr::{ConstId, ConstPool, ConstValue};
use pycode_marshal::{write_pyc, DumpOptions, PycHeader, PycKind};
use pycode_object::{ObjId, ObjectGraph};
use pycode_release::{OpFlags, Release};
use rustc_hash::{FxBuildHasher, FxHashMap};
use std::hash::BuildHasher;

/// Why a compilation failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CompileError {
    /// The parser's `SyntaxError` (or decoding error).
    Parse(pycode_parser::ParseError),
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

impl CompileError {
    /// The exception `compile(source, filename, 'exec')` raises, as Python sees it: the parser's
    /// `SyntaxError` as is; a symtable/compiler `SyntaxError` with its line read back from the
    /// file named `filename` ([`program_text`], as CPython does; `None` when unreadable);
    /// anything else as `Class: message`.
    pub fn to_failure(&self, filename: &str) -> CompileFailure {
        match self {
            CompileError::Parse(e) => e.to_failure(filename),
            CompileError::Compile(e) => match e.kind {
                pycode_codegen::ErrorKind::SyntaxError => CompileFailure::Syntax(Box::new(SyntaxErrorInfo {
                    class: "SyntaxError".into(),
                    msg: e.msg.clone(),
                    filename: Some(filename.to_owned()),
                    lineno: Some(e.lineno as i64),
                    offset: Some(e.offset as i64),
                    end_lineno: Some(e.end_lineno as i64),
                    end_offset: Some(e.end_offset as i64),
                    text: program_text(filename, e.lineno as i64),
                })),
                other => CompileFailure::Other { class: other.name().into(), message: e.msg.clone() },
            },
            CompileError::Assemble(msg) => {
                CompileFailure::Other { class: "SystemError".into(), message: format!("pycode internal compiler error: {msg}") }
            }
            CompileError::Unsupported(msg) => CompileFailure::Other { class: "NotImplementedError".into(), message: msg.clone() },
        }
    }
}

/// `PyErr_ProgramTextObject` (`err_programtext` in `Python/errors.c`, 3.12): line `lineno` of the
/// file `filename` read with universal newlines in chunks of at most 999 bytes (a longer line
/// gives only its first chunk), a UTF-8 BOM skipped on line 1, decoded with replacement.
/// `None` when the file cannot be opened or has fewer lines.
pub fn program_text(filename: &str, lineno: i64) -> Option<String> {
    const CHUNK: usize = 999;
    if lineno <= 0 {
        return None;
    }
    let data = std::fs::read(filename).ok()?;
    let mut pos = 0usize;
    let mut line_no = 0i64;
    loop {
        // One fgets: up to CHUNK bytes, stopping after a newline ("\r", "\n" or "\r\n" → "\n").
        if pos >= data.len() {
            return None;
        }
        let mut chunk: Vec<u8> = Vec::new();
        let mut ended = false;
        while chunk.len() < CHUNK {
            let Some(&b) = data.get(pos) else { break };
            pos += 1;
            if b == b'\r' {
                if data.get(pos) == Some(&b'\n') {
                    pos += 1;
                }
                chunk.push(b'\n');
                ended = true;
                break;
            }
            chunk.push(b);
            if b == b'\n' {
                ended = true;
                break;
            }
        }
        let full = chunk.len() == CHUNK && !ended;
        if line_no + 1 < lineno && full {
            continue;
        }
        line_no += 1;
        if line_no == lineno {
            let mut line: &[u8] = &chunk;
            if lineno == 1 {
                line = line.strip_prefix(b"\xef\xbb\xbf").unwrap_or(line);
            }
            return Some(String::from_utf8_lossy(line).into_owned());
        }
    }
}

/// Whether pycode's back end for `release` is complete: byte-identical to that release on every
/// measured corpus (the others that are [`implemented`] are still being brought there).
pub const fn complete(release: Release) -> bool {
    // Every one is 100 % on its stdlib, PyPI and the 3.11 stdlib + tests at -O0/1/2 in both
    // header modes (conformance/<release>/compile*.txt), except 3.13.0's weakref.py, which a
    // fresh `python3.13 -m py_compile` writes as pycode does (the oracle process had imported
    // weakref, which changes reference counts).
    match release {
        Release::V3_11_2
        | Release::V3_11_7
        | Release::V3_12_1
        | Release::V3_12_7
        | Release::V3_13_0
        | Release::V3_13_2
        | Release::V3_14_2
        | Release::V3_15_0rc1 => true,
    }
}

/// Whether pycode compiles for `release` (the others fail with `NotImplementedError`).
pub const fn implemented(release: Release) -> bool {
    match release {
        Release::V3_11_2
        | Release::V3_11_7
        | Release::V3_12_1
        | Release::V3_12_7
        | Release::V3_13_0
        | Release::V3_13_2
        | Release::V3_14_2
        | Release::V3_15_0rc1 => true,
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

/// [`parse_source`], appending the parser's `SyntaxWarning`s (for `filename`) to `warnings`.
pub fn parse_source_warn(source: &[u8], filename: &str, release: Release, warnings: &mut Vec<CompileWarning>) -> Result<Mod, CompileError> {
    let opts = pycode_parser::Options::for_release(release, pycode_parser::Mode::Exec, false);
    let mut found = Vec::new();
    // (warnings emitted before a syntax error are kept: CPython prints them first)
    let m = on_parse_stack(source.len(), || pycode_parser::parse_warn(source, &opts, &mut found));
    push_parse_warnings(found, filename, warnings);
    m.map_err(CompileError::Parse)
}

/// Parses `source` for `release` in `compile()` mode `mode` into `ast` (cleared first, its
/// memory reused), appending the parser's `SyntaxWarning`s (for `filename`) to `warnings`.
pub fn parse_source_arena(
    source: &[u8],
    filename: &str,
    release: Release,
    mode: CompileMode,
    ast: &mut Ast,
    warnings: &mut Vec<CompileWarning>,
) -> Result<(), CompileError> {
    let mode = match mode {
        CompileMode::Exec => pycode_parser::Mode::Exec,
        CompileMode::Eval => pycode_parser::Mode::Eval,
        CompileMode::Single => pycode_parser::Mode::Single,
    };
    let opts = pycode_parser::Options::for_release(release, mode, false);
    let mut found = Vec::new();
    // (warnings emitted before a syntax error are kept: CPython prints them first)
    let r = on_parse_stack(source.len(), || pycode_parser::parse_arena_in_warn(source, &opts, ast, Some(&mut found)));
    push_parse_warnings(found, filename, warnings);
    r.map_err(CompileError::Parse)
}

/// The parser's `SyntaxWarning`s as `compile()` reports them for `filename`.
fn push_parse_warnings(found: Vec<pycode_parser::ParseWarning>, filename: &str, warnings: &mut Vec<CompileWarning>) {
    warnings.extend(found.into_iter().map(|w| CompileWarning {
        category: "SyntaxWarning".into(),
        message: w.message,
        filename: filename.to_owned(),
        lineno: i64::from(w.lineno),
    }));
}

thread_local! {
    /// One arena tree per thread, reused from file to file (its pools keep their memory).
    static ARENA: std::cell::RefCell<Ast> = std::cell::RefCell::new(Ast::default());
}

/// Runs `f` on this thread's arena tree, taken out of its slot for the call (a nested call
/// gets a fresh one) and put back after it, its memory kept for the next file.
fn with_arena<T>(f: impl FnOnce(&mut Ast) -> T) -> T {
    let mut ast = ARENA.try_with(|slot| slot.try_borrow_mut().map(|mut a| std::mem::take(&mut *a)).unwrap_or_default()).unwrap_or_default();
    let r = f(&mut ast);
    let _ = ARENA.try_with(|slot| {
        if let Ok(mut a) = slot.try_borrow_mut() {
            *a = ast;
        }
    });
    r
}

/// Parses `source` into this thread's arena tree and compiles it.
#[allow(clippy::too_many_arguments)]
fn parse_and_compile(
    source: &[u8],
    filename: &str,
    release: Release,
    mode: CompileMode,
    optimize: u8,
    future_flags: u32,
    marshal_set_order: bool,
    warnings: &mut Vec<CompileWarning>,
) -> Result<(ObjectGraph, ObjId, usize), CompileError> {
    with_arena(|ast| {
        parse_source_arena(source, filename, release, mode, ast, warnings)?;
        compile_arena_with(ast, filename, release, optimize, future_flags, marshal_set_order, warnings)
    })
}

/// Parses `source` for `release` in `compile()` mode `mode`.
pub fn parse_source_mode(source: &[u8], release: Release, mode: CompileMode) -> Result<Mod, CompileError> {
    let mode = match mode {
        CompileMode::Exec => pycode_parser::Mode::Exec,
        CompileMode::Eval => pycode_parser::Mode::Eval,
        CompileMode::Single => pycode_parser::Mode::Single,
    };
    let opts = pycode_parser::Options::for_release(release, mode, false);
    on_parse_stack(source.len(), || pycode_parser::parse(source, &opts)).map_err(CompileError::Parse)
}

/// Runs a parse of `len` source bytes on a stack that holds the deepest tree such a source
/// can build. The parser grows its stack as it recurses, but trees built by loops (the chains of
/// [`PARSE_STACK_PER_BYTE`]) are cloned and dropped recursively, which needs several MiB for a
/// large file: more than a 2 MiB thread (a test's, an embedder's) has left. When less than
/// [`parse_red_zone`] is left the parse runs on a fresh segment, which costs ~35 µs (mapping and
/// faulting in the segment, twice with the drop): three times the compile of a small snippet.
/// The compileall driver's threads always have enough.
fn on_parse_stack<T>(len: usize, f: impl FnOnce() -> T) -> T {
    stacker::maybe_grow(parse_red_zone(len), PARSE_STACK, f)
}

/// The stack a parse (or the drop of its tree) of `len` source bytes wants left when it starts.
fn parse_red_zone(len: usize) -> usize {
    PARSE_RED_ZONE.min(PARSE_MIN_ZONE.saturating_add(len.saturating_mul(PARSE_STACK_PER_BYTE)))
}

/// The most stack a parse wants left when it starts (a source of 15 KB or more); with less, it
/// runs on a fresh segment of `PARSE_STACK` (256 MiB). Threads that compile many files should
/// have more than this (the compileall driver's do), or every large file pays for mapping and
/// faulting in a new segment.
pub const PARSE_RED_ZONE: usize = 16 << 20;
/// The least: the parser's own recursion guards switch segments below 256 KiB.
const PARSE_MIN_ZONE: usize = 1 << 20;
/// Stack per source byte for what the parser's guards do not see: dropping (and cloning) trees
/// that loops build as deep as the source is long. Measured on a thread of fixed size, parse
/// then drop, 10,000 links each, release build: `1+1+…`, `a.b.b…`, `f()()…` (20 KB) fit in
/// 1 MiB, not 512 KiB; `a[0][0]…` (30 KB) in 1 MiB; an `elif` chain (130 KB) in 8 MiB, not 4:
/// at most ~64 bytes per byte. Unoptimised builds: 2,000 `elif`s (26 KB) in 8 MiB, not 4: at
/// most ~320. 1024 leaves three times that, and a Latin-1 source doubling in UTF-8 still fits.
const PARSE_STACK_PER_BYTE: usize = 1024;
const PARSE_STACK: usize = 256 << 20;

/// `compile(source, filename, mode, dont_inherit=True, optimize=optimize)`: the code object
/// graph (root = the top-level code object) for any of the three modes.
pub fn compile_source(
    source: &[u8],
    filename: &str,
    release: Release,
    mode: CompileMode,
    optimize: u8,
) -> Result<(ObjectGraph, ObjId), CompileError> {
    compile_source_flags(source, filename, release, mode, optimize, 0)
}

/// [`compile_source`] with `compile()`'s `flags`: the `__future__` feature bits (`CO_FUTURE_*`)
/// in effect from the start, as `compile(source, filename, mode, flags, dont_inherit=True)`.
pub fn compile_source_flags(
    source: &[u8],
    filename: &str,
    release: Release,
    mode: CompileMode,
    optimize: u8,
    future_flags: u32,
) -> Result<(ObjectGraph, ObjId), CompileError> {
    parse_and_compile(source, filename, release, mode, optimize, future_flags, true, &mut Vec::new()).map(graph_only)
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
    parse_and_compile(source, filename, release, mode, optimize, 0, false, &mut Vec::new()).map(graph_only)
}

/// The graph and root of [`compile_arena_with`]'s answer.
fn graph_only((g, root, _): (ObjectGraph, ObjId, usize)) -> (ObjectGraph, ObjId) {
    (g, root)
}

/// Compiles a parsed module into a code object graph (root = the module code object): the
/// boxed tree is copied into an arena first ([`compile_arena`] compiles one directly).
pub fn compile_ast(module: &Mod, filename: &str, release: Release, optimize: u8) -> Result<(ObjectGraph, ObjId), CompileError> {
    let mut ast = Ast::from_tree(module);
    compile_arena(&mut ast, filename, release, optimize)
}

/// Compiles the module of an arena tree (folded in place) into a code object graph.
pub fn compile_arena(ast: &mut Ast, filename: &str, release: Release, optimize: u8) -> Result<(ObjectGraph, ObjId), CompileError> {
    compile_arena_with(ast, filename, release, optimize, 0, true, &mut Vec::new()).map(graph_only)
}

/// [`compile_ast`]; `marshal_set_order` false keeps frozenset elements in the compiler's order.
/// Besides the graph and its root, a first capacity for its marshal data: the bytes of the
/// written code objects' bytecode, line and exception tables and of the constant strings (known
/// here without a walk over the graph), plus [`pycode_marshal::output_estimate`] for the rest.
/// The graph-only estimate fell short for most modules (the bytecode of a code object is one
/// node), and each growth of the buffer copied all that was written before it.
fn compile_arena_with(
    ast: &mut Ast,
    filename: &str,
    release: Release,
    optimize: u8,
    future_flags: u32,
    marshal_set_order: bool,
    warnings: &mut Vec<CompileWarning>,
) -> Result<(ObjectGraph, ObjId, usize), CompileError> {
    if !implemented(release) {
        return Err(CompileError::Unsupported(format!("code generation for CPython {release}")));
    }
    let mut opts = CompileOptions::new(release);
    opts.optimize = optimize;
    opts.future_flags = future_flags;
    let mut emitted = Vec::new();
    let compiled = compile_arena_warn(ast, opts, &mut emitted);
    warnings.extend(emitted.into_iter().map(|w| CompileWarning {
        category: "SyntaxWarning".into(),
        message: w.message,
        filename: filename.to_owned(),
        lineno: i64::from(w.lineno),
    }));
    let compiled = compiled.map_err(CompileError::Compile)?;
    let mut pool = compiled.consts;
    // Assemble every unit (children first), deciding which ones an equal earlier code object
    // stands for; the units are consumed, their names move into the assembled code.
    let mut merger = CodeMerger::new(compiled.units.len());
    let mut assembled: Vec<(pycode_assemble::AssembledCode, bool)> = Vec::with_capacity(compiled.units.len());
    for (i, u) in compiled.units.into_iter().enumerate() {
        let mut unit = u.unit;
        merger.canonicalise_code_consts(release, &mut unit, &mut pool);
        let qualname = unit.metadata.qualname.clone();
        let a = pycode_assemble::optimize_and_assemble_owned(release, unit, &mut pool)
            .map_err(|e| CompileError::Assemble(format!("{e} (in {})", qualname.to_string_lossy())))?;
        // an equal code object made earlier stands for a merged one (it is never written)
        let merged = i != compiled.root && merger.merge_if_equal(i, &a, &assembled);
        if !merged {
            merger.remember(i, &a);
        }
        assembled.push((a, merged));
    }
    let mut b = GraphBuilder::for_release(release, filename);
    if !marshal_set_order {
        b.keep_compiler_set_order();
    }
    // Identifiers the parser interned before compiling (approximation: the names that end up
    // in the code objects, merged ones included).
    for (a, _) in &assembled {
        b.note_preinterned_code(a);
    }
    let mut root = None;
    for (i, (a, merged)) in assembled.iter().enumerate() {
        if *merged {
            continue;
        }
        let id = b.add_code(a, &pool, Some(i as u32)).ok_or_else(|| CompileError::Assemble("add_code: unknown constant".into()))?;
        if i == compiled.root {
            root = Some(id);
        }
    }
    let root = root.ok_or_else(|| CompileError::Assemble("no module code unit".into()))?;
    let tables: usize =
        assembled.iter().filter(|(_, merged)| !merged).map(|(a, _)| a.code.len() + a.linetable.len() + a.exceptiontable.len()).sum();
    let strings: usize = pool
        .values()
        .iter()
        .map(|v| match v {
            pycode_instr::ConstValue::Str(s) => s.as_bytes().len(),
            pycode_instr::ConstValue::Bytes(b) => b.len(),
            _ => 0,
        })
        .sum();
    let (g, root) = b.finish(root);
    let size = pycode_marshal::output_estimate(&g) + tables + strings;
    Ok((g, root, size))
}

/// CPython 3.12 keys code-object constants by value: `_PyCode_ConstantKey` returns the code object
/// itself, so the compiler's constant cache (`merge_consts_recursive`) hands out an earlier code
/// object that compares equal (`code_richcompare`: name, argument counts, flags, first line,
/// bytecode, constants, names, localsplus names, line table and exception table — *not* the
/// qualname) instead of the new one. That happens e.g. when codegen emits an expression twice
/// (a `while` test with a generator expression or lambda) or for `lambda: 0` twice on a line.
/// Code units are assembled children first, so when a unit is finished every code object the
/// constant cache could hold is known; an equal one makes this unit an alias, and the parents'
/// constant lists then refer to the earlier object (one entry where both were in one list).
struct CodeMerger {
    /// handle → the handle of the code object that stands for it (itself unless merged)
    canon: Vec<u32>,
    /// finished, distinct code objects by (hash of name, firstlineno): the candidates to compare
    /// with, as indices of the assembled units
    by_name_line: FxHashMap<(u64, i32), Vec<usize>>,
}

impl CodeMerger {
    fn new(n: usize) -> Self {
        Self { canon: (0..n as u32).collect(), by_name_line: FxHashMap::default() }
    }

    fn key(a: &pycode_assemble::AssembledCode) -> (u64, i32) {
        (FxBuildHasher.hash_one(a.name.as_bytes()), a.firstlineno)
    }

    /// Points the `LOAD_CONST`s of merged code objects in `unit` at the object standing for
    /// them; when that object is already in the unit's constant list the duplicate entry is
    /// dropped and later constant indices move down by one (the index CPython's `dict_add_o`
    /// would have given).
    fn canonicalise_code_consts(&self, release: Release, unit: &mut pycode_instr::CodeUnit, pool: &mut ConstPool) {
        let needs = unit.metadata.consts.iter().any(|id| match pool.get(*id) {
            Some(ConstValue::Code(h)) => self.canon.get(*h as usize).is_some_and(|c| c != h),
            _ => false,
        });
        if !needs {
            return;
        }
        // old index -> new index
        let old: Vec<ConstId> = unit.metadata.consts.as_slice().to_vec();
        let mut new_list: Vec<ConstId> = Vec::with_capacity(old.len());
        let mut remap: Vec<u32> = Vec::with_capacity(old.len());
        for id in old {
            let id = match pool.get(id) {
                Some(ConstValue::Code(h)) => match self.canon.get(*h as usize) {
                    Some(c) if c != h => pool.add(ConstValue::Code(*c)),
                    _ => id,
                },
                _ => id,
            };
            match new_list.iter().position(|x| *x == id) {
                Some(k) => remap.push(k as u32),
                None => {
                    remap.push(new_list.len() as u32);
                    new_list.push(id);
                }
            }
        }
        let table = release.opcodes();
        for ins in unit.instrs.instrs_mut() {
            if table.has(ins.opcode, OpFlags::HAS_CONST) {
                if let Some(&k) = remap.get(ins.oparg as usize) {
                    ins.oparg = k;
                }
            }
        }
        unit.metadata.consts.replace_all(new_list);
    }

    /// Whether unit `i` equals a code object finished before it; if so it becomes its alias.
    fn merge_if_equal(&mut self, i: usize, a: &pycode_assemble::AssembledCode, done: &[(pycode_assemble::AssembledCode, bool)]) -> bool {
        let Some(cands) = self.by_name_line.get(&Self::key(a)) else {
            return false;
        };
        let Some(&j) = cands.iter().find(|&&j| done.get(j).is_some_and(|(b, _)| code_richcompare_eq(a, b))) else {
            return false;
        };
        if let Some(c) = self.canon.get_mut(i) {
            *c = j as u32;
        }
        true
    }

    fn remember(&mut self, i: usize, a: &pycode_assemble::AssembledCode) {
        self.by_name_line.entry(Self::key(a)).or_default().push(i);
    }
}

/// `code_richcompare` (3.12 `Objects/codeobject.c`) on assembled code. Constants compare by
/// pool id, which is their `_PyCode_ConstantKey` (code handles already canonicalised).
fn code_richcompare_eq(a: &pycode_assemble::AssembledCode, b: &pycode_assemble::AssembledCode) -> bool {
    a.name == b.name
        && a.argcount == b.argcount
        && a.posonlyargcount == b.posonlyargcount
        && a.kwonlyargcount == b.kwonlyargcount
        && a.flags == b.flags
        && a.firstlineno == b.firstlineno
        && a.code == b.code
        && a.consts == b.consts
        && a.names == b.names
        && a.localsplusnames == b.localsplusnames
        && a.linetable == b.linetable
        && a.exceptiontable == b.exceptiontable
}

/// `compile()` + `marshal.dumps()`: the marshalled module code object.
pub fn compile_to_marshal(source: &[u8], filename: &str, release: Release, optimize: u8) -> Result<Vec<u8>, CompileError> {
    compile_to_marshal_warn(source, filename, release, optimize, &mut Vec::new())
}

/// [`compile_to_marshal`], appending the warnings `compile()` emits to `warnings`.
pub fn compile_to_marshal_warn(
    source: &[u8],
    filename: &str,
    release: Release,
    optimize: u8,
    warnings: &mut Vec<CompileWarning>,
) -> Result<Vec<u8>, CompileError> {
    let mut out = Vec::new();
    compile_to_marshal_into(source, filename, release, optimize, warnings, &mut out)?;
    Ok(out)
}

/// [`compile_to_marshal_warn`] appending the marshal data to `out` (a `.pyc` writer puts its
/// header first and saves a copy). On an error `out` is left as it was.
pub fn compile_to_marshal_into(
    source: &[u8],
    filename: &str,
    release: Release,
    optimize: u8,
    warnings: &mut Vec<CompileWarning>,
    out: &mut Vec<u8>,
) -> Result<(), CompileError> {
    let (g, root, size) = parse_and_compile(source, filename, release, CompileMode::Exec, optimize, 0, true, warnings)?;
    // Room for the whole output at once ([`compile_arena_with`]'s estimate). Reserving the
    // source's size when that is more saved 3 M instructions over the stdlib but made each
    // extra `-j` worker keep up to 13 MB more (measured: peak RSS at -j 2 25-33 MB, not 23-24).
    out.reserve(size);
    let start = out.len();
    pycode_marshal::dump_into(&g, root, &DumpOptions::new(release.marshal_version()), out).map_err(|e| {
        out.truncate(start);
        CompileError::Assemble(e.to_string())
    })
}

/// A whole `.pyc` file (header + marshalled code), as `py_compile.compile` writes it.
pub fn compile_to_pyc(source: &[u8], filename: &str, release: Release, optimize: u8, kind: PycKind) -> Result<Vec<u8>, CompileError> {
    compile_to_pyc_warn(source, filename, release, optimize, kind, &mut Vec::new())
}

/// [`compile_to_pyc`], appending the warnings `compile()` emits (in CPython's order, also those
/// emitted before an error) to `warnings`.
pub fn compile_to_pyc_warn(
    source: &[u8],
    filename: &str,
    release: Release,
    optimize: u8,
    kind: PycKind,
    warnings: &mut Vec<CompileWarning>,
) -> Result<Vec<u8>, CompileError> {
    let (g, root, _) = parse_and_compile(source, filename, release, CompileMode::Exec, optimize, 0, true, warnings)?;
    let header = PycHeader::new(release, kind);
    write_pyc(&header, &g, root).map_err(|e| CompileError::Assemble(e.to_string()))
}

#[cfg(test)]
mod stack_tests {
    use super::*;

    /// Sources whose trees are as deep as they are long, sized so that a thread of `stack` bytes
    /// has just the red zone they ask for left: the parse and the drop then run on the thread's
    /// own stack (no fresh segment), and must fit: a stack overflow aborts the test binary.
    #[test]
    fn chains_fit_in_the_red_zone_they_ask_for() {
        let links: [(&str, &str, &str); 5] = [
            ("x = 1", "+1", "\n"),
            ("x = a", ".b", "\n"),
            ("x = a", "[0]", "\n"),
            ("x = f", "()", "\n"),
            ("if 1: pass\n", "elif 1: pass\n", ""),
        ];
        let mut ran = 0;
        for stack in [2usize << 20, 4 << 20, 8 << 20] {
            // What is left to the parse on a fresh thread, less room for the test's own frames.
            let left = stack - (64 << 10);
            let len = (left - PARSE_MIN_ZONE) / PARSE_STACK_PER_BYTE;
            assert!(parse_red_zone(len) <= left);
            for (head, link, tail) in links {
                let n = (len - head.len() - tail.len()) / link.len();
                let source = format!("{head}{}{tail}", link.repeat(n));
                let ok = std::thread::Builder::new()
                    .stack_size(stack)
                    .spawn(move || {
                        assert!(stacker::remaining_stack().unwrap_or(0) >= parse_red_zone(source.len()));
                        compile_source(source.as_bytes(), "<chain>", Release::V3_12_7, CompileMode::Exec, 0).map_err(|e| e.to_string())
                    })
                    .unwrap()
                    .join()
                    .unwrap();
                // Compiled, or refused as CPython refuses chains this deep: never a stack overflow.
                let what = ok.as_ref().map(|_| ()).map_err(String::as_str);
                assert!(
                    matches!(what, Ok(()) | Err("RecursionError: maximum recursion depth exceeded during compilation")),
                    "{link:?} x {n}: {what:?}"
                );
                ran += 1;
            }
        }
        assert_eq!(ran, 15);
    }
}
