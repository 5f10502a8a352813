//! Stage test: `_PyCfg_OptimizeCodeUnit` against CPython 3.12.1's `_testinternalcapi.optimize_cfg`
//! on the codegen output of every fixture (see `tools/gen_fixtures.py`).

use pycode_flowgraph::fixture::{format_const, format_insts, parse_const, parse_insts, Fixture};
use pycode_flowgraph::{Cfg, Ops};
use pycode_instr::ConstPool;
use pycode_release::Release;

fn run_one(ops: &Ops, fx: &Fixture) -> Result<Option<()>, String> {
    let expected = fx.section("optimize_cfg").ok_or("no optimize_cfg section")?;
    if expected.first().map(|s| s.as_str()) == Some("CRASH") {
        return Ok(None);
    }
    let mut pool = ConstPool::new();
    let mut codes = Vec::new();
    let mut consts = Vec::new();
    for l in fx.section("consts").ok_or("no consts")? {
        consts.push(parse_const(l, &mut pool, &mut codes)?);
    }
    let input = parse_insts(ops, fx.section("codegen").ok_or("no codegen")?)?;
    let mut g = Cfg::from_indexed(ops.clone(), &input).map_err(|e| e.to_string())?;
    g.optimize_code_unit(&mut consts, &mut pool, 0, 0, 0, 1).map_err(|e| e.to_string())?;
    let got = format_insts(ops, &g.to_indexed().map_err(|e| e.to_string())?);
    let exp: Vec<String> = expected.to_vec();
    if got != exp {
        let first = got.iter().zip(exp.iter()).position(|(a, b)| a != b).unwrap_or(got.len().min(exp.len()));
        return Err(format!(
            "instructions differ at {first}: got {:?} expected {:?} (lengths {} vs {})",
            got.get(first),
            exp.get(first),
            got.len(),
            exp.len()
        ));
    }
    let exp_consts = fx.section("optimize_cfg consts").ok_or("no optimize_cfg consts")?;
    let got_consts: Vec<String> = consts
        .iter()
        .map(|&c| {
            let mut s = String::new();
            format_const(&pool, c, &codes, &mut s);
            s
        })
        .collect();
    if got_consts != exp_consts {
        return Err(format!("consts differ: got {got_consts:?} expected {exp_consts:?}"));
    }
    Ok(Some(()))
}

/// Fixtures whose reference is `CRASH` (3.12.1's `optimize_cfg` test hook segfaults on them) are
/// listed in `tests/optimize_cfg_skips.txt`; the list may not grow.
const MAX_SKIPS: usize = 49;
/// Cases checked against a reference when the floor was last raised.
const FLOOR: usize = 105;

#[test]
fn optimize_cfg_matches_cpython_3_12_1() {
    let ops = Ops::new(Release::V3_12_1);
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
    let paths: Vec<_> = ["snippets", "stdlib"].iter().flat_map(|s| pycode_testkit::files(format!("{dir}/{s}"), ".txt")).collect();
    let mut cases = pycode_testkit::Cases::new("optimize_cfg");
    let mut fail = Vec::new();
    for p in &paths {
        let text = std::fs::read_to_string(p).unwrap();
        let name = format!("{}/{}", p.parent().unwrap().file_name().unwrap().to_string_lossy(), p.file_name().unwrap().to_string_lossy());
        match run_one(&ops, &Fixture::parse(&text)) {
            Ok(Some(())) => cases.ran(),
            Ok(None) => cases.skip(name, "CPython 3.12.1's optimize_cfg test hook crashed (reference is CRASH)"),
            Err(e) => {
                cases.ran();
                fail.push(format!("{name}: {e}"))
            }
        }
    }
    for f in &fail {
        eprintln!("  {f}");
    }
    assert!(fail.is_empty(), "{} of {} fixtures differ", fail.len(), paths.len());
    let skips = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/optimize_cfg_skips.txt");
    cases.finish_with_skips(FLOOR, &pycode_testkit::SkipList::new(skips, MAX_SKIPS).exact());
}
