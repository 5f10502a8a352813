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
    assert_eq!(ran, 7);
}
