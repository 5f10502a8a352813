//! The disassembly text of `Lib/dis.py` for CPython 3.11 through 3.15.
//!
//! The structure follows `dis.py`: `_unpack_opargs` ([`unpack_opargs`]), `findlabels`,
//! `findlinestarts`, the argument resolution of `_get_instructions_bytes` (3.11/3.12) or
//! `ArgResolver.get_argval_argrepr` (3.13+), and the line formatting of
//! `Instruction._disassemble` (3.11/3.12) or `Formatter.print_instruction_line` (3.13+).

use std::fmt::Write as _;

use pycode_object::linetable::{self, ExceptionTableEntry, LinesStyle, Position};
use pycode_object::{Code, Obj, ObjId, ObjectGraph};
use pycode_release::{OpFlags, OpcodeTable, Release};

use crate::repr::{push_pystr, Repr};
use crate::{unicode_version, DisError, DisOptions};

/// Which `dis.py` the output follows (patch releases of one minor print the same text).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Flavor {
    V311,
    V312,
    V313,
    V314,
    V315,
}

impl Flavor {
    pub(crate) fn of(release: Release) -> Flavor {
        match release {
            Release::V3_11_2 | Release::V3_11_7 => Flavor::V311,
            Release::V3_12_1 | Release::V3_12_7 => Flavor::V312,
            Release::V3_13_0 | Release::V3_13_2 => Flavor::V313,
            Release::V3_14_2 => Flavor::V314,
            Release::V3_15_0rc1 => Flavor::V315,
        }
    }
}

/// Upper bound on code objects printed by one [`dis`] call (a graph with heavily shared code
/// objects could otherwise make the output exponential, or endless for a cyclic graph).
const MAX_CODE_VISITS: usize = 1_000_000;

/// Opcode numbers `dis.py` refers to by name (`None` where the release has no such opcode).
struct Ops {
    load_const: Option<u8>,
    load_global: Option<u8>,
    load_attr: Option<u8>,
    load_super_attr: Option<u8>,
    format_value: Option<u8>,
    convert_value: Option<u8>,
    make_function: Option<u8>,
    set_function_attribute: Option<u8>,
    binary_op: Option<u8>,
    call_intrinsic_1: Option<u8>,
    call_intrinsic_2: Option<u8>,
    fast_pairs: [Option<u8>; 4],
    load_common_constant: Option<u8>,
    load_special: Option<u8>,
    is_op: Option<u8>,
    contains_op: Option<u8>,
    end_async_for: Option<u8>,
    import_name: Option<u8>,
}

impl Ops {
    fn new(t: &OpcodeTable) -> Ops {
        let g = |n: &str| t.opmap(n).and_then(|v| u8::try_from(v).ok());
        Ops {
            load_const: g("LOAD_CONST"),
            load_global: g("LOAD_GLOBAL"),
            load_attr: g("LOAD_ATTR"),
            load_super_attr: g("LOAD_SUPER_ATTR"),
            format_value: g("FORMAT_VALUE"),
            convert_value: g("CONVERT_VALUE"),
            make_function: g("MAKE_FUNCTION"),
            set_function_attribute: g("SET_FUNCTION_ATTRIBUTE"),
            binary_op: g("BINARY_OP"),
            call_intrinsic_1: g("CALL_INTRINSIC_1"),
            call_intrinsic_2: g("CALL_INTRINSIC_2"),
            fast_pairs: [
                g("LOAD_FAST_LOAD_FAST"),
                g("STORE_FAST_LOAD_FAST"),
                g("STORE_FAST_STORE_FAST"),
                g("LOAD_FAST_BORROW_LOAD_FAST_BORROW"),
            ],
            load_common_constant: g("LOAD_COMMON_CONSTANT"),
            load_special: g("LOAD_SPECIAL"),
            is_op: g("IS_OP"),
            contains_op: g("CONTAINS_OP"),
            end_async_for: g("END_ASYNC_FOR"),
            import_name: g("IMPORT_NAME"),
        }
    }
}

/// The fields of a code object that disassembly reads, type-checked.
pub(crate) struct CodeParts<'g> {
    pub code: &'g Code,
    pub bytecode: &'g [u8],
    pub consts: &'g [ObjId],
    pub names: &'g [ObjId],
    pub localsplus: &'g [ObjId],
    pub kinds: &'g [u8],
    pub linetable: &'g [u8],
    pub exceptiontable: &'g [u8],
}

fn type_name(graph: &ObjectGraph, id: ObjId) -> &'static str {
    graph.get(id).map(Obj::type_name).unwrap_or("<missing>")
}

pub(crate) fn code_parts(graph: &ObjectGraph, id: ObjId) -> Result<CodeParts<'_>, DisError> {
    let code = graph.code(id).ok_or(DisError::WrongType { what: "object", expected: "code", found: type_name(graph, id) })?;
    let bytes =
        |f: ObjId, what: &'static str| graph.bytes(f).ok_or(DisError::WrongType { what, expected: "bytes", found: type_name(graph, f) });
    let tuple =
        |f: ObjId, what: &'static str| graph.tuple(f).ok_or(DisError::WrongType { what, expected: "tuple", found: type_name(graph, f) });
    let bytecode = bytes(code.code, "co_code")?;
    if bytecode.len() % 2 != 0 {
        return Err(DisError::Malformed("co_code has an odd length".into()));
    }
    Ok(CodeParts {
        code,
        bytecode,
        consts: tuple(code.consts, "co_consts")?,
        names: tuple(code.names, "co_names")?,
        localsplus: tuple(code.localsplusnames, "co_localsplusnames")?,
        kinds: bytes(code.localspluskinds, "co_localspluskinds")?,
        linetable: bytes(code.linetable, "co_linetable")?,
        exceptiontable: bytes(code.exceptiontable, "co_exceptiontable")?,
    })
}

/// Python sequence indexing (negative indices count from the end).
fn py_index<T>(items: &[T], i: i64) -> Option<&T> {
    let len = items.len() as i64;
    let j = if i < 0 { i.checked_add(len)? } else { i };
    if j < 0 {
        return None;
    }
    items.get(usize::try_from(j).ok()?)
}

/// One instruction as `_unpack_opargs` yields it.
#[derive(Clone, Copy, Debug)]
struct RawIns {
    offset: i64,
    /// 3.13+ `start_offset` (unused for the text, kept for API parity).
    #[allow(dead_code)]
    start_offset: i64,
    op: u8,
    deop: u8,
    arg: Option<i64>,
    /// Inline cache code units after the instruction (of the deoptimized opcode).
    caches: usize,
}

/// `_unpack_opargs`: walks code units, skipping inline caches, folding `EXTENDED_ARG` into the
/// next oparg with C `int` wrap-around, as `dis` does.
fn unpack_opargs(code: &[u8], t: &OpcodeTable) -> Result<Vec<RawIns>, DisError> {
    const INT_OVERFLOW: i64 = 1 << 31;
    let mut out = Vec::with_capacity(code.len() / 2);
    let mut extended_arg: i64 = 0;
    let mut extended_args_offset: i64 = 0;
    let mut caches = 0usize;
    let mut i = 0usize;
    while i + 1 < code.len() {
        if caches > 0 {
            caches -= 1;
            i += 2;
            continue;
        }
        let op = code[i];
        let deop = t.deopt(op);
        caches = t.inline_cache_entries(deop) as usize;
        let arg = if t.has_arg(deop as u16) {
            let arg = (code[i + 1] as i64) | extended_arg;
            extended_arg = if deop == t.extended_arg {
                let mut e = arg.checked_mul(256).ok_or_else(|| DisError::Malformed("EXTENDED_ARG prefix chain too long".into()))?;
                if e >= INT_OVERFLOW {
                    e -= 2 * INT_OVERFLOW;
                }
                e
            } else {
                0
            };
            Some(arg)
        } else {
            extended_arg = 0;
            None
        };
        let start_offset = if deop == t.extended_arg {
            extended_args_offset += 1;
            i as i64
        } else {
            let s = i as i64 - extended_args_offset * 2;
            extended_args_offset = 0;
            s
        };
        out.push(RawIns { offset: i as i64, start_offset, op, deop, arg, caches });
        i += 2;
    }
    let _ = caches;
    Ok(out)
}

/// Per-code-object state shared by the argument resolution and the formatting.
struct Ctx<'a, 'g> {
    flavor: Flavor,
    t: &'static OpcodeTable,
    ops: &'a Ops,
    repr: &'a Repr<'g>,
    graph: &'g ObjectGraph,
    parts: &'a CodeParts<'g>,
    /// 3.13+: sorted label offsets (label number = index + 1).
    labels: Vec<i64>,
}

impl<'g> Ctx<'_, 'g> {
    fn has(&self, op: u8, f: OpFlags) -> bool {
        self.t.has(op as u16, f)
    }

    /// Jump target of `ins` computed from the deoptimized opcode (`_get_jump_target` of 3.13,
    /// the `hasjabs`/`hasjrel` branches of 3.11/3.12; 3.11 adds no cache size).
    fn jump_target(&self, op: u8, arg: i64, offset: i64, caches: usize) -> Option<i64> {
        if self.has(op, OpFlags::HAS_JREL) {
            let signed = if self.t.is_backward_jump(op as u16) { arg.checked_neg()? } else { arg };
            let mut target = offset.checked_add(2)?.checked_add(signed.checked_mul(2)?)?;
            if self.flavor >= Flavor::V312 {
                target = target.checked_add(2 * caches as i64)?;
            }
            Some(target)
        } else if self.has(op, OpFlags::HAS_JABS) {
            arg.checked_mul(2)
        } else {
            None
        }
    }

    fn label_of(&self, offset: i64) -> Option<usize> {
        self.labels.binary_search(&offset).ok().map(|i| i + 1)
    }

    fn name(&self, index: i64) -> Result<&'g pycode_object::PyStr, DisError> {
        let id = *py_index(self.parts.names, index).ok_or(DisError::Index { what: "co_names", index })?;
        self.graph.str(id).ok_or(DisError::WrongType { what: "co_names item", expected: "str", found: type_name(self.graph, id) })
    }

    /// `co._varname_from_oparg(oparg)` (a C `int` into `co_localsplusnames`).
    fn varname(&self, index: i64) -> Result<&'g pycode_object::PyStr, DisError> {
        let id = usize::try_from(index)
            .ok()
            .and_then(|i| self.parts.localsplus.get(i))
            .copied()
            .ok_or(DisError::Index { what: "co_localsplusnames", index })?;
        self.graph.str(id).ok_or(DisError::WrongType { what: "co_localsplusnames item", expected: "str", found: type_name(self.graph, id) })
    }

    /// The `argrepr` of an instruction, appended to `out`.
    fn argrepr(&self, ins: &RawIns, out: &mut String) -> Result<(), DisError> {
        let Some(arg) = ins.arg else { return Ok(()) };
        let deop = ins.deop;
        let ops = self.ops;
        let is = |o: Option<u8>| o == Some(deop);
        let fl = self.flavor;
        if self.has(deop, OpFlags::HAS_CONST) {
            if fl == Flavor::V311 && !is(ops.load_const) {
                return Ok(()); // 3.11: only LOAD_CONST looks at co_consts.
            }
            let id = *py_index(self.parts.consts, arg).ok_or(DisError::Index { what: "co_consts", index: arg })?;
            self.repr.write(out, id)?;
        } else if self.has(deop, OpFlags::HAS_NAME) {
            // (name index, the text a set flag bit adds, whether it is set)
            let low = arg & 1 != 0;
            let (index, flag_text, flag_set) = if is(ops.load_global) {
                (arg.div_euclid(2), if fl >= Flavor::V313 { " + NULL" } else { "NULL + " }, low)
            } else if fl >= Flavor::V312 && is(ops.load_attr) {
                (arg.div_euclid(2), if fl >= Flavor::V313 { " + NULL|self" } else { "NULL|self + " }, low)
            } else if fl >= Flavor::V312 && is(ops.load_super_attr) {
                (arg.div_euclid(4), if fl >= Flavor::V313 { " + NULL|self" } else { "NULL|self + " }, low)
            } else if fl >= Flavor::V315 && is(ops.import_name) {
                // 3.15: bit 0 = `lazy import`, else bit 1 = eager.
                (arg.div_euclid(4), if low { " + lazy" } else { " + eager" }, arg & 3 != 0)
            } else {
                (arg, "", false)
            };
            let name = self.name(index)?;
            let flagged = flag_set && name.char_len() > 0;
            if flagged && fl < Flavor::V313 {
                out.push_str(flag_text);
            }
            push_pystr(out, name);
            if flagged && fl >= Flavor::V313 {
                out.push_str(flag_text);
            }
        } else if fl >= Flavor::V313 {
            if self.has(deop, OpFlags::HAS_JUMP) || self.has(deop, OpFlags::HAS_EXC) {
                let target = self.jump_target(deop, arg, ins.offset, ins.caches);
                let label = target
                    .and_then(|t| self.label_of(t))
                    .ok_or_else(|| DisError::Malformed(format!("no label for the jump at offset {}", ins.offset)))?;
                let prep = if is(ops.end_async_for) { "from" } else { "to" };
                let _ = write!(out, "{prep} L{label}");
            } else if ops.fast_pairs.iter().any(|&o| is(o)) {
                push_pystr(out, self.varname(arg >> 4)?);
                out.push_str(", ");
                push_pystr(out, self.varname(arg & 15)?);
            } else {
                self.argrepr_common(ins, arg, out)?;
            }
        } else if self.has(deop, OpFlags::HAS_JABS) || self.has(deop, OpFlags::HAS_JREL) {
            if let Some(target) = self.jump_target(deop, arg, ins.offset, ins.caches) {
                let _ = write!(out, "to {target}");
            }
        } else {
            self.argrepr_common(ins, arg, out)?;
        }
        Ok(())
    }

    /// The branches after the jump handling, shared by all releases (gated per release).
    fn argrepr_common(&self, ins: &RawIns, arg: i64, out: &mut String) -> Result<(), DisError> {
        let deop = ins.deop;
        let ops = self.ops;
        let is = |o: Option<u8>| o == Some(deop);
        let fl = self.flavor;
        let t = self.t;
        if self.has(deop, OpFlags::HAS_LOCAL) || self.has(deop, OpFlags::HAS_FREE) {
            push_pystr(out, self.varname(arg)?);
        } else if self.has(deop, OpFlags::HAS_COMPARE) {
            let idx = match fl {
                Flavor::V311 => arg,
                Flavor::V312 => arg >> 4,
                Flavor::V313 | Flavor::V314 | Flavor::V315 => arg >> 5,
            };
            let name = py_index(t.cmp_op, idx).ok_or(DisError::Index { what: "cmp_op", index: idx })?;
            if fl >= Flavor::V313 && arg & 16 != 0 {
                let _ = write!(out, "bool({name})");
            } else {
                out.push_str(name);
            }
        } else if fl <= Flavor::V312 && is(ops.format_value) {
            let conv = ["", "str", "repr", "ascii"][(arg & 3) as usize];
            out.push_str(conv);
            if arg & 4 != 0 {
                if !conv.is_empty() {
                    out.push_str(", ");
                }
                out.push_str("with format");
            }
        } else if fl >= Flavor::V313 && is(ops.convert_value) {
            let conv =
                py_index(&["", "str", "repr", "ascii"], arg).ok_or(DisError::Index { what: "CONVERT_VALUE converters", index: arg })?;
            out.push_str(conv);
        } else if (fl <= Flavor::V312 && is(ops.make_function)) || (fl >= Flavor::V313 && is(ops.set_function_attribute)) {
            let flags = if fl <= Flavor::V312 { t.make_function_flags } else { t.function_attr_flags };
            let mut first = true;
            for (i, name) in flags.unwrap_or(&[]).iter().enumerate() {
                if i < 63 && arg & (1 << i) != 0 {
                    if !first {
                        out.push_str(", ");
                    }
                    out.push_str(name);
                    first = false;
                }
            }
        } else if is(ops.binary_op) {
            let (_, r) = py_index(t.nb_ops, arg).ok_or(DisError::Index { what: "_nb_ops", index: arg })?;
            out.push_str(r);
        } else if fl >= Flavor::V312 && is(ops.call_intrinsic_1) {
            let d = py_index(t.intrinsic_1_descs.unwrap_or(&[]), arg).ok_or(DisError::Index { what: "_intrinsic_1_descs", index: arg })?;
            out.push_str(d);
        } else if fl >= Flavor::V312 && is(ops.call_intrinsic_2) {
            let d = py_index(t.intrinsic_2_descs.unwrap_or(&[]), arg).ok_or(DisError::Index { what: "_intrinsic_2_descs", index: arg })?;
            out.push_str(d);
        } else if fl >= Flavor::V314 && is(ops.load_common_constant) {
            let d = py_index(t.common_constants.unwrap_or(&[]), arg).ok_or(DisError::Index { what: "_common_constants", index: arg })?;
            out.push_str(d);
        } else if fl >= Flavor::V314 && is(ops.load_special) {
            let d = py_index(t.special_method_names.unwrap_or(&[]), arg)
                .ok_or(DisError::Index { what: "_special_method_names", index: arg })?;
            out.push_str(d);
        } else if fl >= Flavor::V314 && is(ops.is_op) {
            out.push_str(if arg != 0 { "is not" } else { "is" });
        } else if fl >= Flavor::V314 && is(ops.contains_op) {
            out.push_str(if arg != 0 { "not in" } else { "in" });
        }
        Ok(())
    }
}

fn push_rjust(out: &mut String, s: &str, width: usize) {
    let n = s.chars().count();
    for _ in n..width {
        out.push(' ');
    }
    out.push_str(s);
}

fn push_ljust(out: &mut String, s: &str, width: usize) {
    out.push_str(s);
    let n = s.chars().count();
    for _ in n..width {
        out.push(' ');
    }
}

fn push_spaces(out: &mut String, n: usize) {
    for _ in 0..n {
        out.push(' ');
    }
}

/// Ends a formatted line: `' '.join(fields).rstrip()` then the newline `print` adds.
fn finish_line(out: &mut String, line_start: usize) {
    let trimmed = out[line_start..].trim_end_matches(' ').len();
    out.truncate(line_start + trimmed);
    out.push('\n');
}

fn int_from_le(data: &[u8]) -> Result<u128, DisError> {
    if data.len() > 16 {
        return Err(DisError::Malformed("cache entry wider than 16 bytes".into()));
    }
    Ok(data.iter().rev().fold(0u128, |acc, &b| (acc << 8) | b as u128))
}

fn slice_clamped(code: &[u8], start: i64, end: i64) -> &[u8] {
    let len = code.len() as i64;
    let s = start.clamp(0, len) as usize;
    let e = end.clamp(0, len) as usize;
    code.get(s..e.max(s)).unwrap_or(&[])
}

fn exc_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// Options the release's `dis.dis` accepts.
fn check_options(release: Release, opts: &DisOptions) -> Result<(), DisError> {
    let fl = Flavor::of(release);
    if opts.show_offsets && fl < Flavor::V313 {
        return Err(DisError::Unsupported { option: "show_offsets", release });
    }
    if opts.show_positions && fl < Flavor::V314 {
        return Err(DisError::Unsupported { option: "show_positions", release });
    }
    Ok(())
}

/// `dis.dis(code)` for the code object `root`: its disassembly, then recursively those of the
/// code objects in its `co_consts` (CPython's `_disassemble_recursive`, made iterative).
pub fn dis(graph: &ObjectGraph, root: ObjId, release: Release, opts: &DisOptions) -> Result<String, DisError> {
    check_options(release, opts)?;
    let repr = Repr::new(graph, unicode_version(release), opts.set_order.hasher(release));
    let ops = Ops::new(release.opcodes());
    let mut out = String::with_capacity(4096);
    let mut stack = vec![root];
    let mut visits = 0usize;
    while let Some(id) = stack.pop() {
        visits += 1;
        if visits > MAX_CODE_VISITS {
            return Err(DisError::Malformed("too many nested code objects".into()));
        }
        if visits > 1 {
            out.push_str("\nDisassembly of ");
            repr.write(&mut out, id)?;
            out.push_str(":\n");
        }
        disassemble_into(graph, id, release, opts, &repr, &ops, &mut out)?;
        let parts = code_parts(graph, id)?;
        let before = stack.len();
        for &c in parts.consts {
            if matches!(graph.get(c), Some(Obj::Code(_))) {
                stack.push(c);
            }
        }
        stack[before..].reverse();
    }
    Ok(out)
}

/// `dis.disassemble(code)`: one code object, without the nested ones.
pub fn disassemble_one(graph: &ObjectGraph, id: ObjId, release: Release, opts: &DisOptions) -> Result<String, DisError> {
    check_options(release, opts)?;
    let repr = Repr::new(graph, unicode_version(release), opts.set_order.hasher(release));
    let mut out = String::with_capacity(1024);
    disassemble_into(graph, id, release, opts, &repr, &Ops::new(release.opcodes()), &mut out)?;
    Ok(out)
}

fn disassemble_into(
    graph: &ObjectGraph,
    id: ObjId,
    release: Release,
    opts: &DisOptions,
    repr: &Repr<'_>,
    ops: &Ops,
    out: &mut String,
) -> Result<(), DisError> {
    let fl = Flavor::of(release);
    let t = release.opcodes();
    let parts = code_parts(graph, id)?;
    let code = parts.bytecode;
    let firstlineno = parts.code.firstlineno;
    let instrs = unpack_opargs(code, t)?;
    let exc = linetable::parse_exception_table(parts.exceptiontable);

    // findlinestarts
    let style = if fl == Flavor::V311 { LinesStyle::PerEntry } else { LinesStyle::Merged };
    let mut linestarts: Vec<(i64, Option<i32>)> = Vec::new();
    {
        let mut lastline: Option<i32> = None;
        let mut first = true;
        for r in linetable::co_lines(parts.linetable, firstlineno, style) {
            if fl >= Flavor::V313 {
                // `line is not lastline`: neighbouring merged ranges never share a line.
                if first || r.line != lastline {
                    linestarts.push((r.start as i64, r.line));
                }
                lastline = r.line;
                first = false;
            } else if let Some(line) = r.line {
                if Some(line) != lastline {
                    lastline = Some(line);
                    linestarts.push((r.start as i64, Some(line)));
                }
            }
        }
    }
    let linestart_at =
        |offset: i64| -> Option<Option<i32>> { linestarts.binary_search_by_key(&offset, |&(o, _)| o).ok().map(|i| linestarts[i].1) };

    let mut ctx = Ctx { flavor: fl, t, ops, repr, graph, parts: &parts, labels: Vec::new() };

    // Labels / jump targets.
    let mut labels: Vec<i64> = Vec::new();
    for ins in &instrs {
        let Some(arg) = ins.arg else { continue };
        let target = match fl {
            // 3.11's findlabels looks at the raw opcode.
            Flavor::V311 => ctx.jump_target(ins.op, arg, ins.offset, 0),
            _ => ctx.jump_target(ins.deop, arg, ins.offset, ins.caches),
        };
        if let Some(target) = target {
            labels.push(target);
        }
    }
    for e in &exc {
        if fl >= Flavor::V313 {
            labels.push(exc_i64(e.start));
            labels.push(exc_i64(e.end));
            labels.push(exc_i64(e.target));
        } else if e.start < e.end {
            labels.push(exc_i64(e.target));
        }
    }
    labels.sort_unstable();
    labels.dedup();
    ctx.labels = labels;

    // Column widths.
    let positions: Vec<Position> = if opts.show_positions { linetable::co_positions(parts.linetable, firstlineno) } else { Vec::new() };
    let lineno_width = if opts.show_positions {
        // `_get_positions_width`
        let mut has_value = false;
        let mut values_width = 0usize;
        for p in &positions {
            let comps = [p.lineno, p.end_lineno, p.col_offset, p.end_col_offset];
            has_value |= comps.iter().any(Option::is_some);
            let w: usize = comps.iter().map(|c| c.map_or(1, |v| v.to_string().len())).sum();
            values_width = values_width.max(w);
        }
        if has_value {
            1 + 4usize.max(3 + values_width)
        } else {
            0
        }
    } else if fl >= Flavor::V313 {
        // `_get_lineno_width`: `max(filter(None, ...))` also drops line 0.
        let max = linestarts.iter().filter_map(|&(_, l)| l).filter(|&l| l != 0).max().unwrap_or(-1);
        if max == -1 {
            0
        } else {
            let w = 3usize.max(max.to_string().len());
            if w < 4 && linestarts.iter().any(|&(_, l)| l.is_none()) {
                4
            } else {
                w
            }
        }
    } else if linestarts.is_empty() {
        0
    } else {
        let max = linestarts.iter().filter_map(|&(_, l)| l).max().unwrap_or(0);
        if max >= 1000 {
            max.to_string().len()
        } else {
            3
        }
    };
    let maxoffset = code.len() as i64 - 2;
    let offset_width = match fl {
        Flavor::V311 | Flavor::V312 => {
            if maxoffset >= 10000 {
                maxoffset.to_string().len()
            } else {
                4
            }
        }
        Flavor::V313 | Flavor::V314 | Flavor::V315 => {
            if opts.show_offsets {
                maxoffset.max(9999).to_string().len()
            } else {
                0
            }
        }
    };
    let label_width = 4 + ctx.labels.len().to_string().len();

    let mut argrepr = String::with_capacity(64);
    let mut num = String::with_capacity(24);
    for ins in &instrs {
        argrepr.clear();
        ctx.argrepr(ins, &mut argrepr)?;
        let starts = linestart_at(ins.offset);
        let opname = t.all_opname[ins.op as usize];
        let unit = (ins.offset / 2) as usize;
        let pos = positions.get(unit).copied().unwrap_or_default();
        if fl <= Flavor::V312 {
            let starts_line = starts.flatten();
            if lineno_width > 0 && starts_line.is_some() && ins.offset > 0 {
                out.push('\n');
            }
            let is_target = ctx.labels.binary_search(&ins.offset).is_ok();
            format_line_311(out, &mut num, lineno_width, starts_line, is_target, ins.offset, offset_width, opname, ins.arg, &argrepr);
        } else {
            let starts_line = starts.is_some();
            if lineno_width > 0 && starts_line && ins.offset > 0 {
                out.push('\n');
            }
            let label = ctx.label_of(ins.offset);
            let lineno = LinenoField { starts, show_positions: opts.show_positions, pos };
            format_line_313(out, &mut num, lineno_width, &lineno, label, label_width, ins.offset, offset_width, opname, ins.arg, &argrepr);
        }
        if opts.show_caches && ins.caches > 0 {
            let base = t.opname[ins.deop as usize];
            let format = t.cache_format(base).ok_or_else(|| DisError::Malformed(format!("no cache layout for {base}")))?;
            let mut offset = ins.offset;
            let mut data_offset = ins.offset;
            for &(name, size) in format {
                let size = size as i64;
                // 3.13 reads every field's data from the first cache entry; 3.14 fixed that.
                let data_start = match fl {
                    Flavor::V313 => ins.offset + 2,
                    Flavor::V314 | Flavor::V315 => data_offset + 2,
                    Flavor::V311 | Flavor::V312 => 0, // computed per entry below
                };
                data_offset += size * 2;
                for i in 0..size {
                    offset += 2;
                    argrepr.clear();
                    let show = i == 0 && (fl != Flavor::V311 || ins.op != ins.deop);
                    if show {
                        let data = if fl <= Flavor::V312 {
                            slice_clamped(code, offset, offset + 2 * size)
                        } else {
                            slice_clamped(code, data_start, data_start + 2 * size)
                        };
                        let _ = write!(argrepr, "{name}: {}", int_from_le(data)?);
                    }
                    if fl <= Flavor::V312 {
                        format_line_311(out, &mut num, lineno_width, None, false, offset, offset_width, "CACHE", Some(0), &argrepr);
                    } else {
                        let lineno = LinenoField { starts: None, show_positions: opts.show_positions, pos };
                        format_line_313(
                            out,
                            &mut num,
                            lineno_width,
                            &lineno,
                            None,
                            label_width,
                            offset,
                            offset_width,
                            "CACHE",
                            Some(0),
                            &argrepr,
                        );
                    }
                }
            }
        }
    }
    write_exception_table(out, &exc, &ctx);
    Ok(())
}

fn write_exception_table(out: &mut String, exc: &[ExceptionTableEntry], ctx: &Ctx<'_, '_>) {
    if exc.is_empty() {
        return;
    }
    out.push_str("ExceptionTable:\n");
    for e in exc {
        let lasti = if e.lasti { " lasti" } else { "" };
        let (start, end, target) = (exc_i64(e.start), exc_i64(e.end), exc_i64(e.target));
        if ctx.flavor >= Flavor::V313 {
            let l = |o: i64| ctx.label_of(o).unwrap_or(0);
            let _ = writeln!(out, "  L{} to L{} -> L{} [{}]{lasti}", l(start), l(end), l(target), e.depth);
        } else {
            let _ = writeln!(out, "  {start} to {} -> {target} [{}]{lasti}", end.saturating_sub(2), e.depth);
        }
    }
}

/// `Instruction._disassemble` of 3.11/3.12 (never the current instruction).
#[allow(clippy::too_many_arguments)]
fn format_line_311(
    out: &mut String,
    num: &mut String,
    lineno_width: usize,
    starts_line: Option<i32>,
    is_jump_target: bool,
    offset: i64,
    offset_width: usize,
    opname: &str,
    arg: Option<i64>,
    argrepr: &str,
) {
    let start = out.len();
    if lineno_width > 0 {
        match starts_line {
            Some(l) => {
                num.clear();
                let _ = write!(num, "{l}");
                push_rjust(out, num, lineno_width);
            }
            None => push_spaces(out, lineno_width),
        }
        out.push(' ');
    }
    out.push_str("    ");
    out.push_str(if is_jump_target { ">> " } else { "   " });
    num.clear();
    let _ = write!(num, "{offset}");
    push_rjust(out, num, offset_width);
    out.push(' ');
    push_ljust(out, opname, 20);
    if let Some(a) = arg {
        out.push(' ');
        num.clear();
        let _ = write!(num, "{a}");
        push_rjust(out, num, 5);
        if !argrepr.is_empty() {
            out.push_str(" (");
            out.push_str(argrepr);
            out.push(')');
        }
    }
    finish_line(out, start);
}

/// What the location column of a 3.13+ line shows.
struct LinenoField {
    /// `Some(line)` when the instruction starts a line (`line` may be `None`: `--`).
    starts: Option<Option<i32>>,
    show_positions: bool,
    pos: Position,
}

const NO_LINENO: &str = "  --";

/// `Formatter.print_instruction_line` of 3.13/3.14 (never the current instruction).
#[allow(clippy::too_many_arguments)]
fn format_line_313(
    out: &mut String,
    num: &mut String,
    lineno_width: usize,
    lineno: &LinenoField,
    label: Option<usize>,
    label_width: usize,
    offset: i64,
    offset_width: usize,
    opname: &str,
    arg: Option<i64>,
    argrepr: &str,
) {
    let start = out.len();
    if lineno_width > 0 {
        if lineno.show_positions {
            let p = lineno.pos;
            num.clear();
            if p.lineno.is_none() && p.end_lineno.is_none() && p.col_offset.is_none() && p.end_col_offset.is_none() {
                num.push_str(NO_LINENO);
            } else {
                let c = |v: Option<i32>, s: &mut String| match v {
                    Some(v) => {
                        let _ = write!(s, "{v}");
                    }
                    None => s.push('?'),
                };
                c(p.lineno, num);
                num.push(':');
                c(p.col_offset, num);
                num.push('-');
                c(p.end_lineno, num);
                num.push(':');
                c(p.end_col_offset, num);
            }
            push_ljust(out, num, lineno_width);
        } else {
            match lineno.starts {
                Some(Some(l)) => {
                    num.clear();
                    let _ = write!(num, "{l}");
                    push_rjust(out, num, lineno_width);
                }
                Some(None) => push_rjust(out, NO_LINENO, lineno_width),
                None => push_spaces(out, lineno_width),
            }
        }
        out.push(' ');
    }
    match label {
        Some(l) => {
            num.clear();
            let _ = write!(num, "L{l}:");
            push_rjust(out, num, label_width);
        }
        None => push_spaces(out, label_width),
    }
    out.push(' ');
    if offset_width > 0 {
        num.clear();
        let _ = write!(num, "{offset}");
        push_rjust(out, num, offset_width);
        out.push_str("   ");
    }
    out.push_str("    ");
    push_ljust(out, opname, 20);
    if let Some(a) = arg {
        out.push(' ');
        num.clear();
        let _ = write!(num, "{a}");
        let excess = opname.len().saturating_sub(20);
        push_rjust(out, num, 5usize.saturating_sub(excess));
        if !argrepr.is_empty() {
            out.push_str(" (");
            out.push_str(argrepr);
            out.push(')');
        }
    }
    finish_line(out, start);
}
