//! The evaluator behind 3.14's CFG constant folding ([`pycode_instr::cfgfold`]): pooled
//! constants are turned into AST constants, evaluated with the same rules (and size limits) as
//! the AST folding of earlier releases, and pooled again.

use pycode_ast::{Constant, UnaryOp};
use pycode_instr::cfgfold::{ConstFolder, UnaryFold};
use pycode_instr::{ConstId, ConstPool, ConstValue};
use pycode_object::BigInt;

use crate::codegen::const_value;

/// The constant `id` as an AST constant (`None` for code objects and slices, which no operator
/// folds).
fn to_constant(pool: &ConstPool, id: ConstId, depth: u32) -> Option<Constant> {
    if depth > 200 {
        return None;
    }
    Some(match pool.get(id)? {
        ConstValue::None => Constant::None,
        ConstValue::Ellipsis => Constant::Ellipsis,
        ConstValue::False => Constant::False,
        ConstValue::True => Constant::True,
        ConstValue::Int(i) => Constant::Int(*i),
        ConstValue::BigInt(b) => Constant::BigInt(Box::new(BigInt::clone(b))),
        ConstValue::Float(bits) => Constant::Float(f64::from_bits(*bits)),
        ConstValue::Complex(r, i) => Constant::Complex { real: f64::from_bits(*r), imag: f64::from_bits(*i) },
        ConstValue::Str(s) => Constant::Str(s.clone()),
        ConstValue::Bytes(b) => Constant::Bytes(b.clone()),
        ConstValue::Tuple(items) => {
            let v: Option<Vec<Constant>> = items.iter().map(|&c| to_constant(pool, c, depth + 1)).collect();
            Constant::Tuple(v?.into())
        }
        ConstValue::FrozenSet(items) => {
            let v: Option<Vec<Constant>> = items.iter().map(|&c| to_constant(pool, c, depth + 1)).collect();
            Constant::FrozenSet(v?.into())
        }
        ConstValue::Slice(_) | ConstValue::Code(_) => return None,
    })
}

/// A slice constant's bound: `None`, or an int (clamped as `PySlice_Unpack` does); `Err` for
/// anything else (a `TypeError` at run time, so no fold).
fn slice_bound(pool: &ConstPool, id: ConstId) -> Result<Option<i64>, ()> {
    match pool.get(id) {
        Some(ConstValue::None) => Ok(None),
        Some(ConstValue::Int(i)) => Ok(Some(*i)),
        Some(ConstValue::True) => Ok(Some(1)),
        Some(ConstValue::False) => Ok(Some(0)),
        Some(ConstValue::BigInt(b)) => Ok(Some(if b.sign() == num_bigint::Sign::Minus { i64::MIN + 1 } else { i64::MAX })),
        _ => Err(()),
    }
}

fn binop(pool: &mut ConstPool, nb: u32, l: ConstId, r: ConstId) -> Option<ConstId> {
    if nb == 26 {
        if let Some(ConstValue::Slice([a, b, c])) = pool.get(r) {
            let (a, b, c) = (*a, *b, *c);
            let (start, stop, step) = (slice_bound(pool, a).ok()?, slice_bound(pool, b).ok()?, slice_bound(pool, c).ok()?);
            let lc = to_constant(pool, l, 0)?;
            let v = crate::fold::eval_slice(&lc, start, stop, step)?;
            return Some(const_value(pool, &v));
        }
    }
    let lc = to_constant(pool, l, 0)?;
    let rc = to_constant(pool, r, 0)?;
    let v = crate::fold::eval_binop(nb, &lc, &rc)?;
    Some(const_value(pool, &v))
}

fn unary(pool: &mut ConstPool, op: UnaryFold, c: ConstId) -> Option<ConstId> {
    let cc = to_constant(pool, c, 0)?;
    // `eval_const_unaryop` leaves `~` of a bool alone while that is deprecated (3.14.2,
    // 3.15.0rc1 measured), unlike the AST folding of earlier releases.
    if matches!(op, UnaryFold::Invert) && matches!(cc, Constant::True | Constant::False) {
        return None;
    }
    let op = match op {
        UnaryFold::Negative => UnaryOp::USub,
        UnaryFold::Invert => UnaryOp::Invert,
        UnaryFold::Positive => UnaryOp::UAdd,
        UnaryFold::Not => UnaryOp::Not,
    };
    let v = crate::fold::eval_unary(op, &cc)?;
    Some(const_value(pool, &v))
}

/// Registers the evaluator for the flowgraph (idempotent).
pub(crate) fn register() {
    pycode_instr::cfgfold::register(ConstFolder { binop, unary });
}
