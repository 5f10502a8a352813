//! AST constant folding, mirroring CPython 3.12's `Python/ast_opt.c` (`_PyAST_Optimize`).
//!
//! Folds unary/binary operations on constants (with `safe_multiply` / `safe_power` /
//! `safe_lshift` / `safe_mod` size limits), constant tuples, constant subscripts, literal lists
//! and sets used as `for` iterables or `in` operands (→ tuple / frozenset), `__debug__`, and the
//! `"..." % (a, b)` → f-string rewrite (`optimize_format`). A fold that would raise in CPython
//! (division by zero, overflow, ...) is simply not done, as `make_const` does.

use num_bigint::BigInt;
use num_traits::{Signed, ToPrimitive, Zero};
use pycode_ast::{
    Arguments, CmpOp, Comprehension, Constant, Expr, ExprContext, ExprKind, Mod, Operator, Pattern, PatternKind, Pos, Stmt, StmtKind,
    TypeParamKind, UnaryOp,
};
use pycode_object::PyStr;
use pycode_symtable::CompileError;

const MAX_INT_SIZE: u64 = 128;
const MAX_COLLECTION_SIZE: i64 = 256;
const MAX_STR_SIZE: i64 = 4096;
const MAX_TOTAL_ITEMS: i64 = 1024;
/// A backstop above `pycode_symtable::MAX_DEPTH` (CPython's `ast_opt.c` and `symtable.c` count
/// the same visits; the symbol table reports it).
const MAX_DEPTH: u32 = pycode_symtable::MAX_DEPTH;
/// `MAXDIGITS` of `simple_format_arg_parse`.
const MAXDIGITS: u32 = 3;

/// A position of all -1 (CPython builds some nodes with no location); `u32::MAX` stands for -1.
pub(crate) const NO_POS: Pos = Pos { lineno: u32::MAX, col_offset: u32::MAX, end_lineno: u32::MAX, end_col_offset: u32::MAX };

struct Folder {
    optimize: u8,
    future_annotations: bool,
    depth: u32,
    /// 3.14+ (`ast_preprocess.c`): operators, tuples, subscripts and iterables fold in the CFG;
    /// only `__debug__`, the `%`-format rewrite and match-pattern constants are folded here.
    cfg: bool,
}

type R = Result<(), CompileError>;

/// `_PyAST_Optimize`.
pub fn fold_module(m: &mut Mod, optimize: u8) -> R {
    fold_module_for(m, optimize, false, 0)
}

/// `_PyAST_Optimize` of a release whose operator folding is in the CFG (`cfg`, 3.14+) or not;
/// `future_flags` are `compile()`'s `__future__` flags (`CO_FUTURE_*`).
pub fn fold_module_for(m: &mut Mod, optimize: u8, cfg: bool, future_flags: u32) -> R {
    let ff = pycode_symtable::parse_future(m)?;
    let annotations = ff.annotations() || future_flags & pycode_symtable::future::CO_FUTURE_ANNOTATIONS != 0;
    let mut f = Folder { optimize, future_annotations: annotations, depth: 0, cfg };
    match m {
        Mod::Module { body, .. } => f.body(body),
        Mod::Interactive { body } => f.stmts(body),
        Mod::Expression { body } => f.expr(body),
        Mod::FunctionType { .. } => Ok(()),
    }
}

fn is_docstring(body: &[Stmt]) -> bool {
    matches!(body.first(), Some(Stmt { kind: StmtKind::Expr { value }, .. })
        if matches!(value.kind, ExprKind::Constant { value: Constant::Str(_), .. }))
}

fn set_const(e: &mut Expr, c: Constant) {
    e.kind = ExprKind::Constant { value: c, kind_u: false };
}

impl Folder {
    fn enter(&mut self) -> R {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(CompileError::recursion());
        }
        Ok(())
    }

    /// `astfold_body`.
    fn body(&mut self, stmts: &mut [Stmt]) -> R {
        let had_doc = is_docstring(stmts);
        self.stmts(stmts)?;
        if !had_doc && is_docstring(stmts) {
            if let Some(Stmt { kind: StmtKind::Expr { value }, pos }) = stmts.first_mut() {
                let inner = std::mem::replace(&mut **value, Expr { pos: *pos, kind: ExprKind::JoinedStr { values: vec![] } });
                value.kind = ExprKind::JoinedStr { values: vec![inner] };
                value.pos = *pos;
            }
        }
        Ok(())
    }

    fn stmts(&mut self, stmts: &mut [Stmt]) -> R {
        for s in stmts {
            self.stmt(s)?;
        }
        Ok(())
    }

    fn exprs(&mut self, v: &mut [Expr]) -> R {
        for e in v {
            self.expr(e)?;
        }
        Ok(())
    }

    fn oexpr(&mut self, e: &mut Option<Box<Expr>>) -> R {
        if let Some(e) = e {
            self.expr(e)?;
        }
        Ok(())
    }

    fn annotation(&mut self, e: &mut Option<Box<Expr>>) -> R {
        if !self.future_annotations {
            self.oexpr(e)?;
        }
        Ok(())
    }

    fn arguments(&mut self, a: &mut Arguments) -> R {
        for arg in a.posonlyargs.iter_mut().chain(a.args.iter_mut()) {
            self.annotation(&mut arg.annotation)?;
        }
        if let Some(v) = &mut a.vararg {
            self.annotation(&mut v.annotation)?;
        }
        for arg in a.kwonlyargs.iter_mut() {
            self.annotation(&mut arg.annotation)?;
        }
        for d in a.kw_defaults.iter_mut().flatten() {
            self.expr(d)?;
        }
        if let Some(v) = &mut a.kwarg {
            self.annotation(&mut v.annotation)?;
        }
        self.exprs(&mut a.defaults)
    }

    fn type_params(&mut self, tps: &mut [pycode_ast::TypeParam]) -> R {
        for tp in tps {
            if let TypeParamKind::TypeVar { bound: Some(b), .. } = &mut tp.kind {
                self.expr(b)?;
            }
        }
        Ok(())
    }

    fn comprehensions(&mut self, gens: &mut [Comprehension]) -> R {
        for g in gens {
            self.expr(&mut g.target)?;
            self.expr(&mut g.iter)?;
            self.exprs(&mut g.ifs)?;
            if !self.cfg {
                fold_iter(&mut g.iter);
            }
        }
        Ok(())
    }

    fn pattern(&mut self, p: &mut Pattern) -> R {
        self.enter()?;
        match &mut p.kind {
            PatternKind::MatchValue { value } => {
                self.expr(value)?;
                if self.cfg {
                    fold_const_match_pattern(value);
                }
            }
            PatternKind::MatchSingleton { .. } | PatternKind::MatchStar { .. } => {}
            PatternKind::MatchSequence { patterns } | PatternKind::MatchOr { patterns } => {
                for q in patterns {
                    self.pattern(q)?;
                }
            }
            PatternKind::MatchMapping { keys, patterns, .. } => {
                self.exprs(keys)?;
                if self.cfg {
                    keys.iter_mut().for_each(fold_const_match_pattern);
                }
                for q in patterns {
                    self.pattern(q)?;
                }
            }
            PatternKind::MatchClass { cls, patterns, kwd_patterns, .. } => {
                self.expr(cls)?;
                for q in patterns.iter_mut().chain(kwd_patterns.iter_mut()) {
                    self.pattern(q)?;
                }
            }
            PatternKind::MatchAs { pattern, .. } => {
                if let Some(q) = pattern {
                    self.pattern(q)?;
                }
            }
        }
        self.depth -= 1;
        Ok(())
    }

    /// `astfold_stmt`.
    fn stmt(&mut self, s: &mut Stmt) -> R {
        self.enter()?;
        let r = if self.depth.is_multiple_of(pycode_symtable::STACK_CHECK_EVERY) {
            stacker::maybe_grow(128 * 1024, 4 << 20, || self.stmt_inner(s))
        } else {
            self.stmt_inner(s)
        };
        self.depth -= 1;
        r
    }

    fn stmt_inner(&mut self, s: &mut Stmt) -> R {
        match &mut s.kind {
            StmtKind::FunctionDef(f) | StmtKind::AsyncFunctionDef(f) => {
                self.type_params(&mut f.type_params)?;
                self.arguments(&mut f.args)?;
                self.body(&mut f.body)?;
                self.exprs(&mut f.decorator_list)?;
                self.annotation(&mut f.returns)?;
            }
            StmtKind::ClassDef(c) => {
                self.type_params(&mut c.type_params)?;
                self.exprs(&mut c.bases)?;
                for k in &mut c.keywords {
                    self.expr(&mut k.value)?;
                }
                self.body(&mut c.body)?;
                self.exprs(&mut c.decorator_list)?;
            }
            StmtKind::Return { value } => self.oexpr(value)?,
            StmtKind::Delete { targets } => self.exprs(targets)?,
            StmtKind::Assign { targets, value, .. } => {
                self.exprs(targets)?;
                self.expr(value)?;
            }
            StmtKind::AugAssign { target, value, .. } => {
                self.expr(target)?;
                self.expr(value)?;
            }
            StmtKind::AnnAssign { target, annotation, value, .. } => {
                self.expr(target)?;
                if !self.future_annotations {
                    self.expr(annotation)?;
                }
                self.oexpr(value)?;
            }
            StmtKind::TypeAlias { name, type_params, value } => {
                self.expr(name)?;
                self.type_params(type_params)?;
                self.expr(value)?;
            }
            StmtKind::For(f) | StmtKind::AsyncFor(f) => {
                self.expr(&mut f.target)?;
                self.expr(&mut f.iter)?;
                self.stmts(&mut f.body)?;
                self.stmts(&mut f.orelse)?;
                if !self.cfg {
                    fold_iter(&mut f.iter);
                }
            }
            StmtKind::While { test, body, orelse } | StmtKind::If { test, body, orelse } => {
                self.expr(test)?;
                self.stmts(body)?;
                self.stmts(orelse)?;
            }
            StmtKind::With { items, body, .. } | StmtKind::AsyncWith { items, body, .. } => {
                for it in items {
                    self.expr(&mut it.context_expr)?;
                    self.oexpr(&mut it.optional_vars)?;
                }
                self.stmts(body)?;
            }
            StmtKind::Match { subject, cases } => {
                self.expr(subject)?;
                for c in cases {
                    self.pattern(&mut c.pattern)?;
                    self.oexpr(&mut c.guard)?;
                    self.stmts(&mut c.body)?;
                }
            }
            StmtKind::Raise { exc, cause } => {
                self.oexpr(exc)?;
                self.oexpr(cause)?;
            }
            StmtKind::Try(t) | StmtKind::TryStar(t) => {
                self.stmts(&mut t.body)?;
                for h in &mut t.handlers {
                    self.oexpr(&mut h.type_)?;
                    self.stmts(&mut h.body)?;
                }
                self.stmts(&mut t.orelse)?;
                self.stmts(&mut t.finalbody)?;
            }
            StmtKind::Assert { test, msg } => {
                self.expr(test)?;
                self.oexpr(msg)?;
            }
            StmtKind::Expr { value } => self.expr(value)?,
            StmtKind::Import { .. }
            | StmtKind::ImportFrom { .. }
            | StmtKind::Global { .. }
            | StmtKind::Nonlocal { .. }
            | StmtKind::Pass
            | StmtKind::Break
            | StmtKind::Continue => {}
        }
        Ok(())
    }

    /// `astfold_expr`.
    fn expr(&mut self, e: &mut Expr) -> R {
        self.enter()?;
        let r = if self.depth.is_multiple_of(pycode_symtable::STACK_CHECK_EVERY) {
            stacker::maybe_grow(128 * 1024, 4 << 20, || self.expr_inner(e))
        } else {
            self.expr_inner(e)
        };
        self.depth -= 1;
        r
    }

    fn expr_inner(&mut self, e: &mut Expr) -> R {
        match &mut e.kind {
            ExprKind::BoolOp { values, .. } => self.exprs(values)?,
            ExprKind::BinOp { left, right, .. } => {
                self.expr(left)?;
                self.expr(right)?;
                if self.cfg {
                    fold_format_only(e);
                } else {
                    fold_binop(e);
                }
            }
            ExprKind::UnaryOp { operand, .. } => {
                self.expr(operand)?;
                if !self.cfg {
                    fold_unaryop(e);
                }
            }
            ExprKind::Lambda { args, body } => {
                self.arguments(args)?;
                self.expr(body)?;
            }
            ExprKind::IfExp { test, body, orelse } => {
                self.expr(test)?;
                self.expr(body)?;
                self.expr(orelse)?;
            }
            ExprKind::Dict { keys, values } => {
                for k in keys.iter_mut().flatten() {
                    self.expr(k)?;
                }
                self.exprs(values)?;
            }
            ExprKind::Set { elts } => self.exprs(elts)?,
            ExprKind::ListComp { elt, generators } | ExprKind::SetComp { elt, generators } | ExprKind::GeneratorExp { elt, generators } => {
                self.expr(elt)?;
                self.comprehensions(generators)?;
            }
            ExprKind::DictComp { key, value, generators } => {
                self.expr(key)?;
                self.oexpr(value)?;
                self.comprehensions(generators)?;
            }
            ExprKind::Await { value } | ExprKind::YieldFrom { value } => self.expr(value)?,
            ExprKind::Yield { value } => self.oexpr(value)?,
            ExprKind::Compare { left, ops, comparators } => {
                self.expr(left)?;
                self.exprs(comparators)?;
                // fold_compare
                if let (Some(op), Some(last)) = (ops.last(), comparators.last_mut()) {
                    if !self.cfg && matches!(op, CmpOp::In | CmpOp::NotIn) {
                        fold_iter(last);
                    }
                }
            }
            ExprKind::Call { func, args, keywords } => {
                self.expr(func)?;
                self.exprs(args)?;
                for k in keywords {
                    self.expr(&mut k.value)?;
                }
            }
            ExprKind::FormattedValue { value, format_spec, .. } | ExprKind::Interpolation { value, format_spec, .. } => {
                self.expr(value)?;
                self.oexpr(format_spec)?;
            }
            ExprKind::JoinedStr { values } | ExprKind::TemplateStr { values } => self.exprs(values)?,
            ExprKind::Attribute { value, .. } => self.expr(value)?,
            ExprKind::Subscript { value, slice, .. } => {
                self.expr(value)?;
                self.expr(slice)?;
                if !self.cfg {
                    fold_subscr(e);
                }
            }
            ExprKind::Starred { value, .. } => self.expr(value)?,
            ExprKind::Slice { lower, upper, step } => {
                self.oexpr(lower)?;
                self.oexpr(upper)?;
                self.oexpr(step)?;
            }
            ExprKind::List { elts, .. } => self.exprs(elts)?,
            ExprKind::Tuple { elts, .. } => {
                self.exprs(elts)?;
                if !self.cfg {
                    fold_tuple(e);
                }
            }
            ExprKind::Name { id, ctx } => {
                if *ctx == ExprContext::Load && &**id == "__debug__" {
                    let v = if self.optimize == 0 { Constant::True } else { Constant::False };
                    set_const(e, v);
                }
            }
            ExprKind::NamedExpr { value, .. } => self.expr(value)?,
            ExprKind::Constant { .. } => {}
        }
        Ok(())
    }
}

fn const_of(e: &Expr) -> Option<&Constant> {
    match &e.kind {
        ExprKind::Constant { value, .. } => Some(value),
        _ => None,
    }
}

/// `make_const_tuple`.
fn make_const_tuple(elts: &[Expr]) -> Option<Vec<Constant>> {
    elts.iter().map(|e| const_of(e).cloned()).collect()
}

/// `fold_tuple`.
fn fold_tuple(e: &mut Expr) {
    if let ExprKind::Tuple { elts, ctx: ExprContext::Load } = &e.kind {
        if let Some(items) = make_const_tuple(elts) {
            set_const(e, Constant::Tuple(items.into()));
        }
    }
}

/// `fold_iter`.
fn fold_iter(e: &mut Expr) {
    match &mut e.kind {
        ExprKind::List { elts, ctx } => {
            if elts.iter().any(|x| matches!(x.kind, ExprKind::Starred { .. })) {
                return;
            }
            let elts = std::mem::take(elts);
            let ctx = *ctx;
            let folded = make_const_tuple(&elts);
            e.kind = ExprKind::Tuple { elts, ctx };
            if let Some(items) = folded {
                set_const(e, Constant::Tuple(items.into()));
            }
        }
        ExprKind::Set { elts } => {
            if let Some(items) = make_const_tuple(elts) {
                set_const(e, Constant::FrozenSet(dedup_set(items).into()));
            }
        }
        _ => {}
    }
}

/// Removes duplicates as `frozenset()` would (by value; `1 == 1.0 == True` merge, first wins).
pub(crate) fn dedup_set(items: Vec<Constant>) -> Vec<Constant> {
    let mut out: Vec<Constant> = Vec::with_capacity(items.len());
    for it in items {
        if !out.iter().any(|o| py_eq(o, &it)) {
            out.push(it);
        }
    }
    out
}

/// Python `==` for hashable constants (numbers compare across types).
fn py_eq(a: &Constant, b: &Constant) -> bool {
    if let (Some(x), Some(y)) = (as_num(a), as_num(b)) {
        return match (x, y) {
            (Num::Int(i), Num::Int(j)) => i == j,
            (Num::Int(i), Num::Float(f)) | (Num::Float(f), Num::Int(i)) => {
                i.to_f64().map(|v| v == f && BigInt::from(v as i64) == i).unwrap_or(false) && f.fract() == 0.0
            }
            (Num::Float(f), Num::Float(g)) => f == g,
            (Num::Complex(a, b), Num::Complex(c, d)) => a == c && b == d,
            (Num::Complex(re, im), Num::Float(f)) | (Num::Float(f), Num::Complex(re, im)) => im == 0.0 && re == f,
            (Num::Complex(re, im), Num::Int(i)) | (Num::Int(i), Num::Complex(re, im)) => {
                im == 0.0 && i.to_f64().map(|v| v == re).unwrap_or(false)
            }
        };
    }
    match (a, b) {
        (Constant::Str(x), Constant::Str(y)) => x == y,
        (Constant::Bytes(x), Constant::Bytes(y)) => x == y,
        (Constant::None, Constant::None) | (Constant::Ellipsis, Constant::Ellipsis) => true,
        (Constant::Tuple(x), Constant::Tuple(y)) => x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| py_eq(p, q)),
        (Constant::FrozenSet(x), Constant::FrozenSet(y)) => x.len() == y.len() && x.iter().all(|p| y.iter().any(|q| py_eq(p, q))),
        _ => false,
    }
}

#[derive(Clone, Debug)]
enum Num {
    Int(BigInt),
    Float(f64),
    Complex(f64, f64),
}

fn as_num(c: &Constant) -> Option<Num> {
    Some(match c {
        Constant::True => Num::Int(BigInt::from(1)),
        Constant::False => Num::Int(BigInt::from(0)),
        Constant::Int(i) => Num::Int(BigInt::from(*i)),
        Constant::BigInt(b) => Num::Int((**b).clone()),
        Constant::Float(f) => Num::Float(*f),
        Constant::Complex { real, imag } => Num::Complex(*real, *imag),
        _ => return None,
    })
}

fn int_const(v: BigInt) -> Constant {
    match v.to_i64() {
        Some(i) => Constant::Int(i),
        None => Constant::BigInt(Box::new(v)),
    }
}

fn is_bool(c: &Constant) -> bool {
    matches!(c, Constant::True | Constant::False)
}

fn truthy(c: &Constant) -> bool {
    match c {
        Constant::None | Constant::False => false,
        Constant::True | Constant::Ellipsis => true,
        Constant::Int(i) => *i != 0,
        Constant::BigInt(b) => !b.is_zero(),
        Constant::Float(f) => *f != 0.0,
        Constant::Complex { real, imag } => *real != 0.0 || *imag != 0.0,
        Constant::Str(s) => !s.as_bytes().is_empty(),
        Constant::Bytes(b) => !b.is_empty(),
        Constant::Tuple(t) | Constant::FrozenSet(t) => !t.is_empty(),
    }
}

/// `fold_unaryop`.
fn fold_unaryop(e: &mut Expr) {
    let ExprKind::UnaryOp { op, operand } = &mut e.kind else { return };
    let op = *op;
    let Some(c) = const_of(operand) else {
        // Fold `not` into a single comparison (`not a in b` → `a not in b`).
        if op == UnaryOp::Not {
            if let ExprKind::Compare { ops, .. } = &mut operand.kind {
                if ops.len() == 1 {
                    let new = match ops[0] {
                        CmpOp::Is => Some(CmpOp::IsNot),
                        CmpOp::IsNot => Some(CmpOp::Is),
                        CmpOp::In => Some(CmpOp::NotIn),
                        CmpOp::NotIn => Some(CmpOp::In),
                        _ => None,
                    };
                    if let Some(n) = new {
                        ops[0] = n;
                        // COPY_NODE: the comparison replaces the whole node, position included.
                        let inner = std::mem::replace(
                            &mut **operand,
                            Expr { pos: Pos::default(), kind: ExprKind::Constant { value: Constant::None, kind_u: false } },
                        );
                        *e = inner;
                    }
                }
            }
        }
        return;
    };
    if let Some(v) = unary_value(op, c) {
        set_const(e, v);
    }
}

/// The value of `op c` as `fold_unaryop` folds it (`None`: not folded).
pub(crate) fn unary_value(op: UnaryOp, c: &Constant) -> Option<Constant> {
    match op {
        UnaryOp::Not => Some(if truthy(c) { Constant::False } else { Constant::True }),
        UnaryOp::Invert => match as_num(c) {
            Some(Num::Int(i)) => Some(int_const(-i - 1)),
            _ => None,
        },
        UnaryOp::UAdd => match as_num(c) {
            Some(Num::Int(i)) => Some(int_const(i)),
            Some(Num::Float(f)) => Some(Constant::Float(f)),
            Some(Num::Complex(r, i)) => Some(Constant::Complex { real: r, imag: i }),
            None => None,
        },
        UnaryOp::USub => match as_num(c) {
            Some(Num::Int(i)) => Some(int_const(-i)),
            Some(Num::Float(f)) => Some(Constant::Float(-f)),
            Some(Num::Complex(r, i)) => Some(Constant::Complex { real: -r, imag: -i }),
            None => None,
        },
    }
}

/// `fold_subscr`.
fn fold_subscr(e: &mut Expr) {
    let ExprKind::Subscript { value, slice, ctx: ExprContext::Load } = &e.kind else { return };
    let (Some(v), Some(i)) = (const_of(value), const_of(slice)) else { return };
    if let Some(r) = subscr_value(v, i) {
        set_const(e, r);
    }
}

/// The value of `v[i]` as `fold_subscr` folds it (`None`: not folded).
pub(crate) fn subscr_value(v: &Constant, i: &Constant) -> Option<Constant> {
    let Some(Num::Int(idx)) = as_num(i) else { return None };
    let idx = idx.to_i64()?;
    let get = |len: usize| -> Option<usize> {
        let len = len as i64;
        let k = if idx < 0 { idx + len } else { idx };
        if k < 0 || k >= len {
            None
        } else {
            Some(k as usize)
        }
    };
    match v {
        Constant::Tuple(t) => get(t.len()).and_then(|k| t.get(k).cloned()),
        Constant::Bytes(b) => get(b.len()).and_then(|k| b.get(k)).map(|&x| Constant::Int(i64::from(x))),
        Constant::Str(s) => {
            let cps: Vec<u32> = s.code_points().collect();
            get(cps.len()).and_then(|k| cps.get(k)).and_then(|&cp| str_from_cps(&[cp]))
        }
        _ => None,
    }
}

/// `v[start:stop:step]` of a constant `str`, `bytes` or `tuple` (3.14's CFG folds a subscript
/// by a constant slice with `PyObject_GetItem`); `None` for a zero step or another type.
pub(crate) fn eval_slice(v: &Constant, start: Option<i64>, stop: Option<i64>, step: Option<i64>) -> Option<Constant> {
    let step = step.unwrap_or(1);
    if step == 0 {
        return None;
    }
    let indices = |len: usize| -> Vec<usize> {
        let len = len as i64;
        let adjust = |x: Option<i64>, default: i64| -> i64 {
            match x {
                None => default,
                Some(mut k) => {
                    if k < 0 {
                        k = k.saturating_add(len);
                        if k < 0 {
                            k = if step < 0 { -1 } else { 0 };
                        }
                    } else if k >= len {
                        k = if step < 0 { len - 1 } else { len };
                    }
                    k
                }
            }
        };
        let (lo, hi) = if step < 0 { (adjust(start, len - 1), adjust(stop, -1)) } else { (adjust(start, 0), adjust(stop, len)) };
        let mut out = Vec::new();
        let mut k = lo;
        while (step > 0 && k < hi) || (step < 0 && k > hi) {
            out.push(k as usize);
            k = match k.checked_add(step) {
                Some(n) => n,
                None => break,
            };
        }
        out
    };
    Some(match v {
        Constant::Tuple(t) => Constant::Tuple(indices(t.len()).into_iter().filter_map(|k| t.get(k).cloned()).collect::<Vec<_>>().into()),
        Constant::Bytes(b) => Constant::Bytes(indices(b.len()).into_iter().filter_map(|k| b.get(k).copied()).collect::<Vec<u8>>().into()),
        Constant::Str(s) => {
            let cps: Vec<u32> = s.code_points().collect();
            let picked: Vec<u32> = indices(cps.len()).into_iter().filter_map(|k| cps.get(k).copied()).collect();
            return str_from_cps(&picked);
        }
        _ => return None,
    })
}

pub(crate) fn str_from_cps(cps: &[u32]) -> Option<Constant> {
    let mut bytes = Vec::with_capacity(cps.len());
    for &cp in cps {
        match char::from_u32(cp) {
            Some(ch) => {
                let mut b = [0u8; 4];
                bytes.extend_from_slice(ch.encode_utf8(&mut b).as_bytes());
            }
            None => {
                bytes.push(0xE0 | (cp >> 12) as u8);
                bytes.push(0x80 | ((cp >> 6) & 0x3F) as u8);
                bytes.push(0x80 | (cp & 0x3F) as u8);
            }
        }
    }
    PyStr::from_surrogatepass(&bytes, false).ok().map(Constant::Str)
}

fn str_concat(a: &PyStr, b: &PyStr) -> Option<Constant> {
    let mut v = a.as_bytes().to_vec();
    v.extend_from_slice(b.as_bytes());
    PyStr::from_surrogatepass(&v, false).ok().map(Constant::Str)
}

/// `check_complexity`.
fn check_complexity(c: &Constant, mut limit: i64) -> i64 {
    match c {
        Constant::Tuple(t) | Constant::FrozenSet(t) => {
            limit -= t.len() as i64;
            for x in t.iter() {
                if limit < 0 {
                    break;
                }
                limit = check_complexity(x, limit);
            }
            limit
        }
        _ => limit,
    }
}

fn seq_len(c: &Constant) -> Option<(i64, bool)> {
    // (size, is_collection)
    match c {
        Constant::Tuple(t) | Constant::FrozenSet(t) => Some((t.len() as i64, true)),
        Constant::Str(s) => Some((s.char_len() as i64, false)),
        Constant::Bytes(b) => Some((b.len() as i64, false)),
        _ => None,
    }
}

fn repeat(c: &Constant, n: i64) -> Option<Constant> {
    let n = n.max(0) as usize;
    Some(match c {
        Constant::Tuple(t) => {
            let mut v = Vec::with_capacity(t.len() * n);
            for _ in 0..n {
                v.extend(t.iter().cloned());
            }
            Constant::Tuple(v.into())
        }
        Constant::Str(s) => {
            let b = s.as_bytes().repeat(n);
            Constant::Str(PyStr::from_surrogatepass(&b, false).ok()?)
        }
        Constant::Bytes(b) => Constant::Bytes(b.repeat(n).into()),
        _ => return None,
    })
}

/// `safe_multiply`.
fn safe_multiply(l: &Constant, r: &Constant) -> Option<Constant> {
    let li = match as_num(l) {
        Some(Num::Int(i)) => Some(i),
        _ => None,
    };
    let ri = match as_num(r) {
        Some(Num::Int(i)) => Some(i),
        _ => None,
    };
    if let (Some(a), Some(b)) = (&li, &ri) {
        if !a.is_zero() && !b.is_zero() && a.bits() + b.bits() > MAX_INT_SIZE {
            return None;
        }
        return Some(int_const(a * b));
    }
    if let (Some(n), Some((size, coll))) = (&li, seq_len(r)) {
        let n = n.to_i64()?;
        if size > 0 {
            let max = if coll { MAX_COLLECTION_SIZE } else { MAX_STR_SIZE };
            if n < 0 || n > max / size {
                return None;
            }
            if coll && n > 0 && check_complexity(r, MAX_TOTAL_ITEMS / n) < 0 {
                return None;
            }
        }
        if matches!(r, Constant::FrozenSet(_)) {
            return None;
        }
        return repeat(r, n);
    }
    if ri.is_some() && seq_len(l).is_some() {
        return safe_multiply(r, l);
    }
    num_binop(Operator::Mult, l, r)
}

/// `PyLong_AsDouble`: the int correctly rounded (half to even) to a float; `None` where CPython
/// raises OverflowError (the rounded value is 2**1024 or more).
fn float_of_int(i: &BigInt) -> Option<f64> {
    int_true_divide(i, &BigInt::from(1))
}

/// `x * 2**e` for an `x` whose result is exactly representable (finite, with no bits below
/// 2**-1074): scaled in steps so that no intermediate overflows or rounds.
fn ldexp_exact(mut x: f64, mut e: i64) -> f64 {
    while e > 1000 {
        x *= 2f64.powi(1000);
        e -= 1000;
    }
    while e < -1000 {
        x *= 2f64.powi(-1000);
        e += 1000;
    }
    x * 2f64.powi(e as i32)
}

/// `long_true_divide` (int / int): the exact quotient correctly rounded (half to even) to a
/// float, subnormals included, `-0.0` for a zero result of negative sign; `None` where CPython
/// raises (ZeroDivisionError, or OverflowError when the rounded result is 2**1024 or more).
/// Operands below 2**53 take the float division, which is then exact-input IEEE division and so
/// the same correctly rounded value.
fn int_true_divide(x: &BigInt, y: &BigInt) -> Option<f64> {
    if y.is_zero() {
        return None;
    }
    let negate = x.is_negative() != y.is_negative();
    let (a, b) = (x.magnitude(), y.magnitude());
    if a.is_zero() {
        return Some(if negate { -0.0 } else { 0.0 });
    }
    const MANT: u64 = 53;
    if a.bits() <= MANT && b.bits() <= MANT {
        let (fa, fb) = (a.to_u64()? as f64, b.to_u64()? as f64);
        let q = fa / fb;
        return Some(if negate { -q } else { q });
    }
    // Scale so that the integer quotient has at least MANT + 2 bits: a/b >= 2**(bits(a) -
    // bits(b) - 1), so a * 2**s / b >= 2**(MANT + 1) with s = MANT + 2 - (bits(a) - bits(b)).
    let s: i64 = (MANT as i64 + 2) - (a.bits() as i64 - b.bits() as i64);
    let (q, r) = if s >= 0 {
        num_integer::Integer::div_rem(&(a << (s as u64)), b)
    } else {
        num_integer::Integer::div_rem(a, &(b << (s.unsigned_abs())))
    };
    let sticky = !r.is_zero();
    let qbits = q.bits() as i64;
    // Bits of q to drop: down to MANT significant bits, or to the 2**-1074 grain (the value is
    // q * 2**-s, so after dropping k bits the last kept bit is worth 2**(k - s)).
    let k = (qbits - MANT as i64).max(s - 1074);
    let mut top = q.clone() >> (k as u64);
    let low = q - (top.clone() << (k as u64));
    let half = num_bigint::BigUint::from(1u8) << ((k - 1) as u64);
    let up = match low.cmp(&half) {
        std::cmp::Ordering::Greater => true,
        std::cmp::Ordering::Equal => sticky || top.bit(0),
        std::cmp::Ordering::Less => false,
    };
    if up {
        top += 1u8;
    }
    let e = k - s;
    if top.is_zero() {
        return Some(if negate { -0.0 } else { 0.0 });
    }
    if top.bits() as i64 + e > 1024 {
        return None;
    }
    let v = ldexp_exact(top.to_u64()? as f64, e);
    Some(if negate { -v } else { v })
}

/// Python `float // float` (`float_floor_div`), `None` on division by zero.
fn float_floordiv(vx: f64, wx: f64) -> Option<f64> {
    if wx == 0.0 {
        return None;
    }
    let m = vx % wx;
    let mut div = (vx - m) / wx;
    if m != 0.0 && ((wx < 0.0) != (m < 0.0)) {
        div -= 1.0;
    }
    let fd = if div != 0.0 {
        let mut f = div.floor();
        if div - f > 0.5 {
            f += 1.0;
        }
        f
    } else {
        (0.0f64).copysign(vx / wx)
    };
    Some(fd)
}

fn float_mod(vx: f64, wx: f64) -> Option<f64> {
    if wx == 0.0 {
        return None;
    }
    let mut m = vx % wx;
    if m != 0.0 {
        if (wx < 0.0) != (m < 0.0) {
            m += wx;
        }
    } else {
        m = (0.0f64).copysign(wx);
    }
    Some(m)
}

/// `float_pow` (3.12 `Objects/floatobject.c`): the special cases in CPython's order, then the
/// platform `pow`; a negative base with a fractional exponent is complex `**`. `None` where
/// CPython raises (ZeroDivisionError for `0.0 ** negative`, OverflowError).
fn float_pow(mut iv: f64, iw: f64) -> Option<Constant> {
    let is_odd_integer = |x: f64| (x.abs() % 2.0) == 1.0;
    if iw == 0.0 {
        return Some(Constant::Float(1.0));
    }
    if iv.is_nan() {
        return Some(Constant::Float(iv));
    }
    if iw.is_nan() {
        return Some(Constant::Float(if iv == 1.0 { 1.0 } else { iw }));
    }
    if iw.is_infinite() {
        let a = iv.abs();
        let v = if a == 1.0 {
            1.0
        } else if (iw > 0.0) == (a > 1.0) {
            iw.abs()
        } else {
            0.0
        };
        return Some(Constant::Float(v));
    }
    if iv.is_infinite() {
        let odd = is_odd_integer(iw);
        let v = if iw > 0.0 {
            if odd {
                iv
            } else {
                iv.abs()
            }
        } else if odd {
            0.0f64.copysign(iv)
        } else {
            0.0
        };
        return Some(Constant::Float(v));
    }
    if iv == 0.0 {
        if iw < 0.0 {
            return None;
        }
        return Some(Constant::Float(if is_odd_integer(iw) { iv } else { 0.0 }));
    }
    let mut negate = false;
    if iv < 0.0 {
        if iw != iw.floor() {
            let (r, i) = complex_pow((iv, 0.0), (iw, 0.0))?;
            return Some(Constant::Complex { real: r, imag: i });
        }
        iv = -iv;
        negate = is_odd_integer(iw);
    }
    if iv == 1.0 {
        return Some(Constant::Float(if negate { -1.0 } else { 1.0 }));
    }
    // Overflow (an infinite result) is an OverflowError; an underflow to 0 is not an error.
    let r = iv.powf(iw);
    if r.is_infinite() {
        return None;
    }
    Some(Constant::Float(if negate { -r } else { r }))
}

/// Numeric binary operations with Python semantics; `None` where CPython raises or where this
/// implementation cannot guarantee a bit-identical result.
fn num_binop(op: Operator, l: &Constant, r: &Constant) -> Option<Constant> {
    let a = as_num(l)?;
    let b = as_num(r)?;
    match (a, b) {
        (Num::Int(x), Num::Int(y)) => {
            let both_bool = is_bool(l) && is_bool(r);
            let v = match op {
                Operator::Add => x + y,
                Operator::Sub => x - y,
                Operator::Mult => x * y,
                Operator::FloorDiv => {
                    if y.is_zero() {
                        return None;
                    }
                    num_integer::Integer::div_floor(&x, &y)
                }
                Operator::Mod => {
                    if y.is_zero() {
                        return None;
                    }
                    num_integer::Integer::mod_floor(&x, &y)
                }
                Operator::Div => return int_true_divide(&x, &y).map(Constant::Float),
                Operator::Pow => {
                    if y.is_negative() {
                        let fx = float_of_int(&x)?;
                        let fy = float_of_int(&y)?;
                        return float_pow(fx, fy);
                    }
                    if !x.is_zero() && !y.is_zero() {
                        let wbits = y.to_u64()?;
                        if x.bits() > MAX_INT_SIZE / wbits {
                            return None;
                        }
                    }
                    if x.is_zero() {
                        // No size check for a zero base (`safe_power`): `0 ** (2**64)` is 0.
                        return Some(Constant::Int(i64::from(y.is_zero())));
                    }
                    let e = y.to_u32()?;
                    num_traits::pow::Pow::pow(&x, e)
                }
                Operator::LShift => {
                    if y.is_negative() {
                        return None;
                    }
                    if !x.is_zero() && !y.is_zero() {
                        let w = y.to_u64()?;
                        if w > MAX_INT_SIZE || x.bits() > MAX_INT_SIZE - w {
                            return None;
                        }
                    }
                    x << y.to_usize()?
                }
                Operator::RShift => {
                    if y.is_negative() {
                        return None;
                    }
                    match y.to_usize() {
                        Some(s) if s < 1 << 20 => {
                            // num-bigint rounds toward negative infinity, as Python does.
                            x >> s
                        }
                        _ => {
                            if x.is_negative() {
                                BigInt::from(-1)
                            } else {
                                BigInt::zero()
                            }
                        }
                    }
                }
                Operator::BitAnd => {
                    let v = x & y;
                    if both_bool {
                        return Some(if v.is_zero() { Constant::False } else { Constant::True });
                    }
                    v
                }
                Operator::BitOr => {
                    let v = x | y;
                    if both_bool {
                        return Some(if v.is_zero() { Constant::False } else { Constant::True });
                    }
                    v
                }
                Operator::BitXor => {
                    let v = x ^ y;
                    if both_bool {
                        return Some(if v.is_zero() { Constant::False } else { Constant::True });
                    }
                    v
                }
                Operator::MatMult => return None,
            };
            Some(int_const(v))
        }
        (Num::Complex(..), _) | (_, Num::Complex(..)) => {
            let to_c = |n: &Num| -> Option<(f64, f64)> {
                match n {
                    Num::Int(i) => Some((float_of_int(i)?, 0.0)),
                    Num::Float(f) => Some((*f, 0.0)),
                    Num::Complex(r, i) => Some((*r, *i)),
                }
            };
            let (ar, ai) = to_c(&as_num(l)?)?;
            let (br, bi) = to_c(&as_num(r)?)?;
            let (rr, ri) = match op {
                Operator::Add => (ar + br, ai + bi),
                Operator::Sub => (ar - br, ai - bi),
                Operator::Mult => c_prod((ar, ai), (br, bi)),
                Operator::Div => c_quot((ar, ai), (br, bi))?,
                Operator::Pow => complex_pow((ar, ai), (br, bi))?,
                _ => return None,
            };
            Some(Constant::Complex { real: rr, imag: ri })
        }
        (a, b) => {
            let fx = match a {
                Num::Int(i) => float_of_int(&i)?,
                Num::Float(f) => f,
                Num::Complex(..) => return None,
            };
            let fy = match b {
                Num::Int(i) => float_of_int(&i)?,
                Num::Float(f) => f,
                Num::Complex(..) => return None,
            };
            let v = match op {
                Operator::Add => fx + fy,
                Operator::Sub => fx - fy,
                Operator::Mult => fx * fy,
                Operator::Div => {
                    if fy == 0.0 {
                        return None;
                    }
                    fx / fy
                }
                Operator::FloorDiv => float_floordiv(fx, fy)?,
                Operator::Mod => float_mod(fx, fy)?,
                Operator::Pow => return float_pow(fx, fy),
                _ => return None,
            };
            Some(Constant::Float(v))
        }
    }
}

/// `_Py_c_prod` (3.12 `Objects/complexobject.c`).
fn c_prod(a: (f64, f64), b: (f64, f64)) -> (f64, f64) {
    (a.0 * b.0 - a.1 * b.1, a.0 * b.1 + a.1 * b.0)
}

/// `_Py_c_quot` (3.12): Smith's algorithm; `None` where it sets `EDOM` (division by zero, which
/// `complex_div` turns into ZeroDivisionError, so nothing is folded).
fn c_quot(a: (f64, f64), b: (f64, f64)) -> Option<(f64, f64)> {
    let abs_breal = b.0.abs();
    let abs_bimag = b.1.abs();
    if abs_breal >= abs_bimag {
        if abs_breal == 0.0 {
            return None;
        }
        let ratio = b.1 / b.0;
        let denom = b.0 + b.1 * ratio;
        Some(((a.0 + a.1 * ratio) / denom, (a.1 - a.0 * ratio) / denom))
    } else if abs_bimag >= abs_breal {
        let ratio = b.0 / b.1;
        let denom = b.0 * ratio + b.1;
        Some(((a.0 * ratio + a.1) / denom, (a.1 * ratio - a.0) / denom))
    } else {
        Some((f64::NAN, f64::NAN))
    }
}

/// `_Py_c_pow` (3.12); `None` for `EDOM` (0 to a negative or complex power).
fn c_pow(a: (f64, f64), b: (f64, f64)) -> Option<(f64, f64)> {
    if b.0 == 0.0 && b.1 == 0.0 {
        return Some((1.0, 0.0));
    }
    if a.0 == 0.0 && a.1 == 0.0 {
        if b.1 != 0.0 || b.0 < 0.0 {
            return None;
        }
        return Some((0.0, 0.0));
    }
    let vabs = a.0.hypot(a.1);
    let mut len = vabs.powf(b.0);
    let at = a.1.atan2(a.0);
    let mut phase = at * b.0;
    if b.1 != 0.0 {
        len /= (at * b.1).exp();
        phase += b.1 * vabs.ln();
    }
    Some((len * phase.cos(), len * phase.sin()))
}

/// `c_powu` (3.12): binary exponentiation by repeated `_Py_c_prod`.
fn c_powu(x: (f64, f64), n: i64) -> (f64, f64) {
    let mut r = (1.0, 0.0);
    let mut p = x;
    let mut mask: i64 = 1;
    while mask > 0 && n >= mask {
        if n & mask != 0 {
            r = c_prod(r, p);
        }
        mask = mask.wrapping_shl(1);
        p = c_prod(p, p);
    }
    r
}

/// `c_powi` (3.12): small integer exponents by multiplication, `INT_EXP_CUTOFF` = 100.
fn c_powi(x: (f64, f64), n: i64) -> Option<(f64, f64)> {
    if !(-100..=100).contains(&n) {
        c_pow(x, (n as f64, 0.0))
    } else if n > 0 {
        Some(c_powu(x, n))
    } else {
        c_quot((1.0, 0.0), c_powu(x, -n))
    }
}

/// `complex_pow` (3.12) without a modulus: integral exponents use `c_powi`, others `_Py_c_pow`;
/// `None` where CPython raises (ZeroDivisionError for `EDOM`, OverflowError when
/// `_Py_ADJUST_ERANGE2` sees an infinite part).
fn complex_pow(a: (f64, f64), b: (f64, f64)) -> Option<(f64, f64)> {
    // `(long)exponent.real`: C's conversion of NaN/huge values differs from `as`, but then the
    // equality below fails (or the cutoff sends both to `_Py_c_pow` with the same exponent).
    let int_exponent = b.0 as i64;
    let p = if b.1 == 0.0 && b.0 == int_exponent as f64 { c_powi(a, int_exponent)? } else { c_pow(a, b)? };
    if p.0.is_infinite() || p.1.is_infinite() {
        return None;
    }
    Some(p)
}

/// 3.14's `fold_binop`: only `"..." % (a, b)` becomes an f-string.
fn fold_format_only(e: &mut Expr) {
    let ExprKind::BinOp { left, op: Operator::Mod, right } = &e.kind else { return };
    if let (Some(Constant::Str(fmt)), ExprKind::Tuple { elts, .. }) = (const_of(left), &right.kind) {
        if !elts.iter().any(|x| matches!(x.kind, ExprKind::Starred { .. })) {
            let fmt = fmt.clone();
            optimize_format(e, &fmt);
        }
    }
}

/// `fold_const_match_patterns` (3.14+): `-c` and `c1 + c2j` / `c1 - c2j` (with `c1` possibly
/// negated) in a match pattern.
fn fold_const_match_pattern(e: &mut Expr) {
    match &mut e.kind {
        ExprKind::UnaryOp { op: UnaryOp::USub, operand } if const_of(operand).is_some() => fold_unaryop(e),
        ExprKind::BinOp { left, op: op @ (Operator::Add | Operator::Sub), right } => {
            let op = *op;
            if matches!(&left.kind, ExprKind::UnaryOp { op: UnaryOp::USub, operand } if const_of(operand).is_some()) {
                fold_unaryop(left);
            }
            if let (Some(l), Some(r)) = (const_of(left), const_of(right)) {
                // 3.14's arithmetic: a real and a complex combine by the mixed-mode rules.
                match mixed_complex_binop(op, l, r) {
                    Some(Some(c)) => set_const(e, c),
                    Some(None) => {}
                    None => fold_binop(e),
                }
            }
        }
        _ => {}
    }
}

/// The value of `l <op> r` for the CFG's `fold_const_binop` (3.14+): `nb` is `BINARY_OP`'s
/// oparg (`NB_*`; 26 = subscript).
pub(crate) fn eval_binop(nb: u32, l: &Constant, r: &Constant) -> Option<Constant> {
    let op = match nb {
        0 => Operator::Add,
        1 => Operator::BitAnd,
        2 => Operator::FloorDiv,
        3 => Operator::LShift,
        4 => return None,
        5 => Operator::Mult,
        6 => Operator::Mod,
        7 => Operator::BitOr,
        8 => Operator::Pow,
        9 => Operator::RShift,
        10 => Operator::Sub,
        11 => Operator::Div,
        12 => Operator::BitXor,
        26 => return eval_subscr(l, r),
        _ => return None,
    };
    let lhs = Expr { pos: NO_POS, kind: ExprKind::Constant { value: l.clone(), kind_u: false } };
    let rhs = Expr { pos: NO_POS, kind: ExprKind::Constant { value: r.clone(), kind_u: false } };
    let mut e = Expr { pos: NO_POS, kind: ExprKind::BinOp { left: Box::new(lhs), op, right: Box::new(rhs) } };
    if matches!(l, Constant::Str(_)) && op == Operator::Mod {
        return None;
    }
    if let Some(v) = mixed_complex_binop(op, l, r) {
        return v;
    }
    fold_binop(&mut e);
    match e.kind {
        ExprKind::Constant { value, .. } => Some(value),
        _ => None,
    }
}

/// 3.14+ arithmetic of a real (int, bool, float) with a complex number: C99's mixed-mode
/// rules (`_Py_rc_*` / `_Py_cr_*`), which keep the real operand's missing imaginary part out
/// of the sums, so `0.0 - 0.0j` is `-0j` where earlier releases made `0j`. `None` when the
/// operands are not such a pair (the common rules apply); `Some(None)` when it does not fold.
pub(crate) fn mixed_complex_binop(op: Operator, l: &Constant, r: &Constant) -> Option<Option<Constant>> {
    if !matches!(op, Operator::Add | Operator::Sub | Operator::Mult | Operator::Div) {
        return None;
    }
    let real = |n: Num| -> Option<Option<f64>> {
        match n {
            Num::Int(i) => Some(float_of_int(&i)),
            Num::Float(f) => Some(Some(f)),
            Num::Complex(..) => None,
        }
    };
    let (ln, rn) = (as_num(l)?, as_num(r)?);
    let (re, im) = match (ln, rn) {
        (Num::Complex(ar, ai), other) => {
            let Some(b) = real(other)? else { return Some(None) };
            match op {
                Operator::Add => (ar + b, ai),
                Operator::Sub => (ar - b, ai),
                Operator::Mult => (ar * b, ai * b),
                _ => {
                    if b == 0.0 {
                        return Some(None);
                    }
                    (ar / b, ai / b)
                }
            }
        }
        (other, Num::Complex(br, bi)) => {
            let Some(a) = real(other)? else { return Some(None) };
            match op {
                Operator::Add => (a + br, bi),
                Operator::Sub => (a - br, -bi),
                Operator::Mult => (a * br, a * bi),
                _ => {
                    let (abs_r, abs_i) = (br.abs(), bi.abs());
                    let q = if abs_r >= abs_i {
                        if abs_r == 0.0 {
                            return Some(None);
                        }
                        let ratio = bi / br;
                        let denom = br + bi * ratio;
                        (a / denom, (-a * ratio) / denom)
                    } else if abs_i >= abs_r {
                        let ratio = br / bi;
                        let denom = br * ratio + bi;
                        ((a * ratio) / denom, (-a) / denom)
                    } else {
                        return Some(None);
                    };
                    if q.0.is_nan() || q.1.is_nan() {
                        // CPython recovers infinities from some NaN results; not reproduced.
                        return Some(None);
                    }
                    q
                }
            }
        }
        _ => return None,
    };
    Some(Some(Constant::Complex { real: re, imag: im }))
}

/// `-c`, `~c`, `+c` for the CFG's `fold_const_unaryop`.
pub(crate) fn eval_unary(op: UnaryOp, c: &Constant) -> Option<Constant> {
    let operand = Expr { pos: NO_POS, kind: ExprKind::Constant { value: c.clone(), kind_u: false } };
    let mut e = Expr { pos: NO_POS, kind: ExprKind::UnaryOp { op, operand: Box::new(operand) } };
    fold_unaryop(&mut e);
    match e.kind {
        ExprKind::Constant { value, .. } => Some(value),
        _ => None,
    }
}

/// `PyObject_GetItem` of constants with an int index.
fn eval_subscr(v: &Constant, i: &Constant) -> Option<Constant> {
    let value = Expr { pos: NO_POS, kind: ExprKind::Constant { value: v.clone(), kind_u: false } };
    let slice = Expr { pos: NO_POS, kind: ExprKind::Constant { value: i.clone(), kind_u: false } };
    let mut e = Expr { pos: NO_POS, kind: ExprKind::Subscript { value: Box::new(value), slice: Box::new(slice), ctx: ExprContext::Load } };
    fold_subscr(&mut e);
    match e.kind {
        ExprKind::Constant { value, .. } => Some(value),
        _ => None,
    }
}

/// `fold_binop`.
fn fold_binop(e: &mut Expr) {
    let ExprKind::BinOp { left, op, right } = &mut e.kind else { return };
    let op = *op;
    let Some(lv) = const_of(left) else { return };
    if op == Operator::Mod {
        if let (Constant::Str(fmt), ExprKind::Tuple { elts, .. }) = (lv, &right.kind) {
            if !elts.iter().any(|x| matches!(x.kind, ExprKind::Starred { .. })) {
                let fmt = fmt.clone();
                optimize_format(e, &fmt);
                return;
            }
        }
    }
    let Some(rv) = const_of(right) else { return };
    if let Some(v) = binop_value(op, lv, rv) {
        set_const(e, v);
    }
}

/// The value of `lv op rv` as `fold_binop` folds it (`None`: not folded).
pub(crate) fn binop_value(op: Operator, lv: &Constant, rv: &Constant) -> Option<Constant> {
    match op {
        Operator::Add => match (lv, rv) {
            (Constant::Str(a), Constant::Str(b)) => str_concat(a, b),
            (Constant::Bytes(a), Constant::Bytes(b)) => {
                let mut v = a.to_vec();
                v.extend_from_slice(b);
                Some(Constant::Bytes(v.into()))
            }
            (Constant::Tuple(a), Constant::Tuple(b)) => {
                let mut v = a.to_vec();
                v.extend(b.iter().cloned());
                Some(Constant::Tuple(v.into()))
            }
            _ => num_binop(op, lv, rv),
        },
        Operator::Mult => safe_multiply(lv, rv),
        Operator::Mod => {
            if matches!(lv, Constant::Str(_) | Constant::Bytes(_)) {
                None
            } else {
                num_binop(op, lv, rv)
            }
        }
        Operator::MatMult => None,
        _ => num_binop(op, lv, rv),
    }
}

/// `simple_format_arg_parse` + `parse_format`: returns (spec, format_spec text) or None.
fn parse_format_spec(cps: &[u32], pos: &mut usize) -> Option<(u32, Option<String>)> {
    let mut p = *pos;
    let next = |p: &mut usize| -> Option<u32> {
        let c = *cps.get(*p)?;
        *p += 1;
        Some(c)
    };
    let mut ljust = false;
    let mut ch;
    loop {
        ch = next(&mut p)?;
        match char::from_u32(ch) {
            Some('-') => ljust = true,
            Some('+') | Some(' ') | Some('#') | Some('0') => {}
            _ => break,
        }
    }
    let digit = |c: u32| (u32::from(b'0')..=u32::from(b'9')).contains(&c);
    let mut width: i64 = -1;
    if digit(ch) {
        width = 0;
        let mut ndigits = 0;
        while digit(ch) {
            width = width * 10 + i64::from(ch - u32::from(b'0'));
            ch = next(&mut p)?;
            // MAXDIGITS: at most two digits (measured: `%99s` folds, `%200s` does not).
            ndigits += 1;
            if ndigits >= MAXDIGITS {
                return None;
            }
        }
    }
    let mut prec: i64 = -1;
    if ch == u32::from(b'.') {
        ch = next(&mut p)?;
        prec = 0;
        let mut ndigits = 0;
        while digit(ch) {
            prec = prec * 10 + i64::from(ch - u32::from(b'0'));
            ch = next(&mut p)?;
            ndigits += 1;
            if ndigits >= MAXDIGITS {
                return None;
            }
        }
    }
    *pos = p;
    if ch == u32::from(b's') || ch == u32::from(b'r') || ch == u32::from(b'a') {
        let mut buf = String::new();
        if !ljust && width > 0 {
            buf.push('>');
        }
        if width >= 0 {
            buf.push_str(&width.to_string());
        }
        if prec >= 0 {
            buf.push('.');
            buf.push_str(&prec.to_string());
        }
        return Some((ch, if buf.is_empty() { None } else { Some(buf) }));
    }
    None
}

/// `optimize_format`: `"fmt" % (a, b)` → JoinedStr when every unit is `%s`/`%r`/`%a`.
fn optimize_format(e: &mut Expr, fmt: &PyStr) {
    let ExprKind::BinOp { right, .. } = &e.kind else { return };
    let ExprKind::Tuple { elts, .. } = &right.kind else { return };
    let Some(pieces) = format_pieces(fmt, elts.len()) else { return };
    // Build the JoinedStr, moving the tuple's elements.
    let pos_e = e.pos;
    let ExprKind::BinOp { right, .. } = &mut e.kind else { return };
    let ExprKind::Tuple { elts, .. } = &mut right.kind else { return };
    let mut args = std::mem::take(elts).into_iter();
    let mut values = Vec::with_capacity(pieces.len());
    for p in pieces {
        match p {
            Piece::Lit(l) => {
                if let Some(c) = str_from_cps(&l) {
                    values.push(Expr { pos: NO_POS, kind: ExprKind::Constant { value: c, kind_u: false } });
                }
            }
            Piece::Fmt(spec, fs) => {
                let Some(arg) = args.next() else { return };
                let format_spec = fs.map(|s| {
                    Box::new(Expr { pos: NO_POS, kind: ExprKind::Constant { value: Constant::Str(PyStr::new(&s, false)), kind_u: false } })
                });
                let apos = arg.pos;
                values.push(Expr {
                    pos: apos,
                    kind: ExprKind::FormattedValue { value: Box::new(arg), conversion: spec as i32, format_spec },
                });
            }
        }
    }
    *e = Expr { pos: pos_e, kind: ExprKind::JoinedStr { values } };
}

/// A unit of a `%` format: literal text (code points) or a `%s`/`%r`/`%a` conversion with its
/// format spec.
pub(crate) enum Piece {
    Lit(Vec<u32>),
    Fmt(u32, Option<String>),
}

/// `optimize_format`'s parse of the whole format for `nelts` arguments (`None`: not rewritten).
pub(crate) fn format_pieces(fmt: &PyStr, nelts: usize) -> Option<Vec<Piece>> {
    let cps: Vec<u32> = fmt.code_points().collect();
    let mut pieces: Vec<Piece> = Vec::new();
    let mut pos = 0usize;
    let mut cnt = 0usize;
    loop {
        // parse_literal
        let start = pos;
        let mut lit: Vec<u32> = Vec::new();
        while pos < cps.len() {
            if cps[pos] != u32::from(b'%') {
                lit.push(cps[pos]);
                pos += 1;
            } else if pos + 1 < cps.len() && cps[pos + 1] == u32::from(b'%') {
                lit.push(u32::from(b'%'));
                pos += 2;
            } else {
                break;
            }
        }
        if pos != start {
            pieces.push(Piece::Lit(lit));
        }
        if pos >= cps.len() {
            break;
        }
        if cnt >= nelts {
            return None;
        }
        pos += 1;
        let (spec, fs) = parse_format_spec(&cps, &mut pos)?;
        cnt += 1;
        pieces.push(Piece::Fmt(spec, fs));
    }
    if cnt < nelts {
        return None;
    }
    Some(pieces)
}
