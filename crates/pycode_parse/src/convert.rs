//! Conversion of ruff's tree into the CPython-shaped [`pycode_ast`] tree, in one pass.
//!
//! Where ruff and CPython disagree on positions, CPython wins (see `docs/ast.md`):
//! decorated definitions start at `def`/`class`; `*args`/`**kw` start at the name; `elif` is a nested
//! `If`; a lone generator argument spans the call's parentheses; f-string pieces are merged and
//! positioned per release (3.11 gives every piece the position of the whole string); format specs
//! start at `:`. String and number literals are decoded again from the source text.

use std::cell::Cell;

use num_bigint::BigInt;
use pycode_ast as a;
use pycode_ast::{Constant, Pos, PyMinor, PyStr};
use ruff_python_ast as r;
use ruff_text_size::{Ranged, TextRange, TextSize};

use crate::error::{ErrorKind, ParseError};
use crate::strings;

/// Deepest AST nesting converted; deeper trees give a `RecursionError` instead of exhausting the stack.
pub const MAX_DEPTH: u32 = 5000;

/// Stack left before recursing further; below it, `stacker` switches to a fresh heap segment.
const RED_ZONE: usize = 128 * 1024;
const STACK_GROW: usize = 8 << 20;

pub struct Converter<'s> {
    pub src: &'s str,
    line_starts: Vec<u32>,
    pub minor: PyMinor,
    depth: u32,
    /// Deepest nesting seen (to decide how to drop ruff's tree safely).
    pub max_depth: u32,
    /// 3.11 only: (line, delta) column shifts applied to nodes inside f-string replacement fields,
    /// reproducing the position arithmetic of 3.11's f-string sub-parser.
    shifts: Vec<(u32, u32)>,
    /// The line found by the last [`Converter::loc`].
    cur: Cell<LineSpan>,
    /// The line of the last node end that was not on its start's line.
    cur_end: Cell<LineSpan>,
    /// [`crate::Options::spec_empty_tail`].
    pub spec_empty_tail: bool,
    /// [`crate::Options::debug_text_cut_3_13_0`].
    pub debug_text_cut_3_13_0: bool,
}

/// A source line: 1-based number and byte range `start..end` (its newline included).
#[derive(Clone, Copy)]
struct LineSpan {
    line: u32,
    start: u32,
    end: u32,
}

impl LineSpan {
    /// Matches no offset.
    const NONE: LineSpan = LineSpan { line: 0, start: 1, end: 0 };
}

/// Byte offsets at which lines start (the first is 0).
///
/// Source lines are short (about 35 bytes in the stdlib), so a search call per newline
/// (`memchr_iter`) costs more than it saves: on x86_64 this compares 32 bytes per step with SSE2
/// (half the instructions of the `memchr_iter` loop over the stdlib).
pub(crate) fn line_starts(src: &str) -> Vec<u32> {
    let bytes = src.as_bytes();
    let mut out = Vec::with_capacity(bytes.len() / 24 + 2);
    out.push(0u32);
    #[cfg(target_arch = "x86_64")]
    {
        // SAFETY: SSE2 is part of the x86_64 baseline, so every x86_64 CPU has it; the function
        // takes no pointers.
        unsafe { newline_offsets_sse2(bytes, &mut out) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    out.extend(memchr::memchr_iter(b'\n', bytes).map(|i| i as u32 + 1));
    out
}

/// Appends `i + 1` for every `\n` at byte `i` of `bytes` to `out` (in order).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse2")]
fn newline_offsets_sse2(bytes: &[u8], out: &mut Vec<u32>) {
    use std::arch::x86_64::{_mm_cmpeq_epi8, _mm_movemask_epi8, _mm_set1_epi8, _mm_set_epi64x};
    let nl = _mm_set1_epi8(b'\n' as i8);
    let mut chunks = bytes.chunks_exact(32);
    let mut base = 0u32;
    for c in &mut chunks {
        let Ok(c) = <&[u8; 32]>::try_from(c) else { break };
        let word = |i: usize| c.get(i..i + 8).and_then(|w| <[u8; 8]>::try_from(w).ok()).map_or(0, i64::from_le_bytes);
        let lo = _mm_cmpeq_epi8(_mm_set_epi64x(word(8), word(0)), nl);
        let hi = _mm_cmpeq_epi8(_mm_set_epi64x(word(24), word(16)), nl);
        // one bit per byte that is '\n'
        let mut m = (_mm_movemask_epi8(lo) as u32 & 0xffff) | ((_mm_movemask_epi8(hi) as u32) << 16);
        while m != 0 {
            out.push(base + m.trailing_zeros() + 1);
            m &= m - 1;
        }
        base += 32;
    }
    for (i, &b) in chunks.remainder().iter().enumerate() {
        if b == b'\n' {
            out.push(base + i as u32 + 1);
        }
    }
}

/// The number of entries of the sorted `ls` that are `<= off`, searched outwards from index `from`
/// (exponential steps, then a binary search within the last step), so that a lookup near the
/// previous one costs a few comparisons rather than a search over the whole file.
fn gallop(ls: &[u32], off: u32, from: usize) -> usize {
    let from = from.min(ls.len());
    if ls.get(from).is_none_or(|&s| s > off) {
        // the answer is <= from: step down until ls[lo - 1] <= off
        let mut hi = from;
        let mut step = 1;
        loop {
            let lo = hi.saturating_sub(step);
            if lo == 0 || ls.get(lo - 1).is_some_and(|&s| s <= off) {
                return lo + ls.get(lo..hi).map_or(0, |w| w.partition_point(|&s| s <= off));
            }
            hi = lo;
            step *= 2;
        }
    }
    // ls[from] <= off: the answer is > from: step up until ls[hi] > off
    let mut lo = from + 1;
    let mut step = 1;
    loop {
        let hi = (lo + step).min(ls.len());
        if hi == ls.len() || ls.get(hi).is_some_and(|&s| s > off) {
            return lo + ls.get(lo..hi).map_or(0, |w| w.partition_point(|&s| s <= off));
        }
        lo = hi;
        step *= 2;
    }
}

/// Errors are boxed inside the converter: every node's result travels through several frames, and a
/// `Result` the size of the node moves fewer bytes than one the size of a `ParseError`.
pub type R<T> = Result<T, Box<ParseError>>;

/// ruff's names and ours are the same compact string type: short ones are copied inline, longer
/// ones share ruff's (interned, reference-counted) allocation.
fn ident(id: &r::Identifier) -> a::Identifier {
    id.id.clone().into()
}

impl<'s> Converter<'s> {
    pub fn new(src: &'s str, minor: PyMinor) -> Self {
        Converter {
            src,
            line_starts: line_starts(src),
            minor,
            depth: 0,
            max_depth: 0,
            shifts: Vec::new(),
            cur: Cell::new(LineSpan::NONE),
            cur_end: Cell::new(LineSpan::NONE),
            spec_empty_tail: false,
            debug_text_cut_3_13_0: false,
        }
    }

    /// (1-based line, byte column) of a byte offset.
    ///
    /// Nodes are visited roughly in source order, so the line of the previous lookup (cached in
    /// `cur`) or the one after it usually holds `off`; otherwise a binary search over the line starts.
    #[inline]
    pub fn loc(&self, off: TextSize) -> (u32, u32) {
        self.loc_in(u32::from(off), &self.cur)
    }

    #[inline]
    fn loc_in(&self, off: u32, cache: &Cell<LineSpan>) -> (u32, u32) {
        let c = cache.get();
        if c.start <= off && off < c.end {
            return (c.line, off - c.start);
        }
        self.loc_slow(off, cache)
    }

    #[cold]
    fn loc_slow(&self, off: u32, cache: &Cell<LineSpan>) -> (u32, u32) {
        let ls = &self.line_starts;
        // `idx` = number of line starts <= off = the 1-based line of `off`. Searched from the
        // cached line outwards (galloping), since the next lookup is usually a few lines away.
        let from = cache.get().line as usize;
        let idx = gallop(ls, off, from);
        let start = idx.checked_sub(1).and_then(|i| ls.get(i)).copied().unwrap_or(0);
        let end = ls.get(idx).copied().unwrap_or(u32::MAX);
        let line = idx as u32;
        cache.set(LineSpan { line, start, end });
        (line, off.saturating_sub(start))
    }

    /// The source line (1-based) without its newline.
    pub fn line_text(&self, line: u32) -> &'s str {
        let i = line.saturating_sub(1) as usize;
        let start = self.line_starts.get(i).copied().unwrap_or(0) as usize;
        let end = self.line_starts.get(i + 1).map(|&e| e as usize).unwrap_or(self.src.len());
        self.src.get(start..end).unwrap_or("").trim_end_matches('\n')
    }

    fn pos_of(&self, start: TextSize, end: TextSize) -> Pos {
        let (lineno, mut col_offset) = self.loc(start);
        // The end is usually on the start's line; when not, a second cache keeps far ends (of
        // compound statements, visited before their bodies) from evicting the start's line.
        let c = self.cur.get();
        let end = u32::from(end);
        let (end_lineno, mut end_col_offset) =
            if c.start <= end && end < c.end { (c.line, end - c.start) } else { self.loc_in(end, &self.cur_end) };
        for &(line, delta) in &self.shifts {
            if lineno == line {
                col_offset += delta;
            }
            if end_lineno == line {
                end_col_offset += delta;
            }
        }
        Pos { lineno, col_offset, end_lineno, end_col_offset }
    }

    fn pos(&self, range: TextRange) -> Pos {
        self.pos_of(range.start(), range.end())
    }

    fn text(&self, range: TextRange) -> &'s str {
        self.src.get(usize::from(range.start())..usize::from(range.end())).unwrap_or("")
    }

    fn enter(&mut self, at: TextSize) -> R<()> {
        self.depth += 1;
        self.max_depth = self.max_depth.max(self.depth);
        if self.depth > MAX_DEPTH {
            let (line, col) = self.loc(at);
            let mut e = ParseError::new(ErrorKind::RecursionError, "maximum recursion depth exceeded during compilation");
            e.lineno = line;
            e.offset = col + 1;
            return Err(Box::new(e));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    // ---------------------------------------------------------------- statements

    pub fn stmts(&mut self, body: &[r::Stmt]) -> R<Vec<a::Stmt>> {
        let mut out = Vec::with_capacity(body.len());
        for s in body {
            out.push(self.stmt(s)?);
        }
        Ok(out)
    }

    /// Start of the `def`/`class` keyword (or `async`) before `name`, skipping back over whitespace.
    fn keyword_start(&self, name_start: TextSize, kw: &str, allow_async: bool) -> TextSize {
        let bytes = self.src.as_bytes();
        let skip_ws = |mut i: usize| loop {
            while i > 0 && matches!(bytes[i - 1], b' ' | b'\t' | 0x0C) {
                i -= 1;
            }
            if i >= 2 && bytes[i - 1] == b'\n' && bytes[i - 2] == b'\\' {
                i -= 2;
                continue;
            }
            return i;
        };
        let i = skip_ws(usize::from(name_start));
        if i < kw.len() || &self.src.as_bytes()[i - kw.len()..i] != kw.as_bytes() {
            return name_start;
        }
        let kw_start = i - kw.len();
        if allow_async {
            let j = skip_ws(kw_start);
            if j >= 5 && &bytes[j - 5..j] == b"async" {
                return TextSize::from((j - 5) as u32);
            }
        }
        TextSize::from(kw_start as u32)
    }

    fn stmt(&mut self, s: &r::Stmt) -> R<a::Stmt> {
        self.enter(s.start())?;
        let res = stacker::maybe_grow(RED_ZONE, STACK_GROW, || self.stmt_inner(s));
        self.leave();
        res
    }

    /// CPython ends a compound statement at the last non-whitespace token of its block, which
    /// may be a trailing `;` after the last simple statement.
    fn block_end(&self, end: TextSize) -> TextSize {
        let b = self.src.as_bytes();
        let mut i = usize::from(end);
        while i < b.len() && matches!(b[i], b' ' | b'\t' | 0x0C) {
            i += 1;
        }
        if b.get(i) == Some(&b';') {
            TextSize::from(i as u32 + 1)
        } else {
            end
        }
    }

    fn stmt_inner(&mut self, s: &r::Stmt) -> R<a::Stmt> {
        use a::StmtKind as K;
        let compound = matches!(
            s,
            r::Stmt::FunctionDef(_)
                | r::Stmt::ClassDef(_)
                | r::Stmt::For(_)
                | r::Stmt::While(_)
                | r::Stmt::If(_)
                | r::Stmt::With(_)
                | r::Stmt::Match(_)
                | r::Stmt::Try(_)
        );
        let end = if compound { self.block_end(s.end()) } else { s.end() };
        let mut pos = self.pos_of(s.start(), end);
        let kind = match s {
            r::Stmt::FunctionDef(f) => {
                if !f.decorator_list.is_empty() {
                    let start = self.keyword_start(f.name.start(), "def", true);
                    pos = self.pos_of(start, end);
                }
                let def = a::FunctionDef {
                    name: ident(&f.name),
                    args: Box::new(self.parameters(&f.parameters)?),
                    body: self.stmts(&f.body)?,
                    decorator_list: self.decorators(&f.decorator_list)?,
                    returns: self.opt_expr(f.returns.as_deref())?,
                    type_comment: None,
                    type_params: self.type_params(f.type_params.as_deref())?,
                };
                if f.is_async {
                    K::AsyncFunctionDef(Box::new(def))
                } else {
                    K::FunctionDef(Box::new(def))
                }
            }
            r::Stmt::ClassDef(c) => {
                if !c.decorator_list.is_empty() {
                    let start = self.keyword_start(c.name.start(), "class", false);
                    pos = self.pos_of(start, end);
                }
                let (bases, keywords) = match c.arguments.as_deref() {
                    Some(args) => (self.exprs(&args.args)?, self.keywords(&args.keywords)?),
                    None => (Vec::new(), Vec::new()),
                };
                K::ClassDef(Box::new(a::ClassDef {
                    name: ident(&c.name),
                    bases,
                    keywords,
                    body: self.stmts(&c.body)?,
                    decorator_list: self.decorators(&c.decorator_list)?,
                    type_params: self.type_params(c.type_params.as_deref())?,
                }))
            }
            r::Stmt::Return(x) => K::Return { value: self.opt_expr(x.value.as_deref())? },
            r::Stmt::Delete(x) => K::Delete { targets: self.exprs(&x.targets)? },
            r::Stmt::TypeAlias(x) => K::TypeAlias {
                name: self.bexpr(&x.name)?,
                type_params: self.type_params(x.type_params.as_deref())?,
                value: self.bexpr(&x.value)?,
            },
            r::Stmt::Assign(x) => K::Assign { targets: self.exprs(&x.targets)?, value: self.bexpr(&x.value)?, type_comment: None },
            r::Stmt::AugAssign(x) => K::AugAssign { target: self.bexpr(&x.target)?, op: operator(x.op), value: self.bexpr(&x.value)? },
            r::Stmt::AnnAssign(x) => K::AnnAssign {
                target: self.bexpr(&x.target)?,
                annotation: self.bexpr(&x.annotation)?,
                value: self.opt_expr(x.value.as_deref())?,
                simple: x.simple,
            },
            r::Stmt::For(x) => {
                let f = a::For {
                    target: self.expr(&x.target)?,
                    iter: self.expr(&x.iter)?,
                    body: self.stmts(&x.body)?,
                    orelse: self.stmts(&x.orelse)?,
                    type_comment: None,
                };
                if x.is_async {
                    K::AsyncFor(Box::new(f))
                } else {
                    K::For(Box::new(f))
                }
            }
            r::Stmt::While(x) => K::While { test: self.bexpr(&x.test)?, body: self.stmts(&x.body)?, orelse: self.stmts(&x.orelse)? },
            r::Stmt::If(x) => {
                let test = self.bexpr(&x.test)?;
                let body = self.stmts(&x.body)?;
                let orelse = self.elif_chain(&x.elif_else_clauses, end)?;
                K::If { test, body, orelse }
            }
            r::Stmt::With(x) => {
                let mut items = Vec::with_capacity(x.items.len());
                for it in &x.items {
                    items.push(a::WithItem {
                        context_expr: self.expr(&it.context_expr)?,
                        optional_vars: self.opt_expr(it.optional_vars.as_deref())?,
                    });
                }
                let body = self.stmts(&x.body)?;
                if x.is_async {
                    K::AsyncWith { items, body, type_comment: None }
                } else {
                    K::With { items, body, type_comment: None }
                }
            }
            r::Stmt::Match(x) => {
                let subject = self.bexpr(&x.subject)?;
                let mut cases = Vec::with_capacity(x.cases.len());
                for c in &x.cases {
                    cases.push(a::MatchCase {
                        pattern: self.pattern(&c.pattern)?,
                        guard: self.opt_expr(c.guard.as_deref())?,
                        body: self.stmts(&c.body)?,
                    });
                }
                K::Match { subject, cases }
            }
            r::Stmt::Raise(x) => K::Raise { exc: self.opt_expr(x.exc.as_deref())?, cause: self.opt_expr(x.cause.as_deref())? },
            r::Stmt::Try(x) => {
                let mut handlers = Vec::with_capacity(x.handlers.len());
                for h in &x.handlers {
                    let r::ExceptHandler::ExceptHandler(h) = h;
                    handlers.push(a::ExceptHandler {
                        pos: self.pos_of(h.range.start(), self.block_end(h.range.end())),
                        type_: self.opt_expr(h.type_.as_deref())?,
                        name: h.name.as_ref().map(ident),
                        body: self.stmts(&h.body)?,
                    });
                }
                let t =
                    a::Try { body: self.stmts(&x.body)?, handlers, orelse: self.stmts(&x.orelse)?, finalbody: self.stmts(&x.finalbody)? };
                if x.is_star {
                    K::TryStar(Box::new(t))
                } else {
                    K::Try(Box::new(t))
                }
            }
            r::Stmt::Assert(x) => K::Assert { test: self.bexpr(&x.test)?, msg: self.opt_expr(x.msg.as_deref())? },
            // `lazy import` is 3.15 syntax; before, `lazy` is only a name.
            r::Stmt::Import(x) => {
                if x.is_lazy && self.minor < PyMinor::Py315 {
                    return Err(self.after_lazy_err(x.range.start(), "import").into());
                }
                K::Import { names: self.aliases(&x.names), is_lazy: x.is_lazy }
            }
            r::Stmt::ImportFrom(x) => {
                if x.is_lazy && self.minor < PyMinor::Py315 {
                    return Err(self.after_lazy_err(x.range.start(), "from").into());
                }
                if x.is_lazy && x.module.as_ref().is_some_and(|m| m.as_str() == "__future__") {
                    // 3.15's parser: the error spans the `lazy` keyword.
                    let mut e = self.err_at(x.range.start(), "lazy from __future__ import is not allowed");
                    e.end_offset = e.offset + 4;
                    return Err(e.into());
                }
                K::ImportFrom { module: x.module.as_ref().map(ident), names: self.aliases(&x.names), level: x.level, is_lazy: x.is_lazy }
            }
            r::Stmt::Global(x) => K::Global { names: x.names.iter().map(ident).collect() },
            r::Stmt::Nonlocal(x) => K::Nonlocal { names: x.names.iter().map(ident).collect() },
            r::Stmt::Expr(x) => K::Expr { value: self.bexpr(&x.value)? },
            r::Stmt::Pass(_) => K::Pass,
            r::Stmt::Break(_) => K::Break,
            r::Stmt::Continue(_) => K::Continue,
            r::Stmt::IpyEscapeCommand(x) => return Err(self.err_at(x.range.start(), "invalid syntax").into()),
        };
        Ok(a::Stmt { pos, kind })
    }

    fn elif_chain(&mut self, clauses: &[r::ElifElseClause], end: TextSize) -> R<Vec<a::Stmt>> {
        let Some((first, rest)) = clauses.split_first() else {
            return Ok(Vec::new());
        };
        match &first.test {
            None => self.stmts(&first.body),
            Some(test) => {
                self.enter(first.range.start())?;
                let pos = self.pos_of(first.range.start(), end);
                let test = self.bexpr(test)?;
                let body = self.stmts(&first.body)?;
                let orelse = self.elif_chain(rest, end)?;
                self.leave();
                Ok(vec![a::Stmt { pos, kind: a::StmtKind::If { test, body, orelse } }])
            }
        }
    }

    /// Before 3.15 `lazy` is a name, so `lazy import x` is `invalid syntax` at the keyword
    /// after it (`import` / `from`, spanning that keyword), as CPython's parser reports it.
    fn after_lazy_err(&self, lazy_at: TextSize, keyword: &str) -> ParseError {
        let start = usize::from(lazy_at);
        let rest = self.src.get(start + 4..).unwrap_or("");
        let mut k = 0;
        let b = rest.as_bytes();
        while k < b.len() {
            match b[k] {
                b' ' | b'\t' | b'\x0c' => k += 1,
                b'\\' if b.get(k + 1) == Some(&b'\n') => k += 2,
                _ => break,
            }
        }
        let at = TextSize::try_from(start + 4 + k).unwrap_or(lazy_at);
        let mut e = self.err_at(at, "invalid syntax");
        e.end_offset = e.offset + keyword.len() as u32;
        e
    }

    pub fn err_at(&self, at: TextSize, msg: &str) -> ParseError {
        let (line, col) = self.loc(at);
        let text = self.line_text(line);
        let mut e = ParseError::syntax(msg);
        e.lineno = line;
        e.offset = text.get(..col as usize).map_or(col, |t| t.chars().count() as u32) + 1;
        e.end_lineno = line;
        e.end_offset = e.offset;
        e.text = Some(text.to_string());
        e
    }

    fn aliases(&self, names: &[r::Alias]) -> Vec<a::Alias> {
        names.iter().map(|al| a::Alias { pos: self.pos(al.range), name: ident(&al.name), asname: al.asname.as_ref().map(ident) }).collect()
    }

    fn decorators(&mut self, decs: &[r::Decorator]) -> R<Vec<a::Expr>> {
        let mut out = Vec::with_capacity(decs.len());
        for d in decs {
            out.push(self.expr(&d.expression)?);
        }
        Ok(out)
    }

    fn type_params(&mut self, tps: Option<&r::TypeParams>) -> R<Vec<a::TypeParam>> {
        let Some(tps) = tps else { return Ok(Vec::new()) };
        let mut out = Vec::with_capacity(tps.type_params.len());
        for tp in &tps.type_params {
            let (range, kind) = match tp {
                r::TypeParam::TypeVar(t) => (
                    t.range,
                    a::TypeParamKind::TypeVar {
                        name: ident(&t.name),
                        bound: self.opt_expr(t.bound.as_deref())?,
                        default_value: self.opt_expr(t.default.as_deref())?,
                    },
                ),
                r::TypeParam::ParamSpec(t) => {
                    (t.range, a::TypeParamKind::ParamSpec { name: ident(&t.name), default_value: self.opt_expr(t.default.as_deref())? })
                }
                r::TypeParam::TypeVarTuple(t) => {
                    (t.range, a::TypeParamKind::TypeVarTuple { name: ident(&t.name), default_value: self.opt_expr(t.default.as_deref())? })
                }
            };
            out.push(a::TypeParam { pos: self.pos(range), kind });
        }
        Ok(out)
    }

    fn param(&mut self, p: &r::Parameter, star: bool) -> R<a::Arg> {
        let range = if star { TextRange::new(p.name.start(), p.range.end()) } else { p.range };
        Ok(a::Arg { pos: self.pos(range), arg: ident(&p.name), annotation: self.opt_expr(p.annotation.as_deref())?, type_comment: None })
    }

    pub fn parameters(&mut self, p: &r::Parameters) -> R<a::Arguments> {
        let mut out = a::Arguments::default();
        out.posonlyargs.reserve_exact(p.posonlyargs.len());
        out.args.reserve_exact(p.args.len());
        out.kwonlyargs.reserve_exact(p.kwonlyargs.len());
        out.kw_defaults.reserve_exact(p.kwonlyargs.len());
        let n_defaults = p.posonlyargs.iter().chain(&p.args).filter(|pw| pw.default.is_some()).count();
        out.defaults.reserve_exact(n_defaults);
        for pw in &p.posonlyargs {
            out.posonlyargs.push(self.param(&pw.parameter, false)?);
            if let Some(d) = &pw.default {
                out.defaults.push(self.expr(d)?);
            }
        }
        for pw in &p.args {
            out.args.push(self.param(&pw.parameter, false)?);
            if let Some(d) = &pw.default {
                out.defaults.push(self.expr(d)?);
            }
        }
        if let Some(v) = &p.vararg {
            out.vararg = Some(Box::new(self.param(v, true)?));
        }
        for pw in &p.kwonlyargs {
            out.kwonlyargs.push(self.param(&pw.parameter, false)?);
            out.kw_defaults.push(match &pw.default {
                Some(d) => Some(self.expr(d)?),
                None => None,
            });
        }
        if let Some(k) = &p.kwarg {
            out.kwarg = Some(Box::new(self.param(k, true)?));
        }
        Ok(out)
    }

    fn keywords(&mut self, kws: &[r::Keyword]) -> R<Vec<a::Keyword>> {
        let mut out = Vec::with_capacity(kws.len());
        for k in kws {
            out.push(a::Keyword { pos: self.pos(k.range), arg: k.arg.as_ref().map(ident), value: self.expr(&k.value)? });
        }
        Ok(out)
    }

    // ---------------------------------------------------------------- expressions

    fn exprs(&mut self, es: &[r::Expr]) -> R<Vec<a::Expr>> {
        let mut out = Vec::with_capacity(es.len());
        for e in es {
            out.push(self.expr(e)?);
        }
        Ok(out)
    }

    fn bexpr(&mut self, e: &r::Expr) -> R<Box<a::Expr>> {
        Ok(Box::new(self.expr(e)?))
    }

    fn opt_expr(&mut self, e: Option<&r::Expr>) -> R<Option<Box<a::Expr>>> {
        match e {
            Some(e) => Ok(Some(self.bexpr(e)?)),
            None => Ok(None),
        }
    }

    fn comprehensions(&mut self, gens: &[r::Comprehension]) -> R<Vec<a::Comprehension>> {
        let mut out = Vec::with_capacity(gens.len());
        for g in gens {
            out.push(a::Comprehension {
                target: self.expr(&g.target)?,
                iter: self.expr(&g.iter)?,
                ifs: self.exprs(&g.ifs)?,
                is_async: g.is_async,
            });
        }
        Ok(out)
    }

    pub fn expr(&mut self, e: &r::Expr) -> R<a::Expr> {
        self.enter(e.start())?;
        let res = stacker::maybe_grow(RED_ZONE, STACK_GROW, || self.expr_inner(e));
        self.leave();
        res
    }

    fn expr_inner(&mut self, e: &r::Expr) -> R<a::Expr> {
        use a::ExprKind as K;
        let mut pos = self.pos(e.range());
        let kind = match e {
            r::Expr::BoolOp(x) => K::BoolOp { op: boolop(x.op), values: self.exprs(&x.values)? },
            r::Expr::Named(x) => K::NamedExpr { target: self.bexpr(&x.target)?, value: self.bexpr(&x.value)? },
            r::Expr::BinOp(x) => K::BinOp { left: self.bexpr(&x.left)?, op: operator(x.op), right: self.bexpr(&x.right)? },
            r::Expr::UnaryOp(x) => K::UnaryOp { op: unaryop(x.op), operand: self.bexpr(&x.operand)? },
            r::Expr::Lambda(x) => K::Lambda {
                args: Box::new(match x.parameters.as_deref() {
                    Some(p) => self.parameters(p)?,
                    None => a::Arguments::default(),
                }),
                body: self.bexpr(&x.body)?,
            },
            r::Expr::If(x) => K::IfExp { test: self.bexpr(&x.test)?, body: self.bexpr(&x.body)?, orelse: self.bexpr(&x.orelse)? },
            r::Expr::Dict(x) => {
                let mut keys = Vec::with_capacity(x.items.len());
                let mut values = Vec::with_capacity(x.items.len());
                for it in &x.items {
                    keys.push(match &it.key {
                        Some(k) => Some(self.expr(k)?),
                        None => None,
                    });
                    values.push(self.expr(&it.value)?);
                }
                K::Dict { keys, values }
            }
            r::Expr::Set(x) => K::Set { elts: self.exprs(&x.elts)? },
            r::Expr::ListComp(x) => K::ListComp { elt: self.bexpr(&x.elt)?, generators: self.comprehensions(&x.generators)? },
            r::Expr::SetComp(x) => K::SetComp { elt: self.bexpr(&x.elt)?, generators: self.comprehensions(&x.generators)? },
            r::Expr::DictComp(x) => {
                match x.key.as_deref() {
                    Some(key) => K::DictComp {
                        key: self.bexpr(key)?,
                        value: Some(self.bexpr(&x.value)?),
                        generators: self.comprehensions(&x.generators)?,
                    },
                    // 3.15 (PEP 798): `{**d for d in ds}` is `DictComp(key=d)`, no value.
                    None if self.minor >= PyMinor::Py315 => {
                        K::DictComp { key: self.bexpr(&x.value)?, value: None, generators: self.comprehensions(&x.generators)? }
                    }
                    None => return Err(self.err_at(x.range.start(), "invalid syntax").into()),
                }
            }
            r::Expr::Generator(x) => K::GeneratorExp { elt: self.bexpr(&x.elt)?, generators: self.comprehensions(&x.generators)? },
            r::Expr::Await(x) => K::Await { value: self.bexpr(&x.value)? },
            r::Expr::Yield(x) => K::Yield { value: self.opt_expr(x.value.as_deref())? },
            r::Expr::YieldFrom(x) => K::YieldFrom { value: self.bexpr(&x.value)? },
            r::Expr::Compare(x) => K::Compare {
                left: self.bexpr(&x.left)?,
                ops: x.ops.iter().map(|&o| cmpop(o)).collect(),
                comparators: self.exprs(&x.comparators)?,
            },
            r::Expr::Call(x) => {
                let func = self.bexpr(&x.func)?;
                let mut args = self.exprs(&x.arguments.args)?;
                if args.len() == 1 && x.arguments.keywords.is_empty() {
                    if let Some(r::Expr::Generator(g)) = x.arguments.args.first() {
                        if !g.parenthesized {
                            if let Some(first) = args.first_mut() {
                                first.pos = self.pos(x.arguments.range);
                            }
                        }
                    }
                }
                K::Call { func, args, keywords: self.keywords(&x.arguments.keywords)? }
            }
            r::Expr::FString(x) => {
                let values = self.fstring_values(x.value.iter(), x.range)?;
                K::JoinedStr { values }
            }
            r::Expr::TString(x) => {
                let parts: Vec<&r::TString> = x.value.iter().collect();
                let values = self.tstring_values(&parts, x.range)?;
                K::TemplateStr { values }
            }
            r::Expr::StringLiteral(x) => K::Constant {
                value: Constant::Str(self.string_literal(x.value.as_slice())?),
                kind_u: self.string_literal_u(x.value.as_slice()),
            },
            r::Expr::BytesLiteral(x) => {
                let mut buf = Vec::new();
                for part in x.value.iter() {
                    let lit = strings::split_literal(self.text(part.range))
                        .ok_or_else(|| self.err_at(part.range.start(), "invalid string literal"))?;
                    strings::decode_bytes_body(lit.body, lit.raw, &mut buf).map_err(|er| self.unicode_err(part.range.start(), er))?;
                }
                K::Constant { value: Constant::Bytes(buf.into_boxed_slice()), kind_u: false }
            }
            r::Expr::NumberLiteral(x) => K::Constant { value: self.number(x)?, kind_u: false },
            r::Expr::BooleanLiteral(x) => K::Constant { value: if x.value { Constant::True } else { Constant::False }, kind_u: false },
            r::Expr::NoneLiteral(_) => K::Constant { value: Constant::None, kind_u: false },
            r::Expr::EllipsisLiteral(_) => K::Constant { value: Constant::Ellipsis, kind_u: false },
            r::Expr::Attribute(x) => K::Attribute { value: self.bexpr(&x.value)?, attr: ident(&x.attr), ctx: ctx(x.ctx) },
            r::Expr::Subscript(x) => K::Subscript { value: self.bexpr(&x.value)?, slice: self.bexpr(&x.slice)?, ctx: ctx(x.ctx) },
            r::Expr::Starred(x) => K::Starred { value: self.bexpr(&x.value)?, ctx: ctx(x.ctx) },
            r::Expr::Name(x) => K::Name { id: x.id.clone().into(), ctx: ctx(x.ctx) },
            r::Expr::List(x) => K::List { elts: self.exprs(&x.elts)?, ctx: ctx(x.ctx) },
            r::Expr::Tuple(x) => K::Tuple { elts: self.exprs(&x.elts)?, ctx: ctx(x.ctx) },
            r::Expr::Slice(x) => K::Slice {
                lower: self.opt_expr(x.lower.as_deref())?,
                upper: self.opt_expr(x.upper.as_deref())?,
                step: self.opt_expr(x.step.as_deref())?,
            },
            r::Expr::IpyEscapeCommand(x) => return Err(self.err_at(x.range.start(), "invalid syntax").into()),
        };
        if let K::JoinedStr { .. } | K::TemplateStr { .. } = kind {
            pos = self.pos(e.range());
        }
        Ok(a::Expr { pos, kind })
    }

    /// `kind='u'`: the first token of a string literal starts with a lowercase `u`.
    fn string_literal_u(&self, parts: &[r::StringLiteral]) -> bool {
        parts.first().is_some_and(|p| self.text(p.range).starts_with('u'))
    }

    /// The value of a (possibly implicitly concatenated) `str` literal, decoded from the source.
    fn string_literal(&self, parts: &[r::StringLiteral]) -> R<PyStr> {
        if let [part] = parts {
            // One token, the common case: no intermediate buffer when there is nothing to decode.
            let lit =
                strings::split_literal(self.text(part.range)).ok_or_else(|| self.err_at(part.range.start(), "invalid string literal"))?;
            if strings::is_plain_str_body(lit.body, lit.raw) {
                return Ok(PyStr::new(lit.body, false));
            }
        }
        let mut buf = Vec::new();
        for part in parts {
            let lit =
                strings::split_literal(self.text(part.range)).ok_or_else(|| self.err_at(part.range.start(), "invalid string literal"))?;
            strings::decode_str_body(lit.body, lit.raw, false, &mut buf).map_err(|er| self.unicode_err(part.range.start(), er))?;
        }
        Ok(strings::to_pystr(buf))
    }

    fn unicode_err(&self, at: TextSize, er: strings::EscapeError) -> ParseError {
        self.err_at(at, &format!("(unicode error) {}", er.msg))
    }

    fn number(&self, x: &r::ExprNumberLiteral) -> R<Constant> {
        Ok(match &x.value {
            r::Number::Float(f) => Constant::Float(*f),
            r::Number::Complex { real, imag } => Constant::Complex { real: *real, imag: *imag },
            r::Number::Int(i) => {
                if let Some(v) = i.as_i64() {
                    Constant::Int(v)
                } else {
                    let text: String = self.text(x.range).chars().filter(|&c| c != '_').collect();
                    let lower = text.to_ascii_lowercase();
                    let (digits, radix) = if let Some(d) = lower.strip_prefix("0x") {
                        (d, 16)
                    } else if let Some(d) = lower.strip_prefix("0o") {
                        (d, 8)
                    } else if let Some(d) = lower.strip_prefix("0b") {
                        (d, 2)
                    } else {
                        (lower.as_str(), 10)
                    };
                    if radix == 10 && digits.len() > 4300 {
                        return Err(self.err_at(
                            x.range.start(),
                            &format!(
                                "Exceeds the limit (4300 digits) for integer string conversion: value has {} digits; use sys.set_int_max_str_digits() to increase the limit - Consider hexadecimal for huge integer literals to avoid decimal conversion limits.",
                                digits.len()
                            ),
                        )
                        .into());
                    }
                    let v = BigInt::parse_bytes(digits.as_bytes(), radix).ok_or_else(|| self.err_at(x.range.start(), "invalid syntax"))?;
                    match i64::try_from(&v) {
                        Ok(v) => Constant::Int(v),
                        Err(_) => Constant::BigInt(Box::new(v)),
                    }
                }
            }
        })
    }

    // ---------------------------------------------------------------- f-strings and t-strings

    fn fstring_values<'x>(&mut self, parts: impl Iterator<Item = &'x r::FStringPart>, whole: TextRange) -> R<Vec<a::Expr>> {
        let mut acc = LitAcc::default();
        let mut values = Vec::new();
        let u311 = self.text(whole).starts_with('u');
        for part in parts {
            match part {
                r::FStringPart::Literal(l) => {
                    let lit =
                        strings::split_literal(self.text(l.range)).ok_or_else(|| self.err_at(l.range.start(), "invalid string literal"))?;
                    let mut buf = Vec::new();
                    strings::decode_str_body(lit.body, lit.raw, false, &mut buf).map_err(|er| self.unicode_err(l.range.start(), er))?;
                    let u = self.text(l.range).starts_with('u');
                    if self.minor >= PyMinor::Py312 {
                        acc.add_part(&buf, l.range, u);
                    } else {
                        acc.add(&buf, l.range, u);
                    }
                }
                r::FStringPart::FString(f) => {
                    let raw = self.text(f.range).chars().take_while(|&c| c != '\'' && c != '"').any(|c| c == 'r' || c == 'R');
                    self.interp_elements(&f.elements, raw, f.range, whole, u311, &mut acc, &mut values, false)?;
                }
            }
        }
        acc.flush(self, whole, u311, &mut values);
        Ok(values)
    }

    fn tstring_values(&mut self, parts: &[&r::TString], whole: TextRange) -> R<Vec<a::Expr>> {
        let mut acc = LitAcc::default();
        let mut values = Vec::new();
        for t in parts {
            let raw = self.text(t.range).chars().take_while(|&c| c != '\'' && c != '"').any(|c| c == 'r' || c == 'R');
            self.interp_elements(&t.elements, raw, t.range, whole, false, &mut acc, &mut values, true)?;
        }
        acc.flush(self, whole, false, &mut values);
        Ok(values)
    }

    /// Appends the pieces of one f-string (or t-string) part to `values`, merging literal text in `acc`.
    #[allow(clippy::too_many_arguments)]
    fn interp_elements(
        &mut self,
        elements: &r::InterpolatedStringElements,
        raw: bool,
        part: TextRange,
        whole: TextRange,
        u311: bool,
        acc: &mut LitAcc,
        values: &mut Vec<a::Expr>,
        template: bool,
    ) -> R<()> {
        for el in elements.iter() {
            match el {
                r::InterpolatedStringElement::Literal(l) => {
                    let mut buf = Vec::new();
                    strings::decode_str_body(self.text(l.range), raw, true, &mut buf)
                        .map_err(|er| self.unicode_err(l.range.start(), er))?;
                    acc.add(&buf, l.range, false);
                }
                r::InterpolatedStringElement::Interpolation(i) => {
                    if let Some(dbg) = &i.debug_text {
                        let start = i.range.start() + TextSize::from(1);
                        let mut dbg = dbg.as_str();
                        // The position spans the whole text even where 3.12 cuts the value.
                        let end = start + TextSize::from(dbg.len() as u32);
                        let cut = match self.minor {
                            PyMinor::Py312 => debug_text_bang(dbg, false),
                            PyMinor::Py313 if self.debug_text_cut_3_13_0 => debug_text_bang(dbg, false),
                            // With a format spec and no conversion, 3.14+ end the text at the
                            // last top-level `!=` (`f"{x!=y=:>3}"` shows `x`).
                            PyMinor::Py314 | PyMinor::Py315 if i.format_spec.is_some() && i.conversion == r::ConversionFlag::None => {
                                debug_text_bang(dbg, true)
                            }
                            _ => None,
                        };
                        if let Some(k) = cut {
                            dbg = dbg.get(..k).unwrap_or(dbg);
                        }
                        let stripped;
                        // 3.11 keeps the text as written (it rejects `#` in the expression).
                        let skip_strings = match self.minor {
                            PyMinor::Py311 => None,
                            PyMinor::Py312 | PyMinor::Py313 => Some(false),
                            PyMinor::Py314 | PyMinor::Py315 => Some(true),
                        };
                        if let Some(skip) = skip_strings.filter(|_| dbg.contains('#')) {
                            stripped = debug_text_strip_comments(dbg, skip);
                            dbg = &stripped;
                        }
                        let mut buf = Vec::new();
                        strings::decode_str_body(dbg, true, false, &mut buf).map_err(|er| self.unicode_err(start, er))?;
                        acc.add(&buf, TextRange::new(start, end), false);
                    }
                    acc.flush(self, whole, u311, values);
                    let fv = self.interpolation(i, raw, part, whole, u311, template)?;
                    values.push(fv);
                }
            }
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn interpolation(
        &mut self,
        i: &r::InterpolatedElement,
        raw: bool,
        part: TextRange,
        whole: TextRange,
        u311: bool,
        template: bool,
    ) -> R<a::Expr> {
        self.enter(i.range.start())?;
        let mut value = self.bexpr(&i.expression)?;
        if self.minor == PyMinor::Py311 {
            // 3.11 parsed `(expr)` from a copy of the field: a bare tuple spans those parentheses,
            // from the `{` to the character that ended the expression.
            if let (a::ExprKind::Tuple { .. }, r::Expr::Tuple(t)) = (&value.kind, &*i.expression) {
                if !t.parenthesized {
                    let b = self.src.as_bytes();
                    let mut k = usize::from(t.range.end());
                    while k < b.len() && !matches!(b[k], b'!' | b':' | b'=' | b'}') {
                        k += 1;
                    }
                    value.pos = self.pos_of(i.range.start(), TextSize::from(k as u32 + 1));
                }
            }
        }
        let mut conversion = match i.conversion {
            r::ConversionFlag::None => -1,
            r::ConversionFlag::Str => 's' as i32,
            r::ConversionFlag::Ascii => 'a' as i32,
            r::ConversionFlag::Repr => 'r' as i32,
        };
        if i.debug_text.is_some() && conversion == -1 && i.format_spec.is_none() {
            conversion = 'r' as i32;
        }
        let format_spec = match &i.format_spec {
            None => None,
            Some(spec) => {
                let mut acc = LitAcc::default();
                let mut values = Vec::new();
                // A replacement field inside a t-string's spec is a `FormattedValue` (3.14.2).
                self.interp_elements(&spec.elements, raw, part, whole, u311, &mut acc, &mut values, false)?;
                // 3.11's `fstring_parse` finishes a spec with its own token (`t`), never `u`.
                acc.flush(self, part, false, &mut values);
                if self.spec_empty_tail && matches!(spec.elements.last(), Some(r::InterpolatedStringElement::Interpolation(_))) {
                    if let Some(last) = spec.elements.last() {
                        let tail = self.pos_of(last.range().end(), spec.range.end());
                        values.push(a::Expr {
                            pos: tail,
                            kind: a::ExprKind::Constant { value: Constant::Str(PyStr::new("", false)), kind_u: false },
                        });
                    }
                }
                let pos = if self.minor == PyMinor::Py311 {
                    self.pos(part)
                } else {
                    self.pos_of(spec.range.start() - TextSize::from(1), spec.range.end())
                };
                Some(Box::new(a::Expr { pos, kind: a::ExprKind::JoinedStr { values } }))
            }
        };
        let pos = if self.minor == PyMinor::Py311 { self.pos(whole) } else { self.pos(i.range) };
        let kind = if template {
            let s = self.text(i.expression.range());
            a::ExprKind::Interpolation { value, str: s.into(), conversion, format_spec }
        } else {
            a::ExprKind::FormattedValue { value, conversion, format_spec }
        };
        self.leave();
        Ok(a::Expr { pos, kind })
    }

    // ---------------------------------------------------------------- patterns

    fn patterns(&mut self, ps: &[r::Pattern]) -> R<Vec<a::Pattern>> {
        let mut out = Vec::with_capacity(ps.len());
        for p in ps {
            out.push(self.pattern(p)?);
        }
        Ok(out)
    }

    fn pattern(&mut self, p: &r::Pattern) -> R<a::Pattern> {
        stacker::maybe_grow(RED_ZONE, STACK_GROW, || self.pattern_inner(p))
    }

    fn pattern_inner(&mut self, p: &r::Pattern) -> R<a::Pattern> {
        use a::PatternKind as K;
        self.enter(p.start())?;
        let pos = self.pos(p.range());
        let kind = match p {
            r::Pattern::MatchValue(x) => K::MatchValue { value: self.bexpr(&x.value)? },
            r::Pattern::MatchSingleton(x) => K::MatchSingleton {
                value: match x.value {
                    r::Singleton::None => Constant::None,
                    r::Singleton::True => Constant::True,
                    r::Singleton::False => Constant::False,
                },
            },
            r::Pattern::MatchSequence(x) => K::MatchSequence { patterns: self.patterns(&x.patterns)? },
            r::Pattern::MatchMapping(x) => {
                K::MatchMapping { keys: self.exprs(&x.keys)?, patterns: self.patterns(&x.patterns)?, rest: x.rest.as_ref().map(ident) }
            }
            r::Pattern::MatchClass(x) => {
                let cls = self.bexpr(&x.cls)?;
                let patterns = self.patterns(&x.arguments.patterns)?;
                let mut kwd_attrs = Vec::new();
                let mut kwd_patterns = Vec::new();
                for k in &x.arguments.keywords {
                    kwd_attrs.push(ident(&k.attr));
                    kwd_patterns.push(self.pattern(&k.pattern)?);
                }
                K::MatchClass { cls, patterns, kwd_attrs, kwd_patterns }
            }
            r::Pattern::MatchStar(x) => K::MatchStar { name: x.name.as_ref().map(ident) },
            r::Pattern::MatchAs(x) => K::MatchAs {
                pattern: match x.pattern.as_deref() {
                    Some(p) => Some(Box::new(self.pattern(p)?)),
                    None => None,
                },
                name: x.name.as_ref().map(ident),
            },
            r::Pattern::MatchOr(x) => K::MatchOr { patterns: self.patterns(&x.patterns)? },
        };
        self.leave();
        Ok(a::Pattern { pos, kind })
    }
}

/// 3.12+ drop comments from the text of a `{expr=}` debug field: from each `#` up to (not
/// including) the end of its line. 3.12 and 3.13 do so inside string literals too (measured on
/// 3.12.1, 3.12.7, 3.13.0, 3.13.2: `f"{'#'=}"` gives `'`); 3.14 and 3.15 skip string literals
/// (`skip_strings`; measured: `f"""{1+2 = # c\n  }"""` gives `1+2 = \n  `).
fn debug_text_strip_comments(t: &str, skip_strings: bool) -> String {
    let mut out = String::with_capacity(t.len());
    let mut in_comment = false;
    // Inside a string literal: its quote character and whether it is triple-quoted.
    let mut string: Option<(char, bool)> = None;
    let mut chars = t.chars().peekable();
    while let Some(c) = chars.next() {
        if in_comment {
            if c == '\n' {
                in_comment = false;
                out.push(c);
            }
            continue;
        }
        if let Some((q, triple)) = string {
            out.push(c);
            if c == '\\' {
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            } else if c == q {
                if !triple {
                    string = None;
                } else if chars.peek() == Some(&q) {
                    out.push(q);
                    chars.next();
                    if chars.peek() == Some(&q) {
                        out.push(q);
                        chars.next();
                        string = None;
                    }
                }
            }
            continue;
        }
        if c == '#' {
            in_comment = true;
        } else if skip_strings && (c == '\'' || c == '"') {
            out.push(c);
            // Two quotes are an empty string; three open a triple-quoted one.
            if chars.peek() == Some(&c) {
                out.push(c);
                chars.next();
                if chars.peek() == Some(&c) {
                    out.push(c);
                    chars.next();
                    string = Some((c, true));
                }
            } else {
                string = Some((c, false));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// 3.12's (and 3.13.0's) tokenizer ends the text of a `{expr=}` debug field at the first `!`,
/// `:` or `}` at bracket depth 0 (`update_fstring_expr` records only the first), so a top-level
/// `!=` in the expression cuts the text before its `!` (`f"{x!=y=}"` shows `x`). Returns the
/// byte offset of the first (or, with `last`, the last: 3.14+ with a format spec) top-level `!=`
/// in the debug text (from after `{` through the `=`), if there is one. String literals in the
/// expression are skipped (with the same quote nested inside, a rare case, the scan may misread
/// them).
fn debug_text_bang(t: &str, last: bool) -> Option<usize> {
    let mut found = None;
    let b = t.as_bytes();
    let mut depth = 0u32;
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        match c {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            b'!' if depth == 0 && b.get(i + 1) == Some(&b'=') => {
                found = Some(i);
                if !last {
                    return found;
                }
            }
            b'\'' | b'"' => {
                let triple = b.get(i + 1) == Some(&c) && b.get(i + 2) == Some(&c);
                i += if triple { 3 } else { 1 };
                while let Some(&d) = b.get(i) {
                    if d == b'\\' {
                        i += 2;
                        continue;
                    }
                    if d == c && (!triple || (b.get(i + 1) == Some(&c) && b.get(i + 2) == Some(&c))) {
                        i += if triple { 3 } else { 1 };
                        break;
                    }
                    i += 1;
                }
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    found
}

/// Accumulates adjacent literal pieces of an f-string into one `Constant`.
///
/// 3.11 (`Parser/string_parser.c`) positions every such `Constant` at the whole concatenated string
/// (`whole`), except the trailing one of a format spec, which gets the spec's own string token; and
/// marks all of them `kind='u'` when the first token starts with `u`. 3.12+ position each at its own
/// text and mark it `u` when its first piece comes from a `u"..."` token.
#[derive(Default)]
struct LitAcc {
    buf: Vec<u8>,
    range: Option<TextRange>,
    first_u: bool,
}

impl LitAcc {
    fn add(&mut self, bytes: &[u8], range: TextRange, u: bool) {
        if bytes.is_empty() {
            return;
        }
        self.add_part(bytes, range, u);
    }

    /// A piece that counts even when empty: 3.12+ (`_PyPegen_concatenate_strings`) folds a run
    /// of adjacent constants, empty `""` tokens included, into one spanning from the run's first
    /// to its last token, and drops the result only if it is empty.
    fn add_part(&mut self, bytes: &[u8], range: TextRange, u: bool) {
        if self.range.is_none() {
            self.first_u = u;
        }
        self.buf.extend_from_slice(bytes);
        self.range = Some(match self.range {
            Some(r) => TextRange::new(r.start(), range.end()),
            None => range,
        });
    }

    /// `pos311`/`u311`: the position and kind 3.11 gives this constant.
    fn flush(&mut self, c: &Converter<'_>, pos311: TextRange, u311: bool, values: &mut Vec<a::Expr>) {
        let Some(range) = self.range.take() else { return };
        let buf = std::mem::take(&mut self.buf);
        if buf.is_empty() {
            return;
        }
        let (pos, kind_u) = if c.minor == PyMinor::Py311 { (c.pos(pos311), u311) } else { (c.pos(range), self.first_u) };
        values.push(a::Expr { pos, kind: a::ExprKind::Constant { value: Constant::Str(strings::to_pystr(buf)), kind_u } });
    }
}

fn ctx(c: r::ExprContext) -> a::ExprContext {
    match c {
        r::ExprContext::Store => a::ExprContext::Store,
        r::ExprContext::Del => a::ExprContext::Del,
        r::ExprContext::Load | r::ExprContext::Invalid => a::ExprContext::Load,
    }
}

fn boolop(o: r::BoolOp) -> a::BoolOp {
    match o {
        r::BoolOp::And => a::BoolOp::And,
        r::BoolOp::Or => a::BoolOp::Or,
    }
}

fn operator(o: r::Operator) -> a::Operator {
    use r::Operator as O;
    match o {
        O::Add => a::Operator::Add,
        O::Sub => a::Operator::Sub,
        O::Mult => a::Operator::Mult,
        O::MatMult => a::Operator::MatMult,
        O::Div => a::Operator::Div,
        O::Mod => a::Operator::Mod,
        O::Pow => a::Operator::Pow,
        O::LShift => a::Operator::LShift,
        O::RShift => a::Operator::RShift,
        O::BitOr => a::Operator::BitOr,
        O::BitXor => a::Operator::BitXor,
        O::BitAnd => a::Operator::BitAnd,
        O::FloorDiv => a::Operator::FloorDiv,
    }
}

fn unaryop(o: r::UnaryOp) -> a::UnaryOp {
    match o {
        r::UnaryOp::Invert => a::UnaryOp::Invert,
        r::UnaryOp::Not => a::UnaryOp::Not,
        r::UnaryOp::UAdd => a::UnaryOp::UAdd,
        r::UnaryOp::USub => a::UnaryOp::USub,
    }
}

fn cmpop(o: r::CmpOp) -> a::CmpOp {
    use r::CmpOp as C;
    match o {
        C::Eq => a::CmpOp::Eq,
        C::NotEq => a::CmpOp::NotEq,
        C::Lt => a::CmpOp::Lt,
        C::LtE => a::CmpOp::LtE,
        C::Gt => a::CmpOp::Gt,
        C::GtE => a::CmpOp::GtE,
        C::Is => a::CmpOp::Is,
        C::IsNot => a::CmpOp::IsNot,
        C::In => a::CmpOp::In,
        C::NotIn => a::CmpOp::NotIn,
    }
}

#[cfg(test)]
mod tests {
    use super::{gallop, line_starts};

    #[test]
    fn line_starts_match_a_plain_scan() {
        let texts = [
            "",
            "\n",
            "a",
            "a\n",
            "\n\n\n",
            "0123456789abcde\n0123456789abcdef\n\n",
            "x\u{e9}\n\u{20ac}\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\ny",
        ];
        let mut long = String::new();
        for i in 0..300 {
            long.push_str(&"ab\u{ff}".repeat(i % 7));
            long.push('\n');
            long.push_str(&" ".repeat(i % 19));
        }
        for t in texts.iter().copied().chain([long.as_str()]) {
            let mut want = vec![0u32];
            want.extend(t.bytes().enumerate().filter(|&(_, b)| b == b'\n').map(|(i, _)| i as u32 + 1));
            assert_eq!(line_starts(t), want, "{t:?}");
        }
    }

    #[test]
    fn gallop_is_partition_point() {
        let ls: Vec<u32> = (0..200u32).map(|i| i * 3 + (i % 3)).collect();
        for from in 0..=ls.len() + 2 {
            for off in 0..=700u32 {
                assert_eq!(gallop(&ls, off, from), ls.partition_point(|&s| s <= off), "off {off} from {from}");
            }
        }
        assert_eq!(gallop(&[0], 5, 0), 1);
        assert_eq!(gallop(&[0], 0, 1), 1);
    }
}
