//! `optimize_basic_block` and its helpers (`Python/flowgraph.c`): the peepholes of one block,
//! working on the block's instruction slice (taken out of the block by the caller).

use pycode_instr::{ConstId, ConstPool, ConstValue, Location};

use crate::cfg::{BasicBlock, BlockId, CfgInstr};
use crate::consts::const_is_true;
use crate::ops::{Ops, P_HAS_TARGET, P_PEEPHOLE};
use crate::passes::set_op0;
use crate::CfgError;

/// `INTRINSIC_LIST_TO_TUPLE`.
const INTRINSIC_LIST_TO_TUPLE: i32 = 6;

/// `optimize_basic_block` on `instrs`, the instructions of block `b` (whose slot in `blocks`
/// is empty meanwhile). The length of `instrs` never changes.
pub(crate) fn optimize_instrs(
    o: &Ops,
    blocks: &[BasicBlock],
    b: BlockId,
    instrs: &mut Vec<CfgInstr>,
    consts: &mut Vec<ConstId>,
    pool: &mut ConstPool,
) -> Result<(), CfgError> {
    let nop_instr = CfgInstr::new(o.NOP, 0, Location::NO_LOCATION);
    let mut target = nop_instr;
    let mut opcode: u16 = 0;
    let mut oparg: i32 = 0;
    // Whether `opcode` is one the peepholes below look at.
    let mut peep = false;
    let mut len = instrs.len();
    let feat = o.release.features();
    let v311 = feat.assemble_3_11;
    let to_bool = feat.to_bool;
    let thread_appends = feat.jump_thread_appends;
    let mut i: i64 = 0;
    // Some SWAP met or made by the walk below (else the block has none for the second walk).
    let mut swap_seen = false;
    // `opcode == 0` stands for "no previous instruction" like CPython; 0 is CACHE, which
    // codegen never emits.
    while (i as usize) < len {
        let iu = i as usize;
        let inst = instrs[iu];
        // 3.12+ (where `and`/`or` copy the value before a popping jump).
        let is_copy_of_load_const = !v311 && opcode == o.LOAD_CONST && inst.opcode == o.COPY && inst.oparg == 1;
        if !is_copy_of_load_const {
            opcode = inst.opcode;
            oparg = inst.oparg;
            let p = o.props(opcode);
            peep = p & P_PEEPHOLE != 0;
            if p & P_HAS_TARGET != 0 {
                let mut t = inst.target;
                if v311 {
                    // 3.11 skips empty blocks here, retargeting the jump (3.12+ have none left).
                    while t != b {
                        let tb = blocks.get(t as usize).ok_or(CfgError::Internal("dangling block id"))?;
                        if !tb.instrs.is_empty() {
                            break;
                        }
                        t = tb.next;
                    }
                    if let Some(x) = instrs.get_mut(iu) {
                        x.target = t;
                    }
                }
                let first = if t == b {
                    instrs.first()
                } else {
                    blocks.get(t as usize).ok_or(CfgError::Internal("dangling block id"))?.instrs.first()
                };
                target = *first.ok_or(CfgError::Internal("jump to empty block"))?;
            } else {
                target = nop_instr;
            }
        }
        if !peep {
            i += 1;
            continue;
        }
        let nextop = if iu + 1 < len { instrs[iu + 1].opcode } else { 0 };
        let next_oparg = if iu + 1 < len { instrs[iu + 1].oparg } else { 0 };
        if opcode == o.LOAD_CONST {
            if nextop == o.POP_JUMP_IF_FALSE || nextop == o.POP_JUMP_IF_TRUE {
                let c = const_at(consts, oparg, opcode)?;
                let is_true = const_is_true(pool, c).ok_or(CfgError::Internal("const"))?;
                set_op0(&mut instrs[iu], o.NOP);
                let jump_if_true = nextop == o.POP_JUMP_IF_TRUE;
                if is_true == jump_if_true {
                    instrs[iu + 1].opcode = o.JUMP;
                } else {
                    set_op0(&mut instrs[iu + 1], o.NOP);
                }
            } else if nextop == o.IS_OP {
                let c = const_at(consts, oparg, opcode)?;
                let mut jump_at = iu + 2;
                let is_none = matches!(pool.get(c), Some(ConstValue::None));
                // 3.13+ drop a TO_BOOL between IS_OP and the jump whatever follows.
                if to_bool && is_none && jump_at < len && instrs[jump_at].opcode == o.TO_BOOL {
                    set_op0(&mut instrs[jump_at], o.NOP);
                    jump_at += 1;
                }
                let jump_op = if jump_at < len { instrs[jump_at].opcode } else { 0 };
                if is_none && (jump_op == o.POP_JUMP_IF_FALSE || jump_op == o.POP_JUMP_IF_TRUE) {
                    let nextarg = (next_oparg as u8) as i32;
                    set_op0(&mut instrs[iu], o.NOP);
                    set_op0(&mut instrs[iu + 1], o.NOP);
                    let flip = nextarg ^ i32::from(jump_op == o.POP_JUMP_IF_FALSE);
                    instrs[jump_at].opcode = if flip != 0 { o.POP_JUMP_IF_NOT_NONE } else { o.POP_JUMP_IF_NONE };
                }
            } else if v311 && (nextop == o.JUMP_IF_FALSE_OR_POP || nextop == o.JUMP_IF_TRUE_OR_POP) {
                let c = const_at(consts, oparg, opcode)?;
                let is_true = const_is_true(pool, c).ok_or(CfgError::Internal("const"))?;
                let jump_if_true = nextop == o.JUMP_IF_TRUE_OR_POP;
                if is_true == jump_if_true {
                    instrs[iu + 1].opcode = o.JUMP;
                } else {
                    set_op0(&mut instrs[iu], o.NOP);
                    set_op0(&mut instrs[iu + 1], o.NOP);
                }
            } else if nextop == o.RETURN_VALUE && feat.return_const {
                set_op0(&mut instrs[iu], o.NOP);
                i += 1;
                let x = &mut instrs[i as usize];
                x.opcode = o.RETURN_CONST;
                x.oparg = oparg;
            } else if to_bool && nextop == o.TO_BOOL {
                // The constant's truth value as a bool constant.
                let c = const_at(consts, oparg, opcode)?;
                let is_true = const_is_true(pool, c).ok_or(CfgError::Internal("const"))?;
                let b = pool.add(if is_true { ConstValue::True } else { ConstValue::False });
                let index = match consts.iter().position(|&x| x == b) {
                    Some(p) => p,
                    None => {
                        consts.push(b);
                        consts.len() - 1
                    }
                };
                set_op0(&mut instrs[iu], o.NOP);
                instrs[iu + 1].opcode = o.LOAD_CONST;
                instrs[iu + 1].oparg = index as i32;
            }
        } else if opcode == o.BUILD_TUPLE {
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
            if oparg >= 0 && i >= i64::from(oparg) {
                let n = oparg as usize;
                fold_tuple_on_constants(o, instrs, iu - n, n, consts, pool)?;
            }
        } else if opcode == o.JUMP_IF_FALSE_OR_POP || opcode == o.JUMP_IF_TRUE_OR_POP {
            // 3.11: x:JUMP_IF_FALSE_OR_POP y, y:JUMP_IF_FALSE_OR_POP z -> x:JUMP_IF_FALSE_OR_POP z;
            // x:JUMP_IF_FALSE_OR_POP y, y:JUMP_IF_TRUE_OR_POP z -> x:POP_JUMP_IF_FALSE y+1.
            let (same_pop, same_keep, other_keep, other_pop) = if opcode == o.JUMP_IF_FALSE_OR_POP {
                (o.POP_JUMP_IF_FALSE, o.JUMP_IF_FALSE_OR_POP, o.JUMP_IF_TRUE_OR_POP, o.POP_JUMP_IF_TRUE)
            } else {
                (o.POP_JUMP_IF_TRUE, o.JUMP_IF_TRUE_OR_POP, o.JUMP_IF_FALSE_OR_POP, o.POP_JUMP_IF_FALSE)
            };
            let t = target.opcode;
            if t == same_pop {
                if jump_thread(&mut instrs[iu], target, same_pop, feat.jump_thread_no_lineno) {
                    i -= 1;
                }
            } else if t == o.JUMP || t == same_keep {
                if jump_thread(&mut instrs[iu], target, opcode, feat.jump_thread_no_lineno) {
                    i -= 1;
                }
            } else if (t == other_keep || t == other_pop) && instrs[iu].loc.lineno == target.loc.lineno {
                // The target block's layout successor (its slot keeps `next` even when it is
                // this block, whose instructions are out meanwhile).
                let tb = instrs[iu].target;
                let after = blocks.get(tb as usize).ok_or(CfgError::Internal("dangling block id"))?.next;
                let x = &mut instrs[iu];
                x.opcode = same_pop;
                x.target = after;
                i -= 1;
            }
        } else if opcode == o.POP_JUMP_IF_NOT_NONE
            || opcode == o.POP_JUMP_IF_NONE
            || opcode == o.POP_JUMP_IF_FALSE
            || opcode == o.POP_JUMP_IF_TRUE
            || opcode == o.JUMP
            || (opcode == o.JUMP_NO_INTERRUPT && feat.thread_jump_no_interrupt)
        {
            let unconditional = opcode == o.JUMP || opcode == o.JUMP_NO_INTERRUPT;
            let to_no_interrupt = unconditional && feat.thread_jump_no_interrupt && target.opcode == o.JUMP_NO_INTERRUPT;
            if target.opcode == o.JUMP || to_no_interrupt {
                let cur_op = instrs[iu].opcode;
                let new_op = if opcode == o.POP_JUMP_IF_NOT_NONE || opcode == o.POP_JUMP_IF_NONE {
                    cur_op
                } else if opcode == o.JUMP_NO_INTERRUPT && !to_no_interrupt {
                    // 3.13: threading through a `JUMP` keeps its eval-breaker check.
                    o.JUMP
                } else {
                    opcode
                };
                if thread_appends {
                    // 3.13+: the jump becomes a NOP (kept for its line if needed) and a new
                    // jump with the target jump's location and no handler is appended.
                    if instrs[iu].target != target.target {
                        set_op0(&mut instrs[iu], o.NOP);
                        let mut j = CfgInstr::new(new_op, target.oparg, target.loc);
                        j.target = target.target;
                        instrs.push(j);
                        len += 1;
                        i -= 1;
                    }
                } else if jump_thread(&mut instrs[iu], target, new_op, feat.jump_thread_no_lineno) {
                    i -= 1;
                }
            }
        } else if opcode == o.SWAP {
            swap_seen = true;
            if oparg == 1 {
                set_op0(&mut instrs[iu], o.NOP);
            } else if !feat.swaps_after_peepholes {
                let ni = swaptimize(o, instrs, iu)?;
                i = ni as i64;
                apply_static_swaps(o, instrs, ni)?;
            }
        } else if opcode == o.PUSH_NULL {
            // 3.12: CPython tests the *opcode's* low bit here (LOAD_GLOBAL's number is even).
            if !to_bool && nextop == o.LOAD_GLOBAL && (nextop & 1) == 0 {
                set_op0(&mut instrs[iu], o.NOP);
                instrs[iu + 1].oparg |= 1;
            }
        } else if to_bool {
            // 3.13+ only (the opcodes below are peephole candidates only there).
            if opcode == o.LOAD_GLOBAL {
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
                }
            } else if opcode == o.STORE_FAST {
                if nextop == o.STORE_FAST && oparg == next_oparg && instrs[iu].loc.lineno == instrs[iu + 1].loc.lineno {
                    instrs[iu].opcode = o.POP_TOP;
                    instrs[iu].oparg = 0;
                }
            } else if opcode == o.CALL_INTRINSIC_1 {
                // `for _ in (*a, *b)` iterates the list.
                if feat.iter_list_not_tuple && oparg == INTRINSIC_LIST_TO_TUPLE && nextop == o.GET_ITER {
                    set_op0(&mut instrs[iu], o.NOP);
                }
            }
        }
        i += 1;
    }
    if feat.swaps_after_peepholes && swap_seen {
        // 3.13: SWAPs are optimized in a second walk over the block, after the peepholes
        // (so a dead `STORE_FAST` already became `POP_TOP`).
        let mut k = 0usize;
        while k < instrs.len() {
            if instrs[k].opcode == o.SWAP {
                let nk = swaptimize(o, instrs, k)?;
                apply_static_swaps(o, instrs, nk)?;
                k = nk;
            }
            k += 1;
        }
    }
    Ok(())
}

fn const_at(consts: &[ConstId], oparg: i32, opcode: u16) -> Result<ConstId, CfgError> {
    usize::try_from(oparg).ok().and_then(|o| consts.get(o)).copied().ok_or(CfgError::BadOparg { opcode, oparg })
}

/// `jump_thread`; `no_lineno`: a target jump without a line number may be threaded too (3.12+).
fn jump_thread(inst: &mut CfgInstr, target: CfgInstr, opcode: u16, no_lineno: bool) -> bool {
    if (inst.loc.lineno == target.loc.lineno || (no_lineno && target.loc.lineno == -1)) && inst.target != target.target {
        inst.target = target.target;
        inst.opcode = opcode;
        return true;
    }
    false
}

/// `fold_tuple_on_constants`: `instrs[start..start+n]` are the items, `instrs[start+n]` is
/// `BUILD_TUPLE n`.
#[inline(never)]
fn fold_tuple_on_constants(
    o: &Ops,
    instrs: &mut [CfgInstr],
    start: usize,
    n: usize,
    consts: &mut Vec<ConstId>,
    pool: &mut ConstPool,
) -> Result<(), CfgError> {
    let mut items = Vec::with_capacity(n);
    for k in 0..n {
        let ins = instrs.get(start + k).ok_or(CfgError::Internal("fold range"))?;
        if !o.has_const(ins.opcode) {
            return Ok(());
        }
        items.push(const_at(consts, ins.oparg, ins.opcode)?);
    }
    let newconst = pool.add(ConstValue::Tuple(items.into()));
    let index = match consts.iter().position(|&c| c == newconst) {
        Some(p) => p,
        None => {
            consts.push(newconst);
            consts.len() - 1
        }
    };
    for x in instrs.get_mut(start..start + n).ok_or(CfgError::Internal("fold range"))? {
        set_op0(x, o.NOP);
    }
    let x = instrs.get_mut(start + n).ok_or(CfgError::Internal("fold range"))?;
    x.opcode = o.LOAD_CONST;
    x.oparg = index as i32;
    Ok(())
}

/// `swaptimize`: returns the new index.
pub(crate) fn swaptimize(o: &Ops, instrs: &mut [CfgInstr], ix: usize) -> Result<usize, CfgError> {
    let (swap, nop) = (o.SWAP, o.NOP);
    let instrs = instrs.get_mut(ix..).ok_or(CfgError::Internal("swaptimize range"))?;
    let mut depth = instrs.first().map_or(0, |x| x.oparg.max(0) as usize);
    let mut len = 0usize;
    let mut more = false;
    let limit = instrs.len();
    loop {
        len += 1;
        if len >= limit {
            break;
        }
        let op = instrs[len].opcode;
        if op == swap {
            depth = depth.max(instrs[len].oparg.max(0) as usize);
            more = true;
        } else if op != nop {
            break;
        }
    }
    if !more {
        return Ok(ix);
    }
    if depth > (1 << 20) {
        return Err(CfgError::Internal("SWAP depth too large"));
    }
    const VISITED: i64 = -1;
    let mut stack: Vec<i64> = (0..depth as i64).collect();
    for ins in instrs.iter().take(len) {
        if ins.opcode == swap {
            let o = (ins.oparg as usize).wrapping_sub(1);
            if o >= depth {
                return Err(CfgError::BadOparg { opcode: swap, oparg: ins.oparg });
            }
            stack.swap(0, o);
        }
    }
    let mut current = len as i64 - 1;
    for i in 0..depth {
        if stack[i] == VISITED || stack[i] == i as i64 {
            continue;
        }
        let mut j = i;
        loop {
            if j != 0 {
                if current < 0 {
                    return Err(CfgError::Internal("swaptimize overflow"));
                }
                let x = &mut instrs[current as usize];
                x.opcode = swap;
                x.oparg = j as i32 + 1;
                current -= 1;
            }
            if stack[j] == VISITED {
                break;
            }
            let next_j = stack[j];
            stack[j] = VISITED;
            j = next_j as usize;
        }
    }
    while current >= 0 {
        set_op0(&mut instrs[current as usize], nop);
        current -= 1;
    }
    Ok(ix + len - 1)
}

fn swappable(o: &Ops, op: u16) -> bool {
    op == o.STORE_FAST || op == o.STORE_FAST_MAYBE_NULL || op == o.POP_TOP
}

fn stores_to(o: &Ops, ins: &CfgInstr) -> i32 {
    if ins.opcode == o.STORE_FAST || ins.opcode == o.STORE_FAST_MAYBE_NULL {
        ins.oparg
    } else {
        -1
    }
}

/// `next_swappable_instruction`
fn next_swappable_instruction(o: &Ops, instrs: &[CfgInstr], mut i: i64, lineno: i32) -> i64 {
    loop {
        i += 1;
        let Some(ins) = instrs.get(i as usize) else { return -1 };
        if lineno >= 0 && ins.loc.lineno != lineno {
            return -1;
        }
        if ins.opcode == o.NOP {
            continue;
        }
        if swappable(o, ins.opcode) {
            return i;
        }
        return -1;
    }
}

/// `apply_static_swaps`
pub(crate) fn apply_static_swaps(o: &Ops, instrs: &mut [CfgInstr], i: usize) -> Result<(), CfgError> {
    let mut i = i as i64;
    while i >= 0 {
        let swap = *instrs.get(i as usize).ok_or(CfgError::Internal("swap index"))?;
        if swap.opcode != o.SWAP {
            if swap.opcode == o.NOP || swappable(o, swap.opcode) {
                i -= 1;
                continue;
            }
            return Ok(());
        }
        let j = next_swappable_instruction(o, instrs, i, -1);
        if j < 0 {
            return Ok(());
        }
        let mut k = j;
        let lineno = instrs[j as usize].loc.lineno;
        let mut count = swap.oparg - 1;
        while count > 0 {
            k = next_swappable_instruction(o, instrs, k, lineno);
            if k < 0 {
                return Ok(());
            }
            count -= 1;
        }
        let store_j = stores_to(o, &instrs[j as usize]);
        let store_k = stores_to(o, &instrs[k as usize]);
        if o.release.features().swap_checks_stores && (store_j >= 0 || store_k >= 0) {
            if store_j == store_k {
                return Ok(());
            }
            for idx in (j + 1)..k {
                let s = stores_to(o, &instrs[idx as usize]);
                if s >= 0 && (s == store_j || s == store_k) {
                    return Ok(());
                }
            }
        }
        set_op0(&mut instrs[i as usize], o.NOP);
        instrs.swap(j as usize, k as usize);
        i -= 1;
    }
    Ok(())
}
