//! [`ArenaBuilder`]: the second [`AstBuilder`] (docs/parser.md §3), building
//! [`pycode_ast::arena::Ast`]: nodes pushed into one pool per kind, 4-byte ids through the rule
//! frames instead of 80-byte values, identifiers interned once per source.
//!
//! The parser may build a node and then abandon the alternative that made it; such nodes stay
//! in the pools, unreferenced. [`AstBuilder::set_context`] makes new nodes for the target instead of
//! changing the expression in place, so an id the parser kept elsewhere (a memo) keeps its meaning.

use pycode_ast::arena::{self as ar, ArgumentsId, Ast, ExprId, NameId, PatternId, Seq, StmtId};
use pycode_ast::{BoolOp, CmpOp, Constant, ExprContext, Operator, Pos, UnaryOp};

use crate::builder::{AstBuilder, ExprTag, ExprView};

/// Builds an [`Ast`]; the `Mod` the parser returns is the whole tree.
pub struct ArenaBuilder {
    ast: Ast,
}

impl ArenaBuilder {
    /// A builder for a source of about `source_len` bytes.
    pub fn new(source_len: usize) -> ArenaBuilder {
        ArenaBuilder { ast: Ast::with_source_len(source_len) }
    }

    /// A builder filling `ast` after clearing it (its pools keep their memory).
    pub fn reusing(mut ast: Ast) -> ArenaBuilder {
        ast.clear();
        ArenaBuilder { ast }
    }

    /// The arena as it is (a parse that failed leaves the nodes it made).
    pub fn into_ast(self) -> Ast {
        self.ast
    }

    fn finish(&mut self, root: ar::Mod) -> Ast {
        let mut ast = std::mem::take(&mut self.ast);
        ast.root = Some(root);
        ast
    }

    fn e(&mut self, kind: ar::ExprKind, pos: Pos) -> ExprId {
        self.ast.add_expr(kind, pos)
    }

    fn s(&mut self, kind: ar::StmtKind, pos: Pos) -> StmtId {
        self.ast.add_stmt(kind, pos)
    }

    fn p(&mut self, kind: ar::PatternKind, pos: Pos) -> PatternId {
        self.ast.add_pattern(kind, pos)
    }

    fn seq<T>(&mut self, v: Vec<T>) -> Seq<T>
    where
        Ast: ar::Pool<T>,
    {
        self.ast.add_seq(v)
    }

    /// `e` as a target: a new node (and new nodes for the elements and starred values it holds).
    fn with_ctx(&mut self, e: ExprId, c: ExprContext) -> ExprId {
        use ar::ExprKind as K;
        let Some(node) = self.ast.expr(e).copied() else { return e };
        let kind = match node.kind {
            K::Name { id, .. } => K::Name { id, ctx: c },
            K::Attribute { value, attr, .. } => K::Attribute { value, attr, ctx: c },
            K::Subscript { value, slice, .. } => K::Subscript { value, slice, ctx: c },
            K::Starred { value, .. } => K::Starred { value: self.with_ctx(value, c), ctx: c },
            K::List { elts, .. } => K::List { elts: self.elts_with_ctx(elts, c), ctx: c },
            K::Tuple { elts, .. } => K::Tuple { elts: self.elts_with_ctx(elts, c), ctx: c },
            _ => return e,
        };
        self.e(kind, node.pos)
    }

    fn elts_with_ctx(&mut self, elts: Seq<ExprId>, c: ExprContext) -> Seq<ExprId> {
        let old = self.ast.seq(elts).to_vec();
        let new = old.into_iter().map(|x| self.with_ctx(x, c)).collect();
        self.seq(new)
    }

    fn arguments_id(&mut self, a: ar::Arguments) -> ArgumentsId {
        self.ast.add_arguments(a)
    }
}

#[allow(clippy::too_many_arguments)]
impl AstBuilder for ArenaBuilder {
    type Mod = Ast;
    type Stmt = StmtId;
    type Expr = ExprId;
    type Pattern = PatternId;
    type Arg = ar::Arg;
    type Arguments = ar::Arguments;
    type Keyword = ar::Keyword;
    type Alias = ar::Alias;
    type WithItem = ar::WithItem;
    type MatchCase = ar::MatchCase;
    type ExceptHandler = ar::ExceptHandler;
    type Comprehension = ar::Comprehension;
    type TypeParam = ar::TypeParam;
    type Ident = NameId;

    #[inline]
    fn ident(&mut self, s: &str) -> NameId {
        self.ast.intern(s)
    }

    fn module(&mut self, body: Vec<StmtId>) -> Ast {
        let body = self.seq(body);
        self.finish(ar::Mod::Module { body, type_ignores: Seq::EMPTY })
    }
    fn interactive(&mut self, body: Vec<StmtId>) -> Ast {
        let body = self.seq(body);
        self.finish(ar::Mod::Interactive { body })
    }
    fn expression(&mut self, body: ExprId) -> Ast {
        self.finish(ar::Mod::Expression { body })
    }
    fn function_type(&mut self, argtypes: Vec<ExprId>, returns: ExprId) -> Ast {
        let argtypes = self.seq(argtypes);
        self.finish(ar::Mod::FunctionType { argtypes, returns })
    }
    fn type_ignores(&mut self, mut m: Ast, ignores: &[(u32, &str)]) -> Ast {
        if let Some(ar::Mod::Module { body, .. }) = m.root {
            let items: Vec<ar::TypeIgnore> = ignores.iter().map(|&(lineno, tag)| ar::TypeIgnore { lineno, tag: m.add_str(tag) }).collect();
            let type_ignores = m.add_seq(items);
            m.root = Some(ar::Mod::Module { body, type_ignores });
        }
        m
    }
    fn stmt_type_comment(&mut self, s: StmtId, comment: &str) -> StmtId {
        let tc = Some(self.ast.add_str(comment));
        if let Some(st) = self.ast.stmt_mut(s) {
            match &mut st.kind {
                ar::StmtKind::FunctionDef(f) | ar::StmtKind::AsyncFunctionDef(f) => f.type_comment = tc,
                ar::StmtKind::For(f) | ar::StmtKind::AsyncFor(f) => f.type_comment = tc,
                ar::StmtKind::Assign { type_comment, .. }
                | ar::StmtKind::With { type_comment, .. }
                | ar::StmtKind::AsyncWith { type_comment, .. } => *type_comment = tc,
                _ => {}
            }
        }
        s
    }
    fn arg_type_comment(&mut self, mut a: ar::Arg, comment: &str) -> ar::Arg {
        a.type_comment = Some(self.ast.add_str(comment));
        a
    }

    fn function_def(
        &mut self,
        is_async: bool,
        name: NameId,
        args: ar::Arguments,
        body: Vec<StmtId>,
        decorator_list: Vec<ExprId>,
        returns: Option<ExprId>,
        type_params: Vec<ar::TypeParam>,
        pos: Pos,
    ) -> StmtId {
        let f = ar::FunctionDef {
            name,
            args: self.arguments_id(args),
            body: self.seq(body),
            decorator_list: self.seq(decorator_list),
            returns,
            type_comment: None,
            type_params: self.seq(type_params),
        };
        self.s(if is_async { ar::StmtKind::AsyncFunctionDef(f) } else { ar::StmtKind::FunctionDef(f) }, pos)
    }
    fn class_def(
        &mut self,
        name: NameId,
        bases: Vec<ExprId>,
        keywords: Vec<ar::Keyword>,
        body: Vec<StmtId>,
        decorator_list: Vec<ExprId>,
        type_params: Vec<ar::TypeParam>,
        pos: Pos,
    ) -> StmtId {
        let c = ar::ClassDef {
            name,
            bases: self.seq(bases),
            keywords: self.seq(keywords),
            body: self.seq(body),
            decorator_list: self.seq(decorator_list),
            type_params: self.seq(type_params),
        };
        self.s(ar::StmtKind::ClassDef(c), pos)
    }
    fn return_(&mut self, value: Option<ExprId>, pos: Pos) -> StmtId {
        self.s(ar::StmtKind::Return { value }, pos)
    }
    fn delete(&mut self, targets: Vec<ExprId>, pos: Pos) -> StmtId {
        let targets = self.seq(targets);
        self.s(ar::StmtKind::Delete { targets }, pos)
    }
    fn assign(&mut self, targets: Vec<ExprId>, value: ExprId, pos: Pos) -> StmtId {
        let targets = self.seq(targets);
        self.s(ar::StmtKind::Assign { targets, value, type_comment: None }, pos)
    }
    fn type_alias(&mut self, name: ExprId, type_params: Vec<ar::TypeParam>, value: ExprId, pos: Pos) -> StmtId {
        let type_params = self.seq(type_params);
        self.s(ar::StmtKind::TypeAlias { name, type_params, value }, pos)
    }
    fn aug_assign(&mut self, target: ExprId, op: Operator, value: ExprId, pos: Pos) -> StmtId {
        self.s(ar::StmtKind::AugAssign { target, op, value }, pos)
    }
    fn ann_assign(&mut self, target: ExprId, annotation: ExprId, value: Option<ExprId>, simple: bool, pos: Pos) -> StmtId {
        self.s(ar::StmtKind::AnnAssign { target, annotation, value, simple }, pos)
    }
    fn for_(&mut self, is_async: bool, target: ExprId, iter: ExprId, body: Vec<StmtId>, orelse: Vec<StmtId>, pos: Pos) -> StmtId {
        let f = ar::For { target, iter, body: self.seq(body), orelse: self.seq(orelse), type_comment: None };
        self.s(if is_async { ar::StmtKind::AsyncFor(f) } else { ar::StmtKind::For(f) }, pos)
    }
    fn while_(&mut self, test: ExprId, body: Vec<StmtId>, orelse: Vec<StmtId>, pos: Pos) -> StmtId {
        let (body, orelse) = (self.seq(body), self.seq(orelse));
        self.s(ar::StmtKind::While { test, body, orelse }, pos)
    }
    fn if_(&mut self, test: ExprId, body: Vec<StmtId>, orelse: Vec<StmtId>, pos: Pos) -> StmtId {
        let (body, orelse) = (self.seq(body), self.seq(orelse));
        self.s(ar::StmtKind::If { test, body, orelse }, pos)
    }
    fn with(&mut self, is_async: bool, items: Vec<ar::WithItem>, body: Vec<StmtId>, pos: Pos) -> StmtId {
        let (items, body) = (self.seq(items), self.seq(body));
        self.s(
            if is_async {
                ar::StmtKind::AsyncWith { items, body, type_comment: None }
            } else {
                ar::StmtKind::With { items, body, type_comment: None }
            },
            pos,
        )
    }
    fn match_(&mut self, subject: ExprId, cases: Vec<ar::MatchCase>, pos: Pos) -> StmtId {
        let cases = self.seq(cases);
        self.s(ar::StmtKind::Match { subject, cases }, pos)
    }
    fn raise(&mut self, exc: Option<ExprId>, cause: Option<ExprId>, pos: Pos) -> StmtId {
        self.s(ar::StmtKind::Raise { exc, cause }, pos)
    }
    fn try_(
        &mut self,
        star: bool,
        body: Vec<StmtId>,
        handlers: Vec<ar::ExceptHandler>,
        orelse: Vec<StmtId>,
        finalbody: Vec<StmtId>,
        pos: Pos,
    ) -> StmtId {
        let x = ar::Try { body: self.seq(body), handlers: self.seq(handlers), orelse: self.seq(orelse), finalbody: self.seq(finalbody) };
        self.s(if star { ar::StmtKind::TryStar(x) } else { ar::StmtKind::Try(x) }, pos)
    }
    fn assert(&mut self, test: ExprId, msg: Option<ExprId>, pos: Pos) -> StmtId {
        self.s(ar::StmtKind::Assert { test, msg }, pos)
    }
    fn import(&mut self, names: Vec<ar::Alias>, is_lazy: bool, pos: Pos) -> StmtId {
        let names = self.seq(names);
        self.s(ar::StmtKind::Import { names, is_lazy }, pos)
    }
    fn import_from(&mut self, module: Option<NameId>, names: Vec<ar::Alias>, level: u32, is_lazy: bool, pos: Pos) -> StmtId {
        let names = self.seq(names);
        self.s(ar::StmtKind::ImportFrom { module, names, level, is_lazy }, pos)
    }
    fn global(&mut self, names: Vec<NameId>, pos: Pos) -> StmtId {
        let names = self.seq(names);
        self.s(ar::StmtKind::Global { names }, pos)
    }
    fn nonlocal(&mut self, names: Vec<NameId>, pos: Pos) -> StmtId {
        let names = self.seq(names);
        self.s(ar::StmtKind::Nonlocal { names }, pos)
    }
    fn expr_stmt(&mut self, value: ExprId, pos: Pos) -> StmtId {
        self.s(ar::StmtKind::Expr { value }, pos)
    }
    fn pass(&mut self, pos: Pos) -> StmtId {
        self.s(ar::StmtKind::Pass, pos)
    }
    fn break_(&mut self, pos: Pos) -> StmtId {
        self.s(ar::StmtKind::Break, pos)
    }
    fn continue_(&mut self, pos: Pos) -> StmtId {
        self.s(ar::StmtKind::Continue, pos)
    }

    fn bool_op(&mut self, op: BoolOp, values: Vec<ExprId>, pos: Pos) -> ExprId {
        let values = self.seq(values);
        self.e(ar::ExprKind::BoolOp { op, values }, pos)
    }
    fn named_expr(&mut self, target: ExprId, value: ExprId, pos: Pos) -> ExprId {
        self.e(ar::ExprKind::NamedExpr { target, value }, pos)
    }
    #[inline]
    fn bin_op(&mut self, left: ExprId, op: Operator, right: ExprId, pos: Pos) -> ExprId {
        self.e(ar::ExprKind::BinOp { left, op, right }, pos)
    }
    fn unary_op(&mut self, op: UnaryOp, operand: ExprId, pos: Pos) -> ExprId {
        self.e(ar::ExprKind::UnaryOp { op, operand }, pos)
    }
    fn lambda(&mut self, args: ar::Arguments, body: ExprId, pos: Pos) -> ExprId {
        let args = self.arguments_id(args);
        self.e(ar::ExprKind::Lambda { args, body }, pos)
    }
    fn if_exp(&mut self, test: ExprId, body: ExprId, orelse: ExprId, pos: Pos) -> ExprId {
        self.e(ar::ExprKind::IfExp { test, body, orelse }, pos)
    }
    fn dict(&mut self, keys: Vec<Option<ExprId>>, values: Vec<ExprId>, pos: Pos) -> ExprId {
        let (keys, values) = (self.seq(keys), self.seq(values));
        self.e(ar::ExprKind::Dict { keys, values }, pos)
    }
    fn set(&mut self, elts: Vec<ExprId>, pos: Pos) -> ExprId {
        let elts = self.seq(elts);
        self.e(ar::ExprKind::Set { elts }, pos)
    }
    fn list_comp(&mut self, elt: ExprId, generators: Vec<ar::Comprehension>, pos: Pos) -> ExprId {
        let generators = self.seq(generators);
        self.e(ar::ExprKind::ListComp { elt, generators }, pos)
    }
    fn set_comp(&mut self, elt: ExprId, generators: Vec<ar::Comprehension>, pos: Pos) -> ExprId {
        let generators = self.seq(generators);
        self.e(ar::ExprKind::SetComp { elt, generators }, pos)
    }
    fn dict_comp(&mut self, key: ExprId, value: ExprId, generators: Vec<ar::Comprehension>, pos: Pos) -> ExprId {
        let generators = self.seq(generators);
        self.e(ar::ExprKind::DictComp { key, value: Some(value), generators }, pos)
    }
    fn dict_comp_unpack(&mut self, key: ExprId, generators: Vec<ar::Comprehension>, pos: Pos) -> ExprId {
        let generators = self.seq(generators);
        self.e(ar::ExprKind::DictComp { key, value: None, generators }, pos)
    }
    fn generator_exp(&mut self, elt: ExprId, generators: Vec<ar::Comprehension>, pos: Pos) -> ExprId {
        let generators = self.seq(generators);
        self.e(ar::ExprKind::GeneratorExp { elt, generators }, pos)
    }
    fn await_(&mut self, value: ExprId, pos: Pos) -> ExprId {
        self.e(ar::ExprKind::Await { value }, pos)
    }
    fn yield_(&mut self, value: Option<ExprId>, pos: Pos) -> ExprId {
        self.e(ar::ExprKind::Yield { value }, pos)
    }
    fn yield_from(&mut self, value: ExprId, pos: Pos) -> ExprId {
        self.e(ar::ExprKind::YieldFrom { value }, pos)
    }
    fn compare(&mut self, left: ExprId, ops: Vec<CmpOp>, comparators: Vec<ExprId>, pos: Pos) -> ExprId {
        let (ops, comparators) = (self.seq(ops), self.seq(comparators));
        self.e(ar::ExprKind::Compare { left, ops, comparators }, pos)
    }
    #[inline]
    fn call(&mut self, func: ExprId, args: Vec<ExprId>, keywords: Vec<ar::Keyword>, pos: Pos) -> ExprId {
        let (args, keywords) = (self.seq(args), self.seq(keywords));
        self.e(ar::ExprKind::Call { func, args, keywords }, pos)
    }
    fn formatted_value(&mut self, value: ExprId, conversion: i32, format_spec: Option<ExprId>, pos: Pos) -> ExprId {
        self.e(ar::ExprKind::FormattedValue { value, conversion, format_spec }, pos)
    }
    fn interpolation(&mut self, value: ExprId, text: &str, conversion: i32, format_spec: Option<ExprId>, pos: Pos) -> ExprId {
        let str = self.ast.add_str(text);
        self.e(ar::ExprKind::Interpolation { value, str, conversion, format_spec }, pos)
    }
    fn joined_str(&mut self, values: Vec<ExprId>, pos: Pos) -> ExprId {
        let values = self.seq(values);
        self.e(ar::ExprKind::JoinedStr { values }, pos)
    }
    fn template_str(&mut self, values: Vec<ExprId>, pos: Pos) -> ExprId {
        let values = self.seq(values);
        self.e(ar::ExprKind::TemplateStr { values }, pos)
    }
    #[inline]
    fn constant(&mut self, value: Constant, kind_u: bool, pos: Pos) -> ExprId {
        let value = self.ast.add_constant(value);
        self.e(ar::ExprKind::Constant { value, kind_u }, pos)
    }
    #[inline]
    fn attribute(&mut self, value: ExprId, attr: NameId, ctx: ExprContext, pos: Pos) -> ExprId {
        self.e(ar::ExprKind::Attribute { value, attr, ctx }, pos)
    }
    fn subscript(&mut self, value: ExprId, slice: ExprId, ctx: ExprContext, pos: Pos) -> ExprId {
        self.e(ar::ExprKind::Subscript { value, slice, ctx }, pos)
    }
    fn starred(&mut self, value: ExprId, ctx: ExprContext, pos: Pos) -> ExprId {
        self.e(ar::ExprKind::Starred { value, ctx }, pos)
    }
    #[inline]
    fn name(&mut self, id: NameId, ctx: ExprContext, pos: Pos) -> ExprId {
        self.e(ar::ExprKind::Name { id, ctx }, pos)
    }
    fn list(&mut self, elts: Vec<ExprId>, ctx: ExprContext, pos: Pos) -> ExprId {
        let elts = self.seq(elts);
        self.e(ar::ExprKind::List { elts, ctx }, pos)
    }
    fn tuple(&mut self, elts: Vec<ExprId>, ctx: ExprContext, pos: Pos) -> ExprId {
        let elts = self.seq(elts);
        self.e(ar::ExprKind::Tuple { elts, ctx }, pos)
    }
    fn slice(&mut self, lower: Option<ExprId>, upper: Option<ExprId>, step: Option<ExprId>, pos: Pos) -> ExprId {
        self.e(ar::ExprKind::Slice { lower, upper, step }, pos)
    }
    fn set_context(&mut self, e: ExprId, ctx: ExprContext) -> ExprId {
        self.with_ctx(e, ctx)
    }
    fn expr_view(&self, e: &ExprId) -> ExprView<ExprId> {
        use ar::ExprKind as K;
        let Some(node) = self.ast.expr(*e) else {
            return ExprView { tag: ExprTag::Literal, pos: Pos::default(), children: Vec::new() };
        };
        let mut children = Vec::new();
        let tag = match node.kind {
            K::BoolOp { .. } | K::BinOp { .. } | K::UnaryOp { .. } => ExprTag::Operation,
            K::NamedExpr { .. } => ExprTag::NamedExpr,
            K::Lambda { .. } => ExprTag::Lambda,
            K::IfExp { .. } => ExprTag::IfExp,
            K::Dict { .. } => ExprTag::Dict,
            K::Set { .. } => ExprTag::Set,
            K::ListComp { .. } => ExprTag::ListComp,
            K::SetComp { .. } => ExprTag::SetComp,
            K::DictComp { .. } => ExprTag::DictComp,
            K::GeneratorExp { .. } => ExprTag::GeneratorExp,
            K::Await { .. } => ExprTag::Await,
            K::Yield { .. } | K::YieldFrom { .. } => ExprTag::Yield,
            K::Compare { left, ops, .. } => {
                children.push(left);
                ExprTag::Compare(matches!(self.ast.seq(ops).first(), Some(CmpOp::In)))
            }
            K::Call { .. } => ExprTag::Call,
            K::FormattedValue { .. } | K::JoinedStr { .. } => ExprTag::FString,
            K::Interpolation { .. } | K::TemplateStr { .. } => ExprTag::TString,
            K::Constant { value, .. } => match self.ast.constant(value) {
                Some(Constant::None) => ExprTag::None,
                Some(Constant::True) => ExprTag::True,
                Some(Constant::False) => ExprTag::False,
                Some(Constant::Ellipsis) => ExprTag::Ellipsis,
                _ => ExprTag::Literal,
            },
            K::Attribute { .. } => ExprTag::Attribute,
            K::Subscript { .. } => ExprTag::Subscript,
            K::Starred { value, .. } => {
                children.push(value);
                ExprTag::Starred
            }
            K::Name { .. } => ExprTag::Name,
            K::List { elts, .. } => {
                children.extend_from_slice(self.ast.seq(elts));
                ExprTag::List
            }
            K::Tuple { elts, .. } => {
                children.extend_from_slice(self.ast.seq(elts));
                ExprTag::Tuple
            }
            K::Slice { .. } => ExprTag::Slice,
        };
        ExprView { tag, pos: node.pos, children }
    }

    fn comprehension(&mut self, target: ExprId, iter: ExprId, ifs: Vec<ExprId>, is_async: bool) -> ar::Comprehension {
        ar::Comprehension { target, iter, ifs: self.seq(ifs), is_async }
    }
    fn except_handler(&mut self, type_: Option<ExprId>, name: Option<NameId>, body: Vec<StmtId>, pos: Pos) -> ar::ExceptHandler {
        ar::ExceptHandler { pos, type_, name, body: self.seq(body) }
    }
    fn arguments(
        &mut self,
        posonlyargs: Vec<ar::Arg>,
        args: Vec<ar::Arg>,
        vararg: Option<ar::Arg>,
        kwonlyargs: Vec<ar::Arg>,
        kw_defaults: Vec<Option<ExprId>>,
        kwarg: Option<ar::Arg>,
        defaults: Vec<ExprId>,
    ) -> ar::Arguments {
        ar::Arguments {
            posonlyargs: self.seq(posonlyargs),
            args: self.seq(args),
            vararg,
            kwonlyargs: self.seq(kwonlyargs),
            kw_defaults: self.seq(kw_defaults),
            kwarg,
            defaults: self.seq(defaults),
        }
    }
    fn arg(&mut self, arg: NameId, annotation: Option<ExprId>, pos: Pos) -> ar::Arg {
        ar::Arg { pos, arg, annotation, type_comment: None }
    }
    fn keyword(&mut self, arg: Option<NameId>, value: ExprId, pos: Pos) -> ar::Keyword {
        ar::Keyword { pos, arg, value }
    }
    fn alias(&mut self, name: NameId, asname: Option<NameId>, pos: Pos) -> ar::Alias {
        ar::Alias { pos, name, asname }
    }
    fn with_item(&mut self, context_expr: ExprId, optional_vars: Option<ExprId>) -> ar::WithItem {
        ar::WithItem { context_expr, optional_vars }
    }
    fn match_case(&mut self, pattern: PatternId, guard: Option<ExprId>, body: Vec<StmtId>) -> ar::MatchCase {
        ar::MatchCase { pattern, guard, body: self.seq(body) }
    }

    fn match_value(&mut self, value: ExprId, pos: Pos) -> PatternId {
        self.p(ar::PatternKind::MatchValue { value }, pos)
    }
    fn match_singleton(&mut self, value: Constant, pos: Pos) -> PatternId {
        let value = self.ast.add_constant(value);
        self.p(ar::PatternKind::MatchSingleton { value }, pos)
    }
    fn match_sequence(&mut self, patterns: Vec<PatternId>, pos: Pos) -> PatternId {
        let patterns = self.seq(patterns);
        self.p(ar::PatternKind::MatchSequence { patterns }, pos)
    }
    fn match_mapping(&mut self, keys: Vec<ExprId>, patterns: Vec<PatternId>, rest: Option<NameId>, pos: Pos) -> PatternId {
        let (keys, patterns) = (self.seq(keys), self.seq(patterns));
        self.p(ar::PatternKind::MatchMapping { keys, patterns, rest }, pos)
    }
    fn match_class(
        &mut self,
        cls: ExprId,
        patterns: Vec<PatternId>,
        kwd_attrs: Vec<NameId>,
        kwd_patterns: Vec<PatternId>,
        pos: Pos,
    ) -> PatternId {
        let (patterns, kwd_attrs, kwd_patterns) = (self.seq(patterns), self.seq(kwd_attrs), self.seq(kwd_patterns));
        self.p(ar::PatternKind::MatchClass { cls, patterns, kwd_attrs, kwd_patterns }, pos)
    }
    fn match_star(&mut self, name: Option<NameId>, pos: Pos) -> PatternId {
        self.p(ar::PatternKind::MatchStar { name }, pos)
    }
    fn match_as(&mut self, pattern: Option<PatternId>, name: Option<NameId>, pos: Pos) -> PatternId {
        self.p(ar::PatternKind::MatchAs { pattern, name }, pos)
    }
    fn match_or(&mut self, patterns: Vec<PatternId>, pos: Pos) -> PatternId {
        let patterns = self.seq(patterns);
        self.p(ar::PatternKind::MatchOr { patterns }, pos)
    }

    fn type_var(&mut self, name: NameId, bound: Option<ExprId>, default_value: Option<ExprId>, pos: Pos) -> ar::TypeParam {
        ar::TypeParam { pos, kind: ar::TypeParamKind::TypeVar { name, bound, default_value } }
    }
    fn param_spec(&mut self, name: NameId, default_value: Option<ExprId>, pos: Pos) -> ar::TypeParam {
        ar::TypeParam { pos, kind: ar::TypeParamKind::ParamSpec { name, default_value } }
    }
    fn type_var_tuple(&mut self, name: NameId, default_value: Option<ExprId>, pos: Pos) -> ar::TypeParam {
        ar::TypeParam { pos, kind: ar::TypeParamKind::TypeVarTuple { name, default_value } }
    }
}
