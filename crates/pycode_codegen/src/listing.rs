//! A text listing of the module unit (consts, names, instructions with jump targets as
//! instruction indices and locations), in the format of `tools/codegen/codegen_oracle.py`, used
//! by the fixture tests and the `cg_dump` example.

use pycode_ast::{Constant, PyMinor};
use pycode_instr::{ConstId, ConstValue};
use pycode_release::Release;

use crate::Compiled;

fn to_constant(c: &Compiled, id: ConstId, depth: u32) -> Result<Constant, String> {
    let v = c.consts.get(id).ok_or("bad const")?;
    if depth > 100 {
        return Err("deep".into());
    }
    Ok(match v {
        ConstValue::None => Constant::None,
        ConstValue::Ellipsis => Constant::Ellipsis,
        ConstValue::False => Constant::False,
        ConstValue::True => Constant::True,
        ConstValue::Int(i) => Constant::Int(*i),
        ConstValue::BigInt(b) => Constant::BigInt(b.clone()),
        ConstValue::Float(f) => Constant::Float(f64::from_bits(*f)),
        ConstValue::Complex(a, b) => Constant::Complex { real: f64::from_bits(*a), imag: f64::from_bits(*b) },
        ConstValue::Str(s) => Constant::Str(s.clone()),
        ConstValue::Bytes(b) => Constant::Bytes(b.clone()),
        _ => return Err("container".into()),
    })
}

fn repr(c: &Compiled, id: ConstId, depth: u32) -> String {
    match c.consts.get(id) {
        Some(ConstValue::Tuple(items)) => {
            let v: Vec<String> = items.iter().map(|i| repr(c, *i, depth + 1)).collect();
            format!("({}{})", v.join(", "), if v.len() == 1 { "," } else { "" })
        }
        Some(ConstValue::FrozenSet(items)) => {
            if items.is_empty() {
                return "frozenset()".into();
            }
            let mut v: Vec<String> = items.iter().map(|i| repr(c, *i, depth + 1)).collect();
            v.sort();
            format!("frozenset({{{}}})", v.join(", "))
        }
        Some(ConstValue::Code(h)) => {
            let name = c.units.get(*h as usize).map(|u| u.unit.metadata.name.to_string_lossy()).unwrap_or_default();
            format!("<code {name}>")
        }
        _ => match to_constant(c, id, depth) {
            Ok(k) => k.repr(PyMinor::Py312),
            Err(e) => e,
        },
    }
}

/// The listing of the module unit of `c`.
pub fn module_listing(c: &Compiled, release: Release) -> String {
    use std::fmt::Write;
    let table = release.opcodes();
    let mut out = String::new();
    let Some(root) = c.units.get(c.root) else { return out };
    let md = &root.unit.metadata;
    let consts: Vec<String> = md.consts.iter().map(|id| repr(c, *id, 0)).collect();
    let _ = writeln!(out, "consts: {}", consts.join("; "));
    let j = |s: &pycode_instr::IndexSet<pycode_instr::PyStr>| s.iter().map(|p| p.to_string_lossy()).collect::<Vec<_>>().join(" ");
    let _ = writeln!(out, "names: {}", j(&md.names));
    let _ = writeln!(out, "varnames: {}", j(&md.varnames));
    let _ = writeln!(out, "cellvars: {}", j(&md.cellvars));
    let _ = writeln!(out, "freevars: {}", j(&md.freevars));
    let seq = &root.unit.instrs;
    for (i, ins) in seq.instrs().iter().enumerate() {
        let name = table.opname(ins.opcode).unwrap_or("?");
        let arg: i64 = match ins.target {
            Some(l) => seq.label_position(l).map(|p| p as i64).unwrap_or(-1),
            None => i64::from(ins.oparg),
        };
        let l = ins.loc;
        let _ = writeln!(out, "{i} {name} {arg} {} {} {} {}", l.lineno, l.end_lineno, l.col_offset, l.end_col_offset);
    }
    out
}
