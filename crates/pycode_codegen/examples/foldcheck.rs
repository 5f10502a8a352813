//! Checks the constant folding pass on the arena tree against the boxed tree's:
//! `foldcheck RELEASE PATH...` parses every `.py` file both ways, folds both (operator folding in
//! the AST and in the CFG's way, `optimize` 0 and 1) and compares the arena tree, turned back into
//! the boxed form, with the folded boxed tree (and the errors). Prints the files that differ.
fn files(p: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    if p.is_dir() {
        let Ok(rd) = std::fs::read_dir(p) else { return };
        let mut v: Vec<_> = rd.flatten().map(|d| d.path()).collect();
        v.sort();
        for q in v {
            files(&q, out);
        }
    } else if p.extension().is_some_and(|x| x == "py") {
        out.push(p.to_path_buf());
    }
}

fn main() {
    let mut args: Vec<String> = std::env::args().collect();
    // `--min N`: fail unless at least N files were compared (a missing corpus is not a pass)
    let mut min = 0usize;
    if args.get(1).map(String::as_str) == Some("--min") {
        min = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(usize::MAX);
        args.drain(1..3);
    }
    let Some(rel) = args.get(1).and_then(|r| r.parse::<pycode_release::Release>().ok()) else {
        eprintln!("usage: foldcheck [--min N] RELEASE PATH...");
        std::process::exit(2);
    };
    let mut list = Vec::new();
    for a in args.iter().skip(2) {
        files(std::path::Path::new(a), &mut list);
    }
    let opts = pycode_parser::Options::for_release(rel, pycode_parser::Mode::Exec, false);
    let (mut same, mut differ, mut unparsed) = (0usize, 0usize, 0usize);
    for f in &list {
        let Ok(src) = std::fs::read(f) else { continue };
        let (Ok(m0), Ok(a0)) = (pycode_parser::parse(&src, &opts), pycode_parser::parse_arena(&src, &opts)) else {
            unparsed += 1;
            continue;
        };
        let mut ok = true;
        for (cfg, optimize) in [(false, 0u8), (true, 0), (false, 1)] {
            let mut m = m0.clone();
            let mut ast = pycode_parser::parse_arena(&src, &opts).unwrap_or_default();
            let rb = pycode_codegen::fold_module_for(&mut m, optimize, cfg, 0);
            let ra = pycode_codegen::fold_arena(&mut ast, optimize, cfg, 0);
            let same_tree = match ast.to_tree() {
                Ok(t) => t == m || format!("{t:?}") == format!("{m:?}"),
                Err(_) => false,
            };
            if format!("{rb:?}") != format!("{ra:?}") || !same_tree {
                println!("DIFFER {} cfg={cfg} optimize={optimize}: {rb:?} vs {ra:?} tree same: {same_tree}", f.display());
                ok = false;
                break;
            }
        }
        drop(a0);
        if ok {
            same += 1;
        } else {
            differ += 1;
        }
    }
    println!("{rel}: {same} same, {differ} differ, {unparsed} not parsed");
    if differ > 0 || same < min {
        if same < min {
            eprintln!("{rel}: only {same} files compared, expected at least {min}");
        }
        std::process::exit(1);
    }
}
