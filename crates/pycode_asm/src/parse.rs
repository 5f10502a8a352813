//! Text → [`AsmFile`].

use pycode_marshal::PycKind;
use pycode_object::{BigInt, PyStr};
use pycode_release::Release;
use rustc_hash::FxHashMap as HashMap;

use crate::lex::{tokens, Tok};
use crate::model::{AsmCode, AsmFile, Const, HandlerRange, Instr, Loc, Operand, RefToken};
use crate::ops::{self, ArgKind};
use crate::print::code_flag_names;
use crate::AsmError;

fn err<T>(line: usize, msg: impl Into<String>) -> Result<T, AsmError> {
    Err(AsmError::Syntax { line, msg: msg.into() })
}

/// A cursor over one line's tokens.
struct Toks {
    toks: Vec<Tok>,
    pos: usize,
    line: usize,
}

impl Toks {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn at_end(&self) -> bool {
        self.pos >= self.toks.len()
    }

    fn is_punct(&self, p: &str) -> bool {
        matches!(self.peek(), Some(Tok::Punct(q)) if *q == p)
    }

    fn expect_punct(&mut self, p: &str) -> Result<(), AsmError> {
        if self.is_punct(p) {
            self.pos += 1;
            Ok(())
        } else {
            err(self.line, format!("expected '{p}'"))
        }
    }

    fn end(&self) -> Result<(), AsmError> {
        if self.at_end() {
            Ok(())
        } else {
            err(self.line, format!("unexpected {:?}", self.peek()))
        }
    }

    fn int<T: std::str::FromStr + TryFrom<i64>>(&mut self, what: &str) -> Result<T, AsmError> {
        let neg = self.is_punct("-");
        if neg {
            self.pos += 1;
        }
        match self.next() {
            Some(Tok::Num(s)) => {
                let v: Option<i64> =
                    if let Some(h) = s.strip_prefix("0x") { i64::from_str_radix(h, 16).ok() } else { s.parse::<i64>().ok() };
                match v.map(|v| if neg { -v } else { v }).and_then(|v| T::try_from(v).ok()) {
                    Some(v) => Ok(v),
                    None => err(self.line, format!("{what}: bad number {s}")),
                }
            }
            other => err(self.line, format!("{what}: expected a number, found {other:?}")),
        }
    }

    fn string(&mut self, what: &str) -> Result<PyStr, AsmError> {
        match self.next() {
            Some(Tok::Str(s)) => Ok(s),
            Some(Tok::Word(w)) => Ok(PyStr::new(&w, false)),
            other => err(self.line, format!("{what}: expected a string, found {other:?}")),
        }
    }

    /// `NAME|NAME|0x10` against a table of flag names.
    fn flags(&mut self, names: &[(u32, &str)]) -> Result<u32, AsmError> {
        let mut v = 0u32;
        loop {
            match self.next() {
                Some(Tok::Word(w)) => match names.iter().find(|(_, n)| *n == w) {
                    Some((bit, _)) => v |= bit,
                    None => return err(self.line, format!("unknown flag {w}")),
                },
                Some(Tok::Num(s)) => {
                    let n = s.strip_prefix("0x").map(|h| u32::from_str_radix(h, 16)).unwrap_or_else(|| s.parse::<u32>());
                    v |= n.or_else(|_| err(self.line, format!("bad flag value {s}")))?;
                }
                other => return err(self.line, format!("expected a flag, found {other:?}")),
            }
            if self.is_punct("|") {
                self.pos += 1;
            } else {
                return Ok(v);
            }
        }
    }

    fn float(&mut self) -> Result<u64, AsmError> {
        match self.constant(0)? {
            Const::Float(f) => Ok(f),
            Const::Int(i) => Ok((i as f64).to_bits()),
            _ => err(self.line, "expected a float"),
        }
    }

    /// A constant in literal syntax.
    fn constant(&mut self, depth: usize) -> Result<Const, AsmError> {
        if depth > 200 {
            return err(self.line, "constant nested too deeply");
        }
        let line = self.line;
        let neg = self.is_punct("-");
        if neg {
            self.pos += 1;
        }
        let tok = self.next();
        let number = |s: &str| -> Result<Const, AsmError> {
            let is_float = !s.starts_with("0x") && (s.contains(['.', 'e', 'E']) || s == "inf" || s == "nan");
            if is_float {
                let v: f64 = s.parse().or_else(|_| err(line, format!("bad float {s}")))?;
                return Ok(Const::Float(if neg { -v } else { v }.to_bits()));
            }
            let digits = s.replace('_', "");
            let b: BigInt = match digits.strip_prefix("0x") {
                Some(h) => BigInt::parse_bytes(h.as_bytes(), 16),
                None => BigInt::parse_bytes(digits.as_bytes(), 10),
            }
            .ok_or(AsmError::Syntax { line, msg: format!("bad int {s}") })?;
            let b = if neg { -b } else { b };
            Ok(match i64::try_from(&b) {
                Ok(i) => Const::Int(i),
                Err(_) => Const::BigInt(Box::new(b)),
            })
        };
        match tok {
            Some(Tok::Num(s)) => number(&s),
            Some(Tok::Word(w)) if w == "inf" || w == "nan" => number(&w),
            _ if neg => err(line, "'-' before something that is not a number"),
            Some(Tok::Word(w)) => match w.as_str() {
                "None" => Ok(Const::None),
                "True" => Ok(Const::True),
                "False" => Ok(Const::False),
                "Ellipsis" => Ok(Const::Ellipsis),
                "frozenset" => {
                    self.expect_punct("(")?;
                    if self.is_punct(")") {
                        self.pos += 1;
                        return Ok(Const::FrozenSet(Vec::new()));
                    }
                    self.expect_punct("{")?;
                    let items = self.items("}", depth)?;
                    self.expect_punct(")")?;
                    Ok(Const::FrozenSet(items))
                }
                "slice" => {
                    self.expect_punct("(")?;
                    let items = self.items(")", depth)?;
                    match <[Const; 3]>::try_from(items) {
                        Ok(a) => Ok(Const::Slice(Box::new(a))),
                        Err(_) => err(line, "slice(...) takes three values"),
                    }
                }
                "complex" => {
                    self.expect_punct("(")?;
                    let r = self.float()?;
                    self.expect_punct(",")?;
                    let i = self.float()?;
                    self.expect_punct(")")?;
                    Ok(Const::Complex(r, i))
                }
                "code" => {
                    self.expect_punct("(")?;
                    let n: usize = self.int("code")?;
                    self.expect_punct(")")?;
                    Ok(Const::Code(n))
                }
                "float.bits" => {
                    self.expect_punct("(")?;
                    let b: Option<u64> = match self.next() {
                        Some(Tok::Num(s)) => s.strip_prefix("0x").and_then(|h| u64::from_str_radix(h, 16).ok()),
                        _ => None,
                    };
                    self.expect_punct(")")?;
                    b.map(Const::Float).ok_or(AsmError::Syntax { line, msg: "float.bits(0x...) expected".into() })
                }
                _ => err(line, format!("unknown constant {w}")),
            },
            Some(Tok::Punct("...")) => Ok(Const::Ellipsis),
            Some(Tok::Str(s)) => Ok(Const::Str(s)),
            Some(Tok::Bytes(b)) => Ok(Const::Bytes(b)),
            Some(Tok::Punct("(")) => {
                let (items, had_comma) = self.items_commas(")", depth)?;
                // `(x)` without a comma is not a tuple.
                if items.len() == 1 && !had_comma {
                    return err(line, "a one-element tuple needs a trailing comma");
                }
                Ok(Const::Tuple(items))
            }
            other => err(line, format!("expected a constant, found {other:?}")),
        }
    }

    /// Comma-separated constants up to `close` (consumed), trailing comma allowed.
    fn items(&mut self, close: &str, depth: usize) -> Result<Vec<Const>, AsmError> {
        self.items_commas(close, depth).map(|(items, _)| items)
    }

    /// [`items`](Self::items), and whether a comma separated (or followed) them.
    fn items_commas(&mut self, close: &str, depth: usize) -> Result<(Vec<Const>, bool), AsmError> {
        let mut items = Vec::new();
        let mut comma = false;
        loop {
            if self.is_punct(close) {
                self.pos += 1;
                return Ok((items, comma));
            }
            items.push(self.constant(depth + 1)?);
            if self.is_punct(",") {
                self.pos += 1;
                comma = true;
            } else if !self.is_punct(close) {
                return err(self.line, format!("expected ',' or '{close}'"));
            }
        }
    }
}

/// An instruction whose operand is resolved when its code block ends.
struct Pending {
    opcode: u8,
    toks: Toks,
    loc: Loc,
}

struct Block {
    code: AsmCode,
    pending: Vec<Pending>,
    labels: HashMap<String, usize>,
    /// `.except` lines: (label names, depth, lasti, line).
    excepts: Vec<([String; 3], u32, bool, usize)>,
}

fn position(t: &mut Toks) -> Result<Loc, AsmError> {
    let mut v = [-1i32; 4];
    if t.is_punct("-") && t.toks.len() == t.pos + 1 {
        t.pos += 1;
        return Ok(Loc::NONE);
    }
    for slot in v.iter_mut() {
        if t.is_punct("-") && !matches!(t.toks.get(t.pos + 1), Some(Tok::Num(_))) {
            t.pos += 1;
        } else {
            *slot = t.int("position")?;
        }
    }
    Ok(Loc { line: v[0], end_line: v[1], col: v[2], end_col: v[3] })
}

/// A name operand: `$index`, a bare word or a string, looked up in `table`.
fn name_index(t: &mut Toks, table: &[&PyStr], what: &str) -> Result<u32, AsmError> {
    if t.is_punct("$") {
        t.pos += 1;
        let i: u32 = t.int(what)?;
        if i as usize >= table.len() {
            return err(t.line, format!("{what} index {i} out of range"));
        }
        return Ok(i);
    }
    let s = t.string(what)?;
    match table.iter().position(|x| x.as_bytes() == s.as_bytes()) {
        Some(i) => Ok(i as u32),
        None => err(t.line, format!("no {what} {}", s.to_string_lossy())),
    }
}

fn low_bits(t: &mut Toks, shift: u32) -> Result<u32, AsmError> {
    if !t.is_punct("+") {
        return Ok(0);
    }
    t.pos += 1;
    let v: u32 = t.int("flag bits")?;
    if shift == 0 || v >= 1 << shift {
        return err(t.line, format!("flag bits {v} do not fit in {shift} bits"));
    }
    Ok(v)
}

fn operand(release: Release, code: &mut AsmCode, p: &mut Pending, labels: &HashMap<String, usize>) -> Result<Operand, AsmError> {
    let t = &mut p.toks;
    if t.is_punct("#") {
        t.pos += 1;
        let a = t.int("oparg")?;
        t.end()?;
        return Ok(Operand::Arg(a));
    }
    let table = release.opcodes();
    let local_names: Vec<PyStr> = code.locals.iter().map(|(n, _)| n.clone()).collect();
    let local_refs: Vec<&PyStr> = local_names.iter().collect();
    let arg = match ops::arg_kind(release, p.opcode) {
        ArgKind::None => 0,
        ArgKind::Plain => t.int("oparg")?,
        ArgKind::Jump => match t.next() {
            Some(Tok::Word(w)) => match labels.get(&w) {
                Some(&k) => {
                    t.end()?;
                    return Ok(Operand::Jump(k));
                }
                None => return Err(AsmError::UndefinedLabel { line: t.line, label: w }),
            },
            other => return err(t.line, format!("a jump needs a label, found {other:?}")),
        },
        ArgKind::Const => {
            if t.is_punct("$") {
                t.pos += 1;
                let i: u32 = t.int("constant index")?;
                if i as usize >= code.consts.len() {
                    return err(t.line, format!("constant index {i} out of range"));
                }
                i
            } else {
                let c = t.constant(0)?;
                match code.consts.iter().position(|x| *x == c) {
                    Some(i) => i as u32,
                    None => {
                        code.consts.push(c);
                        (code.consts.len() - 1) as u32
                    }
                }
            }
        }
        ArgKind::Name { shift } => {
            let names: Vec<&PyStr> = code.names.iter().collect();
            let i = name_index(t, &names, "name")?;
            let low = low_bits(t, shift)?;
            i.checked_shl(shift).filter(|v| v >> shift == i).ok_or(AsmError::Syntax { line: t.line, msg: "name index too large".into() })?
                | low
        }
        ArgKind::Local => name_index(t, &local_refs, "local")?,
        ArgKind::LocalPair => {
            let a = name_index(t, &local_refs, "local")?;
            let b = name_index(t, &local_refs, "local")?;
            if a > 15 || b > 15 {
                return err(t.line, "a superinstruction's locals must have indices below 16");
            }
            (a << 4) | b
        }
        ArgKind::Compare { shift } => {
            let op = match t.next() {
                Some(Tok::Word(w)) => w,
                other => return err(t.line, format!("expected a comparison operator, found {other:?}")),
            };
            let Some(i) = table.cmp_op.iter().position(|&c| c == op) else {
                return err(t.line, format!("unknown comparison operator {op}"));
            };
            ((i as u32) << shift) | low_bits(t, shift)?
        }
        kind @ (ArgKind::Intrinsic1 | ArgKind::Intrinsic2) => {
            let descs = if kind == ArgKind::Intrinsic1 { table.intrinsic_1_descs } else { table.intrinsic_2_descs };
            match t.next() {
                Some(Tok::Word(w)) => match descs.unwrap_or(&[]).iter().position(|&d| d == w) {
                    Some(i) => i as u32,
                    None => return err(t.line, format!("unknown intrinsic {w}")),
                },
                Some(Tok::Num(s)) => s.parse().or_else(|_| err(t.line, format!("bad intrinsic {s}")))?,
                other => return err(t.line, format!("expected an intrinsic, found {other:?}")),
            }
        }
    };
    t.end()?;
    Ok(Operand::Arg(arg))
}

fn finish_block(release: Release, mut b: Block) -> Result<AsmCode, AsmError> {
    for mut p in std::mem::take(&mut b.pending) {
        let line = p.toks.line;
        let operand = operand(release, &mut b.code, &mut p, &b.labels)?;
        b.code.instrs.push(Instr { opcode: p.opcode, operand, loc: p.loc, line });
    }
    for (names, depth, lasti, line) in std::mem::take(&mut b.excepts) {
        let mut k = [0usize; 3];
        for (slot, name) in k.iter_mut().zip(names.iter()) {
            *slot = *b.labels.get(name).ok_or(AsmError::UndefinedLabel { line, label: name.clone() })?;
        }
        let [start, end, target] = k;
        if end < start {
            return err(line, "exception range ends before it starts");
        }
        b.code.handlers.push(HandlerRange { start, end, target, depth, lasti });
    }
    Ok(b.code)
}

/// Parses a whole file.
pub fn parse(text: &str, target: Option<Release>) -> Result<AsmFile, AsmError> {
    let mut release: Option<Release> = None;
    let mut header: Option<(u32, PycKind)> = None;
    let mut codes: Vec<AsmCode> = Vec::new();
    let mut refs: Vec<(u32, RefToken)> = Vec::new();
    let mut block: Option<Block> = None;
    for (n, raw_line) in text.lines().enumerate() {
        let line = n + 1;
        let toks = tokens(raw_line).map_err(|msg| AsmError::Syntax { line, msg })?;
        if toks.is_empty() {
            continue;
        }
        let mut t = Toks { toks, pos: 0, line };
        let Some(Tok::Word(first)) = t.next() else { return err(line, "a line starts with a directive, a label or an opcode") };
        // Label definition.
        if t.is_punct(":") && t.toks.len() == 2 {
            let Some(b) = block.as_mut() else { return err(line, "label outside a .code block") };
            if b.labels.insert(first.clone(), b.pending.len()).is_some() {
                return err(line, format!("label {first} defined twice"));
            }
            continue;
        }
        match first.as_str() {
            ".release" => {
                let name = match t.next() {
                    Some(Tok::Num(s)) => s,
                    other => return err(line, format!("expected a release, found {other:?}")),
                };
                let r = Release::parse(&name).map_err(|e| AsmError::Syntax { line, msg: e.to_string() })?;
                release = Some(match target {
                    Some(tr) if tr.magic() == r.magic() => tr,
                    Some(tr) => return err(line, format!("--target {tr} does not match .release {r}")),
                    None => r,
                });
                t.end()?;
            }
            ".pyc" => {
                let mode = match t.next() {
                    Some(Tok::Word(w)) => w,
                    other => return err(line, format!("expected a mode, found {other:?}")),
                };
                let h = match mode.as_str() {
                    "timestamp" => {
                        let mtime: u32 = t.int("mtime")?;
                        let size: u32 = t.int("source size")?;
                        let mut flags = 0u32;
                        if let Some(Tok::Word(w)) = t.peek() {
                            if w == "flags" {
                                t.pos += 1;
                                flags = t.int("flags")?;
                            }
                        }
                        (flags, PycKind::Timestamp { mtime, source_size: size })
                    }
                    "unchecked-hash" | "checked-hash" => {
                        let hex = match t.next() {
                            Some(Tok::Num(s) | Tok::Word(s)) => s,
                            other => return err(line, format!("expected 16 hex digits, found {other:?}")),
                        };
                        let mut h = [0u8; 8];
                        if hex.len() != 16 || !hex.is_ascii() {
                            return err(line, "the source hash is 16 hex digits");
                        }
                        for (k, slot) in h.iter_mut().enumerate() {
                            let d = hex.get(2 * k..2 * k + 2).and_then(|x| u8::from_str_radix(x, 16).ok());
                            *slot = d.ok_or(AsmError::Syntax { line, msg: "bad hex digit".into() })?;
                        }
                        if mode == "checked-hash" {
                            (3, PycKind::CheckedHash { source_hash: h })
                        } else {
                            (1, PycKind::UncheckedHash { source_hash: h })
                        }
                    }
                    other => return err(line, format!("unknown .pyc mode {other}")),
                };
                t.end()?;
                header = Some(h);
            }
            ".code" => {
                let Some(r) = release.or(target) else { return err(line, ".code before .release") };
                release = Some(r);
                if let Some(b) = block.take() {
                    codes.push(finish_block(r, b)?);
                }
                let k: usize = t.int("code number")?;
                if k != codes.len() {
                    return err(line, format!("code objects are numbered in order: expected .code {}", codes.len()));
                }
                t.end()?;
                block = Some(Block { code: AsmCode::default(), pending: Vec::new(), labels: HashMap::default(), excepts: Vec::new() });
            }
            ".refs" => {
                while !t.at_end() {
                    let pos: u32 = t.int("position")?;
                    t.expect_punct("=")?;
                    let tok = match t.next() {
                        Some(Tok::Word(w)) => match w.as_str() {
                            "n" => RefToken::New { flag: false, interned: false },
                            "ni" => RefToken::New { flag: false, interned: true },
                            "f" => RefToken::New { flag: true, interned: false },
                            "fi" => RefToken::New { flag: true, interned: true },
                            _ => match w.strip_prefix('r').and_then(|k| k.parse().ok()) {
                                Some(k) => RefToken::Ref(k),
                                None => return err(line, format!("bad sharing token {w}")),
                            },
                        },
                        other => return err(line, format!("bad sharing token {other:?}")),
                    };
                    refs.push((pos, tok));
                }
            }
            d if d.starts_with('.') => {
                let Some(b) = block.as_mut() else { return err(line, format!("{d} outside a .code block")) };
                let Some(r) = release else { return err(line, "no .release") };
                let c = &mut b.code;
                match d {
                    ".co_name" => c.name = t.string("co_name")?,
                    ".co_qualname" => c.qualname = t.string("co_qualname")?,
                    ".co_filename" => c.filename = t.string("co_filename")?,
                    ".co_firstlineno" => c.firstlineno = t.int("co_firstlineno")?,
                    ".co_flags" => c.flags = t.flags(code_flag_names(r))?,
                    ".co_argcount" => c.argcount = t.int("co_argcount")?,
                    ".co_posonlyargcount" => c.posonlyargcount = t.int("co_posonlyargcount")?,
                    ".co_kwonlyargcount" => c.kwonlyargcount = t.int("co_kwonlyargcount")?,
                    ".co_stacksize" => c.stacksize = Some(t.int("co_stacksize")?),
                    ".local" => {
                        let name = t.string("local name")?;
                        let names: Vec<(u32, &str)> = ops::FAST_KINDS.iter().map(|&(b, n)| (u32::from(b), n)).collect();
                        let kind = t.flags(&names)?;
                        let kind = u8::try_from(kind).or_else(|_| err(line, "a local's kind is one byte"))?;
                        c.locals.push((name, kind));
                    }
                    ".const" => {
                        let v = t.constant(0)?;
                        c.consts.push(v);
                    }
                    ".name" => c.names.push(t.string("name")?),
                    ".except" => {
                        let mut names: [String; 3] = Default::default();
                        for slot in names.iter_mut() {
                            match t.next() {
                                Some(Tok::Word(w)) => *slot = w,
                                other => return err(line, format!("expected a label, found {other:?}")),
                            }
                        }
                        let depth: u32 = t.int("depth")?;
                        let lasti = match t.next() {
                            None => false,
                            Some(Tok::Word(w)) if w == "lasti" => true,
                            other => return err(line, format!("expected 'lasti', found {other:?}")),
                        };
                        b.excepts.push((names, depth, lasti, line));
                    }
                    other => return err(line, format!("unknown directive {other}")),
                }
                t.end()?;
            }
            opname => {
                let Some(b) = block.as_mut() else { return err(line, "instruction outside a .code block") };
                let Some(r) = release else { return err(line, "no .release") };
                let opcode = r.opcodes().opmap(opname).and_then(|o| u8::try_from(o).ok());
                let Some(opcode) = opcode else {
                    return Err(AsmError::UnknownOpcode { line, name: opname.to_string(), release: r });
                };
                // The operand tokens end at `@` (the position).
                let at = t.toks.iter().position(|x| *x == Tok::Punct("@"));
                let mut loc = Loc::NONE;
                if let Some(at) = at {
                    let mut pt = Toks { toks: t.toks.split_off(at + 1), pos: 0, line };
                    t.toks.truncate(at);
                    loc = position(&mut pt)?;
                    pt.end()?;
                }
                b.pending.push(Pending { opcode, toks: t, loc });
            }
        }
    }
    let Some(r) = release else { return err(1, "no .release line") };
    if let Some(b) = block.take() {
        codes.push(finish_block(r, b)?);
    }
    if codes.is_empty() {
        return err(1, "no .code block");
    }
    for (k, c) in codes.iter().enumerate() {
        check_code_refs(c, codes.len(), k)?;
    }
    let (header_flags, kind) = header.unwrap_or((1, PycKind::UncheckedHash { source_hash: [0; 8] }));
    Ok(AsmFile { release: r, header_flags, kind, codes, refs })
}

fn check_code_refs(c: &AsmCode, n: usize, k: usize) -> Result<(), AsmError> {
    fn walk(c: &Const, n: usize, k: usize) -> Result<(), AsmError> {
        match c {
            Const::Code(i) if *i >= n || *i <= k => {
                Err(AsmError::Syntax { line: 0, msg: format!("code({i}) in .code {k}: nested code objects have higher numbers") })
            }
            Const::Tuple(items) | Const::FrozenSet(items) => items.iter().try_for_each(|x| walk(x, n, k)),
            Const::Slice(parts) => parts.iter().try_for_each(|x| walk(x, n, k)),
            _ => Ok(()),
        }
    }
    c.consts.iter().try_for_each(|x| walk(x, n, k))
}
