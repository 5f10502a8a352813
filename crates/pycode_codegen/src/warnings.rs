//! The `SyntaxWarning`s the 3.12 compiler emits (`compiler_warn` in `Python/compile.c`): the
//! checks `check_compare`, `check_caller`, `check_subscripter`, `check_index` and
//! `compiler_assert`'s always-true tuple. Each check returns the message or `None`; the
//! compiler records it with the line of the node it was raised at.

use pycode_ast::arena::{Ast, Expr, ExprId, ExprKind, Seq, StmtId};
use pycode_ast::{CmpOp, Constant};

/// One `SyntaxWarning` (`PyErr_WarnExplicitObject(PyExc_SyntaxWarning, msg, filename, lineno)`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxWarning {
    pub message: String,
    pub lineno: i32,
}

fn constant_type(c: &Constant) -> &'static str {
    match c {
        Constant::None => "NoneType",
        Constant::True | Constant::False => "bool",
        Constant::Ellipsis => "ellipsis",
        Constant::Int(_) | Constant::BigInt(_) => "int",
        Constant::Float(_) => "float",
        Constant::Complex { .. } => "complex",
        Constant::Str(_) => "str",
        Constant::Bytes(_) => "bytes",
        Constant::Tuple(_) => "tuple",
        Constant::FrozenSet(_) => "frozenset",
    }
}

/// `infer_type`: the type name of an expression whose type the compiler knows.
fn infer_type(ast: &Ast, e: &Expr) -> Option<&'static str> {
    Some(match e.kind {
        ExprKind::Tuple { .. } => "tuple",
        ExprKind::List { .. } | ExprKind::ListComp { .. } => "list",
        ExprKind::Dict { .. } | ExprKind::DictComp { .. } => "dict",
        ExprKind::Set { .. } | ExprKind::SetComp { .. } => "set",
        ExprKind::GeneratorExp { .. } => "generator",
        ExprKind::Lambda { .. } => "function",
        ExprKind::JoinedStr { .. } | ExprKind::FormattedValue { .. } => "str",
        ExprKind::Constant { value, .. } => constant_type(ast.constant(value)?),
        _ => return None,
    })
}

/// `check_is_arg`: an operand `is` may be used with without a warning.
fn check_is_arg(ast: &Ast, e: &Expr) -> bool {
    match e.kind {
        ExprKind::Constant { value, .. } => {
            matches!(ast.constant(value), Some(Constant::None | Constant::True | Constant::False | Constant::Ellipsis))
        }
        _ => true,
    }
}

/// `check_compare`: `is` / `is not` with a literal (the first one only).
pub fn check_compare(ast: &Ast, left: &Expr, ops: &[CmpOp], comparators: &[ExprId]) -> Option<String> {
    let mut left_ok = check_is_arg(ast, left);
    let mut left_expr = left;
    for (op, &right) in ops.iter().zip(comparators) {
        let right_expr = ast.expr(right)?;
        let right_ok = check_is_arg(ast, right_expr);
        if matches!(op, CmpOp::Is | CmpOp::IsNot) && (!right_ok || !left_ok) {
            let literal = if !left_ok { left_expr } else { right_expr };
            let ty = infer_type(ast, literal).unwrap_or("object");
            return Some(if *op == CmpOp::Is {
                format!("\"is\" with '{ty}' literal. Did you mean \"==\"?")
            } else {
                format!("\"is not\" with '{ty}' literal. Did you mean \"!=\"?")
            });
        }
        left_ok = right_ok;
        left_expr = right_expr;
    }
    None
}

/// `check_caller`: calling a display, comprehension or literal.
pub fn check_caller(ast: &Ast, func: &Expr) -> Option<String> {
    match func.kind {
        ExprKind::Constant { .. }
        | ExprKind::Tuple { .. }
        | ExprKind::List { .. }
        | ExprKind::ListComp { .. }
        | ExprKind::Dict { .. }
        | ExprKind::DictComp { .. }
        | ExprKind::Set { .. }
        | ExprKind::SetComp { .. }
        | ExprKind::GeneratorExp { .. }
        | ExprKind::JoinedStr { .. }
        | ExprKind::FormattedValue { .. } => {
            Some(format!("'{}' object is not callable; perhaps you missed a comma?", infer_type(ast, func).unwrap_or("object")))
        }
        _ => None,
    }
}

/// `check_subscripter`: subscripting something that cannot be subscripted.
pub fn check_subscripter(ast: &Ast, value: &Expr) -> Option<String> {
    let warn = match value.kind {
        ExprKind::Constant { value: c, .. } => matches!(
            ast.constant(c)?,
            Constant::None
                | Constant::Ellipsis
                | Constant::Int(_)
                | Constant::BigInt(_)
                | Constant::True
                | Constant::False
                | Constant::Float(_)
                | Constant::Complex { .. }
                | Constant::FrozenSet(_)
        ),
        ExprKind::Set { .. } | ExprKind::SetComp { .. } | ExprKind::GeneratorExp { .. } | ExprKind::Lambda { .. } => true,
        _ => false,
    };
    warn.then(|| format!("'{}' object is not subscriptable; perhaps you missed a comma?", infer_type(ast, value).unwrap_or("object")))
}

/// `check_index`: a sequence display/literal indexed by something that is not an int or slice.
pub fn check_index(ast: &Ast, value: &Expr, slice: &Expr) -> Option<String> {
    let index_type = infer_type(ast, slice)?;
    // int subclasses (int, bool) and slice objects are fine; a Slice node has no inferred type.
    if matches!(index_type, "int" | "bool") {
        return None;
    }
    let warn = match value.kind {
        ExprKind::Constant { value: c, .. } => matches!(ast.constant(c)?, Constant::Str(_) | Constant::Bytes(_) | Constant::Tuple(_)),
        ExprKind::Tuple { .. }
        | ExprKind::List { .. }
        | ExprKind::ListComp { .. }
        | ExprKind::JoinedStr { .. }
        | ExprKind::FormattedValue { .. } => true,
        _ => false,
    };
    warn.then(|| {
        format!(
            "{} indices must be integers or slices, not {index_type}; perhaps you missed a comma?",
            infer_type(ast, value).unwrap_or("object")
        )
    })
}

/// `compiler_assert`: a non-empty tuple (a display, or a constant after folding) is always true.
pub fn check_assert(ast: &Ast, test: &Expr) -> Option<String> {
    let always = match test.kind {
        ExprKind::Tuple { elts, .. } => !elts.is_empty(),
        ExprKind::Constant { value, .. } => matches!(ast.constant(value), Some(Constant::Tuple(t)) if !t.is_empty()),
        _ => false,
    };
    always.then(|| "assertion is always true, perhaps remove parentheses?".to_owned())
}

/// The innermost control-flow context of 3.14's AST preprocessing (`ControlFlowInFinallyContext`
/// in `Python/ast_preprocess.c`): only the top one is consulted.
#[derive(Clone, Copy, PartialEq, Eq)]
enum FlowCtx {
    /// no context pushed yet
    Outside,
    /// a `finally` block's body
    Finally,
    /// a function's body
    Function,
    /// a loop's body (not its `else`)
    Loop,
}

/// PEP 765 (3.14+): `'return'` / `'break'` / `'continue' in a 'finally' block`, emitted by the
/// AST preprocessing before the symbol table, at every optimization level, in source order: a
/// `return` whose innermost context is a `finally` body (not a function inside it), a
/// `break`/`continue` whose innermost context is a `finally` body (not a loop body inside it;
/// a loop's `else` is not its body).
pub fn finally_control_flow(ast: &Ast, body: Seq<StmtId>, out: &mut Vec<SyntaxWarning>) {
    flow_stmts(ast, body, FlowCtx::Outside, out);
}

fn flow_stmts(ast: &Ast, body: Seq<StmtId>, ctx: FlowCtx, out: &mut Vec<SyntaxWarning>) {
    use pycode_ast::arena::StmtKind as S;
    for s in ast.seq(body).iter().filter_map(|&s| ast.stmt(s)) {
        let warn = |kw: &str, out: &mut Vec<SyntaxWarning>| {
            out.push(SyntaxWarning { message: format!("'{kw}' in a 'finally' block"), lineno: s.pos.lineno as i32 })
        };
        match &s.kind {
            S::Return { .. } if ctx == FlowCtx::Finally => warn("return", out),
            S::Break if ctx == FlowCtx::Finally => warn("break", out),
            S::Continue if ctx == FlowCtx::Finally => warn("continue", out),
            S::FunctionDef(f) | S::AsyncFunctionDef(f) => flow_stmts(ast, f.body, FlowCtx::Function, out),
            S::ClassDef(c) => flow_stmts(ast, c.body, ctx, out),
            S::For(f) | S::AsyncFor(f) => {
                flow_stmts(ast, f.body, FlowCtx::Loop, out);
                flow_stmts(ast, f.orelse, ctx, out);
            }
            S::While { body, orelse, .. } => {
                flow_stmts(ast, *body, FlowCtx::Loop, out);
                flow_stmts(ast, *orelse, ctx, out);
            }
            S::If { body, orelse, .. } => {
                flow_stmts(ast, *body, ctx, out);
                flow_stmts(ast, *orelse, ctx, out);
            }
            S::With { body, .. } | S::AsyncWith { body, .. } => flow_stmts(ast, *body, ctx, out),
            S::Match { cases, .. } => {
                for c in ast.seq(*cases) {
                    flow_stmts(ast, c.body, ctx, out);
                }
            }
            S::Try(t) | S::TryStar(t) => {
                flow_stmts(ast, t.body, ctx, out);
                for h in ast.seq(t.handlers) {
                    flow_stmts(ast, h.body, ctx, out);
                }
                flow_stmts(ast, t.orelse, ctx, out);
                flow_stmts(ast, t.finalbody, FlowCtx::Finally, out);
            }
            _ => {}
        }
    }
}
