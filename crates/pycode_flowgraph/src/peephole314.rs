//! 3.14's block peepholes (`Python/flowgraph.c`): `optimize_load_const` (small ints, constant
//! conditions, `None` tests, constant truth values) and `optimize_basic_block`, where constant
//! folding now happens (tuples, lists and sets of constants, unary and binary operators,
//! subscripts, `LIST_TO_TUPLE` of constants). The values are computed by the registered
//! [`pycode_instr::cfgfold`] evaluator.

use pycode_instr::cfgfold::{self, UnaryFold};
use pycode_instr::{ConstId, ConstPool, ConstValue, Location};

use crate::cfg::{BasicBlock, BlockId, CfgInstr};
use crate::consts::const_is_true;
use crate::ops::Ops;
use crate::passes::set_op0;
use crate::CfgError;

/// `_PY_STACK_USE_GUIDELINE`.
const STACK_USE_GUIDELINE: usize = 30;
/// `MIN_CONST_SEQUENCE_SIZE`.
const MIN_CONST_SEQUENCE_SIZE: i32 = 3;
const INTRINSIC_UNARY_POSITIVE: i32 = 5;
const INTRINSIC_LIST_TO_TUPLE: i32 = 6;

/// 3.15: the first `LOAD_COMMON_CONSTANT` index that loads a value constant (`None`, `''`,
/// `True`, `False`, `-1`, in that order); the lower ones load `AssertionError` and friends.
const COMMON_CONSTANT_NONE: i32 = 7;

fn loads_const(o: &Ops, ins: &CfgInstr) -> bool {
    ins.opcode == o.LOAD_CONST
        || ins.opcode == o.LOAD_SMALL_INT
        || (ins.opcode == o.LOAD_COMMON_CONSTANT && ins.oparg >= COMMON_CONSTANT_NONE)
}

/// 3.15: the `LOAD_COMMON_CONSTANT` index that loads constant `c`, if there is one.
fn common_constant(o: &Ops, pool: &ConstPool, c: ConstId) -> Option<i32> {
    if !o.release.features().common_constant_singletons {
        return None;
    }
    let k = match pool.get(c)? {
        ConstValue::None => 0,
        ConstValue::Str(s) if s.as_bytes().is_empty() => 1,
        ConstValue::True => 2,
        ConstValue::False => 3,
        ConstValue::Int(-1) => 4,
        _ => return None,
    };
    Some(COMMON_CONSTANT_NONE + k)
}

/// `get_const_value`: the constant an instruction that [`loads_const`] pushes.
fn const_value(o: &Ops, ins: &CfgInstr, consts: &[ConstId], pool: &mut ConstPool) -> Result<ConstId, CfgError> {
    if ins.opcode == o.LOAD_SMALL_INT {
        return Ok(pool.add(ConstValue::Int(i64::from(ins.oparg))));
    }
    if ins.opcode == o.LOAD_COMMON_CONSTANT {
        let v = match ins.oparg - COMMON_CONSTANT_NONE {
            0 => ConstValue::None,
            1 => ConstValue::str(""),
            2 => ConstValue::True,
            3 => ConstValue::False,
            4 => ConstValue::Int(-1),
            _ => return Err(CfgError::BadOparg { opcode: ins.opcode, oparg: ins.oparg }),
        };
        return Ok(pool.add(v));
    }
    usize::try_from(ins.oparg).ok().and_then(|i| consts.get(i)).copied().ok_or(CfgError::BadOparg { opcode: ins.opcode, oparg: ins.oparg })
}

/// `add_const`: the index of `c` in `consts`, appended if absent.
fn add_const(consts: &mut Vec<ConstId>, c: ConstId) -> i32 {
    match consts.iter().position(|&x| x == c) {
        Some(p) => p as i32,
        None => {
            consts.push(c);
            consts.len() as i32 - 1
        }
    }
}

/// `_PY_IS_SMALL_INT` of an exact `int` constant.
fn small_int(pool: &ConstPool, c: ConstId) -> Option<i32> {
    match pool.get(c) {
        Some(ConstValue::Int(v)) if (0..256).contains(v) => Some(*v as i32),
        _ => None,
    }
}

/// `instr_make_load_const`
fn make_load_const(o: &Ops, ins: &mut CfgInstr, c: ConstId, consts: &mut Vec<ConstId>, pool: &ConstPool) {
    if let Some(v) = small_int(pool, c) {
        ins.opcode = o.LOAD_SMALL_INT;
        ins.oparg = v;
    } else if let Some(k) = common_constant(o, pool, c) {
        ins.opcode = o.LOAD_COMMON_CONSTANT;
        ins.oparg = k;
    } else {
        ins.opcode = o.LOAD_CONST;
        ins.oparg = add_const(consts, c);
    }
}

/// `get_const_loading_instrs`: the indices of the `size` constant loads ending at `start`
/// (NOPs skipped), or `None`.
fn const_loading_instrs(o: &Ops, instrs: &[CfgInstr], start: usize, size: usize) -> Option<Vec<usize>> {
    let mut out = vec![0usize; size];
    let mut left = size;
    let mut i = start as i64;
    while i >= 0 && left > 0 {
        let ins = instrs.get(i as usize)?;
        if ins.opcode != o.NOP {
            if !loads_const(o, ins) {
                return None;
            }
            left -= 1;
            out[left] = i as usize;
        }
        i -= 1;
    }
    if left == 0 {
        Some(out)
    } else {
        None
    }
}

fn nop_out(o: &Ops, instrs: &mut [CfgInstr], idx: &[usize]) {
    for &i in idx {
        if let Some(x) = instrs.get_mut(i) {
            set_op0(x, o.NOP);
            x.loc = Location::NO_LOCATION;
        }
    }
}

/// `optimize_load_const` for one block.
pub(crate) fn optimize_load_const(
    o: &Ops,
    instrs: &mut [CfgInstr],
    consts: &mut Vec<ConstId>,
    pool: &mut ConstPool,
) -> Result<(), CfgError> {
    let mut opcode: u16 = 0;
    let mut oparg: i32 = 0;
    let len = instrs.len();
    for i in 0..len {
        // An instruction that neither loads a constant nor copies one loads none (the test
        // below fails): it is only remembered.
        let Some(&cur) = instrs.get(i) else { break };
        if o.props(cur.opcode) & crate::ops::P_LOAD_CONST314 == 0 {
            opcode = cur.opcode;
            oparg = cur.oparg;
            continue;
        }
        if instrs[i].opcode == o.LOAD_CONST {
            let c = const_value(o, &instrs[i], consts, pool)?;
            if let Some(v) = small_int(pool, c) {
                instrs[i].opcode = o.LOAD_SMALL_INT;
                instrs[i].oparg = v;
            } else if let Some(k) = common_constant(o, pool, c) {
                instrs[i].opcode = o.LOAD_COMMON_CONSTANT;
                instrs[i].oparg = k;
            }
        }
        let inst = instrs[i];
        let is_copy_of_load_const = opcode == o.LOAD_CONST && inst.opcode == o.COPY && inst.oparg == 1;
        if !is_copy_of_load_const {
            opcode = inst.opcode;
            oparg = inst.oparg;
        }
        if !loads_const(o, &CfgInstr::new(opcode, oparg, Location::NO_LOCATION)) {
            continue;
        }
        let nextop = if i + 1 < len { instrs[i + 1].opcode } else { 0 };
        let loader = CfgInstr::new(opcode, oparg, Location::NO_LOCATION);
        if nextop == o.POP_JUMP_IF_FALSE || nextop == o.POP_JUMP_IF_TRUE || nextop == o.JUMP_IF_FALSE || nextop == o.JUMP_IF_TRUE {
            let c = const_value(o, &loader, consts, pool)?;
            let is_true = const_is_true(pool, c).ok_or(CfgError::Internal("const"))?;
            if nextop == o.POP_JUMP_IF_FALSE || nextop == o.POP_JUMP_IF_TRUE {
                set_op0(&mut instrs[i], o.NOP);
            }
            let jump_if_true = nextop == o.POP_JUMP_IF_TRUE || nextop == o.JUMP_IF_TRUE;
            if is_true == jump_if_true {
                instrs[i + 1].opcode = o.JUMP;
            } else {
                set_op0(&mut instrs[i + 1], o.NOP);
            }
        } else if nextop == o.IS_OP {
            let c = const_value(o, &loader, consts, pool)?;
            if !matches!(pool.get(c), Some(ConstValue::None)) || len <= i + 2 {
                continue;
            }
            let mut j = i + 2;
            if instrs[j].opcode == o.TO_BOOL {
                set_op0(&mut instrs[j], o.NOP);
                if len <= i + 3 {
                    continue;
                }
                j = i + 3;
            }
            let mut invert = instrs[i + 1].oparg != 0;
            if instrs[j].opcode == o.POP_JUMP_IF_FALSE {
                invert = !invert;
            } else if instrs[j].opcode != o.POP_JUMP_IF_TRUE {
                continue;
            }
            set_op0(&mut instrs[i], o.NOP);
            set_op0(&mut instrs[i + 1], o.NOP);
            instrs[j].opcode = if invert { o.POP_JUMP_IF_NOT_NONE } else { o.POP_JUMP_IF_NONE };
        } else if nextop == o.TO_BOOL {
            let c = const_value(o, &loader, consts, pool)?;
            let is_true = const_is_true(pool, c).ok_or(CfgError::Internal("const"))?;
            let b = pool.add(if is_true { ConstValue::True } else { ConstValue::False });
            let index = add_const(consts, b);
            set_op0(&mut instrs[i], o.NOP);
            instrs[i + 1].opcode = o.LOAD_CONST;
            instrs[i + 1].oparg = index;
        }
    }
    Ok(())
}

/// The first instruction of jump target `t` of block `b` (whose instructions are `instrs`).
fn target_first(blocks: &[BasicBlock], b: BlockId, instrs: &[CfgInstr], t: BlockId) -> Result<Option<CfgInstr>, CfgError> {
    if t == b {
        return Ok(instrs.first().copied());
    }
    Ok(blocks.get(t as usize).ok_or(CfgError::Internal("dangling block id"))?.instrs.first().copied())
}

/// `optimize_basic_block` of 3.14 on `instrs`, the instructions of block `b` (out of its slot
/// meanwhile). Jump threading appends the new jump, so `instrs` may grow.
pub(crate) fn optimize_instrs(
    o: &Ops,
    blocks: &[BasicBlock],
    b: BlockId,
    instrs: &mut Vec<CfgInstr>,
    consts: &mut Vec<ConstId>,
    pool: &mut ConstPool,
) -> Result<(), CfgError> {
    let mut i: i64 = 0;
    // Some SWAP met or made by the walk below (else the block has none for the second walk).
    let mut swap_seen = false;
    while (i as usize) < instrs.len() {
        let iu = i as usize;
        let len = instrs.len();
        let inst = instrs[iu];
        let (opcode, oparg) = (inst.opcode, inst.oparg);
        // Most instructions are none of the opcodes below: one table bit says so.
        if o.props(opcode) & crate::ops::P_PEEPHOLE314 == 0 {
            i += 1;
            continue;
        }
        let target = if o.has_target(opcode) {
            target_first(blocks, b, instrs, inst.target)?.unwrap_or(CfgInstr::new(o.NOP, 0, Location::NO_LOCATION))
        } else {
            CfgInstr::new(o.NOP, 0, Location::NO_LOCATION)
        };
        let nextop = if iu + 1 < len { instrs[iu + 1].opcode } else { 0 };
        let next_oparg = if iu + 1 < len { instrs[iu + 1].oparg } else { 0 };
        // `jump_thread`: NOP the jump and append one to the target's target.
        let thread = |instrs: &mut Vec<CfgInstr>, new_op: u16| -> bool {
            if instrs[iu].target != target.target {
                set_op0(&mut instrs[iu], o.NOP);
                let mut j = CfgInstr::new(new_op, target.oparg, target.loc);
                j.target = target.target;
                instrs.push(j);
                true
            } else {
                false
            }
        };
        if opcode == o.BUILD_TUPLE {
            if nextop == o.UNPACK_SEQUENCE && oparg == next_oparg {
                match oparg {
                    1 => {
                        set_op0(&mut instrs[iu], o.NOP);
                        set_op0(&mut instrs[iu + 1], o.NOP);
                        i += 1;
                        continue;
                    }
                    2 | 3 => {
                        set_op0(&mut instrs[iu], o.NOP);
                        instrs[iu + 1].opcode = o.SWAP;
                        swap_seen = true;
                        i += 1;
                        continue;
                    }
                    _ => {}
                }
            }
            fold_tuple_of_constants(o, instrs, iu, consts, pool)?;
        } else if opcode == o.BUILD_LIST || opcode == o.BUILD_SET {
            optimize_lists_and_sets(o, instrs, iu, nextop, consts, pool)?;
        } else if opcode == o.POP_JUMP_IF_NOT_NONE
            || opcode == o.POP_JUMP_IF_NONE
            || opcode == o.POP_JUMP_IF_FALSE
            || opcode == o.POP_JUMP_IF_TRUE
        {
            if target.opcode == o.JUMP && thread(instrs, opcode) {
                i -= 1;
            }
        } else if opcode == o.JUMP_IF_FALSE || opcode == o.JUMP_IF_TRUE {
            let (same, other) =
                if opcode == o.JUMP_IF_FALSE { (o.JUMP_IF_FALSE, o.JUMP_IF_TRUE) } else { (o.JUMP_IF_TRUE, o.JUMP_IF_FALSE) };
            if target.opcode == o.JUMP || target.opcode == same {
                if thread(instrs, opcode) {
                    i -= 1;
                }
            } else if target.opcode == other {
                let t = instrs[iu].target;
                let after = blocks.get(t as usize).ok_or(CfgError::Internal("dangling block id"))?.next;
                instrs[iu].target = after;
                i -= 1;
            }
        } else if opcode == o.JUMP || opcode == o.JUMP_NO_INTERRUPT {
            if target.opcode == o.JUMP {
                if thread(instrs, o.JUMP) {
                    i -= 1;
                }
            } else if target.opcode == o.JUMP_NO_INTERRUPT && thread(instrs, opcode) {
                i -= 1;
            }
        } else if opcode == o.STORE_FAST {
            if nextop == opcode && oparg == next_oparg && instrs[iu].loc.lineno == instrs[iu + 1].loc.lineno {
                instrs[iu].opcode = o.POP_TOP;
                instrs[iu].oparg = 0;
            }
        } else if opcode == o.SWAP {
            swap_seen = true;
            if oparg == 1 {
                set_op0(&mut instrs[iu], o.NOP);
            }
        } else if opcode == o.LOAD_GLOBAL {
            if nextop == o.PUSH_NULL && (oparg & 1) == 0 {
                instrs[iu].oparg = oparg | 1;
                set_op0(&mut instrs[iu + 1], o.NOP);
            }
        } else if opcode == o.COMPARE_OP {
            if nextop == o.TO_BOOL {
                set_op0(&mut instrs[iu], o.NOP);
                instrs[iu + 1].opcode = o.COMPARE_OP;
                instrs[iu + 1].oparg = oparg | 16;
            }
        } else if opcode == o.CONTAINS_OP || opcode == o.IS_OP {
            if nextop == o.TO_BOOL {
                set_op0(&mut instrs[iu], o.NOP);
                instrs[iu + 1].opcode = opcode;
                instrs[iu + 1].oparg = oparg;
            } else if nextop == o.UNARY_NOT {
                set_op0(&mut instrs[iu], o.NOP);
                instrs[iu + 1].opcode = opcode;
                instrs[iu + 1].oparg = oparg ^ 1;
            }
        } else if opcode == o.TO_BOOL {
            if nextop == o.TO_BOOL {
                set_op0(&mut instrs[iu], o.NOP);
            }
        } else if opcode == o.UNARY_NOT {
            if nextop == o.TO_BOOL {
                set_op0(&mut instrs[iu], o.NOP);
                set_op0(&mut instrs[iu + 1], o.UNARY_NOT);
            } else if nextop == o.UNARY_NOT {
                set_op0(&mut instrs[iu], o.NOP);
                set_op0(&mut instrs[iu + 1], o.NOP);
            } else {
                fold_const_unaryop(o, instrs, iu, UnaryFold::Not, consts, pool)?;
            }
        } else if opcode == o.UNARY_INVERT {
            fold_const_unaryop(o, instrs, iu, UnaryFold::Invert, consts, pool)?;
        } else if opcode == o.UNARY_NEGATIVE {
            fold_const_unaryop(o, instrs, iu, UnaryFold::Negative, consts, pool)?;
        } else if opcode == o.CALL_INTRINSIC_1 {
            if oparg == INTRINSIC_LIST_TO_TUPLE {
                if nextop == o.GET_ITER {
                    set_op0(&mut instrs[iu], o.NOP);
                } else {
                    fold_constant_intrinsic_list_to_tuple(o, instrs, iu, consts, pool)?;
                }
            } else if oparg == INTRINSIC_UNARY_POSITIVE {
                fold_const_unaryop(o, instrs, iu, UnaryFold::Positive, consts, pool)?;
            }
        } else if opcode == o.BINARY_OP {
            fold_const_binop(o, instrs, iu, consts, pool)?;
        }
        i += 1;
    }
    let mut k = 0usize;
    while swap_seen && k < instrs.len() {
        if instrs[k].opcode == o.SWAP {
            let nk = crate::peephole::swaptimize(o, instrs, k)?;
            k = nk;
            crate::peephole::apply_static_swaps(o, instrs, k)?;
        }
        k += 1;
    }
    Ok(())
}

/// `fold_tuple_of_constants`
fn fold_tuple_of_constants(
    o: &Ops,
    instrs: &mut [CfgInstr],
    i: usize,
    consts: &mut Vec<ConstId>,
    pool: &mut ConstPool,
) -> Result<(), CfgError> {
    let n = instrs[i].oparg;
    if n < 0 || n as usize > STACK_USE_GUIDELINE {
        return Ok(());
    }
    let n = n as usize;
    let idx = if n == 0 {
        Vec::new()
    } else {
        if i == 0 {
            return Ok(());
        }
        match const_loading_instrs(o, instrs, i - 1, n) {
            Some(v) => v,
            None => return Ok(()),
        }
    };
    let mut items = Vec::with_capacity(n);
    for &k in &idx {
        items.push(const_value(o, &instrs[k], consts, pool)?);
    }
    let t = pool.add(ConstValue::Tuple(items.into()));
    nop_out(o, instrs, &idx);
    make_load_const(o, &mut instrs[i], t, consts, pool);
    Ok(())
}

/// `fold_constant_intrinsic_list_to_tuple`
fn fold_constant_intrinsic_list_to_tuple(
    o: &Ops,
    instrs: &mut [CfgInstr],
    i: usize,
    consts: &mut Vec<ConstId>,
    pool: &mut ConstPool,
) -> Result<(), CfgError> {
    let mut expect_append = true;
    let mut pos = i as i64 - 1;
    while pos >= 0 {
        let ins = instrs[pos as usize];
        if ins.opcode == o.NOP {
            pos -= 1;
            continue;
        }
        if ins.opcode == o.BUILD_LIST && ins.oparg == 0 {
            if !expect_append {
                return Ok(());
            }
            let mut items = Vec::new();
            let mut touched = Vec::new();
            for (k, &x) in instrs.iter().enumerate().take(i).skip(pos as usize) {
                if x.opcode == o.NOP {
                    continue;
                }
                if loads_const(o, &x) {
                    items.push(const_value(o, &x, consts, pool)?);
                }
                touched.push(k);
            }
            let t = pool.add(ConstValue::Tuple(items.into()));
            nop_out(o, instrs, &touched);
            make_load_const(o, &mut instrs[i], t, consts, pool);
            return Ok(());
        }
        if expect_append {
            if ins.opcode != o.LIST_APPEND || ins.oparg != 1 {
                return Ok(());
            }
        } else if !loads_const(o, &ins) {
            return Ok(());
        }
        expect_append = !expect_append;
        pos -= 1;
    }
    Ok(())
}

/// `optimize_lists_and_sets`
fn optimize_lists_and_sets(
    o: &Ops,
    instrs: &mut [CfgInstr],
    i: usize,
    nextop: u16,
    consts: &mut Vec<ConstId>,
    pool: &mut ConstPool,
) -> Result<(), CfgError> {
    let ins = instrs[i];
    let contains_or_iter = nextop == o.GET_ITER || nextop == o.CONTAINS_OP;
    let n = ins.oparg;
    if n < 0 || n as usize > STACK_USE_GUIDELINE || (n < MIN_CONST_SEQUENCE_SIZE && !contains_or_iter) {
        return Ok(());
    }
    let n = n as usize;
    let idx = if n == 0 {
        Some(Vec::new())
    } else if i == 0 {
        None
    } else {
        const_loading_instrs(o, instrs, i - 1, n)
    };
    let Some(idx) = idx else {
        if contains_or_iter && ins.opcode == o.BUILD_LIST {
            instrs[i].opcode = o.BUILD_TUPLE;
        }
        return Ok(());
    };
    let mut items = Vec::with_capacity(n);
    for &k in &idx {
        items.push(const_value(o, &instrs[k], consts, pool)?);
    }
    let c = if ins.opcode == o.BUILD_SET {
        pool.add(ConstValue::FrozenSet(dedup_set(pool, items).into()))
    } else {
        pool.add(ConstValue::Tuple(items.into()))
    };
    let index = add_const(consts, c);
    nop_out(o, instrs, &idx);
    if contains_or_iter {
        instrs[i].opcode = o.LOAD_CONST;
        instrs[i].oparg = index;
    } else {
        if i < 2 {
            return Err(CfgError::Internal("list/set fold position"));
        }
        let loc = instrs[i].loc;
        let build = ins.opcode;
        instrs[i - 2].loc = loc;
        instrs[i - 2].opcode = build;
        instrs[i - 2].oparg = 0;
        instrs[i - 1].opcode = o.LOAD_CONST;
        instrs[i - 1].oparg = index;
        instrs[i].opcode = if build == o.BUILD_LIST { o.LIST_EXTEND } else { o.SET_UPDATE };
        instrs[i].oparg = 1;
    }
    Ok(())
}

/// A frozenset's elements without duplicates (equal values are the same pooled constant; `1`,
/// `1.0` and `True` are equal in Python but distinct keys: the first one stays).
fn dedup_set(pool: &ConstPool, items: Vec<ConstId>) -> Vec<ConstId> {
    let mut out: Vec<ConstId> = Vec::with_capacity(items.len());
    for c in items {
        let dup = out.iter().any(|&x| x == c || py_equal_numbers(pool, x, c));
        if !dup {
            out.push(c);
        }
    }
    out
}

fn py_equal_numbers(pool: &ConstPool, a: ConstId, b: ConstId) -> bool {
    let num = |c: ConstId| -> Option<f64> {
        match pool.get(c)? {
            ConstValue::False => Some(0.0),
            ConstValue::True => Some(1.0),
            ConstValue::Int(i) if i.unsigned_abs() < (1u64 << 53) => Some(*i as f64),
            ConstValue::Float(bits) => Some(f64::from_bits(*bits)),
            ConstValue::Complex(r, i) if f64::from_bits(*i) == 0.0 => Some(f64::from_bits(*r)),
            _ => None,
        }
    };
    match (num(a), num(b)) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

/// `fold_const_binop`
fn fold_const_binop(o: &Ops, instrs: &mut [CfgInstr], i: usize, consts: &mut Vec<ConstId>, pool: &mut ConstPool) -> Result<(), CfgError> {
    if i == 0 {
        return Ok(());
    }
    let Some(idx) = const_loading_instrs(o, instrs, i - 1, 2) else { return Ok(()) };
    let Some(f) = cfgfold::folder() else { return Ok(()) };
    let l = const_value(o, &instrs[idx[0]], consts, pool)?;
    let r = const_value(o, &instrs[idx[1]], consts, pool)?;
    let Ok(op) = u32::try_from(instrs[i].oparg) else { return Ok(()) };
    let Some(c) = (f.binop)(pool, op, l, r) else { return Ok(()) };
    nop_out(o, instrs, &idx);
    make_load_const(o, &mut instrs[i], c, consts, pool);
    Ok(())
}

/// `fold_const_unaryop`
fn fold_const_unaryop(
    o: &Ops,
    instrs: &mut [CfgInstr],
    i: usize,
    op: UnaryFold,
    consts: &mut Vec<ConstId>,
    pool: &mut ConstPool,
) -> Result<(), CfgError> {
    if i == 0 {
        return Ok(());
    }
    let Some(idx) = const_loading_instrs(o, instrs, i - 1, 1) else { return Ok(()) };
    let Some(f) = cfgfold::folder() else { return Ok(()) };
    let v = const_value(o, &instrs[idx[0]], consts, pool)?;
    let c = if op == UnaryFold::Not {
        let t = const_is_true(pool, v).ok_or(CfgError::Internal("const"))?;
        pool.add(if t { ConstValue::False } else { ConstValue::True })
    } else {
        match (f.unary)(pool, op, v) {
            Some(c) => c,
            None => return Ok(()),
        }
    };
    nop_out(o, instrs, &idx);
    make_load_const(o, &mut instrs[i], c, consts, pool);
    Ok(())
}
