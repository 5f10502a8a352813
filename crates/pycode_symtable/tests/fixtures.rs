//! Symbol-table fixtures: for each `pycode_codegen/tests/fixtures/NAME.py`, the CPython 3.12.1
//! AST (`NAME.ast.json`) and the table the `symtable` module shows (`NAME.symtable`, written by
//! `tools/codegen/make_fixtures.sh` via `tools/codegen/symtable_dump.py`).

/// Fixtures checked when the floor was last raised.
const FLOOR: usize = 23;

#[test]
fn fixtures_match_cpython_3_12_1_symtable() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../pycode_codegen/tests/fixtures");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("fixtures dir")
        .flatten()
        .filter_map(|e| e.file_name().to_str().and_then(|n| n.strip_suffix(".py")).map(String::from))
        .collect();
    names.sort();
    let mut failures = Vec::new();
    for n in &names {
        let line = std::fs::read_to_string(dir.join(format!("{n}.ast.json"))).expect("ast json");
        let expected = std::fs::read_to_string(dir.join(format!("{n}.symtable"))).expect("expected");
        let (_, m) = pycode_astjson::load_line(line.trim_end()).expect("load ast");
        let got = match pycode_symtable::parse_future(&m).and_then(|ff| pycode_symtable::SymTable::build(&m, ff)) {
            Ok(st) => st.dump(),
            Err(e) => format!("ERROR {} {} {}\n", e.kind.name(), e.msg, e.lineno),
        };
        if got != expected {
            failures.push(format!("{n}:\n--- got\n{got}--- expected\n{expected}"));
        }
        // The hash-set analysis (modules with very many names) gives the same table.
        let hashed = match pycode_symtable::parse_future(&m).and_then(|ff| pycode_symtable::SymTable::build_with_hash_sets(&m, ff)) {
            Ok(st) => st.dump(),
            Err(e) => format!("ERROR {} {} {}\n", e.kind.name(), e.msg, e.lineno),
        };
        if hashed != expected {
            failures.push(format!("{n} (hash sets):\n--- got\n{hashed}--- expected\n{expected}"));
        }
        // The walk over the arena tree (the source parsed by pycode's parser) gives it too.
        let src = std::fs::read(dir.join(format!("{n}.py"))).expect("source");
        let opts = pycode_parser::Options::for_release(pycode_release::Release::V3_12_7, pycode_parser::Mode::Exec, false);
        let arena = match pycode_parser::parse_arena(&src, &opts) {
            Ok(ast) => match pycode_symtable::parse_future_arena(&ast, pycode_release::Release::V3_12_7)
                .and_then(|ff| pycode_symtable::SymTable::build_arena(&ast, ff, pycode_release::Release::V3_12_7))
            {
                Ok(st) => st.dump(),
                Err(e) => format!("ERROR {} {} {}\n", e.kind.name(), e.msg, e.lineno),
            },
            Err(e) => format!("PARSE {e}"),
        };
        if arena != expected {
            failures.push(format!("{n} (arena):\n--- got\n{arena}--- expected\n{expected}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let mut cases = pycode_testkit::Cases::new("symtable fixtures");
    cases.ran_n(names.len());
    cases.finish(FLOOR);
}
