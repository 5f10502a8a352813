//! The arena form of the tree (docs/parser.md §3, issue 11's "arena AST with interned
//! identifiers and dense integer ids"): every node of one source lives in a `Vec` of its kind
//! inside one [`Ast`], children are 4-byte ids, sequences are ranges over one pool per element
//! type, identifiers are interned once per source into [`NameId`]s, constants and the rare
//! strings (type comments, t-string texts) sit in side tables.
//!
//! Building a node is a push; dropping a tree frees a few `Vec`s instead of walking it. Every node
//! type is `Copy`. The node kinds, fields and field order are those of [`crate::nodes`] (CPython's
//! ASDL); [`Ast::to_tree`] gives the boxed tree of the same source, field for field.
//!
//! Ids are only meaningful for the `Ast` that made them. An id of another `Ast` (or a made-up one)
//! never panics: look-ups return `None` or an empty sequence.

use std::marker::PhantomData;
use std::num::NonZeroU32;

use crate::constant::Constant;
use crate::names::NameTable;
use crate::nodes as t;
use crate::nodes::{BoolOp, CmpOp, ExprContext, Operator, Pos, UnaryOp};

macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(NonZeroU32);

        impl $name {
            /// The position of the node in its pool.
            #[inline]
            pub fn index(self) -> usize {
                self.0.get() as usize - 1
            }
            /// The id of pool position `i` (`None` past `u32`).
            #[inline]
            fn at(i: usize) -> Option<Self> {
                u32::try_from(i).ok().and_then(|i| i.checked_add(1)).and_then(NonZeroU32::new).map($name)
            }
        }
    )*};
}

ids! {
    /// An `expr` node of an [`Ast`].
    ExprId;
    /// A `stmt` node of an [`Ast`].
    StmtId;
    /// A `pattern` node of an [`Ast`].
    PatternId;
    /// An `arguments` node of an [`Ast`].
    ArgumentsId;
    /// An interned identifier of an [`Ast`].
    NameId;
    /// A constant value of an [`Ast`].
    ConstId;
    /// A side string of an [`Ast`] (a type comment, a t-string interpolation's text).
    StrId;
}

/// A sequence field: a range of the [`Ast`]'s pool of `T`.
pub struct Seq<T> {
    start: u32,
    len: u32,
    _t: PhantomData<fn() -> T>,
}

impl<T> Seq<T> {
    /// The empty sequence.
    pub const EMPTY: Seq<T> = Seq { start: 0, len: 0, _t: PhantomData };

    pub fn len(self) -> usize {
        self.len as usize
    }
    /// The position of the first element in its pool (element `i` is at `start() + i`).
    pub fn start(self) -> usize {
        self.start as usize
    }
    pub fn is_empty(self) -> bool {
        self.len == 0
    }
}

impl<T> Clone for Seq<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Seq<T> {}
impl<T> PartialEq for Seq<T> {
    fn eq(&self, o: &Self) -> bool {
        self.start == o.start && self.len == o.len
    }
}
impl<T> Eq for Seq<T> {}
impl<T> std::fmt::Debug for Seq<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Seq({}..+{})", self.start, self.len)
    }
}
impl<T> Default for Seq<T> {
    fn default() -> Self {
        Seq::EMPTY
    }
}

/// `mod`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mod {
    Module { body: Seq<StmtId>, type_ignores: Seq<TypeIgnore> },
    Interactive { body: Seq<StmtId> },
    Expression { body: ExprId },
    FunctionType { argtypes: Seq<ExprId>, returns: ExprId },
}

/// `type_ignore`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TypeIgnore {
    pub lineno: u32,
    pub tag: StrId,
}

/// A `stmt` node.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Stmt {
    pub pos: Pos,
    pub kind: StmtKind,
}

/// Fields of `FunctionDef` / `AsyncFunctionDef`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FunctionDef {
    pub name: NameId,
    pub args: ArgumentsId,
    pub body: Seq<StmtId>,
    pub decorator_list: Seq<ExprId>,
    pub returns: Option<ExprId>,
    pub type_comment: Option<StrId>,
    pub type_params: Seq<TypeParam>,
}

/// Fields of `ClassDef`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClassDef {
    pub name: NameId,
    pub bases: Seq<ExprId>,
    pub keywords: Seq<Keyword>,
    pub body: Seq<StmtId>,
    pub decorator_list: Seq<ExprId>,
    pub type_params: Seq<TypeParam>,
}

/// Fields of `For` / `AsyncFor`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct For {
    pub target: ExprId,
    pub iter: ExprId,
    pub body: Seq<StmtId>,
    pub orelse: Seq<StmtId>,
    pub type_comment: Option<StrId>,
}

/// Fields of `Try` / `TryStar`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Try {
    pub body: Seq<StmtId>,
    pub handlers: Seq<ExceptHandler>,
    pub orelse: Seq<StmtId>,
    pub finalbody: Seq<StmtId>,
}

/// `stmt` constructors.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum StmtKind {
    FunctionDef(FunctionDef),
    AsyncFunctionDef(FunctionDef),
    ClassDef(ClassDef),
    Return { value: Option<ExprId> },
    Delete { targets: Seq<ExprId> },
    Assign { targets: Seq<ExprId>, value: ExprId, type_comment: Option<StrId> },
    TypeAlias { name: ExprId, type_params: Seq<TypeParam>, value: ExprId },
    AugAssign { target: ExprId, op: Operator, value: ExprId },
    AnnAssign { target: ExprId, annotation: ExprId, value: Option<ExprId>, simple: bool },
    For(For),
    AsyncFor(For),
    While { test: ExprId, body: Seq<StmtId>, orelse: Seq<StmtId> },
    If { test: ExprId, body: Seq<StmtId>, orelse: Seq<StmtId> },
    With { items: Seq<WithItem>, body: Seq<StmtId>, type_comment: Option<StrId> },
    AsyncWith { items: Seq<WithItem>, body: Seq<StmtId>, type_comment: Option<StrId> },
    Match { subject: ExprId, cases: Seq<MatchCase> },
    Raise { exc: Option<ExprId>, cause: Option<ExprId> },
    Try(Try),
    TryStar(Try),
    Assert { test: ExprId, msg: Option<ExprId> },
    Import { names: Seq<Alias>, is_lazy: bool },
    ImportFrom { module: Option<NameId>, names: Seq<Alias>, level: u32, is_lazy: bool },
    Global { names: Seq<NameId> },
    Nonlocal { names: Seq<NameId> },
    Expr { value: ExprId },
    Pass,
    Break,
    Continue,
}

/// An `expr` node.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Expr {
    pub pos: Pos,
    pub kind: ExprKind,
}

/// `expr` constructors.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ExprKind {
    BoolOp {
        op: BoolOp,
        values: Seq<ExprId>,
    },
    NamedExpr {
        target: ExprId,
        value: ExprId,
    },
    BinOp {
        left: ExprId,
        op: Operator,
        right: ExprId,
    },
    UnaryOp {
        op: UnaryOp,
        operand: ExprId,
    },
    Lambda {
        args: ArgumentsId,
        body: ExprId,
    },
    IfExp {
        test: ExprId,
        body: ExprId,
        orelse: ExprId,
    },
    /// A `None` key is a `**mapping` entry.
    Dict {
        keys: Seq<Option<ExprId>>,
        values: Seq<ExprId>,
    },
    Set {
        elts: Seq<ExprId>,
    },
    ListComp {
        elt: ExprId,
        generators: Seq<Comprehension>,
    },
    SetComp {
        elt: ExprId,
        generators: Seq<Comprehension>,
    },
    DictComp {
        key: ExprId,
        value: Option<ExprId>,
        generators: Seq<Comprehension>,
    },
    GeneratorExp {
        elt: ExprId,
        generators: Seq<Comprehension>,
    },
    Await {
        value: ExprId,
    },
    Yield {
        value: Option<ExprId>,
    },
    YieldFrom {
        value: ExprId,
    },
    Compare {
        left: ExprId,
        ops: Seq<CmpOp>,
        comparators: Seq<ExprId>,
    },
    Call {
        func: ExprId,
        args: Seq<ExprId>,
        keywords: Seq<Keyword>,
    },
    FormattedValue {
        value: ExprId,
        conversion: i32,
        format_spec: Option<ExprId>,
    },
    Interpolation {
        value: ExprId,
        str: StrId,
        conversion: i32,
        format_spec: Option<ExprId>,
    },
    JoinedStr {
        values: Seq<ExprId>,
    },
    TemplateStr {
        values: Seq<ExprId>,
    },
    Constant {
        value: ConstId,
        kind_u: bool,
    },
    Attribute {
        value: ExprId,
        attr: NameId,
        ctx: ExprContext,
    },
    Subscript {
        value: ExprId,
        slice: ExprId,
        ctx: ExprContext,
    },
    Starred {
        value: ExprId,
        ctx: ExprContext,
    },
    Name {
        id: NameId,
        ctx: ExprContext,
    },
    List {
        elts: Seq<ExprId>,
        ctx: ExprContext,
    },
    Tuple {
        elts: Seq<ExprId>,
        ctx: ExprContext,
    },
    Slice {
        lower: Option<ExprId>,
        upper: Option<ExprId>,
        step: Option<ExprId>,
    },
}

/// `comprehension`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Comprehension {
    pub target: ExprId,
    pub iter: ExprId,
    pub ifs: Seq<ExprId>,
    pub is_async: bool,
}

/// `excepthandler`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExceptHandler {
    pub pos: Pos,
    pub type_: Option<ExprId>,
    pub name: Option<NameId>,
    pub body: Seq<StmtId>,
}

/// `arguments`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Arguments {
    pub posonlyargs: Seq<Arg>,
    pub args: Seq<Arg>,
    pub vararg: Option<Arg>,
    pub kwonlyargs: Seq<Arg>,
    pub kw_defaults: Seq<Option<ExprId>>,
    pub kwarg: Option<Arg>,
    pub defaults: Seq<ExprId>,
}

/// `arg`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Arg {
    pub pos: Pos,
    pub arg: NameId,
    pub annotation: Option<ExprId>,
    pub type_comment: Option<StrId>,
}

/// `keyword`; `arg` is None for `**kwargs`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Keyword {
    pub pos: Pos,
    pub arg: Option<NameId>,
    pub value: ExprId,
}

/// `alias`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Alias {
    pub pos: Pos,
    pub name: NameId,
    pub asname: Option<NameId>,
}

/// `withitem`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WithItem {
    pub context_expr: ExprId,
    pub optional_vars: Option<ExprId>,
}

/// `match_case`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MatchCase {
    pub pattern: PatternId,
    pub guard: Option<ExprId>,
    pub body: Seq<StmtId>,
}

/// A `pattern` node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pattern {
    pub pos: Pos,
    pub kind: PatternKind,
}

/// `pattern` constructors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PatternKind {
    MatchValue { value: ExprId },
    MatchSingleton { value: ConstId },
    MatchSequence { patterns: Seq<PatternId> },
    MatchMapping { keys: Seq<ExprId>, patterns: Seq<PatternId>, rest: Option<NameId> },
    MatchClass { cls: ExprId, patterns: Seq<PatternId>, kwd_attrs: Seq<NameId>, kwd_patterns: Seq<PatternId> },
    MatchStar { name: Option<NameId> },
    MatchAs { pattern: Option<PatternId>, name: Option<NameId> },
    MatchOr { patterns: Seq<PatternId> },
}

/// A `type_param` node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TypeParam {
    pub pos: Pos,
    pub kind: TypeParamKind,
}

/// `type_param` constructors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TypeParamKind {
    TypeVar { name: NameId, bound: Option<ExprId>, default_value: Option<ExprId> },
    ParamSpec { name: NameId, default_value: Option<ExprId> },
    TypeVarTuple { name: NameId, default_value: Option<ExprId> },
}

/// A pool of the [`Ast`] holding the elements of `Seq<T>`s.
pub trait Pool<T> {
    #[doc(hidden)]
    fn pool(&self) -> &Vec<T>;
    #[doc(hidden)]
    fn pool_mut(&mut self) -> &mut Vec<T>;
}

macro_rules! pools {
    ($($field:ident: $t:ty;)*) => {
        /// One source's tree: the node pools, the sequence pools and the side tables.
        #[derive(Default)]
        pub struct Ast {
            /// The root; `None` until the builder has made it.
            pub root: Option<Mod>,
            exprs: Vec<Expr>,
            stmts: Vec<Stmt>,
            patterns: Vec<Pattern>,
            arguments: Vec<Arguments>,
            consts: Vec<Constant>,
            strs: Vec<Box<str>>,
            names: NameTable,
            /// An id or a sequence did not fit in 32 bits: the tree is incomplete.
            overflow: bool,
            $($field: Vec<$t>,)*
        }
        impl Ast {
            /// Empties every pool and table, keeping their memory for the next source.
            pub fn clear(&mut self) {
                self.root = None;
                self.overflow = false;
                self.exprs.clear();
                self.stmts.clear();
                self.patterns.clear();
                self.arguments.clear();
                self.consts.clear();
                self.strs.clear();
                self.names.clear();
                $(self.$field.clear();)*
            }

            fn seq_sizes(&self) -> Vec<(&'static str, usize)> {
                vec![$((stringify!($field), self.$field.len()),)*]
            }
        }
        $(impl Pool<$t> for Ast {
            #[inline]
            fn pool(&self) -> &Vec<$t> {
                &self.$field
            }
            #[inline]
            fn pool_mut(&mut self) -> &mut Vec<$t> {
                &mut self.$field
            }
        })*
    };
}

pools! {
    expr_seqs: ExprId;
    opt_expr_seqs: Option<ExprId>;
    stmt_seqs: StmtId;
    pattern_seqs: PatternId;
    name_seqs: NameId;
    cmpop_seqs: CmpOp;
    arg_seqs: Arg;
    keyword_seqs: Keyword;
    alias_seqs: Alias;
    with_item_seqs: WithItem;
    comprehension_seqs: Comprehension;
    handler_seqs: ExceptHandler;
    match_case_seqs: MatchCase;
    type_param_seqs: TypeParam;
    type_ignore_seqs: TypeIgnore;
}

impl Ast {
    /// An empty tree with room for about `source_len` bytes of source.
    /// (The pools start at about the sizes the stdlib needs: one expression per 20 bytes of
    /// source, a statement per 80, a constant per 100, a distinct name per 160.)
    pub fn with_source_len(source_len: usize) -> Ast {
        let n = source_len;
        let mut names = NameTable::default();
        names.reserve(n / 128, n / 16);
        Ast {
            exprs: Vec::with_capacity(n / 16),
            stmts: Vec::with_capacity(n / 64),
            consts: Vec::with_capacity(n / 80),
            arguments: Vec::with_capacity(n / 512),
            expr_seqs: Vec::with_capacity(n / 48),
            stmt_seqs: Vec::with_capacity(n / 64),
            arg_seqs: Vec::with_capacity(n / 256),
            names,
            ..Ast::default()
        }
    }

    /// Whether every node fitted (ids and sequences are 32-bit).
    pub fn is_complete(&self) -> bool {
        !self.overflow
    }

    /// The number of entries of each pool, by name (nodes of abandoned alternatives included).
    pub fn sizes(&self) -> Vec<(&'static str, usize)> {
        let mut v = vec![
            ("exprs", self.exprs.len()),
            ("stmts", self.stmts.len()),
            ("patterns", self.patterns.len()),
            ("arguments", self.arguments.len()),
            ("consts", self.consts.len()),
            ("strs", self.strs.len()),
            ("names", self.names.len()),
            ("name_bytes", self.names.text_len()),
        ];
        v.extend(self.seq_sizes());
        v
    }

    // ---- reading ----

    #[inline]
    pub fn expr(&self, id: ExprId) -> Option<&Expr> {
        self.exprs.get(id.index())
    }
    #[inline]
    pub fn stmt(&self, id: StmtId) -> Option<&Stmt> {
        self.stmts.get(id.index())
    }
    #[inline]
    pub fn pattern(&self, id: PatternId) -> Option<&Pattern> {
        self.patterns.get(id.index())
    }
    #[inline]
    pub fn arguments(&self, id: ArgumentsId) -> Option<&Arguments> {
        self.arguments.get(id.index())
    }
    #[inline]
    pub fn constant(&self, id: ConstId) -> Option<&Constant> {
        self.consts.get(id.index())
    }
    /// The text of an interned identifier.
    #[inline]
    pub fn name(&self, id: NameId) -> Option<&str> {
        self.names.get(u32::try_from(id.index()).ok()?)
    }
    /// The interner of the tree's identifiers: a [`NameId`]'s index is its id there.
    pub fn names(&self) -> &NameTable {
        &self.names
    }
    /// The number of distinct identifiers (every [`NameId`] is below it).
    pub fn name_count(&self) -> usize {
        self.names.len()
    }
    #[inline]
    pub fn str(&self, id: StrId) -> Option<&str> {
        self.strs.get(id.index()).map(|s| &**s)
    }
    /// The elements of a sequence field.
    #[inline]
    pub fn seq<T>(&self, s: Seq<T>) -> &[T]
    where
        Ast: Pool<T>,
    {
        let start = s.start as usize;
        self.pool().get(start..start + s.len as usize).unwrap_or_default()
    }

    // ---- building ----

    fn flag<I>(&mut self, id: Option<I>, fallback: I) -> I {
        id.unwrap_or_else(|| {
            self.overflow = true;
            fallback
        })
    }

    const FIRST: NonZeroU32 = NonZeroU32::MIN;

    /// Adds an expression node.
    #[inline]
    pub fn add_expr(&mut self, kind: ExprKind, pos: Pos) -> ExprId {
        let id = ExprId::at(self.exprs.len());
        self.exprs.push(Expr { pos, kind });
        self.flag(id, ExprId(Self::FIRST))
    }
    /// Adds a statement node.
    #[inline]
    pub fn add_stmt(&mut self, kind: StmtKind, pos: Pos) -> StmtId {
        let id = StmtId::at(self.stmts.len());
        self.stmts.push(Stmt { pos, kind });
        self.flag(id, StmtId(Self::FIRST))
    }
    /// Adds a pattern node.
    pub fn add_pattern(&mut self, kind: PatternKind, pos: Pos) -> PatternId {
        let id = PatternId::at(self.patterns.len());
        self.patterns.push(Pattern { pos, kind });
        self.flag(id, PatternId(Self::FIRST))
    }
    /// Adds an `arguments` node.
    pub fn add_arguments(&mut self, a: Arguments) -> ArgumentsId {
        let id = ArgumentsId::at(self.arguments.len());
        self.arguments.push(a);
        self.flag(id, ArgumentsId(Self::FIRST))
    }
    /// Adds a constant.
    #[inline]
    pub fn add_constant(&mut self, c: Constant) -> ConstId {
        let id = ConstId::at(self.consts.len());
        self.consts.push(c);
        self.flag(id, ConstId(Self::FIRST))
    }
    /// Adds a side string.
    pub fn add_str(&mut self, s: &str) -> StrId {
        let id = StrId::at(self.strs.len());
        self.strs.push(s.into());
        self.flag(id, StrId(Self::FIRST))
    }
    /// Interns an identifier.
    #[inline]
    pub fn intern(&mut self, s: &str) -> NameId {
        let id = self.names.intern(s).and_then(|i| NameId::at(i as usize));
        self.flag(id, NameId(Self::FIRST))
    }
    /// Moves `items` into a sequence.
    #[inline]
    pub fn add_seq<T>(&mut self, items: Vec<T>) -> Seq<T>
    where
        Ast: Pool<T>,
    {
        if items.is_empty() {
            return Seq::EMPTY;
        }
        let pool = self.pool_mut();
        let (start, len) = (pool.len(), items.len());
        pool.extend(items);
        match (u32::try_from(start), u32::try_from(len)) {
            (Ok(start), Ok(len)) if start.checked_add(len).is_some() => Seq { start, len, _t: PhantomData },
            _ => {
                self.overflow = true;
                Seq::EMPTY
            }
        }
    }
    /// Every statement node, in the order they were added (those of alternatives the parser
    /// abandoned included).
    pub fn all_stmts(&self) -> &[Stmt] {
        &self.stmts
    }
    /// The number of expression nodes (those of abandoned alternatives included); every
    /// [`ExprId`] of the tree is [`Ast::expr_id`] of a position below it.
    pub fn expr_count(&self) -> usize {
        self.exprs.len()
    }
    /// The id of the expression at position `i` of the pool (`None` past its end). The builder
    /// adds a node after its children, so ids go up from children to parents.
    pub fn expr_id(&self, i: usize) -> Option<ExprId> {
        if i < self.exprs.len() {
            ExprId::at(i)
        } else {
            None
        }
    }
    /// The number of pattern nodes (those of abandoned alternatives included).
    pub fn pattern_count(&self) -> usize {
        self.patterns.len()
    }
    /// The id of the pattern at position `i` of the pool (`None` past its end).
    pub fn pattern_id(&self, i: usize) -> Option<PatternId> {
        if i < self.patterns.len() {
            PatternId::at(i)
        } else {
            None
        }
    }
    /// An expression to change in place (the constant folding pass rewrites nodes).
    #[inline]
    pub fn expr_mut(&mut self, id: ExprId) -> Option<&mut Expr> {
        self.exprs.get_mut(id.index())
    }
    /// A statement to change in place (its type comment, which the parser adds after the fact).
    #[inline]
    pub fn stmt_mut(&mut self, id: StmtId) -> Option<&mut Stmt> {
        self.stmts.get_mut(id.index())
    }
}

/// [`Ast::to_tree`]'s error: an id that is not in the tree (only for an incomplete or foreign tree).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DanglingId;

type R<T> = Result<T, DanglingId>;

impl Ast {
    /// The boxed tree of [`crate::nodes`] with the same nodes, fields and positions.
    pub fn to_tree(&self) -> R<t::Mod> {
        if self.overflow {
            return Err(DanglingId);
        }
        Ok(match self.root.ok_or(DanglingId)? {
            Mod::Module { body, type_ignores } => t::Mod::Module {
                body: self.stmts_t(body)?,
                type_ignores: self
                    .seq(type_ignores)
                    .iter()
                    .map(|ti| Ok(t::TypeIgnore { lineno: ti.lineno, tag: self.str(ti.tag).ok_or(DanglingId)?.into() }))
                    .collect::<R<_>>()?,
            },
            Mod::Interactive { body } => t::Mod::Interactive { body: self.stmts_t(body)? },
            Mod::Expression { body } => t::Mod::Expression { body: Box::new(self.expr_t(body)?) },
            Mod::FunctionType { argtypes, returns } => {
                t::Mod::FunctionType { argtypes: self.exprs_t(argtypes)?, returns: Box::new(self.expr_t(returns)?) }
            }
        })
    }

    fn name_t(&self, id: NameId) -> R<t::Identifier> {
        Ok(self.name(id).ok_or(DanglingId)?.into())
    }
    fn opt_name_t(&self, id: Option<NameId>) -> R<Option<t::Identifier>> {
        id.map(|i| self.name_t(i)).transpose()
    }
    fn opt_str_t(&self, id: Option<StrId>) -> R<Option<Box<str>>> {
        id.map(|i| self.str(i).map(Box::from).ok_or(DanglingId)).transpose()
    }
    fn bexpr(&self, id: ExprId) -> R<Box<t::Expr>> {
        Ok(Box::new(self.expr_t(id)?))
    }
    fn opt_bexpr(&self, id: Option<ExprId>) -> R<Option<Box<t::Expr>>> {
        id.map(|i| self.bexpr(i)).transpose()
    }
    fn exprs_t(&self, s: Seq<ExprId>) -> R<Vec<t::Expr>> {
        self.seq(s).iter().map(|&e| self.expr_t(e)).collect()
    }
    fn stmts_t(&self, s: Seq<StmtId>) -> R<Vec<t::Stmt>> {
        self.seq(s).iter().map(|&e| self.stmt_t(e)).collect()
    }
    fn patterns_t(&self, s: Seq<PatternId>) -> R<Vec<t::Pattern>> {
        self.seq(s).iter().map(|&e| self.pattern_t(e)).collect()
    }
    fn names_t(&self, s: Seq<NameId>) -> R<Vec<t::Identifier>> {
        self.seq(s).iter().map(|&e| self.name_t(e)).collect()
    }
    fn keywords_t(&self, s: Seq<Keyword>) -> R<Vec<t::Keyword>> {
        self.seq(s).iter().map(|k| Ok(t::Keyword { pos: k.pos, arg: self.opt_name_t(k.arg)?, value: self.expr_t(k.value)? })).collect()
    }
    fn comps_t(&self, s: Seq<Comprehension>) -> R<Vec<t::Comprehension>> {
        self.seq(s)
            .iter()
            .map(|c| {
                Ok(t::Comprehension {
                    target: self.expr_t(c.target)?,
                    iter: self.expr_t(c.iter)?,
                    ifs: self.exprs_t(c.ifs)?,
                    is_async: c.is_async,
                })
            })
            .collect()
    }
    fn type_params_t(&self, s: Seq<TypeParam>) -> R<Vec<t::TypeParam>> {
        self.seq(s)
            .iter()
            .map(|p| {
                let kind = match p.kind {
                    TypeParamKind::TypeVar { name, bound, default_value } => t::TypeParamKind::TypeVar {
                        name: self.name_t(name)?,
                        bound: self.opt_bexpr(bound)?,
                        default_value: self.opt_bexpr(default_value)?,
                    },
                    TypeParamKind::ParamSpec { name, default_value } => {
                        t::TypeParamKind::ParamSpec { name: self.name_t(name)?, default_value: self.opt_bexpr(default_value)? }
                    }
                    TypeParamKind::TypeVarTuple { name, default_value } => {
                        t::TypeParamKind::TypeVarTuple { name: self.name_t(name)?, default_value: self.opt_bexpr(default_value)? }
                    }
                };
                Ok(t::TypeParam { pos: p.pos, kind })
            })
            .collect()
    }
    fn arg_t(&self, a: &Arg) -> R<t::Arg> {
        Ok(t::Arg {
            pos: a.pos,
            arg: self.name_t(a.arg)?,
            annotation: self.opt_bexpr(a.annotation)?,
            type_comment: self.opt_str_t(a.type_comment)?,
        })
    }
    fn args_t(&self, s: Seq<Arg>) -> R<Vec<t::Arg>> {
        self.seq(s).iter().map(|a| self.arg_t(a)).collect()
    }
    fn arguments_t(&self, id: ArgumentsId) -> R<t::Arguments> {
        let a = self.arguments(id).ok_or(DanglingId)?;
        Ok(t::Arguments {
            posonlyargs: self.args_t(a.posonlyargs)?,
            args: self.args_t(a.args)?,
            vararg: a.vararg.as_ref().map(|v| self.arg_t(v).map(Box::new)).transpose()?,
            kwonlyargs: self.args_t(a.kwonlyargs)?,
            kw_defaults: self.seq(a.kw_defaults).iter().map(|&d| d.map(|e| self.expr_t(e)).transpose()).collect::<R<_>>()?,
            kwarg: a.kwarg.as_ref().map(|v| self.arg_t(v).map(Box::new)).transpose()?,
            defaults: self.exprs_t(a.defaults)?,
        })
    }
    fn function_t(&self, f: &FunctionDef) -> R<Box<t::FunctionDef>> {
        Ok(Box::new(t::FunctionDef {
            name: self.name_t(f.name)?,
            args: Box::new(self.arguments_t(f.args)?),
            body: self.stmts_t(f.body)?,
            decorator_list: self.exprs_t(f.decorator_list)?,
            returns: self.opt_bexpr(f.returns)?,
            type_comment: self.opt_str_t(f.type_comment)?,
            type_params: self.type_params_t(f.type_params)?,
        }))
    }
    fn for_t(&self, f: &For) -> R<Box<t::For>> {
        Ok(Box::new(t::For {
            target: self.expr_t(f.target)?,
            iter: self.expr_t(f.iter)?,
            body: self.stmts_t(f.body)?,
            orelse: self.stmts_t(f.orelse)?,
            type_comment: self.opt_str_t(f.type_comment)?,
        }))
    }
    fn try_t(&self, x: &Try) -> R<Box<t::Try>> {
        Ok(Box::new(t::Try {
            body: self.stmts_t(x.body)?,
            handlers: self
                .seq(x.handlers)
                .iter()
                .map(|h| {
                    Ok(t::ExceptHandler {
                        pos: h.pos,
                        type_: self.opt_bexpr(h.type_)?,
                        name: self.opt_name_t(h.name)?,
                        body: self.stmts_t(h.body)?,
                    })
                })
                .collect::<R<_>>()?,
            orelse: self.stmts_t(x.orelse)?,
            finalbody: self.stmts_t(x.finalbody)?,
        }))
    }
    fn with_items_t(&self, s: Seq<WithItem>) -> R<Vec<t::WithItem>> {
        self.seq(s)
            .iter()
            .map(|w| Ok(t::WithItem { context_expr: self.expr_t(w.context_expr)?, optional_vars: self.opt_bexpr(w.optional_vars)? }))
            .collect()
    }
    fn aliases_t(&self, s: Seq<Alias>) -> R<Vec<t::Alias>> {
        self.seq(s).iter().map(|a| Ok(t::Alias { pos: a.pos, name: self.name_t(a.name)?, asname: self.opt_name_t(a.asname)? })).collect()
    }

    fn stmt_t(&self, id: StmtId) -> R<t::Stmt> {
        use t::StmtKind as T;
        use StmtKind as K;
        let s = self.stmt(id).ok_or(DanglingId)?;
        let kind = match &s.kind {
            K::FunctionDef(f) => T::FunctionDef(self.function_t(f)?),
            K::AsyncFunctionDef(f) => T::AsyncFunctionDef(self.function_t(f)?),
            K::ClassDef(c) => T::ClassDef(Box::new(t::ClassDef {
                name: self.name_t(c.name)?,
                bases: self.exprs_t(c.bases)?,
                keywords: self.keywords_t(c.keywords)?,
                body: self.stmts_t(c.body)?,
                decorator_list: self.exprs_t(c.decorator_list)?,
                type_params: self.type_params_t(c.type_params)?,
            })),
            K::Return { value } => T::Return { value: self.opt_bexpr(*value)? },
            K::Delete { targets } => T::Delete { targets: self.exprs_t(*targets)? },
            K::Assign { targets, value, type_comment } => {
                T::Assign { targets: self.exprs_t(*targets)?, value: self.bexpr(*value)?, type_comment: self.opt_str_t(*type_comment)? }
            }
            K::TypeAlias { name, type_params, value } => {
                T::TypeAlias { name: self.bexpr(*name)?, type_params: self.type_params_t(*type_params)?, value: self.bexpr(*value)? }
            }
            K::AugAssign { target, op, value } => T::AugAssign { target: self.bexpr(*target)?, op: *op, value: self.bexpr(*value)? },
            K::AnnAssign { target, annotation, value, simple } => T::AnnAssign {
                target: self.bexpr(*target)?,
                annotation: self.bexpr(*annotation)?,
                value: self.opt_bexpr(*value)?,
                simple: *simple,
            },
            K::For(f) => T::For(self.for_t(f)?),
            K::AsyncFor(f) => T::AsyncFor(self.for_t(f)?),
            K::While { test, body, orelse } => {
                T::While { test: self.bexpr(*test)?, body: self.stmts_t(*body)?, orelse: self.stmts_t(*orelse)? }
            }
            K::If { test, body, orelse } => T::If { test: self.bexpr(*test)?, body: self.stmts_t(*body)?, orelse: self.stmts_t(*orelse)? },
            K::With { items, body, type_comment } => {
                T::With { items: self.with_items_t(*items)?, body: self.stmts_t(*body)?, type_comment: self.opt_str_t(*type_comment)? }
            }
            K::AsyncWith { items, body, type_comment } => {
                T::AsyncWith { items: self.with_items_t(*items)?, body: self.stmts_t(*body)?, type_comment: self.opt_str_t(*type_comment)? }
            }
            K::Match { subject, cases } => T::Match {
                subject: self.bexpr(*subject)?,
                cases: self
                    .seq(*cases)
                    .iter()
                    .map(|c| {
                        Ok(t::MatchCase {
                            pattern: self.pattern_t(c.pattern)?,
                            guard: self.opt_bexpr(c.guard)?,
                            body: self.stmts_t(c.body)?,
                        })
                    })
                    .collect::<R<_>>()?,
            },
            K::Raise { exc, cause } => T::Raise { exc: self.opt_bexpr(*exc)?, cause: self.opt_bexpr(*cause)? },
            K::Try(x) => T::Try(self.try_t(x)?),
            K::TryStar(x) => T::TryStar(self.try_t(x)?),
            K::Assert { test, msg } => T::Assert { test: self.bexpr(*test)?, msg: self.opt_bexpr(*msg)? },
            K::Import { names, is_lazy } => T::Import { names: self.aliases_t(*names)?, is_lazy: *is_lazy },
            K::ImportFrom { module, names, level, is_lazy } => {
                T::ImportFrom { module: self.opt_name_t(*module)?, names: self.aliases_t(*names)?, level: *level, is_lazy: *is_lazy }
            }
            K::Global { names } => T::Global { names: self.names_t(*names)? },
            K::Nonlocal { names } => T::Nonlocal { names: self.names_t(*names)? },
            K::Expr { value } => T::Expr { value: self.bexpr(*value)? },
            K::Pass => T::Pass,
            K::Break => T::Break,
            K::Continue => T::Continue,
        };
        Ok(t::Stmt { pos: s.pos, kind })
    }

    fn expr_t(&self, id: ExprId) -> R<t::Expr> {
        stacker::maybe_grow(64 * 1024, 4 << 20, || self.expr_t_inner(id))
    }

    fn expr_t_inner(&self, id: ExprId) -> R<t::Expr> {
        self.expr_tree(self.expr(id).ok_or(DanglingId)?)
    }

    /// The boxed form of the expression `e` of this tree (and of everything under it).
    pub fn expr_tree(&self, e: &Expr) -> R<t::Expr> {
        use t::ExprKind as T;
        use ExprKind as K;
        let kind = match &e.kind {
            K::BoolOp { op, values } => T::BoolOp { op: *op, values: self.exprs_t(*values)? },
            K::NamedExpr { target, value } => T::NamedExpr { target: self.bexpr(*target)?, value: self.bexpr(*value)? },
            K::BinOp { left, op, right } => T::BinOp { left: self.bexpr(*left)?, op: *op, right: self.bexpr(*right)? },
            K::UnaryOp { op, operand } => T::UnaryOp { op: *op, operand: self.bexpr(*operand)? },
            K::Lambda { args, body } => T::Lambda { args: Box::new(self.arguments_t(*args)?), body: self.bexpr(*body)? },
            K::IfExp { test, body, orelse } => {
                T::IfExp { test: self.bexpr(*test)?, body: self.bexpr(*body)?, orelse: self.bexpr(*orelse)? }
            }
            K::Dict { keys, values } => T::Dict {
                keys: self.seq(*keys).iter().map(|&k| k.map(|k| self.expr_t(k)).transpose()).collect::<R<_>>()?,
                values: self.exprs_t(*values)?,
            },
            K::Set { elts } => T::Set { elts: self.exprs_t(*elts)? },
            K::ListComp { elt, generators } => T::ListComp { elt: self.bexpr(*elt)?, generators: self.comps_t(*generators)? },
            K::SetComp { elt, generators } => T::SetComp { elt: self.bexpr(*elt)?, generators: self.comps_t(*generators)? },
            K::DictComp { key, value, generators } => {
                T::DictComp { key: self.bexpr(*key)?, value: self.opt_bexpr(*value)?, generators: self.comps_t(*generators)? }
            }
            K::GeneratorExp { elt, generators } => T::GeneratorExp { elt: self.bexpr(*elt)?, generators: self.comps_t(*generators)? },
            K::Await { value } => T::Await { value: self.bexpr(*value)? },
            K::Yield { value } => T::Yield { value: self.opt_bexpr(*value)? },
            K::YieldFrom { value } => T::YieldFrom { value: self.bexpr(*value)? },
            K::Compare { left, ops, comparators } => {
                T::Compare { left: self.bexpr(*left)?, ops: self.seq(*ops).to_vec(), comparators: self.exprs_t(*comparators)? }
            }
            K::Call { func, args, keywords } => {
                T::Call { func: self.bexpr(*func)?, args: self.exprs_t(*args)?, keywords: self.keywords_t(*keywords)? }
            }
            K::FormattedValue { value, conversion, format_spec } => {
                T::FormattedValue { value: self.bexpr(*value)?, conversion: *conversion, format_spec: self.opt_bexpr(*format_spec)? }
            }
            K::Interpolation { value, str, conversion, format_spec } => T::Interpolation {
                value: self.bexpr(*value)?,
                str: self.str(*str).ok_or(DanglingId)?.into(),
                conversion: *conversion,
                format_spec: self.opt_bexpr(*format_spec)?,
            },
            K::JoinedStr { values } => T::JoinedStr { values: self.exprs_t(*values)? },
            K::TemplateStr { values } => T::TemplateStr { values: self.exprs_t(*values)? },
            K::Constant { value, kind_u } => T::Constant { value: self.constant(*value).ok_or(DanglingId)?.clone(), kind_u: *kind_u },
            K::Attribute { value, attr, ctx } => T::Attribute { value: self.bexpr(*value)?, attr: self.name_t(*attr)?, ctx: *ctx },
            K::Subscript { value, slice, ctx } => T::Subscript { value: self.bexpr(*value)?, slice: self.bexpr(*slice)?, ctx: *ctx },
            K::Starred { value, ctx } => T::Starred { value: self.bexpr(*value)?, ctx: *ctx },
            K::Name { id, ctx } => T::Name { id: self.name_t(*id)?, ctx: *ctx },
            K::List { elts, ctx } => T::List { elts: self.exprs_t(*elts)?, ctx: *ctx },
            K::Tuple { elts, ctx } => T::Tuple { elts: self.exprs_t(*elts)?, ctx: *ctx },
            K::Slice { lower, upper, step } => {
                T::Slice { lower: self.opt_bexpr(*lower)?, upper: self.opt_bexpr(*upper)?, step: self.opt_bexpr(*step)? }
            }
        };
        Ok(t::Expr { pos: e.pos, kind })
    }

    fn pattern_t(&self, id: PatternId) -> R<t::Pattern> {
        stacker::maybe_grow(64 * 1024, 4 << 20, || self.pattern_t_inner(id))
    }

    fn pattern_t_inner(&self, id: PatternId) -> R<t::Pattern> {
        use t::PatternKind as T;
        use PatternKind as K;
        let p = self.pattern(id).ok_or(DanglingId)?;
        let kind = match &p.kind {
            K::MatchValue { value } => T::MatchValue { value: self.bexpr(*value)? },
            K::MatchSingleton { value } => T::MatchSingleton { value: self.constant(*value).ok_or(DanglingId)?.clone() },
            K::MatchSequence { patterns } => T::MatchSequence { patterns: self.patterns_t(*patterns)? },
            K::MatchMapping { keys, patterns, rest } => {
                T::MatchMapping { keys: self.exprs_t(*keys)?, patterns: self.patterns_t(*patterns)?, rest: self.opt_name_t(*rest)? }
            }
            K::MatchClass { cls, patterns, kwd_attrs, kwd_patterns } => T::MatchClass {
                cls: self.bexpr(*cls)?,
                patterns: self.patterns_t(*patterns)?,
                kwd_attrs: self.names_t(*kwd_attrs)?,
                kwd_patterns: self.patterns_t(*kwd_patterns)?,
            },
            K::MatchStar { name } => T::MatchStar { name: self.opt_name_t(*name)? },
            K::MatchAs { pattern, name } => {
                T::MatchAs { pattern: pattern.map(|q| self.pattern_t(q).map(Box::new)).transpose()?, name: self.opt_name_t(*name)? }
            }
            K::MatchOr { patterns } => T::MatchOr { patterns: self.patterns_t(*patterns)? },
        };
        Ok(t::Pattern { pos: p.pos, kind })
    }
}

impl Ast {
    /// The arena form of a boxed tree (nodes, fields and positions as they are; names
    /// interned, constants copied): for callers that hold a [`crate::nodes`] tree (one read
    /// from CPython's JSON dump) and want what works on the arena.
    pub fn from_tree(m: &t::Mod) -> Ast {
        let mut a = Ast::default();
        let root = match m {
            t::Mod::Module { body, type_ignores } => {
                let body = a.f_stmts(body);
                let tis: Vec<TypeIgnore> =
                    type_ignores.iter().map(|ti| TypeIgnore { lineno: ti.lineno, tag: a.add_str(&ti.tag) }).collect();
                Mod::Module { body, type_ignores: a.add_seq(tis) }
            }
            t::Mod::Interactive { body } => Mod::Interactive { body: a.f_stmts(body) },
            t::Mod::Expression { body } => Mod::Expression { body: a.f_expr(body) },
            t::Mod::FunctionType { argtypes, returns } => {
                let argtypes = a.f_exprs(argtypes);
                Mod::FunctionType { argtypes, returns: a.f_expr(returns) }
            }
        };
        a.root = Some(root);
        a
    }

    fn f_opt_str(&mut self, s: &Option<Box<str>>) -> Option<StrId> {
        s.as_deref().map(|s| self.add_str(s))
    }
    fn f_opt_name(&mut self, s: &Option<t::Identifier>) -> Option<NameId> {
        s.as_ref().map(|s| self.intern(s))
    }
    fn f_opt_expr(&mut self, e: &Option<Box<t::Expr>>) -> Option<ExprId> {
        e.as_deref().map(|e| self.f_expr(e))
    }
    fn f_exprs(&mut self, v: &[t::Expr]) -> Seq<ExprId> {
        let ids: Vec<ExprId> = v.iter().map(|e| self.f_expr(e)).collect();
        self.add_seq(ids)
    }
    fn f_stmts(&mut self, v: &[t::Stmt]) -> Seq<StmtId> {
        let ids: Vec<StmtId> = v.iter().map(|s| self.f_stmt(s)).collect();
        self.add_seq(ids)
    }
    fn f_patterns(&mut self, v: &[t::Pattern]) -> Seq<PatternId> {
        let ids: Vec<PatternId> = v.iter().map(|p| self.f_pattern(p)).collect();
        self.add_seq(ids)
    }
    fn f_names(&mut self, v: &[t::Identifier]) -> Seq<NameId> {
        let ids: Vec<NameId> = v.iter().map(|n| self.intern(n)).collect();
        self.add_seq(ids)
    }
    fn f_keywords(&mut self, v: &[t::Keyword]) -> Seq<Keyword> {
        let ks: Vec<Keyword> =
            v.iter().map(|k| Keyword { pos: k.pos, arg: self.f_opt_name(&k.arg), value: self.f_expr(&k.value) }).collect();
        self.add_seq(ks)
    }
    fn f_comps(&mut self, v: &[t::Comprehension]) -> Seq<Comprehension> {
        let cs: Vec<Comprehension> = v
            .iter()
            .map(|c| Comprehension {
                target: self.f_expr(&c.target),
                iter: self.f_expr(&c.iter),
                ifs: self.f_exprs(&c.ifs),
                is_async: c.is_async,
            })
            .collect();
        self.add_seq(cs)
    }
    fn f_type_params(&mut self, v: &[t::TypeParam]) -> Seq<TypeParam> {
        let ps: Vec<TypeParam> = v
            .iter()
            .map(|p| {
                let kind = match &p.kind {
                    t::TypeParamKind::TypeVar { name, bound, default_value } => TypeParamKind::TypeVar {
                        name: self.intern(name),
                        bound: self.f_opt_expr(bound),
                        default_value: self.f_opt_expr(default_value),
                    },
                    t::TypeParamKind::ParamSpec { name, default_value } => {
                        TypeParamKind::ParamSpec { name: self.intern(name), default_value: self.f_opt_expr(default_value) }
                    }
                    t::TypeParamKind::TypeVarTuple { name, default_value } => {
                        TypeParamKind::TypeVarTuple { name: self.intern(name), default_value: self.f_opt_expr(default_value) }
                    }
                };
                TypeParam { pos: p.pos, kind }
            })
            .collect();
        self.add_seq(ps)
    }
    fn f_arg(&mut self, a: &t::Arg) -> Arg {
        Arg {
            pos: a.pos,
            arg: self.intern(&a.arg),
            annotation: self.f_opt_expr(&a.annotation),
            type_comment: self.f_opt_str(&a.type_comment),
        }
    }
    fn f_args(&mut self, v: &[t::Arg]) -> Seq<Arg> {
        let args: Vec<Arg> = v.iter().map(|a| self.f_arg(a)).collect();
        self.add_seq(args)
    }
    fn f_arguments(&mut self, a: &t::Arguments) -> ArgumentsId {
        let posonlyargs = self.f_args(&a.posonlyargs);
        let args = self.f_args(&a.args);
        let vararg = a.vararg.as_deref().map(|v| self.f_arg(v));
        let kwonlyargs = self.f_args(&a.kwonlyargs);
        let kwd: Vec<Option<ExprId>> = a.kw_defaults.iter().map(|d| d.as_ref().map(|e| self.f_expr(e))).collect();
        let kw_defaults = self.add_seq(kwd);
        let kwarg = a.kwarg.as_deref().map(|v| self.f_arg(v));
        let defaults = self.f_exprs(&a.defaults);
        self.add_arguments(Arguments { posonlyargs, args, vararg, kwonlyargs, kw_defaults, kwarg, defaults })
    }
    fn f_function(&mut self, f: &t::FunctionDef) -> FunctionDef {
        FunctionDef {
            name: self.intern(&f.name),
            args: self.f_arguments(&f.args),
            body: self.f_stmts(&f.body),
            decorator_list: self.f_exprs(&f.decorator_list),
            returns: self.f_opt_expr(&f.returns),
            type_comment: self.f_opt_str(&f.type_comment),
            type_params: self.f_type_params(&f.type_params),
        }
    }
    fn f_for(&mut self, f: &t::For) -> For {
        For {
            target: self.f_expr(&f.target),
            iter: self.f_expr(&f.iter),
            body: self.f_stmts(&f.body),
            orelse: self.f_stmts(&f.orelse),
            type_comment: self.f_opt_str(&f.type_comment),
        }
    }
    fn f_try(&mut self, x: &t::Try) -> Try {
        let body = self.f_stmts(&x.body);
        let hs: Vec<ExceptHandler> = x
            .handlers
            .iter()
            .map(|h| ExceptHandler {
                pos: h.pos,
                type_: self.f_opt_expr(&h.type_),
                name: self.f_opt_name(&h.name),
                body: self.f_stmts(&h.body),
            })
            .collect();
        let handlers = self.add_seq(hs);
        Try { body, handlers, orelse: self.f_stmts(&x.orelse), finalbody: self.f_stmts(&x.finalbody) }
    }
    fn f_with_items(&mut self, v: &[t::WithItem]) -> Seq<WithItem> {
        let items: Vec<WithItem> = v
            .iter()
            .map(|w| WithItem { context_expr: self.f_expr(&w.context_expr), optional_vars: self.f_opt_expr(&w.optional_vars) })
            .collect();
        self.add_seq(items)
    }
    fn f_aliases(&mut self, v: &[t::Alias]) -> Seq<Alias> {
        let items: Vec<Alias> =
            v.iter().map(|a| Alias { pos: a.pos, name: self.intern(&a.name), asname: self.f_opt_name(&a.asname) }).collect();
        self.add_seq(items)
    }

    fn f_stmt(&mut self, s: &t::Stmt) -> StmtId {
        stacker::maybe_grow(64 * 1024, 4 << 20, || self.f_stmt_inner(s))
    }

    fn f_stmt_inner(&mut self, s: &t::Stmt) -> StmtId {
        use t::StmtKind as T;
        use StmtKind as K;
        let kind = match &s.kind {
            T::FunctionDef(f) => K::FunctionDef(self.f_function(f)),
            T::AsyncFunctionDef(f) => K::AsyncFunctionDef(self.f_function(f)),
            T::ClassDef(c) => K::ClassDef(ClassDef {
                name: self.intern(&c.name),
                bases: self.f_exprs(&c.bases),
                keywords: self.f_keywords(&c.keywords),
                body: self.f_stmts(&c.body),
                decorator_list: self.f_exprs(&c.decorator_list),
                type_params: self.f_type_params(&c.type_params),
            }),
            T::Return { value } => K::Return { value: self.f_opt_expr(value) },
            T::Delete { targets } => K::Delete { targets: self.f_exprs(targets) },
            T::Assign { targets, value, type_comment } => {
                K::Assign { targets: self.f_exprs(targets), value: self.f_expr(value), type_comment: self.f_opt_str(type_comment) }
            }
            T::TypeAlias { name, type_params, value } => {
                K::TypeAlias { name: self.f_expr(name), type_params: self.f_type_params(type_params), value: self.f_expr(value) }
            }
            T::AugAssign { target, op, value } => K::AugAssign { target: self.f_expr(target), op: *op, value: self.f_expr(value) },
            T::AnnAssign { target, annotation, value, simple } => K::AnnAssign {
                target: self.f_expr(target),
                annotation: self.f_expr(annotation),
                value: self.f_opt_expr(value),
                simple: *simple,
            },
            T::For(f) => K::For(self.f_for(f)),
            T::AsyncFor(f) => K::AsyncFor(self.f_for(f)),
            T::While { test, body, orelse } => K::While { test: self.f_expr(test), body: self.f_stmts(body), orelse: self.f_stmts(orelse) },
            T::If { test, body, orelse } => K::If { test: self.f_expr(test), body: self.f_stmts(body), orelse: self.f_stmts(orelse) },
            T::With { items, body, type_comment } => {
                K::With { items: self.f_with_items(items), body: self.f_stmts(body), type_comment: self.f_opt_str(type_comment) }
            }
            T::AsyncWith { items, body, type_comment } => {
                K::AsyncWith { items: self.f_with_items(items), body: self.f_stmts(body), type_comment: self.f_opt_str(type_comment) }
            }
            T::Match { subject, cases } => {
                let subject = self.f_expr(subject);
                let cs: Vec<MatchCase> = cases
                    .iter()
                    .map(|c| MatchCase {
                        pattern: self.f_pattern(&c.pattern),
                        guard: self.f_opt_expr(&c.guard),
                        body: self.f_stmts(&c.body),
                    })
                    .collect();
                K::Match { subject, cases: self.add_seq(cs) }
            }
            T::Raise { exc, cause } => K::Raise { exc: self.f_opt_expr(exc), cause: self.f_opt_expr(cause) },
            T::Try(x) => K::Try(self.f_try(x)),
            T::TryStar(x) => K::TryStar(self.f_try(x)),
            T::Assert { test, msg } => K::Assert { test: self.f_expr(test), msg: self.f_opt_expr(msg) },
            T::Import { names, is_lazy } => K::Import { names: self.f_aliases(names), is_lazy: *is_lazy },
            T::ImportFrom { module, names, level, is_lazy } => {
                K::ImportFrom { module: self.f_opt_name(module), names: self.f_aliases(names), level: *level, is_lazy: *is_lazy }
            }
            T::Global { names } => K::Global { names: self.f_names(names) },
            T::Nonlocal { names } => K::Nonlocal { names: self.f_names(names) },
            T::Expr { value } => K::Expr { value: self.f_expr(value) },
            T::Pass => K::Pass,
            T::Break => K::Break,
            T::Continue => K::Continue,
        };
        self.add_stmt(kind, s.pos)
    }

    fn f_expr(&mut self, e: &t::Expr) -> ExprId {
        stacker::maybe_grow(64 * 1024, 4 << 20, || self.f_expr_inner(e))
    }

    fn f_expr_inner(&mut self, e: &t::Expr) -> ExprId {
        use t::ExprKind as T;
        use ExprKind as K;
        let kind = match &e.kind {
            T::BoolOp { op, values } => K::BoolOp { op: *op, values: self.f_exprs(values) },
            T::NamedExpr { target, value } => K::NamedExpr { target: self.f_expr(target), value: self.f_expr(value) },
            T::BinOp { left, op, right } => K::BinOp { left: self.f_expr(left), op: *op, right: self.f_expr(right) },
            T::UnaryOp { op, operand } => K::UnaryOp { op: *op, operand: self.f_expr(operand) },
            T::Lambda { args, body } => K::Lambda { args: self.f_arguments(args), body: self.f_expr(body) },
            T::IfExp { test, body, orelse } => K::IfExp { test: self.f_expr(test), body: self.f_expr(body), orelse: self.f_expr(orelse) },
            T::Dict { keys, values } => {
                let ks: Vec<Option<ExprId>> = keys.iter().map(|k| k.as_ref().map(|k| self.f_expr(k))).collect();
                let keys = self.add_seq(ks);
                K::Dict { keys, values: self.f_exprs(values) }
            }
            T::Set { elts } => K::Set { elts: self.f_exprs(elts) },
            T::ListComp { elt, generators } => K::ListComp { elt: self.f_expr(elt), generators: self.f_comps(generators) },
            T::SetComp { elt, generators } => K::SetComp { elt: self.f_expr(elt), generators: self.f_comps(generators) },
            T::DictComp { key, value, generators } => {
                K::DictComp { key: self.f_expr(key), value: self.f_opt_expr(value), generators: self.f_comps(generators) }
            }
            T::GeneratorExp { elt, generators } => K::GeneratorExp { elt: self.f_expr(elt), generators: self.f_comps(generators) },
            T::Await { value } => K::Await { value: self.f_expr(value) },
            T::Yield { value } => K::Yield { value: self.f_opt_expr(value) },
            T::YieldFrom { value } => K::YieldFrom { value: self.f_expr(value) },
            T::Compare { left, ops, comparators } => {
                let left = self.f_expr(left);
                let ops = self.add_seq(ops.clone());
                K::Compare { left, ops, comparators: self.f_exprs(comparators) }
            }
            T::Call { func, args, keywords } => {
                K::Call { func: self.f_expr(func), args: self.f_exprs(args), keywords: self.f_keywords(keywords) }
            }
            T::FormattedValue { value, conversion, format_spec } => {
                K::FormattedValue { value: self.f_expr(value), conversion: *conversion, format_spec: self.f_opt_expr(format_spec) }
            }
            T::Interpolation { value, str, conversion, format_spec } => K::Interpolation {
                value: self.f_expr(value),
                str: self.add_str(str),
                conversion: *conversion,
                format_spec: self.f_opt_expr(format_spec),
            },
            T::JoinedStr { values } => K::JoinedStr { values: self.f_exprs(values) },
            T::TemplateStr { values } => K::TemplateStr { values: self.f_exprs(values) },
            T::Constant { value, kind_u } => K::Constant { value: self.add_constant(value.clone()), kind_u: *kind_u },
            T::Attribute { value, attr, ctx } => K::Attribute { value: self.f_expr(value), attr: self.intern(attr), ctx: *ctx },
            T::Subscript { value, slice, ctx } => K::Subscript { value: self.f_expr(value), slice: self.f_expr(slice), ctx: *ctx },
            T::Starred { value, ctx } => K::Starred { value: self.f_expr(value), ctx: *ctx },
            T::Name { id, ctx } => K::Name { id: self.intern(id), ctx: *ctx },
            T::List { elts, ctx } => K::List { elts: self.f_exprs(elts), ctx: *ctx },
            T::Tuple { elts, ctx } => K::Tuple { elts: self.f_exprs(elts), ctx: *ctx },
            T::Slice { lower, upper, step } => {
                K::Slice { lower: self.f_opt_expr(lower), upper: self.f_opt_expr(upper), step: self.f_opt_expr(step) }
            }
        };
        self.add_expr(kind, e.pos)
    }

    fn f_pattern(&mut self, p: &t::Pattern) -> PatternId {
        stacker::maybe_grow(64 * 1024, 4 << 20, || self.f_pattern_inner(p))
    }

    fn f_pattern_inner(&mut self, p: &t::Pattern) -> PatternId {
        use t::PatternKind as T;
        use PatternKind as K;
        let kind = match &p.kind {
            T::MatchValue { value } => K::MatchValue { value: self.f_expr(value) },
            T::MatchSingleton { value } => K::MatchSingleton { value: self.add_constant(value.clone()) },
            T::MatchSequence { patterns } => K::MatchSequence { patterns: self.f_patterns(patterns) },
            T::MatchMapping { keys, patterns, rest } => {
                K::MatchMapping { keys: self.f_exprs(keys), patterns: self.f_patterns(patterns), rest: self.f_opt_name(rest) }
            }
            T::MatchClass { cls, patterns, kwd_attrs, kwd_patterns } => K::MatchClass {
                cls: self.f_expr(cls),
                patterns: self.f_patterns(patterns),
                kwd_attrs: self.f_names(kwd_attrs),
                kwd_patterns: self.f_patterns(kwd_patterns),
            },
            T::MatchStar { name } => K::MatchStar { name: self.f_opt_name(name) },
            T::MatchAs { pattern, name } => {
                K::MatchAs { pattern: pattern.as_deref().map(|q| self.f_pattern(q)), name: self.f_opt_name(name) }
            }
            T::MatchOr { patterns } => K::MatchOr { patterns: self.f_patterns(patterns) },
        };
        self.add_pattern(kind, p.pos)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_interned_once() {
        let mut ast = Ast::default();
        let a = ast.intern("alpha");
        let b = ast.intern("beta");
        assert_ne!(a, b);
        assert_eq!(ast.intern("alpha"), a);
        assert_eq!(ast.name(a), Some("alpha"));
        assert_eq!(ast.name(b), Some("beta"));
        assert_eq!(ast.name_count(), 2);
    }

    #[test]
    fn sequences_are_ranges() {
        let mut ast = Ast::default();
        let p = Pos { lineno: 1, col_offset: 0, end_lineno: 1, end_col_offset: 1 };
        let x = ast.intern("x");
        let e1 = ast.add_expr(ExprKind::Name { id: x, ctx: ExprContext::Load }, p);
        let e2 = ast.add_expr(ExprKind::Name { id: x, ctx: ExprContext::Load }, p);
        let s = ast.add_seq(vec![e1, e2]);
        assert_eq!(ast.seq(s), &[e1, e2]);
        let empty: Seq<ExprId> = ast.add_seq(Vec::new());
        assert!(ast.seq(empty).is_empty());
        let tup = ast.add_expr(ExprKind::Tuple { elts: s, ctx: ExprContext::Load }, p);
        let st = ast.add_stmt(StmtKind::Expr { value: tup }, p);
        let body = ast.add_seq(vec![st]);
        ast.root = Some(Mod::Module { body, type_ignores: Seq::EMPTY });
        let tree = ast.to_tree().map_err(|_| "dangling");
        let name = t::Expr { pos: p, kind: t::ExprKind::Name { id: "x".into(), ctx: ExprContext::Load } };
        let want = t::Mod::Module {
            body: vec![t::Stmt {
                pos: p,
                kind: t::StmtKind::Expr {
                    value: Box::new(t::Expr {
                        pos: p,
                        kind: t::ExprKind::Tuple { elts: vec![name.clone(), name], ctx: ExprContext::Load },
                    }),
                },
            }],
            type_ignores: Vec::new(),
        };
        assert_eq!(tree, Ok(want));
    }

    #[test]
    fn from_tree_gives_the_same_tree_back() {
        let mut ast = Ast::default();
        let p = Pos { lineno: 1, col_offset: 0, end_lineno: 1, end_col_offset: 3 };
        let x = ast.intern("x");
        let one = ast.add_constant(Constant::Int(1));
        let e1 = ast.add_expr(ExprKind::Name { id: x, ctx: ExprContext::Load }, p);
        let e2 = ast.add_expr(ExprKind::Constant { value: one, kind_u: false }, p);
        let ops = ast.add_seq(vec![CmpOp::Lt]);
        let cmps = ast.add_seq(vec![e2]);
        let cmp = ast.add_expr(ExprKind::Compare { left: e1, ops, comparators: cmps }, p);
        let st = ast.add_stmt(StmtKind::Expr { value: cmp }, p);
        let body = ast.add_seq(vec![st]);
        ast.root = Some(Mod::Module { body, type_ignores: Seq::EMPTY });
        let tree = ast.to_tree().map_err(|_| "dangling");
        let back = tree.as_ref().map(Ast::from_tree).map(|a| a.to_tree().map_err(|_| "dangling"));
        assert_eq!(back, Ok(tree.clone()));
    }

    #[test]
    fn foreign_ids_do_not_panic() {
        let mut other = Ast::default();
        let p = Pos::default();
        let _ = other.add_expr(ExprKind::Set { elts: Seq::EMPTY }, p);
        let far = other.add_expr(ExprKind::Set { elts: Seq::EMPTY }, p);
        let ast = Ast::default();
        assert!(ast.expr(far).is_none());
        let mut ast = Ast::default();
        let st = ast.add_stmt(StmtKind::Expr { value: far }, p);
        let body = ast.add_seq(vec![st]);
        ast.root = Some(Mod::Module { body, type_ignores: Seq::EMPTY });
        assert_eq!(ast.to_tree(), Err(DanglingId));
    }
}
