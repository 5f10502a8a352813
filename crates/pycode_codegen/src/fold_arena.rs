//! The constant folding pass ([`crate::fold`], CPython's `Python/ast_opt.c`) on an arena tree:
//! the same visits in the same order, rewriting nodes in place (a folded node keeps its id and
//! becomes a `Constant` whose value is added to the tree's constants; new nodes, as the `%`
//! format rewrite makes, are pushed). The value computations are [`crate::fold`]'s.

use pycode_ast::arena::{Ast, ConstId, Expr, ExprId, ExprKind, Mod, PatternId, PatternKind, Seq, StmtId, StmtKind, TypeParamKind};
use pycode_ast::{CmpOp, Constant, ExprContext, Operator, UnaryOp};
use pycode_object::PyStr;
use pycode_symtable::CompileError;

use crate::fold::{binop_value, dedup_set, format_pieces, mixed_complex_binop, str_from_cps, subscr_value, unary_value, Piece, NO_POS};

const MAX_DEPTH: u32 = pycode_symtable::MAX_DEPTH;

type R = Result<(), CompileError>;

struct Folder<'x> {
    ast: &'x mut Ast,
    optimize: u8,
    future_annotations: bool,
    depth: u32,
    cfg: bool,
}

fn dangling() -> CompileError {
    CompileError::new(pycode_symtable::ErrorKind::SystemError, "AST node id not in the tree")
}

/// `_PyAST_Optimize` on an arena tree ([`crate::fold::fold_module_for`]).
pub fn fold_arena(ast: &mut Ast, optimize: u8, cfg: bool, future_flags: u32) -> R {
    let ff = pycode_symtable::parse_future_arena_any_level(ast)?;
    let annotations = ff.annotations() || future_flags & pycode_symtable::future::CO_FUTURE_ANNOTATIONS != 0;
    let root = ast.root;
    if !annotations && matches!(root, Some(Mod::Module { .. } | Mod::Interactive { .. } | Mod::Expression { .. })) && shallow(ast) {
        return fold_pool(ast, optimize, cfg);
    }
    let mut f = Folder { ast, optimize, future_annotations: annotations, depth: 0, cfg };
    match root {
        Some(Mod::Module { body, .. }) => f.body(body),
        Some(Mod::Interactive { body }) => f.stmts(body),
        Some(Mod::Expression { body }) => f.expr(body),
        Some(Mod::FunctionType { .. }) => Ok(()),
        None => Err(dangling()),
    }
}

/// Whether no walk of the tree can go past [`MAX_DEPTH`]: the walk counts one level per
/// statement, expression and pattern it enters, so a tree with at most `MAX_DEPTH` of them in
/// all cannot. Larger trees are folded by the walk, which raises CPython's `RecursionError`
/// where `ast_opt.c` does (folding can flatten a chain the symbol table would otherwise have
/// refused: `1 + 1 + ... + 1`, `tests/limits.rs`).
///
/// Most modules have more nodes than that; for them the bound is the statement and pattern
/// counts (no path has more of either) plus the height of the tallest expression, computed
/// over the pool ([`max_expr_height`]).
fn shallow(ast: &Ast) -> bool {
    let others = ast.all_stmts().len() + ast.pattern_count();
    if ast.expr_count() + others <= MAX_DEPTH as usize {
        return true;
    }
    others < MAX_DEPTH as usize && max_expr_height(ast).is_some_and(|h| h as usize + others <= MAX_DEPTH as usize)
}

/// The most expressions on one path down the tree (the walk's levels: one per expression),
/// computed bottom-up over the expression pool, whose nodes come after their children. `None`
/// if a node refers to one that is not before it (a tree not built in that order: walk it).
fn max_expr_height(ast: &Ast) -> Option<u32> {
    let n = ast.expr_count();
    let mut heights: Vec<u32> = Vec::with_capacity(n);
    let mut best = 0;
    for i in 0..n {
        let e = ast.expr(ast.expr_id(i)?)?;
        let m = expr_children_height(ast, &e.kind, &heights)?;
        let h = m + 1;
        heights.push(h);
        best = best.max(h);
    }
    Some(best)
}

/// The greatest height among the children of `kind` (0 without children), `heights` holding
/// those of the expressions before it in the pool.
fn expr_children_height(ast: &Ast, kind: &ExprKind, heights: &[u32]) -> Option<u32> {
    let one = |id: ExprId| heights.get(id.index()).copied();
    let opt = |id: Option<ExprId>| id.map_or(Some(0), one);
    let many = |s: Seq<ExprId>| ast.seq(s).iter().try_fold(0, |m, &x| one(x).map(|h| m.max(h)));
    let comps = |s: Seq<pycode_ast::arena::Comprehension>| {
        ast.seq(s).iter().try_fold(0, |m, g| Some(m.max(one(g.target)?).max(one(g.iter)?).max(many(g.ifs)?)))
    };
    Some(match *kind {
        ExprKind::BoolOp { values, .. } => many(values)?,
        ExprKind::NamedExpr { target, value } => one(target)?.max(one(value)?),
        ExprKind::BinOp { left, right, .. } => one(left)?.max(one(right)?),
        ExprKind::UnaryOp { operand, .. } => one(operand)?,
        ExprKind::Lambda { args, body } => {
            let a = ast.arguments(args)?;
            let arg = |x: &pycode_ast::arena::Arg| opt(x.annotation);
            let args_h = |s: Seq<pycode_ast::arena::Arg>| ast.seq(s).iter().try_fold(0, |m, x| arg(x).map(|h| m.max(h)));
            let kw = ast.seq(a.kw_defaults).iter().try_fold(0, |m, &x| opt(x).map(|h| m.max(h)))?;
            one(body)?
                .max(many(a.defaults)?)
                .max(kw)
                .max(args_h(a.posonlyargs)?)
                .max(args_h(a.args)?)
                .max(args_h(a.kwonlyargs)?)
                .max(a.vararg.as_ref().map_or(Some(0), arg)?)
                .max(a.kwarg.as_ref().map_or(Some(0), arg)?)
        }
        ExprKind::IfExp { test, body, orelse } => one(test)?.max(one(body)?).max(one(orelse)?),
        ExprKind::Dict { keys, values } => ast.seq(keys).iter().try_fold(0, |m, &k| opt(k).map(|h| m.max(h)))?.max(many(values)?),
        ExprKind::Set { elts } | ExprKind::List { elts, .. } | ExprKind::Tuple { elts, .. } => many(elts)?,
        ExprKind::ListComp { elt, generators } | ExprKind::SetComp { elt, generators } | ExprKind::GeneratorExp { elt, generators } => {
            one(elt)?.max(comps(generators)?)
        }
        ExprKind::DictComp { key, value, generators } => one(key)?.max(opt(value)?).max(comps(generators)?),
        ExprKind::Await { value } | ExprKind::YieldFrom { value } => one(value)?,
        ExprKind::Yield { value } => opt(value)?,
        ExprKind::Compare { left, comparators, .. } => one(left)?.max(many(comparators)?),
        ExprKind::Call { func, args, keywords } => {
            let kw = ast.seq(keywords).iter().try_fold(0, |m, k| one(k.value).map(|h| m.max(h)))?;
            one(func)?.max(many(args)?).max(kw)
        }
        ExprKind::FormattedValue { value, format_spec, .. } | ExprKind::Interpolation { value, format_spec, .. } => {
            one(value)?.max(opt(format_spec)?)
        }
        ExprKind::JoinedStr { values } | ExprKind::TemplateStr { values } => many(values)?,
        ExprKind::Constant { .. } | ExprKind::Name { .. } => 0,
        ExprKind::Attribute { value, .. } | ExprKind::Starred { value, .. } => one(value)?,
        ExprKind::Subscript { value, slice, .. } => one(value)?.max(one(slice)?),
        ExprKind::Slice { lower, upper, step } => opt(lower)?.max(opt(upper)?).max(opt(step)?),
    })
}

/// The folding pass as one scan of the expression pool instead of a walk of the tree: the
/// builder adds every node after its children, so going up the pool folds children before
/// their parents, as the walk does. The folds that depend on where a node is (the iterable of a
/// `for` or a comprehension and the right operand of `in`, which become tuples or frozensets;
/// match-pattern values under 3.14's CFG folding) are done from the parent (the parent's
/// children are all folded by then), and the docstring rule from the bodies. Only without
/// `from __future__ import annotations`, whose annotations are not folded (the walk skips them).
/// Nodes of alternatives the parser abandoned are folded too, to no effect on the tree. A tree
/// too deep is still refused by the symbol table, which counts the same visits.
fn fold_pool(ast: &mut Ast, optimize: u8, cfg: bool) -> R {
    // Bodies that have no docstring before folding (one may appear: `"a" + "b"` folds to a str).
    let mut bodies: Vec<(Seq<StmtId>, Option<StmtId>)> = Vec::new();
    if let Some(Mod::Module { body, .. }) = ast.root {
        bodies.push((body, None));
    }
    for s in ast.all_stmts() {
        match &s.kind {
            StmtKind::FunctionDef(f) | StmtKind::AsyncFunctionDef(f) => bodies.push((f.body, None)),
            StmtKind::ClassDef(c) => bodies.push((c.body, None)),
            _ => {}
        }
    }
    bodies.retain(|&(b, _)| !is_docstring(ast, b));
    // The id of `__debug__`, if the tree has the name: compared by id, not by text.
    let debug = ast.names().find("__debug__").map(|i| i as usize);
    let n = ast.expr_count();
    for i in 0..n {
        let Some(e) = ast.expr_id(i) else { break };
        let Some(k) = kind(ast, e) else { continue };
        match k {
            ExprKind::BinOp { .. } => {
                if cfg {
                    fold_format_only(ast, e);
                } else {
                    fold_binop(ast, e);
                }
            }
            ExprKind::UnaryOp { .. } if !cfg => fold_unaryop(ast, e),
            ExprKind::ListComp { generators, .. }
            | ExprKind::SetComp { generators, .. }
            | ExprKind::GeneratorExp { generators, .. }
            | ExprKind::DictComp { generators, .. }
                if !cfg =>
            {
                for j in 0..generators.len() {
                    let Some(g) = ast.seq(generators).get(j).copied() else { break };
                    fold_iter(ast, g.iter);
                }
            }
            ExprKind::Compare { ops, comparators, .. } if !cfg => {
                let last_op = ast.seq(ops).last().copied();
                let last = ast.seq(comparators).last().copied();
                if let (Some(CmpOp::In | CmpOp::NotIn), Some(last)) = (last_op, last) {
                    fold_iter(ast, last);
                }
            }
            ExprKind::Subscript { .. } if !cfg => fold_subscr(ast, e),
            ExprKind::Tuple { .. } if !cfg => fold_tuple(ast, e),
            ExprKind::Name { id, ctx: ExprContext::Load } if Some(id.index()) == debug => {
                let v = if optimize == 0 { Constant::True } else { Constant::False };
                set_const(ast, e, v);
            }
            _ => {}
        }
    }
    if !cfg {
        let iters: Vec<ExprId> = ast
            .all_stmts()
            .iter()
            .filter_map(|s| match &s.kind {
                StmtKind::For(f) | StmtKind::AsyncFor(f) => Some(f.iter),
                _ => None,
            })
            .collect();
        for it in iters {
            fold_iter(ast, it);
        }
    } else {
        // 3.14+: `-c` and complex literals in match patterns.
        let mut values: Vec<ExprId> = Vec::new();
        for i in 0..ast.pattern_count() {
            let Some(p) = ast.pattern_id(i).and_then(|p| ast.pattern(p)) else { break };
            match p.kind {
                PatternKind::MatchValue { value } => values.push(value),
                PatternKind::MatchMapping { keys, .. } => values.extend_from_slice(ast.seq(keys)),
                _ => {}
            }
        }
        for v in values {
            fold_const_match_pattern(ast, v);
        }
    }
    for (body, _) in bodies {
        if is_docstring(ast, body) {
            wrap_docstring(ast, body)?;
        }
    }
    Ok(())
}

/// `astfold_body`'s rewrite of a body that became a docstring by folding: the string is put in
/// a `JoinedStr` at the statement's position, so it is no docstring.
fn wrap_docstring(ast: &mut Ast, stmts: Seq<StmtId>) -> R {
    let Some(&first) = ast.seq(stmts).first() else { return Ok(()) };
    let Some(s) = ast.stmt(first).copied() else { return Ok(()) };
    if let StmtKind::Expr { value } = s.kind {
        let inner = *ast.expr(value).ok_or_else(dangling)?;
        let moved = ast.add_expr(inner.kind, inner.pos);
        let values = ast.add_seq(vec![moved]);
        if let Some(x) = ast.expr_mut(value) {
            *x = Expr { pos: s.pos, kind: ExprKind::JoinedStr { values } };
        }
    }
    Ok(())
}

fn is_docstring(ast: &Ast, body: Seq<StmtId>) -> bool {
    let Some(s) = ast.seq(body).first().and_then(|&s| ast.stmt(s)) else { return false };
    let StmtKind::Expr { value } = s.kind else { return false };
    matches!(const_of(ast, value), Some(Constant::Str(_)))
}

fn const_of(ast: &Ast, e: ExprId) -> Option<&Constant> {
    match ast.expr(e)?.kind {
        ExprKind::Constant { value, .. } => ast.constant(value),
        _ => None,
    }
}

fn is_const(ast: &Ast, e: ExprId) -> bool {
    matches!(ast.expr(e).map(|x| x.kind), Some(ExprKind::Constant { .. }))
}

fn kind(ast: &Ast, e: ExprId) -> Option<ExprKind> {
    ast.expr(e).map(|x| x.kind)
}

fn set_const(ast: &mut Ast, e: ExprId, c: Constant) {
    let value: ConstId = ast.add_constant(c);
    if let Some(x) = ast.expr_mut(e) {
        x.kind = ExprKind::Constant { value, kind_u: false };
    }
}

fn any_starred(ast: &Ast, elts: Seq<ExprId>) -> bool {
    ast.seq(elts).iter().any(|&x| matches!(kind(ast, x), Some(ExprKind::Starred { .. })))
}

/// `make_const_tuple`.
fn make_const_tuple(ast: &Ast, elts: Seq<ExprId>) -> Option<Vec<Constant>> {
    ast.seq(elts).iter().map(|&e| const_of(ast, e).cloned()).collect()
}

/// `fold_tuple`.
fn fold_tuple(ast: &mut Ast, e: ExprId) {
    if let Some(ExprKind::Tuple { elts, ctx: ExprContext::Load }) = kind(ast, e) {
        if let Some(items) = make_const_tuple(ast, elts) {
            set_const(ast, e, Constant::Tuple(items.into()));
        }
    }
}

/// `fold_iter`.
fn fold_iter(ast: &mut Ast, e: ExprId) {
    match kind(ast, e) {
        Some(ExprKind::List { elts, ctx }) => {
            if any_starred(ast, elts) {
                return;
            }
            let folded = make_const_tuple(ast, elts);
            if let Some(x) = ast.expr_mut(e) {
                x.kind = ExprKind::Tuple { elts, ctx };
            }
            if let Some(items) = folded {
                set_const(ast, e, Constant::Tuple(items.into()));
            }
        }
        Some(ExprKind::Set { elts }) => {
            if let Some(items) = make_const_tuple(ast, elts) {
                set_const(ast, e, Constant::FrozenSet(dedup_set(items).into()));
            }
        }
        _ => {}
    }
}

/// `fold_unaryop`.
fn fold_unaryop(ast: &mut Ast, e: ExprId) {
    let Some(ExprKind::UnaryOp { op, operand }) = kind(ast, e) else { return };
    let Some(c) = const_of(ast, operand) else {
        // Fold `not` into a single comparison (`not a in b` → `a not in b`).
        if op == UnaryOp::Not {
            let Some(&Expr { pos, kind: ExprKind::Compare { left, ops, comparators } }) = ast.expr(operand) else { return };
            let [only] = ast.seq(ops) else { return };
            let new = match only {
                CmpOp::Is => CmpOp::IsNot,
                CmpOp::IsNot => CmpOp::Is,
                CmpOp::In => CmpOp::NotIn,
                CmpOp::NotIn => CmpOp::In,
                _ => return,
            };
            let ops = ast.add_seq(vec![new]);
            // COPY_NODE: the comparison replaces the whole node, position included.
            if let Some(x) = ast.expr_mut(e) {
                *x = Expr { pos, kind: ExprKind::Compare { left, ops, comparators } };
            }
        }
        return;
    };
    if let Some(v) = unary_value(op, c) {
        set_const(ast, e, v);
    }
}

/// `fold_subscr`.
fn fold_subscr(ast: &mut Ast, e: ExprId) {
    let Some(ExprKind::Subscript { value, slice, ctx: ExprContext::Load }) = kind(ast, e) else { return };
    let (Some(v), Some(i)) = (const_of(ast, value), const_of(ast, slice)) else { return };
    if let Some(r) = subscr_value(v, i) {
        set_const(ast, e, r);
    }
}

/// The format string of `"..." % (a, b)` (a tuple without starred items), if `e` is one.
fn format_operand(ast: &Ast, left: ExprId, right: ExprId) -> Option<(PyStr, Seq<ExprId>)> {
    let Some(Constant::Str(fmt)) = const_of(ast, left) else { return None };
    let Some(ExprKind::Tuple { elts, .. }) = kind(ast, right) else { return None };
    if any_starred(ast, elts) {
        return None;
    }
    Some((fmt.clone(), elts))
}

/// `fold_binop`.
fn fold_binop(ast: &mut Ast, e: ExprId) {
    let Some(ExprKind::BinOp { left, op, right }) = kind(ast, e) else { return };
    if !is_const(ast, left) {
        return;
    }
    if op == Operator::Mod {
        if let Some((fmt, elts)) = format_operand(ast, left, right) {
            optimize_format(ast, e, &fmt, elts);
            return;
        }
    }
    let (Some(lv), Some(rv)) = (const_of(ast, left), const_of(ast, right)) else { return };
    if let Some(v) = binop_value(op, lv, rv) {
        set_const(ast, e, v);
    }
}

/// 3.14's `fold_binop`: only `"..." % (a, b)` becomes an f-string.
fn fold_format_only(ast: &mut Ast, e: ExprId) {
    let Some(ExprKind::BinOp { left, op: Operator::Mod, right }) = kind(ast, e) else { return };
    if let Some((fmt, elts)) = format_operand(ast, left, right) {
        optimize_format(ast, e, &fmt, elts);
    }
}

/// `fold_const_match_patterns` (3.14+).
fn fold_const_match_pattern(ast: &mut Ast, e: ExprId) {
    let is_neg_const =
        |ast: &Ast, x: ExprId| matches!(kind(ast, x), Some(ExprKind::UnaryOp { op: UnaryOp::USub, operand }) if is_const(ast, operand));
    match kind(ast, e) {
        Some(ExprKind::UnaryOp { op: UnaryOp::USub, operand }) if is_const(ast, operand) => fold_unaryop(ast, e),
        Some(ExprKind::BinOp { left, op: op @ (Operator::Add | Operator::Sub), right }) => {
            if is_neg_const(ast, left) {
                fold_unaryop(ast, left);
            }
            if let (Some(l), Some(r)) = (const_of(ast, left), const_of(ast, right)) {
                match mixed_complex_binop(op, l, r) {
                    Some(Some(c)) => set_const(ast, e, c),
                    Some(None) => {}
                    None => fold_binop(ast, e),
                }
            }
        }
        _ => {}
    }
}

/// `optimize_format`: `"fmt" % (a, b)` → JoinedStr when every unit is `%s`/`%r`/`%a`.
fn optimize_format(ast: &mut Ast, e: ExprId, fmt: &PyStr, elts: Seq<ExprId>) {
    let Some(pieces) = format_pieces(fmt, elts.len()) else { return };
    let Some(pos_e) = ast.expr(e).map(|x| x.pos) else { return };
    let args: Vec<ExprId> = ast.seq(elts).to_vec();
    let mut args = args.into_iter();
    let mut values = Vec::with_capacity(pieces.len());
    for p in pieces {
        match p {
            Piece::Lit(l) => {
                if let Some(c) = str_from_cps(&l) {
                    let value = ast.add_constant(c);
                    values.push(ast.add_expr(ExprKind::Constant { value, kind_u: false }, NO_POS));
                }
            }
            Piece::Fmt(spec, fs) => {
                let Some(arg) = args.next() else { return };
                let format_spec = fs.map(|s| {
                    let value = ast.add_constant(Constant::Str(PyStr::new(&s, false)));
                    ast.add_expr(ExprKind::Constant { value, kind_u: false }, NO_POS)
                });
                let Some(apos) = ast.expr(arg).map(|x| x.pos) else { return };
                values.push(ast.add_expr(ExprKind::FormattedValue { value: arg, conversion: spec as i32, format_spec }, apos));
            }
        }
    }
    let values = ast.add_seq(values);
    if let Some(x) = ast.expr_mut(e) {
        *x = Expr { pos: pos_e, kind: ExprKind::JoinedStr { values } };
    }
}

impl Folder<'_> {
    fn enter(&mut self) -> R {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(CompileError::recursion());
        }
        Ok(())
    }

    /// `astfold_body`.
    fn body(&mut self, stmts: Seq<StmtId>) -> R {
        let had_doc = is_docstring(self.ast, stmts);
        self.stmts(stmts)?;
        if !had_doc && is_docstring(self.ast, stmts) {
            wrap_docstring(self.ast, stmts)?;
        }
        Ok(())
    }

    fn stmts(&mut self, stmts: Seq<StmtId>) -> R {
        for i in 0..stmts.len() {
            let Some(&s) = self.ast.seq(stmts).get(i) else { break };
            self.stmt(s)?;
        }
        Ok(())
    }

    fn exprs(&mut self, v: Seq<ExprId>) -> R {
        for i in 0..v.len() {
            let Some(&e) = self.ast.seq(v).get(i) else { break };
            self.expr(e)?;
        }
        Ok(())
    }

    fn oexpr(&mut self, e: Option<ExprId>) -> R {
        if let Some(e) = e {
            self.expr(e)?;
        }
        Ok(())
    }

    fn annotation(&mut self, e: Option<ExprId>) -> R {
        if !self.future_annotations {
            self.oexpr(e)?;
        }
        Ok(())
    }

    fn arg_annotations(&mut self, s: Seq<pycode_ast::arena::Arg>) -> R {
        for i in 0..s.len() {
            let Some(a) = self.ast.seq(s).get(i).copied() else { break };
            self.annotation(a.annotation)?;
        }
        Ok(())
    }

    fn arguments(&mut self, id: pycode_ast::arena::ArgumentsId) -> R {
        let a = *self.ast.arguments(id).ok_or_else(dangling)?;
        self.arg_annotations(a.posonlyargs)?;
        self.arg_annotations(a.args)?;
        if let Some(v) = a.vararg {
            self.annotation(v.annotation)?;
        }
        self.arg_annotations(a.kwonlyargs)?;
        for i in 0..a.kw_defaults.len() {
            let Some(d) = self.ast.seq(a.kw_defaults).get(i).copied() else { break };
            self.oexpr(d)?;
        }
        if let Some(v) = a.kwarg {
            self.annotation(v.annotation)?;
        }
        self.exprs(a.defaults)
    }

    fn type_params(&mut self, tps: Seq<pycode_ast::arena::TypeParam>) -> R {
        for i in 0..tps.len() {
            let Some(tp) = self.ast.seq(tps).get(i).copied() else { break };
            if let TypeParamKind::TypeVar { bound: Some(b), .. } = tp.kind {
                self.expr(b)?;
            }
        }
        Ok(())
    }

    fn comprehensions(&mut self, gens: Seq<pycode_ast::arena::Comprehension>) -> R {
        for i in 0..gens.len() {
            let Some(g) = self.ast.seq(gens).get(i).copied() else { break };
            self.expr(g.target)?;
            self.expr(g.iter)?;
            self.exprs(g.ifs)?;
            if !self.cfg {
                fold_iter(self.ast, g.iter);
            }
        }
        Ok(())
    }

    fn patterns(&mut self, ps: Seq<PatternId>) -> R {
        for i in 0..ps.len() {
            let Some(&p) = self.ast.seq(ps).get(i) else { break };
            self.pattern(p)?;
        }
        Ok(())
    }

    fn pattern(&mut self, id: PatternId) -> R {
        self.enter()?;
        let p = *self.ast.pattern(id).ok_or_else(dangling)?;
        match p.kind {
            PatternKind::MatchValue { value } => {
                self.expr(value)?;
                if self.cfg {
                    fold_const_match_pattern(self.ast, value);
                }
            }
            PatternKind::MatchSingleton { .. } | PatternKind::MatchStar { .. } => {}
            PatternKind::MatchSequence { patterns } | PatternKind::MatchOr { patterns } => self.patterns(patterns)?,
            PatternKind::MatchMapping { keys, patterns, .. } => {
                self.exprs(keys)?;
                if self.cfg {
                    for i in 0..keys.len() {
                        let Some(&k) = self.ast.seq(keys).get(i) else { break };
                        fold_const_match_pattern(self.ast, k);
                    }
                }
                self.patterns(patterns)?;
            }
            PatternKind::MatchClass { cls, patterns, kwd_patterns, .. } => {
                self.expr(cls)?;
                self.patterns(patterns)?;
                self.patterns(kwd_patterns)?;
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
    fn stmt(&mut self, s: StmtId) -> R {
        self.enter()?;
        let r = if self.depth.is_multiple_of(pycode_symtable::STACK_CHECK_EVERY) {
            stacker::maybe_grow(128 * 1024, 4 << 20, || self.stmt_inner(s))
        } else {
            self.stmt_inner(s)
        };
        self.depth -= 1;
        r
    }

    fn stmt_inner(&mut self, id: StmtId) -> R {
        let s = *self.ast.stmt(id).ok_or_else(dangling)?;
        match s.kind {
            StmtKind::FunctionDef(f) | StmtKind::AsyncFunctionDef(f) => {
                self.type_params(f.type_params)?;
                self.arguments(f.args)?;
                self.body(f.body)?;
                self.exprs(f.decorator_list)?;
                self.annotation(f.returns)?;
            }
            StmtKind::ClassDef(c) => {
                self.type_params(c.type_params)?;
                self.exprs(c.bases)?;
                for i in 0..c.keywords.len() {
                    let Some(k) = self.ast.seq(c.keywords).get(i).copied() else { break };
                    self.expr(k.value)?;
                }
                self.body(c.body)?;
                self.exprs(c.decorator_list)?;
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
                self.expr(f.target)?;
                self.expr(f.iter)?;
                self.stmts(f.body)?;
                self.stmts(f.orelse)?;
                if !self.cfg {
                    fold_iter(self.ast, f.iter);
                }
            }
            StmtKind::While { test, body, orelse } | StmtKind::If { test, body, orelse } => {
                self.expr(test)?;
                self.stmts(body)?;
                self.stmts(orelse)?;
            }
            StmtKind::With { items, body, .. } | StmtKind::AsyncWith { items, body, .. } => {
                for i in 0..items.len() {
                    let Some(it) = self.ast.seq(items).get(i).copied() else { break };
                    self.expr(it.context_expr)?;
                    self.oexpr(it.optional_vars)?;
                }
                self.stmts(body)?;
            }
            StmtKind::Match { subject, cases } => {
                self.expr(subject)?;
                for i in 0..cases.len() {
                    let Some(c) = self.ast.seq(cases).get(i).copied() else { break };
                    self.pattern(c.pattern)?;
                    self.oexpr(c.guard)?;
                    self.stmts(c.body)?;
                }
            }
            StmtKind::Raise { exc, cause } => {
                self.oexpr(exc)?;
                self.oexpr(cause)?;
            }
            StmtKind::Try(t) | StmtKind::TryStar(t) => {
                self.stmts(t.body)?;
                for i in 0..t.handlers.len() {
                    let Some(h) = self.ast.seq(t.handlers).get(i).copied() else { break };
                    self.oexpr(h.type_)?;
                    self.stmts(h.body)?;
                }
                self.stmts(t.orelse)?;
                self.stmts(t.finalbody)?;
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
    fn expr(&mut self, e: ExprId) -> R {
        self.enter()?;
        let r = if self.depth.is_multiple_of(pycode_symtable::STACK_CHECK_EVERY) {
            stacker::maybe_grow(128 * 1024, 4 << 20, || self.expr_inner(e))
        } else {
            self.expr_inner(e)
        };
        self.depth -= 1;
        r
    }

    fn expr_inner(&mut self, e: ExprId) -> R {
        let k = kind(self.ast, e).ok_or_else(dangling)?;
        match k {
            ExprKind::BoolOp { values, .. } => self.exprs(values)?,
            ExprKind::BinOp { left, right, .. } => {
                self.expr(left)?;
                self.expr(right)?;
                if self.cfg {
                    fold_format_only(self.ast, e);
                } else {
                    fold_binop(self.ast, e);
                }
            }
            ExprKind::UnaryOp { operand, .. } => {
                self.expr(operand)?;
                if !self.cfg {
                    fold_unaryop(self.ast, e);
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
                for i in 0..keys.len() {
                    let Some(k) = self.ast.seq(keys).get(i).copied() else { break };
                    self.oexpr(k)?;
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
                let last_op = self.ast.seq(ops).last().copied();
                let last = self.ast.seq(comparators).last().copied();
                if let (Some(op), Some(last)) = (last_op, last) {
                    if !self.cfg && matches!(op, CmpOp::In | CmpOp::NotIn) {
                        fold_iter(self.ast, last);
                    }
                }
            }
            ExprKind::Call { func, args, keywords } => {
                self.expr(func)?;
                self.exprs(args)?;
                for i in 0..keywords.len() {
                    let Some(k) = self.ast.seq(keywords).get(i).copied() else { break };
                    self.expr(k.value)?;
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
                    fold_subscr(self.ast, e);
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
                    fold_tuple(self.ast, e);
                }
            }
            ExprKind::Name { id, ctx } => {
                if ctx == ExprContext::Load && self.ast.name(id) == Some("__debug__") {
                    let v = if self.optimize == 0 { Constant::True } else { Constant::False };
                    set_const(self.ast, e, v);
                }
            }
            ExprKind::NamedExpr { value, .. } => self.expr(value)?,
            ExprKind::Constant { .. } => {}
        }
        Ok(())
    }
}
