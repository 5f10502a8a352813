//! Shared by `tests/sharing.rs` and `examples/resharing.rs`: strip a CPython-written code-object
//! graph down to the *logical* input a compiler hands to `GraphBuilder` (values only: no object
//! identity, no `FLAG_REF`, no interned marks), rebuild it with `GraphBuilder`, and compare the
//! marshal bytes with the original.

#![allow(dead_code)]

use pycode_assemble::graph::GraphBuilder;
use pycode_assemble::AssembledCode;
pub use pycode_instr::PyStr;
use pycode_instr::{ConstId, ConstPool, ConstValue};
use pycode_marshal::{dumps_with, read_pyc, DumpOptions, PYC_HEADER_LEN};
use pycode_object::{Obj, ObjId, ObjectGraph};
use pycode_release::Release;

const MAX_DEPTH: usize = 200;

/// What a compiler would know about one module: its constants (merged by value, as the
/// compiler's constant cache does), its code units in completion order (children first), and
/// the filename.
pub struct Logical {
    pub pool: ConstPool,
    pub units: Vec<AssembledCode>,
    pub filename: String,
}

struct Stripper<'g> {
    g: &'g ObjectGraph,
    pool: ConstPool,
    units: Vec<AssembledCode>,
    filename: Option<String>,
    reverse_sets: bool,
}

fn text(g: &ObjectGraph, id: ObjId) -> Result<PyStr, String> {
    let mut s = g.str(id).ok_or("expected str")?.clone();
    s.set_interned(false);
    Ok(s)
}

fn bytes(g: &ObjectGraph, id: ObjId) -> Result<Vec<u8>, String> {
    Ok(g.bytes(id).ok_or("expected bytes")?.to_vec())
}

fn names(g: &ObjectGraph, id: ObjId) -> Result<Vec<PyStr>, String> {
    g.tuple(id).ok_or("expected tuple")?.iter().map(|&i| text(g, i)).collect()
}

impl Stripper<'_> {
    fn constant(&mut self, id: ObjId, depth: usize) -> Result<ConstId, String> {
        if depth > MAX_DEPTH {
            return Err("too deep".into());
        }
        let obj = self.g.get(id).ok_or("dangling id")?;
        let v = match obj {
            Obj::None => ConstValue::None,
            Obj::True => ConstValue::True,
            Obj::False => ConstValue::False,
            Obj::Ellipsis => ConstValue::Ellipsis,
            Obj::Int(i) => ConstValue::Int(*i),
            Obj::BigInt(b) => ConstValue::bigint((**b).clone()),
            Obj::Float(f) => ConstValue::Float(f.to_bits()),
            Obj::Complex { real, imag } => ConstValue::Complex(real.to_bits(), imag.to_bits()),
            Obj::Str(_) => ConstValue::Str(text(self.g, id)?),
            Obj::Bytes(b) => ConstValue::Bytes(b.clone()),
            Obj::Tuple(items) => {
                let items = items.clone();
                let ids: Result<Vec<_>, _> = items.iter().map(|&i| self.constant(i, depth + 1)).collect();
                ConstValue::Tuple(ids?.into())
            }
            Obj::FrozenSet(items) => {
                let items = items.clone();
                let mut ids = items.iter().map(|&i| self.constant(i, depth + 1)).collect::<Result<Vec<_>, _>>()?;
                if self.reverse_sets {
                    // The compiler's element order is not the file's: make sure the builder and
                    // writer, not the input order, decide it.
                    ids.reverse();
                }
                ConstValue::FrozenSet(ids.into())
            }
            Obj::Slice([a, b, c]) => {
                let (a, b, c) = (*a, *b, *c);
                ConstValue::Slice([self.constant(a, depth + 1)?, self.constant(b, depth + 1)?, self.constant(c, depth + 1)?])
            }
            Obj::Code(_) => ConstValue::Code(self.code(id, depth + 1)?),
            other => return Err(format!("unexpected constant type {}", other.type_name())),
        };
        Ok(self.pool.add(v))
    }

    /// Adds the code object (after its nested code objects) and returns its handle.
    fn code(&mut self, id: ObjId, depth: usize) -> Result<u32, String> {
        if depth > MAX_DEPTH {
            return Err("too deep".into());
        }
        let g = self.g;
        let c = g.code(id).ok_or("expected code")?;
        let fname = text(g, c.filename)?.to_string_lossy();
        match &self.filename {
            None => self.filename = Some(fname),
            Some(f) if *f == fname => {}
            Some(_) => return Err("code objects with different filenames".into()),
        }
        let consts: Result<Vec<ConstId>, String> =
            g.tuple(c.consts).ok_or("co_consts not a tuple")?.iter().map(|&i| self.constant(i, depth + 1)).collect();
        let a = AssembledCode {
            argcount: c.argcount as u32,
            posonlyargcount: c.posonlyargcount as u32,
            kwonlyargcount: c.kwonlyargcount as u32,
            stacksize: c.stacksize,
            flags: c.flags,
            code: bytes(g, c.code)?,
            consts: consts?,
            names: names(g, c.names)?,
            localsplusnames: names(g, c.localsplusnames)?,
            localspluskinds: bytes(g, c.localspluskinds)?,
            name: text(g, c.name)?,
            qualname: text(g, c.qualname)?,
            firstlineno: c.firstlineno,
            linetable: bytes(g, c.linetable)?,
            exceptiontable: bytes(g, c.exceptiontable)?,
        };
        self.units.push(a);
        Ok((self.units.len() - 1) as u32)
    }
}

/// Strips `root` of a read graph to its logical content. With `reverse_sets`, frozenset elements
/// are handed over in reverse file order.
pub fn strip(g: &ObjectGraph, root: ObjId, reverse_sets: bool) -> Result<Logical, String> {
    let mut s = Stripper { g, pool: ConstPool::new(), units: Vec::new(), filename: None, reverse_sets };
    s.code(root, 0)?;
    Ok(Logical { pool: s.pool, units: s.units, filename: s.filename.unwrap_or_default() })
}

/// 1-character strings that the oracle interpreter had interned (at start-up or while compiling
/// earlier files) when it compiled the corpus; only 3.11 and 3.12.1 marshal this runtime state
/// (3.12.7+ interns all 1-character latin-1 strings at start-up; 3.12.1's start-up set is
/// `Rules::startup_interned`). Measured, see `docs/pyc-sharing.md`.
pub fn runtime_interned(release: Release) -> &'static [&'static str] {
    match release {
        Release::V3_11_7 => &["*", "[", "]", "{", "}"],
        _ => &[],
    }
}

/// Modules the Pyodide oracle process had imported (measured: `sorted(sys.modules)` after
/// importing `oracle/driver.py` and `oracle/features.py`) when it compiled the corpus. Their
/// strings, loaded from their own `.pyc`, were interned in that process before it compiled them
/// again; for 3.13+ this decides whether a class body's `__qualname__` constant is `co_qualname`.
pub fn loaded_modules(release: Release) -> &'static str {
    match release {
        Release::V3_13_0 | Release::V3_13_2 => include_str!("../data/loaded-modules-3.13.2.txt"),
        Release::V3_14_2 => include_str!("../data/loaded-modules-3.14.2.txt"),
        // 3.15.0rc1: not measured (no 3.15 back end yet).
        Release::V3_11_2 | Release::V3_11_7 | Release::V3_12_1 | Release::V3_12_7 | Release::V3_15_0rc1 => "",
    }
}

/// The qualified names of the code objects of the corpus's own `.pyc` for every module in
/// [`loaded_modules`]: the oracle process had unmarshalled (and so interned) those strings
/// before compiling anything. `files_root` is the corpus's `.../stdlib-X/files` directory.
pub fn runtime_strings(release: Release, files_root: &std::path::Path) -> Vec<PyStr> {
    let mut out = Vec::new();
    for m in loaded_modules(release).lines().map(str::trim).filter(|m| !m.is_empty()) {
        let rel = m.replace('.', "/");
        for cand in [format!("{rel}.py.pyc"), format!("{rel}/__init__.py.pyc")] {
            let Ok(data) = std::fs::read(files_root.join(&cand)) else { continue };
            let Ok(pyc) = read_pyc(&data) else { continue };
            if let Ok(l) = strip(&pyc.graph, pyc.root, false) {
                out.extend(l.units.iter().map(|u| u.qualname.clone()));
            }
        }
    }
    out
}

/// Rebuilds the graph with `GraphBuilder`; the last unit is the module. `runtime`: strings the
/// compiling process had interned before (see [`runtime_strings`]).
pub fn rebuild(release: Release, l: &Logical, runtime: &[PyStr]) -> Result<(ObjectGraph, ObjId), String> {
    let mut b = GraphBuilder::for_release(release, &l.filename);
    for s in runtime {
        b.note_preinterned(s);
    }
    for c in runtime_interned(release) {
        b.note_preinterned(&PyStr::new(c, false));
    }
    // The parser interned every identifier of the module before compiling; the names of the
    // code objects are what a .pyc still shows of them.
    for u in &l.units {
        for n in u.names.iter().chain(&u.localsplusnames).chain([&u.name]) {
            b.note_preinterned(n);
        }
    }
    let mut root = None;
    for (i, u) in l.units.iter().enumerate() {
        root = Some(b.add_code(u, &l.pool, Some(i as u32)).ok_or("add_code failed")?);
    }
    Ok(b.finish(root.ok_or("no code")?))
}

pub enum Outcome {
    Identical,
    /// The rebuilt bytes differ; a short description of the first differences.
    Differs(String),
}

/// Reads a `.pyc`, rebuilds it, and compares the marshal bytes.
/// `runtime`: strings interned in the compiling process beforehand (see [`runtime_strings`]).
pub fn check_pyc(data: &[u8], runtime: &[PyStr]) -> Result<(Release, Outcome), String> {
    check_pyc_as(data, runtime, None)
}

/// [`check_pyc`] with the release given instead of taken from the header (3.12.1 and 3.12.7 share
/// a magic number, so a header names the newest release of the magic).
pub fn check_pyc_as(data: &[u8], runtime: &[PyStr], release: Option<Release>) -> Result<(Release, Outcome), String> {
    let pyc = read_pyc(data).map_err(|e| format!("read_pyc: {e}"))?;
    let release = release.unwrap_or(pyc.release());
    let logical = strip(&pyc.graph, pyc.root, true)?;
    let (g, root) = rebuild(release, &logical, runtime)?;
    let opts = DumpOptions { version: release.marshal_version(), sort_sets: false };
    let out = dumps_with(&g, root, &opts).map_err(|e| format!("dumps: {e}"))?;
    let orig = data.get(PYC_HEADER_LEN..).unwrap_or(&[]);
    if out == orig {
        return Ok((release, Outcome::Identical));
    }
    Ok((release, Outcome::Differs(describe_diff(&pyc.graph, pyc.root, &g, root))))
}

/// One line per object in marshal write order: its path, type and reference handling.
pub fn walk(g: &ObjectGraph, root: ObjId) -> Vec<String> {
    let mut out = Vec::new();
    let mut seen = std::collections::HashMap::new();
    walk_rec(g, root, "", 0, &mut seen, &mut out);
    out
}

fn walk_rec(
    g: &ObjectGraph,
    id: ObjId,
    path: &str,
    depth: usize,
    seen: &mut std::collections::HashMap<ObjId, usize>,
    out: &mut Vec<String>,
) {
    if depth > MAX_DEPTH {
        return;
    }
    let Some(node) = g.node(id) else { return };
    if let Some(&r) = seen.get(&id) {
        out.push(format!("{path} REF {r}"));
        return;
    }
    let flag = if node.flag_ref {
        let n = seen.len();
        seen.insert(id, n);
        format!("+R{n}")
    } else {
        String::new()
    };
    let summary = match &node.obj {
        Obj::Str(s) => {
            let t: String = s.to_string_lossy().chars().take(40).collect();
            format!("{t:?}{}", if s.is_interned() { " interned" } else { "" })
        }
        Obj::Bytes(b) => format!("len {}", b.len()),
        Obj::Int(i) => i.to_string(),
        Obj::Float(f) => f.to_string(),
        _ => String::new(),
    };
    out.push(format!("{path} {}{flag} {summary}", node.obj.type_name()));
    match &node.obj {
        Obj::Tuple(items) | Obj::List(items) | Obj::Set(items) | Obj::FrozenSet(items) => {
            for (i, &c) in items.iter().enumerate() {
                walk_rec(g, c, &format!("{path}[{i}]"), depth + 1, seen, out);
            }
        }
        Obj::Slice(items) => {
            for (i, &c) in items.iter().enumerate() {
                walk_rec(g, c, &format!("{path}[{i}]"), depth + 1, seen, out);
            }
        }
        Obj::Dict(items) => {
            for (i, &(k, v)) in items.iter().enumerate() {
                walk_rec(g, k, &format!("{path}{{k{i}}}"), depth + 1, seen, out);
                walk_rec(g, v, &format!("{path}{{v{i}}}"), depth + 1, seen, out);
            }
        }
        Obj::Code(c) => {
            let name = g.str(c.qualname).map(|s| s.to_string_lossy()).unwrap_or_default();
            let p = format!("{path}<{name}>");
            for (f, c) in [
                ("code", c.code),
                ("consts", c.consts),
                ("names", c.names),
                ("localsplusnames", c.localsplusnames),
                ("localspluskinds", c.localspluskinds),
                ("filename", c.filename),
                ("name", c.name),
                ("qualname", c.qualname),
                ("linetable", c.linetable),
                ("exceptiontable", c.exceptiontable),
            ] {
                walk_rec(g, c, &format!("{p}.{f}"), depth + 1, seen, out);
            }
        }
        _ => {}
    }
}

/// The first differing lines of the two walks, with the original first.
pub fn describe_diff(a: &ObjectGraph, ar: ObjId, b: &ObjectGraph, br: ObjId) -> String {
    let wa = walk(a, ar);
    let wb = walk(b, br);
    if let Ok(dir) = std::env::var("RESHARE_DUMP") {
        let _ = std::fs::write(format!("{dir}/cpython.txt"), wa.join("\n"));
        let _ = std::fs::write(format!("{dir}/rebuilt.txt"), wb.join("\n"));
    }
    for (i, (x, y)) in wa.iter().zip(wb.iter()).enumerate() {
        if x != y {
            return format!("object #{i}\n  cpython: {x}\n  rebuilt: {y}");
        }
    }
    format!("walks agree on {} objects; lengths {} vs {} (difference in scalar content)", wa.len().min(wb.len()), wa.len(), wb.len())
}
