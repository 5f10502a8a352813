//! The verifier accepts what pycode compiles for every implemented back end, and rejects
//! hand-broken code objects naming the rule they break. (That it accepts every `.pyc` CPython
//! wrote is the `verify` conformance feature: conformance/<release>/verify-*.txt.)

use pycode_compile::{compile_source, implemented, CompileMode};
use pycode_object::{Obj, ObjId, ObjectGraph};
use pycode_release::Release;
use pycode_verify::{verify, Rule};

const PROGRAMS: &[&str] = &[
    "x = 1\n",
    "def f(a, /, b, *args, c=3, **kw):\n    return a + b + c + len(args) + len(kw)\n",
    "class C:\n    '''doc'''\n    def m(self):\n        return [i * i for i in range(10) if i % 2]\n",
    "try:\n    import os\nexcept ImportError as e:\n    os = None\nelse:\n    pass\nfinally:\n    print('done')\n",
    "async def g(a, y):\n    async with a as b:\n        await b\n    async for x in y:\n        yield x\n",
    "match p:\n    case [1, 2, *rest]:\n        pass\n    case {'k': v, **kw}:\n        pass\n    case C(x=1) | None:\n        pass\n",
    "with open('f') as f, open('g') as g:\n    data = f.read()\n",
    "print(f'{x!r:>{width}} and {y=}')\n",
    "def outer():\n    v = 1\n    def inner():\n        nonlocal v\n        v += 1\n        return v\n    return inner\n",
    "def gen():\n    yield from range(3)\n    x = yield\n    return x\n",
    "while True:\n    try:\n        break\n    finally:\n        continue\n",
    "for i in range(3):\n    for j in range(i):\n        if j: continue\n        else: break\n",
    "try:\n    pass\nexcept* ValueError:\n    pass\n",
    "lambda *a, **k: (a, k, {**k}, [*a], {*a})\n",
    "x = [y async for y in z] if 0 else None\nasync def h():\n    return [y async for y in z]\n",
    "def deep():\n    return ((((((((((1, 2), 3), 4), 5), 6), 7), 8), 9), 10), 11)\n",
    "assert x, 'msg'\ndel x\nglobal q\nq = -1 ** 2 // 3\n",
];

fn releases() -> Vec<Release> {
    Release::ALL.iter().copied().filter(|&r| implemented(r)).collect()
}

#[test]
fn accepts_what_pycode_compiles() {
    let mut n = 0;
    for r in releases() {
        for (i, src) in PROGRAMS.iter().enumerate() {
            for optimize in [0u8, 2] {
                let Ok((g, root)) = compile_source(src.as_bytes(), "p.py", r, CompileMode::Exec, optimize) else {
                    continue; // e.g. except* before 3.11 does not exist; every release here has it
                };
                let v = verify(&g, root, r);
                assert!(v.is_empty(), "{r} program {i} -O{optimize}: {v:?}");
                n += 1;
            }
        }
    }
    assert!(n >= 6 * PROGRAMS.len(), "{n} cases");
}

/// The first code object in `g` whose name is `name`.
fn code_named(g: &ObjectGraph, name: &str) -> ObjId {
    for (i, node) in g.nodes().iter().enumerate() {
        if let Obj::Code(c) = &node.obj {
            if g.str(c.name).and_then(|s| s.as_str()) == Some(name) {
                return ObjId(i as u32);
            }
        }
    }
    panic!("no code object {name}")
}

fn compiled(src: &str) -> (ObjectGraph, ObjId, Release) {
    let r = Release::V3_12_7;
    let (g, root) = compile_source(src.as_bytes(), "m.py", r, CompileMode::Exec, 0).expect("compiles");
    assert!(verify(&g, root, r).is_empty());
    (g, root, r)
}

fn edit_code_bytes(g: &mut ObjectGraph, code: ObjId, f: impl FnOnce(&mut Vec<u8>)) {
    let Some(Obj::Code(c)) = g.get(code) else { panic!("not code") };
    let id = c.code;
    let mut b = g.bytes(id).expect("bytes").to_vec();
    f(&mut b);
    g.set(id, Obj::Bytes(b.into()));
}

fn find_op(g: &ObjectGraph, code: ObjId, r: Release, name: &str) -> usize {
    let Some(Obj::Code(c)) = g.get(code) else { panic!("not code") };
    let op = r.opcodes().opmap(name).expect("opcode") as u8;
    let b = g.bytes(c.code).expect("bytes");
    (0..b.len()).step_by(2).find(|&i| b[i] == op).expect("instruction present")
}

fn rules(g: &ObjectGraph, root: ObjId, r: Release) -> Vec<Rule> {
    verify(g, root, r).into_iter().map(|v| v.rule).collect()
}

#[test]
fn rejects_broken_code_objects() {
    let src = "def f(a):\n    def g():\n        return a\n    try:\n        return g() + 1\n    except E:\n        return 2\n\ndef gen():\n    yield 1\n";
    let mut checked = 0;

    // A constant index out of range.
    let (mut g, root, r) = compiled(src);
    let f = code_named(&g, "f");
    let at = find_op(&g, f, r, "LOAD_CONST");
    edit_code_bytes(&mut g, f, |b| b[at + 1] = 200);
    assert!(rules(&g, root, r).contains(&Rule::Operand));
    checked += 1;

    // An opcode that does not exist in 3.12.
    let (mut g, root, r) = compiled(src);
    let f = code_named(&g, "f");
    let at = find_op(&g, f, r, "BINARY_OP");
    edit_code_bytes(&mut g, f, |b| b[at] = 0xEE);
    assert!(rules(&g, root, r).contains(&Rule::Opcode));
    checked += 1;

    // A specialized opcode.
    let (mut g, root, r) = compiled(src);
    let f = code_named(&g, "f");
    let at = find_op(&g, f, r, "BINARY_OP");
    let spec = r.opcodes().all_opmap("BINARY_OP_ADD_INT").expect("specialized") as u8;
    edit_code_bytes(&mut g, f, |b| b[at] = spec);
    assert!(rules(&g, root, r).contains(&Rule::Opcode));
    checked += 1;

    // A cache unit overwritten.
    let (mut g, root, r) = compiled(src);
    let f = code_named(&g, "f");
    let at = find_op(&g, f, r, "BINARY_OP");
    let nop = r.opcodes().opmap("NOP").expect("NOP") as u8;
    edit_code_bytes(&mut g, f, |b| b[at + 2] = nop);
    assert!(rules(&g, root, r).contains(&Rule::Encoding));
    checked += 1;

    // co_stacksize too small.
    let (mut g, root, r) = compiled(src);
    let f = code_named(&g, "f");
    if let Some(Obj::Code(c)) = g.get(f) {
        let mut c = (**c).clone();
        c.stacksize -= 1;
        g.set(f, Obj::Code(Box::new(c)));
    }
    assert!(rules(&g, root, r).contains(&Rule::Stack));
    checked += 1;

    // A cell read of a plain local.
    let (mut g, root, r) = compiled(src);
    let inner = code_named(&g, "g");
    if let Some(Obj::Code(c)) = g.get(inner) {
        let kinds = c.localspluskinds;
        g.set(kinds, Obj::Bytes(vec![0x20].into()));
    }
    assert!(rules(&g, root, r).contains(&Rule::Operand));
    checked += 1;

    // A line table that stops short.
    let (mut g, root, r) = compiled(src);
    let f = code_named(&g, "f");
    if let Some(Obj::Code(c)) = g.get(f) {
        let lt = c.linetable;
        let mut t = g.bytes(lt).expect("bytes").to_vec();
        t.truncate(t.len() / 2);
        g.set(lt, Obj::Bytes(t.into()));
    }
    assert!(rules(&g, root, r).contains(&Rule::LineTable));
    checked += 1;

    // An exception table entry pointing into the middle of an instruction's caches.
    let (mut g, root, r) = compiled(src);
    let f = code_named(&g, "f");
    if let Some(Obj::Code(c)) = g.get(f) {
        let et = c.exceptiontable;
        let mut t = g.bytes(et).expect("bytes").to_vec();
        assert!(!t.is_empty());
        t[2] = (t[2] & 0xC0) | 0x3F;
        g.set(et, Obj::Bytes(t.into()));
    }
    assert!(rules(&g, root, r).contains(&Rule::ExceptionTable));
    checked += 1;

    // A generator without its flag.
    let (mut g, root, r) = compiled(src);
    let gen = code_named(&g, "gen");
    if let Some(Obj::Code(c)) = g.get(gen) {
        let mut c = (**c).clone();
        c.flags &= !0x20;
        g.set(gen, Obj::Code(Box::new(c)));
    }
    assert!(rules(&g, root, r).contains(&Rule::Flags));
    checked += 1;

    // A jump into the middle of the code's caches.
    let (mut g, root, r) = compiled("for i in x:\n    y = i + 1\n");
    let at = find_op(&g, root, r, "JUMP_BACKWARD");
    edit_code_bytes(&mut g, root, |b| b[at + 1] = b[at + 1].wrapping_sub(1));
    assert!(rules(&g, root, r).contains(&Rule::Jump));
    checked += 1;

    // Truncated code: no terminator.
    let (mut g, root, r) = compiled("x = 1\n");
    edit_code_bytes(&mut g, root, |b| {
        let n = b.len();
        b.truncate(n - 2)
    });
    let got = rules(&g, root, r);
    assert!(got.contains(&Rule::Stack) || got.contains(&Rule::LineTable), "{got:?}");
    checked += 1;

    // Constants of the wrong type where the interpreter uses them unchecked: the LOAD_CONST
    // before MAKE_FUNCTION / BUILD_CONST_KEY_MAP / MATCH_CLASS, or KW_NAMES's own, redirected to
    // a constant that is not a code object / tuple of keys / tuple of str.
    let cases: [(&str, &str, bool); 4] = [
        ("def f():\n    pass\nx = 1\n", "MAKE_FUNCTION", true),
        ("d = {'a': x, 'b': y, 'c': 5}\n", "BUILD_CONST_KEY_MAP", true),
        ("match p:\n    case C(x=1):\n        pass\n", "MATCH_CLASS", true),
        ("f(a=1, b=2.5)\n", "KW_NAMES", false),
    ];
    for (src, op, before) in cases {
        let (mut g, root, r) = compiled(src);
        let Some(Obj::Code(c)) = g.get(root) else { panic!("not code") };
        let consts = g.tuple(c.consts).expect("consts").to_vec();
        // a constant that is neither a code object nor a tuple
        let plain = consts.iter().position(|&k| g.code(k).is_none() && g.tuple(k).is_none()).expect("a plain constant") as u8;
        let at = find_op(&g, root, r, op);
        let arg_at = if before { at - 1 } else { at + 1 };
        edit_code_bytes(&mut g, root, |b| b[arg_at] = plain);
        assert!(rules(&g, root, r).contains(&Rule::Operand), "{op}");
        checked += 1;
    }

    assert_eq!(checked, 15);
}

/// The typed stack and locals (3.11–3.13): values of the wrong kind where an instruction uses
/// them unchecked, found along the paths that reach it.
#[test]
fn rejects_typed_stack_violations() {
    let mut checked = 0;
    for r in [Release::V3_11_7, Release::V3_12_7, Release::V3_13_2] {
        let t = r.opcodes();
        let op = |n: &str| t.opmap(n).expect("opcode") as u8;
        let compile = |src: &str| {
            let (g, root) = compile_source(src.as_bytes(), "m.py", r, CompileMode::Exec, 0).expect("compiles");
            assert!(verify(&g, root, r).is_empty(), "{r}: {:?}", verify(&g, root, r));
            (g, root)
        };

        // A set where LIST_APPEND needs its list.
        let (mut g, root) = compile("def f(x):\n    return [i for i in x]\n");
        let code = if r == Release::V3_11_7 { code_named(&g, "<listcomp>") } else { code_named(&g, "f") };
        let at = find_op(&g, code, r, "BUILD_LIST");
        edit_code_bytes(&mut g, code, |b| b[at] = op("BUILD_SET"));
        assert!(rules(&g, root, r).contains(&Rule::Stack), "{r} LIST_APPEND");
        checked += 1;

        // FOR_ITER without GET_ITER.
        let (mut g, root) = compile("for i in x:\n    pass\n");
        let at = find_op(&g, root, r, "GET_ITER");
        edit_code_bytes(&mut g, root, |b| b[at] = op("NOP"));
        assert!(rules(&g, root, r).contains(&Rule::Stack), "{r} FOR_ITER");
        checked += 1;

        // A function with free variables made without its closure.
        let (mut g, root) = compile("def f(a):\n    def g():\n        return a\n    return g\n");
        let f = code_named(&g, "f");
        let name = if r == Release::V3_13_2 { "SET_FUNCTION_ATTRIBUTE" } else { "MAKE_FUNCTION" };
        let at = find_op(&g, f, r, name);
        edit_code_bytes(&mut g, f, |b| {
            if r == Release::V3_13_2 {
                // The function without its closure is stored (the tuple stays on the stack).
                b[at] = op("NOP");
                b[at + 1] = 0;
            } else {
                b[at + 1] = 0;
            }
        });
        let got = rules(&g, root, r);
        assert!(got.contains(&Rule::Stack), "{r} closure: {got:?}");
        checked += 1;

        // A defaults tuple longer than the positional parameters.
        let (mut g, root) = compile("def f(a=1, b=2):\n    pass\nx = (1, 2, 3)\n");
        let Some(Obj::Code(c)) = g.get(root) else { panic!("not code") };
        let consts = g.tuple(c.consts).expect("consts").to_vec();
        let three = consts.iter().position(|&k| g.tuple(k).is_some_and(|t| t.len() == 3)).expect("(1, 2, 3)") as u8;
        let two = consts.iter().position(|&k| g.tuple(k).is_some_and(|t| t.len() == 2)).expect("(1, 2)") as u8;
        let bytes = g.bytes(c.code).expect("bytes").to_vec();
        let load = op("LOAD_CONST");
        let at = (0..bytes.len()).step_by(2).find(|&i| bytes[i] == load && bytes[i + 1] == two).expect("LOAD_CONST (1, 2)");
        edit_code_bytes(&mut g, root, |b| b[at + 1] = three);
        assert!(rules(&g, root, r).contains(&Rule::Stack), "{r} defaults");
        checked += 1;
    }

    // 3.12+: LOAD_FAST of a local no path has bound (CPython reads it unchecked).
    let r = Release::V3_12_7;
    let (mut g, root) = compile_source(b"def f(a):\n    b = a\n    return b\n", "m.py", r, CompileMode::Exec, 0).expect("compiles");
    let f = code_named(&g, "f");
    let at = find_op(&g, f, r, "STORE_FAST");
    edit_code_bytes(&mut g, f, |b| b[at + 1] = 0);
    assert!(rules(&g, root, r).contains(&Rule::Locals));
    checked += 1;

    assert_eq!(checked, 13);
}
