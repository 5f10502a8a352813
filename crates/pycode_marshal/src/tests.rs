//! Unit tests: every type code, the writer's choices, hostile inputs (one per error kind), the
//! `.pyc` header and `source_hash`. Expected bytes were produced by CPython's `marshal.dumps`
//! (3.11.7 unless noted).

use super::*;
use pycode_object::{Obj, ObjId, ObjectGraph, PyStr};
use pycode_release::Release;

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("test hex")).collect()
}

fn load4(b: &[u8]) -> (ObjectGraph, ObjId) {
    loads(b, 4).unwrap_or_else(|e| panic!("{e}"))
}

fn err4(b: &[u8]) -> MarshalError {
    match loads(b, 4) {
        Ok((g, root)) => panic!("accepted: {:?}", g.get(root)),
        Err(e) => e,
    }
}

/// Reads and writes back; the bytes must be identical.
fn round_trip(b: &[u8], version: u8) -> (ObjectGraph, ObjId) {
    let (g, root) = loads(b, version).unwrap_or_else(|e| panic!("{e}"));
    let out = dumps(&g, root, version).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out, b, "round trip changed the bytes");
    (g, root)
}

#[test]
fn singletons() {
    for (b, want) in [(b"N", Obj::None), (b"F", Obj::False), (b"T", Obj::True), (b"S", Obj::StopIteration), (b".", Obj::Ellipsis)] {
        let (g, root) = round_trip(b, 4);
        assert_eq!(g.get(root), Some(&want));
    }
    // FLAG_REF on a singleton is ignored and registers nothing: the ref below is index 0 = 'x'.
    let (g, root) = load4(&hex("29 03 ce da 01 78 72 00000000"));
    let t = g.tuple(root).unwrap();
    assert_eq!(g.get(t[0]), Some(&Obj::None));
    assert_eq!(t[1], t[2]);
}

#[test]
fn ints() {
    for (h, v) in [("e9 05000000", 5i64), ("e9 fbffffff", -5), ("e9 ffffff7f", i32::MAX as i64), ("e9 00000080", i32::MIN as i64)] {
        let (g, root) = round_trip(&hex(h), 4);
        assert_eq!(g.get(root), Some(&Obj::Int(v)));
        assert!(g.node(root).unwrap().flag_ref);
    }
    // 2**31 and -2**31-1 need TYPE_LONG (marshal.dumps(2**31) == 'l' 3 digits 0 0 2).
    let (g, root) = round_trip(&hex("6c 03000000 0000 0000 0200"), 4);
    assert_eq!(g.get(root), Some(&Obj::Int(1 << 31)));
    let (g, root) = round_trip(&hex("6c fdffffff 0100 0000 0200"), 4);
    assert_eq!(g.get(root), Some(&Obj::Int(-(1 << 31) - 1)));
    // 2**40 (FLAG_REF, as CPython writes it when the int is shared).
    let (g, root) = round_trip(&hex("ec 03000000 0000 0000 0004"), 4);
    assert_eq!(g.get(root), Some(&Obj::Int(1 << 40)));
    // TYPE_INT64 is still read, and written back as TYPE_INT.
    let (g, root) = load4(&hex("49 0500000000000000"));
    assert_eq!(g.get(root), Some(&Obj::Int(5)));
    assert_eq!(dumps(&g, root, 4).unwrap(), hex("69 05000000"));
    // i64::MIN and i64::MAX go through TYPE_LONG and come back as Int.
    for v in [i64::MIN, i64::MAX, i64::MAX - 12345, -(1 << 62)] {
        let mut g = ObjectGraph::new();
        let id = g.push(Obj::Int(v), false);
        let b = dumps(&g, id, 4).unwrap();
        assert_eq!(b[0], TYPE_LONG);
        let (g2, r2) = round_trip(&b, 4);
        assert_eq!(g2.get(r2), Some(&Obj::Int(v)));
    }
}

#[test]
fn big_ints() {
    // 2**100 + 1 (from CPython: marshal.dumps(2**100+1)).
    let b = hex("6c 07000000 0100 0000 0000 0000 0000 0000 0004");
    let (g, root) = round_trip(&b, 4);
    let want: pycode_object::BigInt = (pycode_object::BigInt::from(1) << 100usize) + 1;
    assert_eq!(g.get(root), Some(&Obj::BigInt(Box::new(want.clone()))));
    let (g, root) = round_trip(&hex("6c f9ffffff 0100 0000 0000 0000 0000 0000 0004"), 4);
    assert_eq!(g.get(root), Some(&Obj::BigInt(Box::new(-want))));
    // A BigInt holding a small value is written as TYPE_INT, as CPython does for any int.
    let mut g = ObjectGraph::new();
    let id = g.push(Obj::BigInt(Box::new(pycode_object::BigInt::from(-7))), false);
    assert_eq!(dumps(&g, id, 4).unwrap(), hex("69 f9ffffff"));
    // Huge: 15 * 1000 bits, all ones.
    let mut b = vec![TYPE_LONG];
    b.extend_from_slice(&1000i32.to_le_bytes());
    for _ in 0..1000 {
        b.extend_from_slice(&0x7fffu16.to_le_bytes());
    }
    round_trip(&b, 4);
}

#[test]
fn floats_and_complex() {
    let (g, root) = round_trip(&hex("e7 000000000000f83f"), 4);
    assert_eq!(g.get(root), Some(&Obj::Float(1.5)));
    let (g, root) = round_trip(&hex("79 000000000000f03f 00000000000000c0"), 4);
    assert_eq!(g.get(root), Some(&Obj::Complex { real: 1.0, imag: -2.0 }));
    // NaN payloads and -0.0 survive bit for bit.
    round_trip(&hex("67 010000000000f87f"), 4);
    round_trip(&hex("67 0000000000000080"), 4);
    // The old text forms are read (and written back as binary, as CPython does).
    for (text, want) in [
        (&b"1.5"[..], 1.5),
        (b"inf", f64::INFINITY),
        (b"-Infinity", f64::NEG_INFINITY),
        (b"1.", 1.0),
        (b".5", 0.5),
        (b"1e3", 1000.0),
        (b"1.5\0garbage", 1.5),
    ] {
        let mut b = vec![TYPE_FLOAT, text.len() as u8];
        b.extend_from_slice(text);
        let (g, root) = load4(&b);
        assert_eq!(g.get(root), Some(&Obj::Float(want)), "{text:?}");
        assert_eq!(dumps(&g, root, 4).unwrap()[0], TYPE_BINARY_FLOAT);
    }
    let (g, root) = load4(b"f\x03nan");
    assert!(matches!(g.get(root), Some(Obj::Float(v)) if v.is_nan()));
    let (g, root) = load4(b"x\x011\x04-2.5");
    assert_eq!(g.get(root), Some(&Obj::Complex { real: 1.0, imag: -2.5 }));
    for bad in [&b" 1.5"[..], b"1_0", b"0x1", b".", b"", b"1e", b"e5", b"1.5 ", b"++1"] {
        let mut b = vec![TYPE_FLOAT, bad.len() as u8];
        b.extend_from_slice(bad);
        assert_eq!(err4(&b).kind, MarshalErrorKind::BadFloat, "{bad:?}");
    }
}

#[test]
fn strings() {
    // bytes, short/long ASCII, interned or not, non-ASCII, surrogates.
    let (g, root) = round_trip(&hex("73 03000000 616263"), 4);
    assert_eq!(g.bytes(root), Some(&b"abc"[..]));
    let (g, root) = round_trip(&hex("da 03 616263"), 4);
    let s = g.str(root).unwrap();
    assert!(s.is_interned() && s.as_str() == Some("abc"));
    let (g, root) = round_trip(&hex("7a 03 616263"), 4);
    assert!(!g.str(root).unwrap().is_interned());
    let long: String = "x".repeat(300);
    for (code, interned) in [(TYPE_ASCII, false), (TYPE_ASCII_INTERNED, true)] {
        let mut b = vec![code];
        b.extend_from_slice(&300i32.to_le_bytes());
        b.extend_from_slice(long.as_bytes());
        let (g, root) = round_trip(&b, 4);
        assert_eq!(g.str(root).unwrap().is_interned(), interned);
    }
    // A 255-char ASCII string is still short; 256 is not.
    let mut g = ObjectGraph::new();
    let a = g.push(Obj::Str(PyStr::new(&"y".repeat(255), false)), false);
    let b = g.push(Obj::Str(PyStr::new(&"y".repeat(256), false)), false);
    assert_eq!(dumps(&g, a, 4).unwrap()[..2], [TYPE_SHORT_ASCII, 255]);
    assert_eq!(dumps(&g, b, 4).unwrap()[..5], [TYPE_ASCII, 0, 1, 0, 0]);
    let (g, root) = round_trip(&hex("75 02000000 c3a9"), 4);
    assert_eq!(g.str(root).unwrap().as_str(), Some("é"));
    let (g, root) = round_trip(&hex("f4 02000000 c3a9"), 4);
    assert!(g.str(root).unwrap().is_interned());
    let (g, root) = round_trip(&hex("75 03000000 edb080"), 4);
    assert_eq!(g.str(root).unwrap().code_points().collect::<Vec<_>>(), vec![0xDC00]);
    // ASCII type codes are read as Latin-1 (as CPython does); such a string is written as 'u'.
    let (g, root) = load4(&hex("61 01000000 e9"));
    assert_eq!(g.str(root).unwrap().as_str(), Some("é"));
    assert_eq!(dumps(&g, root, 4).unwrap(), hex("75 02000000 c3a9"));
    // A 'u' string that is ASCII comes back as 'z' (CPython: marshal.dumps('a') == b'\xda\x01a').
    let (g, root) = load4(&hex("75 01000000 61"));
    assert_eq!(dumps(&g, root, 4).unwrap(), hex("7a 01 61"));
    round_trip(&hex("7a 00"), 4);
    round_trip(&hex("73 00000000"), 4);
}

#[test]
fn containers() {
    round_trip(&hex("a9 00"), 4);
    round_trip(&hex("29 02 e9 01000000 4e"), 4);
    // 256 elements need TYPE_TUPLE.
    let mut b = vec![TYPE_TUPLE];
    b.extend_from_slice(&256i32.to_le_bytes());
    b.extend(std::iter::repeat_n(TYPE_NONE, 256));
    let (g, root) = round_trip(&b, 4);
    assert_eq!(g.tuple(root).unwrap().len(), 256);
    // A long-form tuple of 3 is read, and written back as a small tuple.
    let (g, root) = load4(&hex("28 01000000 4e"));
    assert_eq!(dumps(&g, root, 4).unwrap(), hex("29 01 4e"));
    round_trip(&hex("5b 02000000 e9 01000000 5b 00000000"), 4);
    // Dict: NULL-terminated pairs.
    let (g, root) = round_trip(&hex("fb e9 01000000 e9 02000000 30"), 4);
    assert!(matches!(g.get(root), Some(Obj::Dict(p)) if p.len() == 1));
    // A NULL value ends the dict too (CPython drops the key).
    let (g, root) = load4(&hex("7b e9 01000000 30"));
    assert!(matches!(g.get(root), Some(Obj::Dict(p)) if p.is_empty()));
    // Sets keep their read order.
    let b = hex("be 05000000 da0161 da0162 da0163 da027a7a da03616161");
    round_trip(&b, 4);
    round_trip(&hex("bc 01000000 e9 01000000"), 4);
    round_trip(&hex("3e 00000000"), 4);
}

#[test]
fn sorted_sets_match_cpython() {
    // frozenset({3,1,2,1000000,-5,2**40}) as CPython writes it (sorted by element dumps).
    let want = hex("be06000000e901000000e902000000e903000000e940420f00e9fbffffffec03000000000000000004");
    let (g, root) = load4(&want);
    // Scramble the element order, then ask the writer to sort.
    let mut g2 = g.clone();
    if let Some(node) = g2.node_mut(root) {
        if let Obj::FrozenSet(items) = &mut node.obj {
            items.reverse();
        }
    }
    assert_ne!(dumps(&g2, root, 4).unwrap(), want);
    let opts = DumpOptions { version: 4, sort_sets: true };
    assert_eq!(dumps_with(&g2, root, &opts).unwrap(), want);
    // frozenset({1.5, 'x', b'y', (1,2)})
    let want = hex("be04000000a902e901000000e902000000da0178e7000000000000f83ff30100000079");
    let (mut g, root) = load4(&want);
    if let Some(node) = g.node_mut(root) {
        if let Obj::FrozenSet(items) = &mut node.obj {
            items.rotate_left(1);
        }
    }
    assert_eq!(dumps_with(&g, root, &opts).unwrap(), want);
}

#[test]
fn refs_round_trip_and_share() {
    // ('abc', 'abc') with the string shared: second occurrence is TYPE_REF 1 (tuple is ref 0).
    let b = hex("a9 02 da 03 616263 72 01000000");
    let (g, root) = round_trip(&b, 4);
    let t = g.tuple(root).unwrap();
    assert_eq!(t[0], t[1]);
    // Flagged objects that are never referenced still keep their flag.
    round_trip(&hex("a9 02 da 01 61 da 01 62"), 4);
    // Unflagged duplicates are written in full each time.
    let mut g = ObjectGraph::new();
    let s = g.push(Obj::Str(PyStr::new("q", false)), false);
    let t = g.push(Obj::Tuple(vec![s, s].into()), false);
    assert_eq!(dumps(&g, t, 4).unwrap(), hex("29 02 7a 01 71 7a 01 71"));
}

/// `dumps` of an object inside a larger graph (its own small buffer and reference table) writes
/// what the whole-graph writer writes for it, shared and unshared references included.
#[test]
fn inner_roots_write_as_whole_graph_roots() {
    let mut g = ObjectGraph::new();
    let a = g.push(Obj::Str(PyStr::new("shared", false)), true);
    let b = g.push(Obj::Str(PyStr::new("plain", false)), false);
    let inner = g.push(Obj::Tuple(vec![a, b, a, b].into()), true);
    let fs = g.push(Obj::FrozenSet(vec![inner, a].into()), true);
    let outer = g.push(Obj::Tuple(vec![fs, inner, a].into()), false);
    let mut checked = 0;
    for root in [a, b, inner, fs, outer] {
        let mut whole = Vec::new();
        dump_into(&g, root, &DumpOptions::new(4), &mut whole).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(dumps(&g, root, 4).unwrap_or_else(|e| panic!("{e}")), whole, "{root:?}");
        checked += 1;
    }
    assert_eq!(checked, 5);
    assert_eq!(
        dumps(&g, inner, 4).unwrap_or_else(|e| panic!("{e}")),
        hex("a9 04 fa 06 736861726564 7a 05 706c61696e 72 01000000 7a 05 706c61696e")
    );
}

#[test]
fn slices_only_in_version_5() {
    let b = hex("ba 4e e9 01000000 4e");
    let (g, root) = round_trip(&b, 5);
    assert!(matches!(g.get(root), Some(Obj::Slice(_))));
    assert_eq!(err4(&b).kind, MarshalErrorKind::UnknownType { code: 0xba });
    assert!(matches!(dumps(&g, root, 4).unwrap_err().kind, MarshalErrorKind::Unmarshallable { .. }));
}

/// A minimal valid code object: `def f(): pass` shaped, built by hand.
fn code_bytes(argcount: i32, kinds: &[u8], names_ok: bool) -> Vec<u8> {
    let mut b = vec![TYPE_CODE];
    for v in [argcount, 0, 0, 1, 3] {
        b.extend_from_slice(&v.to_le_bytes());
    }
    b.extend_from_slice(&hex("73 02000000 9700")); // co_code
    b.extend_from_slice(&hex("29 01 4e")); // consts
    if names_ok {
        b.extend_from_slice(&hex("29 01 7a 01 78")); // names ('x',)
    } else {
        b.extend_from_slice(&hex("29 01 e9 01000000")); // names (1,)
    }
    b.push(TYPE_SMALL_TUPLE);
    b.push(kinds.len() as u8);
    for i in 0..kinds.len() {
        b.extend_from_slice(&[TYPE_SHORT_ASCII, 1, b'a' + i as u8]);
    }
    b.push(TYPE_STRING);
    b.extend_from_slice(&(kinds.len() as i32).to_le_bytes());
    b.extend_from_slice(kinds);
    b.extend_from_slice(&hex("7a 04 662e7079 7a 01 66 7a 01 66")); // filename, name, qualname
    b.extend_from_slice(&1i32.to_le_bytes());
    b.extend_from_slice(&hex("73 00000000 73 00000000"));
    b
}

#[test]
fn code_objects() {
    let (g, root) = round_trip(&code_bytes(1, &[0x26], true), 4);
    let co = g.code(root).unwrap();
    assert_eq!((co.argcount, co.stacksize, co.flags, co.firstlineno), (1, 1, 3, 1));
    round_trip(&code_bytes(1, &[0x26], true), 5);
    // Too few locals for the arguments.
    let e = err4(&code_bytes(2, &[0x26], true));
    assert_eq!(e.kind, MarshalErrorKind::BadCode { reason: "co_varnames is too small" });
    assert_eq!(e.offset, 0);
    // Non-string name.
    let e = err4(&code_bytes(0, &[], false));
    assert_eq!(e.kind, MarshalErrorKind::BadCode { reason: "non-string found in code slot" });
    // Odd-length bytecode.
    let mut b = code_bytes(0, &[], true);
    let at = 21;
    assert_eq!(&b[at..at + 7], &hex("73 02000000 9700")[..]);
    b.splice(at..at + 7, hex("73 01000000 97"));
    assert_eq!(err4(&b).kind, MarshalErrorKind::BadCode { reason: "co_code is malformed" });
    // co_code of the wrong type.
    let mut b = code_bytes(0, &[], true);
    b.splice(at..at + 7, hex("4e"));
    assert_eq!(err4(&b).kind, MarshalErrorKind::BadCode { reason: "co_code is not bytes" });
    // Negative flags.
    let mut b = code_bytes(0, &[], true);
    b[17..21].copy_from_slice(&(-1i32).to_le_bytes());
    assert!(matches!(err4(&b).kind, MarshalErrorKind::BadCode { .. }));
    // Mismatched kinds length.
    let mut b = code_bytes(0, &[], true);
    let k = b.len() - 26 - 5;
    assert_eq!(&b[k..k + 5], &hex("73 00000000")[..]);
    b.splice(k..k + 5, hex("73 01000000 20"));
    assert!(matches!(err4(&b).kind, MarshalErrorKind::BadCode { .. }));
}

#[test]
fn hostile_inputs() {
    use MarshalErrorKind as K;
    assert_eq!(err4(b"").kind, K::Truncated { needed: 1 });
    assert_eq!(err4(b"i\x01\x00").kind, K::Truncated { needed: 2 });
    assert_eq!(err4(b"?").kind, K::UnknownType { code: b'?' });
    assert_eq!(err4(b"0").kind, K::NullObject { context: "object" });
    assert_eq!(err4(b")\x010").kind, K::NullObject { context: "tuple" });
    assert!(matches!(err4(b"s\xff\xff\xff\xff").kind, K::SizeOutOfRange { .. }));
    assert!(matches!(err4(b"(\xff\xff\xff\x7f").kind, K::LengthTooLarge { .. }));
    assert!(matches!(err4(b"[\x00\x00\x00\x10N").kind, K::LengthTooLarge { .. }));
    assert!(matches!(err4(b"s\x05\x00\x00\x00ab").kind, K::LengthTooLarge { .. }));
    assert!(matches!(err4(b"l\x00\x00\x01\x00").kind, K::LengthTooLarge { .. }));
    assert!(matches!(err4(b"l\x00\x00\x00\x80").kind, K::SizeOutOfRange { .. }));
    let e = err4(b"r\x00\x00\x00\x00");
    assert_eq!((e.offset, e.kind), (1, K::BadRef { index: 0, known: 0 }));
    assert!(matches!(err4(b"r\xff\xff\xff\xff").kind, K::BadRef { index: -1, .. }));
    // Self-references (CPython builds a cycle for lists and tuples; we refuse).
    assert_eq!(err4(&hex("db 01000000 72 00000000")).kind, K::RefInProgress { index: 0 });
    assert_eq!(err4(&hex("a9 01 72 00000000")).kind, K::RefInProgress { index: 0 });
    let e = err4(&hex("75 03000000 61 c0 80"));
    assert_eq!((e.offset, e.kind), (6, K::InvalidUtf8 { at: 1 }));
    assert!(matches!(err4(&hex("6c 01000000 0080")).kind, K::BadLong { .. }));
    assert!(matches!(err4(&hex("6c 02000000 0100 0000")).kind, K::BadLong { .. }));
    assert_eq!(err4(&hex("bc 01000000 5b 00000000")).kind, K::Unhashable { type_name: "list" });
    assert_eq!(err4(&hex("fb 29 01 7b 30 4e 30")).kind, K::Unhashable { type_name: "tuple" });
    // A tuple of hashables is a fine key.
    load4(&hex("fb 29 01 e9 01000000 4e 30"));
    assert_eq!(err4(b"NN").kind, K::TrailingData { len: 1 });
    assert_eq!(loads_prefix(b"NN", 4).unwrap().2, 1);
    assert_eq!(loads(b"N", 3).unwrap_err().kind, K::UnsupportedVersion { version: 3 });
}

#[test]
fn depth_limit_matches_cpython() {
    // CPython (non-Windows, non-emscripten): 1999 nested tuples + None read, 2000 do not.
    let nest = |k: usize| {
        let mut b = Vec::with_capacity(2 * k + 1);
        for _ in 0..k {
            b.extend_from_slice(&[TYPE_SMALL_TUPLE, 1]);
        }
        b.push(TYPE_NONE);
        b
    };
    let (g, root) = round_trip(&nest(1999), 4);
    let e = err4(&nest(2000));
    assert_eq!(e.kind, MarshalErrorKind::TooDeep { limit: 2000 });
    // The writer has the same limit: 2000 nested tuples cannot be written.
    let mut g = g;
    let root = g.push(Obj::Tuple(vec![root].into()), false);
    assert!(matches!(dumps(&g, root, 4).unwrap_err().kind, MarshalErrorKind::TooDeep { .. }));
    // Deep hostile nesting of every container kind fails cleanly.
    for code in [b'[', b'<', b'>', b'('] {
        let mut b = Vec::new();
        for _ in 0..100_000 {
            b.push(code);
            b.extend_from_slice(&1i32.to_le_bytes());
        }
        assert!(loads(&b, 4).is_err());
    }
    let b: Vec<u8> = std::iter::repeat_n(b'{', 100_000).collect();
    assert!(matches!(err4(&b).kind, MarshalErrorKind::TooDeep { .. }));
}

#[test]
fn writer_rejects_bad_graphs() {
    let g = ObjectGraph::new();
    assert_eq!(dumps(&g, ObjId(3), 4).unwrap_err().kind, MarshalErrorKind::BadObjId { id: 3 });
    // A cycle (only constructible by hand) hits the depth limit instead of looping.
    let mut g = ObjectGraph::new();
    let l = g.push(Obj::List(Box::new([])), false);
    g.set(l, Obj::List(vec![l].into()));
    assert!(matches!(dumps(&g, l, 4).unwrap_err().kind, MarshalErrorKind::TooDeep { .. }));
    // With FLAG_REF the cycle is written as CPython would (a back-reference).
    g.node_mut(l).unwrap().flag_ref = true;
    assert_eq!(dumps(&g, l, 4).unwrap(), hex("db 01000000 72 00000000"));
}

#[test]
fn source_hash_matches_each_release() {
    // importlib.util.source_hash(b"hello") in each release (native, pyenv and Pyodide agree).
    for (r, want) in [
        (Release::V3_11_7, "7c360be58bb7a2aa"),
        (Release::V3_12_1, "9bca4702dbaedbed"),
        (Release::V3_12_7, "9bca4702dbaedbed"),
        (Release::V3_13_0, "aa4d9968b297cf0d"),
        (Release::V3_13_2, "aa4d9968b297cf0d"),
        (Release::V3_14_2, "84e397fdb7fb6d47"),
    ] {
        assert_eq!(source_hash(r, b"hello").to_vec(), hex(want), "{r}");
    }
}

#[test]
fn pyc_headers() {
    let body = hex("4e");
    for (flags, kind) in [
        (0u32, PycKind::Timestamp { mtime: 0x01020304, source_size: 77 }),
        (1, PycKind::UncheckedHash { source_hash: [1, 2, 3, 4, 5, 6, 7, 8] }),
        (3, PycKind::CheckedHash { source_hash: [8, 7, 6, 5, 4, 3, 2, 1] }),
    ] {
        for r in Release::ALL {
            let h = PycHeader::new(r, kind);
            assert_eq!(h.flags, flags);
            let mut file = h.to_bytes().unwrap().to_vec();
            file.extend_from_slice(&body);
            let pyc = read_pyc(&file).unwrap();
            assert_eq!(pyc.header.kind, kind);
            assert_eq!(pyc.release().magic(), r.magic());
            assert_eq!(write_pyc(&pyc.header, &pyc.graph, pyc.root).unwrap(), file);
        }
    }
    let mut file = PycHeader::new(Release::V3_12_1, PycKind::Timestamp { mtime: 1, source_size: 2 }).to_bytes().unwrap().to_vec();
    file.push(b'N');
    // Both 3.12 releases share a magic number: the newest is picked.
    assert_eq!(read_pyc(&file).unwrap().release(), Release::V3_12_7);
    file[4] = 2; // importlib accepts flags 2 as a timestamp pyc
    let pyc = read_pyc(&file).unwrap();
    assert_eq!(write_pyc(&pyc.header, &pyc.graph, pyc.root).unwrap(), file);
    file[4] = 4;
    assert_eq!(read_pyc(&file).unwrap_err(), PycError::BadFlags { flags: 4 });
    file[4] = 0;
    file[0] = 0x42;
    assert!(matches!(read_pyc(&file).unwrap_err(), PycError::UnknownMagic { .. }));
    assert!(read_pyc(&file).unwrap_err().to_string().contains("unknown magic number"));
    assert_eq!(read_pyc(&file[..10]).unwrap_err(), PycError::TooShort { len: 10 });
    // Marshal errors are reported at file offsets; trailing data is refused.
    let mut bad = PycHeader::new(Release::V3_11_7, PycKind::Timestamp { mtime: 1, source_size: 2 }).to_bytes().unwrap().to_vec();
    bad.extend_from_slice(b"N?");
    match read_pyc(&bad).unwrap_err() {
        PycError::Marshal(e) => assert_eq!((e.offset, e.kind), (17, MarshalErrorKind::TrailingData { len: 1 })),
        e => panic!("{e}"),
    }
    bad.pop();
    bad.pop();
    bad.push(b'?');
    match read_pyc(&bad).unwrap_err() {
        PycError::Marshal(e) => assert_eq!(e.offset, 16),
        e => panic!("{e}"),
    }
    // Slices are only in 3.14 files.
    let mut f = PycHeader::new(Release::V3_13_2, PycKind::UncheckedHash { source_hash: [0; 8] }).to_bytes().unwrap().to_vec();
    f.extend_from_slice(b":NNN");
    assert!(read_pyc(&f).is_err());
    let mut f = PycHeader::new(Release::V3_14_2, PycKind::UncheckedHash { source_hash: [0; 8] }).to_bytes().unwrap().to_vec();
    f.extend_from_slice(b":NNN");
    assert!(read_pyc(&f).is_ok());
}

/// Bytes measured with CPython 3.15.0rc1 (Pyodide 315.0.0-alpha.2): `marshal.dumps` of
/// frozendicts, and what its `marshal.loads` accepts.
#[test]
fn frozendicts_only_in_version_6() {
    // frozendict({'b': 1, 'a': (2, 'x'), 3: None}) held by a variable (hence FLAG_REF).
    let b = hex("fd da0162 e9 01000000 da0161 a9 02 e9 02000000 da0178 e9 03000000 4e 30");
    let (g, root) = round_trip(&b, 6);
    assert!(matches!(g.get(root), Some(Obj::FrozenDict(p)) if p.len() == 3));
    assert_eq!(g.get(root).map(Obj::type_name), Some("frozendict"));
    // frozendict() and a NULL value ending it early (the key is dropped, as for dicts).
    round_trip(&hex("7d 30"), 6);
    let (g, root) = loads(&hex("7d da0161 30"), 6).unwrap();
    assert!(matches!(g.get(root), Some(Obj::FrozenDict(p)) if p.is_empty()));
    // Releases before 3.15 do not know the type code; their writers refuse the object.
    assert_eq!(err4(&b).kind, MarshalErrorKind::UnknownType { code: 0xfd });
    assert!(loads(&b, 5).is_err());
    assert!(matches!(dumps(&g, root, 5).unwrap_err().kind, MarshalErrorKind::Unmarshallable { .. }));
    // A flagged frozendict's reference index is never filled in 3.15.0rc1: a later TYPE_REF to
    // it is "bad marshal data (invalid reference)", even on marshal.dumps([fd, fd]).
    assert!(loads(&hex("5b 02000000 fd da0161 e9 01000000 30 72 00000000"), 6).is_err());
    // ... but it takes its index: the next flagged object is index 1.
    let (g, root) = loads(&hex("29 03 fd da0161 e9 01000000 30 e9 05000000 72 01000000"), 6).unwrap();
    assert!(matches!(g.tuple(root), Some(t) if t.len() == 3));
    // Unhashable keys are refused; a frozendict with an unhashable value is no set element.
    assert!(loads(&hex("7d 5b 00000000 e9 01000000 30"), 6).is_err());
    assert!(loads(&hex("3e 01000000 7d da0161 5b 00000000 30"), 6).is_err());
    assert!(loads(&hex("3e 01000000 7d da0161 e9 01000000 30"), 6).is_ok());
}
