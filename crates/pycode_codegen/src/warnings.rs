//! The `SyntaxWarning`s the 3.12 compiler emits (`compiler_warn` in `Python/compile.c`): the
//! checks `check_compare`, `check_caller`, `check_subscripter`, `check_index` and
//! `compiler_assert`'s always-true tuple. Each check returns the message or `None`; the
//! compiler records it with the line of the node it was raised at.

use pycode_ast::{CmpOp, Constant, Expr, ExprKind};

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
fn infer_type(e: &Expr) -> Option<&'static str> {
    Some(match &e.kind {
        ExprKind::Tuple { .. } => "tuple",
        ExprKind::List { .. } | ExprKind::ListComp { .. } => "list",
        ExprKind::Dict { .. } | ExprKind::DictComp { .. } => "dict",
        ExprKind::Set { .. } | ExprKind::SetComp { .. } => "set",
        ExprKind::GeneratorExp { .. } => "generator",
        ExprKind::Lambda { .. } => "function",
        ExprKind::JoinedStr { .. } | ExprKind::FormattedValue { .. } => "str",
        ExprKind::Constant { value, .. } => constant_type(value),
        _ => return None,
    })
}

/// `check_is_arg`: an operand `is` may be used with without a warning.
fn check_is_arg(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Constant { value, .. } => {
            matches!(value, Constant::None | Constant::True | Constant::False | Constant::Ellipsis)
        }
        _ => true,
    }
}

/// `check_compare`: `is` / `is not` with a literal (the first one only).
pub fn check_compare(left: &Expr, ops: &[CmpOp], comparators: &[Expr]) -> Option<String> {
    let mut left_ok = check_is_arg(left);
    let mut left_expr = left;
    for (op, right_expr) in ops.iter().zip(comparators) {
        let right_ok = check_is_arg(right_expr);
        if matches!(op, CmpOp::Is | CmpOp::IsNot) && (!right_ok || !left_ok) {
            let literal = if !left_ok { left_expr } else { right_expr };
            let ty = infer_type(literal).unwrap_or("object");
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
pub fn check_caller(func: &Expr) -> Option<String> {
    match &func.kind {
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
            Some(format!("'{}' object is not callable; perhaps you missed a comma?", infer_type(func).unwrap_or("object")))
        }
        _ => None,
    }
}

/// `check_subscripter`: subscripting something that cannot be subscripted.
pub fn check_subscripter(value: &Expr) -> Option<String> {
    let warn = match &value.kind {
        ExprKind::Constant { value: c, .. } => matches!(
            c,
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
    warn.then(|| format!("'{}' object is not subscriptable; perhaps you missed a comma?", infer_type(value).unwrap_or("object")))
}

/// `check_index`: a sequence display/literal indexed by something that is not an int or slice.
pub fn check_index(value: &Expr, slice: &Expr) -> Option<String> {
    let index_type = infer_type(slice)?;
    // int subclasses (int, bool) and slice objects are fine; a Slice node has no inferred type.
    if matches!(index_type, "int" | "bool") {
        return None;
    }
    let warn = match &value.kind {
        ExprKind::Constant { value: c, .. } => matches!(c, Constant::Str(_) | Constant::Bytes(_) | Constant::Tuple(_)),
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
            infer_type(value).unwrap_or("object")
        )
    })
}

/// `compiler_assert`: a non-empty tuple (a display, or a constant after folding) is always true.
pub fn check_assert(test: &Expr) -> Option<String> {
    let always = match &test.kind {
        ExprKind::Tuple { elts, .. } => !elts.is_empty(),
        ExprKind::Constant { value: Constant::Tuple(t), .. } => !t.is_empty(),
        _ => false,
    };
    always.then(|| "assertion is always true, perhaps remove parentheses?".to_owned())
}
