//! `.pyc` → [`AsmFile`] → text.

use std::fmt::Write as _;

use pycode_marshal::{Pyc, PycKind};
use pycode_object::linetable::{parse_exception_table, Positions};
use pycode_object::pyrepr::{bytes_repr, float_repr, str_repr, UnicodeVersion};
use pycode_object::{Obj, ObjId, ObjectGraph, PyStr};
use pycode_release::Release;
use rustc_hash::FxHashMap as HashMap;

use crate::model::{AsmCode, AsmFile, Const, HandlerRange, Instr, Loc, Operand, RefToken};
use crate::ops::{self, ArgKind};
use crate::AsmError;

fn unsupported<T>(msg: impl Into<String>) -> Result<T, AsmError> {
    Err(AsmError::Unsupported(msg.into()))
}

/// The model's strings are values; whether marshal writes one as interned is sharing.
fn plain(s: &PyStr) -> PyStr {
    let mut s = s.clone();
    s.set_interned(false);
    s
}

struct Reader<'g> {
    g: &'g ObjectGraph,
    release: Release,
    codes: Vec<AsmCode>,
    /// Code objects in numbering order, and the number of each.
    order: Vec<ObjId>,
    index: HashMap<ObjId, usize>,
}

impl<'g> Reader<'g> {
    fn code_number(&mut self, id: ObjId) -> usize {
        if let Some(&i) = self.index.get(&id) {
            return i;
        }
        let i = self.order.len();
        self.order.push(id);
        self.index.insert(id, i);
        i
    }

    fn str_at(&self, id: ObjId, what: &str) -> Result<PyStr, AsmError> {
        match self.g.str(id) {
            Some(s) => Ok(plain(s)),
            None => unsupported(format!("{what} is not a str")),
        }
    }

    fn bytes_at(&self, id: ObjId, what: &str) -> Result<&'g [u8], AsmError> {
        match self.g.bytes(id) {
            Some(b) => Ok(b),
            None => unsupported(format!("{what} is not bytes")),
        }
    }

    fn str_tuple(&self, id: ObjId, what: &str) -> Result<Vec<PyStr>, AsmError> {
        let Some(items) = self.g.tuple(id) else { return unsupported(format!("{what} is not a tuple")) };
        items.iter().map(|&i| self.str_at(i, what)).collect()
    }

    fn constant(&mut self, id: ObjId, depth: usize) -> Result<Const, AsmError> {
        if depth > 1000 {
            return unsupported("constants nested too deeply");
        }
        let Some(obj) = self.g.get(id) else { return unsupported("dangling object id") };
        Ok(match obj {
            Obj::None => Const::None,
            Obj::True => Const::True,
            Obj::False => Const::False,
            Obj::Ellipsis => Const::Ellipsis,
            Obj::Int(i) => Const::Int(*i),
            Obj::BigInt(b) => Const::BigInt(b.clone()),
            Obj::Float(f) => Const::Float(f.to_bits()),
            Obj::Complex { real, imag } => Const::Complex(real.to_bits(), imag.to_bits()),
            Obj::Str(s) => Const::Str(plain(s)),
            Obj::Bytes(b) => Const::Bytes(b.to_vec()),
            Obj::Tuple(items) => {
                let items = items.clone();
                Const::Tuple(items.iter().map(|&i| self.constant(i, depth + 1)).collect::<Result<_, _>>()?)
            }
            Obj::FrozenSet(items) => {
                let items = items.clone();
                Const::FrozenSet(items.iter().map(|&i| self.constant(i, depth + 1)).collect::<Result<_, _>>()?)
            }
            Obj::Slice([a, b, c]) => {
                let (a, b, c) = (*a, *b, *c);
                Const::Slice(Box::new([self.constant(a, depth + 1)?, self.constant(b, depth + 1)?, self.constant(c, depth + 1)?]))
            }
            Obj::Code(_) => Const::Code(self.code_number(id)),
            other => return unsupported(format!("a {} constant", other.type_name())),
        })
    }

    fn code(&mut self, id: ObjId) -> Result<AsmCode, AsmError> {
        let Some(c) = self.g.code(id) else { return unsupported("a code object expected") };
        let c = c.clone();
        let t = self.release.opcodes();
        let consts = match self.g.tuple(c.consts) {
            Some(items) => items.to_vec(),
            None => return unsupported("co_consts is not a tuple"),
        };
        let consts = consts.iter().map(|&i| self.constant(i, 0)).collect::<Result<Vec<_>, _>>()?;
        let names = self.str_tuple(c.names, "co_names")?;
        let lnames = self.str_tuple(c.localsplusnames, "co_localsplusnames")?;
        let kinds = self.bytes_at(c.localspluskinds, "co_localspluskinds")?;
        if kinds.len() != lnames.len() {
            return unsupported("co_localspluskinds and co_localsplusnames differ in length");
        }
        let locals: Vec<(PyStr, u8)> = lnames.into_iter().zip(kinds.iter().copied()).collect();
        let code = self.bytes_at(c.code, "co_code")?;
        let linetable = self.bytes_at(c.linetable, "co_linetable")?;
        let exctable = self.bytes_at(c.exceptiontable, "co_exceptiontable")?;
        if code.len() % 2 != 0 {
            return unsupported("co_code of odd length");
        }
        // Instructions: (start offset in code units, opcode, oparg).
        let mut raw: Vec<(u32, u8, u32)> = Vec::new();
        let mut i = 0usize;
        let mut ext: u32 = 0;
        let mut start: Option<u32> = None;
        let nunits = (code.len() / 2) as u32;
        let ext_op = t.extended_arg;
        let cache_op = t.cache;
        while let (Some(&op), Some(&arg)) = (code.get(2 * i), code.get(2 * i + 1)) {
            let unit = i as u32;
            let full = (ext << 8) | u32::from(arg);
            if op == ext_op {
                if ext > 0xffff {
                    return unsupported(format!("more than three EXTENDED_ARG prefixes at offset {}", 2 * i));
                }
                ext = full;
                start.get_or_insert(unit);
                i += 1;
                continue;
            }
            let begin = start.take().unwrap_or(unit);
            // The prefixes written must be exactly the ones the oparg needs.
            if ops::size(t, op, full) - 1 - ops::caches(t, op) != unit - begin {
                return unsupported(format!("non-minimal EXTENDED_ARG prefix at offset {}", 2 * begin));
            }
            let ncache = ops::caches(t, op) as usize;
            for k in 1..=ncache {
                match (code.get(2 * (i + k)), code.get(2 * (i + k) + 1)) {
                    (Some(&c0), Some(&0)) if c0 == cache_op => {}
                    _ => return unsupported(format!("inline cache after offset {} is not zero", 2 * i)),
                }
            }
            raw.push((begin, op, full));
            ext = 0;
            i += 1 + ncache;
        }
        if start.is_some() {
            return unsupported("EXTENDED_ARG at the end of the code");
        }
        let mut by_offset: HashMap<u32, usize> = HashMap::default();
        for (k, &(s, _, _)) in raw.iter().enumerate() {
            by_offset.insert(s, k);
        }
        by_offset.insert(nunits, raw.len());
        // Positions: one per code unit; an instruction's is its first unit's.
        let positions: Vec<_> = Positions::new(linetable, c.firstlineno).collect();
        let mut instrs = Vec::with_capacity(raw.len());
        for &(s, op, arg) in &raw {
            let loc = match positions.get(s as usize) {
                Some(p) => Loc {
                    line: p.lineno.unwrap_or(-1),
                    end_line: p.end_lineno.unwrap_or(-1),
                    col: p.col_offset.unwrap_or(-1),
                    end_col: p.end_col_offset.unwrap_or(-1),
                },
                None => Loc::NONE,
            };
            let operand = match ops::arg_kind(self.release, op) {
                ArgKind::Jump => {
                    let next = s + ops::size(t, op, arg) - if ops::jump_counts_caches(self.release) { 0 } else { ops::caches(t, op) };
                    let target = if !ops::relative(t, op) {
                        Some(arg)
                    } else if ops::backward(t, op) {
                        next.checked_sub(arg)
                    } else {
                        next.checked_add(arg)
                    };
                    match target.and_then(|x| by_offset.get(&x)) {
                        Some(&k) => Operand::Jump(k),
                        None => Operand::Arg(arg),
                    }
                }
                _ => Operand::Arg(arg),
            };
            instrs.push(Instr { opcode: op, operand, loc, line: 0 });
        }
        // Where the jump sizes CPython chose are not the ones the assembler's iteration reaches
        // (3.12 starts from label numbers a `.pyc` does not show), those jumps keep their
        // oparg (`#N`); each round fixes at least one jump.
        loop {
            let args = crate::build::resolve_jumps(self.release, &instrs)?;
            let mut fixed = false;
            for ((ins, &(_, _, actual)), &got) in instrs.iter_mut().zip(raw.iter()).zip(args.iter()) {
                if matches!(ins.operand, Operand::Jump(_)) && got != actual {
                    ins.operand = Operand::Arg(actual);
                    fixed = true;
                }
            }
            if !fixed {
                break;
            }
        }
        let mut handlers = Vec::new();
        for e in parse_exception_table(exctable) {
            let find = |b: u64| u32::try_from(b / 2).ok().and_then(|u| by_offset.get(&u).copied());
            match (find(e.start), find(e.end), find(e.target), u32::try_from(e.depth)) {
                (Some(start), Some(end), Some(target), Ok(depth)) => {
                    handlers.push(HandlerRange { start, end, target, depth, lasti: e.lasti })
                }
                _ => return unsupported("an exception table entry not on instruction boundaries"),
            }
        }
        Ok(AsmCode {
            name: self.str_at(c.name, "co_name")?,
            qualname: self.str_at(c.qualname, "co_qualname")?,
            filename: self.str_at(c.filename, "co_filename")?,
            firstlineno: c.firstlineno,
            flags: c.flags,
            argcount: c.argcount,
            posonlyargcount: c.posonlyargcount,
            kwonlyargcount: c.kwonlyargcount,
            stacksize: Some(c.stacksize),
            locals,
            consts,
            names,
            instrs,
            handlers,
        })
    }
}

/// The model of a `.pyc` read from its object graph.
pub fn file_from_pyc(pyc: &Pyc) -> Result<AsmFile, AsmError> {
    let mut r = Reader { g: &pyc.graph, release: pyc.header.release, codes: Vec::new(), order: Vec::new(), index: HashMap::default() };
    r.code_number(pyc.root);
    let mut k = 0;
    while let Some(&id) = r.order.get(k) {
        let c = r.code(id)?;
        r.codes.push(c);
        k += 1;
    }
    Ok(AsmFile { release: pyc.header.release, header_flags: pyc.header.flags, kind: pyc.header.kind, codes: r.codes, refs: Vec::new() })
}

/// A float as the asm text writes it: `repr()`, or `float.bits(0x...)` for a NaN whose bits
/// are not the default NaN's (repr would lose them).
pub fn float_text(bits: u64) -> String {
    let f = f64::from_bits(bits);
    if f.is_nan() && bits != f64::NAN.to_bits() {
        format!("float.bits(0x{bits:016x})")
    } else {
        float_repr(f)
    }
}

/// A constant in the text's literal syntax.
pub fn const_text(out: &mut String, c: &Const) {
    match c {
        Const::None => out.push_str("None"),
        Const::True => out.push_str("True"),
        Const::False => out.push_str("False"),
        Const::Ellipsis => out.push_str("..."),
        Const::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Const::BigInt(b) => {
            let _ = write!(out, "{b}");
        }
        Const::Float(f) => out.push_str(&float_text(*f)),
        Const::Complex(r, i) => {
            let _ = write!(out, "complex({}, {})", float_text(*r), float_text(*i));
        }
        Const::Str(s) => out.push_str(&str_repr(s, UnicodeVersion::V14)),
        Const::Bytes(b) => out.push_str(&bytes_repr(b)),
        Const::Tuple(items) => {
            out.push('(');
            for (k, x) in items.iter().enumerate() {
                if k > 0 {
                    out.push_str(", ");
                }
                const_text(out, x);
            }
            if items.len() == 1 {
                out.push(',');
            }
            out.push(')');
        }
        Const::FrozenSet(items) => {
            if items.is_empty() {
                out.push_str("frozenset()");
                return;
            }
            out.push_str("frozenset({");
            for (k, x) in items.iter().enumerate() {
                if k > 0 {
                    out.push_str(", ");
                }
                const_text(out, x);
            }
            out.push_str("})");
        }
        Const::Slice(parts) => {
            out.push_str("slice(");
            for (k, x) in parts.iter().enumerate() {
                if k > 0 {
                    out.push_str(", ");
                }
                const_text(out, x);
            }
            out.push(')');
        }
        Const::Code(n) => {
            let _ = write!(out, "code({n})");
        }
    }
}

/// Whether `s` can be written as a bare word (an ASCII identifier that is not a keyword of the
/// text's literal syntax).
pub fn is_bare_word(s: &str) -> bool {
    let mut chars = s.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    first_ok
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !matches!(s, "None" | "True" | "False" | "Ellipsis" | "inf" | "nan" | "code" | "frozenset" | "slice" | "complex" | "float")
}

/// A name reference: a bare word or a string literal when it is unique in `table`, else `$index`.
fn name_ref(out: &mut String, table: &[&PyStr], index: usize) -> bool {
    let Some(s) = table.get(index) else { return false };
    let unique = table.iter().filter(|x| x.as_bytes() == s.as_bytes()).count() == 1;
    if !unique {
        let _ = write!(out, "${index}");
    } else if let Some(w) = s.as_str().filter(|w| is_bare_word(w)) {
        out.push_str(w);
    } else {
        out.push_str(&str_repr(s, UnicodeVersion::V14));
    }
    true
}

fn flags_text(names: &[(u32, &str)], flags: u32) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut rest = flags;
    for &(bit, name) in names {
        if flags & bit != 0 && rest & bit != 0 {
            parts.push(name.to_string());
            rest &= !bit;
        }
    }
    if rest != 0 || parts.is_empty() {
        parts.push(format!("0x{rest:x}"));
    }
    parts.join("|")
}

/// `CO_*` flag names of the release (`dis.COMPILER_FLAG_NAMES`).
pub fn code_flag_names(release: Release) -> &'static [(u32, &'static str)] {
    release.opcodes().compiler_flag_names
}

pub fn kind_text(kind: u8) -> String {
    let names: Vec<(u32, &str)> = ops::FAST_KINDS.iter().map(|&(b, n)| (u32::from(b), n)).collect();
    flags_text(&names, u32::from(kind))
}

fn pos_text(out: &mut String, loc: &crate::model::Loc) {
    if *loc == crate::model::Loc::NONE {
        out.push_str("@ -");
        return;
    }
    out.push('@');
    for v in [loc.line, loc.end_line, loc.col, loc.end_col] {
        if v == -1 {
            out.push_str(" -");
        } else {
            let _ = write!(out, " {v}");
        }
    }
}

fn operand_text(out: &mut String, release: Release, code: &AsmCode, ins: &Instr, labels: &HashMap<usize, usize>) {
    let t = release.opcodes();
    let arg = match ins.operand {
        Operand::Jump(k) => {
            let _ = write!(out, " L{}", labels.get(&k).copied().unwrap_or(0));
            return;
        }
        Operand::Arg(a) => a,
    };
    let local_names: Vec<&PyStr> = code.locals.iter().map(|(n, _)| n).collect();
    let names: Vec<&PyStr> = code.names.iter().collect();
    let mut s = String::new();
    let ok = match ops::arg_kind(release, ins.opcode) {
        ArgKind::None => {
            if arg == 0 {
                return;
            }
            false
        }
        ArgKind::Plain => {
            let _ = write!(s, "{arg}");
            true
        }
        ArgKind::Jump => false,
        ArgKind::Const => {
            let k = arg as usize;
            match code.consts.get(k) {
                Some(c) => {
                    let mut v = String::new();
                    const_text(&mut v, c);
                    if v.chars().count() > 60 {
                        v = v.chars().take(57).collect::<String>() + "...";
                    }
                    let _ = write!(s, "${k}  # {}", v.replace('\n', " "));
                    true
                }
                None => false,
            }
        }
        ArgKind::Name { shift } => {
            let low = arg & ((1 << shift) - 1);
            let ok = name_ref(&mut s, &names, (arg >> shift) as usize);
            if ok && low != 0 {
                let _ = write!(s, " +{low}");
            }
            ok
        }
        ArgKind::Local => name_ref(&mut s, &local_names, arg as usize),
        ArgKind::LocalPair => {
            let a = name_ref(&mut s, &local_names, (arg >> 4) as usize);
            s.push(' ');
            a && name_ref(&mut s, &local_names, (arg & 15) as usize)
        }
        ArgKind::Compare { shift } => match t.cmp_op.get((arg >> shift) as usize) {
            Some(op) => {
                s.push_str(op);
                let low = arg & ((1 << shift) - 1);
                if low != 0 {
                    let _ = write!(s, " +{low}");
                }
                true
            }
            None => false,
        },
        ArgKind::Intrinsic1 | ArgKind::Intrinsic2 => {
            let table = if ops::arg_kind(release, ins.opcode) == ArgKind::Intrinsic1 { t.intrinsic_1_descs } else { t.intrinsic_2_descs };
            match table.unwrap_or(&[]).get(arg as usize) {
                Some(d) => {
                    s.push_str(d);
                    true
                }
                None => false,
            }
        }
    };
    out.push(' ');
    if ok {
        out.push_str(&s);
    } else {
        let _ = write!(out, "#{arg}");
    }
}

/// The text of a file; `refs` are the sharing overrides.
pub fn render(file: &AsmFile, refs: &[(u32, RefToken)]) -> String {
    let mut out = String::new();
    let release = file.release;
    let _ = writeln!(out, "# pycode asm (docs/asm.md)");
    let _ = writeln!(out, ".release {}", release.name());
    match file.kind {
        PycKind::Timestamp { mtime, source_size } => {
            let _ = write!(out, ".pyc timestamp {mtime} {source_size}");
            if file.header_flags != 0 {
                let _ = write!(out, " flags {}", file.header_flags);
            }
            out.push('\n');
        }
        PycKind::UncheckedHash { source_hash } | PycKind::CheckedHash { source_hash } => {
            let mode = if matches!(file.kind, PycKind::CheckedHash { .. }) { "checked-hash" } else { "unchecked-hash" };
            let hex: String = source_hash.iter().map(|b| format!("{b:02x}")).collect();
            let _ = writeln!(out, ".pyc {mode} {hex}");
        }
    }
    let flag_names = code_flag_names(release);
    for (n, code) in file.codes.iter().enumerate() {
        let _ = writeln!(out, "\n.code {n}");
        let _ = writeln!(out, ".co_name {}", str_repr(&code.name, UnicodeVersion::V14));
        let _ = writeln!(out, ".co_qualname {}", str_repr(&code.qualname, UnicodeVersion::V14));
        let _ = writeln!(out, ".co_filename {}", str_repr(&code.filename, UnicodeVersion::V14));
        let _ = writeln!(out, ".co_firstlineno {}", code.firstlineno);
        let _ = writeln!(out, ".co_flags {}", flags_text(flag_names, code.flags));
        let _ = writeln!(out, ".co_argcount {}", code.argcount);
        let _ = writeln!(out, ".co_posonlyargcount {}", code.posonlyargcount);
        let _ = writeln!(out, ".co_kwonlyargcount {}", code.kwonlyargcount);
        if let Some(s) = code.stacksize {
            let _ = writeln!(out, ".co_stacksize {s}");
        }
        for (name, kind) in &code.locals {
            let _ = writeln!(out, ".local {} {}", str_repr(name, UnicodeVersion::V14), kind_text(*kind));
        }
        for (k, c) in code.consts.iter().enumerate() {
            out.push_str(".const ");
            const_text(&mut out, c);
            let _ = writeln!(out, "  # ${k}");
        }
        for name in &code.names {
            let _ = writeln!(out, ".name {}", str_repr(name, UnicodeVersion::V14));
        }
        // Labels: every jump target and exception-range bound, numbered in code order.
        let mut targets: Vec<usize> = code
            .instrs
            .iter()
            .filter_map(|i| match i.operand {
                Operand::Jump(k) => Some(k),
                Operand::Arg(_) => None,
            })
            .chain(code.handlers.iter().flat_map(|h| [h.start, h.end, h.target]))
            .collect();
        targets.sort_unstable();
        targets.dedup();
        let labels: HashMap<usize, usize> = targets.iter().enumerate().map(|(n, &k)| (k, n + 1)).collect();
        for (k, ins) in code.instrs.iter().enumerate() {
            if let Some(l) = labels.get(&k) {
                let _ = writeln!(out, "L{l}:");
            }
            let mut line = String::from("    ");
            line.push_str(release.opcodes().opname(u16::from(ins.opcode)).unwrap_or("?"));
            let mut operand = String::new();
            operand_text(&mut operand, release, code, ins, &labels);
            // A comment (after the constant operand) goes after the position.
            let (op, comment) = match operand.find("  # ") {
                Some(p) => (operand.get(..p).unwrap_or(""), operand.get(p..).unwrap_or("")),
                None => (operand.as_str(), ""),
            };
            line.push_str(op);
            while line.len() < 40 {
                line.push(' ');
            }
            line.push(' ');
            pos_text(&mut line, &ins.loc);
            line.push_str(comment);
            out.push_str(&line);
            out.push('\n');
        }
        if let Some(l) = labels.get(&code.instrs.len()) {
            let _ = writeln!(out, "L{l}:");
        }
        for h in &code.handlers {
            let l = |k: usize| labels.get(&k).copied().unwrap_or(0);
            let _ =
                writeln!(out, ".except L{} L{} L{} {}{}", l(h.start), l(h.end), l(h.target), h.depth, if h.lasti { " lasti" } else { "" });
        }
    }
    if !refs.is_empty() {
        out.push('\n');
        let mut line = String::from(".refs");
        for (pos, tok) in refs {
            let t = match tok {
                RefToken::New { flag, interned } => format!("{}{}", if *flag { "f" } else { "n" }, if *interned { "i" } else { "" }),
                RefToken::Ref(k) => format!("r{k}"),
            };
            let item = format!(" {pos}={t}");
            if line.len() + item.len() > 100 {
                out.push_str(&line);
                out.push('\n');
                line = String::from(".refs");
            }
            line.push_str(&item);
        }
        out.push_str(&line);
        out.push('\n');
    }
    out
}
