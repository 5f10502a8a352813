//! Reads `tools/codegen/ast_to_json.py` lines on stdin and prints the module-level instruction
//! listing in the format of `tools/codegen/codegen_oracle.py`. `-O N` sets the optimize level.
use std::io::BufRead;

use pycode_ast::{Constant, PyMinor};
use pycode_codegen::{compile_module, CompileOptions, Compiled};
use pycode_instr::{ConstId, ConstValue};
use pycode_release::Release;

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

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let opt: u8 = if args.get(1).map(|s| s.as_str()) == Some("-O") {
        args.get(2).and_then(|s| s.parse().ok()).unwrap_or(0)
    } else {
        0
    };
    let release = Release::V3_12_7;
    let table = release.opcodes();
    let stdin = std::io::stdin();
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        let (file, mut m) = match pycode_astjson::load_line(&line) {
            Ok(x) => x,
            Err(e) => {
                println!("=== LOADERROR {e}");
                continue;
            }
        };
        println!("=== {file}");
        let mut o = CompileOptions::new(release);
        o.optimize = opt;
        let c = match compile_module(&mut m, o) {
            Ok(c) => c,
            Err(e) => {
                println!("ERROR {}: {}", e.kind.name(), e.msg);
                continue;
            }
        };
        let Some(root) = c.units.get(c.root) else { continue };
        let md = &root.unit.metadata;
        let consts: Vec<String> = md.consts.iter().map(|id| repr(&c, *id, 0)).collect();
        println!("consts: {}", consts.join("; "));
        let j = |s: &pycode_instr::IndexSet<pycode_instr::PyStr>| {
            s.iter().map(|p| p.to_string_lossy()).collect::<Vec<_>>().join(" ")
        };
        println!("names: {}", j(&md.names));
        println!("varnames: {}", j(&md.varnames));
        println!("cellvars: {}", j(&md.cellvars));
        println!("freevars: {}", j(&md.freevars));
        let seq = &root.unit.instrs;
        for (i, ins) in seq.instrs().iter().enumerate() {
            let name = table.opname(ins.opcode).unwrap_or("?");
            let arg: i64 = match ins.target {
                Some(l) => seq.label_position(l).map(|p| p as i64).unwrap_or(-1),
                None => i64::from(ins.oparg),
            };
            let l = ins.loc;
            println!("{i} {name} {arg} {} {} {} {}", l.lineno, l.end_lineno, l.col_offset, l.end_col_offset);
        }
    }
}
