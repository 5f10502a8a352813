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

fn binop(pool: &mut ConstPool, nb: u32, l: ConstId, r: ConstId) -> Option<ConstId> {
    let lc = to_constant(pool, l, 0)?;
    let rc = to_constant(pool, r, 0)?;
    let v = crate::fold::eval_binop(nb, &lc, &rc)?;
    Some(const_value(pool, &v))
}

fn unary(pool: &mut ConstPool, op: UnaryFold, c: ConstId) -> Option<ConstId> {
    let cc = to_constant(pool, c, 0)?;
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
