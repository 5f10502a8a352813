//! Code generation mirroring CPython 3.12's `Python/compile.c` (`compiler_visit_stmt`,
//! `compiler_visit_expr1` and helpers). Function names below are CPython's.

use pycode_symtable::FxHashMap as HashMap;

use pycode_ast::arena::ConstId as AConst;
use pycode_ast::arena::{
    Alias, Arguments, ArgumentsId, Ast, Comprehension, ExceptHandler, Expr, ExprId, ExprKind, For, Keyword, Mod, NameId as AName, Pattern,
    PatternId, Pool, Seq, Stmt, StmtId, StmtKind, Try, WithItem,
};
use pycode_ast::{BoolOp, CmpOp, Constant, ExprContext, Operator, Pos, UnaryOp};
use pycode_instr::{
    CodeUnit, CodeUnitMetadata, ConstId, ConstPool, ConstValue, IndexSet, InstrSequence, Label, Location, PyStr, StrOrigin,
};
use pycode_release::{Features, Minor, Release};

use crate::warnings::{self, SyntaxWarning};
use pycode_symtable::{
    flags::*, key_of_expr, key_of_stmt, mangle, mangle_cow, name_hash, BlockType, CompileError, EntryId, ErrorKind, FutureFeatures, NameId,
    Scope, SymTable,
};

use crate::ops::{Ops, ABSENT_BASE};

#[path = "pattern.rs"]
mod pattern;
#[path = "select.rs"]
mod select;
use select::Intrinsic1;
#[path = "try_star.rs"]
mod try_star;
#[path = "typeparams.rs"]
mod typeparams;

/// An AST node given by reference or by id (codegen's visits take either).
pub(crate) trait NodeArg<'a, N: 'a>: Copy {
    fn get(self, ast: &'a Ast) -> Option<&'a N>;
}

macro_rules! node_args {
    ($($node:ty, $id:ty, $look:ident;)*) => {$(
        impl<'a> NodeArg<'a, $node> for &'a $node {
            #[inline]
            fn get(self, _: &'a Ast) -> Option<&'a $node> {
                Some(self)
            }
        }
        impl<'a> NodeArg<'a, $node> for $id {
            #[inline]
            fn get(self, ast: &'a Ast) -> Option<&'a $node> {
                ast.$look(self)
            }
        }
        impl<'a, 'b> NodeArg<'a, $node> for &'b $id {
            #[inline]
            fn get(self, ast: &'a Ast) -> Option<&'a $node> {
                ast.$look(*self)
            }
        }
    )*};
}

node_args! {
    Expr, ExprId, expr;
    Stmt, StmtId, stmt;
    Pattern, PatternId, pattern;
    Arguments, ArgumentsId, arguments;
}

pub(crate) trait ExprArg<'a>: NodeArg<'a, Expr> {}
impl<'a, T: NodeArg<'a, Expr>> ExprArg<'a> for T {}
pub(crate) trait StmtArg<'a>: NodeArg<'a, Stmt> {}
impl<'a, T: NodeArg<'a, Stmt>> StmtArg<'a> for T {}
pub(crate) trait PatArg<'a>: NodeArg<'a, Pattern> {}
impl<'a, T: NodeArg<'a, Pattern>> PatArg<'a> for T {}
pub(crate) trait ArgsArg<'a>: NodeArg<'a, Arguments> {}
impl<'a, T: NodeArg<'a, Arguments>> ArgsArg<'a> for T {}

/// A sequence field given as the field, a reference to it, or its elements.
pub(crate) trait SeqArg<'a, T: 'a>: Copy {
    fn get(self, ast: &'a Ast) -> &'a [T];
}
impl<'a, T: 'a> SeqArg<'a, T> for Seq<T>
where
    Ast: Pool<T>,
{
    #[inline]
    fn get(self, ast: &'a Ast) -> &'a [T] {
        ast.seq(self)
    }
}
impl<'a, T: 'a> SeqArg<'a, T> for &Seq<T>
where
    Ast: Pool<T>,
{
    #[inline]
    fn get(self, ast: &'a Ast) -> &'a [T] {
        ast.seq(*self)
    }
}
impl<'a, T: 'a> SeqArg<'a, T> for &'a [T] {
    #[inline]
    fn get(self, _: &'a Ast) -> &'a [T] {
        self
    }
}

/// An identifier of the tree, by id or reference to one.
pub(crate) trait NameArg: Copy {
    fn id(self) -> AName;
}
impl NameArg for AName {
    #[inline]
    fn id(self) -> AName {
        self
    }
}
impl NameArg for &AName {
    #[inline]
    fn id(self) -> AName {
        *self
    }
}

/// An identifier given as text or as an id of the tree (codegen's name operations take either).
pub(crate) trait Text: Copy {
    fn text<'s>(self, ast: &'s Ast) -> Option<&'s str>
    where
        Self: 's;
    /// The identifier's id in the tree, when given by id (the symbol table's id too: its
    /// names start as the tree's).
    #[inline]
    fn name_id(self) -> Option<AName> {
        None
    }
}
impl Text for &str {
    #[inline]
    fn text<'s>(self, _: &'s Ast) -> Option<&'s str>
    where
        Self: 's,
    {
        Some(self)
    }
}
impl Text for &String {
    #[inline]
    fn text<'s>(self, _: &'s Ast) -> Option<&'s str>
    where
        Self: 's,
    {
        Some(self.as_str())
    }
}
impl Text for &Box<str> {
    #[inline]
    fn text<'s>(self, _: &'s Ast) -> Option<&'s str>
    where
        Self: 's,
    {
        Some(self)
    }
}
impl Text for AName {
    #[inline]
    fn text<'s>(self, ast: &'s Ast) -> Option<&'s str>
    where
        Self: 's,
    {
        ast.name(self)
    }
    #[inline]
    fn name_id(self) -> Option<AName> {
        Some(self)
    }
}
impl Text for &&str {
    #[inline]
    fn text<'s>(self, _: &'s Ast) -> Option<&'s str>
    where
        Self: 's,
    {
        Some(*self)
    }
}
impl Text for &AName {
    #[inline]
    fn text<'s>(self, ast: &'s Ast) -> Option<&'s str>
    where
        Self: 's,
    {
        ast.name(*self)
    }
    #[inline]
    fn name_id(self) -> Option<AName> {
        Some(*self)
    }
}

/// A constant of the tree, by id or reference to one.
pub(crate) trait ConstArg: Copy {
    fn id(self) -> AConst;
}
impl ConstArg for AConst {
    #[inline]
    fn id(self) -> AConst {
        self
    }
}
impl ConstArg for &AConst {
    #[inline]
    fn id(self) -> AConst {
        *self
    }
}

/// An id that is not in the tree (only an incomplete or foreign tree has one).
pub(crate) fn dangling() -> CompileError {
    CompileError::new(ErrorKind::SystemError, "AST node id not in the tree")
}

/// Options of one compilation (`compile()`'s `optimize`, the target release).
#[derive(Clone, Copy, Debug)]
pub struct CompileOptions {
    pub release: Release,
    /// `-O` level: 0, 1 (asserts and `__debug__` off) or 2 (also docstrings).
    pub optimize: u8,
    /// `mode='single'` (interactive) compilation.
    pub interactive: bool,
    /// `compile()`'s `flags`: `__future__` features (`CO_FUTURE_*` bits) in effect before the
    /// module's own `from __future__` imports; they end up in every code object's `co_flags`.
    pub future_flags: u32,
}

impl CompileOptions {
    pub fn new(release: Release) -> Self {
        CompileOptions { release, optimize: 0, interactive: false, future_flags: 0 }
    }
}

/// One finished code unit plus what the back half needs besides the metadata.
#[derive(Clone, Debug)]
pub struct CompiledUnit {
    pub unit: CodeUnit,
    /// The symbol-table block type, for callers that care (e.g. `co_flags` checks).
    pub is_function_like: bool,
}

/// The result of [`compile_module`]: every code unit (children before parents; the module last)
/// and the compilation-wide constant pool.
#[derive(Clone, Debug)]
pub struct Compiled {
    pub units: Vec<CompiledUnit>,
    pub consts: ConstPool,
    /// Index of the module's unit in `units`.
    pub root: usize,
}

// co_flags
const CO_OPTIMIZED: u32 = 0x1;
const CO_NEWLOCALS: u32 = 0x2;
const CO_VARARGS: u32 = 0x4;
const CO_VARKEYWORDS: u32 = 0x8;
const CO_NESTED: u32 = 0x10;
const CO_GENERATOR: u32 = 0x20;
const CO_COROUTINE: u32 = 0x80;
const CO_ASYNC_GENERATOR: u32 = 0x200;
/// `compile()`'s `PyCF_ALLOW_TOP_LEVEL_AWAIT` (`ast.PyCF_ALLOW_TOP_LEVEL_AWAIT`).
pub const PY_CF_ALLOW_TOP_LEVEL_AWAIT: u32 = 0x2000;
const PY_CF_MASK: u32 = 0x20000 | 0x40000 | 0x80000 | 0x100000 | 0x200000 | 0x400000 | 0x800000 | 0x1000000;

use select::{MAKE_FUNCTION_ANNOTATE, MAKE_FUNCTION_ANNOTATIONS, MAKE_FUNCTION_CLOSURE, MAKE_FUNCTION_DEFAULTS, MAKE_FUNCTION_KWDEFAULTS};

// intrinsics
const INTRINSIC_STOPITERATION_ERROR: u32 = 3;

const STACK_USE_GUIDELINE: usize = 30;
/// A backstop only: the symbol table (which runs first) raises CPython's `RecursionError` at
/// `pycode_symtable::MAX_DEPTH`; codegen's own count (which also counts comprehension
/// generators and patterns) must not fire before it.
const MAX_DEPTH: u32 = 2 * pycode_symtable::MAX_DEPTH;
/// Stack kept free before recursing (see `stacker`).
const RED_ZONE: usize = 128 * 1024;
const STACK_GROW: usize = 4 << 20;

/// `compiler_scope`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ScopeType {
    Module,
    Class,
    Function,
    AsyncFunction,
    Lambda,
    Comprehension,
    TypeParams,
    /// 3.14+ `__annotate__` functions.
    Annotations,
}

/// `fblocktype`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FBlockType {
    WhileLoop,
    ForLoop,
    TryExcept,
    FinallyTry,
    FinallyEnd,
    With,
    AsyncWith,
    HandlerCleanup,
    PopValue,
    ExceptionHandler,
    ExceptionGroupHandler,
    AsyncComprehensionGenerator,
}

/// `fblockinfo`; `datum` is the finally body / with statement / handler name.
#[derive(Clone, Copy)]
struct FBlock<'a> {
    ty: FBlockType,
    /// `fb_loc`.
    loc: Location,
    block: Option<Label>,
    exit: Option<Label>,
    datum: FDatum<'a>,
}

#[derive(Clone, Copy)]
enum FDatum<'a> {
    None,
    /// A `for` loop whose iterator takes two stack slots (3.15).
    TwoSlots,
    Body(Seq<StmtId>),
    Name(&'a str),
}

/// `compiler_unit`.
struct Unit<'a> {
    ste: EntryId,
    /// This unit's stamp in [`Compiler::sym_pos`] (unique per unit of the compile, never 0).
    stamp: u32,
    scope_type: ScopeType,
    md: CodeUnitMetadata,
    /// `u_argcount` as CPython's codegen keeps it (positional-or-keyword only).
    argcount: u32,
    /// 3.15 generator expressions: the instructions before the function-start `RESUME`
    /// (`RESUME 4; LOAD_FAST .0; GET_ITER`), which the `StopIteration` handler does not cover.
    gen_prologue: usize,
    seq: InstrSequence,
    fblocks: Vec<FBlock<'a>>,
    in_inlined_comp: u32,
    private: Option<Box<str>>,
    fasthidden: HashMap<Box<str>, bool>,
    /// 3.14+: the function's first constant is its docstring (`CO_HAS_DOCSTRING`).
    has_docstring: bool,
    /// An `async for`/`async with` at the top level under `PyCF_ALLOW_TOP_LEVEL_AWAIT` (CPython
    /// sets the module's `ste_coroutine` from the code generator).
    top_level_coroutine: bool,
    /// 3.14+: a function defined directly in a class body (`CO_METHOD`).
    is_method: bool,
    /// 3.14+ `u_deferred_annotations`: a module's or class's simple annotated assignments
    /// and their `__conditional_annotations__` index.
    deferred: Vec<(&'a Stmt, Option<u32>)>,
    /// 3.14+: where a module's `__annotate__` setup goes (`ANNOTATIONS_PLACEHOLDER`).
    annotations_at: usize,
    /// `nameop`'s indices into `u_names`, `u_varnames`, `u_cellvars`, `u_freevars` (one column
    /// each, [`NO_SLOT`] until first used) by the name's position in this scope's symbol table,
    /// so a name used again costs one symbol lookup and no second hash of the string. Exact
    /// because adding a name that is already present returns its existing index.
    name_slots: Vec<[u32; 4]>,
    /// `u_static_attributes` (3.13+ class units): the names `X` of `self.X = ...` stores in
    /// the functions nested in this class (sorted, as `__static_attributes__` lists them).
    static_attributes: Option<std::collections::BTreeSet<Box<str>>>,
}

/// An unfilled [`Unit::name_slots`] cell.
const NO_SLOT: u32 = u32::MAX;
const SLOT_NAMES: usize = 0;
const SLOT_VARNAMES: usize = 1;
const SLOT_CELLVARS: usize = 2;
const SLOT_FREEVARS: usize = 3;

/// `struct compiler`.
struct Compiler<'a> {
    /// The (folded) tree being compiled.
    ast: &'a Ast,
    st: SymTable,
    future: FutureFeatures,
    opts: CompileOptions,
    /// The target's behaviour switches (`opts.release.features()`).
    feat: &'static Features,
    /// The target's instruction-selection line (`opts.release.line()`), see `select.rs`.
    line: Minor,
    ops: &'static Ops,
    consts: ConstPool,
    units: Vec<CompiledUnit>,
    stack: Vec<Unit<'a>>,
    interactive: bool,
    depth: u32,
    /// The `.generic_base` name appended to each generic class's bases ([`typeparams`]).
    generic_bases: &'a HashMap<usize, ExprId>,
    /// `SyntaxWarning`s emitted so far, in CPython's order.
    warnings: Vec<SyntaxWarning>,
    /// The pool id of `None`, once pooled.
    none_const: Option<ConstId>,
    /// The first opcode selected that the target release lacks (an internal error).
    absent: Option<CompileError>,
    /// The location of the last statement started (3.11's current location after a body, see
    /// [`Features::stmt_location_leaks`]).
    last_stmt_loc: Location,
    /// The location of the last (sub)pattern started (3.11's `compiler_pattern` sets it as
    /// the current location and never restores it).
    last_pattern_loc: Location,
    /// 3.11, inside `compiler_pattern`: every instruction takes the compiler's current
    /// location, the last (sub)pattern started (`last_pattern_loc`), whatever location the
    /// pattern code passes; expressions inside patterns keep their own.
    pattern_current_loc: bool,
    /// By name id: `stamp << 32 | position` of the name in the symbols of the unit whose
    /// [`Unit::stamp`] is `stamp` (filled when a unit is entered, refilled on a miss): `nameop`
    /// finds a name's symbol by indexing, not by probing the scope. Exact because a scope's
    /// symbols are only ever appended while code is generated.
    sym_pos: Vec<u64>,
    /// The last [`Unit::stamp`] given.
    last_stamp: u32,
}

type R = Result<(), CompileError>;

fn loc_of(p: Pos) -> Location {
    // `u32::MAX` marks CPython's -1 (nodes built by the optimizer without a location).
    let f = |v: u32| if v == u32::MAX { -1 } else { v as i32 };
    Location::new(f(p.lineno), f(p.end_lineno), f(p.col_offset), f(p.end_col_offset))
}

const NO_LOC: Location = Location::NO_LOCATION;

fn err_at(msg: impl Into<String>, loc: Location) -> CompileError {
    CompileError {
        kind: ErrorKind::SyntaxError,
        msg: msg.into(),
        lineno: loc.lineno,
        offset: loc.col_offset + 1,
        end_lineno: loc.end_lineno,
        end_offset: loc.end_col_offset + 1,
    }
}

fn unsupported(what: &str) -> CompileError {
    CompileError::new(ErrorKind::Unsupported, format!("not supported yet: {what}"))
}

fn pystr(s: &str) -> PyStr {
    PyStr::new(s, true)
}

/// The text of a `PyStr`, borrowed unless it holds surrogates.
fn pystr_text(p: &PyStr) -> std::borrow::Cow<'_, str> {
    match p.as_str() {
        Some(s) => std::borrow::Cow::Borrowed(s),
        None => std::borrow::Cow::Owned(p.to_string_lossy()),
    }
}

/// `_PyAST_GetDocString`.
fn get_docstring<'a>(ast: &'a Ast, body: &[StmtId]) -> Option<&'a Expr> {
    let first = ast.stmt(*body.first()?)?;
    if let StmtKind::Expr { value } = first.kind {
        let value = ast.expr(value)?;
        if let ExprKind::Constant { value: c, .. } = value.kind {
            if let Some(Constant::Str(_)) = ast.constant(c) {
                return Some(value);
            }
        }
    }
    None
}

/// `find_ann`.
fn find_ann(ast: &Ast, stmts: &[StmtId]) -> bool {
    for st in stmts.iter().filter_map(|&s| ast.stmt(s)) {
        let res = match &st.kind {
            StmtKind::AnnAssign { .. } => return true,
            StmtKind::For(f) | StmtKind::AsyncFor(f) => find_ann(ast, ast.seq(f.body)) || find_ann(ast, ast.seq(f.orelse)),
            StmtKind::While { body, orelse, .. } | StmtKind::If { body, orelse, .. } => {
                find_ann(ast, ast.seq(*body)) || find_ann(ast, ast.seq(*orelse))
            }
            StmtKind::With { body, .. } | StmtKind::AsyncWith { body, .. } => find_ann(ast, ast.seq(*body)),
            StmtKind::Try(t) | StmtKind::TryStar(t) => {
                if ast.seq(t.handlers).iter().any(|h| find_ann(ast, ast.seq(h.body))) {
                    return true;
                }
                find_ann(ast, ast.seq(t.body)) || find_ann(ast, ast.seq(t.finalbody)) || find_ann(ast, ast.seq(t.orelse))
            }
            StmtKind::Match { cases, .. } => ast.seq(*cases).iter().any(|c| find_ann(ast, ast.seq(c.body))),
            _ => false,
        };
        if res {
            return true;
        }
    }
    false
}

/// Converts an AST constant into the pool (`compiler_add_const` → `merge_consts_recursive`).
pub(crate) fn const_value(pool: &mut ConstPool, c: &Constant) -> ConstId {
    let v = match c {
        Constant::None => ConstValue::None,
        Constant::True => ConstValue::True,
        Constant::False => ConstValue::False,
        Constant::Ellipsis => ConstValue::Ellipsis,
        Constant::Int(i) => ConstValue::Int(*i),
        Constant::BigInt(b) => ConstValue::bigint((**b).clone()),
        Constant::Float(f) => ConstValue::float(*f),
        Constant::Complex { real, imag } => ConstValue::complex(*real, *imag),
        // A string already in the pool is found without copying it first.
        Constant::Str(s) => return pool.add_str(s),
        Constant::Bytes(b) => ConstValue::Bytes(b.clone()),
        Constant::Tuple(items) => {
            let ids: Vec<ConstId> = items.iter().map(|i| const_value(pool, i)).collect();
            ConstValue::Tuple(ids.into())
        }
        Constant::FrozenSet(items) => {
            let ids: Vec<ConstId> = items.iter().map(|i| const_value(pool, i)).collect();
            ConstValue::FrozenSet(ids.into())
        }
    };
    pool.add(v)
}

/// Compiles a module: folds constants (`_PyAST_Optimize`), builds the symbol table and generates
/// code for every scope (`compiler_mod`). The boxed tree is copied into an arena first
/// ([`compile_arena_warn`] is the compiler's own entry).
pub fn compile_module(module: &mut pycode_ast::Mod, opts: CompileOptions) -> Result<Compiled, CompileError> {
    compile_module_warn(module, opts, &mut Vec::new())
}

/// [`compile_module`], appending the `SyntaxWarning`s the compiler emits to `warnings` (also
/// those emitted before an error).
pub fn compile_module_warn(
    module: &mut pycode_ast::Mod,
    opts: CompileOptions,
    warnings: &mut Vec<SyntaxWarning>,
) -> Result<Compiled, CompileError> {
    let mut ast = Ast::from_tree(module);
    compile_arena_warn(&mut ast, opts, warnings)
}

/// Compiles the module of an arena tree (`ast.root`): folds it in place, builds the symbol
/// table on it and generates code for every scope, appending the compiler's `SyntaxWarning`s
/// to `warnings` (also those emitted before an error).
pub fn compile_arena_warn(ast: &mut Ast, opts: CompileOptions, warnings: &mut Vec<SyntaxWarning>) -> Result<Compiled, CompileError> {
    if !ast.is_complete() {
        return Err(CompileError::new(ErrorKind::SystemError, "AST too large (ids past 32 bits)"));
    }
    let mut future = pycode_symtable::parse_future_arena(ast, opts.release)?;
    future.features |= opts.future_flags & PY_CF_MASK;
    let cfg_folding = opts.release.features().const_folding == pycode_release::ConstFolding::Cfg;
    if cfg_folding {
        crate::cfgfold::register();
    }
    if opts.release.features().finally_control_flow_warnings {
        if let Some(Mod::Module { body, .. } | Mod::Interactive { body }) = ast.root {
            crate::warnings::finally_control_flow(ast, body, warnings);
        }
    }
    crate::fold_arena::fold_arena(ast, opts.optimize, cfg_folding, opts.future_flags)?;
    // Made before the symbol table: it keys scopes by node address, and the new nodes may
    // move the expression pool.
    let generic_bases = typeparams::generic_class_bases(ast);
    let ast: &Ast = ast;
    let st = SymTable::build_arena(ast, future, opts.release)?;
    let n_entries = st.entries.len();
    let mut c = Compiler {
        ast,
        st,
        future,
        opts,
        feat: opts.release.features(),
        line: opts.release.line(),
        ops: Ops::new(opts.release),
        consts: ConstPool::with_capacity(256),
        // About one code unit per symbol-table entry (inlined comprehensions have an entry and
        // no unit; `__annotate__` scopes have a unit of their own): sized once, not regrown.
        units: Vec::with_capacity(n_entries),
        stack: Vec::new(),
        interactive: false,
        depth: 0,
        generic_bases: &generic_bases,
        warnings: Vec::new(),
        none_const: None,
        absent: None,
        last_stmt_loc: NO_LOC,
        last_pattern_loc: NO_LOC,
        pattern_current_loc: false,
        sym_pos: Vec::new(),
        last_stamp: 0,
    };
    c.sym_pos.resize(c.st.names.len(), 0);
    let root = ast.root.ok_or_else(dangling)?;
    let r = c.check_line().and_then(|()| c.compiler_mod(root));
    warnings.append(&mut c.warnings);
    if let Some(e) = c.absent.take() {
        return Err(e);
    }
    r?;
    let root = c.units.len().saturating_sub(1);
    Ok(Compiled { units: c.units, consts: c.consts, root })
}

macro_rules! op {
    ($c:expr, $name:ident) => {
        $c.ops.$name
    };
}

impl<'a> Compiler<'a> {
    // ------------------------------------------------------------------ the tree

    #[inline]
    fn ex(&self, e: impl ExprArg<'a>) -> Result<&'a Expr, CompileError> {
        e.get(self.ast).ok_or_else(dangling)
    }

    #[inline]
    fn opt_ex(&self, e: Option<ExprId>) -> Result<Option<&'a Expr>, CompileError> {
        e.map(|e| self.ex(e)).transpose()
    }

    #[inline]
    fn sx(&self, s: impl StmtArg<'a>) -> Result<&'a Stmt, CompileError> {
        s.get(self.ast).ok_or_else(dangling)
    }

    #[inline]
    fn px(&self, p: impl PatArg<'a>) -> Result<&'a Pattern, CompileError> {
        p.get(self.ast).ok_or_else(dangling)
    }

    #[inline]
    fn ax(&self, a: impl ArgsArg<'a>) -> Result<&'a Arguments, CompileError> {
        a.get(self.ast).ok_or_else(dangling)
    }

    #[inline]
    fn sq<T: 'a>(&self, s: impl SeqArg<'a, T>) -> &'a [T] {
        s.get(self.ast)
    }

    /// The text of an identifier of the tree.
    #[inline]
    fn nm(&self, n: impl NameArg) -> Result<&'a str, CompileError> {
        let ast: &'a Ast = self.ast;
        ast.name(n.id()).ok_or_else(dangling)
    }

    /// A constant of the tree.
    #[inline]
    fn cst(&self, c: impl ConstArg) -> Result<&'a Constant, CompileError> {
        let ast: &'a Ast = self.ast;
        ast.constant(c.id()).ok_or_else(dangling)
    }

    // ------------------------------------------------------------------ units

    /// `compiler_warn`: records a `SyntaxWarning` at the line of `pos`.
    fn warn(&mut self, pos: Pos, message: Option<String>) {
        self.warn_at(loc_of(pos).lineno, message);
    }

    fn warn_at(&mut self, lineno: i32, message: Option<String>) {
        if let Some(message) = message {
            self.warnings.push(SyntaxWarning { message, lineno });
        }
    }

    fn u(&mut self) -> &mut Unit<'a> {
        // The stack is never empty while generating code (compiler_mod enters the module first).
        let n = self.stack.len();
        &mut self.stack[n - 1]
    }

    fn uref(&self) -> &Unit<'a> {
        &self.stack[self.stack.len() - 1]
    }

    fn ste(&self) -> &pycode_symtable::Entry {
        &self.st.entries[self.uref().ste]
    }

    fn addop(&mut self, op: u16, loc: Location) {
        self.addop_i(op, 0, loc);
    }

    fn addop_i(&mut self, op: u16, arg: u32, loc: Location) {
        if op >= ABSENT_BASE {
            self.absent_opcode(op);
            return;
        }
        let loc = if self.pattern_current_loc { self.last_pattern_loc } else { loc };
        self.u().seq.addop(op, arg, loc);
    }

    fn addop_j(&mut self, op: u16, target: Label, loc: Location) {
        if op >= ABSENT_BASE {
            self.absent_opcode(op);
            return;
        }
        let loc = if self.pattern_current_loc { self.last_pattern_loc } else { loc };
        self.u().seq.addop_jump(op, target, loc);
    }

    /// Records (once) that codegen selected an opcode the target release lacks; the
    /// compilation then fails with that error instead of writing a byte for it.
    #[cold]
    fn absent_opcode(&mut self, op: u16) {
        if self.absent.is_none() {
            let name = Ops::absent_name(op).unwrap_or("?");
            self.absent =
                Some(CompileError::new(ErrorKind::SystemError, format!("opcode {name} does not exist in CPython {}", self.opts.release)));
        }
    }

    fn new_label(&mut self) -> Label {
        self.u().seq.new_label()
    }

    fn use_label(&mut self, l: Label) -> R {
        self.u().seq.use_label(l).map_err(|e| CompileError::new(ErrorKind::SystemError, e.to_string()))
    }

    /// `compiler_add_const` for an already pooled constant.
    fn add_const_id(&mut self, id: ConstId) -> u32 {
        self.u().md.consts.insert(id)
    }

    fn add_const(&mut self, v: ConstValue) -> u32 {
        let id = if matches!(v, ConstValue::None) {
            // The most frequent constant: pooled once per compilation (adding it again would
            // return the same id).
            *self.none_const.get_or_insert_with(|| self.consts.add(ConstValue::None))
        } else {
            self.consts.add(v)
        };
        self.add_const_id(id)
    }

    fn load_const(&mut self, v: ConstValue, loc: Location) {
        let i = self.add_const(v);
        self.addop_i(op!(self, LOAD_CONST), i, loc);
    }

    fn load_const_ast(&mut self, c: &Constant, loc: Location) {
        let id = const_value(&mut self.consts, c);
        let i = self.add_const_id(id);
        self.addop_i(op!(self, LOAD_CONST), i, loc);
    }

    /// A tuple of identifiers of the source (import fromlists, keyword names, class-pattern
    /// attribute names): its items are the parser's interned name objects.
    fn str_tuple(&mut self, items: &[&str]) -> ConstValue {
        let ids: Vec<ConstId> = items.iter().map(|s| self.ident_id(s)).collect();
        ConstValue::Tuple(ids.into())
    }

    /// Pools an identifier of the source as a `str` constant ([`StrOrigin::Identifier`]).
    pub(crate) fn ident_id(&mut self, name: impl Text) -> ConstId {
        let ast: &'a Ast = self.ast;
        let name = name.text(ast).unwrap_or("");
        self.consts.add_str_origin(&PyStr::new(name, false), StrOrigin::Identifier)
    }

    /// `LOAD_CONST` of an identifier of the source (a class name, a type parameter name).
    pub(crate) fn load_ident_const(&mut self, name: impl Text, loc: Location) {
        let ast: &'a Ast = self.ast;
        let name = name.text(ast).unwrap_or("");
        let id = self.ident_id(name);
        let i = self.add_const_id(id);
        self.addop_i(op!(self, LOAD_CONST), i, loc);
    }

    /// `LOAD_CONST` of `_Py_Mangle(private, name)`: the identifier itself when nothing is
    /// mangled, else a new string.
    fn load_mangled_const(&mut self, name: impl Text, loc: Location) {
        let ast: &'a Ast = self.ast;
        let name = name.text(ast).unwrap_or("");
        match mangle(self.uref().private.as_deref(), name) {
            Some(m) => self.load_const(ConstValue::str(&m), loc),
            None => self.load_ident_const(name, loc),
        }
    }

    /// `compiler_addop_name`: mangles, adds to `u_names`, encodes LOAD_ATTR / LOAD_METHOD /
    /// super-attribute variants.
    fn addop_name(&mut self, op: u16, name: impl Text, loc: Location) {
        let ast: &'a Ast = self.ast;
        let name = name.text(ast).unwrap_or("");
        let mangled = mangle_cow(self.uref().private.as_deref(), name);
        let mut arg = self.u().md.names.insert_str(&mangled, true);
        let mut opcode = op;
        let o = &self.ops;
        if op == o.LOAD_ATTR {
            arg = self.attr_oparg(arg);
        } else if op == o.LOAD_METHOD {
            (opcode, arg) = self.method_op(arg);
        } else if op == o.LOAD_SUPER_ATTR {
            arg = (arg << 2) | 2;
        } else if op == o.LOAD_SUPER_METHOD {
            opcode = o.LOAD_SUPER_ATTR;
            arg = (arg << 2) | 3;
        } else if op == o.LOAD_ZERO_SUPER_ATTR {
            opcode = o.LOAD_SUPER_ATTR;
            arg <<= 2;
        } else if op == o.LOAD_ZERO_SUPER_METHOD {
            opcode = o.LOAD_SUPER_ATTR;
            arg = (arg << 2) | 1;
        }
        self.addop_i(opcode, arg, loc);
    }

    /// `ADDOP_N(..., names)` without mangling.
    fn addop_n_names(&mut self, op: u16, name: impl Text, loc: Location) {
        let ast: &'a Ast = self.ast;
        let name = name.text(ast).unwrap_or("");
        let arg = self.u().md.names.insert(pystr(name));
        self.addop_i(op, arg, loc);
    }

    /// `ADDOP_NAME(..., varnames)`.
    fn addop_varname(&mut self, op: u16, name: &str, loc: Location) {
        let mangled = mangle_cow(self.uref().private.as_deref(), name);
        let arg = self.u().md.varnames.insert_str(&mangled, true);
        self.addop_i(op, arg, loc);
    }

    fn cell_index(&self, name: &str) -> Option<u32> {
        self.uref().md.cellvars.get_index(&pystr(name))
    }

    fn free_index(&self, name: &str) -> Option<u32> {
        let u = self.uref();
        u.md.freevars.get_index(&pystr(name)).map(|i| i + u.md.cellvars.len() as u32)
    }

    /// `compiler_enter_scope`.
    fn enter_scope(&mut self, name: impl Text, scope_type: ScopeType, key: usize, lineno: u32) -> R {
        let ast: &'a Ast = self.ast;
        let name = name.text(ast).ok_or_else(dangling)?;
        let ste = self.st.lookup(key).ok_or_else(|| CompileError::new(ErrorKind::SystemError, "unknown symbol table entry"))?;
        let private = if scope_type == ScopeType::Class { Some(name.into()) } else { self.stack.last().and_then(|u| u.private.clone()) };
        let nsyms = self.st.entries.get(ste).map_or(0, |e| e.symbols.len());
        self.last_stamp = self.last_stamp.wrapping_add(1).max(1);
        let stamp = self.last_stamp;
        // The unit is pushed first and its tables filled in place (it is large: no moves).
        self.stack.push(Unit {
            ste,
            stamp,
            scope_type,
            md: CodeUnitMetadata {
                name: pystr(name),
                // The qualified name of any scope but the module's is set by `set_qualname`.
                qualname: if scope_type == ScopeType::Module { pystr(name) } else { PyStr::default() },
                firstlineno: lineno as i32,
                ..Default::default()
            },
            argcount: 0,
            gen_prologue: 0,
            seq: InstrSequence::new(),
            fblocks: Vec::new(),
            in_inlined_comp: 0,
            private,
            fasthidden: HashMap::default(),
            has_docstring: false,
            top_level_coroutine: false,
            is_method: false,
            deferred: Vec::new(),
            annotations_at: 0,
            // A row per symbol, filled as names are first used (one fill here, not a growth
            // per first use; regrown only for a symbol added while generating code).
            name_slots: vec![[NO_SLOT; 4]; nsyms],
            static_attributes: (scope_type == ScopeType::Class && self.feat.class_static_attributes).then(std::collections::BTreeSet::new),
        });
        let (Some(e), Some(u)) = (self.st.entries.get(ste), self.stack.last_mut()) else {
            return Err(CompileError::new(ErrorKind::SystemError, "unknown symbol table entry"));
        };
        let md = &mut u.md;
        let names = &self.st.names;
        // The symbol table carries each name's hash: the unit's tables do not hash it again.
        for &v in &e.varnames {
            md.varnames.insert_interned_hashed(names.hash(v), names.get(v));
        }
        // dictbytype: sorted names. One walk over the symbols picks both kinds; most scopes
        // have neither, and then nothing is allocated.
        let mut cells: Vec<NameId> = Vec::new();
        let mut frees: Vec<NameId> = Vec::new();
        let tag = u64::from(stamp) << 32;
        for (i, (n, f)) in e.symbols.iter().enumerate() {
            if let Some(c) = self.sym_pos.get_mut(n as usize) {
                *c = tag | i as u64;
            }
            let scope = Scope::from_flags(f);
            if scope == Scope::Cell || f & DEF_COMP_CELL != 0 {
                cells.push(n);
            }
            if scope == Scope::Free || f & DEF_FREE_CLASS != 0 {
                frees.push(n);
            }
        }
        cells.sort_unstable_by(|&x, &y| names.get(x).cmp(names.get(y)));
        for &c in &cells {
            md.cellvars.insert_interned_hashed(names.hash(c), names.get(c));
        }
        if e.needs_class_closure {
            md.cellvars.insert(pystr("__class__"));
        }
        if e.needs_classdict {
            md.cellvars.insert(pystr("__classdict__"));
        }
        let conditional_annotations = self.feat.deferred_annotations && e.has_conditional_annotations;
        if conditional_annotations {
            md.cellvars.insert(pystr("__conditional_annotations__"));
        }
        frees.sort_unstable_by(|&x, &y| names.get(x).cmp(names.get(y)));
        for &f in &frees {
            md.freevars.insert_interned_hashed(names.hash(f), names.get(f));
        }
        let mut loc = Location::new(lineno as i32, lineno as i32, 0, 0);
        if scope_type == ScopeType::Module {
            loc.lineno = 0;
        } else {
            self.set_qualname(name);
        }
        self.addop_i(op!(self, RESUME), 0, loc);
        if self.feat.deferred_annotations {
            let at = self.uref().seq.len();
            self.u().annotations_at = at;
        }
        Ok(())
    }

    /// `LOAD_DEREF` / `STORE_DEREF` of one of the unit's own cells by name.
    fn addop_deref_cell(&mut self, op: u16, name: &str, loc: Location) {
        let md = &self.uref().md;
        let idx = md.cellvars.get_index(&pystr(name)).unwrap_or(0);
        self.addop_i(op, idx, loc);
    }

    /// `codegen_process_deferred_annotations` (3.14+): the `__annotate__` function of a
    /// module (placed at its start) or class (at the end of its body).
    fn process_deferred_annotations(&mut self, loc: Location) -> R {
        let items = std::mem::take(&mut self.u().deferred);
        if items.is_empty() {
            return Ok(());
        }
        let scope = self.uref().scope_type;
        let ste = self.uref().ste;
        let start = self.uref().seq.len();
        self.enter_annotate_scope(loc, 2 * ste + 1)?;
        let o = self.ops;
        self.addop_i(o.BUILD_MAP, 0, loc);
        for (st, idx) in items {
            let StmtKind::AnnAssign { target, annotation, .. } = &st.kind else { continue };
            let ExprKind::Name { id, .. } = self.ex(target)?.kind else { continue };
            let sloc = loc_of(st.pos);
            let not_set = self.new_label();
            if let Some(i) = idx {
                self.load_const(ConstValue::Int(i64::from(i)), sloc);
                if scope == ScopeType::Class {
                    // `ADDOP_NAME(..., freevars)`: the name joins the unit's free variables
                    // here (the symtable puts it in the class, not in `__annotate__`).
                    let fi = self.u().md.freevars.insert(pystr("__conditional_annotations__"));
                    let n = self.uref().md.cellvars.len() as u32;
                    self.addop_i(o.LOAD_DEREF, n + fi, sloc);
                } else {
                    let arg = self.u().md.names.insert_str("__conditional_annotations__", true);
                    self.addop_i(o.LOAD_GLOBAL, arg << 1, sloc);
                }
                self.addop_i(o.CONTAINS_OP, 0, sloc);
                self.addop_j(o.POP_JUMP_IF_FALSE, not_set, sloc);
            }
            self.visit_expr(annotation)?;
            self.addop_i(o.COPY, 2, sloc);
            self.load_mangled_const(id, sloc);
            self.addop(o.STORE_SUBSCR, loc);
            self.use_label(not_set)?;
        }
        self.addop(o.RETURN_VALUE, loc);
        let handle = self.finish_unit(true)?;
        self.make_closure(loc, handle, 0)?;
        let name = if scope == ScopeType::Class { "__annotate_func__" } else { "__annotate__" };
        self.nameop(loc, name, ExprContext::Store)?;
        if scope == ScopeType::Module {
            let at = self.uref().annotations_at;
            let seq = &mut self.u().seq;
            let moved: Vec<pycode_instr::Instr> = seq.instrs()[start..].to_vec();
            seq.truncate_to(start);
            for (k, ins) in moved.into_iter().enumerate() {
                seq.insert(at + k, ins);
            }
        }
        Ok(())
    }

    /// `compiler_set_qualname` of the unit just entered, named `name`. Builds the qualified
    /// name in one exactly sized buffer.
    fn set_qualname(&mut self, name: &str) {
        let n = self.stack.len();
        let Some(u) = self.stack.last() else { return };
        let mut qualified: Option<String> = None;
        if n > 2 {
            let mut parent = &self.stack[n - 2];
            let mut plain = false;
            if parent.scope_type == ScopeType::TypeParams {
                if n == 3 {
                    plain = true;
                } else {
                    parent = &self.stack[n - 3];
                }
            }
            if !plain {
                let mut force_global = false;
                if matches!(u.scope_type, ScopeType::Function | ScopeType::AsyncFunction | ScopeType::Class) {
                    let mangled = mangle_cow(parent.private.as_deref(), name);
                    if self.st.scope(parent.ste, &mangled) == Scope::GlobalExplicit {
                        force_global = true;
                    }
                }
                if !force_global {
                    let pq = pystr_text(&parent.md.qualname);
                    let locals = matches!(parent.scope_type, ScopeType::Function | ScopeType::AsyncFunction | ScopeType::Lambda);
                    const LOCALS: &str = ".<locals>";
                    let mut q = String::with_capacity(pq.len() + if locals { LOCALS.len() } else { 0 } + 1 + name.len());
                    q.push_str(&pq);
                    if locals {
                        q.push_str(LOCALS);
                    }
                    q.push('.');
                    q.push_str(name);
                    qualified = Some(q);
                }
            }
        }
        let q = match qualified {
            Some(q) => PyStr::from_string(q, false),
            None => PyStr::new(name, false),
        };
        self.stack[n - 1].md.qualname = q;
    }

    /// `compute_code_flags`.
    fn compute_code_flags(&self) -> u32 {
        let ste = self.ste();
        let mut flags = 0;
        if ste.is_function_like() {
            flags |= CO_NEWLOCALS | CO_OPTIMIZED;
            if ste.nested {
                flags |= CO_NESTED;
            }
            if ste.generator && !ste.coroutine {
                flags |= CO_GENERATOR;
            }
            if !ste.generator && ste.coroutine {
                flags |= CO_COROUTINE;
            }
            if ste.generator && ste.coroutine {
                flags |= CO_ASYNC_GENERATOR;
            }
            if ste.varargs {
                flags |= CO_VARARGS;
            }
            if ste.varkeywords {
                flags |= CO_VARKEYWORDS;
            }
        }
        flags |= self.future.features & PY_CF_MASK;
        if self.is_top_level_await() && (ste.coroutine || self.uref().top_level_coroutine) && !ste.generator {
            flags |= CO_COROUTINE;
        }
        if self.uref().has_docstring {
            // CO_HAS_DOCSTRING (3.14+).
            flags |= 0x400_0000;
        }
        if self.uref().is_method {
            // CO_METHOD (3.14+).
            flags |= 0x800_0000;
        }
        flags
    }

    /// `add_return_at_end`.
    fn add_return_at_end(&mut self, add_none: bool) {
        if self.feat.skip_return_after_return {
            let rv = op!(self, RETURN_VALUE);
            let seq = &self.uref().seq;
            if seq.instrs().last().is_some_and(|i| i.opcode == rv) && !seq.label_at_end() {
                return;
            }
        }
        if add_none {
            self.load_const(ConstValue::None, NO_LOC);
        }
        self.addop(op!(self, RETURN_VALUE), NO_LOC);
    }

    /// `optimize_and_assemble` + `compiler_exit_scope`: finishes the current unit and returns
    /// its handle (index in `units`).
    fn finish_unit(&mut self, add_none: bool) -> Result<u32, CompileError> {
        let flags = self.compute_code_flags();
        self.add_return_at_end(add_none);
        let Some(mut u) = self.stack.pop() else {
            return Err(CompileError::new(ErrorKind::SystemError, "no unit"));
        };
        u.md.flags = flags;
        // u_argcount: positional-or-keyword parameters only (pycode_instr's contract).
        u.md.argcount = u.argcount;
        // u_fasthidden: names that were ever hidden.
        let mut hidden: Vec<&Box<str>> = u.fasthidden.keys().collect();
        hidden.sort();
        u.md.fasthidden = hidden.into_iter().map(|k| pystr(k)).collect();
        let is_function_like = self.st.entries[u.ste].is_function_like();
        let idx = self.units.len() as u32;
        self.units.push(CompiledUnit { unit: CodeUnit { metadata: u.md, instrs: u.seq }, is_function_like });
        Ok(idx)
    }

    // ------------------------------------------------------------------ module

    /// `compiler_mod` / `compiler_codegen`.
    fn compiler_mod(&mut self, m: Mod) -> R {
        let key = 0usize;
        // The module entry is registered under key 0 by the symbol table builder.
        self.enter_scope("<module>", ScopeType::Module, key, 1)?;
        let loc = Location::new(1, 1, 0, 0);
        let add_none;
        match m {
            Mod::Module { body, .. } => {
                self.compiler_body(loc, body)?;
                add_none = true;
            }
            Mod::Interactive { body } if self.feat.deferred_annotations => {
                // 3.14+: a module body without the docstring step (`codegen_body` with
                // `is_interactive`): conditional-annotation set, statements, `__annotate__`.
                self.interactive = true;
                let loc = match self.sq(body).first() {
                    Some(&s) => loc_of(self.sx(s)?.pos),
                    None => loc,
                };
                if self.ste().has_conditional_annotations {
                    self.addop_i(op!(self, BUILD_SET), 0, loc);
                    self.nameop(loc, "__conditional_annotations__", ExprContext::Store)?;
                }
                if self.future.annotations() && self.ste().annotations_used {
                    self.addop(op!(self, SETUP_ANNOTATIONS), loc);
                }
                for s in self.sq(body) {
                    self.visit_stmt(s)?;
                }
                if !self.future.annotations() {
                    self.process_deferred_annotations(loc)?;
                }
                add_none = true;
            }
            Mod::Interactive { body } => {
                if find_ann(self.ast, self.sq(body)) {
                    self.addop(op!(self, SETUP_ANNOTATIONS), loc);
                }
                self.interactive = true;
                for s in self.sq(body) {
                    self.visit_stmt(s)?;
                }
                add_none = true;
            }
            Mod::Expression { body } => {
                self.visit_expr(body)?;
                add_none = false;
            }
            Mod::FunctionType { .. } => return Err(unsupported("func_type mode")),
        }
        let _ = self.opts;
        self.finish_unit(add_none)?;
        Ok(())
    }

    /// 3.14+ -OO: a body that was only a docstring compiles as `pass` at the docstring's start.
    fn lone_docstring_pass(&mut self, st: &Stmt) {
        let p = st.pos;
        let loc = Location::new(p.lineno as i32, p.lineno as i32, p.col_offset as i32, p.col_offset as i32 + 4);
        self.addop(op!(self, NOP), loc);
    }

    /// `compiler_body`.
    fn compiler_body(&mut self, mut loc: Location, stmts: impl SeqArg<'a, StmtId>) -> R {
        let stmts = self.sq(stmts);
        if self.uref().scope_type == ScopeType::Module {
            // 3.14+ -OO: the AST optimizer has removed the docstring statement (unless it
            // is the whole body), so the module starts at the statement after it.
            let skip = usize::from(
                self.feat.oo_lone_docstring_kept && self.opts.optimize >= 2 && stmts.len() > 1 && get_docstring(self.ast, stmts).is_some(),
            );
            if let Some(st) = stmts.get(skip) {
                loc = loc_of(self.sx(st)?.pos);
            }
        }
        if self.feat.deferred_annotations {
            if self.ste().has_conditional_annotations {
                self.addop_i(op!(self, BUILD_SET), 0, loc);
                if self.uref().scope_type == ScopeType::Class {
                    self.addop_deref_cell(op!(self, STORE_DEREF), "__conditional_annotations__", loc);
                } else {
                    self.nameop(loc, "__conditional_annotations__", ExprContext::Store)?;
                }
            }
            // 3.14+: only `from __future__ import annotations` builds `__annotations__`.
            if self.future.annotations() && self.ste().annotations_used {
                self.addop(op!(self, SETUP_ANNOTATIONS), loc);
            }
        } else if find_ann(self.ast, stmts) {
            self.addop(op!(self, SETUP_ANNOTATIONS), loc);
        }
        if stmts.is_empty() {
            return Ok(());
        }
        let mut i = 0;
        if self.opts.optimize < 2 {
            if let Some(doc) = get_docstring(self.ast, stmts) {
                i = 1;
                match self.cleaned_docstring(doc) {
                    Some(clean) => self.load_const(ConstValue::Str(clean), loc_of(doc.pos)),
                    None => self.visit_expr(doc)?,
                }
                self.nameop(NO_LOC, "__doc__", ExprContext::Store)?;
            }
        } else if self.feat.clean_docstrings && get_docstring(self.ast, stmts).is_some() {
            // 3.13+ -OO: the docstring statement is not compiled at all (3.14+: when it is the
            // whole body it becomes a `pass` four columns wide).
            i = 1;
            if self.feat.oo_lone_docstring_kept && stmts.len() == 1 {
                self.lone_docstring_pass(self.sx(stmts[0])?);
            }
        }
        for s in &stmts[i..] {
            self.visit_stmt(s)?;
        }
        if self.feat.deferred_annotations && !self.future.annotations() {
            self.process_deferred_annotations(loc)?;
        }
        Ok(())
    }

    // ------------------------------------------------------------------ names

    fn forbidden_name(&self, loc: Location, name: impl Text, ctx: ExprContext) -> R {
        if ctx == ExprContext::Load {
            return Ok(());
        }
        let ast: &'a Ast = self.ast;
        let name = name.text(ast).ok_or_else(dangling)?;
        if name == "__debug__" {
            match ctx {
                ExprContext::Store => return Err(err_at("cannot assign to __debug__", loc)),
                ExprContext::Del => return Err(err_at("cannot delete __debug__", loc)),
                ExprContext::Load => {}
            }
        }
        Ok(())
    }

    /// Index of `name` in the unit's names / varnames / cellvars / freevars (`column`), added if
    /// absent; `pos` is its position in the scope's symbols, if it has one (cached there).
    fn name_index(&mut self, pos: Option<usize>, column: usize, name: &str, h: u64) -> u32 {
        let u = self.u();
        if let Some(&v) = pos.and_then(|p| u.name_slots.get(p)).and_then(|row| row.get(column)) {
            if v != NO_SLOT {
                return v;
            }
        }
        let v = match column {
            SLOT_NAMES => u.md.names.insert_interned_hashed(h, name),
            SLOT_VARNAMES => u.md.varnames.insert_interned_hashed(h, name),
            SLOT_CELLVARS => u.md.cellvars.insert_interned_hashed(h, name),
            _ => u.md.freevars.insert_interned_hashed(h, name),
        };
        if let Some(p) = pos {
            if u.name_slots.len() <= p {
                u.name_slots.resize(p + 1, [NO_SLOT; 4]);
            }
            if let Some(cell) = u.name_slots.get_mut(p).and_then(|row| row.get_mut(column)) {
                *cell = v;
            }
        }
        v
    }

    /// [`name_index`](Self::name_index) reading the name's text only when the unit's table
    /// lacks it (`pos`'s cached index answers most uses).
    #[inline(always)]
    fn name_slot<'t>(
        &mut self,
        pos: Option<usize>,
        column: usize,
        text: impl FnOnce() -> Result<&'t str, CompileError>,
        h: u64,
    ) -> Result<u32, CompileError> {
        let u = self.uref();
        if let Some(&v) = pos.and_then(|p| u.name_slots.get(p)).and_then(|row| row.get(column)) {
            if v != NO_SLOT {
                return Ok(v);
            }
        }
        let t = text()?;
        Ok(self.name_index(pos, column, t, h))
    }

    /// `compiler_nameop`.
    fn nameop(&mut self, loc: Location, name: impl Text, ctx: ExprContext) -> R {
        let ast: &'a Ast = self.ast;
        if ctx != ExprContext::Load {
            self.forbidden_name(loc, name, ctx)?;
        }
        let sid = name.name_id().and_then(|i| u32::try_from(i.index()).ok());
        // An identifier of the tree that mangling cannot change (no class around, or not
        // `__x`) is looked up by its id (the symbol table's names start as the tree's), and its
        // text is read only if a name table of the unit lacks it. `mangled` is `None` then.
        let unmangled_id = sid.filter(|&s| self.uref().private.is_none() || !self.st.names.may_mangle(s));
        let mangled: Option<std::borrow::Cow<'_, str>> = match unmangled_id {
            Some(_) => None,
            None => {
                let text = name.text(ast).ok_or_else(dangling)?;
                Some(mangle_cow(self.uref().private.as_deref(), text))
            }
        };
        macro_rules! mtext {
            () => {
                match &mangled {
                    Some(m) => &**m,
                    None => name.text(ast).ok_or_else(dangling)?,
                }
            };
        }
        #[derive(PartialEq)]
        enum T {
            Fast,
            Global,
            Deref,
            Name,
        }
        let (ste_id, stamp) = {
            let u = self.uref();
            (u.ste, u.stamp)
        };
        let ste = self.st.entries.get(ste_id).ok_or_else(dangling)?;
        // The unit's name tables get the name's hash from the symbol table.
        // A tree identifier not mangled is found by its id: its position in the scope's symbols
        // is in `sym_pos` when stamped for this unit, else one probe of the scope finds it (and
        // stamps it).
        let by_id = match (&mangled, sid) {
            (None, _) => unmangled_id,
            (Some(std::borrow::Cow::Borrowed(_)), Some(s)) => Some(s),
            _ => None,
        };
        let (pos, scope, h) = match by_id {
            Some(sid) => {
                let cached = self.sym_pos.get(sid as usize).copied().filter(|&c| (c >> 32) as u32 == stamp);
                let found = match cached {
                    Some(c) => {
                        let p = (c & u64::from(u32::MAX)) as usize;
                        ste.symbols.flags_at(p).map(|f| (p, f))
                    }
                    None => {
                        let r = ste.symbols.lookup(&self.st.names, sid);
                        if let (Some((p, _)), Some(c)) = (r, self.sym_pos.get_mut(sid as usize)) {
                            *c = u64::from(stamp) << 32 | p as u64;
                        }
                        r
                    }
                };
                match found {
                    Some((p, f)) => (Some(p), Scope::from_flags(f), self.st.names.hash(sid)),
                    None => (None, Scope::Unknown, self.st.names.hash(sid)),
                }
            }
            None => {
                let m = mtext!();
                match ste.symbols.find(&self.st.names, m) {
                    Some((p, id, f)) => (Some(p), Scope::from_flags(f), self.st.names.hash(id)),
                    None => (None, Scope::Unknown, name_hash(m)),
                }
            }
        };
        let fl = ste.is_function_like();
        let is_class = ste.block_type == BlockType::Class;
        let can_see_class = ste.can_see_class_scope;
        let mut optype = T::Name;
        let mut deref_cell = false;
        match scope {
            Scope::Free => optype = T::Deref,
            Scope::Cell => {
                optype = T::Deref;
                deref_cell = true;
            }
            Scope::Local => {
                if fl || {
                    let hidden = &self.uref().fasthidden;
                    !hidden.is_empty() && hidden.get(mtext!()).copied() == Some(true)
                } {
                    optype = T::Fast;
                }
            }
            Scope::GlobalImplicit => {
                if fl {
                    optype = T::Global;
                }
            }
            Scope::GlobalExplicit => optype = T::Global,
            Scope::Unknown => {}
        }
        let o = self.ops;
        match optype {
            T::Deref => {
                let op = match ctx {
                    ExprContext::Load => {
                        if is_class && self.uref().in_inlined_comp == 0 {
                            self.class_deref_load_op(loc)
                        } else if can_see_class {
                            let i = self.free_index("__classdict__").unwrap_or(0);
                            self.addop_i(o.LOAD_DEREF, i, loc);
                            o.LOAD_FROM_DICT_OR_DEREF
                        } else {
                            o.LOAD_DEREF
                        }
                    }
                    ExprContext::Store => o.STORE_DEREF,
                    ExprContext::Del => o.DELETE_DEREF,
                };
                let arg = if deref_cell {
                    self.name_slot(pos, SLOT_CELLVARS, || Ok(mtext!()), h)?
                } else {
                    let nc = self.uref().md.cellvars.len() as u32;
                    self.name_slot(pos, SLOT_FREEVARS, || Ok(mtext!()), h)? + nc
                };
                self.addop_i(op, arg, loc);
            }
            T::Fast => {
                let op = match ctx {
                    ExprContext::Load => o.LOAD_FAST,
                    ExprContext::Store => o.STORE_FAST,
                    ExprContext::Del => o.DELETE_FAST,
                };
                let arg = self.name_slot(pos, SLOT_VARNAMES, || Ok(mtext!()), h)?;
                self.addop_i(op, arg, loc);
            }
            T::Global => {
                let mut op = match ctx {
                    ExprContext::Load => o.LOAD_GLOBAL,
                    ExprContext::Store => o.STORE_GLOBAL,
                    ExprContext::Del => o.DELETE_GLOBAL,
                };
                if ctx == ExprContext::Load && can_see_class && scope == Scope::GlobalImplicit {
                    op = o.LOAD_FROM_DICT_OR_GLOBALS;
                    let i = self.free_index("__classdict__").unwrap_or(0);
                    self.addop_i(o.LOAD_DEREF, i, loc);
                }
                let mut arg = self.name_slot(pos, SLOT_NAMES, || Ok(mtext!()), h)?;
                if op == o.LOAD_GLOBAL {
                    arg <<= 1;
                }
                self.addop_i(op, arg, loc);
            }
            T::Name => {
                let op = match ctx {
                    ExprContext::Load => {
                        if is_class && self.uref().in_inlined_comp > 0 {
                            o.LOAD_GLOBAL
                        } else {
                            o.LOAD_NAME
                        }
                    }
                    ExprContext::Store => o.STORE_NAME,
                    ExprContext::Del => o.DELETE_NAME,
                };
                let mut arg = self.name_slot(pos, SLOT_NAMES, || Ok(mtext!()), h)?;
                if op == o.LOAD_GLOBAL {
                    arg <<= 1;
                }
                self.addop_i(op, arg, loc);
            }
        }
        Ok(())
    }

    // ------------------------------------------------------------------ fblocks

    /// `CO_MAXBLOCKS` as the nesting check counts it (see [`Features::max_static_blocks`]).
    fn co_maxblocks(&self) -> usize {
        self.feat.max_static_blocks
    }

    fn push_fblock(&mut self, loc: Location, ty: FBlockType, block: Option<Label>, exit: Option<Label>, datum: FDatum<'a>) -> R {
        if self.uref().fblocks.len() >= self.co_maxblocks() {
            return Err(CompileError { kind: ErrorKind::SyntaxError, ..err_at("too many statically nested blocks", loc) });
        }
        self.u().fblocks.push(FBlock { ty, loc, block, exit, datum });
        Ok(())
    }

    fn pop_fblock(&mut self) {
        self.u().fblocks.pop();
    }

    /// `compiler_call_exit_with_nones`.
    fn call_exit_with_nones(&mut self, loc: Location) {
        for _ in 0..3 {
            self.load_const(ConstValue::None, loc);
        }
        let n = self.exit_call_nargs();
        self.emit_call(n, false, loc);
    }

    /// `compiler_unwind_fblock`.
    fn unwind_fblock(&mut self, ploc: &mut Location, info: FBlock<'a>, preserve_tos: bool) -> R {
        let o = self.ops;
        match info.ty {
            FBlockType::WhileLoop
            | FBlockType::ExceptionHandler
            | FBlockType::ExceptionGroupHandler
            | FBlockType::AsyncComprehensionGenerator => {}
            FBlockType::ForLoop => {
                // 3.15: a synchronous loop's iterator takes two slots.
                let two = matches!(info.datum, FDatum::TwoSlots);
                if preserve_tos {
                    self.addop_i(o.SWAP, if two { 3 } else { 2 }, *ploc);
                }
                self.addop(o.POP_TOP, *ploc);
                if two {
                    self.addop(o.POP_TOP, *ploc);
                }
            }
            FBlockType::TryExcept => self.addop(o.POP_BLOCK, *ploc),
            FBlockType::FinallyTry => {
                self.addop(o.POP_BLOCK, *ploc);
                if preserve_tos {
                    self.push_fblock(*ploc, FBlockType::PopValue, None, None, FDatum::None)?;
                }
                if let FDatum::Body(body) = info.datum {
                    self.visit_stmts(body)?;
                }
                if preserve_tos {
                    self.pop_fblock();
                }
                *ploc = NO_LOC;
            }
            FBlockType::FinallyEnd => {
                if preserve_tos {
                    self.addop_i(o.SWAP, 2, *ploc);
                }
                self.addop(o.POP_TOP, *ploc);
                if preserve_tos {
                    self.addop_i(o.SWAP, 2, *ploc);
                }
                self.addop(o.POP_BLOCK, *ploc);
                self.addop(o.POP_EXCEPT, *ploc);
            }
            FBlockType::With | FBlockType::AsyncWith => {
                // CPython takes the `with` statement's location from fb_datum; it is the
                // location the block was pushed with.
                *ploc = info.loc;
                self.addop(o.POP_BLOCK, *ploc);
                if preserve_tos {
                    if self.exit_call_nargs() == 3 {
                        self.addop_i(o.SWAP, 3, *ploc);
                    }
                    self.addop_i(o.SWAP, 2, *ploc);
                }
                self.call_exit_with_nones(*ploc);
                if info.ty == FBlockType::AsyncWith {
                    self.addop_i(o.GET_AWAITABLE, 2, *ploc);
                    self.load_first_sent(*ploc);
                    self.add_yield_from(*ploc, true)?;
                }
                self.addop(o.POP_TOP, *ploc);
                *ploc = NO_LOC;
            }
            FBlockType::HandlerCleanup => {
                let name = match info.datum {
                    FDatum::Name(n) => Some(n),
                    _ => None,
                };
                if name.is_some() {
                    self.addop(o.POP_BLOCK, *ploc);
                }
                if preserve_tos {
                    self.addop_i(o.SWAP, 2, *ploc);
                }
                self.addop(o.POP_BLOCK, *ploc);
                self.addop(o.POP_EXCEPT, *ploc);
                if let Some(n) = name {
                    self.load_const(ConstValue::None, *ploc);
                    self.nameop(*ploc, n, ExprContext::Store)?;
                    self.nameop(*ploc, n, ExprContext::Del)?;
                }
            }
            FBlockType::PopValue => {
                if preserve_tos {
                    self.addop_i(o.SWAP, 2, *ploc);
                }
                self.addop(o.POP_TOP, *ploc);
            }
        }
        Ok(())
    }

    /// `compiler_unwind_fblock_stack`; returns the loop block when `want_loop` stops there.
    fn unwind_fblock_stack(
        &mut self,
        ploc: &mut Location,
        preserve_tos: bool,
        want_loop: bool,
    ) -> Result<Option<FBlock<'a>>, CompileError> {
        let Some(top) = self.uref().fblocks.last().copied() else { return Ok(None) };
        if top.ty == FBlockType::ExceptionGroupHandler {
            return Err(err_at("'break', 'continue' and 'return' cannot appear in an except* block", *ploc));
        }
        if want_loop && matches!(top.ty, FBlockType::WhileLoop | FBlockType::ForLoop) {
            return Ok(Some(top));
        }
        self.u().fblocks.pop();
        self.unwind_fblock(ploc, top, preserve_tos)?;
        let r = self.unwind_fblock_stack(ploc, preserve_tos, want_loop)?;
        self.u().fblocks.push(top);
        Ok(r)
    }

    // ------------------------------------------------------------------ statements

    fn visit_stmts(&mut self, body: impl SeqArg<'a, StmtId>) -> R {
        let body = self.sq(body);
        for s in body {
            self.visit_stmt(s)?;
        }
        Ok(())
    }

    fn enter(&mut self) -> R {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(CompileError::recursion());
        }
        Ok(())
    }

    /// `compiler_visit_stmt`.
    fn visit_stmt(&mut self, s: impl StmtArg<'a>) -> R {
        let s = self.sx(s)?;
        self.enter()?;
        let r = if self.depth.is_multiple_of(pycode_symtable::STACK_CHECK_EVERY) {
            stacker::maybe_grow(RED_ZONE, STACK_GROW, || self.visit_stmt_inner(s))
        } else {
            self.visit_stmt_inner(s)
        };
        self.depth -= 1;
        if self.feat.stmt_location_leaks {
            self.after_stmt_location(s);
        }
        r
    }

    /// 3.11: the compiler's current location after statement `s` (which started at its own):
    /// expression statements, `for` loops, `with` and `try`/`except` end with `UNSET_LOC`
    /// (no location); `while` re-tests at the statement's; the others keep the location the
    /// last statement of their body left.
    fn after_stmt_location(&mut self, s: &'a Stmt) {
        match &s.kind {
            // A constant expression statement (a NOP) and the interactive print keep the
            // statement's location; the others end with an unlocated POP_TOP.
            StmtKind::Expr { value }
                if !(matches!(self.ast.expr(*value).map(|v| v.kind), Some(ExprKind::Constant { .. }))
                    || (self.interactive && self.stack.len() <= 1)) =>
            {
                self.last_stmt_loc = NO_LOC;
            }
            StmtKind::With { .. } | StmtKind::AsyncWith { .. } => self.last_stmt_loc = NO_LOC,
            StmtKind::For(f) | StmtKind::AsyncFor(f) if f.orelse.is_empty() => self.last_stmt_loc = NO_LOC,
            StmtKind::Try(t) | StmtKind::TryStar(t) if t.finalbody.is_empty() => self.last_stmt_loc = NO_LOC,
            // The loop-back test runs at the statement's location (a comparison's own).
            StmtKind::While { test, orelse, .. } if orelse.is_empty() => {
                self.last_stmt_loc = match self.ast.expr(*test) {
                    Some(t) if matches!(t.kind, ExprKind::Compare { .. }) => loc_of(t.pos),
                    _ => loc_of(s.pos),
                };
            }
            // `compiler_augassign` ends at the target's location (an attribute's start moved to
            // the attribute name when it is on another line).
            StmtKind::AugAssign { target, .. } => {
                let Some(target) = self.ast.expr(*target) else { return };
                let l = loc_of(target.pos);
                self.last_stmt_loc = if matches!(target.kind, ExprKind::Attribute { .. }) {
                    update_start_location_to_match_attr(self.ast, l, target)
                } else {
                    l
                };
            }
            // A nested unit's statements do not touch the enclosing unit's location.
            StmtKind::FunctionDef(_) | StmtKind::AsyncFunctionDef(_) | StmtKind::ClassDef(_) => {
                self.last_stmt_loc = loc_of(s.pos);
            }
            // An `assert` whose test is a comparison leaves that comparison's location.
            StmtKind::Assert { test, .. }
                if self.opts.optimize == 0 && matches!(self.ast.expr(*test).map(|t| t.kind), Some(ExprKind::Compare { .. })) =>
            {
                self.last_stmt_loc = self.ast.expr(*test).map_or(NO_LOC, |t| loc_of(t.pos));
            }
            _ => {}
        }
    }

    fn visit_stmt_inner(&mut self, s: impl StmtArg<'a>) -> R {
        let s = self.sx(s)?;
        let loc = loc_of(s.pos);
        self.last_stmt_loc = loc;
        let o = self.ops;
        match &s.kind {
            StmtKind::FunctionDef(_) => self.compiler_function(s, false),
            StmtKind::AsyncFunctionDef(_) => self.compiler_function(s, true),
            StmtKind::ClassDef(_) => self.compiler_class(s),
            StmtKind::TypeAlias { name, type_params, value } => self.compiler_typealias(s, name, type_params, value),
            StmtKind::Return { value } => self.compiler_return(s, *value),
            StmtKind::Delete { targets } => {
                for t in self.sq(targets) {
                    self.visit_expr(t)?;
                }
                Ok(())
            }
            StmtKind::Assign { targets, value, .. } => {
                self.visit_expr(value)?;
                let n = targets.len();
                for (i, t) in self.sq(targets).iter().enumerate() {
                    if i + 1 < n {
                        self.addop_i(o.COPY, 1, loc);
                    }
                    self.visit_expr(t)?;
                }
                Ok(())
            }
            StmtKind::AugAssign { target, op, value } => self.compiler_augassign(s, target, *op, value),
            StmtKind::AnnAssign { target, annotation, value, simple } => self.compiler_annassign(s, target, annotation, *value, *simple),
            StmtKind::For(f) => self.compiler_for(s, f),
            StmtKind::AsyncFor(f) => self.compiler_async_for(s, f),
            StmtKind::While { test, body, orelse } => self.compiler_while(s, test, body, orelse),
            StmtKind::If { test, body, orelse } => self.compiler_if(s, test, body, orelse),
            StmtKind::Match { subject, cases } => self.compiler_match(subject, cases),
            StmtKind::Raise { exc, cause } => {
                let mut n = 0;
                if let Some(e) = exc {
                    self.visit_expr(e)?;
                    n += 1;
                    if let Some(c) = cause {
                        self.visit_expr(c)?;
                        n += 1;
                    }
                }
                self.addop_i(o.RAISE_VARARGS, n, loc);
                Ok(())
            }
            StmtKind::Try(t) => {
                if !t.finalbody.is_empty() {
                    self.compiler_try_finally(s, t)
                } else {
                    self.compiler_try_except(s, t)
                }
            }
            StmtKind::TryStar(t) => self.compiler_try_star(s, t),
            StmtKind::Assert { test, msg } => self.compiler_assert(s, test, *msg),
            StmtKind::Import { names, is_lazy } => self.compiler_import(s, names, *is_lazy),
            StmtKind::ImportFrom { module, names, level, is_lazy } => {
                self.compiler_from_import(s, module.map(|m| self.nm(m)).transpose()?, names, *level, *is_lazy)
            }
            StmtKind::Global { names } | StmtKind::Nonlocal { names } => {
                // The parser interned these names even when no code uses them; for a
                // 1-character latin-1 name that interns the shared singleton, which every equal
                // constant of the module then is (3.11/3.12.1 write it interned).
                for n in self.sq(names) {
                    let n = self.nm(n)?;
                    let mut cs = n.chars();
                    if let (Some(c), None) = (cs.next(), cs.next()) {
                        if !c.is_ascii() && u32::from(c) < 256 {
                            self.ident_id(n);
                        }
                    }
                }
                Ok(())
            }
            StmtKind::Expr { value } => self.compiler_stmt_expr(loc, value),
            StmtKind::Pass => {
                self.addop(o.NOP, loc);
                Ok(())
            }
            StmtKind::Break => self.compiler_break(loc),
            StmtKind::Continue => self.compiler_continue(loc),
            StmtKind::With { items, body, .. } => self.compiler_with(s, items, body, 0),
            StmtKind::AsyncWith { items, body, .. } => self.compiler_async_with(s, items, body, 0),
        }
    }

    /// 3.12.7 (like 3.13) attributes `GET_ITER`/`FOR_ITER` to the iterable and the `with`
    /// machinery to each context expression; 3.12.1 used the whole statement / comprehension.
    fn iter_locs(&self) -> bool {
        self.feat.iter_locations
    }

    /// `IS_TOP_LEVEL_AWAIT`: `compile()` got `PyCF_ALLOW_TOP_LEVEL_AWAIT` (never set by
    /// `py_compile`) and the current unit is the module (an inlined comprehension included).
    fn is_top_level_await(&self) -> bool {
        self.opts.future_flags & PY_CF_ALLOW_TOP_LEVEL_AWAIT != 0 && self.ste().block_type == BlockType::Module
    }

    /// `compiler_stmt_expr`.
    fn compiler_stmt_expr(&mut self, loc: Location, value: impl ExprArg<'a>) -> R {
        let value = self.ex(value)?;
        if self.interactive && self.stack.len() <= 1 {
            self.visit_expr(value)?;
            self.emit_consuming_intrinsic(Intrinsic1::Print, loc);
            return Ok(());
        }
        if let ExprKind::Constant { .. } = value.kind {
            self.addop(op!(self, NOP), loc);
            return Ok(());
        }
        self.visit_expr(value)?;
        self.addop(op!(self, POP_TOP), NO_LOC);
        Ok(())
    }

    /// `compiler_return`.
    fn compiler_return(&mut self, s: impl StmtArg<'a>, value: Option<ExprId>) -> R {
        let s = self.sx(s)?;
        let value = self.opt_ex(value)?;
        let mut loc = loc_of(s.pos);
        let preserve_tos = value.map(|v| !matches!(v.kind, ExprKind::Constant { .. })).unwrap_or(false);
        if !self.ste().is_function_like() {
            return Err(err_at("'return' outside function", loc));
        }
        if value.is_some() && self.ste().coroutine && self.ste().generator {
            return Err(err_at("'return' with value in async generator", loc));
        }
        if preserve_tos {
            if let Some(v) = value {
                self.visit_expr(v)?;
            }
        } else if let Some(v) = value {
            loc = loc_of(v.pos);
            self.addop(op!(self, NOP), loc);
        }
        if value.map(|v| v.pos.lineno != s.pos.lineno).unwrap_or(true) {
            loc = loc_of(s.pos);
            self.addop(op!(self, NOP), loc);
        }
        self.unwind_fblock_stack(&mut loc, preserve_tos, false)?;
        match value {
            None => self.load_const(ConstValue::None, loc),
            Some(v) if !preserve_tos => {
                if let ExprKind::Constant { value: c, .. } = &v.kind {
                    self.load_const_ast(self.cst(c)?, loc);
                }
            }
            _ => {}
        }
        self.addop(op!(self, RETURN_VALUE), loc);
        // 3.11: a constant's return leaves the value's location current (or no location after
        // unwinding a `with`).
        if self.feat.stmt_location_leaks {
            self.last_stmt_loc = loc;
        }
        Ok(())
    }

    /// `compiler_break`.
    fn compiler_break(&mut self, loc: Location) -> R {
        let origin = loc;
        let mut loc = loc;
        self.addop(op!(self, NOP), loc);
        let lp = self.unwind_fblock_stack(&mut loc, false, true)?;
        let Some(lp) = lp else {
            return Err(err_at("'break' outside loop", origin));
        };
        self.unwind_fblock(&mut loc, lp, false)?;
        if let Some(exit) = lp.exit {
            self.addop_j(op!(self, JUMP), exit, loc);
        }
        Ok(())
    }

    /// `compiler_continue`.
    fn compiler_continue(&mut self, loc: Location) -> R {
        let origin = loc;
        let mut loc = loc;
        self.addop(op!(self, NOP), loc);
        let lp = self.unwind_fblock_stack(&mut loc, false, true)?;
        let Some(lp) = lp else {
            return Err(err_at("'continue' not properly in loop", origin));
        };
        if let Some(b) = lp.block {
            self.addop_j(op!(self, JUMP), b, loc);
        }
        Ok(())
    }

    /// `compiler_if`.
    fn compiler_if(
        &mut self,
        s: impl StmtArg<'a>,
        test: impl ExprArg<'a>,
        body: impl SeqArg<'a, StmtId>,
        orelse: impl SeqArg<'a, StmtId>,
    ) -> R {
        let s = self.sx(s)?;
        let test = self.ex(test)?;
        let body = self.sq(body);
        let orelse = self.sq(orelse);
        let end = self.new_label();
        let next = if !orelse.is_empty() { self.new_label() } else { end };
        self.jump_if(loc_of(s.pos), test, next, false)?;
        self.visit_stmts(body)?;
        if !orelse.is_empty() {
            self.emit_jump_over(end, NO_LOC);
            self.use_label(next)?;
            self.visit_stmts(orelse)?;
        }
        self.use_label(end)
    }

    /// `compiler_for`.
    fn compiler_for(&mut self, s: impl StmtArg<'a>, f: &'a For) -> R {
        let s = self.sx(s)?;
        let loc = loc_of(s.pos);
        let start = self.new_label();
        let body = self.new_label();
        let cleanup = self.new_label();
        let end = self.new_label();
        let datum = if self.feat.two_slot_iterators { FDatum::TwoSlots } else { FDatum::None };
        self.push_fblock(loc, FBlockType::ForLoop, Some(start), Some(end), datum)?;
        self.visit_expr(f.iter)?;
        let iloc = if self.iter_locs() { loc_of(self.ex(f.iter)?.pos) } else { loc };
        self.addop(op!(self, GET_ITER), iloc);
        self.use_label(start)?;
        self.addop_j(op!(self, FOR_ITER), cleanup, iloc);
        if self.feat.for_target_nop {
            self.addop(op!(self, NOP), loc_of(self.ex(f.target)?.pos));
        }
        self.use_label(body)?;
        self.visit_expr(f.target)?;
        self.visit_stmts(f.body)?;
        self.addop_j(op!(self, JUMP), start, NO_LOC);
        self.use_label(cleanup)?;
        self.emit_end_for(NO_LOC);
        self.pop_fblock();
        self.visit_stmts(f.orelse)?;
        self.use_label(end)
    }

    /// `compiler_async_for`.
    fn compiler_async_for(&mut self, s: impl StmtArg<'a>, f: &'a For) -> R {
        let s = self.sx(s)?;
        let loc = loc_of(s.pos);
        if self.is_top_level_await() {
            self.u().top_level_coroutine = true;
        } else if self.uref().scope_type != ScopeType::AsyncFunction {
            return Err(err_at("'async for' outside async function", loc));
        }
        let o = self.ops;
        let start = self.new_label();
        let except = self.new_label();
        let end = self.new_label();
        self.visit_expr(f.iter)?;
        let iloc = if self.iter_locs() { loc_of(self.ex(f.iter)?.pos) } else { loc };
        self.addop(o.GET_AITER, iloc);
        self.use_label(start)?;
        self.push_fblock(loc, FBlockType::ForLoop, Some(start), Some(end), FDatum::None)?;
        self.addop_j(o.SETUP_FINALLY, except, loc);
        self.addop(o.GET_ANEXT, loc);
        self.load_first_sent(loc);
        let (_, end_send) = self.add_yield_from(loc, true)?;
        self.addop(o.POP_BLOCK, loc);
        if self.feat.not_taken {
            self.addop(o.NOT_TAKEN, loc);
        }
        self.visit_expr(f.target)?;
        self.visit_stmts(f.body)?;
        self.addop_j(o.JUMP, start, NO_LOC);
        self.pop_fblock();
        self.use_label(except)?;
        self.emit_end_async_for(end_send, loc_of(self.ex(f.iter)?.pos));
        self.visit_stmts(f.orelse)?;
        self.use_label(end)
    }

    /// `compiler_while`.
    fn compiler_while(
        &mut self,
        s: impl StmtArg<'a>,
        test: impl ExprArg<'a>,
        body: impl SeqArg<'a, StmtId>,
        orelse: impl SeqArg<'a, StmtId>,
    ) -> R {
        let s = self.sx(s)?;
        let test = self.ex(test)?;
        let body = self.sq(body);
        let orelse = self.sq(orelse);
        let loc = loc_of(s.pos);
        let lp = self.new_label();
        let bodyl = self.new_label();
        let end = self.new_label();
        let anchor = self.new_label();
        self.use_label(lp)?;
        self.push_fblock(loc, FBlockType::WhileLoop, Some(lp), Some(end), FDatum::None)?;
        self.jump_if(loc, test, anchor, false)?;
        self.use_label(bodyl)?;
        self.visit_stmts(body)?;
        if self.feat.while_test_once {
            // 3.14+: the body jumps back to the test.
            self.addop_j(op!(self, JUMP), lp, NO_LOC);
        } else {
            self.jump_if(loc, test, bodyl, true)?;
        }
        self.pop_fblock();
        self.use_label(anchor)?;
        self.visit_stmts(orelse)?;
        self.use_label(end)
    }

    /// `pop_except_and_reraise`.
    fn pop_except_and_reraise(&mut self, loc: Location) {
        self.addop_i(op!(self, COPY), 3, loc);
        self.addop(op!(self, POP_EXCEPT), loc);
        self.addop_i(op!(self, RERAISE), 1, loc);
    }

    /// `compiler_try_finally`.
    fn compiler_try_finally(&mut self, s: impl StmtArg<'a>, t: &'a Try) -> R {
        let s = self.sx(s)?;
        self.compiler_try_finally_around(s, t, Self::compiler_try_except)
    }

    /// The body of `compiler_try_finally` and `compiler_try_star_finally`, which differ only in
    /// how the `except` handlers (if any) inside the `finally` are compiled.
    pub(super) fn compiler_try_finally_around(
        &mut self,
        s: impl StmtArg<'a>,
        t: &'a Try,
        handlers: fn(&mut Self, &'a Stmt, &'a Try) -> R,
    ) -> R {
        let s = self.sx(s)?;
        let loc = loc_of(s.pos);
        let o = self.ops;
        let body = self.new_label();
        let end = self.new_label();
        let exit = self.new_label();
        let cleanup = self.new_label();
        self.addop_j(o.SETUP_FINALLY, end, loc);
        self.use_label(body)?;
        self.push_fblock(loc, FBlockType::FinallyTry, Some(body), Some(end), FDatum::Body(t.finalbody))?;
        if !t.handlers.is_empty() {
            handlers(self, s, t)?;
        } else {
            self.visit_stmts(t.body)?;
        }
        self.addop(o.POP_BLOCK, NO_LOC);
        self.pop_fblock();
        self.visit_stmts(t.finalbody)?;
        self.emit_jump_no_interrupt_3_13(exit, NO_LOC);
        self.use_label(end)?;
        self.addop_j(o.SETUP_CLEANUP, cleanup, NO_LOC);
        self.addop(o.PUSH_EXC_INFO, NO_LOC);
        self.push_fblock(NO_LOC, FBlockType::FinallyEnd, Some(end), None, FDatum::None)?;
        self.visit_stmts(t.finalbody)?;
        self.pop_fblock();
        // 3.11 leaves these at the last statement's location.
        let rloc = if self.feat.stmt_location_leaks { self.last_stmt_loc } else { NO_LOC };
        self.addop_i(o.RERAISE, 0, rloc);
        self.use_label(cleanup)?;
        self.pop_except_and_reraise(rloc);
        self.use_label(exit)
    }

    /// `compiler_try_except`.
    fn compiler_try_except(&mut self, s: impl StmtArg<'a>, t: &'a Try) -> R {
        let s = self.sx(s)?;
        let loc = loc_of(s.pos);
        let o = self.ops;
        let body = self.new_label();
        let mut except = self.new_label();
        let end = self.new_label();
        let cleanup = self.new_label();
        self.addop_j(o.SETUP_FINALLY, except, loc);
        self.use_label(body)?;
        self.push_fblock(loc, FBlockType::TryExcept, Some(body), None, FDatum::None)?;
        self.visit_stmts(t.body)?;
        self.pop_fblock();
        self.addop(o.POP_BLOCK, NO_LOC);
        self.visit_stmts(t.orelse)?;
        self.emit_jump_over(end, NO_LOC);
        let n = t.handlers.len();
        self.use_label(except)?;
        self.addop_j(o.SETUP_CLEANUP, cleanup, NO_LOC);
        self.addop(o.PUSH_EXC_INFO, NO_LOC);
        self.push_fblock(loc, FBlockType::ExceptionHandler, None, None, FDatum::None)?;
        for (i, h) in self.sq(t.handlers).iter().enumerate() {
            self.handler(h, i, n, end, &mut except)?;
        }
        self.pop_fblock();
        self.addop_i(o.RERAISE, 0, NO_LOC);
        self.use_label(cleanup)?;
        self.pop_except_and_reraise(NO_LOC);
        self.use_label(end)
    }

    fn handler(&mut self, h: &'a ExceptHandler, i: usize, n: usize, end: Label, except: &mut Label) -> R {
        let o = self.ops;
        let loc = loc_of(h.pos);
        if h.type_.is_none() && i + 1 < n {
            return Err(err_at("default 'except:' must be last", loc));
        }
        let next_except = self.new_label();
        *except = next_except;
        if let Some(ty) = &h.type_ {
            self.visit_expr(ty)?;
            self.addop(o.CHECK_EXC_MATCH, loc);
            self.addop_j(o.POP_JUMP_IF_FALSE, *except, loc);
        }
        if let Some(name) = &h.name {
            let cleanup_end = self.new_label();
            let cleanup_body = self.new_label();
            self.nameop(loc, name, ExprContext::Store)?;
            self.addop_j(o.SETUP_CLEANUP, cleanup_end, loc);
            self.use_label(cleanup_body)?;
            self.push_fblock(loc, FBlockType::HandlerCleanup, Some(cleanup_body), None, FDatum::Name(self.nm(name)?))?;
            self.visit_stmts(h.body)?;
            self.pop_fblock();
            self.addop(o.POP_BLOCK, NO_LOC);
            self.addop(o.POP_BLOCK, NO_LOC);
            self.addop(o.POP_EXCEPT, NO_LOC);
            self.load_const(ConstValue::None, NO_LOC);
            self.nameop(NO_LOC, name, ExprContext::Store)?;
            self.nameop(NO_LOC, name, ExprContext::Del)?;
            self.emit_jump_after_handler(end, NO_LOC);
            self.use_label(cleanup_end)?;
            self.load_const(ConstValue::None, NO_LOC);
            self.nameop(NO_LOC, name, ExprContext::Store)?;
            self.nameop(NO_LOC, name, ExprContext::Del)?;
            self.addop_i(o.RERAISE, 1, NO_LOC);
        } else {
            let cleanup_body = self.new_label();
            self.addop(o.POP_TOP, loc);
            self.use_label(cleanup_body)?;
            self.push_fblock(loc, FBlockType::HandlerCleanup, Some(cleanup_body), None, FDatum::None)?;
            self.visit_stmts(h.body)?;
            self.pop_fblock();
            self.addop(o.POP_BLOCK, NO_LOC);
            self.addop(o.POP_EXCEPT, NO_LOC);
            self.emit_jump_after_handler(end, NO_LOC);
        }
        self.use_label(*except)
    }

    /// `compiler_with_except_finish`.
    fn with_except_finish(&mut self, cleanup: Label) -> R {
        let o = self.ops;
        if self.feat.with_cleanup_inline {
            // 3.11: the cleanup handler sits between the re-raise and the suppressing exit.
            let exit = self.new_label();
            self.addop_j(o.POP_JUMP_IF_TRUE, exit, NO_LOC);
            self.addop_i(o.RERAISE, 2, NO_LOC);
            self.use_label(cleanup)?;
            self.pop_except_and_reraise(NO_LOC);
            self.use_label(exit)?;
            self.addop(o.POP_TOP, NO_LOC);
            self.addop(o.POP_BLOCK, NO_LOC);
            self.addop(o.POP_EXCEPT, NO_LOC);
            self.addop(o.POP_TOP, NO_LOC);
            self.addop(o.POP_TOP, NO_LOC);
            return Ok(());
        }
        let suppress = self.new_label();
        self.emit_to_bool(NO_LOC);
        self.addop_j(o.POP_JUMP_IF_TRUE, suppress, NO_LOC);
        self.addop_i(o.RERAISE, 2, NO_LOC);
        self.use_label(suppress)?;
        self.addop(o.POP_TOP, NO_LOC);
        self.addop(o.POP_BLOCK, NO_LOC);
        self.addop(o.POP_EXCEPT, NO_LOC);
        self.addop(o.POP_TOP, NO_LOC);
        self.addop(o.POP_TOP, NO_LOC);
        if self.exit_call_nargs() == 3 {
            // 3.14+: `__exit__` and its `self` are two items.
            self.addop(o.POP_TOP, NO_LOC);
        }
        let exit = self.new_label();
        self.emit_jump_after_handler(exit, NO_LOC);
        self.use_label(cleanup)?;
        self.pop_except_and_reraise(NO_LOC);
        self.use_label(exit)
    }

    /// `compiler_with`.
    fn compiler_with(&mut self, s: impl StmtArg<'a>, items: impl SeqArg<'a, WithItem>, body: impl SeqArg<'a, StmtId>, pos: usize) -> R {
        let s = self.sx(s)?;
        let items = self.sq(items);
        let body = self.sq(body);
        let o = self.ops;
        let Some(item) = items.get(pos) else { return Ok(()) };
        let block = self.new_label();
        let final_ = self.new_label();
        let exit = self.new_label();
        let cleanup = self.new_label();
        self.visit_expr(item.context_expr)?;
        let loc = if self.iter_locs() { loc_of(self.ex(item.context_expr)?.pos) } else { loc_of(s.pos) };
        self.emit_with_enter(false, loc)?;
        self.addop_j(o.SETUP_WITH, final_, loc);
        self.use_label(block)?;
        self.push_fblock(loc, FBlockType::With, Some(block), Some(final_), FDatum::None)?;
        if let Some(v) = &item.optional_vars {
            self.visit_expr(v)?;
        } else {
            self.addop(o.POP_TOP, loc);
        }
        if pos + 1 == items.len() {
            self.visit_stmts(body)?;
        } else {
            self.compiler_with(s, items, body, pos + 1)?;
        }
        self.addop(o.POP_BLOCK, NO_LOC);
        self.pop_fblock();
        self.call_exit_with_nones(loc);
        self.addop(o.POP_TOP, loc);
        self.addop_j(o.JUMP, exit, loc);
        self.use_label(final_)?;
        self.addop_j(o.SETUP_CLEANUP, cleanup, loc);
        self.addop(o.PUSH_EXC_INFO, loc);
        self.addop(o.WITH_EXCEPT_START, loc);
        self.with_except_finish(cleanup)?;
        self.use_label(exit)
    }

    /// `compiler_async_with`.
    fn compiler_async_with(
        &mut self,
        s: impl StmtArg<'a>,
        items: impl SeqArg<'a, WithItem>,
        body: impl SeqArg<'a, StmtId>,
        pos: usize,
    ) -> R {
        let s = self.sx(s)?;
        let items = self.sq(items);
        let body = self.sq(body);
        let o = self.ops;
        let loc = loc_of(s.pos);
        let Some(item) = items.get(pos) else { return Ok(()) };
        if self.is_top_level_await() {
            self.u().top_level_coroutine = true;
        } else if self.uref().scope_type != ScopeType::AsyncFunction {
            return Err(err_at("'async with' outside async function", loc));
        }
        let loc = if self.iter_locs() { loc_of(self.ex(item.context_expr)?.pos) } else { loc };
        let block = self.new_label();
        let final_ = self.new_label();
        let exit = self.new_label();
        let cleanup = self.new_label();
        self.visit_expr(item.context_expr)?;
        self.emit_with_enter(true, loc)?;
        self.addop_i(o.GET_AWAITABLE, 1, loc);
        self.load_first_sent(loc);
        self.add_yield_from(loc, true)?;
        self.addop_j(o.SETUP_WITH, final_, loc);
        self.use_label(block)?;
        self.push_fblock(loc, FBlockType::AsyncWith, Some(block), Some(final_), FDatum::None)?;
        if let Some(v) = &item.optional_vars {
            self.visit_expr(v)?;
        } else {
            self.addop(o.POP_TOP, loc);
        }
        if pos + 1 == items.len() {
            self.visit_stmts(body)?;
        } else {
            self.compiler_async_with(s, items, body, pos + 1)?;
        }
        self.pop_fblock();
        // 3.11: the POP_BLOCK takes the location the body left (none after an inner `async
        // with`, which ends unlocated).
        let pb = if !self.feat.stmt_location_leaks {
            loc
        } else if pos + 1 == items.len() {
            self.last_stmt_loc
        } else {
            NO_LOC
        };
        self.addop(o.POP_BLOCK, pb);
        self.call_exit_with_nones(loc);
        self.addop_i(o.GET_AWAITABLE, 2, loc);
        self.load_first_sent(loc);
        self.add_yield_from(loc, true)?;
        self.addop(o.POP_TOP, loc);
        self.addop_j(o.JUMP, exit, loc);
        self.use_label(final_)?;
        self.addop_j(o.SETUP_CLEANUP, cleanup, loc);
        self.addop(o.PUSH_EXC_INFO, loc);
        self.addop(o.WITH_EXCEPT_START, loc);
        self.addop_i(o.GET_AWAITABLE, 2, loc);
        self.load_first_sent(loc);
        self.add_yield_from(loc, true)?;
        self.with_except_finish(cleanup)?;
        self.use_label(exit)
    }

    /// `compiler_assert`.
    fn compiler_assert(&mut self, s: impl StmtArg<'a>, test: impl ExprArg<'a>, msg: Option<ExprId>) -> R {
        let s = self.sx(s)?;
        let test = self.ex(test)?;
        let msg = self.opt_ex(msg)?;
        self.warn(s.pos, warnings::check_assert(self.ast, test));
        if self.opts.optimize > 0 {
            return Ok(());
        }
        let loc = loc_of(s.pos);
        let end = self.new_label();
        // 3.11: the rest takes the location the test left current.
        let loc = self.jump_if(loc, test, end, true)?;
        self.emit_load_assertion_error(loc);
        if let Some(m) = msg {
            self.visit_expr(m)?;
            self.emit_call(0, false, loc);
        }
        // 3.12.7 attributes the raise to the test expression (measured).
        let rloc = if self.iter_locs() { loc_of(test.pos) } else { loc };
        self.addop_i(op!(self, RAISE_VARARGS), 1, rloc);
        self.use_label(end)
    }

    /// `compiler_import`.
    fn compiler_import(&mut self, s: impl StmtArg<'a>, names: impl SeqArg<'a, Alias>, is_lazy: bool) -> R {
        let s = self.sx(s)?;
        let names = self.sq(names);
        let loc = loc_of(s.pos);
        let o = self.ops;
        for alias in names {
            self.load_const(ConstValue::Int(0), loc);
            self.load_const(ConstValue::None, loc);
            self.emit_import_name(alias.name, is_lazy, false, loc);
            if let Some(asname) = &alias.asname {
                // compiler_import_as
                let parts: Vec<&str> = self.nm(alias.name)?.split('.').collect();
                if parts.len() > 1 {
                    let n = parts.len();
                    for (k, attr) in parts.iter().enumerate().skip(1) {
                        self.addop_n_names(o.IMPORT_FROM, attr, loc);
                        if k + 1 == n {
                            break;
                        }
                        self.addop_i(o.SWAP, 2, loc);
                        self.addop(o.POP_TOP, loc);
                    }
                    self.nameop(loc, asname, ExprContext::Store)?;
                    self.addop(o.POP_TOP, loc);
                } else {
                    self.nameop(loc, asname, ExprContext::Store)?;
                }
            } else {
                let alias_name = self.nm(alias.name)?;
                let tmp = match alias_name.find('.') {
                    Some(i) => alias_name.get(..i).unwrap_or(alias_name),
                    None => alias_name,
                };
                self.nameop(loc, tmp, ExprContext::Store)?;
            }
        }
        Ok(())
    }

    /// `compiler_from_import`.
    fn compiler_from_import(
        &mut self,
        s: impl StmtArg<'a>,
        module: Option<&str>,
        names: impl SeqArg<'a, Alias>,
        level: u32,
        is_lazy: bool,
    ) -> R {
        let s = self.sx(s)?;
        let names = self.sq(names);
        let loc = loc_of(s.pos);
        let o = self.ops;
        self.load_const(ConstValue::Int(i64::from(level)), loc);
        let ff = self.future;
        let after = s.pos.lineno as i32 > ff.lineno || (s.pos.lineno as i32 == ff.lineno && s.pos.col_offset as i32 > ff.col_offset);
        // 3.11/3.12 check the module name only (3.13 also requires level 0).
        if after && module == Some("__future__") {
            return Err(err_at("from __future__ imports must occur at the beginning of the file", loc));
        }
        let strs: Vec<&str> = names.iter().map(|a| self.nm(a.name)).collect::<Result<_, _>>()?;
        let tup = self.str_tuple(&strs);
        self.load_const(tup, loc);
        let star = names.first().is_some_and(|a| self.ast.name(a.name).is_some_and(|n| n.starts_with('*')));
        self.emit_import_name(module.unwrap_or(""), is_lazy, star, loc);
        for (i, alias) in names.iter().enumerate() {
            if i == 0 && self.nm(alias.name)?.starts_with('*') {
                self.emit_consuming_intrinsic(Intrinsic1::ImportStar, loc);
                return Ok(());
            }
            self.addop_name(o.IMPORT_FROM, alias.name, loc);
            let store = alias.asname.unwrap_or(alias.name);
            self.nameop(loc, store, ExprContext::Store)?;
        }
        self.addop(o.POP_TOP, loc);
        Ok(())
    }

    /// `compiler_augassign`.
    fn compiler_augassign(&mut self, s: impl StmtArg<'a>, e: impl ExprArg<'a>, op: Operator, value: impl ExprArg<'a>) -> R {
        let s = self.sx(s)?;
        let e = self.ex(e)?;
        let value = self.ex(value)?;
        let o = self.ops;
        let mut loc = loc_of(e.pos);
        match &e.kind {
            ExprKind::Attribute { value: v, attr, .. } => {
                self.visit_expr(v)?;
                self.addop_i(o.COPY, 1, loc);
                loc = update_start_location_to_match_attr(self.ast, loc, e);
                self.addop_name(o.LOAD_ATTR, attr, loc);
            }
            ExprKind::Subscript { value: v, slice, .. } => {
                self.visit_expr(v)?;
                if self.two_element_slice(self.ex(slice)?) {
                    self.compiler_slice(slice)?;
                    self.addop_i(o.COPY, 3, loc);
                    self.addop_i(o.COPY, 3, loc);
                    self.addop_i(o.COPY, 3, loc);
                    self.addop(o.BINARY_SLICE, loc);
                } else {
                    self.visit_expr(slice)?;
                    self.addop_i(o.COPY, 2, loc);
                    self.addop_i(o.COPY, 2, loc);
                    self.emit_subscr(loc);
                }
            }
            ExprKind::Name { id, .. } => self.nameop(loc, id, ExprContext::Load)?,
            _ => return Err(CompileError::new(ErrorKind::SystemError, "invalid node type for augmented assignment")),
        }
        self.visit_expr(value)?;
        self.addop_i(o.BINARY_OP, binop_arg(op) + 13, loc_of(s.pos));
        let mut loc = loc_of(e.pos);
        match &e.kind {
            ExprKind::Attribute { attr, .. } => {
                loc = update_start_location_to_match_attr(self.ast, loc, e);
                self.addop_i(o.SWAP, 2, loc);
                self.addop_name(o.STORE_ATTR, attr, loc);
            }
            ExprKind::Subscript { slice, .. } => {
                if self.two_element_slice(self.ex(slice)?) {
                    self.addop_i(o.SWAP, 4, loc);
                    self.addop_i(o.SWAP, 3, loc);
                    self.addop_i(o.SWAP, 2, loc);
                    self.addop(o.STORE_SLICE, loc);
                } else {
                    self.addop_i(o.SWAP, 3, loc);
                    self.addop_i(o.SWAP, 2, loc);
                    self.addop(o.STORE_SUBSCR, loc);
                }
            }
            ExprKind::Name { id, .. } => self.nameop(loc, id, ExprContext::Store)?,
            _ => {}
        }
        Ok(())
    }

    fn check_ann_expr(&mut self, e: impl ExprArg<'a>) -> R {
        let e = self.ex(e)?;
        self.visit_expr(e)?;
        // 3.11 pops at the current location (the statement's).
        let l = if self.feat.stmt_location_leaks { self.last_stmt_loc } else { loc_of(e.pos) };
        self.addop(op!(self, POP_TOP), l);
        Ok(())
    }

    fn check_ann_subscr(&mut self, e: impl ExprArg<'a>) -> R {
        let e = self.ex(e)?;
        match &e.kind {
            ExprKind::Slice { lower, upper, step } => {
                for x in [lower, upper, step].into_iter().flatten() {
                    self.check_ann_expr(x)?;
                }
                Ok(())
            }
            ExprKind::Tuple { elts, .. } => {
                for x in self.sq(elts) {
                    self.check_ann_subscr(x)?;
                }
                Ok(())
            }
            _ => self.check_ann_expr(e),
        }
    }

    /// `compiler_annassign`.
    fn compiler_annassign(
        &mut self,
        s: impl StmtArg<'a>,
        targ: impl ExprArg<'a>,
        annotation: impl ExprArg<'a>,
        value: Option<ExprId>,
        simple: bool,
    ) -> R {
        let s = self.sx(s)?;
        let targ = self.ex(targ)?;
        let annotation = self.ex(annotation)?;
        let value = self.opt_ex(value)?;
        let loc = loc_of(s.pos);
        let o = self.ops;
        if let Some(v) = value {
            self.visit_expr(v)?;
            self.visit_expr(targ)?;
        }
        let st = self.uref().scope_type;
        // 3.14+: the `__debug__` check points at the target (3.11-3.13: the statement)
        let check_loc = if self.feat.annassign_check_at_target { loc_of(targ.pos) } else { loc };
        match &targ.kind {
            ExprKind::Name { id, .. } => {
                self.forbidden_name(check_loc, id, ExprContext::Store)?;
                if simple
                    && matches!(st, ScopeType::Module | ScopeType::Class)
                    && self.feat.deferred_annotations
                    && !self.future.annotations()
                {
                    let idx = self.ste().has_conditional_annotations.then(|| self.uref().deferred.len() as u32);
                    self.u().deferred.push((s, idx));
                    if let Some(i) = idx {
                        if st == ScopeType::Class {
                            self.addop_deref_cell(o.LOAD_DEREF, "__conditional_annotations__", loc);
                        } else {
                            self.addop_name(o.LOAD_NAME, "__conditional_annotations__", loc);
                        }
                        self.load_const(ConstValue::Int(i64::from(i)), loc);
                        self.addop_i(o.SET_ADD, 1, loc);
                        self.addop(o.POP_TOP, loc);
                    }
                } else if simple && matches!(st, ScopeType::Module | ScopeType::Class) {
                    if self.future.annotations() {
                        self.visit_annexpr(annotation, loc)?;
                    } else {
                        self.visit_expr(annotation)?;
                    }
                    self.addop_name(o.LOAD_NAME, "__annotations__", loc);
                    self.load_mangled_const(id, loc);
                    self.addop(o.STORE_SUBSCR, loc);
                }
            }
            ExprKind::Attribute { value: v, attr, .. } => {
                self.forbidden_name(check_loc, attr, ExprContext::Store)?;
                if value.is_none() {
                    self.check_ann_expr(v)?;
                }
            }
            ExprKind::Subscript { value: v, slice, .. } => {
                if value.is_none() {
                    self.check_ann_expr(v)?;
                    self.check_ann_subscr(slice)?;
                }
            }
            _ => return Err(CompileError::new(ErrorKind::SystemError, "invalid node type for annotated assignment")),
        }
        if !simple && !self.future.annotations() && !self.feat.deferred_annotations && matches!(st, ScopeType::Module | ScopeType::Class) {
            self.check_ann_expr(annotation)?;
        }
        Ok(())
    }

    /// `compiler_visit_annexpr`: the annotation's source-like text (`_PyAST_ExprAsUnicode`) as a
    /// constant, at the annotation's own location.
    fn visit_annexpr(&mut self, e: impl ExprArg<'a>, loc: Location) -> R {
        let e = self.ex(e)?;
        // (the unparser works on the boxed form of the annotation: only modules under
        // `from __future__ import annotations` get here)
        let tree = self.ast.expr_tree(e).map_err(|_| dangling())?;
        let text = crate::unparse::expr_as_unicode(&tree, self.opts.release)?;
        // 3.11's `VISIT_annexpr` loads the string at the current location (the statement's).
        let l = if self.feat.stmt_location_leaks { loc } else { loc_of(e.pos) };
        self.load_const(ConstValue::Str(text), l);
        Ok(())
    }

    // ------------------------------------------------------------------ functions & classes

    fn check_debug_args(&self, args: impl ArgsArg<'a>, loc: Location) -> R {
        let args = self.ax(args)?;
        let all = self
            .sq(args.posonlyargs)
            .iter()
            .chain(self.sq(args.args))
            .chain(self.sq(args.kwonlyargs))
            .chain(args.vararg.as_ref())
            .chain(args.kwarg.as_ref());
        for a in all {
            // 3.11 reports it at the current location (the `def` statement or the lambda).
            let l = if self.feat.stmt_location_leaks { loc } else { loc_of(a.pos) };
            self.forbidden_name(l, a.arg, ExprContext::Store)?;
        }
        Ok(())
    }

    /// `compiler_default_arguments`.
    fn default_arguments(&mut self, loc: Location, args: impl ArgsArg<'a>) -> Result<u32, CompileError> {
        let args = self.ax(args)?;
        let mut flags = 0;
        if !args.defaults.is_empty() {
            for d in self.sq(args.defaults) {
                self.visit_expr(d)?;
            }
            self.addop_i(op!(self, BUILD_TUPLE), args.defaults.len() as u32, loc);
            flags |= MAKE_FUNCTION_DEFAULTS;
        }
        if !args.kwonlyargs.is_empty() && !self.feat.const_key_map {
            // 3.14+: key/value pairs and `BUILD_MAP`.
            let mut n = 0u32;
            for (i, a) in self.sq(args.kwonlyargs).iter().enumerate() {
                if let Some(Some(d)) = self.sq(args.kw_defaults).get(i) {
                    n += 1;
                    self.load_mangled_const(a.arg, loc);
                    self.visit_expr(d)?;
                }
            }
            if n > 0 {
                self.addop_i(op!(self, BUILD_MAP), n, loc);
                flags |= MAKE_FUNCTION_KWDEFAULTS;
            }
        } else if !args.kwonlyargs.is_empty() {
            // `_Py_Mangle` returns the identifier itself, or a new string when it mangles.
            let mut keys: Vec<(&str, Option<String>)> = Vec::new();
            for (i, a) in self.sq(args.kwonlyargs).iter().enumerate() {
                if let Some(Some(d)) = self.sq(args.kw_defaults).get(i) {
                    let an = self.nm(a.arg)?;
                    keys.push((an, mangle(self.uref().private.as_deref(), an)));
                    self.visit_expr(d)?;
                }
            }
            if !keys.is_empty() {
                let ids: Vec<ConstId> = keys
                    .iter()
                    .map(|(name, mangled)| match mangled {
                        Some(m) => self.consts.add(ConstValue::str(m)),
                        None => self.ident_id(name),
                    })
                    .collect();
                self.load_const(ConstValue::Tuple(ids.into()), loc);
                self.addop_i(op!(self, BUILD_CONST_KEY_MAP), keys.len() as u32, loc);
                flags |= MAKE_FUNCTION_KWDEFAULTS;
            }
        }
        Ok(flags)
    }

    fn visit_argannotation(&mut self, id: impl Text, ann: Option<ExprId>, n: &mut u32, loc: Location) -> R {
        let ann = self.opt_ex(ann)?;
        let Some(ann) = ann else { return Ok(()) };
        self.load_mangled_const(id, loc);
        if self.future.annotations() {
            self.visit_annexpr(ann, loc)?;
        } else if let ExprKind::Starred { value, .. } = &ann.kind {
            self.visit_expr(value)?;
            self.addop_i(op!(self, UNPACK_SEQUENCE), 1, loc);
        } else {
            self.visit_expr(ann)?;
        }
        *n += 2;
        Ok(())
    }

    /// The annotations of a signature, as name/value pairs on the stack (`compiler_visit_annotations`'
    /// loop); returns how many values were pushed. Up to 3.14 the plain arguments come before
    /// the positional-only ones; 3.15 follows the signature's order.
    fn visit_argannotations(&mut self, loc: Location, args: impl ArgsArg<'a>, returns: Option<ExprId>) -> Result<u32, CompileError> {
        let args = self.ax(args)?;
        let mut n = 0;
        let (first, second) =
            if self.feat.annotations_posonly_first { (&args.posonlyargs, &args.args) } else { (&args.args, &args.posonlyargs) };
        for a in self.sq(first).iter().chain(self.sq(second).iter()) {
            self.visit_argannotation(a.arg, a.annotation, &mut n, loc)?;
        }
        if let Some(v) = &args.vararg {
            self.visit_argannotation(v.arg, v.annotation, &mut n, loc)?;
        }
        for a in self.sq(args.kwonlyargs) {
            self.visit_argannotation(a.arg, a.annotation, &mut n, loc)?;
        }
        if let Some(v) = &args.kwarg {
            self.visit_argannotation(v.arg, v.annotation, &mut n, loc)?;
        }
        self.visit_argannotation("return", returns, &mut n, loc)?;
        Ok(n)
    }

    /// `compiler_visit_annotations`.
    fn visit_annotations(&mut self, loc: Location, args: impl ArgsArg<'a>, returns: Option<ExprId>) -> Result<bool, CompileError> {
        let args = self.ax(args)?;
        let n = self.visit_argannotations(loc, args, returns)?;
        if n > 0 {
            self.addop_i(op!(self, BUILD_TUPLE), n, loc);
            return Ok(true);
        }
        Ok(false)
    }

    /// `codegen_setup_annotations_scope` (3.14+): enters an `__annotate__(format)` scope that
    /// raises `NotImplementedError` for formats above `VALUE_WITH_FAKE_GLOBALS` (2).
    fn enter_annotate_scope(&mut self, loc: Location, key: usize) -> R {
        self.enter_format_scope("__annotate__", loc, key)
    }

    /// `codegen_setup_annotations_scope` under any name (a 3.14 type alias's value function
    /// is one too).
    pub(super) fn enter_format_scope(&mut self, name: &str, loc: Location, key: usize) -> R {
        self.enter_scope(name, ScopeType::Annotations, key, loc.lineno.max(0) as u32)?;
        self.u().md.posonlyargcount = 1;
        let o = self.ops;
        let body = self.new_label();
        self.addop_i(o.LOAD_FAST, 0, loc);
        self.load_const(ConstValue::Int(2), loc);
        self.emit_compare(CmpOp::Gt, loc);
        self.addop_j(o.POP_JUMP_IF_FALSE, body, loc);
        self.addop_i(o.LOAD_COMMON_CONSTANT, 1, loc);
        self.addop_i(o.RAISE_VARARGS, 1, loc);
        self.use_label(body)
    }

    /// `codegen_annotations` (3.14+): the function's annotations as an `__annotate__`
    /// function (pushed; returns true) when it has any.
    fn function_annotate(
        &mut self,
        loc: Location,
        args: impl ArgsArg<'a>,
        returns: Option<ExprId>,
        name: &str,
    ) -> Result<bool, CompileError> {
        let args = self.ax(args)?;
        let key = args as *const Arguments as usize;
        let used = self.st.lookup(key).is_some_and(|e| self.st.entries[e].annotations_used);
        if !used {
            return Ok(false);
        }
        self.enter_annotate_scope(loc, key)?;
        // A generic function's at module level keeps the bare `__annotate__` that
        // `set_qualname` gives a unit whose parent is a module-level type-params scope
        // (measured: `def g[T](x: T)` -> `__annotate__`, `C.n[T]` -> `C.n.__annotate__`).
        let n = self.stack.len();
        let under_module_type_params = n == 3 && self.stack.get(n - 2).is_some_and(|p| p.scope_type == ScopeType::TypeParams);
        if self.feat.annotate_qualname_under_function && !under_module_type_params {
            // `f.__annotate__`, `C.g.__annotate__`, `outer.<locals>.inner.__annotate__`.
            let q = self.uref().md.qualname.to_string_lossy();
            if let Some(base) = q.strip_suffix("__annotate__") {
                let q = format!("{base}{name}.__annotate__");
                self.u().md.qualname = PyStr::new(&q, false);
            }
        }
        let n = self.visit_argannotations(loc, args, returns)?;
        self.addop_i(op!(self, BUILD_MAP), n / 2, loc);
        self.addop(op!(self, RETURN_VALUE), loc);
        let handle = self.finish_unit(true)?;
        self.make_closure(loc, handle, 0)?;
        Ok(true)
    }

    /// `compiler_make_closure`.
    fn make_closure(&mut self, loc: Location, handle: u32, mut flags: u32) -> R {
        let freevars: Vec<PyStr> =
            self.units.get(handle as usize).map(|u| u.unit.metadata.freevars.as_slice().to_vec()).unwrap_or_default();
        if !freevars.is_empty() {
            for name in &freevars {
                let n = name.to_string_lossy();
                // get_ref_type
                let is_class = self.uref().scope_type == ScopeType::Class;
                let reftype = if is_class && (n == "__class__" || n == "__classdict__" || n == "__conditional_annotations__") {
                    Scope::Cell
                } else {
                    self.st.scope(self.uref().ste, &n)
                };
                let arg = if reftype == Scope::Cell { self.cell_index(&n) } else { self.free_index(&n) };
                let Some(arg) = arg else {
                    return Err(CompileError::new(ErrorKind::SystemError, format!("compiler_make_closure: cannot find '{n}'")));
                };
                self.addop_i(op!(self, LOAD_CLOSURE), arg, loc);
            }
            flags |= MAKE_FUNCTION_CLOSURE;
            self.addop_i(op!(self, BUILD_TUPLE), freevars.len() as u32, loc);
        }
        self.load_const(ConstValue::Code(handle), loc);
        self.emit_make_function(flags, loc);
        Ok(())
    }

    /// `wrap_in_stopiteration_handler`.
    fn wrap_in_stopiteration_handler(&mut self) -> R {
        if !self.feat.stopiteration_handler {
            return Ok(());
        }
        let handler = self.new_label();
        let o = self.ops;
        let at = self.uref().gen_prologue;
        self.u().seq.insert(at, pycode_instr::Instr::jump(o.SETUP_CLEANUP, handler, NO_LOC));
        self.load_const(ConstValue::None, NO_LOC);
        self.addop(o.RETURN_VALUE, NO_LOC);
        self.use_label(handler)?;
        self.addop_i(o.CALL_INTRINSIC_1, INTRINSIC_STOPITERATION_ERROR, NO_LOC);
        self.addop_i(o.RERAISE, 1, NO_LOC);
        Ok(())
    }

    /// `compiler_function` + `compiler_function_body`.
    fn compiler_function(&mut self, s: impl StmtArg<'a>, is_async: bool) -> R {
        let s = self.sx(s)?;
        let (StmtKind::FunctionDef(f) | StmtKind::AsyncFunctionDef(f)) = &s.kind else { return Ok(()) };
        let loc = loc_of(s.pos);
        self.check_debug_args(f.args, loc)?;
        for d in self.sq(f.decorator_list) {
            self.visit_expr(d)?;
        }
        let firstlineno = match self.sq(f.decorator_list).first() {
            Some(d) => self.ex(d)?.pos.lineno,
            None => s.pos.lineno,
        };
        let is_generic = !f.type_params.is_empty();
        if is_generic {
            // Used by the CALL of the type-parameter function.
            self.emit_null_before_callable(loc);
        }
        let mut funcflags = self.default_arguments(loc, f.args)?;
        let num_typeparam_args =
            if is_generic { self.generic_function_enter(loc, self.nm(f.name)?, f.type_params, funcflags, firstlineno)? } else { 0 };
        if self.feat.deferred_annotations {
            if self.function_annotate(loc, f.args, f.returns, self.nm(f.name)?)? {
                funcflags |= MAKE_FUNCTION_ANNOTATE;
            }
        } else if self.visit_annotations(loc, f.args, f.returns)? {
            funcflags |= MAKE_FUNCTION_ANNOTATIONS;
        }
        // compiler_function_body
        let scope_type = if is_async { ScopeType::AsyncFunction } else { ScopeType::Function };
        let in_class = self.uref().scope_type == ScopeType::Class;
        self.enter_scope(f.name, scope_type, key_of_stmt(s), firstlineno)?;
        self.u().is_method = in_class && self.feat.deferred_annotations;
        let doc = if self.opts.optimize < 2 { get_docstring(self.ast, self.sq(f.body)) } else { None };
        match doc {
            Some(d @ Expr { kind: ExprKind::Constant { value, .. }, .. }) => match self.cleaned_docstring(d) {
                Some(clean) => {
                    self.add_const(ConstValue::Str(clean));
                    self.u().has_docstring = !self.feat.func_first_const_none;
                }
                None => {
                    let c = self.cst(value)?;
                    let id = const_value(&mut self.consts, c);
                    self.add_const_id(id);
                    self.u().has_docstring = !self.feat.func_first_const_none;
                }
            },
            _ => {
                // 3.14+ -OO: the AST optimizer has dropped the docstring statement, and
                // `codegen_function_body` takes a string statement that now comes first as
                // the docstring's constant (uncleaned, without CO_HAS_DOCSTRING; the statement
                // itself is still compiled). Measured on 3.14.2 and 3.15.0rc1.
                let next_doc =
                    if self.opts.optimize >= 2 && self.feat.oo_lone_docstring_kept && get_docstring(self.ast, self.sq(f.body)).is_some() {
                        self.sq(f.body).get(1..).and_then(|b| get_docstring(self.ast, b))
                    } else {
                        None
                    };
                if let Some(Expr { kind: ExprKind::Constant { value, .. }, .. }) = next_doc {
                    let c = self.cst(value)?;
                    let id = const_value(&mut self.consts, c);
                    self.add_const_id(id);
                } else if self.feat.func_first_const_none {
                    self.add_const(ConstValue::None);
                }
            }
        }
        let fargs = self.ax(f.args)?;
        self.u().argcount = fargs.args.len() as u32;
        self.u().md.posonlyargcount = fargs.posonlyargs.len() as u32;
        self.u().md.kwonlyargcount = fargs.kwonlyargs.len() as u32;
        // 3.13+ -OO skip the docstring statement too (earlier releases compile it as an
        // expression statement).
        let skip_doc = self.feat.clean_docstrings && get_docstring(self.ast, self.sq(f.body)).is_some();
        if skip_doc && doc.is_none() && self.feat.oo_lone_docstring_kept && f.body.len() == 1 {
            self.lone_docstring_pass(self.sx(self.sq(f.body)[0])?);
        }
        let start = usize::from(doc.is_some() || skip_doc);
        for st in self.sq(f.body).iter().skip(start) {
            self.visit_stmt(st)?;
        }
        if self.ste().coroutine || self.ste().generator {
            self.wrap_in_stopiteration_handler()?;
        }
        let handle = self.finish_unit(true)?;
        self.make_closure(loc, handle, funcflags)?;
        if is_generic {
            self.generic_function_exit(loc, num_typeparam_args)?;
        }
        // compiler_apply_decorators
        for d in self.sq(f.decorator_list).iter().rev() {
            let d = self.ex(d)?;
            self.emit_call(0, false, loc_of(d.pos));
        }
        self.nameop(loc, f.name, ExprContext::Store)
    }

    /// The docstring constant as the release stores it when that differs from the source's
    /// (3.13+ `_PyCompile_CleanDoc`).
    fn cleaned_docstring(&self, doc: &Expr) -> Option<PyStr> {
        if !self.feat.clean_docstrings {
            return None;
        }
        let ExprKind::Constant { value, .. } = doc.kind else { return None };
        let Some(Constant::Str(s)) = self.ast.constant(value) else { return None };
        crate::docstring::clean_doc(s)
    }

    /// `compiler_maybe_add_static_attribute_to_class`: `self.X = ...` records `X` in the
    /// nearest enclosing class unit (not the current one).
    fn maybe_add_static_attribute(&mut self, value: &Expr, attr: impl Text) {
        let ast: &'a Ast = self.ast;
        let attr = attr.text(ast).unwrap_or("");
        if !self.feat.class_static_attributes {
            return;
        }
        let ExprKind::Name { id, .. } = &value.kind else { return };
        if self.ast.name(*id) != Some("self") {
            return;
        }
        let n = self.stack.len().saturating_sub(1);
        if let Some(u) = self.stack[..n].iter_mut().rev().find(|u| u.scope_type == ScopeType::Class) {
            if let Some(set) = u.static_attributes.as_mut() {
                set.insert(Box::from(attr));
            }
        }
    }

    /// `compiler_class` + `compiler_class_body`.
    fn compiler_class(&mut self, s: impl StmtArg<'a>) -> R {
        let s = self.sx(s)?;
        let StmtKind::ClassDef(cd) = &s.kind else { return Ok(()) };
        let o = self.ops;
        for d in self.sq(cd.decorator_list) {
            self.visit_expr(d)?;
        }
        let firstlineno = match self.sq(cd.decorator_list).first() {
            Some(d) => self.ex(d)?.pos.lineno,
            None => s.pos.lineno,
        };
        let is_generic = !cd.type_params.is_empty();
        if is_generic {
            self.generic_class_enter(s, cd, firstlineno)?;
        }
        // compiler_class_body
        self.enter_scope(cd.name, ScopeType::Class, key_of_stmt(s), firstlineno)?;
        let loc = Location::new(firstlineno as i32, firstlineno as i32, 0, 0);
        self.u().private = Some(Box::from(self.nm(cd.name)?));
        self.nameop(loc, "__name__", ExprContext::Load)?;
        self.nameop(loc, "__module__", ExprContext::Store)?;
        // A class directly in the module (or declared `global`) has its name object as
        // qualified name: the parser's interned identifier.
        let q = self.uref().md.qualname.clone();
        if q.as_bytes() == self.nm(cd.name)?.as_bytes() {
            self.load_ident_const(cd.name, loc);
        } else {
            self.load_const(ConstValue::Str(q), loc);
        }
        self.nameop(loc, "__qualname__", ExprContext::Store)?;
        if self.feat.class_static_attributes {
            self.load_const(ConstValue::Int(i64::from(firstlineno)), loc);
            self.nameop(loc, "__firstlineno__", ExprContext::Store)?;
        }
        if is_generic {
            self.set_type_params_in_class(loc)?;
        }
        if self.ste().needs_classdict {
            self.addop(o.LOAD_LOCALS, loc);
            let i = self.cell_index("__classdict__").unwrap_or(0);
            self.addop_i(o.STORE_DEREF, i, loc);
        }
        self.compiler_body(loc, cd.body)?;
        if let Some(attrs) = self.u().static_attributes.take() {
            let names: Vec<&str> = attrs.iter().map(|a| &**a).collect();
            let t = self.str_tuple(&names);
            self.load_const(t, NO_LOC);
            self.nameop(NO_LOC, "__static_attributes__", ExprContext::Store)?;
        }
        if self.ste().needs_classdict {
            let i = self.cell_index("__classdict__").unwrap_or(0);
            self.addop_i(o.LOAD_CLOSURE, i, NO_LOC);
            self.nameop(NO_LOC, "__classdictcell__", ExprContext::Store)?;
        }
        if self.ste().needs_class_closure {
            let i = self.cell_index("__class__").unwrap_or(0);
            self.addop_i(o.LOAD_CLOSURE, i, NO_LOC);
            self.addop_i(o.COPY, 1, NO_LOC);
            self.nameop(NO_LOC, "__classcell__", ExprContext::Store)?;
        } else {
            self.load_const(ConstValue::None, NO_LOC);
        }
        self.addop(o.RETURN_VALUE, NO_LOC);
        let handle = self.finish_unit(true)?;
        let loc = loc_of(s.pos);
        self.emit_null_before_callable(loc);
        self.addop(o.LOAD_BUILD_CLASS, loc);
        self.emit_null_after_callable(loc);
        self.make_closure(loc, handle, 0)?;
        self.load_ident_const(cd.name, loc);
        if is_generic {
            self.generic_class_call(s, cd)?;
        } else {
            self.call_helper(loc, 2, cd.bases, cd.keywords)?;
        }
        for d in self.sq(cd.decorator_list).iter().rev() {
            let d = self.ex(d)?;
            self.emit_call(0, false, loc_of(d.pos));
        }
        self.nameop(loc, cd.name, ExprContext::Store)
    }

    /// `compiler_lambda`.
    fn compiler_lambda(&mut self, e: impl ExprArg<'a>, args: impl ArgsArg<'a>, body: impl ExprArg<'a>) -> R {
        let e = self.ex(e)?;
        let args = self.ax(args)?;
        let body = self.ex(body)?;
        let loc = loc_of(e.pos);
        self.check_debug_args(args, loc)?;
        let funcflags = self.default_arguments(loc, args)?;
        let in_class = self.uref().scope_type == ScopeType::Class;
        self.enter_scope("<lambda>", ScopeType::Lambda, key_of_expr(e), e.pos.lineno)?;
        self.u().is_method = in_class && self.feat.deferred_annotations;
        if self.feat.func_first_const_none {
            self.add_const(ConstValue::None);
        }
        self.u().argcount = args.args.len() as u32;
        self.u().md.posonlyargcount = args.posonlyargs.len() as u32;
        self.u().md.kwonlyargcount = args.kwonlyargs.len() as u32;
        self.visit_expr(body)?;
        let handle = if self.ste().generator {
            self.finish_unit(false)?
        } else {
            // 3.12.1: LOCATION(lineno, lineno, 0, 0); 3.12.7: the body's location (measured).
            let l = if self.iter_locs() { loc_of(body.pos) } else { Location::new(e.pos.lineno as i32, e.pos.lineno as i32, 0, 0) };
            self.addop(op!(self, RETURN_VALUE), l);
            self.finish_unit(true)?
        };
        self.make_closure(loc, handle, funcflags)
    }

    // ------------------------------------------------------------------ expressions

    fn visit_expr(&mut self, e: impl ExprArg<'a>) -> R {
        let e = self.ex(e)?;
        self.enter()?;
        let in_pattern = std::mem::replace(&mut self.pattern_current_loc, false);
        let r = if self.depth.is_multiple_of(pycode_symtable::STACK_CHECK_EVERY) {
            stacker::maybe_grow(RED_ZONE, STACK_GROW, || self.visit_expr_inner(e))
        } else {
            self.visit_expr_inner(e)
        };
        self.pattern_current_loc = in_pattern;
        self.depth -= 1;
        r
    }

    fn visit_exprs(&mut self, v: impl SeqArg<'a, ExprId>) -> R {
        let v = self.sq(v);
        for e in v {
            self.visit_expr(e)?;
        }
        Ok(())
    }

    /// `compiler_visit_expr1`.
    fn visit_expr_inner(&mut self, e: impl ExprArg<'a>) -> R {
        let e = self.ex(e)?;
        let loc = loc_of(e.pos);
        let o = self.ops;
        match &e.kind {
            ExprKind::NamedExpr { target, value } => {
                self.visit_expr(value)?;
                self.addop_i(o.COPY, 1, loc);
                self.visit_expr(target)?;
            }
            ExprKind::BoolOp { op, values } => {
                let end = self.new_label();
                let n = values.len().saturating_sub(1);
                for v in &self.sq(values)[..n] {
                    self.visit_expr(v)?;
                    self.emit_jump_or_pop(*op == BoolOp::Or, end, loc);
                }
                if let Some(last) = self.sq(values).last() {
                    self.visit_expr(last)?;
                }
                self.use_label(end)?;
            }
            ExprKind::BinOp { left, op, right } => {
                self.visit_expr(left)?;
                self.visit_expr(right)?;
                self.addop_i(o.BINARY_OP, binop_arg(*op), loc);
            }
            ExprKind::UnaryOp { op, operand } => {
                self.visit_expr(operand)?;
                match op {
                    UnaryOp::UAdd => self.emit_intrinsic1(Intrinsic1::UnaryPositive, loc),
                    UnaryOp::USub => self.addop(o.UNARY_NEGATIVE, loc),
                    UnaryOp::Not => self.emit_not(loc),
                    UnaryOp::Invert => self.addop(o.UNARY_INVERT, loc),
                }
            }
            ExprKind::Lambda { args, body } => self.compiler_lambda(e, args, body)?,
            ExprKind::IfExp { test, body, orelse } => {
                let end = self.new_label();
                let next = self.new_label();
                self.jump_if(loc, test, next, false)?;
                self.visit_expr(body)?;
                self.emit_jump_no_interrupt_3_13(end, NO_LOC);
                self.use_label(next)?;
                self.visit_expr(orelse)?;
                self.use_label(end)?;
            }
            ExprKind::Dict { keys, values } => self.compiler_dict(loc, keys, values)?,
            ExprKind::Set { elts } => self.starunpack_helper(loc, elts, 0, o.BUILD_SET, o.SET_ADD, o.SET_UPDATE, false)?,
            ExprKind::GeneratorExp { elt, generators } => {
                self.compiler_comprehension(e, CompType::Genexp, "<genexpr>", generators, elt, None)?
            }
            ExprKind::ListComp { elt, generators } => {
                self.compiler_comprehension(e, CompType::List, "<listcomp>", generators, elt, None)?
            }
            ExprKind::SetComp { elt, generators } => self.compiler_comprehension(e, CompType::Set, "<setcomp>", generators, elt, None)?,
            ExprKind::DictComp { key, value, generators } => {
                self.compiler_comprehension(e, CompType::Dict, "<dictcomp>", generators, key, *value)?
            }
            ExprKind::Yield { value } => {
                if !self.ste().is_function_like() {
                    return Err(err_at("'yield' outside function", loc));
                }
                match value {
                    Some(v) => self.visit_expr(v)?,
                    None => self.load_const(ConstValue::None, loc),
                }
                self.addop_yield(loc);
            }
            ExprKind::YieldFrom { value } => {
                if !self.ste().is_function_like() {
                    let msg = match self.line {
                        Minor::V3_11 => "'yield' outside function",
                        Minor::V3_12 | Minor::V3_13 | Minor::V3_14 | Minor::V3_15 => "'yield from' outside function",
                    };
                    return Err(err_at(msg, loc));
                }
                if self.uref().scope_type == ScopeType::AsyncFunction {
                    return Err(err_at("'yield from' inside async function", loc));
                }
                self.visit_expr(value)?;
                self.emit_get_yield_from_iter(loc);
                self.load_const(ConstValue::None, loc);
                self.add_yield_from(loc, false)?;
            }
            ExprKind::Await { value } => {
                if !self.is_top_level_await() {
                    if !self.ste().is_function_like() {
                        return Err(err_at("'await' outside function", loc));
                    }
                    if !matches!(self.uref().scope_type, ScopeType::AsyncFunction | ScopeType::Comprehension) {
                        return Err(err_at("'await' outside async function", loc));
                    }
                }
                self.visit_expr(value)?;
                self.addop_i(o.GET_AWAITABLE, 0, loc);
                self.load_first_sent(loc);
                self.add_yield_from(loc, true)?;
            }
            ExprKind::Compare { left, ops, comparators } => self.compiler_compare(loc, left, ops, comparators)?,
            ExprKind::Call { func, args, keywords } => self.compiler_call(e, func, args, keywords)?,
            // A literal piece `%` of a `%`-format that `optimize_format` rewrote (it alone builds
            // pieces without a position): `ast_opt.c` made it with `str.replace('%%', '%')`, a new
            // 1-character string rather than the shared latin-1 singleton.
            ExprKind::Constant { value, .. }
                if e.pos == crate::fold::NO_POS && matches!(self.ast.constant(*value), Some(Constant::Str(s)) if s.as_bytes() == b"%") =>
            {
                let Some(Constant::Str(s)) = self.ast.constant(*value) else { return Err(dangling()) };
                let id = self.consts.add_str_origin(s, StrOrigin::Fresh);
                let i = self.add_const_id(id);
                self.addop_i(o.LOAD_CONST, i, loc);
            }
            ExprKind::Constant { value, .. } => self.load_const_ast(self.cst(value)?, loc),
            ExprKind::JoinedStr { values } => {
                if values.len() > STACK_USE_GUIDELINE {
                    self.load_const(ConstValue::str(""), loc);
                    self.addop_name(o.LOAD_METHOD, "join", loc);
                    self.addop_i(o.BUILD_LIST, 0, loc);
                    for v in self.sq(values) {
                        self.visit_expr(v)?;
                        self.addop_i(o.LIST_APPEND, 1, loc);
                    }
                    self.emit_call(1, false, loc);
                } else {
                    self.visit_exprs(values)?;
                    if values.is_empty() {
                        self.emit_empty_joined_str(loc);
                    } else if values.len() != 1 {
                        self.addop_i(o.BUILD_STRING, values.len() as u32, loc);
                    }
                }
            }
            ExprKind::FormattedValue { value, conversion, format_spec } => {
                self.visit_expr(value)?;
                let conv = match *conversion {
                    115 => 1, // 's'
                    114 => 2, // 'r'
                    97 => 3,  // 'a'
                    -1 => 0,
                    _ => return Err(CompileError::new(ErrorKind::SystemError, "Unrecognized conversion character")),
                };
                self.emit_convert(conv, loc);
                if let Some(spec) = format_spec {
                    self.visit_expr(spec)?;
                }
                self.emit_format(conv, format_spec.is_some(), loc);
            }
            ExprKind::TemplateStr { values } => self.compiler_template_str(values, loc)?,
            ExprKind::Interpolation { value, str, conversion, format_spec } => {
                // 3.14+ (PEP 750): value, its source text, the spec if any, then
                // `BUILD_INTERPOLATION` with the item count (2 or 3) and the conversion above it.
                self.visit_expr(value)?;
                self.load_const(ConstValue::str(self.ast.str(*str).ok_or_else(dangling)?), loc);
                let mut oparg = 2;
                if let Some(spec) = format_spec {
                    oparg += 1;
                    self.visit_expr(spec)?;
                }
                let conv: u32 = match *conversion {
                    115 => 1,
                    114 => 2,
                    97 => 3,
                    -1 => 0,
                    _ => return Err(CompileError::new(ErrorKind::SystemError, "Unrecognized conversion character")),
                };
                self.addop_i(o.BUILD_INTERPOLATION, oparg | (conv << 2), loc);
            }
            ExprKind::Attribute { value, attr, ctx } => {
                if *ctx == ExprContext::Load && self.can_optimize_super_call(e) {
                    let ExprKind::Call { args, .. } = &self.ex(value)?.kind else { return Ok(()) };
                    self.load_args_for_super(value)?;
                    let opc = if !args.is_empty() { o.LOAD_SUPER_ATTR } else { o.LOAD_ZERO_SUPER_ATTR };
                    self.addop_name(opc, attr, loc);
                    let l = update_start_location_to_match_attr(self.ast, loc, e);
                    self.addop(o.NOP, l);
                    return Ok(());
                }
                self.visit_expr(value)?;
                let l = update_start_location_to_match_attr(self.ast, loc, e);
                match ctx {
                    ExprContext::Load => self.addop_name(o.LOAD_ATTR, attr, l),
                    ExprContext::Store => {
                        self.forbidden_name(l, attr, *ctx)?;
                        self.maybe_add_static_attribute(self.ex(value)?, attr);
                        self.addop_name(o.STORE_ATTR, attr, l);
                    }
                    ExprContext::Del => self.addop_name(o.DELETE_ATTR, attr, l),
                }
            }
            ExprKind::Subscript { value, slice, ctx } => {
                if *ctx == ExprContext::Load {
                    let v = self.ex(value)?;
                    self.warn(v.pos, warnings::check_subscripter(self.ast, v));
                    self.warn(v.pos, warnings::check_index(self.ast, v, self.ex(slice)?));
                }
                self.visit_expr(value)?;
                if self.two_element_slice(self.ex(slice)?) && *ctx != ExprContext::Del {
                    self.compiler_slice(slice)?;
                    if *ctx == ExprContext::Load {
                        self.addop(o.BINARY_SLICE, loc);
                    } else {
                        self.addop(o.STORE_SLICE, loc);
                    }
                } else {
                    self.visit_expr(slice)?;
                    match ctx {
                        ExprContext::Load => self.emit_subscr(loc),
                        ExprContext::Store => self.addop(o.STORE_SUBSCR, loc),
                        ExprContext::Del => self.addop(o.DELETE_SUBSCR, loc),
                    }
                }
            }
            ExprKind::Starred { ctx, .. } => {
                return Err(match ctx {
                    ExprContext::Store => err_at("starred assignment target must be in a list or tuple", loc),
                    _ => err_at("can't use starred expression here", loc),
                })
            }
            ExprKind::Slice { lower, upper, step } if self.feat.const_slices && is_constant_slice(self.ast, e) => {
                // 3.14+: a slice of constants is a constant.
                let ast: &'a Ast = self.ast;
                let mut part = |x: &Option<ExprId>| match x.and_then(|x| ast.expr(x)).map(|x| x.kind) {
                    Some(ExprKind::Constant { value, .. }) => match ast.constant(value) {
                        Some(c) => const_value(&mut self.consts, c),
                        None => self.consts.add(ConstValue::None),
                    },
                    _ => self.consts.add(ConstValue::None),
                };
                let ids = [part(lower), part(upper), part(step)];
                self.load_const(ConstValue::Slice(ids), loc);
            }
            ExprKind::Slice { .. } => {
                let n = self.compiler_slice(e)?;
                self.addop_i(o.BUILD_SLICE, n, loc);
            }
            ExprKind::Name { id, ctx } => self.nameop(loc, id, *ctx)?,
            ExprKind::List { elts, ctx } => match ctx {
                ExprContext::Store => self.assignment_helper(loc, elts)?,
                ExprContext::Load => self.starunpack_helper(loc, elts, 0, o.BUILD_LIST, o.LIST_APPEND, o.LIST_EXTEND, false)?,
                ExprContext::Del => self.visit_exprs(elts)?,
            },
            ExprKind::Tuple { elts, ctx } => match ctx {
                ExprContext::Store => self.assignment_helper(loc, elts)?,
                ExprContext::Load => self.starunpack_helper(loc, elts, 0, o.BUILD_LIST, o.LIST_APPEND, o.LIST_EXTEND, true)?,
                ExprContext::Del => self.visit_exprs(elts)?,
            },
        }
        Ok(())
    }

    /// A template string (3.14+, PEP 750): the tuple of its string pieces (an empty string
    /// before, between and after interpolations that have no piece there), the tuple of its
    /// interpolations, then `BUILD_TEMPLATE` (both tuples are folded to constants by the CFG
    /// when they can be).
    fn compiler_template_str(&mut self, values: impl SeqArg<'a, ExprId>, loc: Location) -> R {
        let values = self.sq(values);
        let o = self.ops;
        let mut after_interpolation = true;
        let mut strings: u32 = 0;
        for v in values {
            if matches!(self.ex(v)?.kind, ExprKind::Interpolation { .. }) {
                if after_interpolation {
                    self.load_const(ConstValue::str(""), loc);
                    strings += 1;
                }
                after_interpolation = true;
            } else {
                self.visit_expr(v)?;
                strings += 1;
                after_interpolation = false;
            }
        }
        if after_interpolation {
            self.load_const(ConstValue::str(""), loc);
            strings += 1;
        }
        self.addop_i(o.BUILD_TUPLE, strings, loc);
        let mut interpolations: u32 = 0;
        for v in values {
            if matches!(self.ex(v)?.kind, ExprKind::Interpolation { .. }) {
                self.visit_expr(v)?;
                interpolations += 1;
            }
        }
        self.addop_i(o.BUILD_TUPLE, interpolations, loc);
        self.addop(o.BUILD_TEMPLATE, loc);
        Ok(())
    }

    /// `ADDOP_YIELD` / `addop_yield`.
    fn addop_yield(&mut self, loc: Location) {
        if self.ste().generator && self.ste().coroutine {
            self.emit_intrinsic1(Intrinsic1::AsyncGenWrap, loc);
        }
        self.emit_yield_value(false, loc);
        self.addop_i(op!(self, RESUME), 1, loc);
    }

    /// `compiler_slice`: pushes lower/upper(/step), returns the BUILD_SLICE count.
    fn compiler_slice(&mut self, s: impl ExprArg<'a>) -> Result<u32, CompileError> {
        let s = self.ex(s)?;
        let ExprKind::Slice { lower, upper, step } = &s.kind else { return Ok(0) };
        let mut n = 2;
        match lower {
            Some(l) => self.visit_expr(l)?,
            None => self.load_const(ConstValue::None, loc_of(s.pos)),
        }
        match upper {
            Some(u) => self.visit_expr(u)?,
            None => self.load_const(ConstValue::None, loc_of(s.pos)),
        }
        if let Some(st) = step {
            n += 1;
            self.visit_expr(st)?;
        }
        Ok(n)
    }

    /// `unpack_helper` + `assignment_helper`.
    fn assignment_helper(&mut self, loc: Location, elts: impl SeqArg<'a, ExprId>) -> R {
        let elts = self.sq(elts);
        let n = elts.len();
        let mut seen_star = false;
        for (i, elt) in elts.iter().enumerate() {
            if let ExprKind::Starred { .. } = self.ex(elt)?.kind {
                if !seen_star {
                    if i >= (1 << 8) || (n - i - 1) >= (i32::MAX as usize >> 8) {
                        return Err(err_at("too many expressions in star-unpacking assignment", loc));
                    }
                    self.addop_i(op!(self, UNPACK_EX), (i + ((n - i - 1) << 8)) as u32, loc);
                    seen_star = true;
                } else {
                    return Err(err_at("multiple starred expressions in assignment", loc));
                }
            }
        }
        if !seen_star {
            self.addop_i(op!(self, UNPACK_SEQUENCE), n as u32, loc);
        }
        for elt in elts {
            match &self.ex(elt)?.kind {
                ExprKind::Starred { value, .. } => self.visit_expr(value)?,
                _ => self.visit_expr(elt)?,
            }
        }
        Ok(())
    }

    /// `starunpack_helper`.
    #[allow(clippy::too_many_arguments)]
    fn starunpack_helper(
        &mut self,
        loc: Location,
        elts: impl SeqArg<'a, ExprId>,
        pushed: u32,
        build: u16,
        add: u16,
        extend: u16,
        tuple: bool,
    ) -> R {
        let elts = self.sq(elts);
        self.starunpack_helper_elts(loc, Elts::from(elts), pushed, build, add, extend, tuple)
    }

    #[allow(clippy::too_many_arguments)]
    fn starunpack_helper_elts(&mut self, loc: Location, elts: Elts<'a>, pushed: u32, build: u16, add: u16, extend: u16, tuple: bool) -> R {
        let o = self.ops;
        let n = elts.len();
        // 3.14+: constant sequences are folded in the CFG instead.
        let cfg_folding = self.feat.const_folding == pycode_release::ConstFolding::Cfg;
        let ast: &'a Ast = self.ast;
        let kind_of = |e: ExprId| ast.expr(e).map(|e| e.kind);
        if n > 2 && !cfg_folding && elts.iter().all(|e| matches!(kind_of(e), Some(ExprKind::Constant { .. }))) {
            let values: Vec<Constant> = elts
                .iter()
                .filter_map(|e| match kind_of(e) {
                    Some(ExprKind::Constant { value, .. }) => ast.constant(value).cloned(),
                    _ => None,
                })
                .collect();
            // A set's constant is `PyFrozenSet_New(tuple)`: equal elements (`1`, `1.0`, `True`)
            // collapse to the first.
            let values = if add == o.SET_ADD { crate::fold::dedup_set(values) } else { values };
            let ids: Vec<ConstId> = values.iter().map(|v| const_value(&mut self.consts, v)).collect();
            if tuple && pushed == 0 {
                self.load_const(ConstValue::Tuple(ids.into()), loc);
            } else {
                let folded = if add == o.SET_ADD { ConstValue::FrozenSet(ids.into()) } else { ConstValue::Tuple(ids.into()) };
                self.addop_i(build, pushed, loc);
                self.load_const(folded, loc);
                self.addop_i(extend, 1, loc);
                if tuple {
                    self.emit_intrinsic1(Intrinsic1::ListToTuple, loc);
                }
            }
            return Ok(());
        }
        let big = n + pushed as usize > STACK_USE_GUIDELINE;
        let seen_star = elts.iter().any(|e| matches!(kind_of(e), Some(ExprKind::Starred { .. })));
        if !seen_star && !big {
            for e in elts.iter() {
                self.visit_expr(e)?;
            }
            if tuple {
                self.addop_i(o.BUILD_TUPLE, n as u32 + pushed, loc);
            } else {
                self.addop_i(build, n as u32 + pushed, loc);
            }
            return Ok(());
        }
        let mut built = false;
        if big {
            self.addop_i(build, pushed, loc);
            built = true;
        }
        for (i, elt) in elts.iter().enumerate() {
            if let Some(ExprKind::Starred { value, .. }) = kind_of(elt) {
                if !built {
                    self.addop_i(build, i as u32 + pushed, loc);
                    built = true;
                }
                self.visit_expr(value)?;
                self.addop_i(extend, 1, loc);
            } else {
                self.visit_expr(elt)?;
                if built {
                    self.addop_i(add, 1, loc);
                }
            }
        }
        if tuple {
            self.emit_intrinsic1(Intrinsic1::ListToTuple, loc);
        }
        Ok(())
    }

    /// `compiler_subdict`.
    fn compiler_subdict(
        &mut self,
        loc: Location,
        keys: impl SeqArg<'a, Option<ExprId>>,
        values: impl SeqArg<'a, ExprId>,
        begin: usize,
        end: usize,
    ) -> R {
        let keys = self.sq(keys);
        let values = self.sq(values);
        let o = self.ops;
        let n = end - begin;
        let big = n * 2 > STACK_USE_GUIDELINE;
        let ast: &'a Ast = self.ast;
        let all_const =
            keys[begin..end].iter().all(|k| matches!(k.and_then(|k| ast.expr(k)).map(|k| k.kind), Some(ExprKind::Constant { .. })));
        if n > 1 && !big && all_const && self.feat.const_key_map {
            for v in &values[begin..end] {
                self.visit_expr(v)?;
            }
            let ids: Vec<ConstId> = keys[begin..end]
                .iter()
                .filter_map(|k| match k {
                    Some(k) => match ast.expr(*k).map(|k| k.kind) {
                        Some(ExprKind::Constant { value, .. }) => ast.constant(value).map(|c| const_value(&mut self.consts, c)),
                        _ => None,
                    },
                    _ => None,
                })
                .collect();
            self.load_const(ConstValue::Tuple(ids.into()), loc);
            self.addop_i(o.BUILD_CONST_KEY_MAP, n as u32, loc);
            return Ok(());
        }
        if big {
            self.addop_i(o.BUILD_MAP, 0, loc);
        }
        for (i, v) in values.iter().enumerate().take(end).skip(begin) {
            if let Some(Some(k)) = keys.get(i) {
                self.visit_expr(k)?;
            }
            self.visit_expr(v)?;
            if big {
                self.addop_i(o.MAP_ADD, 1, loc);
            }
        }
        if !big {
            self.addop_i(o.BUILD_MAP, n as u32, loc);
        }
        Ok(())
    }

    /// `compiler_dict`.
    fn compiler_dict(&mut self, loc: Location, keys: impl SeqArg<'a, Option<ExprId>>, values: impl SeqArg<'a, ExprId>) -> R {
        let keys = self.sq(keys);
        let values = self.sq(values);
        let o = self.ops;
        let n = values.len().min(keys.len());
        let mut have_dict = false;
        let mut elements = 0usize;
        for i in 0..n {
            if keys[i].is_none() {
                if elements > 0 {
                    self.compiler_subdict(loc, keys, values, i - elements, i)?;
                    if have_dict {
                        self.addop_i(o.DICT_UPDATE, 1, loc);
                    }
                    have_dict = true;
                    elements = 0;
                }
                if !have_dict {
                    self.addop_i(o.BUILD_MAP, 0, loc);
                    have_dict = true;
                }
                self.visit_expr(values[i])?;
                self.addop_i(o.DICT_UPDATE, 1, loc);
            } else if elements * 2 > STACK_USE_GUIDELINE {
                self.compiler_subdict(loc, keys, values, i - elements, i + 1)?;
                if have_dict {
                    self.addop_i(o.DICT_UPDATE, 1, loc);
                }
                have_dict = true;
                elements = 0;
            } else {
                elements += 1;
            }
        }
        if elements > 0 {
            self.compiler_subdict(loc, keys, values, n - elements, n)?;
            if have_dict {
                self.addop_i(o.DICT_UPDATE, 1, loc);
            }
            have_dict = true;
        }
        if !have_dict {
            self.addop_i(o.BUILD_MAP, 0, loc);
        }
        Ok(())
    }

    fn addcompare(&mut self, loc: Location, op: CmpOp) {
        self.emit_compare(op, loc);
    }

    /// `compiler_compare`.
    fn compiler_compare(
        &mut self,
        loc: Location,
        left: impl ExprArg<'a>,
        ops: impl SeqArg<'a, CmpOp>,
        comps: impl SeqArg<'a, ExprId>,
    ) -> R {
        let left = self.ex(left)?;
        let ops = self.sq(ops);
        let comps = self.sq(comps);
        self.warn_at(loc.lineno, warnings::check_compare(self.ast, left, ops, comps));
        let o = self.ops;
        self.visit_expr(left)?;
        let n = ops.len().min(comps.len());
        if n == 0 {
            return Ok(());
        }
        if n == 1 {
            self.visit_expr(comps[0])?;
            self.addcompare(loc, ops[0]);
            return Ok(());
        }
        let cleanup = self.new_label();
        for i in 0..n - 1 {
            self.visit_expr(comps[i])?;
            self.addop_i(o.SWAP, 2, loc);
            self.addop_i(o.COPY, 2, loc);
            self.addcompare(loc, ops[i]);
            self.emit_compare_chain_jump(cleanup, loc);
        }
        self.visit_expr(comps[n - 1])?;
        self.addcompare(loc, ops[n - 1]);
        let end = self.new_label();
        self.emit_jump_no_interrupt_3_13(end, NO_LOC);
        self.use_label(cleanup)?;
        self.addop_i(o.SWAP, 2, loc);
        self.addop(o.POP_TOP, loc);
        self.use_label(end)
    }

    /// `compiler_jump_if`.
    ///
    /// Returns the location later implicitly located instructions take in 3.11, where
    /// `compiler_jump_if` leaves the compiler's current location at the last comparison it
    /// tested (3.12+: `loc` itself).
    fn jump_if(&mut self, loc: Location, e: impl ExprArg<'a>, next: Label, cond: bool) -> Result<Location, CompileError> {
        let e = self.ex(e)?;
        self.enter()?;
        let r = self.jump_if_inner(loc, e, next, cond);
        self.depth -= 1;
        r
    }

    fn jump_if_inner(&mut self, loc: Location, e: impl ExprArg<'a>, next: Label, cond: bool) -> Result<Location, CompileError> {
        let e = self.ex(e)?;
        let o = self.ops;
        // 3.11: the current location threads through the nested tests.
        let v311 = self.feat.jump_if_or_pop;
        let mut cur = loc;
        match &e.kind {
            ExprKind::UnaryOp { op: UnaryOp::Not, operand } => return self.jump_if(loc, operand, next, !cond),
            ExprKind::BoolOp { op, values } => {
                let cond2 = *op == BoolOp::Or;
                let mut next2 = next;
                if cond2 != cond {
                    next2 = self.new_label();
                }
                let n = values.len().saturating_sub(1);
                for v in &self.sq(values)[..n] {
                    cur = self.jump_if(cur, v, next2, cond2)?;
                }
                if let Some(last) = self.sq(values).last() {
                    cur = self.jump_if(cur, last, next, cond)?;
                }
                if next2 != next {
                    self.use_label(next2)?;
                }
                return Ok(if v311 { cur } else { loc });
            }
            ExprKind::IfExp { test, body, orelse } => {
                let end = self.new_label();
                let next2 = self.new_label();
                cur = self.jump_if(cur, test, next2, false)?;
                cur = self.jump_if(cur, body, next, cond)?;
                self.emit_jump_no_interrupt_3_13(end, NO_LOC);
                self.use_label(next2)?;
                cur = self.jump_if(cur, orelse, next, cond)?;
                self.use_label(end)?;
                return Ok(if v311 { cur } else { loc });
            }
            ExprKind::Compare { left, ops, comparators } if ops.len() > 1 => {
                self.warn(e.pos, warnings::check_compare(self.ast, self.ex(left)?, self.sq(ops), self.sq(comparators)));
                let n = ops.len().min(comparators.len()) - 1;
                let el = loc_of(e.pos);
                let cleanup = self.new_label();
                self.visit_expr(left)?;
                for i in 0..n {
                    self.visit_expr(self.sq(comparators)[i])?;
                    self.addop_i(o.SWAP, 2, el);
                    self.addop_i(o.COPY, 2, el);
                    self.addcompare(el, self.sq(ops)[i]);
                    self.emit_to_bool(el);
                    self.addop_j(o.POP_JUMP_IF_FALSE, cleanup, el);
                }
                self.visit_expr(self.sq(comparators)[n])?;
                self.addcompare(el, self.sq(ops)[n]);
                self.emit_to_bool(el);
                self.addop_j(if cond { o.POP_JUMP_IF_TRUE } else { o.POP_JUMP_IF_FALSE }, next, el);
                let end = self.new_label();
                self.emit_jump_no_interrupt_3_13(end, NO_LOC);
                self.use_label(cleanup)?;
                self.addop(o.POP_TOP, el);
                if !cond {
                    self.emit_jump_no_interrupt_3_13(next, NO_LOC);
                }
                self.use_label(end)?;
                return Ok(if v311 { el } else { loc });
            }
            _ => {}
        }
        // 3.11: a comparison sets the current location to its own, other tests leave it.
        if v311 && matches!(e.kind, ExprKind::Compare { .. }) {
            cur = loc_of(e.pos);
        }
        self.visit_expr(e)?;
        let jl = if v311 { cur } else { loc_of(e.pos) };
        self.emit_to_bool(jl);
        self.addop_j(if cond { o.POP_JUMP_IF_TRUE } else { o.POP_JUMP_IF_FALSE }, next, jl);
        Ok(if v311 { cur } else { loc })
    }

    // ------------------------------------------------------------------ calls

    fn validate_keywords(&self, keywords: impl SeqArg<'a, Keyword>) -> R {
        let keywords = self.sq(keywords);
        for (i, k) in keywords.iter().enumerate() {
            let Some(name) = &k.arg else { continue };
            self.forbidden_name(loc_of(k.pos), name, ExprContext::Store)?;
            for other in &keywords[i + 1..] {
                if other.arg == Some(*name) {
                    return Err(err_at(format!("keyword argument repeated: {}", self.nm(name)?), loc_of(other.pos)));
                }
            }
        }
        Ok(())
    }

    /// `is_import_originated`.
    fn is_import_originated(&self, e: &Expr) -> bool {
        let ExprKind::Name { id, .. } = &e.kind else { return false };
        self.ast.name(*id).is_some_and(|id| self.st.flags(0, id) & DEF_IMPORT != 0)
    }

    /// `can_optimize_super_call`.
    fn can_optimize_super_call(&self, attr: &Expr) -> bool {
        if !self.feat.super_attr {
            return false;
        }
        let ExprKind::Attribute { value, attr: attrname, .. } = &attr.kind else { return false };
        let Some(ExprKind::Call { func, args, keywords }) = self.ast.expr(*value).map(|v| &v.kind) else { return false };
        let Some(ExprKind::Name { id, .. }) = self.ast.expr(*func).map(|f| &f.kind) else { return false };
        let (Some(id), Some(attrname)) = (self.ast.name(*id), self.ast.name(*attrname)) else { return false };
        if id != "super" || attrname == "__class__" || !keywords.is_empty() {
            return false;
        }
        if self.st.scope(self.uref().ste, id) != Scope::GlobalImplicit {
            return false;
        }
        if self.st.entries.is_empty() || self.st.scope(0, id) != Scope::Unknown {
            return false;
        }
        if args.len() == 2 {
            return !self.ast.seq(*args).iter().any(|&a| matches!(self.ast.expr(a).map(|a| a.kind), Some(ExprKind::Starred { .. })));
        }
        if !args.is_empty() {
            return false;
        }
        if self.uref().argcount == 0 && self.uref().md.posonlyargcount == 0 {
            return false;
        }
        // get_ref_type(__class__) == FREE
        if self.uref().scope_type == ScopeType::Class {
            return false;
        }
        self.st.scope(self.uref().ste, "__class__") == Scope::Free
    }

    /// `load_args_for_super`.
    fn load_args_for_super(&mut self, e: impl ExprArg<'a>) -> R {
        let e = self.ex(e)?;
        let ExprKind::Call { func, args, .. } = &e.kind else { return Ok(()) };
        let loc = loc_of(e.pos);
        let func = self.ex(func)?;
        if let ExprKind::Name { id, .. } = &func.kind {
            self.nameop(loc_of(func.pos), id, ExprContext::Load)?;
        }
        if args.len() == 2 {
            self.visit_expr(self.sq(args)[0])?;
            self.visit_expr(self.sq(args)[1])?;
            return Ok(());
        }
        self.nameop(loc, "__class__", ExprContext::Load)?;
        let first = self.uref().md.varnames.get(0).map(|p| p.to_string_lossy());
        if let Some(first) = first {
            self.nameop(loc, &first, ExprContext::Load)?;
        }
        Ok(())
    }

    /// `compiler_call_simple_kw_helper`.
    fn call_simple_kw_helper(&mut self, loc: Location, keywords: &[Keyword]) {
        let ast: &'a Ast = self.ast;
        let names: Vec<&str> = self.sq(keywords).iter().filter_map(|k| k.arg.and_then(|a| ast.name(a))).collect();
        self.emit_call_kwnames(&names, loc);
    }

    /// `maybe_optimize_method_call`; `Ok(false)` when not applicable.
    fn maybe_optimize_method_call(
        &mut self,
        e: impl ExprArg<'a>,
        meth: impl ExprArg<'a>,
        args: impl SeqArg<'a, ExprId>,
        kwds: impl SeqArg<'a, Keyword>,
    ) -> Result<bool, CompileError> {
        let e = self.ex(e)?;
        let meth = self.ex(meth)?;
        let args = self.sq(args);
        let kwds = self.sq(kwds);
        let ExprKind::Attribute { value, attr, ctx: ExprContext::Load } = &meth.kind else { return Ok(false) };
        if self.is_import_originated(self.ex(value)?) {
            return Ok(false);
        }
        let argsl = args.len();
        let kwdsl = kwds.len();
        if argsl + kwdsl + usize::from(kwdsl != 0) >= STACK_USE_GUIDELINE {
            return Ok(false);
        }
        if args.iter().any(|&a| matches!(self.ast.expr(a).map(|a| a.kind), Some(ExprKind::Starred { .. })))
            || kwds.iter().any(|k| k.arg.is_none())
        {
            return Ok(false);
        }
        let o = self.ops;
        let mut loc = loc_of(meth.pos);
        if self.can_optimize_super_call(meth) {
            let ExprKind::Call { args: sargs, .. } = &self.ex(value)?.kind else { return Ok(false) };
            self.load_args_for_super(value)?;
            let opc = if !sargs.is_empty() { o.LOAD_SUPER_METHOD } else { o.LOAD_ZERO_SUPER_METHOD };
            self.addop_name(opc, attr, loc);
            loc = update_start_location_to_match_attr(self.ast, loc, meth);
            self.addop(o.NOP, loc);
        } else {
            self.visit_expr(value)?;
            loc = update_start_location_to_match_attr(self.ast, loc, meth);
            self.addop_name(o.LOAD_METHOD, attr, loc);
        }
        self.visit_exprs(args)?;
        if kwdsl > 0 {
            for k in kwds {
                self.visit_expr(k.value)?;
            }
            self.call_simple_kw_helper(loc, kwds);
        }
        let l = update_start_location_to_match_attr(self.ast, loc_of(e.pos), meth);
        self.emit_call((argsl + kwdsl) as u32, kwdsl > 0, l);
        Ok(true)
    }

    /// `compiler_call`.
    fn compiler_call(
        &mut self,
        e: impl ExprArg<'a>,
        func: impl ExprArg<'a>,
        args: impl SeqArg<'a, ExprId>,
        keywords: impl SeqArg<'a, Keyword>,
    ) -> R {
        let e = self.ex(e)?;
        let func = self.ex(func)?;
        let args = self.sq(args);
        let keywords = self.sq(keywords);
        self.validate_keywords(keywords)?;
        if self.maybe_optimize_method_call(e, func, args, keywords)? {
            return Ok(());
        }
        self.warn(func.pos, warnings::check_caller(self.ast, func));
        self.emit_null_before_callable(loc_of(func.pos));
        self.visit_expr(func)?;
        let end = self.new_label();
        let optimized = self.feat.deferred_annotations && self.maybe_optimize_function_call(func, args, keywords, end)?;
        self.emit_null_after_callable(loc_of(func.pos));
        self.call_helper(loc_of(e.pos), 0, args, keywords)?;
        if optimized {
            self.use_label(end)?;
        }
        Ok(())
    }

    /// `maybe_optimize_function_call` (3.14+): `all(genexp)`, `any(genexp)` and
    /// `tuple(genexp)` run the generator inline when the name is the builtin.
    fn maybe_optimize_function_call(
        &mut self,
        func: impl ExprArg<'a>,
        args: impl SeqArg<'a, ExprId>,
        keywords: impl SeqArg<'a, Keyword>,
        end: Label,
    ) -> Result<bool, CompileError> {
        let func = self.ex(func)?;
        let args = self.sq(args);
        let keywords = self.sq(keywords);
        let ExprKind::Name { id, .. } = &func.kind else { return Ok(false) };
        if args.len() != 1 || !keywords.is_empty() || !matches!(self.ex(args[0])?.kind, ExprKind::GeneratorExp { .. }) {
            return Ok(false);
        }
        // CONSTANT_BUILTIN_TUPLE 2, _ALL 3, _ANY 4, (3.15) _LIST 5, _SET 6; (initial result,
        // jump that continues); `collect`: the collection built (list, or set for `set()`).
        let (oparg, initial, collect_set) = match self.nm(id)? {
            "all" => (3, Some(true), false),
            "any" => (4, Some(false), false),
            "tuple" => (2, None, false),
            "list" if self.feat.inline_list_set_calls => (5, None, false),
            "set" if self.feat.inline_list_set_calls => (6, None, true),
            _ => return Ok(false),
        };
        let o = self.ops;
        let loc = loc_of(func.pos);
        let skip = self.new_label();
        self.addop_i(o.COPY, 1, loc);
        self.addop_i(o.LOAD_COMMON_CONSTANT, oparg, loc);
        self.emit_compare(CmpOp::Is, loc);
        self.addop_j(o.POP_JUMP_IF_FALSE, skip, loc);
        self.addop(o.POP_TOP, loc);
        if initial.is_none() {
            self.addop_i(if collect_set { o.BUILD_SET } else { o.BUILD_LIST }, 0, loc);
        }
        self.visit_expr(args[0])?;
        // 3.15: the generator is iterated as a two-slot iterator (itself and a NULL).
        let two_slot = self.feat.two_slot_iterators;
        if two_slot {
            self.addop(o.PUSH_NULL, loc);
        }
        let lp = self.new_label();
        let cleanup = self.new_label();
        self.use_label(lp)?;
        self.addop_j(o.FOR_ITER, cleanup, loc);
        match initial {
            None => {
                self.addop_i(if collect_set { o.SET_ADD } else { o.LIST_APPEND }, if two_slot { 3 } else { 2 }, loc);
                self.addop_j(o.JUMP, lp, loc);
            }
            Some(init) => {
                self.addop(o.TO_BOOL, loc);
                self.addop_j(if init { o.POP_JUMP_IF_TRUE } else { o.POP_JUMP_IF_FALSE }, lp, loc);
            }
        }
        self.addop(o.POP_ITER, NO_LOC);
        if let Some(init) = initial {
            self.load_const(if init { ConstValue::False } else { ConstValue::True }, loc);
        }
        self.addop_j(o.JUMP, end, loc);
        self.use_label(cleanup)?;
        self.addop(o.END_FOR, NO_LOC);
        self.addop(o.POP_ITER, NO_LOC);
        match initial {
            None if oparg != 2 => {}
            None => self.emit_intrinsic1(Intrinsic1::ListToTuple, loc),
            Some(init) => self.load_const(if init { ConstValue::True } else { ConstValue::False }, loc),
        }
        self.addop_j(o.JUMP, end, loc);
        self.use_label(skip)?;
        Ok(true)
    }

    /// `compiler_subkwargs`.
    fn subkwargs(&mut self, loc: Location, keywords: impl SeqArg<'a, Keyword>, begin: usize, end: usize) -> R {
        let keywords = self.sq(keywords);
        let o = self.ops;
        let n = end - begin;
        let big = n * 2 > STACK_USE_GUIDELINE;
        if n > 1 && !big && self.feat.const_key_map {
            for k in &keywords[begin..end] {
                self.visit_expr(k.value)?;
            }
            let ast: &'a Ast = self.ast;
            let names: Vec<&str> = keywords[begin..end].iter().filter_map(|k| k.arg.and_then(|a| ast.name(a))).collect();
            let t = self.str_tuple(&names);
            self.load_const(t, loc);
            self.addop_i(o.BUILD_CONST_KEY_MAP, n as u32, loc);
            return Ok(());
        }
        if big {
            self.addop_i(o.BUILD_MAP, 0, NO_LOC);
        }
        for k in &keywords[begin..end] {
            let kn = k.arg.and_then(|a| self.ast.name(a)).unwrap_or("");
            self.load_ident_const(kn, loc);
            self.visit_expr(k.value)?;
            if big {
                self.addop_i(o.MAP_ADD, 1, NO_LOC);
            }
        }
        if !big {
            self.addop_i(o.BUILD_MAP, n as u32, loc);
        }
        Ok(())
    }

    /// `compiler_call_helper`.
    fn call_helper(&mut self, loc: Location, n: u32, args: impl SeqArg<'a, ExprId>, keywords: impl SeqArg<'a, Keyword>) -> R {
        let args = self.sq(args);
        let keywords = self.sq(keywords);
        self.call_helper_elts(loc, n, Elts::from(args), keywords)
    }

    fn call_helper_elts(&mut self, loc: Location, n: u32, args: Elts<'a>, keywords: impl SeqArg<'a, Keyword>) -> R {
        let keywords = self.sq(keywords);
        self.validate_keywords(keywords)?;
        let o = self.ops;
        let nelts = args.len();
        let nkwelts = keywords.len();
        let ex_call = nelts + nkwelts * 2 > STACK_USE_GUIDELINE
            || args.iter().any(|a| matches!(self.ast.expr(a).map(|a| a.kind), Some(ExprKind::Starred { .. })))
            || keywords.iter().any(|k| k.arg.is_none());
        if !ex_call {
            for a in args.iter() {
                self.visit_expr(a)?;
            }
            if nkwelts > 0 {
                for k in keywords {
                    self.visit_expr(k.value)?;
                }
                self.call_simple_kw_helper(loc, keywords);
            }
            self.emit_call(n + (nelts + nkwelts) as u32, nkwelts > 0, loc);
            return Ok(());
        }
        let single_starred = match args.iter().next().and_then(|a| self.ast.expr(a)) {
            Some(Expr { kind: ExprKind::Starred { value, .. }, .. }) if n == 0 && nelts == 1 => Some(*value),
            _ => None,
        };
        if let Some(value) = single_starred {
            self.visit_expr(value)?;
        } else {
            self.starunpack_helper_elts(loc, args, n, o.BUILD_LIST, o.LIST_APPEND, o.LIST_EXTEND, true)?;
        }
        if nkwelts > 0 {
            let mut have_dict = false;
            let mut nseen = 0usize;
            for (i, kw) in keywords.iter().enumerate() {
                if kw.arg.is_none() {
                    if nseen > 0 {
                        self.subkwargs(loc, keywords, i - nseen, i)?;
                        if have_dict {
                            self.addop_i(o.DICT_MERGE, 1, loc);
                        }
                        have_dict = true;
                        nseen = 0;
                    }
                    if !have_dict {
                        self.addop_i(o.BUILD_MAP, 0, loc);
                        have_dict = true;
                    }
                    self.visit_expr(kw.value)?;
                    self.addop_i(o.DICT_MERGE, 1, loc);
                } else {
                    nseen += 1;
                }
            }
            if nseen > 0 {
                self.subkwargs(loc, keywords, nkwelts - nseen, nkwelts)?;
                if have_dict {
                    self.addop_i(o.DICT_MERGE, 1, loc);
                }
            }
        }
        self.emit_call_function_ex(nkwelts > 0, loc);
        Ok(())
    }

    // ------------------------------------------------------------------ comprehensions

    /// `compiler_comprehension`.
    fn compiler_comprehension(
        &mut self,
        e: impl ExprArg<'a>,
        ty: CompType,
        name: &str,
        generators: impl SeqArg<'a, Comprehension>,
        elt: impl ExprArg<'a>,
        val: Option<ExprId>,
    ) -> R {
        let e = self.ex(e)?;
        let generators = self.sq(generators);
        let elt = self.ex(elt)?;
        let o = self.ops;
        let Some(outermost) = generators.first() else { return Ok(()) };
        let scope_type = self.uref().scope_type;
        let is_top_level_await = self.is_top_level_await();
        let entry =
            self.st.lookup(key_of_expr(e)).ok_or_else(|| CompileError::new(ErrorKind::SystemError, "unknown comprehension scope"))?;
        let is_inlined = self.st.entries[entry].comp_inlined;
        let is_async_generator = self.st.entries[entry].coroutine;
        let loc = loc_of(e.pos);
        let mut state = None;
        let iter_loc = if self.iter_locs() { loc_of(self.ex(outermost.iter)?.pos) } else { loc };
        // 3.15: the comprehension itself calls `GET_ITER` / `GET_AITER` on its outermost
        // iterable (after the result collection is pushed; a generator expression before it
        // starts, behind `RESUME 4`).
        let two_slot = self.feat.two_slot_iterators;
        let iter_op = if outermost.is_async { o.GET_AITER } else { o.GET_ITER };
        if is_inlined {
            self.visit_expr(outermost.iter)?;
            if !two_slot {
                self.addop(iter_op, iter_loc);
            }
            state = Some(self.push_inlined_comprehension_state(loc, entry)?);
        } else {
            let in_class = self.uref().scope_type == ScopeType::Class;
            self.enter_scope(name, ScopeType::Comprehension, key_of_expr(e), e.pos.lineno)?;
            // A function block directly in a class body, as `def` (3.14+).
            self.u().is_method = in_class && self.feat.deferred_annotations;
            if two_slot {
                self.u().argcount = 1;
                let at = if ty == CompType::Genexp {
                    // RESUME_AT_GEN_EXPR_START
                    self.u().seq.insert(0, pycode_instr::Instr::new(o.RESUME, 4, NO_LOC));
                    self.u().gen_prologue = 3;
                    1
                } else {
                    self.u().seq.len()
                };
                self.u().seq.insert(at, pycode_instr::Instr::new(o.LOAD_FAST, 0, iter_loc));
                self.u().seq.insert(at + 1, pycode_instr::Instr::new(iter_op, 0, iter_loc));
            }
        }
        if is_async_generator
            && ty != CompType::Genexp
            && !matches!(scope_type, ScopeType::AsyncFunction | ScopeType::Comprehension)
            && !is_top_level_await
        {
            return Err(err_at("asynchronous comprehension outside of an asynchronous function", loc));
        }
        if ty != CompType::Genexp {
            let op = match ty {
                CompType::List => o.BUILD_LIST,
                CompType::Set => o.BUILD_SET,
                _ => o.BUILD_MAP,
            };
            self.addop_i(op, 0, loc);
            if is_inlined {
                self.addop_i(o.SWAP, 2, loc);
            }
        }
        if two_slot && is_inlined {
            self.addop(iter_op, iter_loc);
        }
        let cur = self.comprehension_generator(loc, generators, 0, 0, elt, val, ty, is_inlined || two_slot)?;
        if let Some(st) = state {
            return self.pop_inlined_comprehension_state(loc, st);
        }
        if ty != CompType::Genexp {
            self.addop(o.RETURN_VALUE, cur);
        } else {
            self.wrap_in_stopiteration_handler()?;
        }
        let handle = self.finish_unit(true)?;
        // Up to 3.13, an asynchronous comprehension of its own scope (a generator expression
        // included) makes a top-level-await module a coroutine.
        if is_top_level_await && is_async_generator {
            match self.line {
                Minor::V3_11 | Minor::V3_12 | Minor::V3_13 => self.u().top_level_coroutine = true,
                Minor::V3_14 | Minor::V3_15 => {}
            }
        }
        self.make_closure(loc, handle, 0)?;
        self.visit_expr(outermost.iter)?;
        if !two_slot {
            self.addop(iter_op, iter_loc);
        }
        self.emit_call(0, false, loc);
        if is_async_generator && ty != CompType::Genexp {
            self.addop_i(o.GET_AWAITABLE, 0, loc);
            self.load_first_sent(loc);
            self.add_yield_from(loc, true)?;
        }
        Ok(())
    }

    /// `push_inlined_comprehension_state`.
    fn push_inlined_comprehension_state(&mut self, loc: Location, entry: EntryId) -> Result<InlineState, CompileError> {
        let o = self.ops;
        let ste = self.uref().ste;
        let in_class_block = self.st.entries[ste].block_type == BlockType::Class && self.uref().in_inlined_comp == 0;
        self.u().in_inlined_comp += 1;
        let mut state = InlineState::default();
        let syms: Vec<(NameId, u32)> = self.st.entries[entry].symbols.iter().collect();
        let fl = self.st.entries[ste].is_function_like();
        let new_rules = self.iter_locs();
        for (id, symbol) in syms {
            let k: Box<str> = self.st.names.get(id).into();
            let scope = Scope::from_flags(symbol);
            let outv = self.st.entries[ste].symbols.get(&self.st.names, id).unwrap_or(0);
            let outsc = Scope::from_flags(outv);
            let bound =
                (symbol & DEF_LOCAL != 0 && symbol & DEF_NONLOCAL == 0) || (in_class_block && !self.feat.class_comp_push_bound_only);
            let differs = scope != outsc && !(scope == Scope::Cell && outsc == Scope::Free);
            if new_rules && ((differs && scope != Scope::Free) || in_class_block) {
                // 3.12.7: every name whose scope differs inside the comprehension (unless free
                // there) is handled with its in-comprehension scope while compiling it.
                self.st.entries[ste].symbols.set(&self.st.names, id, symbol);
                state.temp_symbols.push((id, outv, true));
            }
            if !bound {
                continue;
            }
            if !fl {
                // non-function scope: override this name to use fast locals
                let orig = self.uref().fasthidden.get(&k).copied();
                if orig != Some(true) {
                    self.u().fasthidden.insert(k.clone(), true);
                    state.fast_hidden.push(k.clone());
                }
            }
            if !new_rules && differs {
                // 3.12.1: only names bound in the comprehension get the temporary scope.
                self.st.entries[ste].symbols.set(&self.st.names, id, symbol);
                state.temp_symbols.push((id, outv, true));
            }
            // local names bound in comprehension must be isolated from outer scope
            self.addop_varname(o.LOAD_FAST_AND_CLEAR, &k, loc);
            if scope == Scope::Cell {
                let arg = if outsc == Scope::Free {
                    let u = self.u();
                    let nc = u.md.cellvars.len() as u32;
                    u.md.freevars.insert(pystr(&k)) + nc
                } else {
                    self.u().md.cellvars.insert(pystr(&k))
                };
                self.addop_i(o.MAKE_CELL, arg, loc);
            }
            state.pushed_locals.push(k.clone());
        }
        if !state.pushed_locals.is_empty() {
            self.addop_i(o.SWAP, state.pushed_locals.len() as u32 + 1, loc);
            let cleanup = self.new_label();
            let end = self.new_label();
            state.cleanup = Some(cleanup);
            state.end = Some(end);
            self.addop_j(o.SETUP_FINALLY, cleanup, loc);
        }
        Ok(state)
    }

    fn restore_inlined_comprehension_locals(&mut self, loc: Location, state: &InlineState) {
        let o = self.ops;
        let npops = state.pushed_locals.len();
        self.addop_i(o.SWAP, npops as u32 + 1, loc);
        for k in state.pushed_locals.iter().rev() {
            self.addop_varname(o.STORE_FAST_MAYBE_NULL, k, loc);
        }
    }

    /// `pop_inlined_comprehension_state`.
    fn pop_inlined_comprehension_state(&mut self, loc: Location, state: InlineState) -> R {
        let o = self.ops;
        self.u().in_inlined_comp -= 1;
        let ste = self.uref().ste;
        for &(id, v, _) in &state.temp_symbols {
            self.st.entries[ste].symbols.set(&self.st.names, id, v);
        }
        if let (Some(cleanup), Some(end)) = (state.cleanup, state.end) {
            self.addop(o.POP_BLOCK, NO_LOC);
            self.emit_jump_no_interrupt_3_13(end, NO_LOC);
            self.use_label(cleanup)?;
            self.addop_i(o.SWAP, 2, NO_LOC);
            self.addop(o.POP_TOP, NO_LOC);
            self.restore_inlined_comprehension_locals(loc, &state);
            self.addop_i(o.RERAISE, 0, NO_LOC);
            self.use_label(end)?;
            self.restore_inlined_comprehension_locals(loc, &state);
        }
        for k in &state.fast_hidden {
            self.u().fasthidden.insert(k.clone(), false);
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    ///
    /// Returns the compiler's current location afterwards as 3.11 leaves it (see
    /// [`Compiler::jump_if`]); 3.12+: `loc`.
    fn comprehension_generator(
        &mut self,
        loc: Location,
        gens: impl SeqArg<'a, Comprehension>,
        gen_index: usize,
        depth: u32,
        elt: impl ExprArg<'a>,
        val: Option<ExprId>,
        ty: CompType,
        iter_on_stack: bool,
    ) -> Result<Location, CompileError> {
        let gens = self.sq(gens);
        let elt = self.ex(elt)?;
        self.enter()?;
        let r = match gens.get(gen_index) {
            Some(g) if g.is_async => self.async_comprehension_generator(loc, gens, gen_index, depth, elt, val, ty, iter_on_stack),
            Some(_) => self.sync_comprehension_generator(loc, gens, gen_index, depth, elt, val, ty, iter_on_stack),
            None => Ok(loc),
        };
        self.depth -= 1;
        r
    }

    fn comprehension_element(
        &mut self,
        elt: impl ExprArg<'a>,
        val: Option<ExprId>,
        ty: CompType,
        depth: u32,
        cur: Location,
    ) -> Result<Location, CompileError> {
        let elt = self.ex(elt)?;
        let val = self.opt_ex(val)?;
        let o = self.ops;
        // 3.11 appends at the current location.
        let v311 = self.feat.jump_if_or_pop;
        let mut elt_loc = if v311 { cur } else { loc_of(elt.pos) };
        // 3.15 (PEP 798): `*it` / `**m` as the element extends the result by the iterable
        // (a generator expression yields each of its items in a loop of its own).
        if self.feat.comprehension_unpacking {
            let unpacked = match (&elt.kind, ty) {
                (ExprKind::Starred { value, .. }, CompType::Genexp | CompType::List | CompType::Set) => Some(self.ex(value)?),
                (_, CompType::Dict) if val.is_none() => Some(elt),
                _ => None,
            };
            if let Some(inner) = unpacked {
                self.visit_expr(inner)?;
                match ty {
                    CompType::Genexp => {
                        let (start, end) = (self.new_label(), self.new_label());
                        self.addop(o.GET_ITER, elt_loc);
                        self.use_label(start)?;
                        self.addop_j(o.FOR_ITER, end, elt_loc);
                        self.addop_yield(elt_loc);
                        self.addop(o.POP_TOP, elt_loc);
                        self.addop_j(o.JUMP, start, elt_loc);
                        self.use_label(end)?;
                        self.emit_end_for(elt_loc);
                    }
                    CompType::List => self.addop_i(o.LIST_EXTEND, depth + 1, elt_loc),
                    CompType::Set => self.addop_i(o.SET_UPDATE, depth + 1, elt_loc),
                    CompType::Dict => self.addop_i(o.DICT_UPDATE, depth + 1, elt_loc),
                }
                return Ok(elt_loc);
            }
        }
        match ty {
            CompType::Genexp => {
                self.visit_expr(elt)?;
                self.addop_yield(elt_loc);
                self.addop(o.POP_TOP, elt_loc);
            }
            CompType::List => {
                self.visit_expr(elt)?;
                self.addop_i(o.LIST_APPEND, depth + 1, elt_loc);
            }
            CompType::Set => {
                self.visit_expr(elt)?;
                self.addop_i(o.SET_ADD, depth + 1, elt_loc);
            }
            CompType::Dict => {
                self.visit_expr(elt)?;
                if let Some(v) = val {
                    self.visit_expr(v)?;
                    if !v311 {
                        elt_loc = Location::new(
                            elt.pos.lineno as i32,
                            v.pos.end_lineno as i32,
                            elt.pos.col_offset as i32,
                            v.pos.end_col_offset as i32,
                        );
                    }
                }
                self.addop_i(o.MAP_ADD, depth + 1, elt_loc);
            }
        }
        Ok(elt_loc)
    }

    /// `compiler_sync_comprehension_generator`.
    #[allow(clippy::too_many_arguments)]
    fn sync_comprehension_generator(
        &mut self,
        loc: Location,
        gens: impl SeqArg<'a, Comprehension>,
        gen_index: usize,
        mut depth: u32,
        elt: impl ExprArg<'a>,
        val: Option<ExprId>,
        ty: CompType,
        iter_on_stack: bool,
    ) -> Result<Location, CompileError> {
        let gens = self.sq(gens);
        let elt = self.ex(elt)?;
        let v311 = self.feat.jump_if_or_pop;
        let mut cur = loc;
        let o = self.ops;
        let mut start = Some(self.new_label());
        let if_cleanup = self.new_label();
        let anchor = self.new_label();
        let gen = &gens[gen_index];
        let gen_iter_loc = if self.iter_locs() { loc_of(self.ex(gen.iter)?.pos) } else { loc };
        if !iter_on_stack {
            if gen_index == 0 {
                self.u().argcount = 1;
                self.addop_i(o.LOAD_FAST, 0, loc);
            } else {
                let elts = match &self.ex(gen.iter)?.kind {
                    ExprKind::List { elts, .. } | ExprKind::Tuple { elts, .. } => Some(self.sq(elts)),
                    _ => None,
                };
                if let Some(elts) = elts {
                    if elts.len() == 1 && !matches!(self.ex(elts[0])?.kind, ExprKind::Starred { .. }) {
                        self.visit_expr(elts[0])?;
                        start = None;
                    }
                }
                if start.is_some() {
                    self.visit_expr(gen.iter)?;
                    self.addop(o.GET_ITER, gen_iter_loc);
                }
            }
        }
        if let Some(s) = start {
            depth += if self.feat.two_slot_iterators { 2 } else { 1 };
            if self.feat.comprehension_iter_again {
                self.addop(o.GET_ITER, gen_iter_loc);
            }
            self.use_label(s)?;
            self.addop_j(o.FOR_ITER, anchor, gen_iter_loc);
        }
        self.visit_expr(gen.target)?;
        for e in self.sq(gen.ifs) {
            cur = self.jump_if(cur, e, if_cleanup, false)?;
        }
        let next = gen_index + 1;
        if next < gens.len() {
            cur = self.comprehension_generator(cur, gens, next, depth, elt, val, ty, false)?;
        }
        let mut elt_loc = if v311 { cur } else { loc_of(elt.pos) };
        if next >= gens.len() {
            elt_loc = self.comprehension_element(elt, val, ty, depth, cur)?;
        }
        self.use_label(if_cleanup)?;
        if let Some(s) = start {
            self.addop_j(o.JUMP, s, elt_loc);
            self.use_label(anchor)?;
            self.emit_end_for(NO_LOC);
        }
        Ok(if v311 { cur } else { loc })
    }

    /// `compiler_async_comprehension_generator`.
    #[allow(clippy::too_many_arguments)]
    fn async_comprehension_generator(
        &mut self,
        loc: Location,
        gens: impl SeqArg<'a, Comprehension>,
        gen_index: usize,
        mut depth: u32,
        elt: impl ExprArg<'a>,
        val: Option<ExprId>,
        ty: CompType,
        iter_on_stack: bool,
    ) -> Result<Location, CompileError> {
        let gens = self.sq(gens);
        let elt = self.ex(elt)?;
        let v311 = self.feat.jump_if_or_pop;
        let mut cur = loc;
        let o = self.ops;
        let start = self.new_label();
        let except = self.new_label();
        let if_cleanup = self.new_label();
        let gen = &gens[gen_index];
        if !iter_on_stack {
            if gen_index == 0 {
                self.u().argcount = 1;
                self.addop_i(o.LOAD_FAST, 0, loc);
            } else {
                self.visit_expr(gen.iter)?;
                let gl = if self.iter_locs() { loc_of(self.ex(gen.iter)?.pos) } else { loc };
                self.addop(o.GET_AITER, gl);
            }
        }
        self.use_label(start)?;
        self.push_fblock(loc, FBlockType::AsyncComprehensionGenerator, Some(start), None, FDatum::None)?;
        self.addop_j(o.SETUP_FINALLY, except, loc);
        self.addop(o.GET_ANEXT, loc);
        self.load_first_sent(loc);
        let (_, end_send) = self.add_yield_from(loc, true)?;
        self.addop(o.POP_BLOCK, loc);
        self.visit_expr(gen.target)?;
        for e in self.sq(gen.ifs) {
            cur = self.jump_if(cur, e, if_cleanup, false)?;
        }
        depth += 1;
        let next = gen_index + 1;
        if next < gens.len() {
            cur = self.comprehension_generator(cur, gens, next, depth, elt, val, ty, false)?;
        }
        let mut elt_loc = if v311 { cur } else { loc_of(elt.pos) };
        if next >= gens.len() {
            elt_loc = self.comprehension_element(elt, val, ty, depth, cur)?;
        }
        self.use_label(if_cleanup)?;
        // located at the element, like the sync generator's back jump: a jump from a comparison
        // chain's cleanup (no location) onto it is then not threaded (`jump_thread` needs equal
        // lines or an unlocated target)
        self.addop_j(o.JUMP, start, elt_loc);
        self.pop_fblock();
        self.use_label(except)?;
        self.emit_end_async_for(end_send, if v311 { cur } else { loc });
        Ok(if v311 { cur } else { loc })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CompType {
    Genexp,
    List,
    Set,
    Dict,
}

#[derive(Default)]
struct InlineState {
    pushed_locals: Vec<Box<str>>,
    temp_symbols: Vec<(NameId, u32, bool)>,
    fast_hidden: Vec<Box<str>>,
    cleanup: Option<Label>,
    end: Option<Label>,
}

/// A sequence of expressions: a slice of the AST, optionally followed by one node the compiler
/// made itself (`compiler_class` appends `Name('.generic_base')` to a generic class's bases).
#[derive(Clone, Copy)]
struct Elts<'a> {
    items: &'a [ExprId],
    extra: Option<ExprId>,
}

impl<'a> Elts<'a> {
    fn len(&self) -> usize {
        self.items.len() + usize::from(self.extra.is_some())
    }

    fn iter(&self) -> impl Iterator<Item = ExprId> + 'a {
        self.items.iter().copied().chain(self.extra)
    }
}

impl<'a> From<&'a [ExprId]> for Elts<'a> {
    fn from(items: &'a [ExprId]) -> Self {
        Elts { items, extra: None }
    }
}

/// `is_constant_slice` (3.14+): every given bound is a constant.
fn is_constant_slice(ast: &Ast, s: &Expr) -> bool {
    let is_const = |x: &Option<ExprId>| x.is_none_or(|e| matches!(ast.expr(e).map(|e| e.kind), Some(ExprKind::Constant { .. })));
    matches!(&s.kind, ExprKind::Slice { lower, upper, step } if is_const(lower) && is_const(upper) && is_const(step))
}

impl<'a> Compiler<'a> {
    /// `should_apply_two_element_slice_optimization`: `a[x:y]` uses `BINARY_SLICE` /
    /// `STORE_SLICE` (3.12+), except a constant slice (3.14+).
    fn two_element_slice(&self, s: &Expr) -> bool {
        self.feat.binary_slice && is_two_element_slice(s) && !(self.feat.const_slices && is_constant_slice(self.ast, s))
    }
}

fn is_two_element_slice(s: &Expr) -> bool {
    matches!(&s.kind, ExprKind::Slice { step: None, .. })
}

/// `NB_*` oparg of `BINARY_OP`.
fn binop_arg(op: Operator) -> u32 {
    match op {
        Operator::Add => 0,
        Operator::BitAnd => 1,
        Operator::FloorDiv => 2,
        Operator::LShift => 3,
        Operator::MatMult => 4,
        Operator::Mult => 5,
        Operator::Mod => 6,
        Operator::BitOr => 7,
        Operator::Pow => 8,
        Operator::RShift => 9,
        Operator::Sub => 10,
        Operator::Div => 11,
        Operator::BitXor => 12,
    }
}

/// `update_start_location_to_match_attr`.
fn update_start_location_to_match_attr(ast: &Ast, mut loc: Location, attr: &Expr) -> Location {
    let ExprKind::Attribute { attr: name, .. } = &attr.kind else { return loc };
    let name = ast.name(*name).unwrap_or("");
    let end_lineno = attr.pos.end_lineno as i32;
    if loc.lineno != end_lineno {
        loc.lineno = end_lineno;
        let len = name.chars().count() as i32;
        let end_col = attr.pos.end_col_offset as i32;
        if len <= end_col {
            loc.col_offset = end_col - len;
        } else {
            loc.col_offset = -1;
            loc.end_col_offset = -1;
        }
        loc.end_lineno = loc.lineno.max(loc.end_lineno);
        if loc.lineno == loc.end_lineno {
            loc.end_col_offset = loc.col_offset.max(loc.end_col_offset);
        }
    }
    loc
}

#[allow(dead_code)]
fn _unused(_: &IndexSet<PyStr>) {}
