//! `__future__` checks of 3.14+'s parser and 3.15's rewordings (moved from pycode_parse).

use pycode_ast::PyMinor;
use pycode_parser::{parse, Mode, Options};

fn err(src: &str, minor: PyMinor) -> Option<(String, u32, u32, u32)> {
    let opts = Options::new(minor, Mode::Exec);
    parse(src.as_bytes(), &opts).err().map(|e| (e.msg, e.lineno, e.offset, e.end_offset))
}

// Expected from CPython 3.14.2's `ast.parse` (test_future_stmt/badsyntax_future*.py).
#[test]
fn future_features() {
    let src = "\"doc\"\nfrom __future__ import nested_scopes, braces\n";
    assert_eq!(err(src, PyMinor::Py314), Some(("not a chance".into(), 2, 39, 45)));
    assert_eq!(err(src, PyMinor::Py313), None);
    let src = "from __future__ import *\n";
    assert_eq!(err(src, PyMinor::Py314), Some(("future feature * is not defined".into(), 1, 24, 25)));
    // only the leading block is checked by the parser
    assert_eq!(err("import os\nfrom __future__ import spam\n", PyMinor::Py314), None);
}

// Expected from CPython 3.14.2 and 3.15.0rc1 (Pyodide) `ast.parse`.
#[test]
fn lazy_imports_and_315_wording() {
    for minor in [PyMinor::Py311, PyMinor::Py314] {
        assert_eq!(err("lazy import os\n", minor), Some(("invalid syntax".into(), 1, 6, 12)));
        assert_eq!(err("lazy from a import b\n", minor), Some(("invalid syntax".into(), 1, 6, 10)));
    }
    assert_eq!(err("lazy import os\nlazy from . import b\nlazy = 1\n", PyMinor::Py315), None);
    let src = "lazy from __future__ import annotations\n";
    assert_eq!(err(src, PyMinor::Py315), Some(("lazy from __future__ import is not allowed".into(), 1, 1, 5)));
    let src = "def f(*a, *b): pass\n";
    assert_eq!(err(src, PyMinor::Py314), Some(("* argument may appear only once".into(), 1, 11, 12)));
    assert_eq!(err(src, PyMinor::Py315), Some(("* may appear only once".into(), 1, 11, 12)));
    assert_eq!(err("[*]\n", PyMinor::Py315), Some(("invalid syntax".into(), 1, 3, 4)));
    assert_eq!(err("f(*)\n", PyMinor::Py315), Some(("Invalid star expression".into(), 1, 4, 5)));
    let src = "match x:\n    case {**rest, \"key\": value}:\n        pass\n";
    let msg = "double star pattern must be the last (right-most) subpattern in the mapping pattern";
    assert_eq!(err(src, PyMinor::Py315), Some((msg.into(), 2, 13, 17)));
    assert_eq!(err(src, PyMinor::Py314), Some(("invalid syntax".into(), 2, 19, 24)));
}
