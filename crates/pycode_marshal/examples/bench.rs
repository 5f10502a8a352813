//! Reading speed: loads every `.pyc` under DIR into memory, then times `loads` of all the
//! marshal bodies (best of 5 passes) and, in the same run, CPython's `marshal.loads` on the
//! same bytes (best of 5, via PYTHON), and prints MB/s for both and the ratio.
//!
//! usage: bench PYTHON DIR        e.g. bench python3 oracle/work/marshal/3.11.7
//! PYTHON must be the release that wrote the files (its marshal must accept them).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use pycode_marshal::{dumps, loads, read_pyc};

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out);
        } else if p.extension().is_some_and(|e| e == "pyc") {
            out.push(p);
        }
    }
}

const PY_BENCH: &str = r#"
import marshal, sys, time
paths = open(sys.argv[1]).read().split("\n")
bodies = [open(p, "rb").read()[16:] for p in paths if p]
best = 1e9
for _ in range(5):
    t = time.perf_counter()
    for b in bodies:
        marshal.loads(b)
    best = min(best, time.perf_counter() - t)
print(best)
"#;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(python), Some(dir)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: bench PYTHON DIR");
        std::process::exit(2);
    };
    let mut paths = Vec::new();
    walk(Path::new(dir), &mut paths);
    let mut bodies = Vec::new();
    let mut version = 4;
    for p in &paths {
        if let Ok(d) = std::fs::read(p) {
            if let Ok(pyc) = read_pyc(&d) {
                version = pyc.release().marshal_version();
                bodies.push(d[16..].to_vec());
            }
        }
    }
    let total: usize = bodies.iter().map(Vec::len).sum();
    let mut best = f64::MAX;
    let mut nodes = 0;
    for _ in 0..5 {
        let t = Instant::now();
        nodes = 0;
        for b in &bodies {
            if let Ok((g, _)) = loads(b, version) {
                nodes += g.len();
            }
        }
        best = best.min(t.elapsed().as_secs_f64());
    }
    let graphs: Vec<_> = bodies.iter().filter_map(|b| loads(b, version).ok()).collect();
    let mut best_w = f64::MAX;
    for _ in 0..5 {
        let t = Instant::now();
        for (g, root) in &graphs {
            let _ = dumps(g, *root, version);
        }
        best_w = best_w.min(t.elapsed().as_secs_f64());
    }
    let list = std::env::temp_dir().join(format!("pycode_bench_{}.txt", std::process::id()));
    let listing: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    let _ = std::fs::write(&list, listing.join("\n"));
    let py = Command::new(python).arg("-c").arg(PY_BENCH).arg(&list).output();
    let _ = std::fs::remove_file(&list);
    let mb = total as f64 / 1e6;
    println!("{} files, {:.1} MB of marshal data, {} objects", bodies.len(), mb, nodes);
    println!("pycode loads: {:.3} s = {:.0} MB/s", best, mb / best);
    println!("pycode dumps: {:.3} s = {:.0} MB/s", best_w, mb / best_w);
    match py.ok().and_then(|o| String::from_utf8(o.stdout).ok()).and_then(|s| s.trim().parse::<f64>().ok()) {
        Some(t) => {
            println!("CPython marshal.loads ({python}): {:.3} s = {:.0} MB/s; pycode/CPython speed ratio {:.2}", t, mb / t, t / best)
        }
        None => println!("CPython timing failed"),
    }
}
