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
pub use future::{parse_future, parse_future_arena, parse_future_arena_any_level, parse_future_for, FutureFeatures};

use rustc_hash::FxHashMap as HashMap;

/// The fast (non-DoS-resistant) hash map the compiler uses for its internal tables, re-exported
/// so codegen shares this crate's hasher.
pub use rustc_hash::FxHashMap;

use pycode_ast::names::{NameKey, NameTable};

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

/// A name's dense id: its index in the module's [`Names`].
pub type NameId = u32;

/// The hash every name table of the compiler uses for a name: FxHash of `(bytes, true)`, which
/// is what `pycode_instr`'s `IndexSet<PyStr>` hashes for an interned `PyStr`, so codegen can hand
/// a unit's name tables the hash the symbol table already computed.
pub fn name_hash(name: &str) -> u64 {
    use std::hash::BuildHasher;
    rustc_hash::FxBuildHasher.hash_one((name.as_bytes(), true))
}

/// Every distinct (mangled) name of a module, interned once: the symbol table, its analysis and
/// codegen refer to names by [`NameId`], and the text of all names lives in one buffer (no
/// allocation per name; `pycode_ast::names`, the interner the arena tree uses too). Each name's
/// [`name_hash`] is kept beside it for the unit name tables.
#[derive(Clone, Debug, Default)]
pub struct Names {
    table: NameTable,
    /// The [`name_hash`] of each name, by id.
    hashes: Vec<u64>,
    /// By id: whether [`mangle`] may change the name inside a class (`__x`, not `__x__`, no
    /// dot), so a name without it is looked up by id in any scope without reading its text.
    manglable: Vec<bool>,
}

/// Whether [`mangle`] changes `name` for some class name.
fn may_mangle(name: &str) -> bool {
    name.starts_with("__") && !name.ends_with("__") && !name.contains('.')
}

impl Names {
    /// The id of `s`, if interned.
    #[inline]
    pub fn find(&self, s: &str) -> Option<NameId> {
        self.table.find(s)
    }

    /// The names of `table` with the same ids (an arena tree's identifiers: its
    /// `pycode_ast::arena::NameId`s are then this table's ids), ready for more.
    pub fn from_table(table: NameTable) -> Names {
        let text = |i: usize| u32::try_from(i).ok().and_then(|i| table.get(i));
        let hashes = (0..table.len()).map(|i| text(i).map_or(0, name_hash)).collect();
        let manglable = (0..table.len()).map(|i| text(i).is_some_and(may_mangle)).collect();
        Names { table, hashes, manglable }
    }

    /// The id of `s`, interning it if new.
    #[inline]
    pub fn intern(&mut self, s: &str) -> NameId {
        self.intern_key(NameKey::of(s), s)
    }

    #[inline]
    fn intern_key(&mut self, k: NameKey, s: &str) -> NameId {
        let before = self.table.len();
        let id = self.table.intern_key(k, s).unwrap_or(NameId::MAX);
        if self.table.len() > before {
            self.hashes.push(name_hash(s));
            self.manglable.push(may_mangle(s));
        }
        id
    }

    /// The key of `id`.
    #[inline]
    fn key(&self, id: NameId) -> Option<&NameKey> {
        self.table.key(id)
    }

    /// The text of `id` ("" for an id not from this table).
    #[inline]
    pub fn get(&self, id: NameId) -> &str {
        self.table.get(id).unwrap_or("")
    }

    /// The [`name_hash`] of `id`.
    #[inline]
    pub fn hash(&self, id: NameId) -> u64 {
        self.hashes.get(id as usize).copied().unwrap_or(0)
    }

    /// Whether [`mangle`] may change the name `id` inside a class (true for an unknown id).
    #[inline]
    pub fn may_mangle(&self, id: NameId) -> bool {
        self.manglable.get(id as usize).copied().unwrap_or(true)
    }

    pub fn len(&self) -> usize {
        self.table.len()
    }

    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    fn reserve(&mut self, names: usize, bytes: usize) {
        self.table.reserve(names, bytes);
        self.hashes.reserve(names);
        self.manglable.reserve(names);
    }
}

/// Up to this many symbols a scope's lookups scan its symbols; past it they use the hash table.
const SMALL_SCOPE: usize = 20;

/// One symbol of a scope: the name's key (so a lookup by text compares integers, no bytes for
/// names of up to 16 bytes), its id and its flags.
#[derive(Clone, Copy, Debug)]
struct Sym {
    key: NameKey,
    id: NameId,
    flags: u32,
}

/// Ordered name → flags map of one scope (CPython's `ste_symbols` dict keeps insertion order).
/// Found by text with one probe (the name's `NameKey`), or by [`NameId`]; an insert allocates
/// nothing per name (the text is in the module's [`Names`]).
#[derive(Clone, Debug, Default)]
pub struct Symbols {
    syms: Vec<Sym>,
    /// Positions in `syms`, hashed by [`NameKey::hash`]; empty while the scope has at most
    /// [`SMALL_SCOPE`] symbols.
    index: hashbrown::HashTable<u32>,
}

impl Symbols {
    /// The position of the symbol with key `k` for which `same` holds.
    #[inline]
    fn position_by(&self, k: &NameKey, same: impl Fn(&Sym) -> bool) -> Option<usize> {
        if self.index.is_empty() {
            return self.syms.iter().position(|x| x.key == *k && same(x));
        }
        let syms = &self.syms;
        self.index.find(k.hash(), |&i| syms.get(i as usize).is_some_and(|x| x.key == *k && same(x))).map(|&i| i as usize)
    }

    #[inline]
    fn position_id(&self, names: &Names, id: NameId) -> Option<usize> {
        let k = names.key(id)?;
        self.position_by(k, |x| x.id == id)
    }

    #[inline]
    fn position_str(&self, names: &Names, k: &NameKey, s: &str) -> Option<usize> {
        self.position_by(k, |x| k.is_whole() || names.get(x.id) == s)
    }

    fn rebuild_index(&mut self) {
        self.index.clear();
        if self.syms.len() <= SMALL_SCOPE {
            return;
        }
        let syms = &self.syms;
        let rehash = |&i: &u32| syms.get(i as usize).map_or(0, |x| x.key.hash());
        self.index.reserve(syms.len() * 2, rehash);
        for (i, x) in syms.iter().enumerate() {
            self.index.insert_unique(x.key.hash(), i as u32, rehash);
        }
    }

    fn push(&mut self, key: NameKey, id: NameId) -> usize {
        let i = self.syms.len();
        if self.syms.capacity() == 0 {
            // Most scopes hold a few names: one allocation for eight, not a growth at four.
            self.syms.reserve_exact(8);
        }
        self.syms.push(Sym { key, id, flags: 0 });
        if !self.index.is_empty() {
            let syms = &self.syms;
            self.index.insert_unique(key.hash(), i as u32, |&j| syms.get(j as usize).map_or(0, |x| x.key.hash()));
        } else if self.syms.len() > SMALL_SCOPE {
            self.rebuild_index();
        }
        i
    }

    /// Position (insertion index, stable: names are only ever appended, except by the
    /// analysis's `remove`) and flags of `id`.
    #[inline]
    pub fn lookup(&self, names: &Names, id: NameId) -> Option<(usize, u32)> {
        let i = self.position_id(names, id)?;
        self.syms.get(i).map(|x| (i, x.flags))
    }

    /// Position, id and flags of the symbol named `s`: one probe, no interner lookup.
    #[inline]
    pub fn find(&self, names: &Names, s: &str) -> Option<(usize, NameId, u32)> {
        let k = NameKey::of(s);
        let i = self.position_str(names, &k, s)?;
        self.syms.get(i).map(|x| (i, x.id, x.flags))
    }

    /// Flags of the symbol at position `i`.
    pub fn flags_at(&self, i: usize) -> Option<u32> {
        self.syms.get(i).map(|x| x.flags)
    }

    /// Id and flags of the symbol at position `i`.
    #[inline]
    pub fn at(&self, i: usize) -> Option<(NameId, u32)> {
        self.syms.get(i).map(|x| (x.id, x.flags))
    }

    #[inline]
    pub fn get(&self, names: &Names, id: NameId) -> Option<u32> {
        self.lookup(names, id).map(|(_, f)| f)
    }

    /// Sets the flags of `id`, appending it if absent.
    pub fn set(&mut self, names: &Names, id: NameId, f: u32) {
        if let Some((slot, _)) = self.slot(names, id) {
            *slot = f;
        }
    }

    /// The flags slot of `id` and its previous flags (`None` if it was absent, in which case it
    /// is appended with flags 0). The outer `None`: `id` is not one of `names`.
    pub(crate) fn slot(&mut self, names: &Names, id: NameId) -> Option<(&mut u32, Option<u32>)> {
        let key = *names.key(id)?;
        let (i, old) = match self.position_by(&key, |x| x.id == id) {
            Some(i) => (i, self.syms.get(i).map(|x| x.flags)),
            None => (self.push(key, id), None),
        };
        self.syms.get_mut(i).map(|x| (&mut x.flags, old))
    }

    /// The position of `id`, appended with flags 0 if absent, and its previous flags (`None`
    /// if it was absent). `None`: `id` is not one of `names`.
    pub(crate) fn slot_pos(&mut self, names: &Names, id: NameId) -> Option<(usize, Option<u32>)> {
        let key = *names.key(id)?;
        Some(match self.position_by(&key, |x| x.id == id) {
            Some(i) => (i, self.syms.get(i).map(|x| x.flags)),
            None => (self.push(key, id), None),
        })
    }

    /// Appends `id`, which the scope does not have (flags 0), giving its position. `None`:
    /// `id` is not one of `names`.
    pub(crate) fn append(&mut self, names: &Names, id: NameId) -> Option<usize> {
        let key = *names.key(id)?;
        Some(self.push(key, id))
    }

    /// The flags slot of the symbol at position `i` and its flags (`Some`: the symbol exists).
    #[inline]
    pub(crate) fn slot_at(&mut self, i: usize) -> Option<(&mut u32, Option<u32>)> {
        self.syms.get_mut(i).map(|x| {
            let old = x.flags;
            (&mut x.flags, Some(old))
        })
    }

    /// [`slot`](Self::slot) by text: the name is interned in `names` only when the scope does
    /// not have it yet. Also gives the name's id.
    pub(crate) fn slot_str(&mut self, names: &mut Names, s: &str) -> Option<(&mut u32, Option<u32>, NameId)> {
        let key = NameKey::of(s);
        let (i, old) = match self.position_str(names, &key, s) {
            Some(i) => (i, self.syms.get(i).map(|x| x.flags)),
            None => {
                let id = names.intern_key(key, s);
                (self.push(key, id), None)
            }
        };
        self.syms.get_mut(i).map(|x| (&mut x.flags, old, x.id))
    }

    /// Removes `id` keeping the order of the others.
    pub fn remove(&mut self, names: &Names, id: NameId) {
        let Some(i) = self.position_id(names, id) else { return };
        if i < self.syms.len() {
            self.syms.remove(i);
            self.rebuild_index();
        }
    }

    pub fn contains(&self, names: &Names, id: NameId) -> bool {
        self.position_id(names, id).is_some()
    }

    /// `(id, flags)` of every symbol, in order.
    pub fn iter(&self) -> impl Iterator<Item = (NameId, u32)> + '_ {
        self.syms.iter().map(|x| (x.id, x.flags))
    }

    /// Lets `f` change the flags of every symbol, in order (no lookups, no allocation).
    pub(crate) fn update_flags(&mut self, mut f: impl FnMut(NameId, &mut u32)) {
        for x in self.syms.iter_mut() {
            f(x.id, &mut x.flags);
        }
    }

    pub fn len(&self) -> usize {
        self.syms.len()
    }

    pub fn is_empty(&self) -> bool {
        self.syms.is_empty()
    }
}

/// One scope (`PySTEntryObject`).
#[derive(Clone, Debug)]
pub struct Entry {
    pub name: Box<str>,
    pub block_type: BlockType,
    pub symbols: Symbols,
    /// `ste_varnames`: parameters in order.
    pub varnames: Vec<NameId>,
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

    /// `_PyST_GetSymbol` by id: flags of `id`, 0 if absent.
    #[inline]
    pub fn flags_id(&self, names: &Names, id: NameId) -> u32 {
        self.symbols.get(names, id).unwrap_or(0)
    }

    /// `_PyST_GetScope` by id.
    #[inline]
    pub fn scope_id(&self, names: &Names, id: NameId) -> Scope {
        Scope::from_flags(self.flags_id(names, id))
    }

    /// `_PyST_GetSymbol` by text: flags of `name`, 0 if absent.
    #[inline]
    pub fn flags(&self, names: &Names, name: &str) -> u32 {
        self.symbols.find(names, name).map_or(0, |(_, _, f)| f)
    }

    pub fn is_function_like(&self) -> bool {
        self.block_type.is_function_like()
    }
}

/// Key of the scope opened by a statement (function, class, type alias): a boxed tree's
/// `pycode_ast::Stmt` or an arena tree's node, which stays put while the tree is borrowed.
pub fn key_of_stmt<S>(s: &S) -> usize {
    s as *const S as usize
}

/// Key of the scope opened by an expression (lambda, comprehension).
pub fn key_of_expr<E>(e: &E) -> usize {
    e as *const E as usize
}

/// Key of the type-parameter scope of a generic definition. The slice starts at its first
/// `TypeParam`, whose own address keys that parameter's TypeVar-bound scope, so the key is
/// offset by one byte (node addresses are aligned, so it cannot be any node's key).
pub fn key_of_type_params<T>(tp: &[T]) -> usize {
    tp.as_ptr() as usize + 1
}

/// Key of a TypeVar-bound scope.
pub fn key_of_type_param<T>(tp: &T) -> usize {
    tp as *const T as usize
}

/// The key of a TypeVar's default scope (3.13+; the bound has the address itself). CPython
/// uses the address + 1, which here keys the type-parameter scope of a definition whose first
/// parameter this is ([`key_of_type_params`]), so + 2 (still no node's address).
pub fn key_of_type_param_default<T>(tp: &T) -> usize {
    key_of_type_param(tp) + 2
}

/// Key of a function's 3.14+ `__annotate__` scope: its `arguments` node.
pub fn key_of_arguments<A>(a: &A) -> usize {
    a as *const A as usize
}

/// Key of the 3.14+ `__annotate__` scope of a module or class, by the entry's id.
pub fn key_of_annotation_block(entry: EntryId) -> usize {
    2 * entry + 1
}

/// The symbol table of one module (`struct symtable`).
#[derive(Clone, Debug)]
pub struct SymTable {
    pub entries: Vec<Entry>,
    /// The module's names; every [`NameId`] of the entries indexes it.
    pub names: Names,
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

    /// [`SymTable::build_for`] on an arena tree: the names are the tree's (a
    /// `pycode_ast::arena::NameId`'s index is its [`NameId`] here), the scopes are keyed by the
    /// addresses of the tree's nodes, which stay put while it is borrowed.
    pub fn build_arena(
        ast: &pycode_ast::arena::Ast,
        future: FutureFeatures,
        release: pycode_release::Release,
    ) -> Result<SymTable, CompileError> {
        build::build_arena(ast, future, release, None)
    }

    /// [`SymTable::build`] with the analysis's hash-set name sets whatever the module's size
    /// (those of a module with very many names; small modules use bit sets): for tests, which
    /// check both give the same table.
    #[doc(hidden)]
    pub fn build_with_hash_sets(module: &pycode_ast::Mod, future: FutureFeatures) -> Result<SymTable, CompileError> {
        build::build_sets(module, future, pycode_release::Release::V3_12_7, Some(false))
    }

    /// `_PySymtable_Lookup`.
    pub fn lookup(&self, key: usize) -> Option<EntryId> {
        self.blocks.get(&key).copied()
    }

    pub fn entry(&self, id: EntryId) -> Option<&Entry> {
        self.entries.get(id)
    }

    /// `_PyST_GetSymbol`: flags of `name` in entry `ste`, 0 if absent.
    pub fn flags(&self, ste: EntryId, name: &str) -> u32 {
        self.entries.get(ste).map_or(0, |e| e.flags(&self.names, name))
    }

    /// `_PyST_GetScope`: scope of `name` in entry `ste`.
    pub fn scope(&self, ste: EntryId, name: &str) -> Scope {
        Scope::from_flags(self.flags(ste, name))
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
            let n = self.names.get(n);
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

#[cfg(test)]
mod tests {
    use super::{name_hash, Names, Symbols};

    #[test]
    fn names_intern_once_and_tell_every_length_apart() {
        let mut names = Names::default();
        let mut all = Vec::new();
        // Every length from 0 to 40, and names differing in one byte at each position (the
        // key covers short names by overlapping words: each byte must count).
        for len in 0..=40usize {
            let base: String = (0..len).map(|i| char::from(b'a' + (i % 26) as u8)).collect();
            all.push(base.clone());
            for at in 0..len {
                let mut v = base.clone().into_bytes();
                v[at] = b'_';
                all.push(String::from_utf8(v).expect("ascii"));
            }
        }
        all.push("é".into());
        all.push("€x".into());
        let ids: Vec<u32> = all.iter().map(|s| names.intern(s)).collect();
        let distinct: std::collections::HashSet<&String> = all.iter().collect();
        assert_eq!(names.len(), distinct.len());
        for (s, &id) in all.iter().zip(&ids) {
            assert_eq!(names.intern(s), id);
            assert_eq!(names.find(s), Some(id));
            assert_eq!(names.get(id), s);
            assert_eq!(names.hash(id), name_hash(s));
        }
        assert_eq!(names.find("not there"), None);
        assert_eq!(names.get(u32::MAX), "");
    }

    #[test]
    fn symbols_keep_insertion_order_past_the_small_scan() {
        let mut names = Names::default();
        let text: Vec<String> = (0..40).map(|i| format!("name_number_{i}")).collect();
        for (i, t) in text.iter().enumerate() {
            assert_eq!(names.intern(if i % 2 == 0 { t } else { &t[5..] }), i as u32);
        }
        let names = names;
        let mut sy = Symbols::default();
        for id in (0..40).rev() {
            sy.set(&names, id, id * 2);
        }
        for id in 0..40u32 {
            assert_eq!(sy.lookup(&names, id), Some(((39 - id) as usize, id * 2)));
            assert_eq!(sy.find(&names, names.get(id)), Some(((39 - id) as usize, id, id * 2)));
        }
        assert_eq!(sy.find(&names, "name_number_1"), None);
        sy.remove(&names, 39);
        sy.remove(&names, 7);
        assert_eq!(sy.len(), 38);
        assert_eq!(sy.lookup(&names, 38), Some((0, 76)));
        assert_eq!(sy.lookup(&names, 0), Some((37, 0)));
        assert!(!sy.contains(&names, 7));
        sy.set(&names, 7, 1);
        assert_eq!(sy.lookup(&names, 7), Some((38, 1)));
        let mut names = names;
        let (_, old, id) = sy.slot_str(&mut names, "fresh").expect("slot");
        assert_eq!((old, id), (None, 40));
        let (_, old, id) = sy.slot_str(&mut names, "name_number_0").expect("slot");
        assert_eq!((old, id), (Some(0), 0));
        let order: Vec<u32> = sy.iter().map(|(n, _)| n).collect();
        assert_eq!(order.len(), 40);
        assert_eq!(order[38..], [7, 40]);
    }
}
