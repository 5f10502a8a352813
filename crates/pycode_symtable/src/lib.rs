//! `pycode_symtable`: symbol tables for the compiler, mirroring CPython 3.12's `Python/symtable.c`
//! (and the `__future__` scan of `Python/future.c`).
//!
//! [`SymTable::build`] walks a module AST once, creating one [`Entry`] per scope (module, class,
//! function, lambda, comprehension, PEP 695 type-parameter / type-alias / TypeVar-bound scopes),
//! recording def/use flags per name, then resolves every name's scope (`analyze_block`): local,
//! global (explicit/implicit), free, cell; inlines list/set/dict comprehensions into their parent
//! (PEP 709); adds the implicit `__class__` / `__classdict__` cells of classes.
//!
//! Entries are found by the address of the AST node that opened them ([`key_of_stmt`], …), as
//! CPython keys them by node pointer; the AST must not move between `build` and codegen.
//!
//! No function here panics on any input; nesting is limited ([`MAX_DEPTH`]) and too deep input
//! gives CPython's `RecursionError`.

mod build;
mod error;
pub mod future;

pub use error::{CompileError, ErrorKind};
pub use future::{parse_future, parse_future_for, FutureFeatures};

use rustc_hash::FxHashMap as HashMap;

/// The fast (non-DoS-resistant) hash map the compiler uses for its internal tables, re-exported
/// so codegen shares this crate's hasher.
pub use rustc_hash::FxHashMap;

use pycode_ast::{Expr, Stmt, TypeParam};

/// Def/use flags (`DEF_*`, `USE` in `Include/internal/pycore_symtable.h`, 3.12 values).
pub mod flags {
    pub const DEF_GLOBAL: u32 = 1;
    pub const DEF_LOCAL: u32 = 2;
    pub const DEF_PARAM: u32 = 2 << 1;
    pub const DEF_NONLOCAL: u32 = 2 << 2;
    pub const USE: u32 = 2 << 3;
    pub const DEF_FREE: u32 = 2 << 4;
    pub const DEF_FREE_CLASS: u32 = 2 << 5;
    pub const DEF_IMPORT: u32 = 2 << 6;
    pub const DEF_ANNOT: u32 = 2 << 7;
    pub const DEF_COMP_ITER: u32 = 2 << 8;
    pub const DEF_TYPE_PARAM: u32 = 2 << 9;
    pub const DEF_COMP_CELL: u32 = 2 << 10;
    pub const DEF_BOUND: u32 = DEF_LOCAL | DEF_PARAM | DEF_IMPORT;
    pub const SCOPE_OFFSET: u32 = 12;
    pub const SCOPE_MASK: u32 = DEF_GLOBAL | DEF_LOCAL | DEF_PARAM | DEF_NONLOCAL;
}

/// Resolved scope of a name (`LOCAL`, `GLOBAL_EXPLICIT`, … in `pycore_symtable.h`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    /// No scope recorded (0).
    Unknown = 0,
    Local = 1,
    GlobalExplicit = 2,
    GlobalImplicit = 3,
    Free = 4,
    Cell = 5,
}

impl Scope {
    /// `_PyST_GetScope`: the scope bits of a flags word.
    pub fn from_flags(f: u32) -> Scope {
        match (f >> flags::SCOPE_OFFSET) & flags::SCOPE_MASK {
            1 => Scope::Local,
            2 => Scope::GlobalExplicit,
            3 => Scope::GlobalImplicit,
            4 => Scope::Free,
            5 => Scope::Cell,
            _ => Scope::Unknown,
        }
    }
}

/// `_Py_block_ty` (3.12).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BlockType {
    Function,
    Class,
    Module,
    /// Only created with `from __future__ import annotations`; never a child of anything.
    Annotation,
    TypeVarBound,
    TypeAlias,
    TypeParam,
}

impl BlockType {
    /// The `symtable` module's type string.
    pub fn name(self) -> &'static str {
        match self {
            BlockType::Function => "function",
            BlockType::Class => "class",
            BlockType::Module => "module",
            BlockType::Annotation => "annotation",
            BlockType::TypeVarBound => "TypeVar bound",
            BlockType::TypeAlias => "type alias",
            BlockType::TypeParam => "type parameters",
        }
    }

    /// `_PyST_IsFunctionLike` (3.12).
    pub fn is_function_like(self) -> bool {
        matches!(self, BlockType::Function | BlockType::TypeVarBound | BlockType::TypeAlias | BlockType::TypeParam | BlockType::Annotation)
    }
}

/// `_Py_comprehension_ty`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ComprehensionType {
    None,
    List,
    Set,
    Dict,
    Generator,
}

/// An index into [`SymTable::entries`].
pub type EntryId = usize;

/// Ordered name → flags map (CPython's `ste_symbols` dict keeps insertion order). Each name is
/// stored once; the hash table holds `(hash, index)` pairs.
#[derive(Clone, Debug, Default)]
pub struct Symbols {
    names: Vec<(Box<str>, u32)>,
    index: hashbrown::HashTable<(u64, u32)>,
}

pub(crate) fn name_hash(name: &str) -> u64 {
    use std::hash::BuildHasher;
    rustc_hash::FxBuildHasher.hash_one(name)
}

impl Symbols {
    fn position(&self, h: u64, name: &str) -> Option<usize> {
        let names = &self.names;
        self.index.find(h, |&(eh, i)| eh == h && names.get(i as usize).is_some_and(|(n, _)| &**n == name)).map(|&(_, i)| i as usize)
    }

    /// Position (insertion index, stable: names are only ever appended, except by the
    /// analysis's `remove`) and flags of `name`.
    pub fn lookup(&self, name: &str) -> Option<(usize, u32)> {
        let i = self.position(name_hash(name), name)?;
        self.names.get(i).map(|(_, f)| (i, *f))
    }

    /// Flags of the symbol at position `i`.
    pub(crate) fn flags_at(&self, i: usize) -> Option<u32> {
        self.names.get(i).map(|(_, f)| *f)
    }

    pub fn get(&self, name: &str) -> Option<u32> {
        self.position(name_hash(name), name).and_then(|i| self.names.get(i)).map(|(_, f)| *f)
    }

    /// Sets the flags of `name`, appending it if absent.
    pub fn set(&mut self, name: &str, f: u32) {
        *self.slot(name).0 = f;
    }

    /// The flags slot of `name` and its previous flags (`None` if it was absent, in which case it
    /// is appended with flags 0). One hash and one probe, for the builder's `add_def`.
    pub(crate) fn slot(&mut self, name: &str) -> (&mut u32, Option<u32>) {
        let h = name_hash(name);
        let (i, old) = match self.position(h, name) {
            Some(i) => (i, self.names.get(i).map(|(_, f)| *f)),
            None => {
                let i = self.names.len();
                if self.names.capacity() == 0 {
                    // Most scopes hold a few names: one allocation each for eight, not a
                    // growth (and a rehash of the table) at four.
                    self.names.reserve_exact(8);
                    self.index.reserve(8, |&(eh, _)| eh);
                }
                self.names.push((name.into(), 0));
                self.index.insert_unique(h, (h, i as u32), |&(eh, _)| eh);
                (i, None)
            }
        };
        // `i` is in range: found by `position` or just pushed.
        (&mut self.names[i].1, old)
    }

    /// Removes `name` keeping the order of the others.
    pub fn remove(&mut self, name: &str) {
        let h = name_hash(name);
        let Some(i) = self.position(h, name) else { return };
        let names = &self.names;
        if let Ok(entry) = self.index.find_entry(h, |&(eh, j)| eh == h && names.get(j as usize).is_some_and(|(n, _)| &**n == name)) {
            entry.remove();
        }
        if i < self.names.len() {
            self.names.remove(i);
            for (_, v) in self.index.iter_mut() {
                if *v as usize > i {
                    *v -= 1;
                }
            }
        }
    }

    pub fn contains(&self, name: &str) -> bool {
        self.position(name_hash(name), name).is_some()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, u32)> {
        self.names.iter().map(|(n, f)| (&**n, *f))
    }

    /// Lets `f` change the flags of every name, in order (no lookups, no allocation).
    pub(crate) fn update_flags(&mut self, mut f: impl FnMut(&str, &mut u32)) {
        for (n, flags) in self.names.iter_mut() {
            f(n, flags);
        }
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// One scope (`PySTEntryObject`).
#[derive(Clone, Debug)]
pub struct Entry {
    pub name: Box<str>,
    pub block_type: BlockType,
    pub symbols: Symbols,
    /// `ste_varnames`: parameters in order.
    pub varnames: Vec<Box<str>>,
    pub children: Vec<EntryId>,
    pub nested: bool,
    pub generator: bool,
    pub coroutine: bool,
    pub comprehension: ComprehensionType,
    pub varargs: bool,
    pub varkeywords: bool,
    pub returns_value: bool,
    pub needs_class_closure: bool,
    pub needs_classdict: bool,
    pub comp_inlined: bool,
    pub can_see_class_scope: bool,
    /// `ste_free`: the scope (or a child) has free variables.
    pub has_free: bool,
    /// `ste_child_free`.
    pub child_free: bool,
    pub comp_iter_target: bool,
    pub comp_iter_expr: u32,
    pub lineno: u32,
    pub col_offset: u32,
    pub end_lineno: u32,
    pub end_col_offset: u32,
    /// The class name used for mangling inside this scope (`st_private` when it was entered).
    pub private: Option<Box<str>>,
    /// `ste_directives`: `global` / `nonlocal` (and walrus-implied) declarations, for errors.
    pub directives: Vec<(Box<str>, pycode_ast::Pos)>,
    /// 3.14+ `ste_annotation_block`: the `__annotate__` scope of a module or class.
    pub annotation_block: Option<EntryId>,
    /// 3.14+ `ste_has_conditional_annotations`.
    pub has_conditional_annotations: bool,
    /// 3.14+ `ste_annotations_used`.
    pub annotations_used: bool,
    /// 3.14+ `ste_in_conditional_block` (while building).
    pub in_conditional_block: bool,
    /// `ste_scope_info` (3.13+) of a TypeVar bound / constraint / default scope: what its
    /// "cannot be used within ..." error names.
    pub scope_info: Option<&'static str>,
}

impl Entry {
    fn new(name: &str, block_type: BlockType, pos: pycode_ast::Pos) -> Entry {
        Entry {
            name: name.into(),
            block_type,
            symbols: Symbols::default(),
            varnames: Vec::new(),
            children: Vec::new(),
            nested: false,
            generator: false,
            coroutine: false,
            comprehension: ComprehensionType::None,
            varargs: false,
            varkeywords: false,
            returns_value: false,
            needs_class_closure: false,
            needs_classdict: false,
            comp_inlined: false,
            can_see_class_scope: false,
            has_free: false,
            child_free: false,
            comp_iter_target: false,
            comp_iter_expr: 0,
            lineno: pos.lineno,
            col_offset: pos.col_offset,
            end_lineno: pos.end_lineno,
            end_col_offset: pos.end_col_offset,
            private: None,
            directives: Vec::new(),
            annotation_block: None,
            has_conditional_annotations: false,
            annotations_used: false,
            in_conditional_block: false,
            scope_info: None,
        }
    }

    /// `_PyST_GetSymbol`: flags of `name`, 0 if absent.
    pub fn flags(&self, name: &str) -> u32 {
        self.symbols.get(name).unwrap_or(0)
    }

    /// `_PyST_GetScope`.
    pub fn scope(&self, name: &str) -> Scope {
        Scope::from_flags(self.flags(name))
    }

    pub fn is_function_like(&self) -> bool {
        self.block_type.is_function_like()
    }
}

/// Key of the scope opened by a statement (function, class, type alias).
pub fn key_of_stmt(s: &Stmt) -> usize {
    s as *const Stmt as usize
}

/// Key of the scope opened by an expression (lambda, comprehension).
pub fn key_of_expr(e: &Expr) -> usize {
    e as *const Expr as usize
}

/// Key of the type-parameter scope of a generic definition. The slice starts at its first
/// `TypeParam`, whose own address keys that parameter's TypeVar-bound scope, so the key is
/// offset by one byte (node addresses are aligned, so it cannot be any node's key).
pub fn key_of_type_params(tp: &[TypeParam]) -> usize {
    tp.as_ptr() as usize + 1
}

/// Key of a TypeVar-bound scope.
pub fn key_of_type_param(tp: &TypeParam) -> usize {
    tp as *const TypeParam as usize
}

/// The key of a TypeVar's default scope (3.13+; the bound has the address itself). CPython
/// uses the address + 1, which here keys the type-parameter scope of a definition whose first
/// parameter this is ([`key_of_type_params`]), so + 2 (still no node's address).
pub fn key_of_type_param_default(tp: &TypeParam) -> usize {
    key_of_type_param(tp) + 2
}

/// The symbol table of one module (`struct symtable`).
#[derive(Clone, Debug)]
pub struct SymTable {
    pub entries: Vec<Entry>,
    /// Node key → entry.
    pub blocks: HashMap<usize, EntryId>,
    pub future: FutureFeatures,
}

impl SymTable {
    /// `_PySymtable_Build`: builds and analyses the table of `module`.
    /// Error messages and checks are those of the newest 3.12 ([`SymTable::build_for`] picks).
    pub fn build(module: &pycode_ast::Mod, future: FutureFeatures) -> Result<SymTable, CompileError> {
        build::build(module, future, pycode_release::Release::V3_12_7)
    }

    /// [`SymTable::build`] with `release`'s error messages and checks (they changed in 3.12 and
    /// in 3.12 bug-fix releases).
    pub fn build_for(module: &pycode_ast::Mod, future: FutureFeatures, release: pycode_release::Release) -> Result<SymTable, CompileError> {
        build::build(module, future, release)
    }

    /// `_PySymtable_Lookup`.
    pub fn lookup(&self, key: usize) -> Option<EntryId> {
        self.blocks.get(&key).copied()
    }

    pub fn entry(&self, id: EntryId) -> Option<&Entry> {
        self.entries.get(id)
    }

    /// The module entry.
    pub fn top(&self) -> Option<&Entry> {
        self.entries.first()
    }

    /// A text listing like the `symtable` module shows (used by tests and the oracle script).
    pub fn dump(&self) -> String {
        let mut out = String::new();
        self.dump_entry(0, 0, &mut out);
        out
    }

    fn dump_entry(&self, id: EntryId, depth: usize, out: &mut String) {
        use std::fmt::Write;
        let Some(e) = self.entries.get(id) else { return };
        if depth > 200 {
            return;
        }
        let ind = " ".repeat(depth * 2);
        let name = if id == 0 { "top" } else { &e.name };
        let nested = if e.nested { "True" } else { "False" };
        let _ = writeln!(out, "{ind}{} {} line={} nested={nested}", e.block_type.name(), name, e.lineno);
        for (n, f) in e.symbols.iter() {
            let _ = writeln!(out, "{ind}  {n} {f:#x}");
        }
        for &c in &e.children {
            self.dump_entry(c, depth + 1, out);
        }
    }
}

/// [`mangle`], borrowing `name` when it is left as it is (no allocation in the common case).
#[inline]
pub fn mangle_cow<'n>(private: Option<&str>, name: &'n str) -> std::borrow::Cow<'n, str> {
    match mangle(private, name) {
        Some(m) => std::borrow::Cow::Owned(m),
        None => std::borrow::Cow::Borrowed(name),
    }
}

/// `_Py_Mangle`: `__name` inside class `Cls` becomes `_Cls__name`.
#[inline]
pub fn mangle(private: Option<&str>, name: &str) -> Option<String> {
    let p = private?;
    if !name.starts_with("__") || name.ends_with("__") || name.contains('.') {
        return None;
    }
    mangle_slow(p, name)
}

/// The part of [`mangle`] that builds the new name (kept out of line: rarely reached).
#[inline(never)]
fn mangle_slow(p: &str, name: &str) -> Option<String> {
    let stripped = p.trim_start_matches('_');
    if stripped.is_empty() {
        return None;
    }
    let mut s = String::with_capacity(1 + stripped.len() + name.len());
    s.push('_');
    s.push_str(stripped);
    s.push_str(name);
    Some(s)
}

/// Maximum nesting depth of AST visits: `symtable.c`'s `recursion_limit` (3.12:
/// `C_RECURSION_LIMIT * COMPILER_STACK_FRAME_SCALE` = 3000) less the depth `py_compile` already
/// uses when it calls `compile()` (4 C frames × 3). Measured with `python -m py_compile` of 3.12.1:
/// `x = a+a+…+a` compiles with 2987 operands and raises `RecursionError` with 2988.
pub const MAX_DEPTH: u32 = 2988;

/// Stack kept free before recursing; below it the visit continues on a new heap segment
/// (`stacker`), so deep trees never overflow whatever thread the compiler runs on.
pub(crate) const RED_ZONE: usize = 128 * 1024;
pub(crate) const STACK_GROW: usize = 4 << 20;

/// The stack is checked (`stacker::maybe_grow`, a thread-local read, ~2% of compile time when
/// done for every node) only when the visit depth is a multiple of this: every chain of nested
/// visits passes a check at least once per this many levels, and that many levels use far less
/// than `RED_ZONE`.
pub const STACK_CHECK_EVERY: u32 = 8;
