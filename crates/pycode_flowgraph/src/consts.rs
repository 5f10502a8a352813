//! Constant helpers for the peepholes.

use pycode_instr::{ConstId, ConstPool, ConstValue};

/// `PyObject_IsTrue` of a pooled constant; `None` for an unknown id.
pub fn const_is_true(pool: &ConstPool, id: ConstId) -> Option<bool> {
    Some(match pool.get(id)? {
        ConstValue::None | ConstValue::False => false,
        ConstValue::True | ConstValue::Ellipsis | ConstValue::Code(_) | ConstValue::Slice(_) => true,
        ConstValue::Int(i) => *i != 0,
        ConstValue::BigInt(_) => true,
        ConstValue::Float(bits) => f64::from_bits(*bits) != 0.0,
        ConstValue::Complex(r, i) => f64::from_bits(*r) != 0.0 || f64::from_bits(*i) != 0.0,
        ConstValue::Str(s) => s.char_len() != 0,
        ConstValue::Bytes(b) => !b.is_empty(),
        ConstValue::Tuple(t) => !t.is_empty(),
        ConstValue::FrozenSet(t) => !t.is_empty(),
    })
}
