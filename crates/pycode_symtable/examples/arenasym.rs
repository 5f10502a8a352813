//! Checks the symbol table built on the arena tree against the one built on the boxed tree:
//! `arenasym RELEASE FILE_OR_DIR...` parses every `.py` file both ways, builds both tables and
//! compares every entry (names as text, since the two tables intern in different orders), the
//! number of keyed scopes, and the errors. Prints the files that differ and a count.
use pycode_symtable::{Entry, Names, SymTable};

fn norm_entry(e: &Entry, names: &Names) -> String {
    let syms: Vec<String> = e.symbols.iter().map(|(n, f)| format!("{}={f:#x}", names.get(n))).collect();
    let vars: Vec<&str> = e.varnames.iter().map(|&n| names.get(n)).collect();
    format!(
        "{} {:?} syms={syms:?} vars={vars:?} children={:?} nested={} gen={} coro={} comp={:?} va={} vk={} ret={} ncc={} ncd={} inl={} see={} free={} cfree={} pos={}:{}-{}:{} private={:?} dir={:?} ann={:?} cond={} used={} info={:?}",
        e.name,
        e.block_type,
        e.children,
        e.nested,
        e.generator,
        e.coroutine,
        e.comprehension,
        e.varargs,
        e.varkeywords,
        e.returns_value,
        e.needs_class_closure,
        e.needs_classdict,
        e.comp_inlined,
        e.can_see_class_scope,
        e.has_free,
        e.child_free,
        e.lineno,
        e.col_offset,
        e.end_lineno,
        e.end_col_offset,
        e.private,
        e.directives,
        e.annotation_block,
        e.has_conditional_annotations,
        e.annotations_used,
        e.scope_info,
    )
}

fn norm(r: &Result<SymTable, pycode_symtable::CompileError>) -> Vec<String> {
    match r {
        Ok(st) => {
            let mut v: Vec<String> = st.entries.iter().map(|e| norm_entry(e, &st.names)).collect();
            v.push(format!("blocks={}", st.blocks.len()));
            v
        }
        Err(e) => vec![format!("{e:?}")],
    }
}

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
        eprintln!("usage: arenasym [--min N] RELEASE PATH...");
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
        let (Ok(m), Ok(ast)) = (pycode_parser::parse(&src, &opts), pycode_parser::parse_arena(&src, &opts)) else {
            unparsed += 1;
            continue;
        };
        let ff = pycode_symtable::parse_future_for(&m, rel);
        let boxed = ff.clone().and_then(|ff| SymTable::build_for(&m, ff, rel));
        let ffa = pycode_symtable::parse_future_arena(&ast, rel);
        if format!("{ff:?}") != format!("{ffa:?}") {
            println!("FUTURE DIFFER {}: {ff:?} vs {ffa:?}", f.display());
            differ += 1;
        }
        let arena = ffa.and_then(|ff| SymTable::build_arena(&ast, ff, rel));
        let (a, b) = (norm(&boxed), norm(&arena));
        if a == b {
            same += 1;
        } else {
            differ += 1;
            println!("DIFFER {}", f.display());
            for (x, y) in a.iter().zip(&b) {
                if x != y {
                    println!("  boxed: {x}\n  arena: {y}");
                    break;
                }
            }
            if a.len() != b.len() {
                println!("  entries {} vs {}", a.len(), b.len());
            }
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
