fn main() {
    for path in std::env::args().skip(1) {
        let src = std::fs::read_to_string(&path).unwrap_or_default();
        let ropts = ruff_python_parser::ParseOptions::from(ruff_python_parser::Mode::Module);
        let parsed = ruff_python_parser::parse_unchecked(&src, ropts);
        println!("== {path}: {:?}", src);
        for e in parsed.errors().iter().take(3) {
            println!("  err {:?} @ {:?}: {}", e.error, e.location, e.error);
        }
        for e in parsed.unsupported_syntax_errors().iter().take(2) {
            println!("  uns {:?}", e);
        }
    }
}
