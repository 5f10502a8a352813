//! The AST contract (docs/parser.md §3): the parser calls an [`AstBuilder`] whose methods are the
//! ASDL constructors of `Parser/Python.asdl`, and never names a tree type. [`TreeBuilder`] is the
//! first implementation: it builds `pycode_ast`'s boxed trees.

use pycode_ast as a;
use pycode_ast::{BoolOp, CmpOp, Constant, ExprContext, Operator, Pos, UnaryOp};

/// The ASDL constructors. Sequences are passed as `Vec`s; optional fields as `Option`s.
/// Positions are CPython's (`EXTRA`: the first token of the rule to the last one it consumed).
#[allow(clippy::too_many_arguments)]
pub trait AstBuilder {
    type Mod;
    type Stmt;
    type Expr: Clone;
    type Pattern;
    type Arg;
    type Arguments;
    type Keyword;
    type Alias;
    type WithItem;
    type MatchCase;
    type ExceptHandler;
    type Comprehension;
    type TypeParam;
    type Ident: Clone;

    /// An identifier (already NFKC-normalised by the parser).
    fn ident(&mut self, s: &str) -> Self::Ident;

    // mod
    fn module(&mut self, body: Vec<Self::Stmt>) -> Self::Mod;
    fn interactive(&mut self, body: Vec<Self::Stmt>) -> Self::Mod;
    fn expression(&mut self, body: Self::Expr) -> Self::Mod;
    fn function_type(&mut self, argtypes: Vec<Self::Expr>, returns: Self::Expr) -> Self::Mod;

    // type comments (`type_comments=True`); a builder that does not keep them returns its input
    /// A module's `type_ignores`: (line, tag) of each `# type: ignore<tag>` comment, in order.
    fn type_ignores(&mut self, m: Self::Mod, _ignores: &[(u32, &str)]) -> Self::Mod {
        m
    }
    /// The `type_comment` of a `FunctionDef`, `Assign`, `For` or `With` (and their async forms).
    fn stmt_type_comment(&mut self, s: Self::Stmt, _comment: &str) -> Self::Stmt {
        s
    }
    /// The `type_comment` of a parameter.
    fn arg_type_comment(&mut self, a: Self::Arg, _comment: &str) -> Self::Arg {
        a
    }

    // stmt
    fn function_def(
        &mut self,
        is_async: bool,
        name: Self::Ident,
        args: Self::Arguments,
        body: Vec<Self::Stmt>,
        decorator_list: Vec<Self::Expr>,
        returns: Option<Self::Expr>,
        type_params: Vec<Self::TypeParam>,
        pos: Pos,
    ) -> Self::Stmt;
    fn class_def(
        &mut self,
        name: Self::Ident,
        bases: Vec<Self::Expr>,
        keywords: Vec<Self::Keyword>,
        body: Vec<Self::Stmt>,
        decorator_list: Vec<Self::Expr>,
        type_params: Vec<Self::TypeParam>,
        pos: Pos,
    ) -> Self::Stmt;
    fn return_(&mut self, value: Option<Self::Expr>, pos: Pos) -> Self::Stmt;
    fn delete(&mut self, targets: Vec<Self::Expr>, pos: Pos) -> Self::Stmt;
    fn assign(&mut self, targets: Vec<Self::Expr>, value: Self::Expr, pos: Pos) -> Self::Stmt;
    fn type_alias(&mut self, name: Self::Expr, type_params: Vec<Self::TypeParam>, value: Self::Expr, pos: Pos) -> Self::Stmt;
    fn aug_assign(&mut self, target: Self::Expr, op: Operator, value: Self::Expr, pos: Pos) -> Self::Stmt;
    fn ann_assign(&mut self, target: Self::Expr, annotation: Self::Expr, value: Option<Self::Expr>, simple: bool, pos: Pos) -> Self::Stmt;
    fn for_(
        &mut self,
        is_async: bool,
        target: Self::Expr,
        iter: Self::Expr,
        body: Vec<Self::Stmt>,
        orelse: Vec<Self::Stmt>,
        pos: Pos,
    ) -> Self::Stmt;
    fn while_(&mut self, test: Self::Expr, body: Vec<Self::Stmt>, orelse: Vec<Self::Stmt>, pos: Pos) -> Self::Stmt;
    fn if_(&mut self, test: Self::Expr, body: Vec<Self::Stmt>, orelse: Vec<Self::Stmt>, pos: Pos) -> Self::Stmt;
    fn with(&mut self, is_async: bool, items: Vec<Self::WithItem>, body: Vec<Self::Stmt>, pos: Pos) -> Self::Stmt;
    fn match_(&mut self, subject: Self::Expr, cases: Vec<Self::MatchCase>, pos: Pos) -> Self::Stmt;
    fn raise(&mut self, exc: Option<Self::Expr>, cause: Option<Self::Expr>, pos: Pos) -> Self::Stmt;
    fn try_(
        &mut self,
        star: bool,
        body: Vec<Self::Stmt>,
        handlers: Vec<Self::ExceptHandler>,
        orelse: Vec<Self::Stmt>,
        finalbody: Vec<Self::Stmt>,
        pos: Pos,
    ) -> Self::Stmt;
    fn assert(&mut self, test: Self::Expr, msg: Option<Self::Expr>, pos: Pos) -> Self::Stmt;
    fn import(&mut self, names: Vec<Self::Alias>, is_lazy: bool, pos: Pos) -> Self::Stmt;
    fn import_from(&mut self, module: Option<Self::Ident>, names: Vec<Self::Alias>, level: u32, is_lazy: bool, pos: Pos) -> Self::Stmt;
    fn global(&mut self, names: Vec<Self::Ident>, pos: Pos) -> Self::Stmt;
    fn nonlocal(&mut self, names: Vec<Self::Ident>, pos: Pos) -> Self::Stmt;
    fn expr_stmt(&mut self, value: Self::Expr, pos: Pos) -> Self::Stmt;
    fn pass(&mut self, pos: Pos) -> Self::Stmt;
    fn break_(&mut self, pos: Pos) -> Self::Stmt;
    fn continue_(&mut self, pos: Pos) -> Self::Stmt;

    // expr
    fn bool_op(&mut self, op: BoolOp, values: Vec<Self::Expr>, pos: Pos) -> Self::Expr;
    fn named_expr(&mut self, target: Self::Expr, value: Self::Expr, pos: Pos) -> Self::Expr;
    fn bin_op(&mut self, left: Self::Expr, op: Operator, right: Self::Expr, pos: Pos) -> Self::Expr;
    fn unary_op(&mut self, op: UnaryOp, operand: Self::Expr, pos: Pos) -> Self::Expr;
    fn lambda(&mut self, args: Self::Arguments, body: Self::Expr, pos: Pos) -> Self::Expr;
    fn if_exp(&mut self, test: Self::Expr, body: Self::Expr, orelse: Self::Expr, pos: Pos) -> Self::Expr;
    fn dict(&mut self, keys: Vec<Option<Self::Expr>>, values: Vec<Self::Expr>, pos: Pos) -> Self::Expr;
    fn set(&mut self, elts: Vec<Self::Expr>, pos: Pos) -> Self::Expr;
    fn list_comp(&mut self, elt: Self::Expr, generators: Vec<Self::Comprehension>, pos: Pos) -> Self::Expr;
    fn set_comp(&mut self, elt: Self::Expr, generators: Vec<Self::Comprehension>, pos: Pos) -> Self::Expr;
    fn dict_comp(&mut self, key: Self::Expr, value: Self::Expr, generators: Vec<Self::Comprehension>, pos: Pos) -> Self::Expr;
    /// 3.15 (PEP 798): `{**d for d in ds}` is `DictComp(key=d)` without a value.
    fn dict_comp_unpack(&mut self, key: Self::Expr, generators: Vec<Self::Comprehension>, pos: Pos) -> Self::Expr;
    fn generator_exp(&mut self, elt: Self::Expr, generators: Vec<Self::Comprehension>, pos: Pos) -> Self::Expr;
    fn await_(&mut self, value: Self::Expr, pos: Pos) -> Self::Expr;
    fn yield_(&mut self, value: Option<Self::Expr>, pos: Pos) -> Self::Expr;
    fn yield_from(&mut self, value: Self::Expr, pos: Pos) -> Self::Expr;
    fn compare(&mut self, left: Self::Expr, ops: Vec<CmpOp>, comparators: Vec<Self::Expr>, pos: Pos) -> Self::Expr;
    fn call(&mut self, func: Self::Expr, args: Vec<Self::Expr>, keywords: Vec<Self::Keyword>, pos: Pos) -> Self::Expr;
    fn formatted_value(&mut self, value: Self::Expr, conversion: i32, format_spec: Option<Self::Expr>, pos: Pos) -> Self::Expr;
    fn interpolation(&mut self, value: Self::Expr, text: &str, conversion: i32, format_spec: Option<Self::Expr>, pos: Pos) -> Self::Expr;
    fn joined_str(&mut self, values: Vec<Self::Expr>, pos: Pos) -> Self::Expr;
    fn template_str(&mut self, values: Vec<Self::Expr>, pos: Pos) -> Self::Expr;
    fn constant(&mut self, value: Constant, kind_u: bool, pos: Pos) -> Self::Expr;
    fn attribute(&mut self, value: Self::Expr, attr: Self::Ident, ctx: ExprContext, pos: Pos) -> Self::Expr;
    fn subscript(&mut self, value: Self::Expr, slice: Self::Expr, ctx: ExprContext, pos: Pos) -> Self::Expr;
    fn starred(&mut self, value: Self::Expr, ctx: ExprContext, pos: Pos) -> Self::Expr;
    fn name(&mut self, id: Self::Ident, ctx: ExprContext, pos: Pos) -> Self::Expr;
    fn list(&mut self, elts: Vec<Self::Expr>, ctx: ExprContext, pos: Pos) -> Self::Expr;
    fn tuple(&mut self, elts: Vec<Self::Expr>, ctx: ExprContext, pos: Pos) -> Self::Expr;
    fn slice(&mut self, lower: Option<Self::Expr>, upper: Option<Self::Expr>, step: Option<Self::Expr>, pos: Pos) -> Self::Expr;
    /// `_PyPegen_set_expr_context`: the same expression as a target (`Store`/`Del`), recursively
    /// through tuples, lists and starred expressions.
    fn set_context(&mut self, e: Self::Expr, ctx: ExprContext) -> Self::Expr;
    /// What the error rules need to know about an expression: its kind, position and the
    /// children `_PyPegen_get_invalid_target` walks (tuple/list elements, a starred value, a
    /// comparison's left operand).
    fn expr_view(&self, e: &Self::Expr) -> ExprView<Self::Expr>;

    // the other types
    fn comprehension(&mut self, target: Self::Expr, iter: Self::Expr, ifs: Vec<Self::Expr>, is_async: bool) -> Self::Comprehension;
    fn except_handler(
        &mut self,
        type_: Option<Self::Expr>,
        name: Option<Self::Ident>,
        body: Vec<Self::Stmt>,
        pos: Pos,
    ) -> Self::ExceptHandler;
    fn arguments(
        &mut self,
        posonlyargs: Vec<Self::Arg>,
        args: Vec<Self::Arg>,
        vararg: Option<Self::Arg>,
        kwonlyargs: Vec<Self::Arg>,
        kw_defaults: Vec<Option<Self::Expr>>,
        kwarg: Option<Self::Arg>,
        defaults: Vec<Self::Expr>,
    ) -> Self::Arguments;
    fn arg(&mut self, arg: Self::Ident, annotation: Option<Self::Expr>, pos: Pos) -> Self::Arg;
    fn keyword(&mut self, arg: Option<Self::Ident>, value: Self::Expr, pos: Pos) -> Self::Keyword;
    fn alias(&mut self, name: Self::Ident, asname: Option<Self::Ident>, pos: Pos) -> Self::Alias;
    fn with_item(&mut self, context_expr: Self::Expr, optional_vars: Option<Self::Expr>) -> Self::WithItem;
    fn match_case(&mut self, pattern: Self::Pattern, guard: Option<Self::Expr>, body: Vec<Self::Stmt>) -> Self::MatchCase;

    // pattern
    fn match_value(&mut self, value: Self::Expr, pos: Pos) -> Self::Pattern;
    fn match_singleton(&mut self, value: Constant, pos: Pos) -> Self::Pattern;
    fn match_sequence(&mut self, patterns: Vec<Self::Pattern>, pos: Pos) -> Self::Pattern;
    fn match_mapping(&mut self, keys: Vec<Self::Expr>, patterns: Vec<Self::Pattern>, rest: Option<Self::Ident>, pos: Pos) -> Self::Pattern;
    fn match_class(
        &mut self,
        cls: Self::Expr,
        patterns: Vec<Self::Pattern>,
        kwd_attrs: Vec<Self::Ident>,
        kwd_patterns: Vec<Self::Pattern>,
        pos: Pos,
    ) -> Self::Pattern;
    fn match_star(&mut self, name: Option<Self::Ident>, pos: Pos) -> Self::Pattern;
    fn match_as(&mut self, pattern: Option<Self::Pattern>, name: Option<Self::Ident>, pos: Pos) -> Self::Pattern;
    fn match_or(&mut self, patterns: Vec<Self::Pattern>, pos: Pos) -> Self::Pattern;

    // type_param
    fn type_var(&mut self, name: Self::Ident, bound: Option<Self::Expr>, default_value: Option<Self::Expr>, pos: Pos) -> Self::TypeParam;
    fn param_spec(&mut self, name: Self::Ident, default_value: Option<Self::Expr>, pos: Pos) -> Self::TypeParam;
    fn type_var_tuple(&mut self, name: Self::Ident, default_value: Option<Self::Expr>, pos: Pos) -> Self::TypeParam;
}

/// The kind of an expression, as `_PyPegen_get_expr_name` and `_PyPegen_get_invalid_target`
/// distinguish them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExprTag {
    Attribute,
    Subscript,
    Starred,
    Name,
    List,
    Tuple,
    Lambda,
    Call,
    /// BoolOp, BinOp, UnaryOp.
    Operation,
    GeneratorExp,
    Yield,
    Await,
    ListComp,
    SetComp,
    DictComp,
    Dict,
    Set,
    FString,
    TString,
    Literal,
    None,
    True,
    False,
    Ellipsis,
    /// A comparison; `true` when its first operator is `in`.
    Compare(bool),
    IfExp,
    NamedExpr,
    Slice,
}

impl ExprTag {
    /// `_PyPegen_get_expr_name`.
    pub fn name(self) -> &'static str {
        match self {
            ExprTag::Attribute => "attribute",
            ExprTag::Subscript => "subscript",
            ExprTag::Starred => "starred",
            ExprTag::Name => "name",
            ExprTag::List => "list",
            ExprTag::Tuple => "tuple",
            ExprTag::Lambda => "lambda",
            ExprTag::Call => "function call",
            ExprTag::Operation | ExprTag::Slice => "expression",
            ExprTag::GeneratorExp => "generator expression",
            ExprTag::Yield => "yield expression",
            ExprTag::Await => "await expression",
            ExprTag::ListComp => "list comprehension",
            ExprTag::SetComp => "set comprehension",
            ExprTag::DictComp => "dict comprehension",
            ExprTag::Dict => "dict literal",
            ExprTag::Set => "set display",
            ExprTag::FString => "f-string expression",
            ExprTag::TString => "t-string expression",
            ExprTag::Literal => "literal",
            ExprTag::None => "None",
            ExprTag::True => "True",
            ExprTag::False => "False",
            ExprTag::Ellipsis => "ellipsis",
            ExprTag::Compare(_) => "comparison",
            ExprTag::IfExp => "conditional expression",
            ExprTag::NamedExpr => "named expression",
        }
    }
}

/// [`AstBuilder::expr_view`]'s answer.
pub struct ExprView<E> {
    pub tag: ExprTag,
    pub pos: Pos,
    /// Tuple/list elements, a starred value, a comparison's left operand.
    pub children: Vec<E>,
}

/// Builds `pycode_ast`'s trees.
#[derive(Default)]
pub struct TreeBuilder;

fn bx<T>(t: T) -> Box<T> {
    Box::new(t)
}

fn ex(kind: a::ExprKind, pos: Pos) -> a::Expr {
    a::Expr { pos, kind }
}

fn st(kind: a::StmtKind, pos: Pos) -> a::Stmt {
    a::Stmt { pos, kind }
}

fn pt(kind: a::PatternKind, pos: Pos) -> a::Pattern {
    a::Pattern { pos, kind }
}

fn set_ctx(e: &mut a::Expr, c: ExprContext) {
    match &mut e.kind {
        a::ExprKind::Name { ctx, .. } | a::ExprKind::Attribute { ctx, .. } | a::ExprKind::Subscript { ctx, .. } => *ctx = c,
        a::ExprKind::Starred { value, ctx } => {
            *ctx = c;
            set_ctx(value, c);
        }
        a::ExprKind::List { elts, ctx } | a::ExprKind::Tuple { elts, ctx } => {
            *ctx = c;
            for e in elts {
                set_ctx(e, c);
            }
        }
        _ => {}
    }
}

impl AstBuilder for TreeBuilder {
    type Mod = a::Mod;
    type Stmt = a::Stmt;
    type Expr = a::Expr;
    type Pattern = a::Pattern;
    type Arg = a::Arg;
    type Arguments = a::Arguments;
    type Keyword = a::Keyword;
    type Alias = a::Alias;
    type WithItem = a::WithItem;
    type MatchCase = a::MatchCase;
    type ExceptHandler = a::ExceptHandler;
    type Comprehension = a::Comprehension;
    type TypeParam = a::TypeParam;
    type Ident = a::Identifier;

    fn ident(&mut self, s: &str) -> a::Identifier {
        s.into()
    }

    fn module(&mut self, body: Vec<a::Stmt>) -> a::Mod {
        a::Mod::Module { body, type_ignores: Vec::new() }
    }
    fn interactive(&mut self, body: Vec<a::Stmt>) -> a::Mod {
        a::Mod::Interactive { body }
    }
    fn expression(&mut self, body: a::Expr) -> a::Mod {
        a::Mod::Expression { body: bx(body) }
    }
    fn function_type(&mut self, argtypes: Vec<a::Expr>, returns: a::Expr) -> a::Mod {
        a::Mod::FunctionType { argtypes, returns: bx(returns) }
    }
    fn type_ignores(&mut self, mut m: a::Mod, ignores: &[(u32, &str)]) -> a::Mod {
        if let a::Mod::Module { type_ignores, .. } = &mut m {
            type_ignores.extend(ignores.iter().map(|&(lineno, tag)| a::TypeIgnore { lineno, tag: tag.into() }));
        }
        m
    }
    fn stmt_type_comment(&mut self, mut s: a::Stmt, comment: &str) -> a::Stmt {
        let tc = Some(comment.into());
        match &mut s.kind {
            a::StmtKind::FunctionDef(f) | a::StmtKind::AsyncFunctionDef(f) => f.type_comment = tc,
            a::StmtKind::For(f) | a::StmtKind::AsyncFor(f) => f.type_comment = tc,
            a::StmtKind::Assign { type_comment, .. }
            | a::StmtKind::With { type_comment, .. }
            | a::StmtKind::AsyncWith { type_comment, .. } => *type_comment = tc,
            _ => {}
        }
        s
    }
    fn arg_type_comment(&mut self, mut arg: a::Arg, comment: &str) -> a::Arg {
        arg.type_comment = Some(comment.into());
        arg
    }

    fn function_def(
        &mut self,
        is_async: bool,
        name: a::Identifier,
        args: a::Arguments,
        body: Vec<a::Stmt>,
        decorator_list: Vec<a::Expr>,
        returns: Option<a::Expr>,
        type_params: Vec<a::TypeParam>,
        pos: Pos,
    ) -> a::Stmt {
        let f =
            bx(a::FunctionDef { name, args: bx(args), body, decorator_list, returns: returns.map(bx), type_comment: None, type_params });
        st(if is_async { a::StmtKind::AsyncFunctionDef(f) } else { a::StmtKind::FunctionDef(f) }, pos)
    }
    fn class_def(
        &mut self,
        name: a::Identifier,
        bases: Vec<a::Expr>,
        keywords: Vec<a::Keyword>,
        body: Vec<a::Stmt>,
        decorator_list: Vec<a::Expr>,
        type_params: Vec<a::TypeParam>,
        pos: Pos,
    ) -> a::Stmt {
        st(a::StmtKind::ClassDef(bx(a::ClassDef { name, bases, keywords, body, decorator_list, type_params })), pos)
    }
    fn return_(&mut self, value: Option<a::Expr>, pos: Pos) -> a::Stmt {
        st(a::StmtKind::Return { value: value.map(bx) }, pos)
    }
    fn delete(&mut self, targets: Vec<a::Expr>, pos: Pos) -> a::Stmt {
        st(a::StmtKind::Delete { targets }, pos)
    }
    fn assign(&mut self, targets: Vec<a::Expr>, value: a::Expr, pos: Pos) -> a::Stmt {
        st(a::StmtKind::Assign { targets, value: bx(value), type_comment: None }, pos)
    }
    fn type_alias(&mut self, name: a::Expr, type_params: Vec<a::TypeParam>, value: a::Expr, pos: Pos) -> a::Stmt {
        st(a::StmtKind::TypeAlias { name: bx(name), type_params, value: bx(value) }, pos)
    }
    fn aug_assign(&mut self, target: a::Expr, op: Operator, value: a::Expr, pos: Pos) -> a::Stmt {
        st(a::StmtKind::AugAssign { target: bx(target), op, value: bx(value) }, pos)
    }
    fn ann_assign(&mut self, target: a::Expr, annotation: a::Expr, value: Option<a::Expr>, simple: bool, pos: Pos) -> a::Stmt {
        st(a::StmtKind::AnnAssign { target: bx(target), annotation: bx(annotation), value: value.map(bx), simple }, pos)
    }
    fn for_(&mut self, is_async: bool, target: a::Expr, iter: a::Expr, body: Vec<a::Stmt>, orelse: Vec<a::Stmt>, pos: Pos) -> a::Stmt {
        let f = bx(a::For { target, iter, body, orelse, type_comment: None });
        st(if is_async { a::StmtKind::AsyncFor(f) } else { a::StmtKind::For(f) }, pos)
    }
    fn while_(&mut self, test: a::Expr, body: Vec<a::Stmt>, orelse: Vec<a::Stmt>, pos: Pos) -> a::Stmt {
        st(a::StmtKind::While { test: bx(test), body, orelse }, pos)
    }
    fn if_(&mut self, test: a::Expr, body: Vec<a::Stmt>, orelse: Vec<a::Stmt>, pos: Pos) -> a::Stmt {
        st(a::StmtKind::If { test: bx(test), body, orelse }, pos)
    }
    fn with(&mut self, is_async: bool, items: Vec<a::WithItem>, body: Vec<a::Stmt>, pos: Pos) -> a::Stmt {
        st(
            if is_async {
                a::StmtKind::AsyncWith { items, body, type_comment: None }
            } else {
                a::StmtKind::With { items, body, type_comment: None }
            },
            pos,
        )
    }
    fn match_(&mut self, subject: a::Expr, cases: Vec<a::MatchCase>, pos: Pos) -> a::Stmt {
        st(a::StmtKind::Match { subject: bx(subject), cases }, pos)
    }
    fn raise(&mut self, exc: Option<a::Expr>, cause: Option<a::Expr>, pos: Pos) -> a::Stmt {
        st(a::StmtKind::Raise { exc: exc.map(bx), cause: cause.map(bx) }, pos)
    }
    fn try_(
        &mut self,
        star: bool,
        body: Vec<a::Stmt>,
        handlers: Vec<a::ExceptHandler>,
        orelse: Vec<a::Stmt>,
        finalbody: Vec<a::Stmt>,
        pos: Pos,
    ) -> a::Stmt {
        let t = bx(a::Try { body, handlers, orelse, finalbody });
        st(if star { a::StmtKind::TryStar(t) } else { a::StmtKind::Try(t) }, pos)
    }
    fn assert(&mut self, test: a::Expr, msg: Option<a::Expr>, pos: Pos) -> a::Stmt {
        st(a::StmtKind::Assert { test: bx(test), msg: msg.map(bx) }, pos)
    }
    fn import(&mut self, names: Vec<a::Alias>, is_lazy: bool, pos: Pos) -> a::Stmt {
        st(a::StmtKind::Import { names, is_lazy }, pos)
    }
    fn import_from(&mut self, module: Option<a::Identifier>, names: Vec<a::Alias>, level: u32, is_lazy: bool, pos: Pos) -> a::Stmt {
        st(a::StmtKind::ImportFrom { module, names, level, is_lazy }, pos)
    }
    fn global(&mut self, names: Vec<a::Identifier>, pos: Pos) -> a::Stmt {
        st(a::StmtKind::Global { names }, pos)
    }
    fn nonlocal(&mut self, names: Vec<a::Identifier>, pos: Pos) -> a::Stmt {
        st(a::StmtKind::Nonlocal { names }, pos)
    }
    fn expr_stmt(&mut self, value: a::Expr, pos: Pos) -> a::Stmt {
        st(a::StmtKind::Expr { value: bx(value) }, pos)
    }
    fn pass(&mut self, pos: Pos) -> a::Stmt {
        st(a::StmtKind::Pass, pos)
    }
    fn break_(&mut self, pos: Pos) -> a::Stmt {
        st(a::StmtKind::Break, pos)
    }
    fn continue_(&mut self, pos: Pos) -> a::Stmt {
        st(a::StmtKind::Continue, pos)
    }

    fn bool_op(&mut self, op: BoolOp, values: Vec<a::Expr>, pos: Pos) -> a::Expr {
        ex(a::ExprKind::BoolOp { op, values }, pos)
    }
    fn named_expr(&mut self, target: a::Expr, value: a::Expr, pos: Pos) -> a::Expr {
        ex(a::ExprKind::NamedExpr { target: bx(target), value: bx(value) }, pos)
    }
    fn bin_op(&mut self, left: a::Expr, op: Operator, right: a::Expr, pos: Pos) -> a::Expr {
        ex(a::ExprKind::BinOp { left: bx(left), op, right: bx(right) }, pos)
    }
    fn unary_op(&mut self, op: UnaryOp, operand: a::Expr, pos: Pos) -> a::Expr {
        ex(a::ExprKind::UnaryOp { op, operand: bx(operand) }, pos)
    }
    fn lambda(&mut self, args: a::Arguments, body: a::Expr, pos: Pos) -> a::Expr {
        ex(a::ExprKind::Lambda { args: bx(args), body: bx(body) }, pos)
    }
    fn if_exp(&mut self, test: a::Expr, body: a::Expr, orelse: a::Expr, pos: Pos) -> a::Expr {
        ex(a::ExprKind::IfExp { test: bx(test), body: bx(body), orelse: bx(orelse) }, pos)
    }
    fn dict(&mut self, keys: Vec<Option<a::Expr>>, values: Vec<a::Expr>, pos: Pos) -> a::Expr {
        ex(a::ExprKind::Dict { keys, values }, pos)
    }
    fn set(&mut self, elts: Vec<a::Expr>, pos: Pos) -> a::Expr {
        ex(a::ExprKind::Set { elts }, pos)
    }
    fn list_comp(&mut self, elt: a::Expr, generators: Vec<a::Comprehension>, pos: Pos) -> a::Expr {
        ex(a::ExprKind::ListComp { elt: bx(elt), generators }, pos)
    }
    fn set_comp(&mut self, elt: a::Expr, generators: Vec<a::Comprehension>, pos: Pos) -> a::Expr {
        ex(a::ExprKind::SetComp { elt: bx(elt), generators }, pos)
    }
    fn dict_comp(&mut self, key: a::Expr, value: a::Expr, generators: Vec<a::Comprehension>, pos: Pos) -> a::Expr {
        ex(a::ExprKind::DictComp { key: bx(key), value: Some(bx(value)), generators }, pos)
    }
    fn dict_comp_unpack(&mut self, key: a::Expr, generators: Vec<a::Comprehension>, pos: Pos) -> a::Expr {
        ex(a::ExprKind::DictComp { key: bx(key), value: None, generators }, pos)
    }
    fn generator_exp(&mut self, elt: a::Expr, generators: Vec<a::Comprehension>, pos: Pos) -> a::Expr {
        ex(a::ExprKind::GeneratorExp { elt: bx(elt), generators }, pos)
    }
    fn await_(&mut self, value: a::Expr, pos: Pos) -> a::Expr {
        ex(a::ExprKind::Await { value: bx(value) }, pos)
    }
    fn yield_(&mut self, value: Option<a::Expr>, pos: Pos) -> a::Expr {
        ex(a::ExprKind::Yield { value: value.map(bx) }, pos)
    }
    fn yield_from(&mut self, value: a::Expr, pos: Pos) -> a::Expr {
        ex(a::ExprKind::YieldFrom { value: bx(value) }, pos)
    }
    fn compare(&mut self, left: a::Expr, ops: Vec<CmpOp>, comparators: Vec<a::Expr>, pos: Pos) -> a::Expr {
        ex(a::ExprKind::Compare { left: bx(left), ops, comparators }, pos)
    }
    fn call(&mut self, func: a::Expr, args: Vec<a::Expr>, keywords: Vec<a::Keyword>, pos: Pos) -> a::Expr {
        ex(a::ExprKind::Call { func: bx(func), args, keywords }, pos)
    }
    fn formatted_value(&mut self, value: a::Expr, conversion: i32, format_spec: Option<a::Expr>, pos: Pos) -> a::Expr {
        ex(a::ExprKind::FormattedValue { value: bx(value), conversion, format_spec: format_spec.map(bx) }, pos)
    }
    fn interpolation(&mut self, value: a::Expr, text: &str, conversion: i32, format_spec: Option<a::Expr>, pos: Pos) -> a::Expr {
        ex(a::ExprKind::Interpolation { value: bx(value), str: text.into(), conversion, format_spec: format_spec.map(bx) }, pos)
    }
    fn joined_str(&mut self, values: Vec<a::Expr>, pos: Pos) -> a::Expr {
        ex(a::ExprKind::JoinedStr { values }, pos)
    }
    fn template_str(&mut self, values: Vec<a::Expr>, pos: Pos) -> a::Expr {
        ex(a::ExprKind::TemplateStr { values }, pos)
    }
    fn constant(&mut self, value: Constant, kind_u: bool, pos: Pos) -> a::Expr {
        ex(a::ExprKind::Constant { value, kind_u }, pos)
    }
    fn attribute(&mut self, value: a::Expr, attr: a::Identifier, ctx: ExprContext, pos: Pos) -> a::Expr {
        ex(a::ExprKind::Attribute { value: bx(value), attr, ctx }, pos)
    }
    fn subscript(&mut self, value: a::Expr, slice: a::Expr, ctx: ExprContext, pos: Pos) -> a::Expr {
        ex(a::ExprKind::Subscript { value: bx(value), slice: bx(slice), ctx }, pos)
    }
    fn starred(&mut self, value: a::Expr, ctx: ExprContext, pos: Pos) -> a::Expr {
        ex(a::ExprKind::Starred { value: bx(value), ctx }, pos)
    }
    fn name(&mut self, id: a::Identifier, ctx: ExprContext, pos: Pos) -> a::Expr {
        ex(a::ExprKind::Name { id, ctx }, pos)
    }
    fn list(&mut self, elts: Vec<a::Expr>, ctx: ExprContext, pos: Pos) -> a::Expr {
        ex(a::ExprKind::List { elts, ctx }, pos)
    }
    fn tuple(&mut self, elts: Vec<a::Expr>, ctx: ExprContext, pos: Pos) -> a::Expr {
        ex(a::ExprKind::Tuple { elts, ctx }, pos)
    }
    fn slice(&mut self, lower: Option<a::Expr>, upper: Option<a::Expr>, step: Option<a::Expr>, pos: Pos) -> a::Expr {
        ex(a::ExprKind::Slice { lower: lower.map(bx), upper: upper.map(bx), step: step.map(bx) }, pos)
    }
    fn set_context(&mut self, mut e: a::Expr, ctx: ExprContext) -> a::Expr {
        set_ctx(&mut e, ctx);
        e
    }
    fn expr_view(&self, e: &a::Expr) -> ExprView<a::Expr> {
        use a::ExprKind as K;
        let mut children = Vec::new();
        let tag = match &e.kind {
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
                children.push((**left).clone());
                ExprTag::Compare(matches!(ops.first(), Some(CmpOp::In)))
            }
            K::Call { .. } => ExprTag::Call,
            K::FormattedValue { .. } | K::JoinedStr { .. } => ExprTag::FString,
            K::Interpolation { .. } | K::TemplateStr { .. } => ExprTag::TString,
            K::Constant { value, .. } => match value {
                Constant::None => ExprTag::None,
                Constant::True => ExprTag::True,
                Constant::False => ExprTag::False,
                Constant::Ellipsis => ExprTag::Ellipsis,
                _ => ExprTag::Literal,
            },
            K::Attribute { .. } => ExprTag::Attribute,
            K::Subscript { .. } => ExprTag::Subscript,
            K::Starred { value, .. } => {
                children.push((**value).clone());
                ExprTag::Starred
            }
            K::Name { .. } => ExprTag::Name,
            K::List { elts, .. } => {
                children.extend(elts.iter().cloned());
                ExprTag::List
            }
            K::Tuple { elts, .. } => {
                children.extend(elts.iter().cloned());
                ExprTag::Tuple
            }
            K::Slice { .. } => ExprTag::Slice,
        };
        ExprView { tag, pos: e.pos, children }
    }

    fn comprehension(&mut self, target: a::Expr, iter: a::Expr, ifs: Vec<a::Expr>, is_async: bool) -> a::Comprehension {
        a::Comprehension { target, iter, ifs, is_async }
    }
    fn except_handler(&mut self, type_: Option<a::Expr>, name: Option<a::Identifier>, body: Vec<a::Stmt>, pos: Pos) -> a::ExceptHandler {
        a::ExceptHandler { pos, type_: type_.map(bx), name, body }
    }
    fn arguments(
        &mut self,
        posonlyargs: Vec<a::Arg>,
        args: Vec<a::Arg>,
        vararg: Option<a::Arg>,
        kwonlyargs: Vec<a::Arg>,
        kw_defaults: Vec<Option<a::Expr>>,
        kwarg: Option<a::Arg>,
        defaults: Vec<a::Expr>,
    ) -> a::Arguments {
        a::Arguments { posonlyargs, args, vararg: vararg.map(bx), kwonlyargs, kw_defaults, kwarg: kwarg.map(bx), defaults }
    }
    fn arg(&mut self, arg: a::Identifier, annotation: Option<a::Expr>, pos: Pos) -> a::Arg {
        a::Arg { pos, arg, annotation: annotation.map(bx), type_comment: None }
    }
    fn keyword(&mut self, arg: Option<a::Identifier>, value: a::Expr, pos: Pos) -> a::Keyword {
        a::Keyword { pos, arg, value }
    }
    fn alias(&mut self, name: a::Identifier, asname: Option<a::Identifier>, pos: Pos) -> a::Alias {
        a::Alias { pos, name, asname }
    }
    fn with_item(&mut self, context_expr: a::Expr, optional_vars: Option<a::Expr>) -> a::WithItem {
        a::WithItem { context_expr, optional_vars: optional_vars.map(bx) }
    }
    fn match_case(&mut self, pattern: a::Pattern, guard: Option<a::Expr>, body: Vec<a::Stmt>) -> a::MatchCase {
        a::MatchCase { pattern, guard: guard.map(bx), body }
    }

    fn match_value(&mut self, value: a::Expr, pos: Pos) -> a::Pattern {
        pt(a::PatternKind::MatchValue { value: bx(value) }, pos)
    }
    fn match_singleton(&mut self, value: Constant, pos: Pos) -> a::Pattern {
        pt(a::PatternKind::MatchSingleton { value }, pos)
    }
    fn match_sequence(&mut self, patterns: Vec<a::Pattern>, pos: Pos) -> a::Pattern {
        pt(a::PatternKind::MatchSequence { patterns }, pos)
    }
    fn match_mapping(&mut self, keys: Vec<a::Expr>, patterns: Vec<a::Pattern>, rest: Option<a::Identifier>, pos: Pos) -> a::Pattern {
        pt(a::PatternKind::MatchMapping { keys, patterns, rest }, pos)
    }
    fn match_class(
        &mut self,
        cls: a::Expr,
        patterns: Vec<a::Pattern>,
        kwd_attrs: Vec<a::Identifier>,
        kwd_patterns: Vec<a::Pattern>,
        pos: Pos,
    ) -> a::Pattern {
        pt(a::PatternKind::MatchClass { cls: bx(cls), patterns, kwd_attrs, kwd_patterns }, pos)
    }
    fn match_star(&mut self, name: Option<a::Identifier>, pos: Pos) -> a::Pattern {
        pt(a::PatternKind::MatchStar { name }, pos)
    }
    fn match_as(&mut self, pattern: Option<a::Pattern>, name: Option<a::Identifier>, pos: Pos) -> a::Pattern {
        pt(a::PatternKind::MatchAs { pattern: pattern.map(bx), name }, pos)
    }
    fn match_or(&mut self, patterns: Vec<a::Pattern>, pos: Pos) -> a::Pattern {
        pt(a::PatternKind::MatchOr { patterns }, pos)
    }

    fn type_var(&mut self, name: a::Identifier, bound: Option<a::Expr>, default_value: Option<a::Expr>, pos: Pos) -> a::TypeParam {
        a::TypeParam { pos, kind: a::TypeParamKind::TypeVar { name, bound: bound.map(bx), default_value: default_value.map(bx) } }
    }
    fn param_spec(&mut self, name: a::Identifier, default_value: Option<a::Expr>, pos: Pos) -> a::TypeParam {
        a::TypeParam { pos, kind: a::TypeParamKind::ParamSpec { name, default_value: default_value.map(bx) } }
    }
    fn type_var_tuple(&mut self, name: a::Identifier, default_value: Option<a::Expr>, pos: Pos) -> a::TypeParam {
        a::TypeParam { pos, kind: a::TypeParamKind::TypeVarTuple { name, default_value: default_value.map(bx) } }
    }
}
