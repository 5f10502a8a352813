//! `lexdump MINOR FILE...`: each file's tokens as [`pycode_lexer::oracle_listing`] lists them,
//! after a `== FILE` line. Files are UTF-8 (tools/lexer_parity.py decodes them for it).
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let minor: u8 = args.get(1).and_then(|m| m.parse().ok()).unwrap_or(12);
    let errpos = args.iter().any(|a| a == "--errpos");
    for path in args.iter().skip(2).filter(|a| *a != "--errpos") {
        match std::fs::read(path) {
            Ok(raw) => print!("== {path}\n{}", pycode_lexer::oracle_listing_with(&raw, minor, errpos)),
            Err(e) => println!("== {path}\nERROR read: {e}"),
        }
    }
}
