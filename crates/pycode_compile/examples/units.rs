//! Debug aid: `units < file.jsonl` prints every code unit's metadata and instructions.
use std::io::BufRead;
fn main() {
    let release = pycode_release::Release::V3_12_7;
    let t = release.opcodes();
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        let Ok((_, mut m)) = pycode_astjson::load_line(&line) else { continue };
        let c = match pycode_codegen::compile_module(&mut m, pycode_codegen::CompileOptions::new(release)) {
            Ok(c) => c,
            Err(e) => {
                println!("ERROR {e}");
                continue;
            }
        };
        for (i, u) in c.units.iter().enumerate() {
            let md = &u.unit.metadata;
            let j = |s: &pycode_instr::IndexSet<pycode_instr::PyStr>| s.iter().map(|p| p.to_string_lossy()).collect::<Vec<_>>().join(",");
            println!(
                "unit {i} {} argc={} posonly={} kwonly={} flags={:#x} first={}",
                md.qualname.to_string_lossy(),
                md.argcount,
                md.posonlyargcount,
                md.kwonlyargcount,
                md.flags,
                md.firstlineno
            );
            println!(
                "  varnames={} cellvars={} freevars={} names={} hidden={}",
                j(&md.varnames),
                j(&md.cellvars),
                j(&md.freevars),
                j(&md.names),
                j(&md.fasthidden)
            );
            for (k, ins) in u.unit.instrs.instrs().iter().enumerate() {
                let tg = ins.target.and_then(|l| u.unit.instrs.label_position(l)).map(|p| format!(" -> {p}")).unwrap_or_default();
                println!("  {k} {} {}{tg}", t.opname(ins.opcode).unwrap_or("?"), ins.oparg);
            }
        }
    }
}
