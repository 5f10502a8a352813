//! Reads `tools/codegen/ast_to_json.py` lines on stdin and prints the module-level instruction
//! listing in the format of `tools/codegen/codegen_oracle.py`. `-O N` sets the optimize level.
use std::io::BufRead;

use pycode_codegen::{compile_module, listing::module_listing, CompileOptions};
use pycode_release::Release;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let opt: u8 = if args.get(1).map(|s| s.as_str()) == Some("-O") { args.get(2).and_then(|s| s.parse().ok()).unwrap_or(0) } else { 0 };
    let release = std::env::var("PYCODE_RELEASE").ok().and_then(|r| Release::parse(&r).ok()).unwrap_or(Release::V3_12_1);
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
        match compile_module(&mut m, o) {
            Ok(c) => print!("{}", module_listing(&c, release)),
            Err(e) => println!("ERROR {}: {}", e.kind.name(), e.msg),
        }
    }
}
