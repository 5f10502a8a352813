//! `-j N` prints what `-j 1` prints with the `Listing` lines first (the tree is walked before
//! compiling, as CPython's executor does), then each file's lines as one block in walk order. The compile step is a stand-in (fixed bytes; sources containing `bad`
//! fail) since only the driver's ordering is under test here.

use pycode_compileall::{compile_dir, Collect, CompileFailure, Compiled, Config, SyntaxErrorInfo};
use pycode_release::Release;

fn fake(source: &[u8], dfile: &str, _r: Release, _o: i64) -> Result<Compiled, CompileFailure> {
    if source.windows(3).any(|w| w == b"bad") {
        return Err(CompileFailure::Syntax(Box::new(SyntaxErrorInfo {
            class: "SyntaxError".into(),
            msg: "invalid syntax".into(),
            filename: Some(dfile.into()),
            lineno: Some(1),
            offset: Some(1),
            end_lineno: Some(1),
            end_offset: Some(4),
            text: Some("bad\n".into()),
        })));
    }
    Ok(Compiled { code: source.to_vec(), warnings: vec![], header_room: 0 })
}

#[test]
fn parallel_output_equals_serial() {
    let root = std::env::temp_dir().join(format!("pycode_compileall_jobs_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    for d in 0..6 {
        for f in 0..20 {
            let p = root.join(format!("d{d}/s{}/f{f:02}.py", d % 2));
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            let body = if (d * 20 + f) % 7 == 0 { "bad\n".to_string() } else { format!("x = {f}\n") };
            std::fs::write(&p, body).unwrap();
        }
    }
    let dir = root.as_os_str().as_encoded_bytes().to_vec();
    let mut results = Vec::new();
    for workers in [1, 3, 0] {
        let mut cfg = Config::new(Release::V3_12_7);
        cfg.force = true;
        cfg.cpu_count = 4;
        let rep = Collect::default();
        let ok = compile_dir(&cfg, &dir, None, None, None, None, workers, &fake, &rep).unwrap();
        results.push((ok, rep.out.into_inner().unwrap()));
    }
    let _ = std::fs::remove_dir_all(&root);
    assert!(!results[0].0, "some files fail");
    assert!(results[0].1.contains("***   File"), "errors printed");
    assert_eq!(results[0].1.matches("Compiling ").count(), 120);
    let serial = &results[0].1;
    let listing: String = serial.split_inclusive('\n').filter(|l| l.starts_with("Listing ")).collect();
    let rest: String = serial.split_inclusive('\n').filter(|l| !l.starts_with("Listing ")).collect();
    let expected = listing + &rest;
    for r in &results[1..] {
        assert_eq!(r.0, results[0].0);
        assert_eq!(r.1, expected);
    }
}

/// A compiler that leaves `header_room` for the `.pyc` header gets the same file as one that
/// hands back the bare marshal data: the header written in place, then the data.
#[test]
fn header_room_writes_the_same_pyc() {
    fn bare(source: &[u8], _d: &str, _r: Release, _o: i64) -> Result<Compiled, CompileFailure> {
        Ok(Compiled { code: source.to_vec(), warnings: vec![], header_room: 0 })
    }
    fn roomy(source: &[u8], _d: &str, _r: Release, _o: i64) -> Result<Compiled, CompileFailure> {
        let mut code = vec![0xAA; pycode_compileall::PYC_HEADER_ROOM];
        code.extend_from_slice(source);
        Ok(Compiled { code, warnings: vec![], header_room: pycode_compileall::PYC_HEADER_ROOM })
    }
    let root = std::env::temp_dir().join(format!("pycode_compileall_room_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(root.join("m.py"), "x = 1\n").unwrap();
    let dir = root.as_os_str().as_encoded_bytes().to_vec();
    let pyc = root.join("__pycache__").join("m.cpython-312.pyc");
    let mut files = Vec::new();
    for compiler in [bare as fn(&[u8], &str, Release, i64) -> Result<Compiled, CompileFailure>, roomy] {
        let mut cfg = Config::new(Release::V3_12_7);
        cfg.force = true;
        let rep = Collect::default();
        assert!(compile_dir(&cfg, &dir, None, None, None, None, 1, &compiler, &rep).unwrap());
        files.push(std::fs::read(&pyc).unwrap());
    }
    let _ = std::fs::remove_dir_all(&root);
    assert_eq!(files.len(), 2);
    assert_eq!(files[0].len(), 16 + 6);
    assert_eq!(&files[0][16..], b"x = 1\n");
    assert_eq!(files[0], files[1]);
}

/// Every compile runs on a thread with [`COMPILE_THREAD_STACK`], at `-j 1` as at `-j N`: a
/// compiler that wants a large red zone (pycode's parse: 16 MiB) then never moves to a fresh
/// stack segment, which on the 8 MiB main thread it did for every file.
#[test]
fn compiles_run_on_large_stacks() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static LEAST: AtomicUsize = AtomicUsize::new(usize::MAX);
    static CALLS: AtomicUsize = AtomicUsize::new(0);
    fn probe(source: &[u8], _d: &str, _r: Release, _o: i64) -> Result<Compiled, CompileFailure> {
        let left = stacker::remaining_stack().unwrap_or(0);
        LEAST.fetch_min(left, Ordering::Relaxed);
        CALLS.fetch_add(1, Ordering::Relaxed);
        Ok(Compiled { code: source.to_vec(), warnings: vec![], header_room: 0 })
    }
    let root = std::env::temp_dir().join(format!("pycode_compileall_stack_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(&root).unwrap();
    for f in 0..4 {
        std::fs::write(root.join(format!("m{f}.py")), "x = 1\n").unwrap();
    }
    let dir = root.as_os_str().as_encoded_bytes().to_vec();
    for workers in [1, 2] {
        let mut cfg = Config::new(Release::V3_12_7);
        cfg.force = true;
        let rep = Collect::default();
        assert!(compile_dir(&cfg, &dir, None, None, None, None, workers, &probe, &rep).unwrap());
    }
    let _ = std::fs::remove_dir_all(&root);
    assert_eq!(CALLS.load(Ordering::Relaxed), 8);
    let least = LEAST.load(Ordering::Relaxed);
    assert!(least > pycode_compileall::COMPILE_THREAD_STACK / 2, "a compile ran with {least} bytes of stack left");
}
