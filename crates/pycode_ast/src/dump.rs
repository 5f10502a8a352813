//! `ast.dump(node, annotate_fields=True, include_attributes=..., indent=...)` for each release, as
//! `python -m ast` calls it. Mirrors `Lib/ast.py:dump` (`_format`):
//! * 3.11/3.12: optional fields that are `None` are left out; empty lists are printed.
//! * 3.13/3.14: empty lists are left out as well (`show_empty=False`); `Constant(value=None)` and
//!   `MatchSingleton(value=None)` still print their value.
//! * 3.15: `ctx=Load()` is left out too; `Import`/`ImportFrom` print `is_lazy`.
//! * 3.11 has no `type_params` fields; 3.12 has no `default_value` fields.
//!
//! A node is printed on one line when all its fields are "simple" (a repr, an empty list, or a node
//! without printed fields) and it has at most three printed fields.

use std::cell::Cell;

use crate::nodes::*;
use crate::PyMinor;

/// Options of `ast.dump`.
#[derive(Clone, Debug)]
pub struct DumpOptions {
    /// `include_attributes`.
    pub include_attributes: bool,
    /// `indent`: `None` for the single-line form, else the string repeated per level
    /// (`python -m ast -i N` passes N spaces).
    pub indent: Option<String>,
    /// The release whose `ast.dump` to imitate.
    pub minor: PyMinor,
}

/// `ast.dump(tree, include_attributes=..., indent=...)`.
pub fn dump(module: &Mod, opts: &DumpOptions) -> String {
    let d = Dumper::new(opts, usize::MAX);
    d.module(module, 0).0
}

/// Dumps any single expression (handy for tests and diagnostics).
pub fn dump_expr(expr: &Expr, opts: &DumpOptions) -> String {
    let d = Dumper::new(opts, usize::MAX);
    d.expr(expr, 0).0
}

/// How deep a tree is, in the units of CPython's two recursion limits that `python -m ast` meets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Depths {
    /// The deepest nesting of AST nodes (`mod`, `stmt`, `expr`, ... — not the singleton
    /// `expr_context`/operator nodes, not lists): what `ast2obj`'s "during ast construction"
    /// limit counts. The module is level 1.
    pub nodes: usize,
    /// Whether `dump`'s Python recursion went past `frame_limit`, and if so whether the first
    /// frame too many was the `_format` of a plain value (a repr) rather than of a node or list.
    pub frames_exceeded: Option<bool>,
}

/// [`dump`] that stops producing text once its recursion passes `frame_limit` frames of
/// `Lib/ast.py`'s `_format` (one per node, one per plain value, two per non-empty list — the
/// `_format` call and its generator expression — and one per empty list), so a pathologically
/// deep tree costs linear time instead of a quadratic amount of output. Returns the text (only
/// meaningful when no limit was passed) and the [`Depths`] seen.
pub fn dump_limited(module: &Mod, opts: &DumpOptions, frame_limit: usize) -> (String, Depths) {
    let d = Dumper::new(opts, frame_limit);
    let text = d.module(module, 0).0;
    (text, Depths { nodes: d.max_nodes.get(), frames_exceeded: d.exceeded.get() })
}

/// How deeply nested a tree CPython's `ast2obj` converts to Python objects before it raises
/// `RecursionError: maximum recursion depth exceeded during ast construction` (in
/// [`Depths::nodes`] units, the module being the first). Measured with `python -m ast` of each
/// release on chains such as `x = a.b.b…`, `a()()…`, `a+a+…` (Python recursion limit 1000):
/// 2979 (3.11.7), 2988 (3.12.1), 9994 (3.13.0; 3.14 and 3.15 taken to be the same).
pub fn ast_construction_limit(minor: PyMinor) -> usize {
    match minor {
        PyMinor::Py311 => 2979,
        PyMinor::Py312 => 2988,
        PyMinor::Py313 | PyMinor::Py314 | PyMinor::Py315 => 9994,
    }
}

/// How many frames of `Lib/ast.py`'s `_format` CPython's `ast.dump` runs (in [`dump_limited`]'s
/// units) before its `RecursionError`, called from `python -m ast` with the default recursion
/// limit of 1000. Measured on the same chains as [`ast_construction_limit`]: 991 (3.11.7), 995
/// (3.12.1, 3.13.0; 3.14 and 3.15 taken to be the same).
pub fn dump_frame_limit(minor: PyMinor) -> usize {
    match minor {
        PyMinor::Py311 => 991,
        PyMinor::Py312 | PyMinor::Py313 | PyMinor::Py314 | PyMinor::Py315 => 995,
    }
}

type Out = (String, bool);

struct Dumper<'o> {
    opts: &'o DumpOptions,
    /// `_format` frames active (see [`dump_limited`]) and the limit on them.
    frames: Cell<usize>,
    frame_limit: usize,
    /// First frame past the limit: `Some(true)` when it was a plain value's.
    exceeded: Cell<Option<bool>>,
    /// AST nodes open, and the most seen at once.
    nodes: Cell<usize>,
    max_nodes: Cell<usize>,
}

struct NodeFmt<'d, 'o> {
    d: &'d Dumper<'o>,
    level: usize,
    args: Vec<String>,
    allsimple: bool,
}

impl Drop for NodeFmt<'_, '_> {
    fn drop(&mut self) {
        self.d.frames.set(self.d.frames.get().saturating_sub(1));
        self.d.nodes.set(self.d.nodes.get().saturating_sub(1));
    }
}

impl<'d, 'o> NodeFmt<'d, 'o> {
    fn push(&mut self, name: &str, (text, simple): Out) {
        self.allsimple &= simple;
        let mut s = String::with_capacity(name.len() + 1 + text.len());
        s.push_str(name);
        s.push('=');
        s.push_str(&text);
        self.args.push(s);
    }

    fn repr(&mut self, name: &str, text: String) {
        // A plain value is formatted in a `_format` frame of its own.
        self.d.frame_check(1, true);
        self.push(name, (text, true));
    }

    fn ident(&mut self, name: &str, id: &str) {
        let mut s = String::with_capacity(id.len() + 2);
        let ps = pycode_object::PyStr::new(id, false);
        pycode_object::pyrepr::write_str_repr(&mut s, &ps, self.d.opts.minor.unicode_version());
        self.repr(name, s);
    }

    fn opt_ident(&mut self, name: &str, id: Option<&str>) {
        if let Some(id) = id {
            self.ident(name, id);
        }
    }

    fn int(&mut self, name: &str, v: i64) {
        self.repr(name, v.to_string());
    }

    fn node(&mut self, name: &str, out: Out) {
        self.push(name, out);
    }

    fn opt<T>(&mut self, name: &str, v: Option<&T>, f: impl FnOnce(&T, usize) -> Out) {
        if let Some(v) = v {
            let out = f(v, self.level);
            self.push(name, out);
        }
    }

    fn list<T>(&mut self, name: &str, items: &[T], mut f: impl FnMut(&T, usize) -> Out) {
        if items.is_empty() {
            self.d.frame_check(1, false);
            if self.d.opts.minor >= PyMinor::Py313 {
                return;
            }
            self.push(name, ("[]".into(), true));
            return;
        }
        let level = self.level + usize::from(self.d.opts.indent.is_some());
        // `_format(list)` and its generator expression.
        self.d.frames.set(self.d.frames.get() + 2);
        self.d.frame_check(0, false);
        if self.d.exceeded.get().is_some() {
            for item in items {
                f(item, level);
            }
            self.d.frames.set(self.d.frames.get().saturating_sub(2));
            self.push(name, (String::new(), true));
            return;
        }
        let (prefix, sep) = self.d.prefix_sep(level);
        let mut s = String::from("[");
        s.push_str(&prefix);
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                s.push_str(&sep);
            }
            s.push_str(&f(item, level).0);
        }
        s.push(']');
        self.d.frames.set(self.d.frames.get().saturating_sub(2));
        self.push(name, (s, false));
    }

    fn finish(mut self, cls: &str, pos: Option<&Pos>) -> Out {
        if self.d.exceeded.get().is_some() {
            return (String::new(), true);
        }
        if self.d.opts.include_attributes {
            if let Some(p) = pos {
                self.int("lineno", p.lineno.into());
                self.int("col_offset", p.col_offset.into());
                self.int("end_lineno", p.end_lineno.into());
                self.int("end_col_offset", p.end_col_offset.into());
            }
        }
        if self.allsimple && self.args.len() <= 3 {
            let empty = self.args.is_empty();
            return (format!("{cls}({})", self.args.join(", ")), empty);
        }
        let (prefix, sep) = self.d.prefix_sep(self.level);
        (format!("{cls}({prefix}{})", self.args.join(&sep)), false)
    }
}

impl<'o> Dumper<'o> {
    fn new(opts: &'o DumpOptions, frame_limit: usize) -> Self {
        Dumper { opts, frames: Cell::new(0), frame_limit, exceeded: Cell::new(None), nodes: Cell::new(0), max_nodes: Cell::new(0) }
    }

    /// Records the first time `extra` more frames than are open would pass the limit.
    fn frame_check(&self, extra: usize, plain_value: bool) {
        if self.exceeded.get().is_none() && self.frames.get() + extra > self.frame_limit {
            self.exceeded.set(Some(plain_value));
        }
    }

    fn prefix_sep(&self, level: usize) -> (String, String) {
        match &self.opts.indent {
            Some(ind) => {
                let pad = ind.repeat(level);
                (format!("\n{pad}"), format!(",\n{pad}"))
            }
            None => (String::new(), ", ".into()),
        }
    }

    fn start(&self, level: usize) -> NodeFmt<'_, 'o> {
        self.frames.set(self.frames.get() + 1);
        self.frame_check(0, false);
        self.nodes.set(self.nodes.get() + 1);
        self.max_nodes.set(self.max_nodes.get().max(self.nodes.get()));
        NodeFmt { d: self, level: level + usize::from(self.opts.indent.is_some()), args: Vec::new(), allsimple: true }
    }

    fn v312(&self) -> bool {
        self.opts.minor >= PyMinor::Py312
    }

    fn v313(&self) -> bool {
        self.opts.minor >= PyMinor::Py313
    }

    fn v315(&self) -> bool {
        self.opts.minor >= PyMinor::Py315
    }

    /// The `ctx` field. 3.15's `ast.dump` leaves out `ctx=Load()` (with `show_empty=False` and
    /// keyword arguments, which is how `python -m ast` calls it).
    fn ctx(&self, n: &mut NodeFmt<'_, 'o>, ctx: ExprContext) {
        if self.v315() && ctx == ExprContext::Load {
            return;
        }
        n.node("ctx", self.bare(ctx.name()));
    }

    fn bare(&self, name: &str) -> Out {
        // A singleton node (context, operator): a `_format` frame, not an `ast2obj` level.
        self.frame_check(1, false);
        (format!("{name}()"), true)
    }

    fn module(&self, m: &Mod, level: usize) -> Out {
        let mut n = self.start(level);
        match m {
            Mod::Module { body, type_ignores } => {
                n.list("body", body, |s, l| self.stmt(s, l));
                n.list("type_ignores", type_ignores, |t, l| self.type_ignore(t, l));
                n.finish("Module", None)
            }
            Mod::Interactive { body } => {
                n.list("body", body, |s, l| self.stmt(s, l));
                n.finish("Interactive", None)
            }
            Mod::Expression { body } => {
                n.node("body", self.expr(body, n.level));
                n.finish("Expression", None)
            }
            Mod::FunctionType { argtypes, returns } => {
                n.list("argtypes", argtypes, |e, l| self.expr(e, l));
                n.node("returns", self.expr(returns, n.level));
                n.finish("FunctionType", None)
            }
        }
    }

    fn type_ignore(&self, t: &TypeIgnore, level: usize) -> Out {
        let mut n = self.start(level);
        n.int("lineno", t.lineno.into());
        n.ident("tag", &t.tag);
        n.finish("TypeIgnore", None)
    }

    fn stmts(&self, n: &mut NodeFmt<'_, 'o>, name: &str, body: &[Stmt]) {
        n.list(name, body, |s, l| self.stmt(s, l));
    }

    fn exprs(&self, n: &mut NodeFmt<'_, 'o>, name: &str, items: &[Expr]) {
        n.list(name, items, |e, l| self.expr(e, l));
    }

    fn opt_expr(&self, n: &mut NodeFmt<'_, 'o>, name: &str, e: &Option<Box<Expr>>) {
        n.opt(name, e.as_deref(), |e, l| self.expr(e, l));
    }

    fn type_comment(&self, n: &mut NodeFmt<'_, 'o>, tc: &Option<Box<str>>) {
        n.opt_ident("type_comment", tc.as_deref());
    }

    fn type_params(&self, n: &mut NodeFmt<'_, 'o>, tps: &[TypeParam]) {
        if self.v312() {
            n.list("type_params", tps, |t, l| self.type_param(t, l));
        }
    }

    fn stmt(&self, s: &Stmt, level: usize) -> Out {
        stacker::maybe_grow(64 * 1024, 4 << 20, || self.stmt_inner(s, level))
    }

    fn stmt_inner(&self, s: &Stmt, level: usize) -> Out {
        let mut n = self.start(level);
        let lv = n.level;
        match &s.kind {
            StmtKind::FunctionDef(f) | StmtKind::AsyncFunctionDef(f) => {
                n.ident("name", &f.name);
                n.node("args", self.arguments(&f.args, lv));
                self.stmts(&mut n, "body", &f.body);
                self.exprs(&mut n, "decorator_list", &f.decorator_list);
                self.opt_expr(&mut n, "returns", &f.returns);
                self.type_comment(&mut n, &f.type_comment);
                self.type_params(&mut n, &f.type_params);
            }
            StmtKind::ClassDef(c) => {
                n.ident("name", &c.name);
                self.exprs(&mut n, "bases", &c.bases);
                n.list("keywords", &c.keywords, |k, l| self.keyword(k, l));
                self.stmts(&mut n, "body", &c.body);
                self.exprs(&mut n, "decorator_list", &c.decorator_list);
                self.type_params(&mut n, &c.type_params);
            }
            StmtKind::Return { value } => self.opt_expr(&mut n, "value", value),
            StmtKind::Delete { targets } => self.exprs(&mut n, "targets", targets),
            StmtKind::Assign { targets, value, type_comment } => {
                self.exprs(&mut n, "targets", targets);
                n.node("value", self.expr(value, lv));
                self.type_comment(&mut n, type_comment);
            }
            StmtKind::TypeAlias { name, type_params, value } => {
                n.node("name", self.expr(name, lv));
                n.list("type_params", type_params, |t, l| self.type_param(t, l));
                n.node("value", self.expr(value, lv));
            }
            StmtKind::AugAssign { target, op, value } => {
                n.node("target", self.expr(target, lv));
                n.node("op", self.bare(op.name()));
                n.node("value", self.expr(value, lv));
            }
            StmtKind::AnnAssign { target, annotation, value, simple } => {
                n.node("target", self.expr(target, lv));
                n.node("annotation", self.expr(annotation, lv));
                self.opt_expr(&mut n, "value", value);
                n.int("simple", (*simple).into());
            }
            StmtKind::For(f) | StmtKind::AsyncFor(f) => {
                n.node("target", self.expr(&f.target, lv));
                n.node("iter", self.expr(&f.iter, lv));
                self.stmts(&mut n, "body", &f.body);
                self.stmts(&mut n, "orelse", &f.orelse);
                self.type_comment(&mut n, &f.type_comment);
            }
            StmtKind::While { test, body, orelse } | StmtKind::If { test, body, orelse } => {
                n.node("test", self.expr(test, lv));
                self.stmts(&mut n, "body", body);
                self.stmts(&mut n, "orelse", orelse);
            }
            StmtKind::With { items, body, type_comment } | StmtKind::AsyncWith { items, body, type_comment } => {
                n.list("items", items, |w, l| self.withitem(w, l));
                self.stmts(&mut n, "body", body);
                self.type_comment(&mut n, type_comment);
            }
            StmtKind::Match { subject, cases } => {
                n.node("subject", self.expr(subject, lv));
                n.list("cases", cases, |c, l| self.match_case(c, l));
            }
            StmtKind::Raise { exc, cause } => {
                self.opt_expr(&mut n, "exc", exc);
                self.opt_expr(&mut n, "cause", cause);
            }
            StmtKind::Try(t) | StmtKind::TryStar(t) => {
                self.stmts(&mut n, "body", &t.body);
                n.list("handlers", &t.handlers, |h, l| self.handler(h, l));
                self.stmts(&mut n, "orelse", &t.orelse);
                self.stmts(&mut n, "finalbody", &t.finalbody);
            }
            StmtKind::Assert { test, msg } => {
                n.node("test", self.expr(test, lv));
                self.opt_expr(&mut n, "msg", msg);
            }
            StmtKind::Import { names, is_lazy } => {
                n.list("names", names, |a, l| self.alias(a, l));
                if self.v315() {
                    n.int("is_lazy", (*is_lazy).into());
                }
            }
            StmtKind::ImportFrom { module, names, level, is_lazy } => {
                n.opt_ident("module", module.as_deref());
                n.list("names", names, |a, l| self.alias(a, l));
                n.int("level", (*level).into());
                if self.v315() {
                    n.int("is_lazy", (*is_lazy).into());
                }
            }
            StmtKind::Global { names } | StmtKind::Nonlocal { names } => {
                n.list("names", names, |id, _| {
                    self.frame_check(1, true);
                    let mut s = String::new();
                    pycode_object::pyrepr::write_str_repr(&mut s, &pycode_object::PyStr::new(id, false), self.opts.minor.unicode_version());
                    (s, true)
                });
            }
            StmtKind::Expr { value } => n.node("value", self.expr(value, lv)),
            StmtKind::Pass | StmtKind::Break | StmtKind::Continue => {}
        }
        n.finish(s.kind.name(), Some(&s.pos))
    }

    fn expr(&self, e: &Expr, level: usize) -> Out {
        stacker::maybe_grow(64 * 1024, 4 << 20, || self.expr_inner(e, level))
    }

    fn expr_inner(&self, e: &Expr, level: usize) -> Out {
        let mut n = self.start(level);
        let lv = n.level;
        match &e.kind {
            ExprKind::BoolOp { op, values } => {
                n.node("op", self.bare(op.name()));
                self.exprs(&mut n, "values", values);
            }
            ExprKind::NamedExpr { target, value } => {
                n.node("target", self.expr(target, lv));
                n.node("value", self.expr(value, lv));
            }
            ExprKind::BinOp { left, op, right } => {
                n.node("left", self.expr(left, lv));
                n.node("op", self.bare(op.name()));
                n.node("right", self.expr(right, lv));
            }
            ExprKind::UnaryOp { op, operand } => {
                n.node("op", self.bare(op.name()));
                n.node("operand", self.expr(operand, lv));
            }
            ExprKind::Lambda { args, body } => {
                n.node("args", self.arguments(args, lv));
                n.node("body", self.expr(body, lv));
            }
            ExprKind::IfExp { test, body, orelse } => {
                n.node("test", self.expr(test, lv));
                n.node("body", self.expr(body, lv));
                n.node("orelse", self.expr(orelse, lv));
            }
            ExprKind::Dict { keys, values } => {
                n.list("keys", keys, |k, l| match k {
                    Some(k) => self.expr(k, l),
                    None => ("None".into(), true),
                });
                self.exprs(&mut n, "values", values);
            }
            ExprKind::Set { elts } => self.exprs(&mut n, "elts", elts),
            ExprKind::ListComp { elt, generators } | ExprKind::SetComp { elt, generators } | ExprKind::GeneratorExp { elt, generators } => {
                n.node("elt", self.expr(elt, lv));
                n.list("generators", generators, |c, l| self.comprehension(c, l));
            }
            ExprKind::DictComp { key, value, generators } => {
                n.node("key", self.expr(key, lv));
                self.opt_expr(&mut n, "value", value);
                n.list("generators", generators, |c, l| self.comprehension(c, l));
            }
            ExprKind::Await { value } | ExprKind::YieldFrom { value } => n.node("value", self.expr(value, lv)),
            ExprKind::Yield { value } => self.opt_expr(&mut n, "value", value),
            ExprKind::Compare { left, ops, comparators } => {
                n.node("left", self.expr(left, lv));
                n.list("ops", ops, |o, _| self.bare(o.name()));
                self.exprs(&mut n, "comparators", comparators);
            }
            ExprKind::Call { func, args, keywords } => {
                n.node("func", self.expr(func, lv));
                self.exprs(&mut n, "args", args);
                n.list("keywords", keywords, |k, l| self.keyword(k, l));
            }
            ExprKind::FormattedValue { value, conversion, format_spec } => {
                n.node("value", self.expr(value, lv));
                n.int("conversion", (*conversion).into());
                self.opt_expr(&mut n, "format_spec", format_spec);
            }
            ExprKind::Interpolation { value, str, conversion, format_spec } => {
                n.node("value", self.expr(value, lv));
                n.ident("str", str);
                n.int("conversion", (*conversion).into());
                self.opt_expr(&mut n, "format_spec", format_spec);
            }
            ExprKind::JoinedStr { values } | ExprKind::TemplateStr { values } => self.exprs(&mut n, "values", values),
            ExprKind::Constant { value, kind_u } => {
                n.repr("value", value.repr(self.opts.minor));
                if *kind_u {
                    n.repr("kind", "'u'".into());
                }
            }
            ExprKind::Attribute { value, attr, ctx } => {
                n.node("value", self.expr(value, lv));
                n.ident("attr", attr);
                self.ctx(&mut n, *ctx);
            }
            ExprKind::Subscript { value, slice, ctx } => {
                n.node("value", self.expr(value, lv));
                n.node("slice", self.expr(slice, lv));
                self.ctx(&mut n, *ctx);
            }
            ExprKind::Starred { value, ctx } => {
                n.node("value", self.expr(value, lv));
                self.ctx(&mut n, *ctx);
            }
            ExprKind::Name { id, ctx } => {
                n.ident("id", id);
                self.ctx(&mut n, *ctx);
            }
            ExprKind::List { elts, ctx } | ExprKind::Tuple { elts, ctx } => {
                self.exprs(&mut n, "elts", elts);
                self.ctx(&mut n, *ctx);
            }
            ExprKind::Slice { lower, upper, step } => {
                self.opt_expr(&mut n, "lower", lower);
                self.opt_expr(&mut n, "upper", upper);
                self.opt_expr(&mut n, "step", step);
            }
        }
        n.finish(e.kind.name(), Some(&e.pos))
    }

    fn comprehension(&self, c: &Comprehension, level: usize) -> Out {
        let mut n = self.start(level);
        let lv = n.level;
        n.node("target", self.expr(&c.target, lv));
        n.node("iter", self.expr(&c.iter, lv));
        self.exprs(&mut n, "ifs", &c.ifs);
        n.int("is_async", c.is_async.into());
        n.finish("comprehension", None)
    }

    fn handler(&self, h: &ExceptHandler, level: usize) -> Out {
        let mut n = self.start(level);
        self.opt_expr(&mut n, "type", &h.type_);
        n.opt_ident("name", h.name.as_deref());
        self.stmts(&mut n, "body", &h.body);
        n.finish("ExceptHandler", Some(&h.pos))
    }

    fn arguments(&self, a: &Arguments, level: usize) -> Out {
        let mut n = self.start(level);
        n.list("posonlyargs", &a.posonlyargs, |x, l| self.arg(x, l));
        n.list("args", &a.args, |x, l| self.arg(x, l));
        n.opt("vararg", a.vararg.as_deref(), |x, l| self.arg(x, l));
        n.list("kwonlyargs", &a.kwonlyargs, |x, l| self.arg(x, l));
        n.list("kw_defaults", &a.kw_defaults, |k, l| match k {
            Some(k) => self.expr(k, l),
            None => ("None".into(), true),
        });
        n.opt("kwarg", a.kwarg.as_deref(), |x, l| self.arg(x, l));
        self.exprs(&mut n, "defaults", &a.defaults);
        n.finish("arguments", None)
    }

    fn arg(&self, a: &Arg, level: usize) -> Out {
        let mut n = self.start(level);
        n.ident("arg", &a.arg);
        self.opt_expr(&mut n, "annotation", &a.annotation);
        self.type_comment(&mut n, &a.type_comment);
        n.finish("arg", Some(&a.pos))
    }

    fn keyword(&self, k: &Keyword, level: usize) -> Out {
        let mut n = self.start(level);
        n.opt_ident("arg", k.arg.as_deref());
        n.node("value", self.expr(&k.value, n.level));
        n.finish("keyword", Some(&k.pos))
    }

    fn alias(&self, a: &Alias, level: usize) -> Out {
        let mut n = self.start(level);
        n.ident("name", &a.name);
        n.opt_ident("asname", a.asname.as_deref());
        n.finish("alias", Some(&a.pos))
    }

    fn withitem(&self, w: &WithItem, level: usize) -> Out {
        let mut n = self.start(level);
        n.node("context_expr", self.expr(&w.context_expr, n.level));
        self.opt_expr(&mut n, "optional_vars", &w.optional_vars);
        n.finish("withitem", None)
    }

    fn match_case(&self, c: &MatchCase, level: usize) -> Out {
        let mut n = self.start(level);
        n.node("pattern", self.pattern(&c.pattern, n.level));
        self.opt_expr(&mut n, "guard", &c.guard);
        self.stmts(&mut n, "body", &c.body);
        n.finish("match_case", None)
    }

    fn pattern(&self, p: &Pattern, level: usize) -> Out {
        stacker::maybe_grow(64 * 1024, 4 << 20, || self.pattern_inner(p, level))
    }

    fn pattern_inner(&self, p: &Pattern, level: usize) -> Out {
        let mut n = self.start(level);
        let lv = n.level;
        let name = match &p.kind {
            PatternKind::MatchValue { value } => {
                n.node("value", self.expr(value, lv));
                "MatchValue"
            }
            PatternKind::MatchSingleton { value } => {
                n.repr("value", value.repr(self.opts.minor));
                "MatchSingleton"
            }
            PatternKind::MatchSequence { patterns } => {
                n.list("patterns", patterns, |p, l| self.pattern(p, l));
                "MatchSequence"
            }
            PatternKind::MatchMapping { keys, patterns, rest } => {
                self.exprs(&mut n, "keys", keys);
                n.list("patterns", patterns, |p, l| self.pattern(p, l));
                n.opt_ident("rest", rest.as_deref());
                "MatchMapping"
            }
            PatternKind::MatchClass { cls, patterns, kwd_attrs, kwd_patterns } => {
                n.node("cls", self.expr(cls, lv));
                n.list("patterns", patterns, |p, l| self.pattern(p, l));
                n.list("kwd_attrs", kwd_attrs, |id, _| {
                    self.frame_check(1, true);
                    let mut s = String::new();
                    pycode_object::pyrepr::write_str_repr(&mut s, &pycode_object::PyStr::new(id, false), self.opts.minor.unicode_version());
                    (s, true)
                });
                n.list("kwd_patterns", kwd_patterns, |p, l| self.pattern(p, l));
                "MatchClass"
            }
            PatternKind::MatchStar { name } => {
                n.opt_ident("name", name.as_deref());
                "MatchStar"
            }
            PatternKind::MatchAs { pattern, name } => {
                n.opt("pattern", pattern.as_deref(), |p, l| self.pattern(p, l));
                n.opt_ident("name", name.as_deref());
                "MatchAs"
            }
            PatternKind::MatchOr { patterns } => {
                n.list("patterns", patterns, |p, l| self.pattern(p, l));
                "MatchOr"
            }
        };
        n.finish(name, Some(&p.pos))
    }

    fn type_param(&self, t: &TypeParam, level: usize) -> Out {
        let mut n = self.start(level);
        let name = match &t.kind {
            TypeParamKind::TypeVar { name, bound, default_value } => {
                n.ident("name", name);
                self.opt_expr(&mut n, "bound", bound);
                if self.v313() {
                    self.opt_expr(&mut n, "default_value", default_value);
                }
                "TypeVar"
            }
            TypeParamKind::ParamSpec { name, default_value } => {
                n.ident("name", name);
                if self.v313() {
                    self.opt_expr(&mut n, "default_value", default_value);
                }
                "ParamSpec"
            }
            TypeParamKind::TypeVarTuple { name, default_value } => {
                n.ident("name", name);
                if self.v313() {
                    self.opt_expr(&mut n, "default_value", default_value);
                }
                "TypeVarTuple"
            }
        };
        n.finish(name, Some(&t.pos))
    }
}
