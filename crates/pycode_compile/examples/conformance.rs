//! End-to-end measurement against the oracle references: for every `REL.pyc` under
//! `oracle/work/<release>/<corpus>/files/`, compiles `corpus/<corpus>/REL` (co_filename = REL,
//! unchecked-hash header, as `py_compile` wrote the reference) and compares the whole file.
//! Usage: `conformance [RELEASE] [CORPUS]` (defaults 3.12.7, stdlib-3.12.7), run from the repo root.
use pycode_marshal::PycKind;
use pycode_release::Release;
use std::collections::BTreeMap;

fn walk(dir: &std::path::Path, base: &std::path::Path, out: &mut Vec<String>) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, base, out);
        } else if let Some(s) = p.to_str() {
            if s.ends_with(".py.pyc") && !s.ends_with(".ts.pyc") {
                if let Ok(r) = p.strip_prefix(base) {
                    out.push(r.to_string_lossy().trim_end_matches(".pyc").to_string());
                }
            }
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let release = args.get(1).and_then(|r| Release::parse(r).ok()).unwrap_or(Release::V3_12_7);
    let (a, b, c) = release.version();
    let corpus = args.get(2).cloned().unwrap_or_else(|| format!("stdlib-{a}.{b}.{c}"));
    let refdir = std::path::PathBuf::from(format!("oracle/work/{a}.{b}.{c}/{corpus}/files"));
    let mut rels = Vec::new();
    walk(&refdir, &refdir, &mut rels);
    rels.sort();
    let (mut ok, mut n) = (0, 0);
    let mut classes: BTreeMap<String, usize> = BTreeMap::new();
    for rel in &rels {
        let Ok(reference) = std::fs::read(refdir.join(format!("{rel}.pyc"))) else { continue };
        let Ok(src) = std::fs::read(format!("corpus/{corpus}/{rel}")) else { continue };
        n += 1;
        let kind = PycKind::UncheckedHash { source_hash: pycode_marshal::source_hash(release, &src) };
        match pycode_compile::compile_to_pyc(&src, rel, release, 0, kind) {
            Ok(mine) if mine == reference => {
                ok += 1;
                println!("OK {rel}");
            }
            Ok(mine) => {
                let off = mine.iter().zip(reference.iter()).position(|(x, y)| x != y).unwrap_or(mine.len().min(reference.len()));
                println!("DIFF {rel} at {off} ({} vs {} bytes)", mine.len(), reference.len());
                *classes.entry("bytes differ".into()).or_default() += 1;
                if let Ok(d) = std::env::var("PYCODE_DUMP") {
                    let _ = std::fs::create_dir_all(&d);
                    let _ = std::fs::write(format!("{d}/{}.pyc", rel.replace('/', "__")), &mine);
                }
            }
            Err(e) => {
                let msg = e.to_string();
                let first = msg.lines().next().unwrap_or("").to_string();
                println!("ERR {rel} {first}");
                let key: String = first.split(" (in ").next().unwrap_or("").chars().take(70).collect();
                *classes.entry(key).or_default() += 1;
            }
        }
    }
    println!("TOTAL {ok}/{n} byte-identical .pyc ({a}.{b}.{c}, corpus {corpus})");
    for (k, v) in classes {
        println!("  {v:4} {k}");
    }
}
