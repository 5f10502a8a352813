//! The facade as an embedder uses it: compile a tree, read back what it wrote, compare with
//! the single-file API.

use std::path::PathBuf;

use pycode::{compile_tree, read_pyc, Compiler, Invalidation, InvalidationMode, PycKind, Release, TreeOptions};

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("pycode-embed-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(d.join("pkg/sub")).unwrap();
    d
}

#[test]
fn tree_matches_single_file_compiles() {
    let release = Release::parse("3.12.7").unwrap();
    let root = scratch("tree");
    let files = [
        ("pkg/__init__.py", "from .mod import f\n"),
        ("pkg/mod.py", "def f(x):\n    return {'a': x, 'b': [i * 2 for i in range(x)]}\n"),
        ("pkg/sub/__init__.py", ""),
        ("pkg/sub/deep.py", "class C:\n    '''doc'''\n    def m(self):\n        assert self\n        return 1\n"),
    ];
    for (rel, text) in files {
        std::fs::write(root.join(rel), text).unwrap();
    }
    let mut opts = TreeOptions::new(release);
    opts.workers = 2;
    opts.optimize = vec![0, 2];
    opts.invalidation = Some(InvalidationMode::UncheckedHash);
    let report = compile_tree(&root.join("pkg"), &opts).unwrap();
    assert!(report.success, "{report:?}");
    let mut checked = 0;
    for (rel, text) in files {
        let src = root.join(rel);
        let dir = src.parent().unwrap().join("__pycache__");
        let stem = src.file_stem().unwrap().to_str().unwrap();
        for (level, suffix) in [(0u8, ""), (2, ".opt-2")] {
            let written = std::fs::read(dir.join(format!("{stem}.cpython-312{suffix}.pyc"))).unwrap();
            let filename = src.to_str().unwrap();
            let direct =
                Compiler::new(release).optimize(level).compile_pyc(text.as_bytes(), filename, Invalidation::UncheckedHash).unwrap();
            assert_eq!(written, direct, "{rel} at -O{level}");
            let (header, code) = read_pyc(&written).unwrap();
            assert!(matches!(header.kind, PycKind::UncheckedHash { .. }));
            assert_eq!(code.to_pyc(header.kind).unwrap(), written, "{rel}: read + write round trip");
            checked += 1;
        }
    }
    assert_eq!(checked, 8);
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn errors_are_values() {
    let release = Release::parse("3.12").unwrap();
    let root = scratch("errors");
    std::fs::write(root.join("pkg/bad.py"), "def f(:\n").unwrap();
    let report = compile_tree(&root.join("pkg"), &TreeOptions::new(release)).unwrap();
    assert!(!report.success);
    assert!(report.stdout.contains("SyntaxError"), "{}", report.stdout);
    assert!(read_pyc(&[0u8; 3]).is_err());
    assert!(pycode::read_marshal(b"\xe3\x00", release).is_err());
    let _ = std::fs::remove_dir_all(&root);
}
