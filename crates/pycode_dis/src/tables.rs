//! `pycode tables`: the derived tables of every code object — `co_lines()`, `co_positions()` and
//! the exception table as `dis._parse_exception_table` gives it — printed as Python prints the
//! lists, so they can be compared line by line with what a CPython release computes.
//!
//! Per code object (depth-first, parent first, children in `co_consts` order):
//!
//! ```text
//! <co_qualname> (firstlineno N)
//! co_lines: [(0, 2, 1), (2, 10, None)]
//! co_positions: [(1, 1, 0, 5), (None, None, None, None)]
//! exceptions: [(4, 10, 12, 1, True)]
//! ```

use std::fmt::Write as _;

use pycode_object::linetable::{co_lines, co_positions, parse_exception_table, LinesStyle};
use pycode_object::{ObjId, ObjectGraph};
use pycode_release::Release;

use crate::disasm::code_parts;
use crate::info::walk_codes;
use crate::DisError;

fn opt(out: &mut String, v: Option<i32>) {
    match v {
        Some(v) => {
            let _ = write!(out, "{v}");
        }
        None => out.push_str("None"),
    }
}

/// The tables of every code object reachable from `root`.
pub fn code_tables_all(graph: &ObjectGraph, root: ObjId, release: Release) -> Result<String, DisError> {
    let style = if release.minor() == (3, 11) { LinesStyle::PerEntry } else { LinesStyle::Merged };
    let mut out = String::with_capacity(4096);
    walk_codes(graph, root, |id| {
        let parts = code_parts(graph, id)?;
        let code = parts.code;
        let qualname = graph.str(code.qualname).map(|s| s.to_string_lossy()).unwrap_or_default();
        let _ = writeln!(out, "{qualname} (firstlineno {})", code.firstlineno);
        out.push_str("co_lines: [");
        for (i, r) in co_lines(parts.linetable, code.firstlineno, style).iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            let _ = write!(out, "({}, {}, ", r.start, r.end);
            opt(&mut out, r.line);
            out.push(')');
        }
        out.push_str("]\nco_positions: [");
        for (i, p) in co_positions(parts.linetable, code.firstlineno).iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            out.push('(');
            opt(&mut out, p.lineno);
            out.push_str(", ");
            opt(&mut out, p.end_lineno);
            out.push_str(", ");
            opt(&mut out, p.col_offset);
            out.push_str(", ");
            opt(&mut out, p.end_col_offset);
            out.push(')');
        }
        out.push_str("]\nexceptions: [");
        for (i, e) in parse_exception_table(parts.exceptiontable).iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            let lasti = if e.lasti { "True" } else { "False" };
            let _ = write!(out, "({}, {}, {}, {}, {lasti})", e.start, e.end, e.target, e.depth);
        }
        out.push_str("]\n");
        Ok(())
    })?;
    Ok(out)
}
