//! The symbol table's walk over an arena tree ([`pycode_ast::arena::Ast`]): the same visits as
//! the boxed tree's (`symtable_visit_*`), over ids. The module's names start as the tree's
//! interned identifiers, so a name is defined by its id (no text keyed or hashed) unless it is
//! mangled; scopes are keyed by the addresses of the tree's nodes, as on the boxed tree.

use pycode_ast::arena::{
    Alias, Arguments, ArgumentsId, Ast, Comprehension, ExceptHandler, Expr, ExprId, ExprKind, Keyword, Mod, NameId as AName, PatternId,
    PatternKind, Seq, Stmt, StmtId, StmtKind, TypeParam, TypeParamKind, WithItem,
};
use pycode_ast::{ExprContext, Pos};
use rustc_hash::FxHashMap as HashMap;

use super::{analyze, Builder, R};
use crate::flags::*;
use crate::{
    key_of_annotation_block, key_of_arguments, key_of_expr, key_of_stmt, key_of_type_param, key_of_type_param_default, key_of_type_params,
    BlockType, CompileError, ComprehensionType, FutureFeatures, NameId, Names, SymTable,
};

/// `_PySymtable_Build` on an arena tree; `dense` as in [`super::build_sets`].
pub(crate) fn build_arena(
    ast: &Ast,
    future: FutureFeatures,
    release: pycode_release::Release,
    dense: Option<bool>,
) -> Result<SymTable, CompileError> {
    let mut names = Names::from_table(ast.names().clone());
    names.reserve(32, 256);
    let mut b = Builder {
        tree: ast,
        entries: Vec::with_capacity(32),
        blocks: HashMap::with_capacity_and_hasher(32, Default::default()),
        stack: Vec::new(),
        private: None,
        future,
        depth: 0,
        release,
        unevaluated_annotation: false,
        try_depth: 0,
        sym_pos: vec![0; names.len()],
        names,
    };
    b.enter_block("top", BlockType::Module, 0, Pos { lineno: 0, col_offset: 0, end_lineno: 0, end_col_offset: 0 });
    b.cur_entry().in_conditional_block = release.features().deferred_annotations;
    match ast.root {
        Some(Mod::Module { body, .. } | Mod::Interactive { body }) => b.visit_stmts(body)?,
        Some(Mod::Expression { body }) => b.visit_expr(body)?,
        Some(Mod::FunctionType { .. }) => {
            return Err(CompileError::new(crate::ErrorKind::Unsupported, "FunctionType mode"));
        }
        None => return Err(dangling()),
    }
    b.exit_block();
    let mut st = SymTable { entries: b.entries, names: b.names, blocks: b.blocks, future };
    analyze(&mut st, release.features().inline_comprehensions, release.features().deferred_annotations, dense)?;
    Ok(st)
}

/// An id that is not in the tree (only an incomplete or foreign tree has one).
fn dangling() -> CompileError {
    CompileError::new(crate::ErrorKind::SystemError, "AST node id not in the tree")
}

/// The symbol table's id of an identifier of the tree (the same interner, seeded from it).
#[inline]
fn sid(n: AName) -> NameId {
    u32::try_from(n.index()).unwrap_or(NameId::MAX)
}

impl<'a> Builder<&'a Ast> {
    #[inline]
    fn ex(&self, id: ExprId) -> Result<&'a Expr, CompileError> {
        let ast: &'a Ast = self.tree;
        ast.expr(id).ok_or_else(dangling)
    }

    #[inline]
    fn text(&self, n: AName) -> Result<&'a str, CompileError> {
        let ast: &'a Ast = self.tree;
        ast.name(n).ok_or_else(dangling)
    }

    #[inline]
    fn def(&mut self, n: AName, flag: u32, pos: Pos) -> R {
        self.add_def_id(sid(n), flag, pos)
    }

    fn args_of(&self, id: ArgumentsId) -> Result<&'a Arguments, CompileError> {
        let ast: &'a Ast = self.tree;
        ast.arguments(id).ok_or_else(dangling)
    }

    fn visit_stmts(&mut self, body: Seq<StmtId>) -> R {
        let ast: &'a Ast = self.tree;
        for &s in ast.seq(body) {
            self.visit_stmt(s)?;
        }
        Ok(())
    }

    fn visit_exprs(&mut self, v: Seq<ExprId>) -> R {
        let ast: &'a Ast = self.tree;
        for &e in ast.seq(v) {
            self.visit_expr(e)?;
        }
        Ok(())
    }

    fn visit_opt_exprs(&mut self, v: Seq<Option<ExprId>>) -> R {
        let ast: &'a Ast = self.tree;
        for &e in ast.seq(v).iter().flatten() {
            self.visit_expr(e)?;
        }
        Ok(())
    }

    fn visit_stmt(&mut self, s: StmtId) -> R {
        self.enter_depth()?;
        let r = if self.depth.is_multiple_of(crate::STACK_CHECK_EVERY) {
            stacker::maybe_grow(crate::RED_ZONE, crate::STACK_GROW, || self.visit_stmt_inner(s))
        } else {
            self.visit_stmt_inner(s)
        };
        self.depth -= 1;
        r
    }

    fn visit_stmt_inner(&mut self, sid_: StmtId) -> R {
        let ast: &'a Ast = self.tree;
        let s: &'a Stmt = ast.stmt(sid_).ok_or_else(dangling)?;
        let pos = s.pos;
        match &s.kind {
            StmtKind::FunctionDef(f) | StmtKind::AsyncFunctionDef(f) => {
                let args = self.args_of(f.args)?;
                let fname = self.text(f.name)?;
                self.def(f.name, DEF_LOCAL, pos)?;
                self.visit_exprs(args.defaults)?;
                self.visit_opt_exprs(args.kw_defaults)?;
                self.visit_exprs(f.decorator_list)?;
                let generic = !f.type_params.is_empty();
                if generic {
                    let has_kwd = ast.seq(args.kw_defaults).iter().any(|d| d.is_some());
                    self.enter_type_param_block(fname, key_of_type_params(ast.seq(f.type_params)), true, has_kwd, false, pos)?;
                    self.visit_type_params(f.type_params)?;
                }
                if self.release.features().deferred_annotations {
                    self.visit_annotations_314(pos, args, f.returns)?;
                } else {
                    self.visit_annotations(pos, args, f.returns)?;
                }
                self.enter_block(fname, BlockType::Function, key_of_stmt(s), pos);
                if matches!(s.kind, StmtKind::AsyncFunctionDef(_)) {
                    self.cur_entry().coroutine = true;
                }
                self.visit_arguments(args)?;
                self.visit_stmts(f.body)?;
                self.exit_block();
                if generic {
                    self.exit_block();
                }
            }
            StmtKind::ClassDef(c) => {
                let cname = self.text(c.name)?;
                self.def(c.name, DEF_LOCAL, pos)?;
                self.visit_exprs(c.decorator_list)?;
                let tmp = self.private.clone();
                let generic = !c.type_params.is_empty();
                if generic {
                    self.enter_type_param_block(cname, key_of_type_params(ast.seq(c.type_params)), false, false, true, pos)?;
                    self.private = Some(Box::from(cname));
                    self.visit_type_params(c.type_params)?;
                }
                self.visit_exprs(c.bases)?;
                self.visit_keywords(c.keywords)?;
                self.private = Some(Box::from(cname));
                self.enter_block(cname, BlockType::Class, key_of_stmt(s), pos);
                if generic {
                    let tpos = type_params_pos(ast.seq(c.type_params));
                    self.add_def("__type_params__", DEF_LOCAL, tpos)?;
                    self.add_def(".type_params", USE, tpos)?;
                }
                self.visit_stmts(c.body)?;
                self.exit_block();
                if generic {
                    self.exit_block();
                }
                self.private = tmp;
            }
            StmtKind::TypeAlias { name, type_params, value } => {
                self.visit_expr(*name)?;
                let n: &str = match self.ex(*name)?.kind {
                    ExprKind::Name { id, .. } => self.text(id)?,
                    _ => "",
                };
                let in_class = self.cur_ref().block_type == BlockType::Class;
                let generic = !type_params.is_empty();
                if generic {
                    self.enter_type_param_block(n, key_of_type_params(ast.seq(*type_params)), false, false, false, pos)?;
                    self.visit_type_params(*type_params)?;
                }
                self.enter_block(n, BlockType::TypeAlias, key_of_stmt(s), pos);
                if self.release.features().deferred_annotations {
                    self.add_def(".format", DEF_PARAM, pos)?;
                }
                self.cur_entry().can_see_class_scope = in_class;
                if in_class {
                    let vpos = self.ex(*value)?.pos;
                    self.add_def("__classdict__", USE, vpos)?;
                }
                self.visit_expr(*value)?;
                self.exit_block();
                if generic {
                    self.exit_block();
                }
            }
            StmtKind::Return { value } => {
                if let Some(v) = *value {
                    self.visit_expr(v)?;
                    self.cur_entry().returns_value = true;
                }
            }
            StmtKind::Delete { targets } => self.visit_exprs(*targets)?,
            StmtKind::Assign { targets, value, .. } => {
                self.visit_exprs(*targets)?;
                self.visit_expr(*value)?;
            }
            StmtKind::AnnAssign { target, annotation, value, simple } => {
                let t = self.ex(*target)?;
                if let ExprKind::Name { id, .. } = t.kind {
                    let text = self.text(id)?;
                    let cur = self.lookup(text);
                    let is_global_scope = self.cur() == 0;
                    if cur & (DEF_GLOBAL | DEF_NONLOCAL) != 0 && !is_global_scope && *simple {
                        let msg = if cur & DEF_GLOBAL != 0 {
                            format!("annotated name '{text}' can't be global")
                        } else {
                            format!("annotated name '{text}' can't be nonlocal")
                        };
                        return Err(CompileError::syntax_at(msg, pos));
                    }
                    if *simple {
                        self.def(id, DEF_ANNOT | DEF_LOCAL, t.pos)?;
                    } else if value.is_some() {
                        self.def(id, DEF_LOCAL, t.pos)?;
                    }
                } else {
                    self.visit_expr(*target)?;
                }
                if self.release.features().deferred_annotations {
                    self.cur_entry().annotations_used = true;
                    self.visit_annotation_314(*annotation)?;
                } else {
                    self.visit_annotation(*annotation)?;
                }
                if let Some(v) = *value {
                    self.visit_expr(v)?;
                }
            }
            StmtKind::AugAssign { target, value, .. } => {
                self.visit_expr(*target)?;
                self.visit_expr(*value)?;
            }
            StmtKind::For(f) | StmtKind::AsyncFor(f) => {
                self.visit_expr(f.target)?;
                self.visit_expr(f.iter)?;
                let was = self.enter_conditional();
                self.visit_stmts(f.body)?;
                self.visit_stmts(f.orelse)?;
                self.cur_entry().in_conditional_block = was;
            }
            StmtKind::While { test, body, orelse } | StmtKind::If { test, body, orelse } => {
                self.visit_expr(*test)?;
                let was = self.enter_conditional();
                self.visit_stmts(*body)?;
                self.visit_stmts(*orelse)?;
                self.cur_entry().in_conditional_block = was;
            }
            StmtKind::Match { subject, cases } => {
                self.visit_expr(*subject)?;
                let was = self.enter_conditional();
                for c in ast.seq(*cases) {
                    self.visit_pattern(c.pattern)?;
                    if let Some(g) = c.guard {
                        self.visit_expr(g)?;
                    }
                    self.visit_stmts(c.body)?;
                }
                self.cur_entry().in_conditional_block = was;
            }
            StmtKind::Raise { exc, cause } => {
                if let Some(e) = *exc {
                    self.visit_expr(e)?;
                    if let Some(c) = *cause {
                        self.visit_expr(c)?;
                    }
                }
            }
            StmtKind::Try(t) | StmtKind::TryStar(t) => {
                let was = self.enter_conditional();
                self.try_depth += 1;
                self.visit_stmts(t.body)?;
                self.visit_stmts(t.orelse)?;
                for h in ast.seq(t.handlers) {
                    self.visit_excepthandler(h)?;
                }
                self.visit_stmts(t.finalbody)?;
                self.try_depth -= 1;
                self.cur_entry().in_conditional_block = was;
            }
            StmtKind::Assert { test, msg } => {
                self.visit_expr(*test)?;
                if let Some(m) = *msg {
                    self.visit_expr(m)?;
                }
            }
            StmtKind::Import { names, is_lazy } | StmtKind::ImportFrom { names, is_lazy, .. } => {
                if *is_lazy {
                    let what = if matches!(s.kind, StmtKind::Import { .. }) { "lazy import" } else { "lazy from ... import" };
                    let star = match ast.seq(*names).first() {
                        Some(a) => self.text(a.name)? == "*",
                        None => false,
                    };
                    let block = self.cur_entry().block_type;
                    let msg = if star && !matches!(s.kind, StmtKind::Import { .. }) {
                        Some("lazy from ... import * is not allowed".to_string())
                    } else if self.try_depth > 0 {
                        Some(format!("{what} not allowed inside try/except blocks"))
                    } else if block == BlockType::Function {
                        Some(format!("{what} not allowed inside functions"))
                    } else if block == BlockType::Class {
                        Some(format!("{what} not allowed inside classes"))
                    } else {
                        None
                    };
                    if let Some(m) = msg {
                        return Err(CompileError::syntax_at(m, pos));
                    }
                }
                for a in ast.seq(*names) {
                    self.visit_alias(a)?;
                }
            }
            StmtKind::Global { names } => {
                for &n in ast.seq(*names) {
                    let name = self.text(n)?;
                    let cur = self.lookup(name);
                    if cur & (DEF_PARAM | DEF_LOCAL | USE | DEF_ANNOT) != 0 {
                        let msg = if cur & DEF_PARAM != 0 {
                            format!("name '{name}' is parameter and global")
                        } else if cur & USE != 0 {
                            format!("name '{name}' is used prior to global declaration")
                        } else if cur & DEF_ANNOT != 0 {
                            format!("annotated name '{name}' can't be global")
                        } else {
                            format!("name '{name}' is assigned to before global declaration")
                        };
                        return Err(CompileError::syntax_at(msg, pos));
                    }
                    self.def(n, DEF_GLOBAL, pos)?;
                    let m = self.mangled(name);
                    self.cur_entry().directives.push((m, pos));
                }
            }
            StmtKind::Nonlocal { names } => {
                for &n in ast.seq(*names) {
                    let name = self.text(n)?;
                    let cur = self.lookup(name);
                    if cur & (DEF_PARAM | DEF_LOCAL | USE | DEF_ANNOT) != 0 {
                        let msg = if cur & DEF_PARAM != 0 {
                            format!("name '{name}' is parameter and nonlocal")
                        } else if cur & USE != 0 {
                            format!("name '{name}' is used prior to nonlocal declaration")
                        } else if cur & DEF_ANNOT != 0 {
                            format!("annotated name '{name}' can't be nonlocal")
                        } else {
                            format!("name '{name}' is assigned to before nonlocal declaration")
                        };
                        return Err(CompileError::syntax_at(msg, pos));
                    }
                    self.def(n, DEF_NONLOCAL, pos)?;
                    let m = self.mangled(name);
                    self.cur_entry().directives.push((m, pos));
                }
            }
            StmtKind::Expr { value } => self.visit_expr(*value)?,
            StmtKind::Pass | StmtKind::Break | StmtKind::Continue => {}
            StmtKind::With { items, body, .. } | StmtKind::AsyncWith { items, body, .. } => {
                for it in ast.seq(*items) {
                    self.visit_withitem(it)?;
                }
                let was = self.enter_conditional();
                self.visit_stmts(*body)?;
                self.cur_entry().in_conditional_block = was;
            }
        }
        Ok(())
    }

    fn visit_withitem(&mut self, it: &WithItem) -> R {
        self.visit_expr(it.context_expr)?;
        if let Some(v) = it.optional_vars {
            self.visit_expr(v)?;
        }
        Ok(())
    }

    fn visit_excepthandler(&mut self, h: &ExceptHandler) -> R {
        if let Some(t) = h.type_ {
            self.visit_expr(t)?;
        }
        if let Some(n) = h.name {
            self.def(n, DEF_LOCAL, h.pos)?;
        }
        self.visit_stmts(h.body)
    }

    /// `symtable_visit_alias`.
    fn visit_alias(&mut self, a: &Alias) -> R {
        let name = self.text(a.name)?;
        if name == "*" {
            if self.cur_ref().block_type != BlockType::Module {
                return Err(CompileError::syntax_at("import * only allowed at module level", a.pos));
            }
            return Ok(());
        }
        match (a.asname, name.find('.')) {
            (Some(n), _) => self.def(n, DEF_IMPORT, a.pos),
            (None, Some(i)) => self.add_def(name.get(..i).unwrap_or(name), DEF_IMPORT, a.pos),
            (None, None) => self.def(a.name, DEF_IMPORT, a.pos),
        }
    }

    fn visit_type_params(&mut self, tps: Seq<TypeParam>) -> R {
        let ast: &'a Ast = self.tree;
        for tp in ast.seq(tps) {
            self.visit_type_param(tp)?;
        }
        Ok(())
    }

    /// `symtable_visit_type_param`.
    fn visit_type_param(&mut self, tp: &'a TypeParam) -> R {
        self.enter_depth()?;
        let defaults = self.release.features().type_param_defaults;
        match tp.kind {
            TypeParamKind::TypeVar { name, bound, default_value } if defaults => {
                self.def(name, DEF_TYPE_PARAM | DEF_LOCAL, tp.pos)?;
                let text = self.text(name)?;
                if let Some(b) = bound {
                    let info = if matches!(self.ex(b)?.kind, ExprKind::Tuple { .. }) { "a TypeVar constraint" } else { "a TypeVar bound" };
                    self.visit_type_param_bound_or_default(b, text, key_of_type_param(tp), info)?;
                }
                if let Some(d) = default_value {
                    self.visit_type_param_bound_or_default(d, text, key_of_type_param_default(tp), "a TypeVar default")?;
                }
            }
            TypeParamKind::TypeVarTuple { name, default_value } if defaults => {
                self.def(name, DEF_TYPE_PARAM | DEF_LOCAL, tp.pos)?;
                if let Some(d) = default_value {
                    let text = self.text(name)?;
                    self.visit_type_param_bound_or_default(d, text, key_of_type_param(tp), "a TypeVarTuple default")?;
                }
            }
            TypeParamKind::ParamSpec { name, default_value } if defaults => {
                self.def(name, DEF_TYPE_PARAM | DEF_LOCAL, tp.pos)?;
                if let Some(d) = default_value {
                    let text = self.text(name)?;
                    self.visit_type_param_bound_or_default(d, text, key_of_type_param(tp), "a ParamSpec default")?;
                }
            }
            TypeParamKind::TypeVar { name, bound, .. } => {
                self.def(name, DEF_TYPE_PARAM | DEF_LOCAL, tp.pos)?;
                if let Some(b) = bound {
                    let text = self.text(name)?;
                    let in_class = self.cur_ref().can_see_class_scope;
                    self.enter_block(text, BlockType::TypeVarBound, key_of_type_param(tp), tp.pos);
                    self.cur_entry().can_see_class_scope = in_class;
                    if in_class {
                        let bpos = self.ex(b)?.pos;
                        self.add_def("__classdict__", USE, bpos)?;
                    }
                    self.visit_expr(b)?;
                    self.exit_block();
                }
            }
            TypeParamKind::ParamSpec { name, .. } | TypeParamKind::TypeVarTuple { name, .. } => {
                self.def(name, DEF_TYPE_PARAM | DEF_LOCAL, tp.pos)?;
            }
        }
        self.depth -= 1;
        Ok(())
    }

    /// `symtable_visit_type_param_bound_or_default` (3.13).
    fn visit_type_param_bound_or_default(&mut self, e: ExprId, name: &str, key: usize, info: &'static str) -> R {
        let pos = self.ex(e)?.pos;
        let in_class = self.cur_ref().can_see_class_scope;
        self.enter_block(name, BlockType::TypeVarBound, key, pos);
        if self.release.features().deferred_annotations {
            self.add_def(".format", DEF_PARAM, pos)?;
        }
        self.cur_entry().can_see_class_scope = in_class;
        if in_class {
            self.add_def("__classdict__", USE, pos)?;
        }
        self.cur_entry().scope_info = Some(info);
        self.visit_expr(e)?;
        self.exit_block();
        Ok(())
    }

    fn visit_patterns(&mut self, ps: Seq<PatternId>) -> R {
        let ast: &'a Ast = self.tree;
        for &q in ast.seq(ps) {
            self.visit_pattern(q)?;
        }
        Ok(())
    }

    /// `symtable_visit_pattern`.
    fn visit_pattern(&mut self, id: PatternId) -> R {
        let ast: &'a Ast = self.tree;
        let p = ast.pattern(id).ok_or_else(dangling)?;
        self.enter_depth()?;
        match p.kind {
            PatternKind::MatchValue { value } => self.visit_expr(value)?,
            PatternKind::MatchSingleton { .. } => {}
            PatternKind::MatchSequence { patterns } | PatternKind::MatchOr { patterns } => self.visit_patterns(patterns)?,
            PatternKind::MatchStar { name } => {
                if let Some(n) = name {
                    self.def(n, DEF_LOCAL, p.pos)?;
                }
            }
            PatternKind::MatchMapping { keys, patterns, rest } => {
                self.visit_exprs(keys)?;
                self.visit_patterns(patterns)?;
                if let Some(r) = rest {
                    self.def(r, DEF_LOCAL, p.pos)?;
                }
            }
            PatternKind::MatchClass { cls, patterns, kwd_patterns, .. } => {
                self.visit_expr(cls)?;
                self.visit_patterns(patterns)?;
                self.visit_patterns(kwd_patterns)?;
            }
            PatternKind::MatchAs { pattern, name } => {
                if let Some(q) = pattern {
                    self.visit_pattern(q)?;
                }
                if let Some(n) = name {
                    self.def(n, DEF_LOCAL, p.pos)?;
                }
            }
        }
        self.depth -= 1;
        Ok(())
    }

    /// `symtable_visit_annotation`.
    fn visit_annotation(&mut self, ann: ExprId) -> R {
        let fa = self.future.annotations();
        if fa {
            let a = self.ex(ann)?;
            self.enter_block("_annotation", BlockType::Annotation, key_of_expr(a), a.pos);
        }
        self.visit_expr(ann)?;
        if fa {
            self.exit_block();
        }
        Ok(())
    }

    /// `symtable_visit_annotations` (3.14+).
    fn visit_annotations_314(&mut self, pos: Pos, a: &'a Arguments, returns: Option<ExprId>) -> R {
        let in_class = self.cur_ref().can_see_class_scope || self.cur_ref().block_type == BlockType::Class;
        self.enter_annotate_block(key_of_arguments(a), pos)?;
        if in_class && !self.future.annotations() {
            self.cur_entry().can_see_class_scope = true;
            self.add_def("__classdict__", USE, pos)?;
        }
        let unevaluated = self.unevaluated_annotation || self.future.annotations();
        let was = std::mem::replace(&mut self.unevaluated_annotation, unevaluated);
        let r = self.visit_annotations_314_body(a, returns);
        self.unevaluated_annotation = was;
        r?;
        self.exit_block();
        Ok(())
    }

    fn visit_annotations_314_body(&mut self, a: &'a Arguments, returns: Option<ExprId>) -> R {
        let ast: &'a Ast = self.tree;
        let args = ast.seq(a.posonlyargs).iter().chain(ast.seq(a.args));
        for arg in args.chain(a.vararg.as_ref()).chain(a.kwarg.as_ref()).chain(ast.seq(a.kwonlyargs)) {
            if let Some(an) = arg.annotation {
                self.cur_entry().annotations_used = true;
                self.visit_expr(an)?;
            }
        }
        if let Some(r) = returns {
            self.cur_entry().annotations_used = true;
            self.visit_expr(r)?;
        }
        Ok(())
    }

    /// `symtable_visit_annotation` (3.14+).
    fn visit_annotation_314(&mut self, ann: ExprId) -> R {
        let apos = self.ex(ann)?.pos;
        let parent = self.cur();
        let pt = self.cur_ref().block_type;
        let unevaluated = pt == BlockType::Function || self.future.annotations();
        if matches!(pt, BlockType::Class | BlockType::Module)
            && self.cur_ref().in_conditional_block
            && !self.cur_ref().has_conditional_annotations
        {
            self.cur_entry().has_conditional_annotations = true;
            self.add_def("__conditional_annotations__", USE, apos)?;
        }
        let block = self.entries.get(parent).ok_or_else(dangling)?.annotation_block;
        match block {
            None => {
                self.enter_annotate_block(key_of_annotation_block(parent), apos)?;
                let id = self.cur();
                if let Some(p) = self.entries.get_mut(parent) {
                    p.annotation_block = Some(id);
                }
                if pt == BlockType::Class && !self.future.annotations() {
                    self.cur_entry().can_see_class_scope = true;
                    self.add_def("__classdict__", USE, apos)?;
                }
            }
            Some(id) => self.stack.push(id),
        }
        let was = std::mem::replace(&mut self.unevaluated_annotation, unevaluated);
        let r = self.visit_expr(ann);
        self.unevaluated_annotation = was;
        r?;
        self.exit_block();
        Ok(())
    }

    /// `symtable_visit_annotations`.
    fn visit_annotations(&mut self, pos: Pos, a: &'a Arguments, returns: Option<ExprId>) -> R {
        let ast: &'a Ast = self.tree;
        let fa = self.future.annotations();
        if fa {
            self.enter_block("_annotation", BlockType::Annotation, 0, pos);
        }
        let args = ast.seq(a.posonlyargs).iter().chain(ast.seq(a.args));
        for arg in args.chain(a.vararg.as_ref()).chain(a.kwarg.as_ref()).chain(ast.seq(a.kwonlyargs)) {
            if let Some(an) = arg.annotation {
                self.visit_expr(an)?;
            }
        }
        if fa {
            self.exit_block();
        }
        if let Some(r) = returns {
            self.visit_annotation(r)?;
        }
        Ok(())
    }

    /// `symtable_visit_arguments`.
    fn visit_arguments(&mut self, a: &'a Arguments) -> R {
        let ast: &'a Ast = self.tree;
        for arg in ast.seq(a.posonlyargs).iter().chain(ast.seq(a.args)).chain(ast.seq(a.kwonlyargs)) {
            self.def(arg.arg, DEF_PARAM, arg.pos)?;
        }
        if let Some(v) = &a.vararg {
            self.def(v.arg, DEF_PARAM, v.pos)?;
            self.cur_entry().varargs = true;
        }
        if let Some(v) = &a.kwarg {
            self.def(v.arg, DEF_PARAM, v.pos)?;
            self.cur_entry().varkeywords = true;
        }
        Ok(())
    }

    /// `symtable_handle_namedexpr`.
    fn handle_namedexpr(&mut self, pos: Pos, target: ExprId, value: ExprId) -> R {
        if self.cur_ref().comp_iter_expr > 0 {
            return Err(CompileError::syntax_at(super::NAMED_EXPR_COMP_ITER_EXPR, pos));
        }
        if self.cur_ref().comprehension != ComprehensionType::None {
            let t = self.ex(target)?;
            if let ExprKind::Name { id, .. } = t.kind {
                let text = self.text(id)?;
                self.extend_namedexpr_scope(text, t.pos)?;
            }
        }
        self.visit_expr(value)?;
        self.visit_expr(target)
    }

    /// `symtable_handle_comprehension`.
    fn handle_comprehension(
        &mut self,
        e: ExprId,
        scope_name: &str,
        generators: Seq<Comprehension>,
        elt: ExprId,
        value: Option<ExprId>,
        kind: ComprehensionType,
    ) -> R {
        let ast: &'a Ast = self.tree;
        let node = self.ex(e)?;
        let pos = node.pos;
        let gens = ast.seq(generators);
        let is_generator = kind == ComprehensionType::Generator;
        let Some(outermost) = gens.first() else { return Ok(()) };
        self.cur_entry().comp_iter_expr += 1;
        self.visit_expr(outermost.iter)?;
        self.cur_entry().comp_iter_expr -= 1;
        self.enter_block(scope_name, BlockType::Function, key_of_expr(node), pos);
        self.cur_entry().comprehension = kind;
        if outermost.is_async {
            self.cur_entry().coroutine = true;
        }
        self.add_def(".0", DEF_PARAM, pos)?;
        self.cur_entry().comp_iter_target = true;
        self.visit_expr(outermost.target)?;
        self.cur_entry().comp_iter_target = false;
        self.visit_exprs(outermost.ifs)?;
        for g in gens.iter().skip(1) {
            self.cur_entry().comp_iter_target = true;
            self.visit_expr(g.target)?;
            self.cur_entry().comp_iter_target = false;
            self.cur_entry().comp_iter_expr += 1;
            self.visit_expr(g.iter)?;
            self.cur_entry().comp_iter_expr -= 1;
            self.visit_exprs(g.ifs)?;
            if g.is_async {
                self.cur_entry().coroutine = true;
            }
        }
        if let Some(v) = value {
            self.visit_expr(v)?;
        }
        self.visit_expr(elt)?;
        self.cur_entry().generator = is_generator;
        let is_async = self.cur_ref().coroutine && !is_generator;
        self.exit_block();
        if is_async {
            self.cur_entry().coroutine = true;
        }
        Ok(())
    }

    /// `symtable_visit_expr`.
    fn visit_expr(&mut self, e: ExprId) -> R {
        self.enter_depth()?;
        let r = if self.depth.is_multiple_of(crate::STACK_CHECK_EVERY) {
            stacker::maybe_grow(crate::RED_ZONE, crate::STACK_GROW, || self.visit_expr_inner(e))
        } else {
            self.visit_expr_inner(e)
        };
        self.depth -= 1;
        r
    }

    fn visit_expr_inner(&mut self, id: ExprId) -> R {
        let e = self.ex(id)?;
        let pos = e.pos;
        match e.kind {
            ExprKind::NamedExpr { target, value } => {
                self.raise_if_annotation_block("named expression", pos)?;
                self.handle_namedexpr(pos, target, value)?;
            }
            ExprKind::BoolOp { values, .. } => self.visit_exprs(values)?,
            ExprKind::BinOp { left, right, .. } => {
                self.visit_expr(left)?;
                self.visit_expr(right)?;
            }
            ExprKind::UnaryOp { operand, .. } => self.visit_expr(operand)?,
            ExprKind::Lambda { args, body } => {
                let a = self.args_of(args)?;
                self.visit_exprs(a.defaults)?;
                self.visit_opt_exprs(a.kw_defaults)?;
                self.enter_block("lambda", BlockType::Function, key_of_expr(e), pos);
                self.visit_arguments(a)?;
                self.visit_expr(body)?;
                self.exit_block();
            }
            ExprKind::IfExp { test, body, orelse } => {
                self.visit_expr(test)?;
                self.visit_expr(body)?;
                self.visit_expr(orelse)?;
            }
            ExprKind::Dict { keys, values } => {
                self.visit_opt_exprs(keys)?;
                self.visit_exprs(values)?;
            }
            ExprKind::Set { elts } => self.visit_exprs(elts)?,
            ExprKind::GeneratorExp { elt, generators } => {
                self.handle_comprehension(id, "genexpr", generators, elt, None, ComprehensionType::Generator)?
            }
            ExprKind::ListComp { elt, generators } => {
                self.handle_comprehension(id, "listcomp", generators, elt, None, ComprehensionType::List)?
            }
            ExprKind::SetComp { elt, generators } => {
                self.handle_comprehension(id, "setcomp", generators, elt, None, ComprehensionType::Set)?
            }
            ExprKind::DictComp { key, value, generators } => {
                self.handle_comprehension(id, "dictcomp", generators, key, value, ComprehensionType::Dict)?
            }
            ExprKind::Yield { value } => {
                self.raise_if_annotation_block("yield expression", pos)?;
                if let Some(v) = value {
                    self.visit_expr(v)?;
                }
                self.cur_entry().generator = true;
                if self.cur_ref().comprehension != ComprehensionType::None {
                    return self.raise_if_comprehension_block(pos);
                }
            }
            ExprKind::YieldFrom { value } => {
                self.raise_if_annotation_block("yield expression", pos)?;
                self.visit_expr(value)?;
                self.cur_entry().generator = true;
                if self.cur_ref().comprehension != ComprehensionType::None {
                    return self.raise_if_comprehension_block(pos);
                }
            }
            ExprKind::Await { value } => {
                self.raise_if_annotation_block("await expression", pos)?;
                self.visit_expr(value)?;
                self.cur_entry().coroutine = true;
            }
            ExprKind::Compare { left, comparators, .. } => {
                self.visit_expr(left)?;
                self.visit_exprs(comparators)?;
            }
            ExprKind::Call { func, args, keywords } => {
                self.visit_expr(func)?;
                self.visit_exprs(args)?;
                self.visit_keywords(keywords)?;
            }
            ExprKind::FormattedValue { value, format_spec, .. } | ExprKind::Interpolation { value, format_spec, .. } => {
                self.visit_expr(value)?;
                if let Some(f) = format_spec {
                    self.visit_expr(f)?;
                }
            }
            ExprKind::JoinedStr { values } | ExprKind::TemplateStr { values } => self.visit_exprs(values)?,
            ExprKind::Constant { .. } => {}
            ExprKind::Attribute { value, .. } => self.visit_expr(value)?,
            ExprKind::Subscript { value, slice, .. } => {
                self.visit_expr(value)?;
                self.visit_expr(slice)?;
            }
            ExprKind::Starred { value, .. } => self.visit_expr(value)?,
            ExprKind::Slice { lower, upper, step } => {
                for x in [lower, upper, step].into_iter().flatten() {
                    self.visit_expr(x)?;
                }
            }
            ExprKind::Name { .. } if self.unevaluated_annotation => {}
            ExprKind::Name { id: n, ctx } => {
                let f = if ctx == ExprContext::Load { USE } else { DEF_LOCAL };
                self.def(n, f, pos)?;
                if ctx == ExprContext::Load && self.cur_ref().block_type == BlockType::Function && self.text(n)? == "super" {
                    self.add_def("__class__", USE, pos)?;
                }
            }
            ExprKind::List { elts, .. } | ExprKind::Tuple { elts, .. } => self.visit_exprs(elts)?,
        }
        Ok(())
    }

    fn visit_keywords(&mut self, kws: Seq<Keyword>) -> R {
        let ast: &'a Ast = self.tree;
        for k in ast.seq(kws) {
            self.visit_expr(k.value)?;
        }
        Ok(())
    }
}

fn type_params_pos(tps: &[TypeParam]) -> Pos {
    match (tps.first(), tps.last()) {
        (Some(a), Some(b)) => {
            Pos { lineno: a.pos.lineno, col_offset: a.pos.col_offset, end_lineno: b.pos.end_lineno, end_col_offset: b.pos.end_col_offset }
        }
        _ => Pos::default(),
    }
}
