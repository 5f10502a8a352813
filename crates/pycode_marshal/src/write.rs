//! The marshal writer: CPython's `w_object` / `w_complex_object` (`Python/marshal.c`) for
//! marshal versions 4, 5 and 6.
//!
//! Type codes are chosen exactly as CPython chooses them. Reference handling follows `w_ref`: an
//! object whose node has `flag_ref` is registered on its first occurrence (its type code gets
//! `FLAG_REF`, and it takes the next reference index, in pre-order), and every later occurrence of
//! the same `ObjId` is written as `TYPE_REF`. Nodes without `flag_ref` are written in full every
//! time (CPython never registers an object it holds the only reference to).

use rustc_hash::FxHashMap as HashMap;

use num_bigint::Sign;
use pycode_object::{Code, Obj, ObjId, ObjectGraph};

use crate::error::{MarshalError, MarshalErrorKind as K};
use crate::read::check_version;
use crate::types::*;

/// Options for [`dumps_with`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DumpOptions {
    /// Marshal version: 4 (CPython 3.11–3.13), 5 (3.14) or 6 (3.15).
    pub version: u8,
    /// Write the elements of sets and frozensets sorted by their own standalone marshal bytes,
    /// as CPython 3.11–3.14 do when they marshal a live set (hash order is not deterministic).
    /// Off by default: a graph that was read keeps the order it was read in, which is already the
    /// order CPython wrote.
    pub sort_sets: bool,
}

impl DumpOptions {
    pub fn new(version: u8) -> Self {
        Self { version, sort_sets: false }
    }
}

/// Writes `root` (and everything it refers to) as marshal data of the given version, keeping the
/// element order of sets as it is in the graph.
pub fn dumps(graph: &ObjectGraph, root: ObjId, version: u8) -> Result<Vec<u8>, MarshalError> {
    dumps_with(graph, root, &DumpOptions::new(version))
}

/// A first capacity for the output of `graph`, so that a compiled module's bytes are not
/// copied through a dozen doublings of the buffer (measured over the 3.12.7 stdlib compiled by
/// pycode: 13.7 bytes per graph node on average; a module above 16 pays one more doubling).
pub fn output_estimate(graph: &ObjectGraph) -> usize {
    graph.len().saturating_mul(16)
}

/// [`dumps`] with options.
///
/// A root that is not the graph's last node is taken for one object inside a larger graph (the
/// compiler orders a frozenset's elements by their own marshal bytes, one `dumps` per element):
/// its output starts small and its reference table holds only the objects it registers, instead
/// of a buffer and a table sized for the whole graph per call. The bytes are the same either way.
pub fn dumps_with(graph: &ObjectGraph, root: ObjId, opts: &DumpOptions) -> Result<Vec<u8>, MarshalError> {
    if root.index() + 1 == graph.len() {
        let mut out = Vec::with_capacity(output_estimate(graph));
        dump_into(graph, root, opts, &mut out)?;
        return Ok(out);
    }
    let mut out = Vec::new();
    write(graph, root, opts, &mut out, RefTable::Sparse(HashMap::default()))?;
    Ok(out)
}

/// [`dumps_with`] appending to `out` (used by the `.pyc` writer to avoid a copy). Never inlined:
/// it is the marshal stage's entry in `bench/stage_split.py`'s profile (one call per module).
#[inline(never)]
pub fn dump_into(graph: &ObjectGraph, root: ObjId, opts: &DumpOptions, out: &mut Vec<u8>) -> Result<(), MarshalError> {
    write(graph, root, opts, out, RefTable::Dense(vec![NOT_SEEN; graph.len()]))
}

fn write(graph: &ObjectGraph, root: ObjId, opts: &DumpOptions, out: &mut Vec<u8>, refs: RefTable) -> Result<(), MarshalError> {
    check_version(opts.version, 0)?;
    Writer { g: graph, out, refs, nrefs: 0, base_depth: 0, sort_nesting: 0, opts: *opts }.run(root)
}

/// How many sets-inside-sets deep [`DumpOptions::sort_sets`] will sort (each level re-dumps
/// the elements below it).
const MAX_SORT_NESTING: u32 = 100;

const NOT_SEEN: u32 = u32::MAX;

/// CPython's `p->hashtable`: object -> reference index.
enum RefTable {
    /// One slot per node of the graph (the main writer).
    Dense(Vec<u32>),
    /// Only the registered nodes (the small writers used to sort set elements).
    Sparse(HashMap<u32, u32>),
}

impl RefTable {
    fn get(&self, id: ObjId) -> Option<u32> {
        match self {
            RefTable::Dense(v) => v.get(id.index()).copied().filter(|&i| i != NOT_SEEN),
            RefTable::Sparse(m) => m.get(&id.0).copied(),
        }
    }

    fn insert(&mut self, id: ObjId, index: u32) {
        match self {
            RefTable::Dense(v) => {
                if let Some(slot) = v.get_mut(id.index()) {
                    *slot = index;
                }
            }
            RefTable::Sparse(m) => {
                m.insert(id.0, index);
            }
        }
    }
}

struct Writer<'g, 'o> {
    g: &'g ObjectGraph,
    out: &'o mut Vec<u8>,
    /// Reference index of each registered node (CPython's hashtable).
    refs: RefTable,
    nrefs: u32,
    /// Nesting depth this writer starts at (non-zero for the writers that sort set elements).
    base_depth: u32,
    sort_nesting: u32,
    opts: DumpOptions,
}

/// The children of a container still to be written (one per nesting level).
enum Pending<'g> {
    Items(&'g [ObjId], usize),
    /// Set elements in sorted order.
    Sorted(Vec<ObjId>, usize),
    /// Index over keys and values; a `TYPE_NULL` follows the last value.
    Dict(&'g [(ObjId, ObjId)], usize),
    /// Which of the ten object fields comes next; `co_firstlineno` precedes the 9th.
    Code(&'g Code, u8),
}

type W = Result<(), MarshalError>;

impl<'g> Writer<'g, '_> {
    fn err(&self, kind: K) -> W {
        Err(MarshalError::new(self.out.len(), kind))
    }

    #[inline]
    fn w_long(&mut self, x: i32) {
        self.out.extend_from_slice(&x.to_le_bytes());
    }

    /// `W_SIZE`: a size that must fit in 31 bits.
    fn w_size(&mut self, n: usize) -> W {
        match i32::try_from(n) {
            Ok(n) => {
                self.w_long(n);
                Ok(())
            }
            Err(_) => self.err(K::Unmarshallable { reason: "size above 2**31-1" }),
        }
    }

    /// `w_object` on `root`, without recursion: open containers wait on an explicit stack.
    fn run(&mut self, root: ObjId) -> W {
        let mut stack: Vec<Pending<'g>> = Vec::new();
        self.w_object(root, &mut stack)?;
        while let Some(top) = stack.last_mut() {
            let next = match top {
                Pending::Items(items, i) => {
                    let next = items.get(*i).copied();
                    *i += 1;
                    next
                }
                Pending::Sorted(items, i) => {
                    let next = items.get(*i).copied();
                    *i += 1;
                    next
                }
                Pending::Dict(pairs, i) => {
                    let next = pairs.get(*i / 2).map(|&(k, v)| if *i % 2 == 0 { k } else { v });
                    *i += 1;
                    if next.is_none() {
                        // w_object(NULL): counts as one more level of nesting.
                        if self.base_depth + stack.len() as u32 + 1 > MAX_MARSHAL_STACK_DEPTH {
                            return self.err(K::TooDeep { limit: MAX_MARSHAL_STACK_DEPTH });
                        }
                        self.out.push(TYPE_NULL);
                    }
                    next
                }
                Pending::Code(co, step) => {
                    let co: &'g Code = co;
                    let next = co.object_fields().get(*step as usize).copied();
                    if *step == 8 {
                        self.out.extend_from_slice(&co.firstlineno.to_le_bytes());
                    }
                    *step += 1;
                    next
                }
            };
            match next {
                Some(id) => self.w_object(id, &mut stack)?,
                None => {
                    stack.pop();
                }
            }
        }
        Ok(())
    }

    /// `w_object` for one object: writes its type code and fixed fields, and pushes its
    /// children (if any) onto `stack`.
    fn w_object(&mut self, id: ObjId, stack: &mut Vec<Pending<'g>>) -> W {
        if self.base_depth + stack.len() as u32 + 1 > MAX_MARSHAL_STACK_DEPTH {
            return self.err(K::TooDeep { limit: MAX_MARSHAL_STACK_DEPTH });
        }
        let g: &'g ObjectGraph = self.g;
        let Some(node) = g.node(id) else {
            return self.err(K::BadObjId { id: id.0 });
        };
        let single = match node.obj {
            Obj::Null => Some(TYPE_NULL),
            Obj::None => Some(TYPE_NONE),
            Obj::StopIteration => Some(TYPE_STOPITER),
            Obj::Ellipsis => Some(TYPE_ELLIPSIS),
            Obj::False => Some(TYPE_FALSE),
            Obj::True => Some(TYPE_TRUE),
            _ => None,
        };
        if let Some(code) = single {
            self.out.push(code);
            return Ok(());
        }
        // w_ref
        let mut flag = 0u8;
        if node.flag_ref {
            if let Some(idx) = self.refs.get(id) {
                self.out.push(TYPE_REF);
                self.out.extend_from_slice(&idx.to_le_bytes());
                return Ok(());
            }
            if self.nrefs >= 0x7fff_ffff {
                return self.err(K::Unmarshallable { reason: "too many objects" });
            }
            self.refs.insert(id, self.nrefs);
            self.nrefs += 1;
            flag = FLAG_REF;
        }
        self.w_complex_object(&node.obj, flag, stack)
    }

    fn w_complex_object(&mut self, obj: &'g Obj, flag: u8, stack: &mut Vec<Pending<'g>>) -> W {
        match obj {
            Obj::Int(v) => match i32::try_from(*v) {
                Ok(x) => {
                    self.out.push(TYPE_INT | flag);
                    self.w_long(x);
                }
                Err(_) => self.w_pylong(&[v.unsigned_abs()], *v < 0, flag)?,
            },
            Obj::BigInt(b) => {
                if let Ok(x) = i32::try_from(&**b) {
                    self.out.push(TYPE_INT | flag);
                    self.w_long(x);
                } else {
                    let (sign, words) = b.to_u64_digits();
                    self.w_pylong(&words, sign == Sign::Minus, flag)?;
                }
            }
            Obj::Float(v) => {
                self.out.push(TYPE_BINARY_FLOAT | flag);
                self.out.extend_from_slice(&v.to_le_bytes());
            }
            Obj::Complex { real, imag } => {
                self.out.push(TYPE_BINARY_COMPLEX | flag);
                self.out.extend_from_slice(&real.to_le_bytes());
                self.out.extend_from_slice(&imag.to_le_bytes());
            }
            Obj::Bytes(b) => {
                self.out.push(TYPE_STRING | flag);
                self.w_size(b.len())?;
                self.out.extend_from_slice(b);
            }
            Obj::Str(s) => {
                let bytes = s.as_bytes();
                if s.is_ascii() {
                    if bytes.len() < 256 {
                        let t = if s.is_interned() { TYPE_SHORT_ASCII_INTERNED } else { TYPE_SHORT_ASCII };
                        self.out.push(t | flag);
                        self.out.push(bytes.len() as u8);
                    } else {
                        let t = if s.is_interned() { TYPE_ASCII_INTERNED } else { TYPE_ASCII };
                        self.out.push(t | flag);
                        self.w_size(bytes.len())?;
                    }
                } else {
                    let t = if s.is_interned() { TYPE_INTERNED } else { TYPE_UNICODE };
                    self.out.push(t | flag);
                    self.w_size(bytes.len())?;
                }
                self.out.extend_from_slice(bytes);
            }
            Obj::Tuple(items) => {
                if items.len() < 256 {
                    self.out.push(TYPE_SMALL_TUPLE | flag);
                    self.out.push(items.len() as u8);
                } else {
                    self.out.push(TYPE_TUPLE | flag);
                    self.w_size(items.len())?;
                }
                stack.push(Pending::Items(items, 0));
            }
            Obj::List(items) => {
                self.out.push(TYPE_LIST | flag);
                self.w_size(items.len())?;
                stack.push(Pending::Items(items, 0));
            }
            Obj::Dict(pairs) => {
                self.out.push(TYPE_DICT | flag);
                stack.push(Pending::Dict(pairs, 0));
            }
            Obj::FrozenDict(pairs) => {
                if self.opts.version < 6 {
                    return self.err(K::Unmarshallable { reason: "frozendict needs marshal version 6" });
                }
                self.out.push(TYPE_FROZENDICT | flag);
                stack.push(Pending::Dict(pairs, 0));
            }
            Obj::Set(items) | Obj::FrozenSet(items) => {
                let t = if matches!(obj, Obj::Set(_)) { TYPE_SET } else { TYPE_FROZENSET };
                self.out.push(t | flag);
                self.w_size(items.len())?;
                if self.opts.sort_sets && items.len() > 1 {
                    let depth = self.base_depth + stack.len() as u32 + 1;
                    let sorted = self.sorted_set_items(items, depth)?;
                    stack.push(Pending::Sorted(sorted, 0));
                } else {
                    stack.push(Pending::Items(items, 0));
                }
            }
            Obj::Slice(parts) => {
                if self.opts.version < 5 {
                    return self.err(K::Unmarshallable { reason: "slice needs marshal version 5" });
                }
                self.out.push(TYPE_SLICE | flag);
                stack.push(Pending::Items(parts, 0));
            }
            Obj::Code(co) => {
                self.out.push(TYPE_CODE | flag);
                self.w_long(co.argcount);
                self.w_long(co.posonlyargcount);
                self.w_long(co.kwonlyargcount);
                self.w_long(co.stacksize);
                self.w_long(co.flags as i32);
                stack.push(Pending::Code(co, 0));
            }
            Obj::Null | Obj::None | Obj::False | Obj::True | Obj::StopIteration | Obj::Ellipsis => {
                // Written by w_object before w_ref; never reaches here.
                return self.err(K::Unmarshallable { reason: "singleton in w_complex_object" });
            }
        }
        Ok(())
    }

    /// CPython 3.11+ sorts set elements by their standalone marshal bytes (each written by a
    /// fresh writer, so with its own reference numbering) to make the output deterministic.
    fn sorted_set_items(&mut self, items: &[ObjId], depth: u32) -> Result<Vec<ObjId>, MarshalError> {
        if self.sort_nesting >= MAX_SORT_NESTING {
            return Err(MarshalError::new(self.out.len(), K::Unmarshallable { reason: "sets nested too deeply to sort" }));
        }
        let mut keyed = Vec::with_capacity(items.len());
        for &item in items {
            let mut sub = Vec::new();
            let mut w = Writer {
                g: self.g,
                out: &mut sub,
                refs: RefTable::Sparse(HashMap::default()),
                nrefs: 0,
                base_depth: depth,
                sort_nesting: self.sort_nesting + 1,
                opts: self.opts,
            };
            w.run(item)?;
            keyed.push((sub, item));
        }
        keyed.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(keyed.into_iter().map(|(_, item)| item).collect())
    }

    /// `w_PyLong`: `TYPE_LONG`, the signed count of 15-bit digits, then the digits, least
    /// significant first. `mag` is the magnitude as little-endian 64-bit words.
    fn w_pylong(&mut self, mag: &[u64], negative: bool, flag: u8) -> W {
        self.out.push(TYPE_LONG | flag);
        let bits =
            mag.iter().rposition(|&w| w != 0).and_then(|top| Some(top * 64 + (64 - mag.get(top)?.leading_zeros() as usize))).unwrap_or(0);
        let ndigits = bits.div_ceil(15);
        let Ok(n) = i32::try_from(ndigits) else {
            return self.err(K::Unmarshallable { reason: "int too large" });
        };
        self.w_long(if negative { -n } else { n });
        for i in 0..ndigits {
            let bit = i * 15;
            let (w, off) = (bit / 64, bit % 64);
            let lo = mag.get(w).copied().unwrap_or(0) >> off;
            let hi = if off > 64 - 15 { mag.get(w + 1).copied().unwrap_or(0) << (64 - off) } else { 0 };
            let d = ((lo | hi) & 0x7fff) as u16;
            self.out.extend_from_slice(&d.to_le_bytes());
        }
        Ok(())
    }
}
