//! `dis.code_info` / `dis.show_code` (`_format_code_info` in `Lib/dis.py`).

use std::fmt::Write as _;

use pycode_object::linetable::LocalsPlus;
use pycode_object::{Obj, ObjId, ObjectGraph};
use pycode_release::Release;

use crate::disasm::code_parts;
use crate::repr::{push_pystr, Repr};
use crate::{unicode_version, DisError, SetOrder};

/// `dis.pretty_flags(flags)`; `co_flags` is a C `int`, so bit 31 makes it negative.
fn pretty_flags(out: &mut String, flags: u32, names: &[(u32, &str)]) {
    let mut flags = flags as i32 as i64;
    let mut first = true;
    let mut push = |out: &mut String, s: &str| {
        if !first {
            out.push_str(", ");
        }
        out.push_str(s);
        first = false;
    };
    let mut broke = false;
    for i in 0..32 {
        let flag = 1i64 << i;
        if flags & flag != 0 {
            match names.iter().find(|(f, _)| *f as i64 == flag) {
                Some((_, n)) => push(out, n),
                None => push(out, &py_hex(flag)),
            }
            flags ^= flag;
            if flags == 0 {
                broke = true;
                break;
            }
        }
    }
    if !broke {
        push(out, &py_hex(flags));
    }
}

/// Python's `hex(n)`.
fn py_hex(n: i64) -> String {
    if n < 0 {
        format!("-0x{:x}", n.unsigned_abs())
    } else {
        format!("0x{n:x}")
    }
}

/// `dis.code_info(code)` (no trailing newline, like CPython).
pub fn code_info(graph: &ObjectGraph, id: ObjId, release: Release, set_order: SetOrder) -> Result<String, DisError> {
    let repr = Repr::new(graph, unicode_version(release), set_order.hasher(release));
    let mut out = String::with_capacity(512);
    write_code_info(&mut out, graph, id, release, &repr)?;
    Ok(out)
}

fn write_code_info(out: &mut String, graph: &ObjectGraph, id: ObjId, release: Release, repr: &Repr<'_>) -> Result<(), DisError> {
    let parts = code_parts(graph, id)?;
    let c = parts.code;
    let lp = LocalsPlus::from_kinds(parts.kinds);
    out.push_str("Name:              ");
    repr.write_raw_str(out, c.name)?;
    out.push_str("\nFilename:          ");
    repr.write_raw_str(out, c.filename)?;
    let _ = write!(out, "\nArgument count:    {}", c.argcount);
    let _ = write!(out, "\nPositional-only arguments: {}", c.posonlyargcount);
    let _ = write!(out, "\nKw-only arguments: {}", c.kwonlyargcount);
    let _ = write!(out, "\nNumber of locals:  {}", lp.nlocals);
    let _ = write!(out, "\nStack size:        {}", c.stacksize);
    out.push_str("\nFlags:             ");
    pretty_flags(out, c.flags, release.opcodes().compiler_flag_names);
    if !parts.consts.is_empty() {
        out.push_str("\nConstants:");
        for (i, &k) in parts.consts.iter().enumerate() {
            let _ = write!(out, "\n{i:4}: ");
            repr.write(out, k)?;
        }
    }
    let names_section = |out: &mut String, title: &'static str, ids: &mut dyn Iterator<Item = Option<ObjId>>| {
        let mut first = true;
        for (i, id) in ids.enumerate() {
            if first {
                out.push('\n');
                out.push_str(title);
                first = false;
            }
            let id = id.ok_or(DisError::Index { what: "co_localsplusnames", index: i as i64 })?;
            let s = graph.str(id).ok_or(DisError::WrongType {
                what: title,
                expected: "str",
                found: graph.get(id).map(Obj::type_name).unwrap_or("<missing>"),
            })?;
            let _ = write!(out, "\n{i:4}: ");
            push_pystr(out, s);
        }
        Ok::<(), DisError>(())
    };
    names_section(out, "Names:", &mut parts.names.iter().map(|&n| Some(n)))?;
    let lpn = parts.localsplus;
    names_section(out, "Variable names:", &mut lp.varnames.iter().map(|&i| lpn.get(i).copied()))?;
    names_section(out, "Free variables:", &mut lp.freevars.iter().map(|&i| lpn.get(i).copied()))?;
    names_section(out, "Cell variables:", &mut lp.cellvars.iter().map(|&i| lpn.get(i).copied()))?;
    Ok(())
}

/// `dis.show_code(c)` for every code object reachable from `root` through `co_consts`,
/// depth-first, parent first, children in const order. Each block ends with a newline.
pub fn code_info_all(graph: &ObjectGraph, root: ObjId, release: Release, set_order: SetOrder) -> Result<String, DisError> {
    let repr = Repr::new(graph, unicode_version(release), set_order.hasher(release));
    let mut out = String::with_capacity(4096);
    walk_codes(graph, root, |id| {
        write_code_info(&mut out, graph, id, release, &repr)?;
        out.push('\n');
        Ok(())
    })?;
    Ok(out)
}

/// Calls `f` for every code object reachable from `root` through `co_consts`: depth-first,
/// parent first, children in const order (the order of `dis.dis`'s recursion). Iterative, with a
/// cap on the number of visits so that hostile data cannot make it run away.
pub(crate) fn walk_codes(graph: &ObjectGraph, root: ObjId, mut f: impl FnMut(ObjId) -> Result<(), DisError>) -> Result<(), DisError> {
    let mut stack = vec![root];
    let mut visits = 0usize;
    while let Some(id) = stack.pop() {
        visits += 1;
        if visits > 1_000_000 {
            return Err(DisError::Malformed("too many nested code objects".into()));
        }
        f(id)?;
        let parts = code_parts(graph, id)?;
        let before = stack.len();
        for &k in parts.consts {
            if matches!(graph.get(k), Some(Obj::Code(_))) {
                stack.push(k);
            }
        }
        stack[before..].reverse();
    }
    Ok(())
}
