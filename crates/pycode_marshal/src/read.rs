//! The marshal reader: CPython's `r_object` (`Python/marshal.c`) for marshal versions 4, 5 and 6.
//!
//! The reader never trusts a size field: every length is checked against the bytes that are left
//! before anything is allocated, so memory use is bounded by a small multiple of the input length.
//! Nodes are pushed in post-order (children before their container), and `TYPE_REF` resolves to the
//! `ObjId` of the object that was registered, so sharing survives a round trip.

use num_bigint::{BigInt, BigUint, Sign};
use pycode_object::{Code, Obj, ObjId, ObjectGraph, PyStr};

use crate::error::{MarshalError, MarshalErrorKind as K};
use crate::types::*;

/// Reads one object from `data`, which must hold nothing else (see [`loads_prefix`] to allow
/// trailing bytes, as CPython's `marshal.loads` does).
///
/// `version` selects which release's reader to mirror: 4 for CPython 3.11–3.13, 5 for 3.14
/// (which adds `TYPE_SLICE`), 6 for 3.15 (`TYPE_FROZENDICT`).
pub fn loads(data: &[u8], version: u8) -> Result<(ObjectGraph, ObjId), MarshalError> {
    let (graph, root, used) = loads_prefix(data, version)?;
    if used != data.len() {
        return Err(MarshalError::new(used, K::TrailingData { len: data.len() - used }));
    }
    Ok((graph, root))
}

/// Reads one object from the start of `data` and returns it with the number of bytes it used.
/// Mirrors `marshal.loads`, which ignores whatever follows the object.
pub fn loads_prefix(data: &[u8], version: u8) -> Result<(ObjectGraph, ObjId, usize), MarshalError> {
    check_version(version, 0)?;
    let mut r = Reader {
        data,
        pos: 0,
        version,
        graph: ObjectGraph::with_capacity(data.len() / 32 + 1),
        hashable: Vec::with_capacity(data.len() / 32 + 1),
        refs: Vec::new(),
    };
    let start = r.pos;
    match r.r_object()? {
        Some(root) => Ok((r.graph, root, r.pos)),
        None => Err(MarshalError::new(start, K::NullObject { context: "object" })),
    }
}

pub(crate) fn check_version(version: u8, offset: usize) -> Result<(), MarshalError> {
    if (4..=6).contains(&version) {
        Ok(())
    } else {
        Err(MarshalError::new(offset, K::UnsupportedVersion { version }))
    }
}

struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
    version: u8,
    graph: ObjectGraph,
    /// Whether each node (by `ObjId` index) is hashable, computed once when it is pushed: dict
    /// keys and set elements must be, as `PyDict_SetItem`/`PySet_Add` require.
    hashable: Vec<bool>,
    /// CPython's `p->refs`: `None` while the object is still being read.
    refs: Vec<Option<ObjId>>,
}

type R<T> = Result<T, MarshalError>;

impl<'a> Reader<'a> {
    #[inline]
    fn err<T>(&self, offset: usize, kind: K) -> R<T> {
        Err(MarshalError::new(offset, kind))
    }

    #[inline]
    fn remaining(&self) -> usize {
        self.data.len().saturating_sub(self.pos)
    }

    /// `r_string`: the next `n` bytes.
    #[inline]
    fn r_bytes(&mut self, n: usize) -> R<&'a [u8]> {
        let data: &'a [u8] = self.data;
        match self.pos.checked_add(n).and_then(|end| data.get(self.pos..end)) {
            Some(s) => {
                self.pos += n;
                Ok(s)
            }
            None => self.err(self.pos, K::Truncated { needed: n - self.remaining() }),
        }
    }

    #[inline]
    fn r_array<const N: usize>(&mut self) -> R<[u8; N]> {
        let s = self.r_bytes(N)?;
        let mut a = [0u8; N];
        a.copy_from_slice(s);
        Ok(a)
    }

    #[inline]
    fn r_byte(&mut self) -> R<u8> {
        match self.data.get(self.pos) {
            Some(&b) => {
                self.pos += 1;
                Ok(b)
            }
            None => self.err(self.pos, K::Truncated { needed: 1 }),
        }
    }

    /// `r_long`: a signed 32-bit little-endian integer.
    #[inline]
    fn r_long(&mut self) -> R<i32> {
        Ok(i32::from_le_bytes(self.r_array::<4>()?))
    }

    /// A 32-bit size field (`r_long` then CPython's `n < 0 || n > SIZE32_MAX` check), further
    /// required to fit in the rest of the input at `min_bytes_each` bytes per item.
    fn r_size(&mut self, what: &'static str, min_bytes_each: usize) -> R<usize> {
        let at = self.pos;
        let n = self.r_long()?;
        if n < 0 {
            return self.err(at, K::SizeOutOfRange { what, size: n as i64 });
        }
        self.check_fits(at, what, n as usize, min_bytes_each)?;
        Ok(n as usize)
    }

    fn check_fits(&self, at: usize, what: &'static str, n: usize, min_bytes_each: usize) -> R<()> {
        let remaining = self.remaining();
        if n.saturating_mul(min_bytes_each) > remaining {
            return self.err(at, K::LengthTooLarge { what, len: n as u64, remaining });
        }
        Ok(())
    }

    #[inline]
    fn push(&mut self, obj: Obj, flag: bool, hashable: bool) -> ObjId {
        self.hashable.push(hashable);
        self.graph.push(obj, flag)
    }

    /// `R_REF` for an object without children: push it and register it when `flag` is set.
    #[inline]
    fn simple(&mut self, obj: Obj, flag: bool) -> Option<ObjId> {
        let id = self.push(obj, flag, true);
        if flag {
            self.refs.push(Some(id));
        }
        Some(id)
    }

    /// `r_ref_reserve`: claims the next reference index before the children are read.
    #[inline]
    fn reserve(&mut self, flag: bool) -> Option<usize> {
        flag.then(|| {
            self.refs.push(None);
            self.refs.len() - 1
        })
    }

    /// `r_ref_insert`.
    #[inline]
    fn fill(&mut self, slot: Option<usize>, id: ObjId) {
        if let Some(slot) = slot {
            if let Some(r) = self.refs.get_mut(slot) {
                *r = Some(id);
            }
        }
    }

    #[inline]
    fn is_hashable(&self, id: ObjId) -> bool {
        self.hashable.get(id.index()).copied().unwrap_or(false)
    }

    /// `r_object`, without recursion: containers being read are kept on an explicit stack of
    /// [`Frame`]s whose length is the nesting depth, so deep input cannot exhaust the Rust stack.
    /// `Ok(None)` is `TYPE_NULL` at the top level.
    fn r_object(&mut self) -> R<Option<ObjId>> {
        let mut stack: Vec<Frame> = Vec::new();
        loop {
            // CPython's depth check happens on entry to r_object, before the type code is read.
            let item_start = self.pos;
            if stack.len() as u32 + 1 > MAX_MARSHAL_STACK_DEPTH {
                return self.err(item_start, K::TooDeep { limit: MAX_MARSHAL_STACK_DEPTH });
            }
            let mut value = match self.r_head(item_start)? {
                Head::Value(v) => v,
                Head::Open(frame) => {
                    stack.push(frame);
                    continue;
                }
            };
            // Hand the value to the enclosing containers, closing every one it completes.
            loop {
                let Some(top) = stack.last_mut() else {
                    return Ok(value);
                };
                match self.accept(top, value, item_start)? {
                    Step::More => break,
                    Step::Done(obj, flag, slot, hashable) => {
                        stack.pop();
                        let id = self.push(obj, flag, hashable);
                        self.fill(slot, id);
                        value = Some(id);
                    }
                }
            }
        }
    }

    /// Reads a type code and everything up to the object's first child. Objects without
    /// children (including empty containers) come back finished.
    fn r_head(&mut self, start: usize) -> R<Head> {
        let code = self.r_byte()?;
        let flag = code & FLAG_REF != 0;
        let value = match code & !FLAG_REF {
            TYPE_NULL => None,
            // Singletons are never registered, even with FLAG_REF.
            TYPE_NONE => Some(self.push(Obj::None, false, true)),
            TYPE_FALSE => Some(self.push(Obj::False, false, true)),
            TYPE_TRUE => Some(self.push(Obj::True, false, true)),
            TYPE_STOPITER => Some(self.push(Obj::StopIteration, false, true)),
            TYPE_ELLIPSIS => Some(self.push(Obj::Ellipsis, false, true)),
            TYPE_INT => {
                let v = self.r_long()?;
                self.simple(Obj::Int(v as i64), flag)
            }
            TYPE_INT64 => {
                let v = i64::from_le_bytes(self.r_array::<8>()?);
                self.simple(Obj::Int(v), flag)
            }
            TYPE_LONG => {
                let obj = self.r_pylong()?;
                self.simple(obj, flag)
            }
            TYPE_BINARY_FLOAT => {
                let v = f64::from_le_bytes(self.r_array::<8>()?);
                self.simple(Obj::Float(v), flag)
            }
            TYPE_BINARY_COMPLEX => {
                let real = f64::from_le_bytes(self.r_array::<8>()?);
                let imag = f64::from_le_bytes(self.r_array::<8>()?);
                self.simple(Obj::Complex { real, imag }, flag)
            }
            TYPE_FLOAT => {
                let v = self.r_float_str()?;
                self.simple(Obj::Float(v), flag)
            }
            TYPE_COMPLEX => {
                let real = self.r_float_str()?;
                let imag = self.r_float_str()?;
                self.simple(Obj::Complex { real, imag }, flag)
            }
            TYPE_STRING => {
                let n = self.r_size("bytes object", 1)?;
                let b = self.r_bytes(n)?;
                self.simple(Obj::Bytes(b.into()), flag)
            }
            TYPE_UNICODE | TYPE_INTERNED => {
                let n = self.r_size("string", 1)?;
                let at = self.pos;
                let b = self.r_bytes(n)?;
                let s = match PyStr::from_surrogatepass(b, code & !FLAG_REF == TYPE_INTERNED) {
                    Ok(s) => s,
                    Err(e) => return self.err(at + e.offset, K::InvalidUtf8 { at: e.offset }),
                };
                self.simple(Obj::Str(s), flag)
            }
            TYPE_ASCII | TYPE_ASCII_INTERNED => {
                let n = self.r_size("string", 1)?;
                let b = self.r_bytes(n)?;
                let s = PyStr::from_latin1(b, code & !FLAG_REF == TYPE_ASCII_INTERNED);
                self.simple(Obj::Str(s), flag)
            }
            TYPE_SHORT_ASCII | TYPE_SHORT_ASCII_INTERNED => {
                let n = self.r_byte()? as usize;
                let b = self.r_bytes(n)?;
                let s = PyStr::from_latin1(b, code & !FLAG_REF == TYPE_SHORT_ASCII_INTERNED);
                self.simple(Obj::Str(s), flag)
            }
            TYPE_SMALL_TUPLE => {
                let at = self.pos;
                let n = self.r_byte()? as usize;
                self.check_fits(at, "tuple", n, 1)?;
                return Ok(self.open_seq(n, flag, SeqKind::Tuple));
            }
            TYPE_TUPLE => {
                let n = self.r_size("tuple", 1)?;
                return Ok(self.open_seq(n, flag, SeqKind::Tuple));
            }
            TYPE_LIST => {
                let n = self.r_size("list", 1)?;
                return Ok(self.open_seq(n, flag, SeqKind::List));
            }
            TYPE_SET => {
                let n = self.r_size("set", 1)?;
                return Ok(self.open_seq(n, flag, SeqKind::Set));
            }
            TYPE_FROZENSET => {
                let n = self.r_size("frozenset", 1)?;
                return Ok(self.open_seq(n, flag, SeqKind::FrozenSet));
            }
            TYPE_DICT => {
                let slot = self.reserve(flag);
                return Ok(Head::Open(Frame::Dict { slot, flag, pairs: Vec::new(), key: None, frozen: false }));
            }
            // 3.15.0rc1 reserves a reference index for a flagged frozendict but never fills it:
            // every later `TYPE_REF` to it is "bad marshal data (invalid reference)" (measured,
            // even on what its own `marshal.dumps` writes for a shared frozendict).
            TYPE_FROZENDICT if self.version >= 6 => {
                let _never_filled = self.reserve(flag);
                return Ok(Head::Open(Frame::Dict { slot: None, flag, pairs: Vec::new(), key: None, frozen: true }));
            }
            TYPE_CODE => {
                let slot = self.reserve(flag);
                let mut ints = [0i32; 6];
                for v in ints.iter_mut().take(5) {
                    *v = self.r_long()?;
                }
                let frame = CodeFrame { slot, flag, start, ints, fields: [ObjId(0); 10], got: 0 };
                return Ok(Head::Open(Frame::Code(Box::new(frame))));
            }
            TYPE_SLICE if self.version >= 5 => {
                let slot = self.reserve(flag);
                return Ok(Head::Open(Frame::Slice { slot, flag, parts: [ObjId(0); 3], got: 0 }));
            }
            TYPE_REF => {
                let at = self.pos;
                let n = self.r_long()?;
                match usize::try_from(n).ok().and_then(|i| self.refs.get(i)) {
                    Some(Some(id)) => Some(*id),
                    Some(None) => return self.err(at, K::RefInProgress { index: n as u32 }),
                    None => return self.err(at, K::BadRef { index: n as i64, known: self.refs.len() }),
                }
            }
            _ => return self.err(start, K::UnknownType { code }),
        };
        Ok(Head::Value(value))
    }

    /// Starts a tuple/list/set/frozenset of `n` elements; an empty one is finished at once.
    fn open_seq(&mut self, n: usize, flag: bool, kind: SeqKind) -> Head {
        let slot = self.reserve(flag);
        if n == 0 {
            let (obj, hashable) = kind.build(Box::new([]), true);
            let id = self.push(obj, flag, hashable);
            self.fill(slot, id);
            return Head::Value(Some(id));
        }
        Head::Open(Frame::Seq { kind, slot, flag, items: Vec::with_capacity(n), n, hashable: true })
    }

    /// Gives the container on top of the stack its next child (`None` = `TYPE_NULL`, which
    /// started at `at`).
    fn accept(&mut self, frame: &mut Frame, value: Option<ObjId>, at: usize) -> R<Step> {
        match frame {
            Frame::Seq { kind, slot, flag, items, n, hashable } => {
                let Some(id) = value else {
                    return self.err(at, K::NullObject { context: kind.context() });
                };
                let h = self.is_hashable(id);
                if !h && kind.needs_hashable() {
                    let type_name = self.graph.get(id).map_or("?", Obj::type_name);
                    return self.err(at, K::Unhashable { type_name });
                }
                *hashable &= h;
                items.push(id);
                if items.len() < *n {
                    return Ok(Step::More);
                }
                let (obj, hashable) = kind.build(std::mem::take(items).into_boxed_slice(), *hashable);
                Ok(Step::Done(obj, *flag, *slot, hashable))
            }
            // TYPE_DICT: key/value pairs up to a TYPE_NULL key. As in CPython, a TYPE_NULL value
            // also ends the dict (dropping its key).
            Frame::Dict { slot, flag, pairs, key, frozen } => match (key.take(), value) {
                (None, Some(k)) => {
                    *key = Some((k, at));
                    Ok(Step::More)
                }
                (Some((k, key_at)), Some(v)) => {
                    if !self.is_hashable(k) {
                        let type_name = self.graph.get(k).map_or("?", Obj::type_name);
                        return self.err(key_at, K::Unhashable { type_name });
                    }
                    pairs.push((k, v));
                    Ok(Step::More)
                }
                (_, None) => {
                    let pairs = std::mem::take(pairs).into_boxed_slice();
                    if *frozen {
                        // Hashable when every value is (the keys are, or reading failed).
                        let hashable = pairs.iter().all(|&(_, v)| self.is_hashable(v));
                        Ok(Step::Done(Obj::FrozenDict(pairs), *flag, None, hashable))
                    } else {
                        Ok(Step::Done(Obj::Dict(pairs), *flag, *slot, false))
                    }
                }
            },
            Frame::Slice { slot, flag, parts, got } => {
                let Some(id) = value else {
                    return self.err(at, K::NullObject { context: "slice" });
                };
                if let Some(p) = parts.get_mut(*got as usize) {
                    *p = id;
                }
                *got += 1;
                if *got < 3 {
                    return Ok(Step::More);
                }
                let hashable = parts.iter().all(|&p| self.is_hashable(p));
                Ok(Step::Done(Obj::Slice(*parts), *flag, *slot, hashable))
            }
            Frame::Code(cf) => {
                let Some(id) = value else {
                    return self.err(at, K::NullObject { context: "code object" });
                };
                if let Some(f) = cf.fields.get_mut(cf.got as usize) {
                    *f = id;
                }
                cf.got += 1;
                // co_firstlineno sits between co_qualname (8th object) and co_linetable.
                if cf.got == 8 {
                    cf.ints[5] = self.r_long()?;
                }
                if cf.got < 10 {
                    return Ok(Step::More);
                }
                self.finish_code(cf)
            }
        }
    }

    /// Builds the code object, then applies the checks of `_PyCode_Validate`/`intern_strings`.
    fn finish_code(&mut self, cf: &CodeFrame) -> R<Step> {
        let [argcount, posonlyargcount, kwonlyargcount, stacksize, flags, firstlineno] = cf.ints;
        let [code, consts, names, localsplusnames, localspluskinds, filename, name, qualname, linetable, exceptiontable] = cf.fields;
        let co = Code {
            argcount,
            posonlyargcount,
            kwonlyargcount,
            stacksize,
            flags: flags as u32,
            code,
            consts,
            names,
            localsplusnames,
            localspluskinds,
            filename,
            name,
            qualname,
            firstlineno,
            linetable,
            exceptiontable,
        };
        if let Err(reason) = validate_code(&self.graph, &co) {
            return self.err(cf.start, K::BadCode { reason });
        }
        // Code objects hash their constants (`code_hash`).
        let hashable = self.is_hashable(consts);
        Ok(Step::Done(Obj::Code(Box::new(co)), cf.flag, cf.slot, hashable))
    }

    /// `r_PyLong`: a sign-and-size word, then that many 15-bit digits, least significant first.
    fn r_pylong(&mut self) -> R<Obj> {
        let at = self.pos;
        let n = self.r_long()?;
        if n == 0 {
            return Ok(Obj::Int(0));
        }
        if n == i32::MIN {
            return self.err(at, K::SizeOutOfRange { what: "long", size: n as i64 });
        }
        let negative = n < 0;
        let count = n.unsigned_abs() as usize;
        self.check_fits(at, "long", count, 2)?;
        let digits_at = self.pos;
        let raw = self.r_bytes(count * 2)?;
        for (i, pair) in raw.chunks_exact(2).enumerate() {
            let d = u16::from_le_bytes([pair[0], pair[1]]);
            if d >= 0x8000 {
                return self.err(digits_at + 2 * i, K::BadLong { reason: "digit out of range in long" });
            }
            if d == 0 && i == count - 1 {
                return self.err(digits_at + 2 * i, K::BadLong { reason: "unnormalized long data" });
            }
        }
        let digit = |i: usize| u16::from_le_bytes([raw[2 * i], raw[2 * i + 1]]);
        if count <= 8 {
            let mut mag: u128 = 0;
            for i in (0..count).rev() {
                mag = (mag << 15) | digit(i) as u128;
            }
            let v = if negative { -(mag as i128) } else { mag as i128 };
            if let Ok(v) = i64::try_from(v) {
                return Ok(Obj::Int(v));
            }
        }
        let mag = biguint_from_15bit(raw);
        let sign = if negative { Sign::Minus } else { Sign::Plus };
        Ok(Obj::BigInt(Box::new(BigInt::from_biguint(sign, mag))))
    }

    /// `TYPE_FLOAT`/`TYPE_COMPLEX` text: a one-byte length and the repr, parsed like
    /// `PyOS_string_to_double` (which stops at an embedded NUL).
    fn r_float_str(&mut self) -> R<f64> {
        let n = self.r_byte()? as usize;
        let at = self.pos;
        let b = self.r_bytes(n)?;
        let b = match b.iter().position(|&c| c == 0) {
            Some(i) => &b[..i],
            None => b,
        };
        match parse_py_float(b) {
            Some(v) => Ok(v),
            None => self.err(at, K::BadFloat),
        }
    }
}

/// What [`Reader::r_head`] found: a finished object (`None` = `TYPE_NULL`) or an opened
/// container whose children come next.
enum Head {
    Value(Option<ObjId>),
    Open(Frame),
}

/// What a container does with a child: wait for more, or finish as `(obj, flag_ref, reserved
/// reference slot, hashable)`.
enum Step {
    More,
    Done(Obj, bool, Option<usize>, bool),
}

/// A container being read (one per nesting level).
enum Frame {
    Seq {
        kind: SeqKind,
        slot: Option<usize>,
        flag: bool,
        items: Vec<ObjId>,
        n: usize,
        hashable: bool,
    },
    /// `key` is a key read whose value has not been, with its offset.
    Dict {
        slot: Option<usize>,
        flag: bool,
        pairs: Vec<(ObjId, ObjId)>,
        key: Option<(ObjId, usize)>,
        /// `TYPE_FROZENDICT` (its reference slot is never filled, see `r_head`).
        frozen: bool,
    },
    Slice {
        slot: Option<usize>,
        flag: bool,
        parts: [ObjId; 3],
        got: u8,
    },
    Code(Box<CodeFrame>),
}

struct CodeFrame {
    slot: Option<usize>,
    flag: bool,
    start: usize,
    /// argcount, posonlyargcount, kwonlyargcount, stacksize, flags, firstlineno.
    ints: [i32; 6],
    /// The ten object fields in marshal order.
    fields: [ObjId; 10],
    got: u8,
}

#[derive(Clone, Copy)]
enum SeqKind {
    Tuple,
    List,
    Set,
    FrozenSet,
}

impl SeqKind {
    fn context(self) -> &'static str {
        match self {
            SeqKind::Tuple => "tuple",
            SeqKind::List => "list",
            SeqKind::Set => "set",
            SeqKind::FrozenSet => "frozenset",
        }
    }

    fn needs_hashable(self) -> bool {
        matches!(self, SeqKind::Set | SeqKind::FrozenSet)
    }

    /// The object and whether it is hashable, given whether all its items are.
    fn build(self, items: Box<[ObjId]>, all_hashable: bool) -> (Obj, bool) {
        match self {
            SeqKind::Tuple => (Obj::Tuple(items), all_hashable),
            SeqKind::List => (Obj::List(items), false),
            SeqKind::Set => (Obj::Set(items), false),
            SeqKind::FrozenSet => (Obj::FrozenSet(items), true),
        }
    }
}

/// The checks CPython applies when building a code object from marshal data
/// (`_PyCode_Validate` in `Objects/codeobject.c`, then `intern_strings` on `co_names` and
/// `co_localsplusnames`). Returns the reason for refusing.
pub(crate) fn validate_code(g: &ObjectGraph, co: &Code) -> Result<(), &'static str> {
    if co.argcount < co.posonlyargcount || co.posonlyargcount < 0 || co.kwonlyargcount < 0 || co.stacksize < 0 || (co.flags as i32) < 0 {
        return Err("negative or inconsistent argument counts, stacksize or flags");
    }
    let is_str = |id: ObjId| matches!(g.get(id), Some(Obj::Str(_)));
    let Some(code) = g.bytes(co.code) else {
        return Err("co_code is not bytes");
    };
    if g.tuple(co.consts).is_none() {
        return Err("co_consts is not a tuple");
    }
    let Some(names) = g.tuple(co.names) else {
        return Err("co_names is not a tuple");
    };
    let Some(lpnames) = g.tuple(co.localsplusnames) else {
        return Err("co_localsplusnames is not a tuple");
    };
    let Some(kinds) = g.bytes(co.localspluskinds) else {
        return Err("co_localspluskinds is not bytes");
    };
    if lpnames.len() != kinds.len() {
        return Err("co_localsplusnames and co_localspluskinds differ in length");
    }
    if !is_str(co.name) || !is_str(co.qualname) || !is_str(co.filename) {
        return Err("co_name, co_qualname or co_filename is not a str");
    }
    if g.bytes(co.linetable).is_none() || g.bytes(co.exceptiontable).is_none() {
        return Err("co_linetable or co_exceptiontable is not bytes");
    }
    if code.len() % 2 != 0 || code.len() > i32::MAX as usize {
        return Err("co_code is malformed");
    }
    let nlocals = kinds.iter().filter(|&&k| k & pycode_object::fast_kind::LOCAL != 0).count() as i64;
    let nplain = nlocals
        - co.argcount as i64
        - co.kwonlyargcount as i64
        - ((co.flags & CO_VARARGS != 0) as i64)
        - ((co.flags & CO_VARKEYWORDS != 0) as i64);
    if nplain < 0 {
        return Err("co_varnames is too small");
    }
    if !names.iter().all(|&n| is_str(n)) || !lpnames.iter().all(|&n| is_str(n)) {
        return Err("non-string found in code slot");
    }
    Ok(())
}

/// Magnitude from little-endian 15-bit digits (two bytes each, already range-checked).
fn biguint_from_15bit(raw: &[u8]) -> BigUint {
    let mut words: Vec<u32> = vec![0; (raw.len() / 2 * 15).div_ceil(32)];
    for (i, pair) in raw.chunks_exact(2).enumerate() {
        let d = u16::from_le_bytes([pair[0], pair[1]]) as u64;
        let bit = i * 15;
        let (w, off) = (bit / 32, bit % 32);
        let v = d << off;
        if let Some(x) = words.get_mut(w) {
            *x |= v as u32;
        }
        if let Some(x) = words.get_mut(w + 1) {
            *x |= (v >> 32) as u32;
        }
    }
    BigUint::new(words)
}

/// `PyOS_string_to_double(s, NULL, NULL)`: an optional sign, then digits with an optional point
/// and exponent, or `inf`/`infinity`/`nan` in any case. No whitespace, underscores or hex.
pub(crate) fn parse_py_float(b: &[u8]) -> Option<f64> {
    let s = std::str::from_utf8(b).ok()?;
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let lower = body.to_ascii_lowercase();
    let negative = s.starts_with('-');
    if lower == "inf" || lower == "infinity" {
        return Some(if negative { f64::NEG_INFINITY } else { f64::INFINITY });
    }
    if lower == "nan" {
        return Some(if negative { -f64::NAN } else { f64::NAN });
    }
    // Decimal syntax: digits [. digits] [e [sign] digits], at least one mantissa digit.
    let bytes = body.as_bytes();
    let mut i = 0;
    let mut mantissa_digits = 0;
    while bytes.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
        mantissa_digits += 1;
    }
    if bytes.get(i) == Some(&b'.') {
        i += 1;
        while bytes.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
            mantissa_digits += 1;
        }
    }
    if mantissa_digits == 0 {
        return None;
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(bytes.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let exp_start = i;
        while bytes.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == exp_start {
            return None;
        }
    }
    if i != bytes.len() {
        return None;
    }
    s.parse::<f64>().ok()
}
