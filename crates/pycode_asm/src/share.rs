//! Marshal sharing: the derived graph (CPython's rules for a freshly compiled module,
//! `pycode_assemble::graph::GraphBuilder`), the walk in marshal's write order that both the
//! printer (to find where a `.pyc` differs from the rules) and the assembler (to apply those
//! differences) make, and the final object graph.
//!
//! A *position* is every object marshal writes through `w_ref` (all but `None`, `True`,
//! `False`, `...`, `StopIteration` and `NULL`), counted in write order; a back-reference is one
//! position and its children are not walked.

use pycode_assemble::graph::GraphBuilder;
use pycode_assemble::AssembledCode;
use pycode_instr::{ConstId, ConstPool, ConstValue};
use pycode_object::{Code, Obj, ObjId, ObjectGraph};
use rustc_hash::FxHashMap as HashMap;

use crate::build::{encode, Encoded};
use crate::model::{AsmFile, Const, RefToken};
use crate::AsmError;

const MAX_DEPTH: usize = 3000;

/// The file's objects as a plain graph (no sharing but nested code objects, no flags, no
/// interned strings): its values, walked in write order, are what marshal writes.
fn naive(file: &AsmFile, enc: &[Encoded]) -> Result<(ObjectGraph, ObjId), AsmError> {
    let mut g = ObjectGraph::new();
    let mut code_ids: Vec<Option<ObjId>> = vec![None; file.codes.len()];
    fn constant(g: &mut ObjectGraph, c: &Const, codes: &[Option<ObjId>], depth: usize) -> Result<ObjId, AsmError> {
        if depth > MAX_DEPTH {
            return Err(AsmError::Unsupported("constants nested too deeply".into()));
        }
        let obj = match c {
            Const::None => Obj::None,
            Const::True => Obj::True,
            Const::False => Obj::False,
            Const::Ellipsis => Obj::Ellipsis,
            Const::Int(i) => Obj::Int(*i),
            Const::BigInt(b) => Obj::BigInt(b.clone()),
            Const::Float(f) => Obj::Float(f64::from_bits(*f)),
            Const::Complex(r, i) => Obj::Complex { real: f64::from_bits(*r), imag: f64::from_bits(*i) },
            Const::Str(s) => Obj::Str(s.clone()),
            Const::Bytes(b) => Obj::Bytes(b.as_slice().into()),
            Const::Tuple(items) => Obj::Tuple(items.iter().map(|x| constant(g, x, codes, depth + 1)).collect::<Result<Box<[ObjId]>, _>>()?),
            Const::FrozenSet(items) => {
                Obj::FrozenSet(items.iter().map(|x| constant(g, x, codes, depth + 1)).collect::<Result<Box<[ObjId]>, _>>()?)
            }
            Const::Slice(p) => {
                let [a, b, c] = &**p;
                Obj::Slice([constant(g, a, codes, depth + 1)?, constant(g, b, codes, depth + 1)?, constant(g, c, codes, depth + 1)?])
            }
            Const::Code(i) => {
                return codes.get(*i).copied().flatten().ok_or(AsmError::Unsupported(format!("code({i}) is not defined")));
            }
        };
        Ok(g.push(obj, false))
    }
    for k in (0..file.codes.len()).rev() {
        let (Some(c), Some(e)) = (file.codes.get(k), enc.get(k)) else { continue };
        let code = g.push(Obj::Bytes(e.code.as_slice().into()), false);
        let items = c.consts.iter().map(|x| constant(&mut g, x, &code_ids, 0)).collect::<Result<Box<[ObjId]>, _>>()?;
        let consts = g.push(Obj::Tuple(items), false);
        let items: Box<[ObjId]> = c.names.iter().map(|s| g.push(Obj::Str(s.clone()), false)).collect();
        let names = g.push(Obj::Tuple(items), false);
        let items: Box<[ObjId]> = c.locals.iter().map(|(s, _)| g.push(Obj::Str(s.clone()), false)).collect();
        let localsplusnames = g.push(Obj::Tuple(items), false);
        let localspluskinds = g.push(Obj::Bytes(e.localspluskinds.as_slice().into()), false);
        let filename = g.push(Obj::Str(c.filename.clone()), false);
        let name = g.push(Obj::Str(c.name.clone()), false);
        let qualname = g.push(Obj::Str(c.qualname.clone()), false);
        let linetable = g.push(Obj::Bytes(e.linetable.as_slice().into()), false);
        let exceptiontable = g.push(Obj::Bytes(e.exceptiontable.as_slice().into()), false);
        let co = Code {
            argcount: c.argcount,
            posonlyargcount: c.posonlyargcount,
            kwonlyargcount: c.kwonlyargcount,
            stacksize: e.stacksize,
            flags: c.flags,
            code,
            consts,
            names,
            localsplusnames,
            localspluskinds,
            filename,
            name,
            qualname,
            firstlineno: c.firstlineno,
            linetable,
            exceptiontable,
        };
        let id = g.push(Obj::Code(Box::new(co)), false);
        if let Some(slot) = code_ids.get_mut(k) {
            *slot = Some(id);
        }
    }
    let root = code_ids.first().copied().flatten().ok_or(AsmError::Unsupported("no module code object".into()))?;
    Ok((g, root))
}

fn pool_const(pool: &mut ConstPool, c: &Const) -> ConstId {
    let v = match c {
        Const::None => ConstValue::None,
        Const::True => ConstValue::True,
        Const::False => ConstValue::False,
        Const::Ellipsis => ConstValue::Ellipsis,
        Const::Int(i) => ConstValue::Int(*i),
        Const::BigInt(b) => ConstValue::BigInt(b.clone()),
        Const::Float(f) => ConstValue::Float(*f),
        Const::Complex(r, i) => ConstValue::Complex(*r, *i),
        Const::Str(s) => return pool.add_str(s),
        Const::Bytes(b) => ConstValue::Bytes(b.as_slice().into()),
        Const::Tuple(items) => ConstValue::Tuple(items.iter().map(|x| pool_const(pool, x)).collect()),
        Const::FrozenSet(items) => ConstValue::FrozenSet(items.iter().map(|x| pool_const(pool, x)).collect()),
        Const::Slice(p) => {
            let [a, b, c] = &**p;
            ConstValue::Slice([pool_const(pool, a), pool_const(pool, b), pool_const(pool, c)])
        }
        Const::Code(i) => ConstValue::Code(*i as u32),
    };
    pool.add(v)
}

/// The graph CPython's rules give for the file's values (`None` when they cannot be applied).
fn derived(file: &AsmFile, enc: &[Encoded]) -> Option<(ObjectGraph, ObjId)> {
    let root_code = file.codes.first()?;
    // Completion order of a compilation: children before their parent, in constant order.
    let mut order = Vec::with_capacity(file.codes.len());
    let mut stack: Vec<(usize, bool)> = vec![(0, false)];
    let mut seen = vec![false; file.codes.len()];
    while let Some((k, expanded)) = stack.pop() {
        if expanded {
            order.push(k);
            continue;
        }
        if std::mem::replace(seen.get_mut(k)?, true) {
            continue;
        }
        stack.push((k, true));
        let mut kids = Vec::new();
        fn collect(c: &Const, out: &mut Vec<usize>) {
            match c {
                Const::Code(i) => out.push(*i),
                Const::Tuple(items) | Const::FrozenSet(items) => items.iter().for_each(|x| collect(x, out)),
                Const::Slice(p) => p.iter().for_each(|x| collect(x, out)),
                _ => {}
            }
        }
        for c in &file.codes.get(k)?.consts {
            collect(c, &mut kids);
        }
        for &kid in kids.iter().rev() {
            stack.push((kid, false));
        }
    }
    let mut pool = ConstPool::new();
    let mut assembled: Vec<(usize, AssembledCode)> = Vec::with_capacity(order.len());
    for &k in &order {
        let (c, e) = (file.codes.get(k)?, enc.get(k)?);
        let a = AssembledCode {
            argcount: u32::try_from(c.argcount).ok()?,
            posonlyargcount: u32::try_from(c.posonlyargcount).ok()?,
            kwonlyargcount: u32::try_from(c.kwonlyargcount).ok()?,
            stacksize: e.stacksize,
            flags: c.flags,
            code: e.code.clone(),
            consts: c.consts.iter().map(|x| pool_const(&mut pool, x)).collect(),
            names: c.names.clone(),
            localsplusnames: c.locals.iter().map(|(n, _)| n.clone()).collect(),
            localspluskinds: e.localspluskinds.clone(),
            name: c.name.clone(),
            qualname: c.qualname.clone(),
            firstlineno: c.firstlineno,
            linetable: e.linetable.clone(),
            exceptiontable: e.exceptiontable.clone(),
        };
        assembled.push((k, a));
    }
    let filename = root_code.filename.as_str()?.to_string();
    let mut b = GraphBuilder::for_release(file.release, &filename);
    b.keep_compiler_set_order();
    for (_, a) in &assembled {
        b.note_preinterned_code(a);
    }
    let mut root = None;
    for (k, a) in &assembled {
        let id = b.add_code(a, &pool, Some(*k as u32))?;
        if *k == 0 {
            root = Some(id);
        }
    }
    let (g, root) = b.finish(root?);
    Some((g, root))
}

fn is_singleton(o: &Obj) -> bool {
    matches!(o, Obj::None | Obj::True | Obj::False | Obj::Ellipsis | Obj::StopIteration | Obj::Null)
}

/// Children in marshal's write order.
fn children(o: &Obj) -> Vec<ObjId> {
    match o {
        Obj::Tuple(items) | Obj::List(items) | Obj::Set(items) | Obj::FrozenSet(items) => items.to_vec(),
        Obj::Slice(items) => items.to_vec(),
        Obj::Dict(pairs) | Obj::FrozenDict(pairs) => pairs.iter().flat_map(|&(k, v)| [k, v]).collect(),
        Obj::Code(c) => c.object_fields().to_vec(),
        _ => Vec::new(),
    }
}

fn same_shape(a: &Obj, b: &Obj) -> bool {
    std::mem::discriminant(a) == std::mem::discriminant(b) && children(a).len() == children(b).len()
}

fn interned(o: &Obj) -> bool {
    matches!(o, Obj::Str(s) if s.is_interned())
}

/// The walk state shared by both directions.
struct Walk<'d> {
    derived: Option<&'d ObjectGraph>,
    /// Derived object → reference index it was registered under.
    reg: HashMap<ObjId, u32>,
    nrefs: u32,
    pos: u32,
}

impl Walk<'_> {
    /// The token the rules give at this position (`d`: the aligned derived object, if any).
    fn derived_token(&self, d: Option<ObjId>) -> RefToken {
        let Some((g, d)) = self.derived.zip(d) else { return RefToken::New { flag: false, interned: false } };
        let Some(node) = g.node(d) else { return RefToken::New { flag: false, interned: false } };
        if node.flag_ref {
            if let Some(&k) = self.reg.get(&d) {
                return RefToken::Ref(k);
            }
        }
        RefToken::New { flag: node.flag_ref, interned: interned(&node.obj) }
    }

    /// Records the token written at this position.
    fn take(&mut self, d: Option<ObjId>, tok: RefToken) {
        if let RefToken::New { flag: true, .. } = tok {
            if let Some(d) = d {
                self.reg.insert(d, self.nrefs);
            }
            self.nrefs += 1;
        }
        self.pos += 1;
    }

    /// The derived children aligned with `obj`'s (`None` each when the shapes differ).
    fn aligned(&self, obj: &Obj, d: Option<ObjId>) -> Vec<Option<ObjId>> {
        let n = children(obj).len();
        match self.derived.zip(d).and_then(|(g, d)| g.get(d)) {
            Some(dobj) if same_shape(obj, dobj) => children(dobj).into_iter().map(Some).collect(),
            _ => vec![None; n],
        }
    }
}

/// The sharing differences between a `.pyc`'s graph and the rules, for the `.refs` lines.
pub fn overrides_for(file: &AsmFile, graph: &ObjectGraph, root: ObjId) -> Result<Vec<(u32, RefToken)>, AsmError> {
    let enc = file.codes.iter().map(|c| encode(file, c)).collect::<Result<Vec<_>, _>>()?;
    let der = derived(file, &enc);
    let mut w = Walk { derived: der.as_ref().map(|(g, _)| g), reg: HashMap::default(), nrefs: 0, pos: 0 };
    let mut actual_reg: HashMap<ObjId, u32> = HashMap::default();
    let mut out = Vec::new();
    // Explicit stack of (actual, derived) in write order.
    let mut stack: Vec<(ObjId, Option<ObjId>)> = vec![(root, der.as_ref().map(|(_, r)| *r))];
    while let Some((a, d)) = stack.pop() {
        let Some(node) = graph.node(a) else { return Err(AsmError::Unsupported("dangling object id".into())) };
        if is_singleton(&node.obj) {
            continue;
        }
        let actual = match actual_reg.get(&a) {
            Some(&k) if node.flag_ref => RefToken::Ref(k),
            _ => RefToken::New { flag: node.flag_ref, interned: interned(&node.obj) },
        };
        let expect = w.derived_token(d);
        if actual != expect {
            out.push((w.pos, actual));
        }
        if let RefToken::New { flag: true, .. } = actual {
            actual_reg.insert(a, w.nrefs);
        }
        w.take(d, actual);
        if matches!(actual, RefToken::Ref(_)) {
            continue;
        }
        let kids = children(&node.obj);
        let dkids = w.aligned(&node.obj, d);
        for (k, dk) in kids.into_iter().zip(dkids).rev() {
            stack.push((k, dk));
        }
    }
    Ok(out)
}

/// The object graph to write: the file's values, shared and flagged as the rules and the
/// file's `.refs` say.
pub fn final_graph(file: &AsmFile) -> Result<(ObjectGraph, ObjId), AsmError> {
    let enc = file.codes.iter().map(|c| encode(file, c)).collect::<Result<Vec<_>, _>>()?;
    let (plain, proot) = naive(file, &enc)?;
    let der = derived(file, &enc);
    let mut w = Walk { derived: der.as_ref().map(|(g, _)| g), reg: HashMap::default(), nrefs: 0, pos: 0 };
    let overrides: HashMap<u32, RefToken> = file.refs.iter().copied().collect();
    let mut out = ObjectGraph::new();
    let mut refs: Vec<ObjId> = Vec::new();
    // Builds depth-first: a node's slot is taken (and registered) before its children, as
    // marshal registers references in pre-order; its content is filled in after them.
    enum Step {
        Visit(ObjId, Option<ObjId>, usize),
        Fill(ObjId, ObjId, usize),
    }
    let mut results: Vec<ObjId> = Vec::new();
    let mut stack = vec![Step::Visit(proot, der.as_ref().map(|(_, r)| *r), 0)];
    while let Some(step) = stack.pop() {
        match step {
            Step::Visit(p, d, depth) => {
                if depth > MAX_DEPTH {
                    return Err(AsmError::Unsupported("objects nested too deeply".into()));
                }
                let Some(node) = plain.get(p) else { return Err(AsmError::Unsupported("dangling object id".into())) };
                if is_singleton(node) {
                    results.push(out.push(node.clone(), false));
                    continue;
                }
                let tok = overrides.get(&w.pos).copied().unwrap_or_else(|| w.derived_token(d));
                w.take(d, tok);
                match tok {
                    RefToken::Ref(k) => {
                        let id = refs
                            .get(k as usize)
                            .copied()
                            .ok_or(AsmError::Unsupported(format!("a back-reference to reference {k}, which is not defined yet")))?;
                        results.push(id);
                    }
                    RefToken::New { flag, interned } => {
                        let mut obj = node.clone();
                        if let Obj::Str(s) = &mut obj {
                            s.set_interned(interned);
                        }
                        let slot = out.push(obj, flag);
                        if flag {
                            refs.push(slot);
                        }
                        let kids = children(node);
                        let dkids = w.aligned(node, d);
                        stack.push(Step::Fill(slot, p, results.len()));
                        for (k, dk) in kids.into_iter().zip(dkids).rev() {
                            stack.push(Step::Visit(k, dk, depth + 1));
                        }
                    }
                }
            }
            Step::Fill(slot, p, mark) => {
                let kids: Vec<ObjId> = results.drain(mark.min(results.len())..).collect();
                let _ = p;
                let Some(node) = out.get(slot).cloned() else { continue };
                let filled = with_children(&node, &kids).ok_or(AsmError::Unsupported("child count mismatch".into()))?;
                out.set(slot, filled);
                results.push(slot);
            }
        }
    }
    let root = results.pop().ok_or(AsmError::Unsupported("empty file".into()))?;
    Ok((out, root))
}

/// `o` with its children replaced by `kids` (in write order).
fn with_children(o: &Obj, kids: &[ObjId]) -> Option<Obj> {
    Some(match o {
        Obj::Tuple(_) => Obj::Tuple(kids.into()),
        Obj::List(_) => Obj::List(kids.into()),
        Obj::Set(_) => Obj::Set(kids.into()),
        Obj::FrozenSet(_) => Obj::FrozenSet(kids.into()),
        Obj::Slice(_) => Obj::Slice(<[ObjId; 3]>::try_from(kids).ok()?),
        Obj::Code(c) => {
            let [code, consts, names, localsplusnames, localspluskinds, filename, name, qualname, linetable, exceptiontable] =
                <[ObjId; 10]>::try_from(kids).ok()?;
            Obj::Code(Box::new(Code {
                code,
                consts,
                names,
                localsplusnames,
                localspluskinds,
                filename,
                name,
                qualname,
                linetable,
                exceptiontable,
                ..(**c).clone()
            }))
        }
        Obj::Dict(_) | Obj::FrozenDict(_) => return None,
        other => {
            if !kids.is_empty() {
                return None;
            }
            other.clone()
        }
    })
}
