//! `pycode_object`: the objects that marshal data and code objects are made of.
//!
//! # Invariant
//! Objects live in an arena, [`ObjectGraph`], and refer to each other by [`ObjId`]. The same `ObjId`
//! appearing twice *is* sharing: that is how marshal's `TYPE_REF` back-references are represented, and
//! [`Node::flag_ref`] records whether CPython's marshal sets `FLAG_REF` on the object's first
//! occurrence. Together they let a reader and a writer reproduce CPython's bytes exactly.
//!
//! A graph built by `pycode_marshal`'s reader is acyclic (the reader refuses references to objects
//! that are still being read), and every field of a [`Code`] has the type CPython's code-object
//! constructor requires. Nothing here panics on a graph that breaks those rules: accessors return
//! `None` instead.
//!
//! # API boundary
//! Pure data plus cheap accessors. No I/O, no knowledge of bytecode: opcode semantics live in
//! `pycode_release`, serialization in `pycode_marshal`, printing in `pycode_dis`. The one exception
//! is [`pyrepr`]: Python's `repr()` of the primitive values (`str`, `bytes`, `float`, `complex`),
//! shared by every crate that prints them.

pub mod linetable;
pub mod pyrepr;
mod pystr;
#[rustfmt::skip] // generated (do not edit)
mod unicode_printable;

pub use num_bigint::BigInt;
pub use pystr::PyStr;

/// Index of an object in an [`ObjectGraph`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjId(pub u32);

impl ObjId {
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// One object of the graph together with its marshal reference flag.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub obj: Obj,
    /// CPython's marshal writes this object with `FLAG_REF` (it may then be referred back to).
    pub flag_ref: bool,
}

/// A CPython object as far as marshal and code objects need it.
#[derive(Clone, Debug, PartialEq)]
pub enum Obj {
    /// marshal's `TYPE_NULL` ('0'): the end of a dict, or an absent value.
    Null,
    None,
    False,
    True,
    StopIteration,
    Ellipsis,
    /// An `int` that fits in an `i64`.
    Int(i64),
    /// An `int` outside the `i64` range.
    BigInt(Box<BigInt>),
    Float(f64),
    Complex {
        real: f64,
        imag: f64,
    },
    Str(PyStr),
    Bytes(Box<[u8]>),
    Tuple(Box<[ObjId]>),
    List(Box<[ObjId]>),
    /// Key/value pairs in marshal order.
    Dict(Box<[(ObjId, ObjId)]>),
    /// `frozendict` (marshal version 6, CPython 3.15): key/value pairs in marshal order.
    FrozenDict(Box<[(ObjId, ObjId)]>),
    Set(Box<[ObjId]>),
    FrozenSet(Box<[ObjId]>),
    /// `slice(start, stop, step)` (marshal version 5, CPython 3.14).
    Slice([ObjId; 3]),
    Code(Box<Code>),
}

impl Obj {
    /// CPython's type name for this object (`type(x).__name__`).
    pub fn type_name(&self) -> &'static str {
        match self {
            Obj::Null => "NULL",
            Obj::None => "NoneType",
            Obj::False | Obj::True => "bool",
            Obj::StopIteration => "type",
            Obj::Ellipsis => "ellipsis",
            Obj::Int(_) | Obj::BigInt(_) => "int",
            Obj::Float(_) => "float",
            Obj::Complex { .. } => "complex",
            Obj::Str(_) => "str",
            Obj::Bytes(_) => "bytes",
            Obj::Tuple(_) => "tuple",
            Obj::List(_) => "list",
            Obj::Dict(_) => "dict",
            Obj::FrozenDict(_) => "frozendict",
            Obj::Set(_) => "set",
            Obj::FrozenSet(_) => "frozenset",
            Obj::Slice(_) => "slice",
            Obj::Code(_) => "code",
        }
    }
}

/// A code object (CPython 3.11+ layout). Fields that are objects are `ObjId`s so that sharing
/// (e.g. one filename string referenced by every nested code object) is kept.
#[derive(Clone, Debug, PartialEq)]
pub struct Code {
    pub argcount: i32,
    pub posonlyargcount: i32,
    pub kwonlyargcount: i32,
    pub stacksize: i32,
    pub flags: u32,
    /// `bytes`: the bytecode, cache entries included.
    pub code: ObjId,
    /// `tuple`
    pub consts: ObjId,
    /// `tuple` of `str`
    pub names: ObjId,
    /// `tuple` of `str`: locals, cells and free variables, in frame order.
    pub localsplusnames: ObjId,
    /// `bytes`: one `CO_FAST_*` kind byte per entry of `localsplusnames`.
    pub localspluskinds: ObjId,
    /// `str`
    pub filename: ObjId,
    /// `str`
    pub name: ObjId,
    /// `str`
    pub qualname: ObjId,
    pub firstlineno: i32,
    /// `bytes`: the location table (PEP 626 / 657 format).
    pub linetable: ObjId,
    /// `bytes`
    pub exceptiontable: ObjId,
}

impl Code {
    /// The fields that are objects, in the order marshal writes them (`co_firstlineno`, an
    /// int written between `co_qualname` and `co_linetable`, is not one of them).
    pub fn object_fields(&self) -> [ObjId; 10] {
        [
            self.code,
            self.consts,
            self.names,
            self.localsplusnames,
            self.localspluskinds,
            self.filename,
            self.name,
            self.qualname,
            self.linetable,
            self.exceptiontable,
        ]
    }
}

/// Kinds of the entries of `co_localsplusnames` (CPython's `CO_FAST_*`).
pub mod fast_kind {
    pub const HIDDEN: u8 = 0x10;
    pub const LOCAL: u8 = 0x20;
    pub const CELL: u8 = 0x40;
    pub const FREE: u8 = 0x80;
    pub const ARG_POS: u8 = 0x02;
    pub const ARG_KW: u8 = 0x04;
    pub const ARG_VAR: u8 = 0x08;
}

/// The arena of objects. Built by a marshal reader or by the compiler.
#[derive(Clone, Debug, PartialEq)]
pub struct ObjectGraph {
    nodes: Vec<Node>,
}

/// A graph's node vector beyond this many nodes is freed with the graph instead of being kept
/// for the thread's next graph.
const KEPT_NODES: usize = 1 << 18;

thread_local! {
    /// The node vector of the last graph this thread dropped, emptied, for its next graph
    /// ([`ObjectGraph::new`]). A compile worker builds one graph per module; grown by doubling
    /// each time, those vectors were the largest allocations of a compile after the parser's
    /// tokens, and each module's landed somewhere new in the allocator's memory.
    static SPARE_NODES: std::cell::Cell<Vec<Node>> = const { std::cell::Cell::new(Vec::new()) };
}

impl Default for ObjectGraph {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for ObjectGraph {
    fn drop(&mut self) {
        let mut nodes = std::mem::take(&mut self.nodes);
        if nodes.capacity() > KEPT_NODES {
            return;
        }
        nodes.clear();
        // (`try_with`: a graph dropped during the thread's teardown is simply freed)
        let _ = SPARE_NODES.try_with(|c| {
            let kept = c.take();
            c.set(if kept.capacity() >= nodes.capacity() { kept } else { nodes });
        });
    }
}

impl ObjectGraph {
    /// An empty graph (its node vector the one this thread's last dropped graph left, if any).
    pub fn new() -> Self {
        Self { nodes: SPARE_NODES.try_with(|c| c.take()).unwrap_or_default() }
    }

    pub fn with_capacity(n: usize) -> Self {
        let mut g = Self::new();
        g.nodes.reserve(n);
        g
    }

    /// Adds an object and returns its id.
    pub fn push(&mut self, obj: Obj, flag_ref: bool) -> ObjId {
        let id = ObjId(self.nodes.len() as u32);
        self.nodes.push(Node { obj, flag_ref });
        id
    }

    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    pub fn node(&self, id: ObjId) -> Option<&Node> {
        self.nodes.get(id.index())
    }

    pub fn node_mut(&mut self, id: ObjId) -> Option<&mut Node> {
        self.nodes.get_mut(id.index())
    }

    pub fn get(&self, id: ObjId) -> Option<&Obj> {
        self.nodes.get(id.index()).map(|n| &n.obj)
    }

    /// Replaces the object at `id` (used by readers that reserve a slot before reading children).
    pub fn set(&mut self, id: ObjId, obj: Obj) -> bool {
        match self.nodes.get_mut(id.index()) {
            Some(n) => {
                n.obj = obj;
                true
            }
            None => false,
        }
    }

    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// All nodes, mutably (objects can be changed, not added or removed).
    pub fn nodes_mut(&mut self) -> &mut [Node] {
        &mut self.nodes
    }

    pub fn bytes(&self, id: ObjId) -> Option<&[u8]> {
        match self.get(id)? {
            Obj::Bytes(b) => Some(b),
            _ => None,
        }
    }

    pub fn str(&self, id: ObjId) -> Option<&PyStr> {
        match self.get(id)? {
            Obj::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn tuple(&self, id: ObjId) -> Option<&[ObjId]> {
        match self.get(id)? {
            Obj::Tuple(t) => Some(t),
            _ => None,
        }
    }

    pub fn code(&self, id: ObjId) -> Option<&Code> {
        match self.get(id)? {
            Obj::Code(c) => Some(c),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A graph made after another was dropped on the same thread starts empty, on the dropped
    /// one's node vector; a clone is a graph of its own.
    #[test]
    fn node_vector_is_kept_for_the_next_graph() {
        let mut g = ObjectGraph::new();
        let mut ids = Vec::new();
        for i in 0..1000 {
            ids.push(g.push(Obj::Int(i), false));
        }
        let s = g.push(Obj::Str(PyStr::new("kept", false)), true);
        let copy = g.clone();
        let cap = g.nodes.capacity();
        drop(g);
        let h = ObjectGraph::new();
        assert!(h.is_empty());
        assert_eq!(h.nodes.capacity(), cap);
        assert_eq!(copy.len(), 1001);
        assert_eq!(copy.get(s), Some(&Obj::Str(PyStr::new("kept", false))));
        assert_eq!(ids.iter().filter(|&&id| copy.get(id).is_some()).count(), 1000);
        let small = ObjectGraph::with_capacity(4);
        assert!(small.is_empty() && small.nodes.capacity() >= 4);
    }
}
