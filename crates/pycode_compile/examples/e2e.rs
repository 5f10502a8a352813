//! Differential check: `e2e REFDIR FILE...` compiles each FILE (as 3.12) and compares the marshal
//! bytes with `REFDIR/<i>.bin` (written by `tools/codegen/marshal_refs.py` with real CPython).
//! Prints one line per file: `OK`, `DIFF <first differing offset>`, or `ERR <message>`.
//! With `PYCODE_ASTJSON=FILE.jsonl` the ASTs come from CPython (`ast_to_json.py`, same order as
//! the FILE arguments) instead of pycode_parse, isolating the compiler from the parser.
use pycode_release::Release;

fn compile(src: &[u8], f: &str, release: Release, ast: Option<&str>) -> Result<Vec<u8>, String> {
    match ast {
        None => pycode_compile::compile_to_marshal(src, f, release, 0).map_err(|e| e.to_string()),
        Some(line) => {
            let (_, m) = pycode_astjson::load_line(line)?;
            let (g, root) = pycode_compile::compile_ast(&m, f, release, 0).map_err(|e| e.to_string())?;
            pycode_marshal::dumps(&g, root, release.marshal_version()).map_err(|e| e.to_string())
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(refdir) = args.get(1) else { return };
    let release = std::env::var("PYCODE_RELEASE").ok().and_then(|r| Release::parse(&r).ok()).unwrap_or(Release::V3_12_7);
    let (mut ok, mut n) = (0, 0);
    let asts: Vec<String> = match std::env::var("PYCODE_ASTJSON") {
        Ok(p) => std::fs::read_to_string(p).unwrap_or_default().lines().map(String::from).collect(),
        Err(_) => Vec::new(),
    };
    for (i, f) in args.iter().skip(2).enumerate() {
        let Ok(ref_bytes) = std::fs::read(format!("{refdir}/{i}.bin")) else { continue };
        n += 1;
        let src = match std::fs::read(f) {
            Ok(s) => s,
            Err(e) => {
                println!("ERR {f} {e}");
                continue;
            }
        };
        let ast = if asts.is_empty() { None } else { asts.get(i).map(|s| s.as_str()) };
        match compile(&src, f, release, ast) {
            Ok(b) if b == ref_bytes && std::env::var("PYCODE_DUMP_ALL").is_err() => {
                ok += 1;
                println!("OK {f}");
            }
            Ok(b) if b == ref_bytes => {
                ok += 1;
                println!("OK {f}");
            }
            Ok(b) => {
                if let Ok(d) = std::env::var("PYCODE_DUMP") {
                    let _ = std::fs::write(format!("{d}/{i}.bin"), &b);
                }
                let off = b.iter().zip(ref_bytes.iter()).position(|(x, y)| x != y).unwrap_or(b.len().min(ref_bytes.len()));
                println!("DIFF {f} {off} {} {}", b.len(), ref_bytes.len());
            }
            Err(e) => println!("ERR {f} {}", e.lines().next().unwrap_or("")),
        }
    }
    println!("TOTAL {ok}/{n}");
}
