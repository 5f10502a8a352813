//! Deep and pathological inputs: a tree or an error, in linear-ish time, never a stack overflow.

fn parse(src: &str) -> Result<pycode_ast::Mod, pycode_parser::ParseError> {
    let opts = pycode_parser::Options::new(pycode_ast::PyMinor::Py312, pycode_parser::Mode::Exec);
    pycode_parser::parse(src.as_bytes(), &opts)
}

#[test]
fn deep_inputs() {
    let cases: Vec<(String, bool)> = vec![
        // 150 nested parentheses in an assignment: the memoised target rules keep this linear.
        (format!("x = {}1{}\n", "(".repeat(150), ")".repeat(150)), true),
        (format!("{}1{} = 2\n", "(".repeat(150), ")".repeat(150)), false),
        (format!("x = {}{}\n", "[".repeat(150), "]".repeat(150)), true),
        (format!("x = {}1\n", "-".repeat(100_000)), false),
        (format!("x = {}1\n", "not ".repeat(50_000)), false),
        (format!("x = f\"{}{}\"\n", "{f\"".repeat(100), "\"}".repeat(100)), true),
        // 300 brackets: the tokenizer's limit (200).
        (format!("x = {}{}\n", "(".repeat(300), ")".repeat(300)), false),
        // Groups around calls whose argument does not match (a string, then an unclosed '{'):
        // each call parsed its failing first argument twice, 2^depth (a 301-byte libFuzzer input,
        // fuzz/open_findings/parse_deep_parens_slow.py, took 2.6 s; 40 levels would take days).
        (format!("{}'{{'{{\n", "((x".repeat(40)), false),
        (format!("f(a, {}0'', 2)\n", "((x(".repeat(45)), false),
        // A subscript whose slice is not an expression parsed it again as `named_expression`.
        (format!("{}x y\n", "x[(".repeat(40)), false),
        (format!("{}'s'\n", "[(x".repeat(40)), false),
    ];
    // Expected outcomes as CPython 3.12.1 gives them (`MemoryError` for the 100 000 unary
    // operators, "too many nested parentheses" for 300 brackets).
    let mut ran = 0;
    for (src, ok) in &cases {
        let t = std::time::Instant::now();
        let r = parse(src);
        assert_eq!(r.is_ok(), *ok, "{:?}: {:?}", src.get(..40), r.err());
        assert!(t.elapsed().as_secs() < 10, "too slow: {:?}", src.get(..40));
        ran += 1;
    }
    assert_eq!(ran, 11);
}

/// 3.15's `(*` groups try a starred generator expression before a tuple (PEP 798); both tries
/// parse the same operand, memoized as in CPython, else each nesting level doubled the work
/// (a 204-byte libFuzzer input took over 70 s; 20 levels of `(*…,)` 2 s).
#[test]
fn deep_starred_groups_3_15() {
    let opts = pycode_parser::Options::new(pycode_ast::PyMinor::Py315, pycode_parser::Mode::Exec);
    let mut genexp = String::from("a");
    for _ in 0..60 {
        genexp = format!("(*{genexp} for a in b)");
    }
    let cases: Vec<(String, bool)> = vec![
        (format!("x = {}a{}\n", "(*".repeat(60), ",)".repeat(60)), true),
        (format!("x = {genexp}\n"), true),
        (format!("x = {}a{}\n", "(*".repeat(60), " or b,)".repeat(60)), false),
        // the libFuzzer input, minimized
        ("((*[5*(*(*([f(*(*r((*(*(*aH[(*(*(*5*(*a(*(*H((*[h x\n".to_string(), false),
        // `f(*…` tried as a starred generator expression, then as arguments; `{**…` as a dict
        // comprehension of unpacked mappings, then as a dict: one parse of the operand each.
        (format!("{}x y\n", "x(*".repeat(40)), false),
        (format!("{}x y\n", "{**".repeat(40)), false),
        (format!("{}x y\n", "{**x(".repeat(40)), false),
        (format!("x = {}a{}\n", "{**".repeat(40), "}".repeat(40)), true),
    ];
    let mut ran = 0;
    for (src, ok) in &cases {
        let t = std::time::Instant::now();
        let r = pycode_parser::parse(src.as_bytes(), &opts);
        assert_eq!(r.is_ok(), *ok, "{:?}: {:?}", src.get(..40), r.err());
        assert!(t.elapsed().as_secs() < 10, "too slow: {:?}", src.get(..40));
        ran += 1;
    }
    assert_eq!(ran, 8);
}
