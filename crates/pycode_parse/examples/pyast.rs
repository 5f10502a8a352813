//! Development driver for the differential tests and the benchmark.
//!
//! `pyast --target 3.12 [-a] [-i N] [--no-type-comments] [-m MODE] FILE` prints the dump (like `pycode ast`);
//! `pyast --target 3.12 [-a] [-i N] --batch LIST OUT.jsonl` dumps every file named in LIST (one path a
//! line) and writes one JSON object per line: {"path","ok","dump"} or {"path","ok":false,"error"}.
//! `pyast --target 3.12 --bench LIST` times decode+parse+convert over the files and prints MB/s.

use std::io::Write;

use pycode_ast::{DumpOptions, PyMinor};
use pycode_parse::{Mode, Options};

fn json_str(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut minor = PyMinor::Py314;
    let mut attrs = false;
    let mut indent: Option<String> = Some("   ".into());
    let mut tc = true;
    let mut mode = Mode::Exec;
    let mut batch = None;
    let mut bench = None;
    let mut file = None;
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--target" => {
                i += 1;
                minor = match args.get(i).map(String::as_str) {
                    Some("3.11") => PyMinor::Py311,
                    Some("3.12") => PyMinor::Py312,
                    Some("3.13") => PyMinor::Py313,
                    _ => PyMinor::Py314,
                };
            }
            "-a" => attrs = true,
            "-i" => {
                i += 1;
                let n: i64 = args.get(i).and_then(|s| s.parse().ok()).unwrap_or(3);
                indent = Some(" ".repeat(n.max(0) as usize));
            }
            "--one-line" => indent = None,
            "--no-type-comments" => tc = false,
            "-m" => {
                i += 1;
                mode = args.get(i).and_then(|s| Mode::from_name(s)).unwrap_or(Mode::Exec);
            }
            "--batch" => {
                batch = Some((args[i + 1].clone(), args[i + 2].clone()));
                i += 2;
            }
            "--bench" => {
                i += 1;
                bench = args.get(i).cloned();
            }
            f => file = Some(f.to_string()),
        }
        i += 1;
    }
    let opts = Options { minor, mode, type_comments: tc };
    let dopts = DumpOptions { include_attributes: attrs, indent, minor };
    if let Some(list) = bench {
        let files: Vec<Vec<u8>> = std::fs::read_to_string(list).unwrap().lines().filter_map(|p| std::fs::read(p).ok()).collect();
        let total: usize = files.iter().map(Vec::len).sum();
        let mut best = f64::MAX;
        for _ in 0..3 {
            let t = std::time::Instant::now();
            let mut ok = 0;
            for f in &files {
                if pycode_parse::parse(f, &opts).is_ok() {
                    ok += 1;
                }
            }
            let dt = t.elapsed().as_secs_f64();
            best = best.min(dt);
            eprintln!("{} files ({} parsed) in {:.3}s", files.len(), ok, dt);
        }
        println!("{:.1} MB/s ({} bytes, best {:.3}s)", total as f64 / best / 1e6, total, best);
        return;
    }
    if let Some((list, out)) = batch {
        let mut w = std::io::BufWriter::new(std::fs::File::create(out).unwrap());
        for path in std::fs::read_to_string(list).unwrap().lines() {
            let src = std::fs::read(path).unwrap_or_default();
            let mut line = String::from("{\"path\": ");
            json_str(path, &mut line);
            match pycode_parse::parse(&src, &opts) {
                Ok(tree) => {
                    line.push_str(", \"ok\": true, \"dump\": ");
                    json_str(&pycode_ast::dump(&tree, &dopts), &mut line);
                }
                Err(e) => {
                    line.push_str(", \"ok\": false, \"error\": ");
                    json_str(&format!("{}: {} ({}:{})", e.kind.name(), e.msg, e.lineno, e.offset), &mut line);
                }
            }
            line.push_str("}\n");
            w.write_all(line.as_bytes()).unwrap();
        }
        return;
    }
    let src = std::fs::read(file.expect("FILE")).unwrap();
    match pycode_parse::parse(&src, &opts) {
        Ok(tree) => println!("{}", pycode_ast::dump(&tree, &dopts)),
        Err(e) => {
            eprintln!("{}: {} (line {}, offset {})", e.kind.name(), e.msg, e.lineno, e.offset);
            std::process::exit(1);
        }
    }
}
