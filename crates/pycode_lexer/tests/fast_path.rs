//! The shortcuts for common tokens (`Lexer::fast_token`, and the ones `next_token_general` tries
//! first) give exactly the tokens, errors and warnings of the general path, for every release's
//! parser tokenizer (with and without type comments): over the fixtures in tests/data and every
//! `.py` file of the stdlib-3.12.7, pypi and invalid corpora (when present).

use std::path::{Path, PathBuf};

use pycode_lexer::{Config, Lexer, TokKind};

fn collect(p: &Path, out: &mut Vec<PathBuf>) {
    if p.is_dir() {
        let Ok(rd) = std::fs::read_dir(p) else { return };
        let mut v: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
        v.sort();
        for e in v {
            collect(&e, out);
        }
    } else if p.extension().is_some_and(|e| e == "py") {
        out.push(p.to_path_buf());
    }
}

fn run(
    src: &[u8],
    minor: u8,
    type_comments: bool,
    fast: bool,
) -> (Vec<pycode_lexer::Token>, Option<pycode_lexer::LexError>, Vec<pycode_lexer::LexWarning>) {
    let prepared = pycode_lexer::prepare(src, true);
    let mut lx = Lexer::new(&prepared, Config { type_comments, ..Config::parser(minor) });
    lx.set_fast_path(fast);
    let mut toks = Vec::new();
    let err = loop {
        match lx.next_token() {
            Ok(t) => {
                toks.push(t);
                if t.kind == TokKind::ENDMARKER {
                    break None;
                }
            }
            Err(e) => break Some(e),
        }
    };
    (toks, err, lx.warnings.clone())
}

#[test]
fn fast_path_gives_the_same_tokens() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    collect(&root.join("tests/data"), &mut files);
    let fixtures = files.len();
    for c in ["stdlib-3.12.7", "pypi", "invalid"] {
        collect(&root.join("../../corpus").join(c), &mut files);
    }
    let mut ran = 0;
    let mut differ = Vec::new();
    for f in &files {
        let Ok(src) = std::fs::read(f) else { continue };
        // three releases, and one with `# type:` comments (which the shortcuts leave alone)
        for (minor, tc) in [(11u8, false), (12, false), (14, false), (12, true)] {
            ran += 1;
            if run(&src, minor, tc, true) != run(&src, minor, tc, false) {
                differ.push(format!("{} (3.{minor}, type comments {tc})", f.display()));
            }
        }
    }
    assert!(differ.is_empty(), "fast path differs: {differ:?}");
    assert!(fixtures >= 24, "fixtures: {fixtures}");
    assert_eq!(ran, files.len() * 4);
    eprintln!("fast path: {ran} (file, release) cases identical");
}

/// Line starts and line ends the shortcuts decide on, next to what they leave to the general
/// path: tabs and form feeds in indentation, blank and comment lines (with tabs, at the end of
/// the input, before a dedent), a backslash at the start of a line, `\r`, NUL bytes, comments
/// inside brackets, `# type:` comments; indentation that changes (several dedents at once, a
/// dedent to no open level, tabs against spaces on an indent and on a dedent, too many levels);
/// numbers and strings next to the ones the shortcut takes (prefixes, escapes, triple quotes,
/// underscores, leading zeros, a name or non-ASCII byte right after a number); names of 7 to 26
/// bytes (scanned eight bytes at a time) before an operator, a quote, a non-ASCII byte, the end;
/// triple-quoted strings over several lines (quotes, escapes, unterminated, NUL, `\r`); line
/// ends inside brackets (comments, blank lines, form feeds, a backslash, the end of the input).
#[test]
fn shortcut_edges_give_the_same_tokens() {
    let cases: &[&[u8]] = &[
        b"if x:\n\ty = 1\n\tz = 2\n",
        b"if x:\n\ty = 1\n        z = 2\n",
        b"if x:\n        y = 1\n\tz = 2\n",
        b"if x:\n    y = 1\n  \t  z = 2\n",
        b"if x:\n    y = 1\n\x0c    z = 2\n",
        b"if x:\n    y = 1\n    \x0cz = 2\n",
        b"if x:\n    y = 1\n\n    \n\t\n    # c\n\t# c\n    z = 2\n",
        b"if x:\n    y = 1\n    # c\nz = 2\n",
        b"if x:\n    y = 1\n  z = 2\n",
        b"if x:\n    y = 1\n\\\n    z = 2\n",
        b"if x:\n    y = 1\n    \\\n    z\n",
        b"x = 1 # c\r\ny = 2\r\n# c\r\n\r\nz = 3\r\n",
        b"x = 1 # c\ry = 2\r# c\r\rz = 3\r",
        b"x = (1, # c\n  2)  # d\ny = 2 \t # e\n",
        b"x = 1\n# c",
        b"x = 1\n    ",
        b"x = 1\n\x00\ny = 2\n",
        b"x = 1  # type: int\ny = []  # type: ignore\n# type: ignore\n",
        b"def f(a,  # type: int\n      ):\n    # type: (...) -> None\n    pass\n",
        b"x = 1\n        \n  # c\n",
        b"s = '''a\n  b\n'''\nt = 1\n",
        b"if a:\n    if b:\n        c\n\n# x\n    d\ne\n",
        b"if a:\n if b:\n  if c:\n   d\ne\n",
        b"if a:\n    if b:\n        c\n      d\n",
        b"if a:\n\tif b:\n\t\tc\n        d\n",
        b"if x:\n\tif y:\n        z\n",
        b"if x:\n        y\n\tz\n",
        b"x = 0, 00, 0., 1.5, 1e5, 1j, 0x1f, 0o7, 0b1, 1_000, 12, 3)\n",
        b"x = 1if y else 2\n",
        b"x = 01\n",
        b"x = 12abc\n",
        b"x = 1\xc3\xa9\n",
        b"x = ('', \"\", 'a', \"x'y\", 'x\"y', '''t''', 'a\\'b', \"\\n\")\n",
        b"x = b'x' + rb\"y\" + f'{z}' + u'w' + '\xc3\xa9'\n",
        b"x = 'unterminated\n",
        b"x = f'{\"a\"}' + 'b'\n",
        b"abcdefg = abcdefgh + abcdefghi + abcdefghijklmnop + abcdefghijklmnopq + _a1_B2_c3_D4_\n",
        b"x = abcdefgh\xc3\xa9 + abcdefg\xc3\xa9\n",
        b"x = abcdefghr'y' + abcdefgh\"z\"\n",
        b"x = abcdefghijklmnopqrstuvwxyz",
        b"def f():\n    '''doc\n    more ' \" '' \\''' \\\n    x\n\n    '''\n    \"\"\"a\n'''b\n\"\"\"\n    return 1\n",
        b"x = '''abc\n\ndef\n",
        b"x = '''abc\n\ndef\\\n",
        b"x = \"\"\"a\\\"\"\"\"\" + '''\n'''\n",
        b"x = '''a\n\x00b'''\n",
        b"x = '''a\r\nb'''\r\ny = 1\n",
        b"x = f(a,  # c\n\n      # d\n  \t\x0c b,\n\n)\ny = [\n1,\n\\\n2]\n",
        b"x = (1,\n",
        b"x = (1,\n   # c",
        b"x = (1,\n  2  # type: int\n)\n",
        b"x = (1,\r\n 2)\r\n",
        b"x = {1:\n  2, 3: [\n    4]}\n",
        b"if a:\n    if b:\n        if c:\n            d\n            e\n    f\n",
        b"if a:\n    if b:\n        if c:\n            d\n          e\n",
        b"if a:\n    \tb\n    \tc\n",
        b"if a:\n        \tb\n            \x0cc\n",
        b"if a:\n     b\n    c\n",
        b"x = (1,\n            2,\n                3)\n",
    ];
    // 100 nested levels: the indentation limit (`too many levels of indentation`)
    let mut deep = Vec::new();
    for k in 0..101 {
        deep.extend(std::iter::repeat_n(b' ', k));
        deep.extend_from_slice(b"if x:\n");
    }
    deep.extend(std::iter::repeat_n(b' ', 101));
    deep.extend_from_slice(b"y\n");
    let cases: Vec<&[u8]> = cases.iter().copied().chain([deep.as_slice()]).collect();
    let mut ran = 0;
    let mut differ = Vec::new();
    for (k, src) in cases.iter().enumerate() {
        for (minor, tc) in [(11u8, false), (12, false), (14, false), (12, true)] {
            ran += 1;
            if run(src, minor, tc, true) != run(src, minor, tc, false) {
                differ.push(format!("case {k} (3.{minor}, type comments {tc})"));
            }
        }
    }
    assert!(differ.is_empty(), "fast path differs: {differ:?}");
    assert_eq!(ran, 236);
}
