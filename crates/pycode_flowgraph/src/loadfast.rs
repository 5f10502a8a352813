//! 3.14's last CFG passes: `convert_pseudo_conditional_jumps` (`JUMP_IF_FALSE` /
//! `JUMP_IF_TRUE` become `COPY 1; TO_BOOL; POP_JUMP_IF_*`) and `optimize_load_fast`, the
//! abstract interpretation that turns `LOAD_FAST` / `LOAD_FAST_LOAD_FAST` into their borrowing
//! forms where the loaded reference is consumed before the local can be overwritten.

use crate::cfg::{BlockId, Cfg, CfgInstr, NO_BLOCK};
use crate::CfgError;

/// `DUMMY_INSTR` / `NOT_LOCAL`.
const NONE: i32 = -1;
const SUPPORT_KILLED: u8 = 1;
const STORED_AS_LOCAL: u8 = 2;
const REF_UNCONSUMED: u8 = 4;

#[derive(Clone, Copy)]
struct Ref {
    instr: i32,
    local: i32,
}

/// How many stack items `name` pops (3.14's `_PyOpcode_num_popped`) for the instructions the
/// generic case of `optimize_load_fast` sees; `None` for an unknown one.
fn num_popped(name: &str, oparg: i32) -> Option<i64> {
    let a = i64::from(oparg);
    Some(match name {
        "NOP"
        | "RESUME"
        | "LOAD_CONST"
        | "LOAD_SMALL_INT"
        | "LOAD_NAME"
        | "LOAD_GLOBAL"
        | "LOAD_DEREF"
        | "LOAD_FAST"
        | "LOAD_FAST_CHECK"
        | "LOAD_FAST_BORROW"
        | "LOAD_LOCALS"
        | "LOAD_BUILD_CLASS"
        | "LOAD_COMMON_CONSTANT"
        | "PUSH_NULL"
        | "MAKE_CELL"
        | "COPY_FREE_VARS"
        | "RETURN_GENERATOR"
        | "SETUP_ANNOTATIONS"
        | "DELETE_NAME"
        | "DELETE_GLOBAL"
        | "DELETE_FAST"
        | "DELETE_DEREF"
        | "JUMP"
        | "JUMP_NO_INTERRUPT"
        | "JUMP_FORWARD"
        | "JUMP_BACKWARD"
        | "JUMP_BACKWARD_NO_INTERRUPT"
        | "NOT_TAKEN"
        | "EXTENDED_ARG"
        | "SETUP_FINALLY"
        | "SETUP_CLEANUP"
        | "SETUP_WITH"
        | "POP_BLOCK"
        | "LOAD_CLOSURE"
        | "LOAD_FAST_LOAD_FAST"
        | "LOAD_FAST_BORROW_LOAD_FAST_BORROW"
        | "LOAD_FAST_AND_CLEAR"
        | "CACHE" => 0,
        "POP_TOP"
        | "STORE_NAME"
        | "STORE_GLOBAL"
        | "STORE_DEREF"
        | "STORE_FAST"
        | "STORE_FAST_MAYBE_NULL"
        | "RETURN_VALUE"
        | "UNARY_NEGATIVE"
        | "UNARY_NOT"
        | "UNARY_INVERT"
        | "TO_BOOL"
        | "GET_ITER"
        | "GET_AITER"
        | "GET_AWAITABLE"
        | "GET_YIELD_FROM_ITER"
        | "FORMAT_SIMPLE"
        | "CONVERT_VALUE"
        | "POP_JUMP_IF_FALSE"
        | "POP_JUMP_IF_TRUE"
        | "POP_JUMP_IF_NONE"
        | "POP_JUMP_IF_NOT_NONE"
        | "YIELD_VALUE"
        | "DELETE_ATTR"
        | "CALL_INTRINSIC_1"
        | "LOAD_FROM_DICT_OR_DEREF"
        | "LOAD_FROM_DICT_OR_GLOBALS"
        | "POP_ITER"
        | "LOAD_SPECIAL"
        | "MAKE_FUNCTION"
        | "PUSH_EXC_INFO"
        | "POP_EXCEPT"
        | "UNPACK_SEQUENCE"
        | "UNPACK_EX"
        | "STORE_FAST_LOAD_FAST"
        | "GET_LEN"
        | "END_FOR"
        | "MATCH_MAPPING"
        | "MATCH_SEQUENCE"
        | "JUMP_IF_FALSE"
        | "JUMP_IF_TRUE"
        | "FOR_ITER"
        | "GET_ANEXT" => 1,
        "STORE_FAST_STORE_FAST"
        | "IMPORT_NAME"
        | "SET_FUNCTION_ATTRIBUTE"
        | "END_SEND"
        | "END_ASYNC_FOR"
        | "CHECK_EG_MATCH"
        | "CHECK_EXC_MATCH"
        | "BINARY_OP"
        | "COMPARE_OP"
        | "IS_OP"
        | "CONTAINS_OP"
        | "STORE_ATTR"
        | "DELETE_SUBSCR"
        | "BUILD_TEMPLATE"
        | "FORMAT_WITH_SPEC"
        | "CALL_INTRINSIC_2"
        | "MATCH_KEYS"
        | "SEND"
        | "IMPORT_FROM" => 2,
        "CLEANUP_THROW" | "MATCH_CLASS" | "BINARY_SLICE" | "STORE_SUBSCR" => 3,
        "STORE_SLICE" | "CALL_FUNCTION_EX" => 4,
        "RAISE_VARARGS" | "BUILD_TUPLE" | "BUILD_LIST" | "BUILD_SET" | "BUILD_STRING" | "BUILD_SLICE" => a,
        "BUILD_MAP" => 2 * a,
        "BUILD_INTERPOLATION" => 2 + (a & 1),
        "CALL" => 2 + a,
        "CALL_KW" => 3 + a,
        "RERAISE" => 1 + a,
        "WITH_EXCEPT_START" => 5,
        "LIST_APPEND" | "SET_ADD" | "LIST_EXTEND" | "SET_UPDATE" | "DICT_UPDATE" => 1 + (a - 1),
        "DICT_MERGE" => 5 + (a - 1),
        "MAP_ADD" => 3 + (a - 1),
        "LOAD_ATTR" => 1,
        "LOAD_SUPER_ATTR" => 3,
        _ => return None,
    })
}

/// What `optimize_load_fast` does with an opcode outside its first tests: the arm of its match
/// on the opcode's name, decided once per opcode (see [`LfOp`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LfClass {
    /// `FORMAT_SIMPLE`, `GET_YIELD_FROM_ITER`, ...: pushes without consuming its input.
    Passthrough,
    /// `DICT_MERGE`, `LIST_APPEND`, ...: only pops.
    PopOnly,
    /// 3.15's `GET_ITER`.
    GetIterFixed,
    /// 3.15's `END_SEND`.
    EndSendFixed,
    /// 3.15's `POP_ITER`.
    PopIterFixed,
    /// 3.15's `LOAD_SPECIAL` and `PUSH_EXC_INFO`.
    UnderTosFixed,
    /// 3.15's `SET_FUNCTION_ATTRIBUTE`.
    SetFunctionAttributeFixed,
    CheckExcMatch,
    ForIter,
    LoadSpecial,
    LoadAttr,
    LoadSuperAttr,
    Send,
    /// Everything else: pops [`num_popped`], pushes that plus the net effect.
    Generic,
}

/// How many items an opcode pops as a function of its oparg `a`, from [`num_popped`]: `base +
/// mul * a` when that agrees with it, else asked of it by name each time.
#[derive(Clone, Copy, Debug)]
enum PopRule {
    Linear { base: i64, mul: i64 },
    ByName(&'static str),
    Unknown,
}

impl PopRule {
    fn of(name: &'static str) -> PopRule {
        let p: Vec<Option<i64>> = (0..4).map(|a| num_popped(name, a)).collect();
        let (Some(&Some(p0)), Some(&Some(p1))) = (p.first(), p.get(1)) else {
            return PopRule::Unknown;
        };
        let mul = p1 - p0;
        if (0..4).all(|a| p.get(a as usize) == Some(&Some(p0 + mul * a))) {
            PopRule::Linear { base: p0, mul }
        } else {
            PopRule::ByName(name)
        }
    }

    #[inline]
    fn popped(self, oparg: i32) -> Option<i64> {
        match self {
            PopRule::Linear { base, mul } => Some(base + mul * i64::from(oparg)),
            PopRule::ByName(name) => num_popped(name, oparg),
            PopRule::Unknown => None,
        }
    }
}

/// One opcode as `optimize_load_fast` sees it, worked out from its name once per worker and
/// release instead of matching the name at every instruction.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LfOp {
    class: LfClass,
    pop: PopRule,
}

impl LfOp {
    fn of(name: &'static str, passthrough: bool) -> LfOp {
        let class = match name {
            "FORMAT_SIMPLE"
            | "GET_YIELD_FROM_ITER"
            | "GET_ANEXT"
            | "GET_LEN"
            | "IMPORT_FROM"
            | "MATCH_KEYS"
            | "MATCH_MAPPING"
            | "MATCH_SEQUENCE"
            | "WITH_EXCEPT_START" => LfClass::Passthrough,
            "DICT_MERGE" | "DICT_UPDATE" | "LIST_APPEND" | "LIST_EXTEND" | "MAP_ADD" | "RERAISE" | "SET_ADD" | "SET_UPDATE" => {
                LfClass::PopOnly
            }
            "GET_ITER" if passthrough => LfClass::GetIterFixed,
            "END_SEND" if passthrough => LfClass::EndSendFixed,
            "POP_ITER" if passthrough => LfClass::PopIterFixed,
            "LOAD_SPECIAL" | "PUSH_EXC_INFO" if passthrough => LfClass::UnderTosFixed,
            "SET_FUNCTION_ATTRIBUTE" if passthrough => LfClass::SetFunctionAttributeFixed,
            "CHECK_EXC_MATCH" => LfClass::CheckExcMatch,
            "FOR_ITER" => LfClass::ForIter,
            "LOAD_SPECIAL" => LfClass::LoadSpecial,
            "LOAD_ATTR" => LfClass::LoadAttr,
            "LOAD_SUPER_ATTR" => LfClass::LoadSuperAttr,
            "SEND" => LfClass::Send,
            _ => LfClass::Generic,
        };
        LfOp { class, pop: PopRule::of(name) }
    }
}

impl Cfg {
    /// `convert_pseudo_conditional_jumps` (3.14+).
    pub fn convert_pseudo_conditional_jumps(&mut self) -> Result<(), CfgError> {
        let (jf, jt) = (self.ops.JUMP_IF_FALSE, self.ops.JUMP_IF_TRUE);
        let (pf, pt, copy, to_bool) = (self.ops.POP_JUMP_IF_FALSE, self.ops.POP_JUMP_IF_TRUE, self.ops.COPY, self.ops.TO_BOOL);
        let mut b = self.entry;
        while b != NO_BLOCK {
            let blk = self.blocks.get_mut(b as usize).ok_or(CfgError::Internal("dangling block id"))?;
            let mut i = 0;
            while i < blk.instrs.len() {
                let ins = blk.instrs[i];
                if ins.opcode == jf || ins.opcode == jt {
                    blk.instrs[i].opcode = if ins.opcode == jf { pf } else { pt };
                    // Under the jump's handler (measured).
                    let mut c = CfgInstr::new(copy, 1, ins.loc);
                    c.except = ins.except;
                    let mut t = CfgInstr::new(to_bool, 0, ins.loc);
                    t.except = ins.except;
                    blk.instrs.insert(i, c);
                    blk.instrs.insert(i + 1, t);
                    i += 2;
                }
                i += 1;
            }
            b = blk.next;
        }
        Ok(())
    }

    /// `optimize_load_fast` (3.14+): runs after `normalize_jumps`, on the stack depths
    /// computed before.
    pub(crate) fn optimize_load_fast(&mut self) -> Result<(), CfgError> {
        let o = self.ops.clone();
        // The opcodes' [`LfOp`]s, kept by the graph for the next unit of the same release.
        if self.lf_release != Some(o.release) {
            self.lf_ops.clear();
            self.lf_release = Some(o.release);
        }
        let mut lf_ops = std::mem::take(&mut self.lf_ops);
        let r = self.optimize_load_fast_with(&o, &mut lf_ops);
        self.lf_ops = lf_ops;
        r
    }

    fn optimize_load_fast_with(&mut self, o: &crate::Ops, lf_ops: &mut Vec<Option<LfOp>>) -> Result<(), CfgError> {
        let passthrough = o.release.features().load_fast_passthrough;
        for blk in self.blocks.iter_mut() {
            blk.visited = false;
        }
        let mut work: Vec<BlockId> = vec![self.entry];
        {
            let e = self.blocks.get_mut(self.entry as usize).ok_or(CfgError::Internal("dangling block id"))?;
            e.startdepth = 0;
            e.visited = true;
        }
        let mut refs: Vec<Ref> = Vec::new();
        let mut flags: Vec<u8> = Vec::new();
        let mut pushes: Vec<(BlockId, usize)> = Vec::new();
        while let Some(b) = work.pop() {
            // The block's instructions are read while other blocks are marked: taken out
            // meanwhile, put back below.
            let (instrs, startdepth, next) = {
                let blk = self.blocks.get_mut(b as usize).ok_or(CfgError::Internal("dangling block id"))?;
                (std::mem::take(&mut blk.instrs), blk.startdepth, blk.next)
            };
            let r = self.load_fast_block(o, lf_ops, passthrough, &instrs, startdepth, next, &mut refs, &mut flags, &mut pushes, &mut work);
            let blk = self.blocks.get_mut(b as usize).ok_or(CfgError::Internal("dangling block id"))?;
            blk.instrs = instrs;
            r?;
            for (ins, &f) in blk.instrs.iter_mut().zip(flags.iter()) {
                if f == 0 {
                    if ins.opcode == o.LOAD_FAST {
                        ins.opcode = o.LOAD_FAST_BORROW;
                    } else if ins.opcode == o.LOAD_FAST_LOAD_FAST {
                        ins.opcode = o.LOAD_FAST_BORROW_LOAD_FAST_BORROW;
                    }
                }
            }
        }
        Ok(())
    }

    /// One block of `optimize_load_fast`: its instructions' flags, and its successors put on
    /// the work list.
    #[allow(clippy::too_many_arguments)]
    fn load_fast_block(
        &mut self,
        o: &crate::Ops,
        lf_ops: &mut Vec<Option<LfOp>>,
        passthrough: bool,
        instrs: &[CfgInstr],
        startdepth: i32,
        next: BlockId,
        refs: &mut Vec<Ref>,
        flags: &mut Vec<u8>,
        pushes: &mut Vec<(BlockId, usize)>,
        work: &mut Vec<BlockId>,
    ) -> Result<(), CfgError> {
        let kill = |flags: &mut Vec<u8>, refs: &[Ref], local: i32| {
            for r in refs {
                if r.local == local {
                    if let Some(f) = usize::try_from(r.instr).ok().and_then(|i| flags.get_mut(i)) {
                        *f |= SUPPORT_KILLED;
                    }
                }
            }
        };
        let store = |flags: &mut Vec<u8>, refs: &[Ref], local: i32, r: Ref| {
            kill(flags, refs, local);
            if let Some(f) = usize::try_from(r.instr).ok().and_then(|i| flags.get_mut(i)) {
                *f |= STORED_AS_LOCAL;
            }
        };
        fn pop(refs: &mut Vec<Ref>) -> Result<Ref, CfgError> {
            refs.pop().ok_or(CfgError::Internal("load_fast: stack underflow"))
        }
        {
            flags.clear();
            flags.resize(instrs.len(), 0);
            refs.clear();
            for _ in 0..startdepth.max(0) {
                refs.push(Ref { instr: NONE, local: NONE });
            }
            pushes.clear();
            for (i, ins) in instrs.iter().enumerate() {
                let ii = i as i32;
                let op = ins.opcode;
                let arg = ins.oparg;
                if op == o.DELETE_FAST {
                    kill(flags, refs, arg);
                } else if op == o.LOAD_FAST {
                    refs.push(Ref { instr: ii, local: arg });
                } else if op == o.LOAD_FAST_AND_CLEAR {
                    kill(flags, refs, arg);
                    refs.push(Ref { instr: ii, local: arg });
                } else if op == o.LOAD_FAST_LOAD_FAST {
                    refs.push(Ref { instr: ii, local: arg >> 4 });
                    refs.push(Ref { instr: ii, local: arg & 15 });
                } else if op == o.STORE_FAST {
                    let r = pop(refs)?;
                    store(flags, refs, arg, r);
                } else if op == o.STORE_FAST_LOAD_FAST {
                    let r = pop(refs)?;
                    store(flags, refs, arg >> 4, r);
                    refs.push(Ref { instr: ii, local: arg & 15 });
                } else if op == o.STORE_FAST_STORE_FAST {
                    let r = pop(refs)?;
                    store(flags, refs, arg >> 4, r);
                    let r = pop(refs)?;
                    store(flags, refs, arg & 15, r);
                } else if op == o.COPY {
                    let idx = refs.len() as i64 - i64::from(arg);
                    let r = *usize::try_from(idx).ok().and_then(|k| refs.get(k)).ok_or(CfgError::Internal("load_fast: COPY"))?;
                    refs.push(r);
                } else if op == o.SWAP {
                    let n = refs.len();
                    let idx = n as i64 - i64::from(arg);
                    let k = usize::try_from(idx).map_err(|_| CfgError::Internal("load_fast: SWAP"))?;
                    if k >= n {
                        return Err(CfgError::Internal("load_fast: SWAP"));
                    }
                    refs.swap(k, n - 1);
                } else {
                    let lf = match lf_ops.get(usize::from(op)).copied().flatten() {
                        Some(x) => x,
                        None => {
                            let name = if op >= 256 { self.pseudo_name(op) } else { o.table.opname(op).unwrap_or("") };
                            let x = LfOp::of(name, passthrough);
                            if lf_ops.len() <= usize::from(op) {
                                lf_ops.resize(usize::from(op) + 1, None);
                            }
                            if let Some(slot) = lf_ops.get_mut(usize::from(op)) {
                                *slot = Some(x);
                            }
                            x
                        }
                    };
                    let net = o.stack_effect(op, arg, false).ok_or(CfgError::InvalidStackEffect { opcode: op, oparg: arg })?;
                    match lf.class {
                        // (The input stays: `FORMAT_SIMPLE` and `GET_YIELD_FROM_ITER` may return it.)
                        LfClass::Passthrough => {
                            // 3.14: CPython's loop variable shadows the instruction index
                            // here: the k-th value pushed claims the block's k-th instruction
                            // as its producer (so storing `from m import x` marks instruction
                            // 0). 3.15 pushes the instruction itself (measured: `from h import
                            // g` after `if r is None: r = ...; r.a` keeps `LOAD_FAST_BORROW r`).
                            let fixed = passthrough;
                            for k in 0..net.max(0) {
                                refs.push(Ref { instr: if fixed { ii } else { k as i32 }, local: NONE });
                            }
                        }
                        LfClass::PopOnly => {
                            for _ in 0..(-net).max(0) {
                                pop(refs)?;
                            }
                        }
                        // 3.15: `(iterable -- iter, index_or_null)`, where the iterator may be
                        // the iterable itself (a list or tuple is iterated by index); like
                        // `FORMAT_SIMPLE` (above), it consumes no input.
                        LfClass::GetIterFixed => {
                            for _ in 0..net.max(0) {
                                refs.push(Ref { instr: ii, local: NONE });
                            }
                        }
                        // 3.15: the value passes through (`receiver, null, value -- value`).
                        LfClass::EndSendFixed => {
                            let tos = pop(refs)?;
                            pop(refs)?;
                            pop(refs)?;
                            refs.push(tos);
                        }
                        LfClass::PopIterFixed => {
                            pop(refs)?;
                            pop(refs)?;
                        }
                        // 3.15: the object stays on the stack under the loaded method.
                        LfClass::UnderTosFixed => {
                            let tos = pop(refs)?;
                            refs.push(Ref { instr: ii, local: NONE });
                            refs.push(tos);
                        }
                        LfClass::SetFunctionAttributeFixed => {
                            let tos = pop(refs)?;
                            pop(refs)?;
                            refs.push(tos);
                        }
                        LfClass::CheckExcMatch => {
                            pop(refs)?;
                            refs.push(Ref { instr: ii, local: NONE });
                        }
                        LfClass::ForIter => {
                            pushes.push((ins.target, refs.len() + 1));
                            refs.push(Ref { instr: ii, local: NONE });
                        }
                        LfClass::LoadSpecial => {
                            // The owner stays on the stack as the method's `self`.
                            let selfr = pop(refs)?;
                            refs.push(Ref { instr: ii, local: NONE });
                            refs.push(selfr);
                        }
                        LfClass::LoadAttr | LfClass::LoadSuperAttr => {
                            let selfr = pop(refs)?;
                            if lf.class == LfClass::LoadSuperAttr {
                                pop(refs)?;
                                pop(refs)?;
                            }
                            refs.push(Ref { instr: ii, local: NONE });
                            if arg & 1 != 0 {
                                refs.push(selfr);
                            }
                        }
                        LfClass::Send => {
                            pushes.push((ins.target, refs.len()));
                            pop(refs)?;
                            refs.push(Ref { instr: ii, local: NONE });
                        }
                        LfClass::Generic => {
                            let popped = lf.pop.popped(arg).ok_or(CfgError::InvalidStackEffect { opcode: op, oparg: arg })?;
                            let pushed = popped + net;
                            if o.has_target(op) {
                                let d = refs.len() as i64 - popped + pushed;
                                // The jump's own effect on its target (block pushes: the handler
                                // depth) is what the stack depth pass recorded.
                                let d = if o.is_block_push(op) {
                                    let tj = o.stack_effect(op, arg, true).unwrap_or(0);
                                    refs.len() as i64 + tj
                                } else {
                                    d
                                };
                                pushes.push((ins.target, d.max(0) as usize));
                            }
                            if !o.is_block_push(op) {
                                for _ in 0..popped {
                                    pop(refs)?;
                                }
                                for _ in 0..pushed.max(0) {
                                    refs.push(Ref { instr: ii, local: NONE });
                                }
                            }
                        }
                    }
                }
            }
            // Fallthrough.
            if let Some(term) = instrs.last() {
                if next != NO_BLOCK && !(o.is_unconditional_jump(term.opcode) || o.is_scope_exit(term.opcode)) {
                    pushes.push((next, refs.len()));
                }
            } else if next != NO_BLOCK && o.release.features().load_fast_empty_falls_through {
                pushes.push((next, refs.len()));
            }
            for &(t, _depth) in pushes.iter() {
                let tb = self.blocks.get_mut(t as usize).ok_or(CfgError::Internal("dangling block id"))?;
                if !tb.visited {
                    tb.visited = true;
                    work.push(t);
                }
            }
            for r in refs.iter() {
                if let Some(f) = usize::try_from(r.instr).ok().and_then(|i| flags.get_mut(i)) {
                    *f |= REF_UNCONSUMED;
                }
            }
        }
        Ok(())
    }

    fn pseudo_name(&self, op: u16) -> &'static str {
        let o = &self.ops;
        if op == o.JUMP {
            "JUMP"
        } else if op == o.JUMP_NO_INTERRUPT {
            "JUMP_NO_INTERRUPT"
        } else if op == o.SETUP_FINALLY {
            "SETUP_FINALLY"
        } else if op == o.SETUP_CLEANUP {
            "SETUP_CLEANUP"
        } else if op == o.SETUP_WITH {
            "SETUP_WITH"
        } else if op == o.POP_BLOCK {
            "POP_BLOCK"
        } else {
            ""
        }
    }
}
