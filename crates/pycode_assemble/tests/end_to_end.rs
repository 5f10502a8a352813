//! End to end for the back half: CPython 3.12.1's *codegen* output (module code unit of every
//! fixture) → our CFG optimiser and assembler → compared with the code object CPython's
//! `compile()` made from the same source (co_code, co_linetable, co_exceptiontable,
//! co_stacksize, co_consts, co_names).

use pycode_assemble::optimize_and_assemble;
use pycode_flowgraph::fixture::{format_const, parse_const, parse_hex, parse_insts, Fixture};
use pycode_flowgraph::Ops;
use pycode_instr::{CodeUnit, ConstPool, InstrSequence, PyStr};
use pycode_release::Release;

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn run_one(release: Release, fx: &Fixture) -> Result<(), String> {
    let ops = Ops::new(release);
    let mut pool = ConstPool::new();
    let mut codes = Vec::new();
    let mut unit = CodeUnit::default();
    let md = &mut unit.metadata;
    for l in fx.section("consts").ok_or("no consts")? {
        md.consts.insert(parse_const(l, &mut pool, &mut codes)?);
    }
    let words = |k: &str| -> Vec<PyStr> {
        let v = fx.field("meta", k).unwrap_or_default();
        if v.is_empty() {
            return Vec::new();
        }
        v.split(' ').map(|s| PyStr::new(s, true)).collect()
    };
    md.names = words("names").into_iter().collect();
    md.varnames = words("varnames").into_iter().collect();
    md.cellvars = words("cellvars").into_iter().collect();
    md.freevars = words("freevars").into_iter().collect();
    md.flags = fx.field("meta", "flags").and_then(|s| s.trim().parse().ok()).ok_or("flags")?;
    md.firstlineno = fx.field("meta", "firstlineno").and_then(|s| s.trim().parse().ok()).ok_or("firstlineno")?;
    md.name = PyStr::new("<module>", true);
    md.qualname = PyStr::new("<module>", true);
    let insts = parse_insts(&ops, fx.section("codegen").ok_or("no codegen")?)?;
    unit.instrs = InstrSequence::from_indexed(&insts, |op| ops.has_target(op)).map_err(|e| e.to_string())?;

    let a = optimize_and_assemble(release, &unit, &mut pool).map_err(|e| e.to_string())?;
    let field = |k: &str| fx.field("code", k).unwrap_or_default();
    let mut errs = Vec::new();
    if a.stacksize.to_string() != field("stacksize") {
        errs.push(format!("stacksize {} vs {}", a.stacksize, field("stacksize")));
    }
    let exp_code = parse_hex(&field("code"))?;
    if a.code != exp_code {
        let at = a.code.iter().zip(exp_code.iter()).position(|(x, y)| x != y).unwrap_or(0);
        errs.push(format!("co_code differs at byte {at} (len {} vs {})", a.code.len(), exp_code.len()));
    }
    if hex(&a.linetable) != field("linetable") {
        errs.push(format!("co_linetable differs: {}", hex(&a.linetable)));
    }
    if hex(&a.exceptiontable) != field("exceptiontable") {
        errs.push(format!("co_exceptiontable differs: {} vs {}", hex(&a.exceptiontable), field("exceptiontable")));
    }
    let got_consts: Vec<String> = a
        .consts
        .iter()
        .map(|&c| {
            let mut s = String::new();
            format_const(&pool, c, &codes, &mut s);
            s
        })
        .collect();
    if got_consts != fx.section("code consts").unwrap_or(&[]) {
        errs.push("co_consts differ".into());
    }
    let names: Vec<String> = a.names.iter().map(|n| n.to_string_lossy()).collect();
    if names.join(" ") != field("names") {
        errs.push("co_names differ".into());
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(errs.join("; "))
    }
}

/// Fixtures checked when the floor was last raised (all of them: none is skipped).
const FLOOR: usize = 154;

#[test]
fn module_code_matches_cpython_3_12_1_compile() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../pycode_flowgraph/tests/fixtures");
    let paths: Vec<_> = ["snippets", "stdlib"].iter().flat_map(|s| pycode_testkit::files(format!("{dir}/{s}"), ".txt")).collect();
    let mut cases = pycode_testkit::Cases::new("end-to-end (3.12.1)");
    let mut fail = Vec::new();
    for p in &paths {
        let text = std::fs::read_to_string(p).unwrap();
        cases.ran();
        if let Err(e) = run_one(Release::V3_12_1, &Fixture::parse(&text)) {
            fail.push(format!("{}: {e}", p.file_name().unwrap().to_string_lossy()));
        }
    }
    eprintln!("end-to-end (3.12.1): {} pass, {} fail", paths.len() - fail.len(), fail.len());
    for f in &fail {
        eprintln!("  {f}");
    }
    assert!(fail.is_empty());
    cases.finish(FLOOR);
}
