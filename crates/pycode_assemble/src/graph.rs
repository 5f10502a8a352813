//! Turning assembled code units into a `pycode_object::ObjectGraph` whose object identity,
//! interned strings and `FLAG_REF` bits reproduce what CPython's `marshal.dumps` writes for a
//! freshly compiled module, per release ([`Rules`]). The rules, the CPython mechanism behind each
//! and the corpus measurements are in `docs/pyc-sharing.md`; in short:
//!
//! * objects CPython keeps once per compilation — constants merged by `c_const_cache`, the
//!   `co_consts` / `co_names` / `co_localsplusnames` tuples and linetable / exception-table bytes
//!   (`_PyCompile_ConstCacheMergeOne`), interned strings, the filename — are one `ObjId`;
//! * `flag_ref` is set when CPython's reference count is above 1 at dump time: referenced more
//!   than once in the graph, immortal / statically allocated, a `co_code`, a frozenset element,
//!   or held by the caller (module code, filename);
//! * frozenset elements are put in the order marshal writes them.
//!
//! What only the compiling process knows (strings it had interned before) comes in through
//! [`GraphBuilder::note_preinterned`].

use std::cell::RefCell;
use std::hash::BuildHasher;

use hashbrown::HashTable;
use rustc_hash::{FxBuildHasher, FxHashMap as HashMap, FxHashSet as HashSet};

use pycode_instr::{ConstId, ConstPool, ConstValue, PyStr, StrOrigin};
use pycode_object::{Code, Obj, ObjId, ObjectGraph};
use pycode_release::Release;

use crate::AssembledCode;

/// The compiler's static names (`&_Py_STR(...)`), interned at start-up, used as `co_name` of
/// code units that have no identifier of their own.
const STATIC_NAMES: &[&str] = &["<module>", "<lambda>", "<genexpr>", "<listcomp>", "<dictcomp>", "<setcomp>"];

/// `co_name` is interned when it is an identifier (the parser interns those) or one of the
/// static names; names the compiler formats itself (3.12+ `<generic parameters of X>`) are not.
fn is_interned_code_name(s: &PyStr) -> bool {
    !s.as_bytes().starts_with(b"<") || s.as_str().is_some_and(|x| STATIC_NAMES.contains(&x))
}

/// Whether a constant is a float or complex with a NaN part: `_PyCode_ConstantKey` keys those
/// by value, but NaN != NaN, so the const cache merges only the very same object. Each use of
/// such a constant (every folding that made it) is its own object.
fn is_nan_constant(v: &ConstValue) -> bool {
    match v {
        ConstValue::Float(f) => f64::from_bits(*f).is_nan(),
        ConstValue::Complex(r, i) => f64::from_bits(*r).is_nan() || f64::from_bits(*i).is_nan(),
        _ => false,
    }
}

/// The release-dependent parts of the sharing rules (see `docs/pyc-sharing.md`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rules {
    /// 3.12+: every statically allocated string (1-character latin-1 singletons, the compiler's
    /// `_Py_STR` names such as `<module>`) is interned at start-up, so marshal writes it as
    /// interned. 3.11 interns none of them (a singleton only if the runtime interned it).
    pub interns_static_strings: bool,
    /// 3.13+: the code object constructor interns `co_filename`, `co_name` and `co_qualname`.
    pub interns_code_strings: bool,
    /// 3.11/3.12: marshal's set writer borrows the elements while computing the sort keys, so an
    /// element's `FLAG_REF` in its key is its ordinary one; 3.13+ (`_PySet_NextEntryRef`) holds a
    /// reference, so it is always set.
    pub set_keys_borrow_elements: bool,
    /// `co_localsplusnames` goes through the const cache (`_PyCompile_ConstCacheMergeOne`), except
    /// in 3.14 for the `__annotate__` functions (measured: their `('format', ...)` tuples are never
    /// shared, while every other code object's are).
    pub merges_annotate_localsplusnames: bool,
    /// 1-character strings a fresh interpreter has already interned when it starts compiling,
    /// where that decides their marshal type (releases that do not intern every 1-character
    /// string at start-up). Measured with `py_compile` / `compileall` of the native build:
    /// 3.12.1 has interned `*` and no other 1-character string.
    pub startup_interned: &'static [&'static str],
    /// Names every process of the release has interned before compiling (3.12: the `builtins`
    /// dict keys such as `None`/`True`/`False`/`len`, attribute names of the core builtin types;
    /// measured, `tools/gen_startup_interned.py`). A frozenset constant holding one is rebuilt
    /// per code object by `intern_string_constants`. 3.13: the dotted class qualnames interned
    /// at start-up (a class body's `__qualname__` constant then stays a plain string).
    pub startup_interned_names: &'static [&'static str],
    /// The caller of `marshal.dumps` holds one more reference to the module's code object, so
    /// it is written with `FLAG_REF`. 3.15.0rc1 writes it without (measured on every `.pyc`).
    pub root_code_flag_ref: bool,
    /// The largest preallocated (immortal, so always `FLAG_REF`) small int: 256, 1024 in
    /// 3.15.0rc1 (measured: 402 and 500 are flagged there).
    pub small_int_max: i64,
}

impl Rules {
    pub fn for_release(release: Release) -> Rules {
        match release {
            // 3.11: a fresh `python -m py_compile` has interned `*` and no other 1-character
            // string that is not a name (measured: a tuple of every printable ASCII character
            // compiled by 3.11.7; names are interned by the compiler itself).
            // The names are per patch release (`tools/gen_startup_interned_311.py`).
            Release::V3_11_2 | Release::V3_11_7 => Rules {
                interns_static_strings: false,
                interns_code_strings: false,
                set_keys_borrow_elements: true,
                merges_annotate_localsplusnames: true,
                startup_interned: &["*"],
                startup_interned_names: match release {
                    Release::V3_11_2 => crate::generated_startup_3_11::STARTUP_INTERNED_3_11_2,
                    _ => crate::generated_startup_3_11::STARTUP_INTERNED_3_11_7,
                },
                root_code_flag_ref: true,
                small_int_max: 256,
            },
            // 3.12.1 interns neither the compiler's static names (`<module>` is written as a
            // plain string) nor the 1-character strings at start-up (measured on the native
            // 3.12.1 build's compileall of its stdlib); 3.12.7 does both.
            Release::V3_12_1 => Rules {
                interns_static_strings: false,
                interns_code_strings: false,
                set_keys_borrow_elements: true,
                merges_annotate_localsplusnames: true,
                startup_interned: &["*"],
                startup_interned_names: crate::generated_startup::STARTUP_INTERNED_3_12,
                root_code_flag_ref: true,
                small_int_max: 256,
            },
            Release::V3_12_7 => Rules {
                interns_static_strings: true,
                interns_code_strings: false,
                set_keys_borrow_elements: true,
                merges_annotate_localsplusnames: true,
                startup_interned: &[],
                startup_interned_names: crate::generated_startup::STARTUP_INTERNED_3_12,
                root_code_flag_ref: true,
                small_int_max: 256,
            },
            // 3.13: the dotted class qualnames the process has interned before compiling
            // (`tools/gen_startup_qualnames.py`: modules `python -m py_compile` imports, the
            // frozen `importlib._bootstrap`, Pyodide's start-up modules for 3.13.2).
            Release::V3_13_0 => Rules {
                interns_static_strings: true,
                interns_code_strings: true,
                set_keys_borrow_elements: false,
                merges_annotate_localsplusnames: true,
                startup_interned: &[],
                startup_interned_names: crate::generated_qualnames::STARTUP_QUALNAMES_3_13_0,
                root_code_flag_ref: true,
                small_int_max: 256,
            },
            Release::V3_13_2 => Rules {
                interns_static_strings: true,
                interns_code_strings: true,
                set_keys_borrow_elements: false,
                merges_annotate_localsplusnames: true,
                startup_interned: &[],
                startup_interned_names: crate::generated_qualnames::STARTUP_QUALNAMES_3_13_2,
                root_code_flag_ref: true,
                small_int_max: 256,
            },
            // 3.14.2: the dotted class qualnames Pyodide's process has interned before
            // compiling (`tools/gen_startup_qualnames.py 3.14.2`).
            Release::V3_14_2 => Rules {
                interns_static_strings: true,
                interns_code_strings: true,
                set_keys_borrow_elements: false,
                merges_annotate_localsplusnames: false,
                startup_interned: &[],
                startup_interned_names: crate::generated_qualnames_314::STARTUP_QUALNAMES_3_14_2,
                root_code_flag_ref: true,
                small_int_max: 256,
            },
            // 3.15.0rc1: 3.14's rules but for the module code object's FLAG_REF and the
            // preallocated ints up to 1024 (measured); its own start-up qualnames
            // (`tools/gen_startup_qualnames.py 3.15.0rc1`).
            Release::V3_15_0rc1 => Rules {
                interns_static_strings: true,
                interns_code_strings: true,
                set_keys_borrow_elements: false,
                merges_annotate_localsplusnames: false,
                startup_interned: &[],
                startup_interned_names: crate::generated_qualnames_315::STARTUP_QUALNAMES_3_15_0RC1,
                root_code_flag_ref: false,
                small_int_max: 1024,
            },
        }
    }
}

/// Marks a slot of [`GraphBuilder::consts`] / [`GraphBuilder::codes`] that has no object yet.
const NO_OBJ: ObjId = ObjId(u32::MAX);

fn hash_bytes(b: &[u8]) -> u64 {
    FxBuildHasher.hash_one(b)
}

fn hash_ids(ids: &[ObjId]) -> u64 {
    FxBuildHasher.hash_one(ids)
}

/// Objects merged by `c_const_cache` / interning, one table per kind of key. A table holds only
/// `(hash, id)`: the key is the object's own content in the graph, so an entry costs no copy of
/// the key and a hit allocates nothing.
#[derive(Default)]
struct Merged {
    /// Interned strings, by their bytes.
    interned: HashTable<(u64, ObjId)>,
    /// 3.11's statically allocated (not interned) strings, by their bytes.
    statics: HashTable<(u64, ObjId)>,
    bytes: HashTable<(u64, ObjId)>,
    /// Tuples, by their items.
    tuples: HashTable<(u64, ObjId)>,
    /// The few `co_consts` tuples whose items differ from the key they were merged under (a
    /// frozenset rebuilt per code object, see `GraphBuilder::consts_tuple`).
    tuple_aliases: HashMap<Box<[ObjId]>, ObjId>,
    /// Tuples of strings holding one outside `[A-Za-z0-9_]`, by the strings' values (see
    /// `GraphBuilder::merged_tuple`); empty unless the module has such names.
    str_tuples: HashMap<Box<[u8]>, ObjId>,
}

impl Merged {
    /// Empties every table, keeping its capacity.
    fn clear(&mut self) {
        self.interned.clear();
        self.statics.clear();
        self.bytes.clear();
        self.tuples.clear();
        self.tuple_aliases.clear();
        self.str_tuples.clear();
    }

    fn find_str(table: &HashTable<(u64, ObjId)>, graph: &ObjectGraph, h: u64, b: &[u8]) -> Option<ObjId> {
        table.find(h, |&(eh, id)| eh == h && graph.str(id).is_some_and(|x| x.as_bytes() == b)).map(|&(_, id)| id)
    }

    fn find_bytes(&self, graph: &ObjectGraph, h: u64, b: &[u8]) -> Option<ObjId> {
        self.bytes.find(h, |&(eh, id)| eh == h && graph.bytes(id) == Some(b)).map(|&(_, id)| id)
    }

    fn find_tuple(&self, graph: &ObjectGraph, h: u64, items: &[ObjId]) -> Option<ObjId> {
        let found = self.tuples.find(h, |&(eh, id)| eh == h && graph.tuple(id) == Some(items));
        match found {
            Some(&(_, id)) => Some(id),
            None if self.tuple_aliases.is_empty() => None,
            None => self.tuple_aliases.get(items).copied(),
        }
    }

    fn add(table: &mut HashTable<(u64, ObjId)>, h: u64, id: ObjId) {
        table.insert_unique(h, (h, id), |&(eh, _)| eh);
    }
}

/// The tables of a finished [`GraphBuilder`], emptied, for the next one the thread makes: a
/// worker compiling file after file then grows its tables once, not once per file.
#[derive(Default)]
struct Spare {
    merged: Merged,
    info: Vec<u8>,
    consts: Vec<ObjId>,
    codes: Vec<ObjId>,
}

thread_local! {
    static SPARE: RefCell<Option<Spare>> = const { RefCell::new(None) };
}

/// The strings noted as interned before compiling ([`GraphBuilder::note_preinterned`] and
/// friends). Only a few questions are ever asked of it (frozenset constants, 3.11 1-character
/// strings, 3.13+ class qualnames), so names lent by the caller are put in a hash set only when
/// the first question comes.
#[derive(Default)]
struct Preinterned<'a> {
    /// Names every process of the release has interned (sorted: `Rules::startup_interned_names`).
    startup_sorted: &'static [&'static str],
    /// Other start-up strings (`Rules::startup_interned`; a handful at most).
    startup_few: &'static [&'static str],
    /// Strings noted by value.
    owned: HashSet<Box<[u8]>>,
    /// Lists of names lent by the caller.
    lent: Vec<&'a [PyStr]>,
    /// Single names lent by the caller.
    lent_one: Vec<&'a PyStr>,
    /// `lent` and `lent_one` as a set, built on first use and then extended by the names
    /// lent since (a module notes every unit's names before adding it: rebuilding the set at
    /// each question made a module with many 1-character strings quadratic on 3.11).
    lent_set: RefCell<LentSets<'a>>,
}

/// [`Preinterned::lent_set`]: the names of at most [`SHORT_NAME`] bytes, and all names.
#[derive(Default)]
struct LentSets<'a> {
    short: LentSet<'a>,
    all: LentSet<'a>,
}

/// A 1-character latin-1 string is at most 2 bytes of UTF-8.
const SHORT_NAME: usize = 2;

/// Names of `lent` / `lent_one` in a set, and how many of each list it has taken in so far.
#[derive(Default)]
struct LentSet<'a> {
    set: HashSet<&'a [u8]>,
    lists: usize,
    ones: usize,
}

impl<'a> Preinterned<'a> {
    /// Interned before the module was parsed ([`Rules::startup_interned_names`]).
    fn contains_at_startup(&self, s: &[u8]) -> bool {
        self.startup_sorted.binary_search_by(|x| x.as_bytes().cmp(s)).is_ok()
    }

    fn contains(&self, s: &[u8]) -> bool {
        let startup = |x: &&str| x.as_bytes() == s;
        if self.startup_few.iter().any(startup)
            || self.startup_sorted.binary_search_by(|x| x.as_bytes().cmp(s)).is_ok()
            || (!self.owned.is_empty() && self.owned.contains(s))
        {
            return true;
        }
        if self.lent.is_empty() && self.lent_one.is_empty() {
            return false;
        }
        let Ok(mut lent) = self.lent_set.try_borrow_mut() else {
            // Not reachable (no question is asked while one is answered); answered without the set.
            return self.lent.iter().any(|l| l.iter().any(|n| n.as_bytes() == s)) || self.lent_one.iter().any(|n| n.as_bytes() == s);
        };
        // Most questions are about 1-character strings (3.11 constants): those are answered
        // from the few short names, without hashing every name of the module.
        let short = s.len() <= SHORT_NAME;
        let LentSet { set, lists, ones } = if short { &mut lent.short } else { &mut lent.all };
        for list in self.lent.get(*lists..).unwrap_or_default() {
            set.extend(list.iter().map(PyStr::as_bytes).filter(|n| !short || n.len() <= SHORT_NAME));
        }
        *lists = self.lent.len();
        for n in self.lent_one.get(*ones..).unwrap_or_default() {
            if !short || n.as_bytes().len() <= SHORT_NAME {
                set.insert(n.as_bytes());
            }
        }
        *ones = self.lent_one.len();
        set.contains(s)
    }
}

/// Builds one compilation's object graph. `'a` is the lifetime of names lent through
/// [`note_preinterned_code`](Self::note_preinterned_code).
pub struct GraphBuilder<'a> {
    graph: ObjectGraph,
    /// Per object: [`IMMORTAL`] when it is immortal or statically allocated (always
    /// `FLAG_REF`), or'd with its string kind: [`STR_NAME`] for a string made only of
    /// `[A-Za-z0-9_]`, [`STR_OTHER`] for another string, 0 for anything else; computed once
    /// when the object is made, so a tuple's strings are not rescanned every time one is merged.
    info: Vec<u8>,
    /// The object of each pooled constant, by `ConstId` (`NO_OBJ` when not made yet).
    consts: Vec<ObjId>,
    merged: Merged,
    /// The code object of each handle (`NO_OBJ` when not added).
    codes: Vec<ObjId>,
    filename: ObjId,
    release: Release,
    rules: Rules,
    preinterned: Preinterned<'a>,
    /// Whether [`finish`](Self::finish) puts frozenset elements in marshal's write order.
    marshal_set_order: bool,
    /// Reused buffer for the items of a tuple being built.
    scratch: Vec<ObjId>,
}

/// [`GraphBuilder::info`] of a string made only of `[A-Za-z0-9_]`.
const STR_NAME: u8 = 1;
/// [`GraphBuilder::info`] of any other string.
const STR_OTHER: u8 = 2;
/// [`GraphBuilder::info`] bit of an immortal object.
const IMMORTAL: u8 = 0x80;
/// [`GraphBuilder::info`] bits of the string kind.
const STR_KIND: u8 = 3;

/// Which bytes are `[A-Za-z0-9_]`, by value: one load a byte instead of four range tests.
#[allow(clippy::indexing_slicing)] // constant evaluation: `b` runs over 0..256, the table's length
static NAME_CHAR: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0usize;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric() || c == b'_';
        b += 1;
    }
    t
};

/// `all_name_chars`: CPython interns string constants made only of `[A-Za-z0-9_]`.
fn all_name_chars(s: &PyStr) -> bool {
    s.as_bytes().iter().all(|&b| NAME_CHAR.get(usize::from(b)).copied().unwrap_or(false))
}

fn slot_get(v: &[ObjId], i: usize) -> Option<ObjId> {
    v.get(i).copied().filter(|&o| o != NO_OBJ)
}

fn slot_set(v: &mut Vec<ObjId>, i: usize, o: ObjId) {
    if v.len() <= i {
        v.resize(i + 1, NO_OBJ);
    }
    if let Some(slot) = v.get_mut(i) {
        *slot = o;
    }
}

impl<'a> GraphBuilder<'a> {
    /// A builder for CPython 3.12 (the release the rules were first measured on).
    pub fn new(filename: &str) -> Self {
        Self::for_release(Release::V3_12_7, filename)
    }

    /// A builder following `release`'s sharing rules.
    pub fn for_release(release: Release, filename: &str) -> Self {
        let rules = Rules::for_release(release);
        let spare = SPARE.try_with(|s| s.try_borrow_mut().ok().and_then(|mut s| s.take())).ok().flatten().unwrap_or_default();
        let mut b = GraphBuilder {
            graph: ObjectGraph::new(),
            info: spare.info,
            consts: spare.consts,
            merged: spare.merged,
            codes: spare.codes,
            filename: ObjId(0),
            release,
            rules,
            preinterned: Preinterned {
                startup_sorted: rules.startup_interned_names,
                startup_few: rules.startup_interned,
                ..Preinterned::default()
            },
            marshal_set_order: true,
            scratch: Vec::new(),
        };
        b.filename = b.push(Obj::Str(PyStr::new(filename, b.rules.interns_code_strings)), false);
        b
    }

    /// [`push`](Self::push) of a string whose kind ([`info`](Self::info)) is known.
    fn push_str(&mut self, s: PyStr, immortal: bool, kind: u8) -> ObjId {
        self.push_kind(Obj::Str(s), immortal, kind)
    }

    fn push(&mut self, obj: Obj, immortal: bool) -> ObjId {
        let kind = match &obj {
            Obj::Str(s) if all_name_chars(s) => STR_NAME,
            Obj::Str(_) => STR_OTHER,
            _ => 0,
        };
        self.push_kind(obj, immortal, kind)
    }

    /// Adds `obj` with its [`info`](Self::info): `kind`, and whether it is immortal.
    fn push_kind(&mut self, obj: Obj, immortal: bool, kind: u8) -> ObjId {
        self.info.push(kind | if immortal { IMMORTAL } else { 0 });
        self.graph.push(obj, false)
    }

    /// An interned string (names, identifier-like constants).
    fn interned(&mut self, s: &PyStr) -> ObjId {
        let h = hash_bytes(s.as_bytes());
        if let Some(id) = Merged::find_str(&self.merged.interned, &self.graph, h, s.as_bytes()) {
            return id;
        }
        let mut v = s.clone();
        v.set_interned(true);
        let id = self.push(Obj::Str(v), true);
        Merged::add(&mut self.merged.interned, h, id);
        id
    }

    /// The interned string object of `b`, if one was made.
    fn find_interned(&self, b: &[u8]) -> Option<ObjId> {
        Merged::find_str(&self.merged.interned, &self.graph, hash_bytes(b), b)
    }

    /// A statically allocated string that is not interned (3.11: the 1-character latin-1
    /// singletons and the compiler's `_Py_STR` names): one object per value, with a reference
    /// count so large that marshal always flags it.
    fn static_str(&mut self, s: &PyStr) -> ObjId {
        let h = hash_bytes(s.as_bytes());
        if let Some(id) = Merged::find_str(&self.merged.statics, &self.graph, h, s.as_bytes()) {
            return id;
        }
        let mut v = s.clone();
        v.set_interned(false);
        let id = self.push(Obj::Str(v), true);
        Merged::add(&mut self.merged.statics, h, id);
        id
    }

    fn merged_bytes(&mut self, b: &[u8]) -> ObjId {
        let h = hash_bytes(b);
        if let Some(id) = self.merged.find_bytes(&self.graph, h, b) {
            return id;
        }
        let id = self.push(Obj::Bytes(b.into()), b.len() <= 1);
        Merged::add(&mut self.merged.bytes, h, id);
        id
    }

    fn merged_tuple(&mut self, items: &[ObjId]) -> ObjId {
        let h = hash_ids(items);
        if let Some(id) = self.merged.find_tuple(&self.graph, h, items) {
            return id;
        }
        // The const cache keys a tuple of strings by the strings' values, so a `co_names` /
        // `co_localsplusnames` tuple (interned names) and an equal constant tuple whose strings
        // are other, plain objects (a non-ASCII literal pooled before the identifier) are one
        // tuple, whichever came first; the code constructor then interns its strings in place.
        // Only strings outside `[A-Za-z0-9_]` can differ, so only tuples holding one are keyed.
        let key = self.str_tuple_key(items);
        if let Some(t) = key.as_ref().and_then(|k| self.merged.str_tuples.get(k).copied()) {
            self.intern_tuple_items(t);
            return t;
        }
        let id = self.push(Obj::Tuple(items.into()), items.is_empty());
        Merged::add(&mut self.merged.tuples, h, id);
        if let Some(k) = key {
            self.merged.str_tuples.insert(k, id);
        }
        id
    }

    /// The values of a tuple of strings with one outside `[A-Za-z0-9_]` (length-prefixed).
    /// The key is built only for such a tuple: most tuples of strings are all names.
    fn str_tuple_key(&self, items: &[ObjId]) -> Option<Box<[u8]>> {
        let mut odd = false;
        for &i in items {
            match self.info.get(i.index()).map(|x| x & STR_KIND) {
                Some(STR_NAME) => {}
                Some(STR_OTHER) => odd = true,
                _ => return None,
            }
        }
        if !odd {
            return None;
        }
        let mut key = Vec::new();
        for &i in items {
            let s = self.graph.str(i)?;
            key.extend_from_slice(&(s.as_bytes().len() as u32).to_le_bytes());
            key.extend_from_slice(s.as_bytes());
        }
        Some(key.into_boxed_slice())
    }

    /// `intern_strings` on a tuple shared with a code object's names: its plain strings become
    /// the interned objects (in place, so every user of the tuple sees them).
    fn intern_tuple_items(&mut self, t: ObjId) {
        let Some(old) = self.graph.tuple(t).map(|x| x.to_vec()) else { return };
        let mut new = Vec::with_capacity(old.len());
        for &i in &old {
            match self.graph.str(i) {
                Some(s) if !s.is_interned() => {
                    let s = s.clone();
                    new.push(self.interned(&s));
                }
                _ => new.push(i),
            }
        }
        if new == old {
            return;
        }
        let oh = hash_ids(&old);
        if let Ok(e) = self.merged.tuples.find_entry(oh, |&(eh, id)| eh == oh && id == t) {
            e.remove();
        }
        self.graph.set(t, Obj::Tuple(new.as_slice().into()));
        Merged::add(&mut self.merged.tuples, hash_ids(&new), t);
    }

    fn name_tuple(&mut self, names: &[PyStr]) -> ObjId {
        let mut items = std::mem::take(&mut self.scratch);
        items.clear();
        items.extend(names.iter().map(|n| self.interned(n)));
        let id = self.merged_tuple(&items);
        self.scratch = items;
        id
    }

    /// The object of a pooled constant (one per `ConstId`, like `c_const_cache`).
    pub fn constant(&mut self, pool: &ConstPool, id: ConstId) -> Option<ObjId> {
        self.constant_depth(pool, id, 0)
    }

    /// `intern_string_constants` (codeobject.c), run on each new code object's `co_consts`,
    /// replaces a frozenset by a *new* frozenset when interning changed the identity of one of
    /// its strings, i.e. when an equal string had already been interned as another object
    /// (see [`note_preinterned`](Self::note_preinterned)). Such a constant is a fresh object in
    /// every code object that uses it; frozensets nested in tuples are replaced inside the
    /// (shared) tuple once and stay shared.
    fn fresh_per_code(&self, pool: &ConstPool, id: ConstId) -> bool {
        let Some(ConstValue::FrozenSet(items)) = pool.get(id) else { return false };
        items.iter().any(|&c| match pool.get(c) {
            // A 1-character latin-1 constant is the parser's singleton, and a 1-character
            // identifier of the module interns that same singleton (3.12+: it is a statically
            // allocated, interned string), so interning replaces it only when another object was
            // interned at start-up: 3.11's deep-frozen modules bring their own static `x`, `y`, ...
            // (`{'x', 'y', 'z'}` is rebuilt per code object, `{'a', 'b', 'c'}` is not).
            Some(ConstValue::Str(s)) if s.char_len() == 1 && s.code_points().all(|c| c < 256) => {
                all_name_chars(s) && self.preinterned.contains_at_startup(s.as_bytes())
            }
            Some(ConstValue::Str(s)) => all_name_chars(s) && self.preinterned.contains(s.as_bytes()),
            _ => false,
        })
    }

    /// Records a string that is interned before the code objects are created: every identifier
    /// the parser produced for the module (names, attributes, parameters, import names, keyword
    /// names, function and class names, mangled names) and any string the running interpreter
    /// had interned already (e.g. the qualified names of a module that is imported in the
    /// compiling process). Used to decide `fresh_per_code`, whether a
    /// 3.11 1-character string is interned, and (3.13+) whether a class body's `__qualname__`
    /// constant is interned in place as `co_qualname`.
    pub fn note_preinterned(&mut self, s: &PyStr) {
        if !self.preinterned.owned.contains(s.as_bytes()) {
            self.preinterned.owned.insert(s.as_bytes().into());
        }
    }

    /// [`note_preinterned`](Self::note_preinterned) for the identifiers a code unit shows: its
    /// `co_names`, `co_localsplusnames` and `co_name`, lent rather than copied (what the compile
    /// driver notes for every unit of the module, as the parser interned them all).
    pub fn note_preinterned_code(&mut self, a: &'a AssembledCode) {
        self.preinterned.lent.push(&a.names);
        self.preinterned.lent.push(&a.localsplusnames);
        self.preinterned.lent_one.push(&a.name);
    }

    /// Keep frozenset elements in the order the compiler built them (first occurrence in the
    /// source) instead of marshal's sorted write order: for showing a code object as it is in
    /// memory after `compile()` rather than after a `.pyc` round trip.
    pub fn keep_compiler_set_order(&mut self) {
        self.marshal_set_order = false;
    }

    /// A new object for a constant that already has one (see [`fresh_per_code`](Self::fresh_per_code)).
    fn fresh_constant(&mut self, pool: &ConstPool, id: ConstId) -> Option<ObjId> {
        let saved = slot_get(&self.consts, id.index());
        slot_set(&mut self.consts, id.index(), NO_OBJ);
        let o = self.constant_depth(pool, id, 0);
        slot_set(&mut self.consts, id.index(), saved.unwrap_or(NO_OBJ));
        o
    }

    /// `co_consts`: the tuple is merged through the const cache first (`makecode`), *then* the
    /// new code object interns its strings in place (`intern_string_constants`). So a code
    /// object whose constants equal an earlier one's shares that tuple, already interned; only
    /// a new tuple gets fresh frozensets.
    fn consts_tuple(&mut self, a: &AssembledCode, pool: &ConstPool) -> Option<ObjId> {
        let mut cached = std::mem::take(&mut self.scratch);
        cached.clear();
        for &c in &a.consts {
            cached.push(self.constant(pool, c)?);
        }
        let h = hash_ids(&cached);
        if let Some(id) = self.merged.find_tuple(&self.graph, h, &cached) {
            self.scratch = cached;
            return Some(id);
        }
        let mut items: Box<[ObjId]> = cached.as_slice().into();
        let mut fresh = false;
        for (slot, &c) in items.iter_mut().zip(a.consts.iter()) {
            if self.fresh_per_code(pool, c) {
                *slot = self.fresh_constant(pool, c)?;
                fresh = true;
            }
        }
        let empty = items.is_empty();
        let id = self.push(Obj::Tuple(items), empty);
        if fresh {
            // Merged under the items it had before interning (a rare case: a side table).
            self.merged.tuple_aliases.insert(cached.as_slice().into(), id);
        } else {
            Merged::add(&mut self.merged.tuples, h, id);
        }
        self.scratch = cached;
        Some(id)
    }

    /// 3.14 `merge_consts_recursive` does not descend into slices: the bounds of a constant slice
    /// stay the parser's own objects, shared with nothing (singletons and small ints aside).
    fn slice_item(&mut self, pool: &ConstPool, id: ConstId, depth: usize) -> Option<ObjId> {
        match pool.get(id)? {
            ConstValue::Int(i) if !(-5..=self.rules.small_int_max).contains(i) => Some(self.push(Obj::Int(*i), false)),
            ConstValue::BigInt(b) => Some(self.push(Obj::BigInt(b.clone()), false)),
            ConstValue::Float(f) => Some(self.push(Obj::Float(f64::from_bits(*f)), false)),
            ConstValue::Str(s) if s.char_len() > 1 => Some(self.push(Obj::Str(s.clone()), false)),
            _ => self.constant_depth(pool, id, depth),
        }
    }

    fn constant_depth(&mut self, pool: &ConstPool, id: ConstId, depth: usize) -> Option<ObjId> {
        if let Some(o) = slot_get(&self.consts, id.index()) {
            return Some(o);
        }
        if depth > 200 {
            return None;
        }
        let v = pool.get(id)?;
        let o = match v {
            ConstValue::None => self.push(Obj::None, false),
            ConstValue::True => self.push(Obj::True, false),
            ConstValue::False => self.push(Obj::False, false),
            ConstValue::Ellipsis => self.push(Obj::Ellipsis, false),
            &ConstValue::Int(i) => self.push(Obj::Int(i), (-5..=self.rules.small_int_max).contains(&i)),
            ConstValue::BigInt(b) => self.push(Obj::BigInt(b.clone()), false),
            &ConstValue::Float(f) => self.push(Obj::Float(f64::from_bits(f)), false),
            &ConstValue::Complex(r, i) => self.push(Obj::Complex { real: f64::from_bits(r), imag: f64::from_bits(i) }, false),
            ConstValue::Str(s) => {
                let origin = pool.origin(id);
                let names = origin != StrOrigin::Identifier && all_name_chars(s);
                if origin == StrOrigin::Identifier || names {
                    // The parser's interned name object (one per value in the module), or a
                    // string CPython interns as a constant.
                    self.interned(s)
                } else if origin == StrOrigin::Fresh {
                    // A new object, not the latin-1 singleton.
                    self.push_str(s.clone(), false, STR_OTHER)
                } else if s.char_len() == 1 && s.code_points().all(|c| c < 256) {
                    if self.rules.interns_static_strings || self.preinterned.contains(s.as_bytes()) {
                        // 3.11: a singleton is interned only if the running interpreter
                        // interned it.
                        self.interned(s)
                    } else {
                        self.static_str(s)
                    }
                } else {
                    self.push_str(s.clone(), false, STR_OTHER)
                }
            }
            ConstValue::Bytes(b) => self.merged_bytes(b),
            ConstValue::Tuple(items) => {
                let objs = items.iter().map(|&c| self.constant_depth(pool, c, depth + 1)).collect::<Option<Vec<ObjId>>>()?;
                self.merged_tuple(&objs)
            }
            ConstValue::FrozenSet(items) => {
                let objs = items.iter().map(|&c| self.constant_depth(pool, c, depth + 1)).collect::<Option<Box<[ObjId]>>>()?;
                self.push(Obj::FrozenSet(objs), false)
            }
            &ConstValue::Slice([a, b, c]) => {
                let a = self.slice_item(pool, a, depth + 1)?;
                let b = self.slice_item(pool, b, depth + 1)?;
                let c = self.slice_item(pool, c, depth + 1)?;
                self.push(Obj::Slice([a, b, c]), false)
            }
            &ConstValue::Code(h) => slot_get(&self.codes, h as usize)?,
        };
        if !is_nan_constant(v) {
            slot_set(&mut self.consts, id.index(), o);
        }
        Some(o)
    }

    /// A class body stores `__qualname__` with `LOAD_CONST u_qualname` (`compiler_class_body`),
    /// and the const cache keeps the *first* object of each value: so the constant is the
    /// `co_qualname` object itself, unless an equal string was added to the cache before (a
    /// sibling class of the same qualified name compiled earlier, e.g. two `class C` in one
    /// function, or an equal string literal compiled earlier). "Before" is approximated by "a
    /// unit added to this builder earlier used it", which misses only literals in the class's
    /// own nested code units. Class bodies are the only code units other than `<module>`
    /// compiled without `CO_OPTIMIZED`. Returns the constant if it is new.
    fn class_qualname_const(&self, a: &AssembledCode, pool: &ConstPool) -> Option<ConstId> {
        const CO_OPTIMIZED: u32 = 0x1;
        if a.flags & CO_OPTIMIZED != 0 || a.name.as_bytes() == b"<module>" {
            return None;
        }
        let q = a.qualname.as_bytes();
        let cid = a.consts.iter().copied().find(|&c| matches!(pool.get(c), Some(ConstValue::Str(s)) if s.as_bytes() == q))?;
        slot_get(&self.consts, cid.index()).is_none().then_some(cid)
    }

    /// Adds a code object; `handle` is what `ConstValue::Code(handle)` of enclosing units uses.
    /// Returns `None` if a constant refers to an unknown id or code handle.
    pub fn add_code(&mut self, a: &AssembledCode, pool: &ConstPool, handle: Option<u32>) -> Option<ObjId> {
        let qualname_const = self.class_qualname_const(a, pool);
        let code = self.push(Obj::Bytes(a.code.as_slice().into()), true);
        let consts = self.consts_tuple(a, pool)?;
        let names = self.name_tuple(&a.names);
        let lpn = if self.rules.merges_annotate_localsplusnames || a.name.as_bytes() != b"__annotate__" {
            self.name_tuple(&a.localsplusnames)
        } else {
            let items: Box<[ObjId]> = a.localsplusnames.iter().map(|n| self.interned(n)).collect();
            let empty = items.is_empty();
            match self.merged.find_tuple(&self.graph, hash_ids(&[]), &[]) {
                Some(e) if empty => e,
                _ => self.push(Obj::Tuple(items), empty),
            }
        };
        let kinds = if a.localspluskinds.is_empty() {
            self.merged_bytes(&[])
        } else {
            self.push(Obj::Bytes(a.localspluskinds.as_slice().into()), false)
        };
        let static_name = a.name.as_str().is_some_and(|x| STATIC_NAMES.contains(&x));
        let name = if static_name && !self.rules.interns_static_strings {
            self.static_str(&a.name)
        } else if self.rules.interns_code_strings || is_interned_code_name(&a.name) {
            self.interned(&a.name)
        } else {
            self.push(Obj::Str(a.name.clone()), false)
        };
        let qualname_const = qualname_const.and_then(|c| slot_get(&self.consts, c.index()));
        let qualname = if a.qualname.as_bytes() == a.name.as_bytes() {
            name
        } else if self.rules.interns_code_strings {
            // Interning in place makes the class body's constant the interned object, unless an
            // equal string was interned before.
            // (Whether the runtime interned the string before is asked only when it matters.)
            match (self.find_interned(a.qualname.as_bytes()), qualname_const) {
                (Some(q), _) => q,
                (None, Some(_)) if self.preinterned.contains(a.qualname.as_bytes()) => self.interned(&a.qualname),
                (None, Some(q)) => {
                    if let Some(Obj::Str(s)) = self.graph.node_mut(q).map(|n| &mut n.obj) {
                        s.set_interned(true);
                    }
                    Merged::add(&mut self.merged.interned, hash_bytes(a.qualname.as_bytes()), q);
                    q
                }
                (None, None) => self.interned(&a.qualname),
            }
        } else if let Some(q) = qualname_const {
            q
        } else {
            self.push(Obj::Str(a.qualname.clone()), false)
        };
        let linetable = self.merged_bytes(&a.linetable);
        let exceptiontable = self.merged_bytes(&a.exceptiontable);
        let filename = self.filename;
        let c = Code {
            argcount: a.argcount as i32,
            posonlyargcount: a.posonlyargcount as i32,
            kwonlyargcount: a.kwonlyargcount as i32,
            stacksize: a.stacksize,
            flags: a.flags,
            code,
            consts,
            names,
            localsplusnames: lpn,
            localspluskinds: kinds,
            filename,
            name,
            qualname,
            firstlineno: a.firstlineno,
            linetable,
            exceptiontable,
        };
        let id = self.push(Obj::Code(Box::new(c)), false);
        if let Some(h) = handle {
            slot_set(&mut self.codes, h as usize, id);
        }
        Some(id)
    }

    /// Finishes the graph. Reference counts are counted on what is reachable from `root`, one
    /// per container slot, plus the references CPython's caller holds at dump time: the module
    /// code object (held by the caller of `marshal.dumps`) and the filename (held by the caller
    /// of `compile()`). An object is flagged when that count is above 1 or it is immortal /
    /// statically allocated; the elements of every frozenset are put in the order CPython's
    /// marshal writes them (see `order_frozenset`).
    pub fn finish(mut self, root: ObjId) -> (ObjectGraph, ObjId) {
        let n = self.graph.len();
        let mut refs = vec![0u32; n];
        // An object is walked when its first reference is counted (the root is walked from
        // the start; the filename, counted up front, is a string with nothing to walk).
        let mut stack = vec![root];
        let mut sets = Vec::new();
        let bump = |refs: &mut Vec<u32>, id: ObjId| {
            if let Some(r) = refs.get_mut(id.index()) {
                *r += 1;
            }
        };
        bump(&mut refs, root);
        if self.rules.root_code_flag_ref {
            bump(&mut refs, root);
        }
        bump(&mut refs, self.filename);
        while let Some(id) = stack.pop() {
            let visit = |c: ObjId| {
                if let Some(r) = refs.get_mut(c.index()) {
                    *r += 1;
                    if *r == 1 {
                        stack.push(c);
                    }
                }
            };
            match self.graph.get(id) {
                Some(Obj::Tuple(items) | Obj::List(items) | Obj::Set(items)) => items.iter().copied().for_each(visit),
                Some(Obj::FrozenSet(items)) => {
                    sets.push(id);
                    items.iter().copied().for_each(visit);
                }
                Some(Obj::Slice(items)) => items.iter().copied().for_each(visit),
                Some(Obj::Dict(pairs)) => pairs.iter().flat_map(|&(k, v)| [k, v]).for_each(visit),
                Some(Obj::Code(c)) => c.object_fields().into_iter().for_each(visit),
                _ => {}
            }
        }
        let mut base = vec![false; n];
        for ((node, b), (&info, &r)) in self.graph.nodes_mut().iter_mut().zip(base.iter_mut()).zip(self.info.iter().zip(refs.iter())) {
            // marshal never flags these singletons.
            let singleton = matches!(node.obj, Obj::None | Obj::True | Obj::False | Obj::Ellipsis | Obj::StopIteration | Obj::Null);
            *b = (info & IMMORTAL != 0 || r > 1) && !singleton;
            node.flag_ref = *b;
        }
        // While marshal writes a set, a (sort key, element) pair list holds one more reference
        // to every element: each element is written with FLAG_REF.
        for &fs in &sets {
            let nodes = self.graph.nodes_mut();
            let Some(Obj::FrozenSet(items)) = nodes.get(fs.index()).map(|n| &n.obj) else { continue };
            let items = items.clone();
            for e in items.iter() {
                if let Some(node) = nodes.get_mut(e.index()) {
                    if !matches!(node.obj, Obj::None | Obj::True | Obj::False | Obj::Ellipsis) {
                        node.flag_ref = true;
                    }
                }
            }
        }
        // Inner sets first: they were created before the sets that contain them.
        sets.sort();
        if !self.marshal_set_order {
            sets.clear();
        }
        for fs in sets {
            self.order_frozenset(fs, &base);
        }
        let GraphBuilder { graph, mut info, mut consts, mut merged, mut codes, .. } = self;
        info.clear();
        consts.clear();
        codes.clear();
        merged.clear();
        let spare = Spare { merged, info, consts, codes };
        // A thread being torn down keeps no spare.
        let _ = SPARE.try_with(|s| s.try_borrow_mut().map(|mut s| *s = Some(spare)));
        (graph, root)
    }

    /// `w_complex_object` for sets (3.11+): the elements are written sorted by the bytes of a
    /// standalone `marshal.dumps` of each. In that standalone dump the element carries
    /// `FLAG_REF` according to its reference count at that moment: in 3.11 and 3.12 the set
    /// iteration borrows the element, so the flag is the ordinary one (`base`); from 3.13 on
    /// `_PySet_NextEntryRef` holds a new reference, so every (non-singleton) element is flagged.
    /// Inner objects keep their ordinary flags; inner frozensets were ordered before (they are
    /// created first).
    fn order_frozenset(&mut self, fs: ObjId, base: &[bool]) {
        let items: Vec<ObjId> = match self.graph.get(fs) {
            Some(Obj::FrozenSet(items)) if items.len() > 1 => items.to_vec(),
            _ => return,
        };
        let version = self.release.marshal_version();
        let borrowed = self.rules.set_keys_borrow_elements;
        let mut keyed: Vec<(Vec<u8>, ObjId)> = Vec::with_capacity(items.len());
        for e in items {
            let saved = self.graph.node(e).map(|n| n.flag_ref).unwrap_or(false);
            let key_flag = if borrowed { base.get(e.index()).copied().unwrap_or(false) } else { saved };
            if let Some(n) = self.graph.node_mut(e) {
                n.flag_ref = key_flag;
            }
            let key = pycode_marshal::dumps(&self.graph, e, version).unwrap_or_default();
            if let Some(n) = self.graph.node_mut(e) {
                n.flag_ref = saved;
            }
            keyed.push((key, e));
        }
        keyed.sort_by(|a, b| a.0.cmp(&b.0));
        let sorted: Box<[ObjId]> = keyed.into_iter().map(|(_, e)| e).collect();
        self.graph.set(fs, Obj::FrozenSet(sorted));
    }
}
