//! The passes of `_PyCfg_OptimizeCodeUnit` and the CFG half of assembly
//! (`prepare_localsplus`, `_PyCfg_Stackdepth`, `_PyCfg_ConvertPseudoOps`, `_PyCfg_ResolveJumps`,
//! `cfg_to_instr_sequence`).

use pycode_instr::{ConstId, ConstPool, Location};
use pycode_release::Release;

use crate::cfg::{BasicBlock, BlockId, Cfg, CfgInstr, NO_BLOCK, NO_STACK};
use crate::ops::{P_BLOCK_PUSH, P_DEREF, P_EXC_STACK, P_HAS_TARGET, P_PSEUDO, P_SCOPE_EXIT, P_TERMINATOR, P_UNCOND_JUMP};
use crate::{CfgError, Ops};

pub const CO_GENERATOR: u32 = 0x20;
pub const CO_COROUTINE: u32 = 0x80;
pub const CO_ASYNC_GENERATOR: u32 = 0x200;

/// `CO_MAXBLOCKS`
const CO_MAXBLOCKS: usize = 20;
/// `MAX_COPY_SIZE`
const MAX_COPY_SIZE: usize = 4;

/// `_PyCompile_ExceptHandlerInfo`
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExceptHandlerInfo {
    /// Index (in the output sequence) of the handler's first instruction; -1 for none.
    pub label: i64,
    pub startdepth: i32,
    pub preserve_lasti: bool,
}

/// One instruction of the final sequence (`instruction` after `cfg_to_instr_sequence`): jumps
/// carry resolved relative offsets in `oparg`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutInstr {
    pub opcode: u16,
    pub oparg: i32,
    pub loc: Location,
    pub handler: ExceptHandlerInfo,
}

/// What [`Cfg::translate_labels`] saw of the whole unit.
#[derive(Clone, Copy, Debug)]
struct UnitSummary {
    /// A terminator before the end of its block (`check_cfg` fails).
    malformed: bool,
    /// Some `SETUP_*`.
    block_push: bool,
    /// Some `POP_BLOCK` or `YIELD_VALUE`.
    exc_stack_op: bool,
    /// Some instruction with a target (a jump or `SETUP_*`).
    target: bool,
    /// Some instruction `fix_cell_offsets` renumbers.
    deref: bool,
    /// Some pseudo-op `_PyCfg_ConvertPseudoOps` rewrites.
    pseudo: bool,
}

/// One entry of the except stacks of `label_exception_targets`, shared as a tree.
#[derive(Clone, Copy, Debug)]
struct ExceptNode {
    /// The stack below this entry.
    parent: u32,
    /// This entry (the handler block; the bottom entry is `NULL`).
    handler: BlockId,
    /// Entries in the stack up to and including this one.
    len: u32,
}

/// The empty stack (what a block keeps after handing its stack to a jump target).
const EMPTY_STACK: u32 = 0;
/// The stack of the entry block: just the `NULL` handler.
const ROOT_STACK: u32 = 1;

/// `basicblock_nofallthrough` negated, on a block reference.
#[inline]
fn falls_through(ops: &crate::Ops, blk: &BasicBlock) -> bool {
    match blk.instrs.last() {
        Some(last) => !(ops.is_scope_exit(last.opcode) || ops.is_unconditional_jump(last.opcode)),
        None => true,
    }
}

impl Cfg {
    fn has_fallthrough(&self, b: BlockId) -> bool {
        match self.block(b).and_then(|x| x.last()) {
            Some(last) => !(self.ops.is_scope_exit(last.opcode) || self.ops.is_unconditional_jump(last.opcode)),
            None => true,
        }
    }

    fn exits_scope(&self, b: BlockId) -> bool {
        self.block(b).and_then(|x| x.last()).is_some_and(|l| self.ops.is_scope_exit(l.opcode))
    }

    /// `make_cfg_traversal_stack` (the visited reset part).
    #[inline(never)]
    fn reset_visited(&mut self) -> usize {
        let (order, order_gen) = self.take_order();
        for &b in &order {
            if let Some(x) = self.blocks.get_mut(b as usize) {
                x.visited = false;
            }
        }
        let n = order.len();
        self.put_order(order, order_gen);
        n
    }

    // ----- preprocessing -------------------------------------------------------------------

    /// `translate_jump_labels_to_targets`
    pub fn translate_jump_labels_to_targets(&mut self) -> Result<(), CfgError> {
        self.translate_labels(false).map(|_| ())
    }

    /// `translate_jump_labels_to_targets`, and with `mark_handlers` also `mark_except_handlers`
    /// and the test of `check_cfg`, in one walk over the instructions.
    #[inline(never)]
    fn translate_labels(&mut self, mark_handlers: bool) -> Result<UnitSummary, CfgError> {
        let (order, order_gen) = self.take_order();
        let max_label = order.iter().filter_map(|&b| self.block(b)).map(|b| b.label).max().unwrap_or(-1);
        let mut label2block = std::mem::take(&mut self.label2block);
        label2block.clear();
        label2block.resize(usize::try_from(max_label + 1).unwrap_or(0), NO_BLOCK);
        for &b in &order {
            let l = self.bb(b)?.label;
            if l >= 0 {
                if let Some(s) = label2block.get_mut(l as usize) {
                    *s = b;
                }
            }
        }
        let mut handlers = std::mem::take(&mut self.scratch);
        handlers.clear();
        let result = match self.prescan.take() {
            Some(seen) => self.translate_prescanned(seen, mark_handlers, &label2block, &mut handlers),
            None => self.translate_walk(&order, mark_handlers, &label2block, &mut handlers),
        };
        self.scratch = handlers;
        self.label2block = label2block;
        self.put_order(order, order_gen);
        if let Ok(summary) = result {
            self.may_have_block_push = summary.block_push || summary.malformed;
            self.may_have_jump = summary.target;
            self.may_have_deref = summary.deref;
            self.may_have_pseudo = summary.pseudo;
        }
        result
    }

    /// [`translate_labels`](Self::translate_labels) of a graph fresh from the builder, which
    /// noted the union of its instructions' property bits (`seen`) and where the instructions
    /// with a target are: only those are visited. (The builder ends a block after every
    /// terminator, so no terminator is before the end of its block.)
    fn translate_prescanned(
        &mut self,
        seen: u16,
        mark_handlers: bool,
        label2block: &[BlockId],
        handlers: &mut Vec<BlockId>,
    ) -> Result<UnitSummary, CfgError> {
        let targets = std::mem::take(&mut self.prescan_targets);
        let r = targets.iter().try_for_each(|&(b, i)| {
            let ops = &self.ops;
            let blk = self.blocks.get_mut(b as usize).ok_or(CfgError::Internal("block"))?;
            let ins = blk.instrs.get_mut(i as usize).ok_or(CfgError::Internal("prescanned target"))?;
            let t = usize::try_from(ins.oparg).ok().and_then(|l| label2block.get(l)).copied().unwrap_or(NO_BLOCK);
            if t == NO_BLOCK {
                return Err(CfgError::BadLabel(i64::from(ins.oparg)));
            }
            ins.target = t;
            if mark_handlers && ops.props(ins.opcode) & P_BLOCK_PUSH != 0 {
                handlers.push(t);
            }
            Ok(())
        });
        self.prescan_targets = targets;
        r?;
        for &t in handlers.iter() {
            self.bb_mut(t)?.except_handler = true;
        }
        Ok(UnitSummary {
            malformed: false,
            block_push: seen & P_BLOCK_PUSH != 0,
            exc_stack_op: seen & P_EXC_STACK != 0,
            target: seen & P_HAS_TARGET != 0,
            deref: seen & P_DEREF != 0,
            pseudo: seen & P_PSEUDO != 0,
        })
    }

    /// [`translate_labels`](Self::translate_labels)' walk over every instruction.
    fn translate_walk(
        &mut self,
        order: &[BlockId],
        mark_handlers: bool,
        label2block: &[BlockId],
        handlers: &mut Vec<BlockId>,
    ) -> Result<UnitSummary, CfgError> {
        let mut summary =
            UnitSummary { malformed: false, block_push: false, exc_stack_op: false, target: false, deref: false, pseudo: false };
        let result = (|| {
            for &b in order {
                let ops = &self.ops;
                let blk = self.blocks.get_mut(b as usize).ok_or(CfgError::Internal("block"))?;
                let n = blk.instrs.len();
                for (i, ins) in blk.instrs.iter_mut().enumerate() {
                    let p = ops.props(ins.opcode);
                    if p & (P_HAS_TARGET | P_TERMINATOR | P_EXC_STACK | P_DEREF | P_PSEUDO) == 0 {
                        continue;
                    }
                    summary.deref |= p & P_DEREF != 0;
                    summary.pseudo |= p & P_PSEUDO != 0;
                    if p & P_HAS_TARGET != 0 {
                        summary.target = true;
                        let t = usize::try_from(ins.oparg).ok().and_then(|l| label2block.get(l)).copied().unwrap_or(NO_BLOCK);
                        if t == NO_BLOCK {
                            return Err(CfgError::BadLabel(i64::from(ins.oparg)));
                        }
                        ins.target = t;
                        if p & P_BLOCK_PUSH != 0 {
                            summary.block_push = true;
                            if mark_handlers {
                                handlers.push(t);
                            }
                        }
                    }
                    if p & P_TERMINATOR != 0 && i + 1 != n {
                        summary.malformed = true;
                    }
                    if p & P_EXC_STACK != 0 {
                        summary.exc_stack_op = true;
                    }
                }
            }
            for &t in handlers.iter() {
                self.bb_mut(t)?.except_handler = true;
            }
            Ok(())
        })();
        result.map(|()| summary)
    }

    /// `mark_except_handlers`
    pub fn mark_except_handlers(&mut self) -> Result<(), CfgError> {
        let (order, order_gen) = self.take_order();
        let mut handlers = std::mem::take(&mut self.scratch);
        handlers.clear();
        for &b in &order {
            let blk = self.bb(b)?;
            handlers.extend(blk.instrs.iter().filter(|i| self.ops.is_block_push(i.opcode)).map(|i| i.target));
        }
        let result = handlers.iter().try_for_each(|&t| self.bb_mut(t).map(|x| x.except_handler = true));
        self.scratch = handlers;
        self.put_order(order, order_gen);
        result
    }

    /// `label_exception_targets`: sets `i_except` of every instruction, the handler blocks'
    /// `b_preserve_lasti`, and `YIELD_VALUE`'s oparg (3.12) / `RESUME`'s depth bit (3.13+).
    ///
    /// CPython copies the block's except stack (an array) to every successor. Here the stacks
    /// share one tree of `ExceptNode`s: a stack is the node of its top entry, a push adds a
    /// child node, a pop goes to the parent, and handing a stack to a successor copies one id.
    pub fn label_exception_targets(&mut self) -> Result<(), CfgError> {
        self.reset_visited();
        let mut todo = std::mem::take(&mut self.scratch);
        todo.clear();
        let mut nodes: Vec<ExceptNode> = Vec::with_capacity(8);
        nodes.push(ExceptNode { parent: EMPTY_STACK, handler: NO_BLOCK, len: 0 });
        nodes.push(ExceptNode { parent: EMPTY_STACK, handler: NO_BLOCK, len: 1 });
        let result = self.label_exception_targets_inner(&mut todo, &mut nodes);
        self.scratch = todo;
        result
    }

    fn label_exception_targets_inner(&mut self, todo: &mut Vec<BlockId>, nodes: &mut Vec<ExceptNode>) -> Result<(), CfgError> {
        let entry = self.entry;
        {
            let e = self.bb_mut(entry)?;
            e.visited = true;
            e.exceptstack = ROOT_STACK;
        }
        todo.push(entry);
        let ops = &self.ops;
        let blocks = &mut self.blocks;
        let yield_sets_oparg = ops.release.features().yield_value_except_depth;
        let resume_depth_bit = ops.release.features().resume_depth_bit;
        let depth1_mask = ops.release.features().resume_depth1_mask;
        let (setup_with, setup_cleanup, pop_block) = (ops.SETUP_WITH, ops.SETUP_CLEANUP, ops.POP_BLOCK);
        let pop_block_to_nop = ops.release.features().cfg_lines_first;
        let (yv, resume) = (ops.YIELD_VALUE, ops.RESUME);
        let node = |nodes: &Vec<ExceptNode>, id: u32| -> Result<ExceptNode, CfgError> {
            nodes.get(id as usize).copied().ok_or(CfgError::Internal("missing except stack"))
        };
        while let Some(b) = todo.pop() {
            let blk = blocks.get_mut(b as usize).ok_or(CfgError::Internal("dangling block id"))?;
            let mut cur = std::mem::replace(&mut blk.exceptstack, NO_STACK);
            let fallthrough = falls_through(ops, blk);
            let mut instrs = std::mem::take(&mut blk.instrs);
            let mut handler = node(nodes, cur)?.handler;
            let mut st_alive = true;
            let mut last_yield_except_depth: i64 = -1;
            let r = instrs.iter_mut().try_for_each(|x| {
                if ops.is_block_push(x.opcode) {
                    let t = x.target;
                    let tb = blocks.get_mut(t as usize).ok_or(CfgError::Internal("dangling block id"))?;
                    if !tb.visited {
                        tb.exceptstack = cur;
                        tb.visited = true;
                        todo.push(t);
                    }
                    // push_except_block
                    if x.opcode == setup_with || x.opcode == setup_cleanup {
                        tb.preserve_lasti = true;
                    }
                    let len = node(nodes, cur)?.len;
                    if len as usize > CO_MAXBLOCKS + 1 {
                        return Err(CfgError::ExceptStack);
                    }
                    nodes.push(ExceptNode { parent: cur, handler: t, len: len + 1 });
                    cur = (nodes.len() - 1) as u32;
                    handler = t;
                } else if x.opcode == pop_block {
                    let n = node(nodes, cur)?;
                    if n.len <= 1 {
                        return Err(CfgError::ExceptStack);
                    }
                    cur = n.parent;
                    handler = node(nodes, cur)?.handler;
                    if pop_block_to_nop {
                        // 3.13+: a NOP from here on, so the CFG passes may remove it.
                        x.opcode = ops.NOP;
                        x.oparg = 0;
                    }
                } else if ops.is_jump(x.opcode) {
                    x.except = handler;
                    let t = x.target;
                    let tb = blocks.get_mut(t as usize).ok_or(CfgError::Internal("dangling block id"))?;
                    if !tb.visited {
                        tb.exceptstack = cur;
                        if !fallthrough {
                            // CPython hands the array itself over; this block keeps an empty one.
                            st_alive = false;
                            cur = EMPTY_STACK;
                        }
                        tb.visited = true;
                        todo.push(t);
                    }
                } else {
                    let depth = i64::from(node(nodes, cur)?.len) - 1;
                    if x.opcode == yv {
                        if yield_sets_oparg {
                            x.oparg = depth as i32;
                        }
                        last_yield_except_depth = depth;
                    } else if x.opcode == resume && resume_depth_bit && x.oparg != 0 && !(depth1_mask == 8 && x.oparg == 4) {
                        // RESUME_OPARG_DEPTH1_MASK (3.13+)
                        if last_yield_except_depth == 1 {
                            x.oparg |= depth1_mask;
                        }
                        last_yield_except_depth = -1;
                    }
                    x.except = handler;
                }
                Ok(())
            });
            let blk = blocks.get_mut(b as usize).ok_or(CfgError::Internal("dangling block id"))?;
            blk.instrs = instrs;
            r?;
            let next = blk.next;
            if fallthrough && next != NO_BLOCK {
                let nb = blocks.get_mut(next as usize).ok_or(CfgError::Internal("dangling block id"))?;
                if !nb.visited {
                    if !st_alive {
                        return Err(CfgError::Internal("except stack consumed"));
                    }
                    nb.exceptstack = cur;
                    nb.visited = true;
                    todo.push(next);
                }
            }
        }
        Ok(())
    }

    // ----- optimisation --------------------------------------------------------------------

    /// `eliminate_empty_basic_blocks`
    pub fn eliminate_empty_basic_blocks(&mut self) -> Result<(), CfgError> {
        if self.ops.release.features().keep_empty_blocks {
            return Ok(());
        }
        // Every block of the chain (empty ones too, as in CPython) links to the first non-empty
        // block after it: one walk from the end.
        let (order, order_gen) = self.take_order();
        // Usually no block is empty: then no link changes, the entry stays, and no jump can
        // reach an empty block.
        if order.iter().all(|&b| self.blocks.get(b as usize).is_some_and(|x| !x.instrs.is_empty())) {
            self.put_order(order, order_gen);
            return Ok(());
        }
        let mut first_nonempty = NO_BLOCK;
        let mut changed = false;
        // Some jump to an empty block (usually none: then the walk below is not needed).
        let mut to_empty = false;
        for &b in order.iter().rev() {
            let blocks = &self.blocks;
            let ops = &self.ops;
            let instrs = &blocks.get(b as usize).ok_or(CfgError::Internal("dangling block id"))?.instrs;
            // (Its last instruction only, when that is the only one that can have a target.)
            let from = if self.may_have_block_push { 0 } else { instrs.len().saturating_sub(1) };
            to_empty |= self.may_have_jump
                && instrs
                    .get(from..)
                    .unwrap_or_default()
                    .iter()
                    .any(|ins| ops.has_target(ins.opcode) && blocks.get(ins.target as usize).is_none_or(|t| t.instrs.is_empty()));
            let blk = self.blocks.get_mut(b as usize).ok_or(CfgError::Internal("dangling block id"))?;
            if blk.next != first_nonempty {
                blk.next = first_nonempty;
                changed = true;
            }
            if !blk.instrs.is_empty() {
                first_nonempty = b;
            }
        }
        self.put_order(order, order_gen);
        if changed {
            self.layout_changed();
        }
        while self.entry != NO_BLOCK && self.bb(self.entry)?.instrs.is_empty() {
            self.set_entry(self.next_of(self.entry));
        }
        if self.entry == NO_BLOCK {
            return Err(CfgError::Internal("empty code unit"));
        }
        if !to_empty {
            return Ok(());
        }
        let (order, order_gen) = self.take_order();
        for &b in &order {
            // Usually no jump of the block targets an empty block: check that on the slice
            // (its last instruction only, when that is the only one that can have a target).
            let blocks = &self.blocks;
            let ops = &self.ops;
            let instrs = &self.bb(b)?.instrs;
            let from = if self.may_have_block_push { 0 } else { instrs.len().saturating_sub(1) };
            let retarget = instrs
                .get(from..)
                .unwrap_or_default()
                .iter()
                .any(|ins| ops.has_target(ins.opcode) && blocks.get(ins.target as usize).is_none_or(|t| t.instrs.is_empty()));
            if !retarget {
                continue;
            }
            let n = self.bb(b)?.instrs.len();
            for i in 0..n {
                let ins = self.bb(b)?.instrs[i];
                if self.ops.has_target(ins.opcode) {
                    let mut t = ins.target;
                    let mut guard = 0usize;
                    while self.bb(t)?.instrs.is_empty() {
                        t = self.next_of(t);
                        guard += 1;
                        if t == NO_BLOCK || guard > self.blocks.len() {
                            return Err(CfgError::Internal("jump past the end"));
                        }
                    }
                    self.bb_mut(b)?.instrs[i].target = t;
                }
            }
        }
        self.put_order(order, order_gen);
        Ok(())
    }

    /// `inline_small_exit_blocks`
    #[inline]
    fn inline_small_exit_blocks(&mut self, b: BlockId) -> Result<bool, CfgError> {
        match self.bb(b)?.last() {
            Some(l) if self.ops.is_unconditional_jump(l.opcode) => self.inline_exit_block_into(b, *l),
            _ => Ok(false),
        }
    }

    /// [`inline_small_exit_blocks`](Self::inline_small_exit_blocks) of a block ending with the
    /// unconditional jump `last`.
    #[inline(never)]
    fn inline_exit_block_into(&mut self, b: BlockId, last: CfgInstr) -> Result<bool, CfgError> {
        if self.exit_block_to_inline(last)? {
            let target = last.target;
            // At most MAX_COPY_SIZE instructions: copied through the stack, not the heap.
            let src = &self.bb(target)?.instrs;
            let n = src.len();
            let mut copy = [CfgInstr::new(0, 0, Location::NO_LOCATION); MAX_COPY_SIZE];
            copy[..n].copy_from_slice(src);
            let nop = self.ops.NOP;
            let blk = self.bb_mut(b)?;
            if let Some(l) = blk.instrs.last_mut() {
                l.opcode = nop;
                l.oparg = 0;
            }
            blk.instrs.extend_from_slice(&copy[..n]);
            return Ok(true);
        }
        Ok(false)
    }

    /// Whether `inline_small_exit_blocks` copies the target of `last`, the unconditional jump
    /// ending a block.
    #[inline]
    fn exit_block_to_inline(&self, last: CfgInstr) -> Result<bool, CfgError> {
        // 3.11's `extend_block` only follows JUMP / JUMP_FORWARD / JUMP_BACKWARD.
        if self.ops.release.features().assemble_3_11 && last.opcode == self.ops.JUMP_NO_INTERRUPT {
            return Ok(false);
        }
        let target = last.target;
        if !(self.exits_scope(target) && self.bb(target)?.instrs.len() <= MAX_COPY_SIZE) {
            return Ok(false);
        }
        // 3.11 copies only blocks without a line number (implicit `return None`s).
        Ok(!(self.ops.release.features().assemble_3_11 && self.bb(target)?.instrs.iter().any(|i| i.loc.lineno >= 0)))
    }

    /// Whether `inline_small_exit_blocks` would copy a block into any block now: when none, a
    /// walk of it over the blocks in any order changes nothing (copies only ever make a block
    /// end in a scope exit, which makes new candidates only through an earlier copy).
    fn any_exit_block_to_inline(&mut self) -> Result<bool, CfgError> {
        let (order, order_gen) = self.take_order();
        let mut found = Ok(false);
        for &b in &order {
            let Some(&last) = self.bb(b)?.last() else { continue };
            if self.ops.is_unconditional_jump(last.opcode) {
                found = self.exit_block_to_inline(last);
                if !matches!(found, Ok(false)) {
                    break;
                }
            }
        }
        self.put_order(order, order_gen);
        found
    }

    /// `remove_redundant_nops`; returns the number removed.
    ///
    /// 3.12.7 (unlike 3.12.1) does not let a function's `RESUME` make a following NOP on the
    /// same line redundant: in `def f(): pass` the NOP survives and hands its location to the
    /// implicit `return None` (measured: `def f(): pass; x = \<newline> 1` keeps the NOP in
    /// 3.12.7 and drops it in 3.12.1 and 3.13.0).
    #[inline]
    fn remove_redundant_nops(&mut self, b: BlockId) -> Result<usize, CfgError> {
        // Without a NOP nothing is removed (the loop below would copy every instruction onto
        // itself).
        let nop = self.ops.NOP;
        if !self.bb(b)?.instrs.iter().any(|i| i.opcode == nop) {
            return Ok(0);
        }
        self.remove_nops_in(b)
    }

    /// [`remove_redundant_nops`](Self::remove_redundant_nops) of a block with a NOP.
    #[inline(never)]
    fn remove_nops_in(&mut self, b: BlockId) -> Result<usize, CfgError> {
        let nop = self.ops.NOP;
        let resume_sets_prev = self.ops.release.features().resume_sets_prev_line;
        let resume = self.ops.RESUME;
        let track_ghost = self.ops.release.features().not_taken;
        // Line number of the first instruction of the next non-empty block.
        let mut next = self.next_of(b);
        while next != NO_BLOCK && self.bb(next)?.instrs.is_empty() {
            next = self.next_of(next);
        }
        let next_first_line = if next == NO_BLOCK {
            None
        } else if self.ops.release.features().cfg_lines_first {
            // 3.13+ skip the next block's line-less NOPs (they will be removed).
            Some(self.bb(next)?.instrs.iter().find(|i| !(i.opcode == nop && i.loc.lineno < 0)).map_or(-1, |i| i.loc.lineno))
        } else {
            self.bb(next)?.instrs.first().map(|i| i.loc.lineno)
        };
        let blk = self.bb_mut(b)?;
        let n = blk.instrs.len();
        let mut dest = 0usize;
        let mut prev_lineno = -1;
        for src in 0..n {
            let cur = blk.instrs[src];
            let lineno = cur.loc.lineno;
            if cur.opcode == nop {
                if lineno < 0 {
                    continue;
                }
                if prev_lineno == lineno {
                    continue;
                }
                if src + 1 < n {
                    let next_lineno = blk.instrs[src + 1].loc.lineno;
                    if next_lineno == lineno {
                        continue;
                    }
                    if next_lineno < 0 {
                        blk.instrs[src + 1].loc = cur.loc;
                        continue;
                    }
                } else if next_first_line == Some(lineno) {
                    continue;
                }
            }
            if dest != src {
                blk.instrs[dest] = blk.instrs[src];
            }
            dest += 1;
            if resume_sets_prev || cur.opcode != resume {
                prev_lineno = lineno;
            }
        }
        if track_ghost && dest < n {
            // The array as it is now (compacted front, old tail) over the first `n` slots, and
            // what was beyond `n` before: written over the old record in place.
            match blk.ghost.get_mut(..n) {
                Some(front) => front.copy_from_slice(&blk.instrs),
                None => {
                    blk.ghost.clear();
                    blk.ghost.extend_from_slice(&blk.instrs);
                }
            }
        }
        blk.instrs.truncate(dest);
        Ok(n - dest)
    }

    /// `remove_redundant_nops_and_pairs` (3.12+): `LOAD_CONST; POP_TOP` and `COPY 1; POP_TOP`
    /// become NOPs, across fallthrough edges into unlabelled blocks.
    #[inline(never)]
    fn remove_redundant_nops_and_pairs(&mut self) -> Result<(), CfgError> {
        let mut done = false;
        let (nop, pop_top, load_const, copy) = (self.ops.NOP, self.ops.POP_TOP, self.ops.LOAD_CONST, self.ops.COPY);
        // 3.14+: `LOAD_SMALL_INT; POP_TOP` too (the sentinel never matches before).
        let load_small_int = self.ops.LOAD_SMALL_INT;
        // 3.15: and `LOAD_COMMON_CONSTANT` of a value constant (`None`, `''`, `True`, `False`,
        // `-1`: index 7 on).
        let load_common = if self.ops.release.features().common_constant_singletons { self.ops.LOAD_COMMON_CONSTANT } else { u16::MAX };
        while !done {
            done = true;
            // The previous instruction: (block, index, opcode, oparg).
            let mut prev: Option<(BlockId, usize, u16, i32)> = None;
            let (order, order_gen) = self.take_order();
            let r = order.iter().try_for_each(|&b| {
                self.remove_redundant_nops(b)?;
                let ops = &self.ops;
                let blocks = &mut self.blocks;
                let blk = blocks.get_mut(b as usize).ok_or(CfgError::Internal("dangling block id"))?;
                if blk.label >= 0 {
                    prev = None;
                }
                let fallthrough = falls_through(ops, blk);
                // A pair whose first half ends an earlier block (only this block's first
                // instruction can complete one): that half is made a NOP after the walk.
                let mut earlier: Option<(BlockId, usize)> = None;
                let instrs = &mut blk.instrs;
                let loads = |op: u16, arg: i32| {
                    op == load_const || op == load_small_int || (op == copy && arg == 1) || (op == load_common && arg >= 7)
                };
                // A pair ends at a POP_TOP, and its first half is the instruction before as it
                // is now (made a NOP if it ended a pair itself), or for the first instruction
                // `prev`: only the POP_TOPs are looked at.
                for i in 0..instrs.len() {
                    if instrs.get(i).is_none_or(|x| x.opcode != pop_top) {
                        continue;
                    }
                    let first = match i.checked_sub(1) {
                        Some(pi) => instrs.get(pi).filter(|p| loads(p.opcode, p.oparg)).map(|_| (b, pi)),
                        None => prev.filter(|&(_, _, op, arg)| loads(op, arg)).map(|(pb, pi, _, _)| (pb, pi)),
                    };
                    let Some((pb, pi)) = first else { continue };
                    if pb == b {
                        if let Some(p) = instrs.get_mut(pi) {
                            set_op0(p, nop);
                        }
                    } else {
                        earlier = Some((pb, pi));
                    }
                    if let Some(c) = instrs.get_mut(i) {
                        set_op0(c, nop);
                    }
                    done = false;
                }
                if let Some(last) = instrs.last() {
                    prev = Some((b, instrs.len() - 1, last.opcode, last.oparg));
                }
                if let Some((pb, pi)) = earlier {
                    if let Some(p) = blocks.get_mut(pb as usize).and_then(|x| x.instrs.get_mut(pi)) {
                        set_op0(p, nop);
                    }
                }
                let last_is_jump = prev.is_some_and(|(_, _, op, _)| ops.is_jump(op));
                if last_is_jump || !fallthrough {
                    prev = None;
                }
                Ok(())
            });
            self.put_order(order, order_gen);
            r?;
        }
        Ok(())
    }

    /// `remove_redundant_jumps`
    #[inline(never)]
    fn remove_redundant_jumps(&mut self) -> Result<(), CfgError> {
        if !self.may_have_jump {
            // Only an unconditional jump is removed. (The empty-block error below cannot
            // happen without one either: every call follows eliminate_empty_basic_blocks or
            // a move of cold blocks, which needs a handler.)
            return Ok(());
        }
        let (order, order_gen) = self.take_order();
        let keep_empty = self.ops.release.features().keep_empty_blocks;
        for &b in &order {
            let mut next = self.next_of(b);
            let nop = self.ops.NOP;
            let is_uncond = |op| self.ops.is_unconditional_jump(op);
            let last = match self.bb(b)?.last() {
                Some(l) => *l,
                None if keep_empty => continue,
                None => return Err(CfgError::Internal("empty block in remove_redundant_jumps")),
            };
            if is_uncond(last.opcode) {
                if last.target == NO_BLOCK {
                    return Err(CfgError::Internal("jump with NULL target"));
                }
                let mut target = last.target;
                if keep_empty {
                    while next != NO_BLOCK && self.bb(next)?.instrs.is_empty() {
                        next = self.next_of(next);
                    }
                    while target != NO_BLOCK && self.bb(target)?.instrs.is_empty() {
                        target = self.next_of(target);
                    }
                }
                if target == next {
                    if let Some(l) = self.bb_mut(b)?.instrs.last_mut() {
                        l.opcode = nop;
                        l.oparg = 0;
                    }
                }
            }
        }
        self.put_order(order, order_gen);
        Ok(())
    }

    /// `mark_reachable`
    fn mark_reachable(&mut self) -> Result<(), CfgError> {
        self.reset_visited();
        self.mark_reachable_walk()
    }

    /// `mark_reachable` after the visited marks were reset.
    fn mark_reachable_walk(&mut self) -> Result<(), CfgError> {
        let mut stack = std::mem::take(&mut self.scratch);
        stack.clear();
        stack.push(self.entry);
        self.bb_mut(self.entry)?.predecessors = 1;
        let may_have_block_push = self.may_have_block_push;
        let may_have_jump = self.may_have_jump;
        // 3.11 pushes a block only when it has no predecessor yet, so a block reached twice
        // (a jump to the next block) is walked once; 3.12+ push every successor not yet
        // popped, and such a block's successors are counted twice.
        let push_once = self.ops.release.features().assemble_3_11;
        let ops = &self.ops;
        let blocks = &mut self.blocks;
        let r = (|| {
            while let Some(b) = stack.pop() {
                let blk = blocks.get_mut(b as usize).ok_or(CfgError::Internal("dangling block id"))?;
                blk.visited = true;
                let next = blk.next;
                if next != NO_BLOCK && falls_through(ops, blk) {
                    let nb = blocks.get_mut(next as usize).ok_or(CfgError::Internal("dangling block id"))?;
                    if if push_once { nb.predecessors == 0 } else { !nb.visited } {
                        stack.push(next);
                    }
                    nb.predecessors += 1;
                }
                let instrs = &blocks[b as usize].instrs;
                // Without block pushes only the last instruction can have a target (and without
                // jumps none).
                let from = if !may_have_jump {
                    instrs.len()
                } else if may_have_block_push {
                    0
                } else {
                    instrs.len().saturating_sub(1)
                };
                for i in from..instrs.len() {
                    let ins = blocks[b as usize].instrs[i];
                    if ops.has_target(ins.opcode) {
                        let t = ins.target;
                        let tb = blocks.get_mut(t as usize).ok_or(CfgError::Internal("dangling block id"))?;
                        if if push_once { tb.predecessors == 0 } else { !tb.visited } {
                            stack.push(t);
                        }
                        tb.predecessors += 1;
                    }
                }
            }
            Ok(())
        })();
        self.scratch = stack;
        r
    }

    /// `optimize_basic_block`
    #[inline(never)]
    fn optimize_basic_block(&mut self, b: BlockId, consts: &mut Vec<ConstId>, pool: &mut ConstPool) -> Result<(), CfgError> {
        // The block's instructions are worked on outside the block: jump targets' first
        // instructions are read from the other blocks (or from here, for a jump to itself).
        let mut instrs = std::mem::take(&mut self.bb_mut(b)?.instrs);
        let r = if self.ops.release.features().const_folding == pycode_release::ConstFolding::Cfg {
            crate::peephole314::optimize_instrs(&self.ops, &self.blocks, b, &mut instrs, consts, pool)
        } else {
            crate::peephole::optimize_instrs(&self.ops, &self.blocks, b, &mut instrs, consts, pool)
        };
        if let Some(blk) = self.blocks.get_mut(b as usize) {
            blk.instrs = instrs;
        }
        r
    }

    /// `optimize_cfg`. `malformed` is `check_cfg`'s verdict, found earlier by
    /// [`translate_labels`](Self::translate_labels) (no pass in between changes an opcode).
    #[inline(never)]
    fn optimize_cfg(&mut self, consts: &mut Vec<ConstId>, pool: &mut ConstPool, malformed: bool) -> Result<(), CfgError> {
        if malformed {
            return Err(CfgError::Malformed);
        }
        self.eliminate_empty_basic_blocks()?;
        // (Inlining copies the target of an unconditional jump: nothing without jumps.)
        if self.may_have_jump {
            let (order, order_gen) = self.take_order();
            for &b in &order {
                self.inline_small_exit_blocks(b)?;
            }
            self.put_order(order, order_gen);
        }
        let (order, order_gen) = self.take_order();
        for &b in &order {
            self.optimize_basic_block(b, consts, pool)?;
        }
        self.put_order(order, order_gen);
        self.remove_redundant_nops_and_pairs()?;
        if self.may_have_jump {
            let (order, order_gen) = self.take_order();
            for &b in &order {
                self.inline_small_exit_blocks(b)?;
            }
            self.put_order(order, order_gen);
        }
        self.mark_reachable()?;
        let (order, order_gen) = self.take_order();
        for &b in &order {
            let blk = self.bb_mut(b)?;
            if blk.predecessors == 0 {
                blk.instrs.clear();
            }
        }
        self.put_order(order, order_gen);
        let (order, order_gen) = self.take_order();
        for &b in &order {
            self.remove_redundant_nops(b)?;
        }
        self.put_order(order, order_gen);
        self.eliminate_empty_basic_blocks()?;
        self.remove_redundant_jumps()?;
        Ok(())
    }

    /// `optimize_cfg` of 3.13+: small or line-less exit blocks are inlined once (until no
    /// change) before the peepholes, line numbers are resolved before them too, and NOPs and
    /// redundant jumps are removed until neither changes.
    #[inline(never)]
    fn optimize_cfg_lines_first(
        &mut self,
        consts: &mut Vec<ConstId>,
        pool: &mut ConstPool,
        malformed: bool,
        firstlineno: i32,
    ) -> Result<(), CfgError> {
        if malformed {
            return Err(CfgError::Malformed);
        }
        self.eliminate_empty_basic_blocks()?;
        while self.may_have_jump {
            let mut changed = false;
            let (order, order_gen) = self.take_order();
            let r = order.iter().try_for_each(|&b| {
                if self.inline_small_or_no_lineno_block(b)? {
                    changed = true;
                }
                Ok(())
            });
            self.put_order(order, order_gen);
            r?;
            if !changed {
                break;
            }
        }
        self.remove_unreachable()?;
        self.eliminate_empty_basic_blocks()?;
        self.resolve_line_numbers(firstlineno)?;
        let (order, order_gen) = self.take_order();
        if self.ops.release.features().load_small_int {
            // 3.14 `optimize_load_const`, over every block before the block peepholes.
            for &b in &order {
                let blk = self.blocks.get_mut(b as usize).ok_or(CfgError::Internal("dangling block id"))?;
                crate::peephole314::optimize_load_const(&self.ops, &mut blk.instrs, consts, pool)?;
            }
        }
        for &b in &order {
            self.optimize_basic_block(b, consts, pool)?;
        }
        self.put_order(order, order_gen);
        self.remove_redundant_nops_and_pairs()?;
        self.remove_unreachable()?;
        self.eliminate_empty_basic_blocks()?;
        self.remove_redundant_nops_and_jumps()
    }

    /// `remove_redundant_nops_and_jumps` (3.13+): NOPs and jumps to the next block removed
    /// until neither changes.
    fn remove_redundant_nops_and_jumps(&mut self) -> Result<(), CfgError> {
        loop {
            let mut removed = 0;
            let (order, order_gen) = self.take_order();
            for &b in &order {
                removed += self.remove_redundant_nops(b)?;
            }
            self.put_order(order, order_gen);
            self.eliminate_empty_basic_blocks()?;
            removed += self.remove_redundant_jumps_counted()?;
            if removed == 0 {
                break;
            }
        }
        Ok(())
    }

    /// `basicblock_inline_small_or_no_lineno_blocks` (3.13+).
    fn inline_small_or_no_lineno_block(&mut self, b: BlockId) -> Result<bool, CfgError> {
        let last = match self.bb(b)?.last() {
            Some(l) => *l,
            None => return Ok(false),
        };
        if !self.ops.is_unconditional_jump(last.opcode) {
            return Ok(false);
        }
        let target = last.target;
        let tb = self.bb(target)?;
        let small_exit = self.exits_scope(target) && tb.instrs.len() <= MAX_COPY_SIZE;
        let no_lineno_no_fallthrough = tb.instrs.iter().all(|i| i.loc.lineno < 0) && !self.has_fallthrough(target);
        if !(small_exit || no_lineno_no_fallthrough) {
            return Ok(false);
        }
        let nop = self.ops.NOP;
        if let Some(l) = self.bb_mut(b)?.instrs.last_mut() {
            l.opcode = nop;
            l.oparg = 0;
        }
        let copy = self.bb(target)?.instrs.clone();
        let jump = self.ops.JUMP;
        let is_uncond = |op| self.ops.is_unconditional_jump(op);
        let fix_jump = no_lineno_no_fallthrough && last.opcode == jump && copy.last().is_some_and(|l| is_uncond(l.opcode));
        let blk = self.bb_mut(b)?;
        blk.instrs.extend_from_slice(&copy);
        if fix_jump {
            // Keep the eval-breaker check of the removed JUMP.
            if let Some(l) = blk.instrs.last_mut() {
                l.opcode = jump;
            }
        }
        Ok(true)
    }

    /// `remove_unreachable` (3.13+): predecessors recounted from the entry, unreachable blocks
    /// emptied.
    #[inline(never)]
    fn remove_unreachable(&mut self) -> Result<(), CfgError> {
        // The predecessor counts and the visited marks reset in one walk.
        let (order, order_gen) = self.take_order();
        for &b in &order {
            if let Some(x) = self.blocks.get_mut(b as usize) {
                x.predecessors = 0;
                x.visited = false;
            }
        }
        self.put_order(order, order_gen);
        self.mark_reachable_walk()?;
        let (order, order_gen) = self.take_order();
        for &b in &order {
            let blk = self.bb_mut(b)?;
            if blk.predecessors == 0 {
                blk.instrs.clear();
                blk.except_handler = false;
            }
        }
        self.put_order(order, order_gen);
        Ok(())
    }

    /// `remove_redundant_jumps` returning the number of jumps removed.
    fn remove_redundant_jumps_counted(&mut self) -> Result<usize, CfgError> {
        if !self.may_have_jump {
            return Ok(0);
        }
        let keep_empty = self.ops.release.features().keep_empty_blocks;
        let (order, order_gen) = self.take_order();
        let mut n = 0;
        let r = order.iter().try_for_each(|&b| {
            let Some(last) = self.bb(b)?.last().copied() else { return Ok(()) };
            // (Only an unconditional jump is removed: the other blocks need no walk to their
            // non-empty successors.)
            if !self.ops.is_unconditional_jump(last.opcode) {
                return Ok(());
            }
            let mut next = self.next_of(b);
            let mut target = last.target;
            if keep_empty {
                // `next_nonempty_block` on both sides.
                while next != NO_BLOCK && self.bb(next)?.instrs.is_empty() {
                    next = self.next_of(next);
                }
                while target != NO_BLOCK && self.bb(target)?.instrs.is_empty() {
                    target = self.next_of(target);
                }
            }
            if target == next {
                let nop = self.ops.NOP;
                if let Some(l) = self.bb_mut(b)?.instrs.last_mut() {
                    l.opcode = nop;
                    l.oparg = 0;
                }
                n += 1;
            }
            Ok(())
        });
        self.put_order(order, order_gen);
        r?;
        Ok(n)
    }

    /// `remove_unused_consts`: the first constant is always kept (it may be the docstring).
    #[inline(never)]
    pub fn remove_unused_consts(&mut self, consts: &mut Vec<ConstId>) -> Result<(), CfgError> {
        let nconsts = consts.len();
        if nconsts == 0 {
            return Ok(());
        }
        // One reused vector: -1 for an unused constant, then each used one's new index.
        let mut map = std::mem::take(&mut self.const_scratch);
        map.clear();
        map.resize(nconsts, -1);
        if let Some(first) = map.first_mut() {
            *first = 0;
        }
        let (order, order_gen) = self.take_order();
        let r = self.remove_unused_consts_with(consts, &order, &mut map);
        self.put_order(order, order_gen);
        self.const_scratch = map;
        r
    }

    /// [`remove_unused_consts`](Self::remove_unused_consts) over the blocks of `order`, with
    /// `map` holding -1 for every constant but the first.
    fn remove_unused_consts_with(&mut self, consts: &mut Vec<ConstId>, order: &[BlockId], map: &mut [i32]) -> Result<(), CfgError> {
        let mut nused = 1usize;
        for &b in order {
            for ins in &self.bb(b)?.instrs {
                if self.ops.has_const(ins.opcode) {
                    match usize::try_from(ins.oparg).ok().and_then(|o| map.get_mut(o)) {
                        Some(u) => {
                            if *u < 0 {
                                *u = 0;
                                nused += 1;
                            }
                        }
                        None => return Err(CfgError::BadOparg { opcode: ins.opcode, oparg: ins.oparg }),
                    }
                }
            }
        }
        if nused == map.len() {
            return Ok(());
        }
        let mut kept = 0i32;
        for m in map.iter_mut() {
            if *m == 0 {
                *m = kept;
                kept += 1;
            }
        }
        let mut i = 0usize;
        consts.retain(|_| {
            let keep = map.get(i).is_some_and(|&m| m >= 0);
            i += 1;
            keep
        });
        for &b in order {
            let ops = &self.ops;
            let blk = self.blocks.get_mut(b as usize).ok_or(CfgError::Internal("block"))?;
            for ins in blk.instrs.iter_mut() {
                if ops.has_const(ins.opcode) {
                    ins.oparg = usize::try_from(ins.oparg).ok().and_then(|o| map.get(o)).copied().unwrap_or(-1);
                }
            }
        }
        Ok(())
    }

    /// `scan_block_for_locals`
    fn scan_block_for_locals(&mut self, b: BlockId, stack: &mut Vec<BlockId>) -> Result<(), CfgError> {
        let ops = &self.ops;
        let (df, lfac, sfmn, sf, lfc, lf) =
            (ops.DELETE_FAST, ops.LOAD_FAST_AND_CLEAR, ops.STORE_FAST_MAYBE_NULL, ops.STORE_FAST, ops.LOAD_FAST_CHECK, ops.LOAD_FAST);
        let blocks = &mut self.blocks;
        let blk = blocks.get_mut(b as usize).ok_or(CfgError::Internal("dangling block id"))?;
        let mut unsafe_mask = blk.unsafe_locals_mask;
        let fallthrough = falls_through(ops, blk);
        let next = blk.next;
        // The handler pushes touch other blocks (or this one's mask): the instructions are
        // taken out meanwhile.
        let mut instrs = std::mem::take(&mut blk.instrs);
        // `maybe_push` only ORs bits in, so repeating the last (handler, mask) is a no-op.
        let (mut last_except, mut last_mask) = (NO_BLOCK, 0u64);
        let r = instrs.iter_mut().try_for_each(|ins| {
            if ins.except != NO_BLOCK && (ins.except != last_except || unsafe_mask != last_mask) {
                maybe_push(blocks, ins.except, unsafe_mask, stack)?;
                (last_except, last_mask) = (ins.except, unsafe_mask);
            }
            if !ops.is_fast_local(ins.opcode) || !(0..64).contains(&ins.oparg) {
                return Ok(());
            }
            let bit = 1u64 << ins.oparg;
            if ins.opcode == df || ins.opcode == lfac || ins.opcode == sfmn {
                unsafe_mask |= bit;
            } else if ins.opcode == sf || ins.opcode == lfc {
                unsafe_mask &= !bit;
            } else if ins.opcode == lf {
                if unsafe_mask & bit != 0 {
                    ins.opcode = lfc;
                }
                unsafe_mask &= !bit;
            }
            Ok(())
        });
        let last = instrs.last().copied();
        if let Some(blk) = blocks.get_mut(b as usize) {
            blk.instrs = instrs;
        }
        r?;
        if next != NO_BLOCK && fallthrough {
            maybe_push(blocks, next, unsafe_mask, stack)?;
        }
        if let Some(last) = last {
            if ops.is_jump(last.opcode) {
                maybe_push(blocks, last.target, unsafe_mask, stack)?;
            }
        }
        Ok(())
    }

    /// `fast_scan_many_locals`
    #[inline(never)]
    fn fast_scan_many_locals(&mut self, nlocals: usize) -> Result<(), CfgError> {
        let mut states = vec![0usize; nlocals.saturating_sub(64)];
        let mut blocknum = 0usize;
        let o = self.ops.clone();
        let (order, order_gen) = self.take_order();
        for &b in &order {
            blocknum += 1;
            let blk = self.bb_mut(b)?;
            for ins in blk.instrs.iter_mut() {
                let arg = ins.oparg;
                if arg < 64 {
                    continue;
                }
                let Some(st) = states.get_mut(arg as usize - 64) else { continue };
                if ins.opcode == o.DELETE_FAST || ins.opcode == o.LOAD_FAST_AND_CLEAR || ins.opcode == o.STORE_FAST_MAYBE_NULL {
                    *st = blocknum - 1;
                } else if ins.opcode == o.STORE_FAST {
                    *st = blocknum;
                } else if ins.opcode == o.LOAD_FAST {
                    if *st != blocknum {
                        ins.opcode = o.LOAD_FAST_CHECK;
                    }
                    *st = blocknum;
                }
            }
        }
        self.put_order(order, order_gen);
        Ok(())
    }

    /// Whether some instruction makes one of the first 64 locals possibly unbound
    /// (`DELETE_FAST`, `LOAD_FAST_AND_CLEAR`, `STORE_FAST_MAYBE_NULL`). Every block is looked
    /// at, laid out or not: a yes only means the full pass runs.
    fn may_make_local_unsafe(&self) -> bool {
        let ops = &self.ops;
        let (df, lfac, sfmn) = (ops.DELETE_FAST, ops.LOAD_FAST_AND_CLEAR, ops.STORE_FAST_MAYBE_NULL);
        self.blocks
            .iter()
            .flat_map(|blk| blk.instrs.iter())
            .any(|i| (i.opcode == df || i.opcode == lfac || i.opcode == sfmn) && (0..64).contains(&i.oparg))
    }

    /// `add_checks_for_loads_of_uninitialized_variables`
    pub fn add_checks_for_loads_of_uninitialized_variables(&mut self, nlocals: usize, nparams: usize) -> Result<(), CfgError> {
        if nlocals == 0 {
            return Ok(());
        }
        let mut nlocals = nlocals;
        if nlocals > 64 {
            self.fast_scan_many_locals(nlocals)?;
            nlocals = 64;
        }
        let mut start_mask = 0u64;
        for i in nparams..nlocals {
            start_mask |= 1u64 << i;
        }
        if start_mask == 0 && !self.may_make_local_unsafe() {
            // Every local starts bound and no instruction unbinds one: no load changes.
            return Ok(());
        }
        self.reset_visited();
        let mut stack = std::mem::take(&mut self.scratch);
        stack.clear();
        // A block popped with the mask it was last scanned with is not scanned again: that
        // scan would find the same loads (those it changed now clear the same bit) and OR the
        // same masks into its successors, which hold them already (masks only grow). Blocks
        // pushed before their turn in the layout walk are the usual case.
        let mut scanned = std::mem::take(&mut self.scanned_masks);
        scanned.clear();
        scanned.resize(self.blocks.len(), None);
        let (order, order_gen) = self.take_order();
        let r = (|| {
            maybe_push(&mut self.blocks, self.entry, start_mask, &mut stack)?;
            for &b in &order {
                let m = self.bb(b)?.unsafe_locals_mask;
                self.scan_block_for_locals(b, &mut stack)?;
                if let Some(s) = scanned.get_mut(b as usize) {
                    *s = Some(m);
                }
            }
            while let Some(b) = stack.pop() {
                let blk = self.bb_mut(b)?;
                blk.visited = false;
                let m = blk.unsafe_locals_mask;
                if scanned.get(b as usize) == Some(&Some(m)) {
                    continue;
                }
                self.scan_block_for_locals(b, &mut stack)?;
                if let Some(s) = scanned.get_mut(b as usize) {
                    *s = Some(m);
                }
            }
            Ok(())
        })();
        self.put_order(order, order_gen);
        self.scratch = stack;
        self.scanned_masks = scanned;
        r
    }

    /// `insert_superinstructions` (3.13+)
    fn insert_superinstructions(&mut self) -> Result<(), CfgError> {
        // The superinstructions from the resolved table (a sentinel for one the release lacks
        // stands for none), not looked up by name per unit.
        let real = |op: u16| (op < crate::ops::ABSENT_BASE).then_some(op);
        let (lflf, sflf, sfsf) =
            (real(self.ops.LOAD_FAST_LOAD_FAST), real(self.ops.STORE_FAST_LOAD_FAST), real(self.ops.STORE_FAST_STORE_FAST));
        let (lf, sf, nop) = (self.ops.LOAD_FAST, self.ops.STORE_FAST, self.ops.NOP);
        let (order, order_gen) = self.take_order();
        for &b in &order {
            let blk = self.bb_mut(b)?;
            let n = blk.instrs.len();
            for i in 0..n.saturating_sub(1) {
                // Only a LOAD_FAST or STORE_FAST starts a pair: the next instruction is read
                // for those alone.
                let Some(&a) = blk.instrs.get(i) else { break };
                if a.opcode != lf && a.opcode != sf {
                    continue;
                }
                let Some(&c) = blk.instrs.get(i + 1) else { break };
                let sup = if a.opcode == lf && c.opcode == lf {
                    lflf
                } else if a.opcode == sf && c.opcode == lf {
                    sflf
                } else if a.opcode == sf && c.opcode == sf {
                    sfsf
                } else {
                    None
                };
                if let Some(sup) = sup {
                    if a.loc.lineno != c.loc.lineno || a.oparg >= 16 || c.oparg >= 16 {
                        continue;
                    }
                    blk.instrs[i].opcode = sup;
                    blk.instrs[i].oparg = (a.oparg << 4) | c.oparg;
                    set_op0(&mut blk.instrs[i + 1], nop);
                }
            }
        }
        self.put_order(order, order_gen);
        let (order, order_gen) = self.take_order();
        for &b in &order {
            self.remove_redundant_nops(b)?;
        }
        self.put_order(order, order_gen);
        self.eliminate_empty_basic_blocks()
    }

    /// `mark_warm`
    #[inline(never)]
    fn mark_warm(&mut self) -> Result<(), CfgError> {
        self.reset_visited();
        let mut stack = std::mem::take(&mut self.scratch);
        stack.clear();
        stack.push(self.entry);
        self.bb_mut(self.entry)?.visited = true;
        let ops = &self.ops;
        let blocks = &mut self.blocks;
        let r = (|| {
            while let Some(b) = stack.pop() {
                let blk = blocks.get_mut(b as usize).ok_or(CfgError::Internal("dangling block id"))?;
                blk.warm = true;
                let next = blk.next;
                if next != NO_BLOCK && falls_through(ops, blk) {
                    let nb = blocks.get_mut(next as usize).ok_or(CfgError::Internal("dangling block id"))?;
                    if !nb.visited {
                        stack.push(next);
                        nb.visited = true;
                    }
                }
                // The targets' marks are set while reading this block's instructions: they are
                // taken out meanwhile (a jump to the block itself only reads its mark).
                let instrs = std::mem::take(&mut blocks.get_mut(b as usize).ok_or(CfgError::Internal("dangling block id"))?.instrs);
                let r = instrs.iter().try_for_each(|ins| {
                    if ops.is_jump(ins.opcode) {
                        let tb = blocks.get_mut(ins.target as usize).ok_or(CfgError::Internal("dangling block id"))?;
                        if !tb.visited {
                            stack.push(ins.target);
                            tb.visited = true;
                        }
                    }
                    Ok(())
                });
                if let Some(blk) = blocks.get_mut(b as usize) {
                    blk.instrs = instrs;
                }
                r?;
            }
            Ok(())
        })();
        self.scratch = stack;
        r
    }

    /// `mark_cold`
    #[inline(never)]
    fn mark_cold(&mut self) -> Result<(), CfgError> {
        self.mark_warm()?;
        self.reset_visited();
        let mut stack = std::mem::take(&mut self.scratch);
        stack.clear();
        let (order, order_gen) = self.take_order();
        for &b in &order {
            if let Some(blk) = self.blocks.get_mut(b as usize) {
                if blk.except_handler {
                    stack.push(b);
                    blk.visited = true;
                }
            }
        }
        self.put_order(order, order_gen);
        let ops = &self.ops;
        let blocks = &mut self.blocks;
        let r = (|| {
            while let Some(b) = stack.pop() {
                let blk = blocks.get_mut(b as usize).ok_or(CfgError::Internal("dangling block id"))?;
                blk.cold = true;
                let next = blk.next;
                if next != NO_BLOCK && falls_through(ops, blk) {
                    let nb = blocks.get_mut(next as usize).ok_or(CfgError::Internal("dangling block id"))?;
                    if !nb.warm && !nb.visited {
                        stack.push(next);
                        nb.visited = true;
                    }
                }
                let instrs = std::mem::take(&mut blocks.get_mut(b as usize).ok_or(CfgError::Internal("dangling block id"))?.instrs);
                let r = instrs.iter().try_for_each(|ins| {
                    if ops.is_jump(ins.opcode) {
                        let t = blocks.get_mut(ins.target as usize).ok_or(CfgError::Internal("dangling block id"))?;
                        if !t.warm && !t.visited {
                            stack.push(ins.target);
                            t.visited = true;
                        }
                    }
                    Ok(())
                });
                if let Some(blk) = blocks.get_mut(b as usize) {
                    blk.instrs = instrs;
                }
                r?;
            }
            Ok(())
        })();
        self.scratch = stack;
        r
    }

    /// `push_cold_blocks_to_end`
    #[inline(never)]
    fn push_cold_blocks_to_end(&mut self) -> Result<(), CfgError> {
        if self.next_of(self.entry) == NO_BLOCK {
            return Ok(());
        }
        // Only exception handlers and what only they reach are cold: without a handler in the
        // chain nothing moves (and `warm`/`cold` are read by no other pass).
        let (order, order_gen) = self.take_order();
        let any_handler = order.iter().any(|&b| self.block(b).is_some_and(|x| x.except_handler));
        self.put_order(order, order_gen);
        if !any_handler {
            return Ok(());
        }
        self.mark_cold()?;
        let (order, order_gen) = self.take_order();
        for &b in &order {
            let next = self.next_of(b);
            if self.bb(b)?.cold && self.has_fallthrough(b) && next != NO_BLOCK && self.bb(next)?.warm {
                let j = self.new_block();
                let label = self.bb(next)?.label;
                let cold_jump_no_interrupt = self.ops.release.features().cold_jump_no_interrupt;
                let jump = if cold_jump_no_interrupt { self.ops.JUMP_NO_INTERRUPT } else { self.ops.JUMP };
                let nb = self.bb_mut(j)?;
                let mut ins = CfgInstr::new(jump, label as i32, Location::NO_LOCATION);
                ins.target = next;
                nb.instrs.push(ins);
                nb.cold = true;
                if cold_jump_no_interrupt {
                    // 3.13 counts the fallthrough, so line numbers propagate into it.
                    nb.predecessors = 1;
                }
                self.set_next(j, next)?;
                self.set_next(b, j)?;
            }
        }
        self.put_order(order, order_gen);
        if self.bb(self.entry)?.cold {
            return Err(CfgError::Internal("entry block is cold"));
        }
        let mut cold_head = NO_BLOCK;
        let mut cold_tail = NO_BLOCK;
        let mut b = self.entry;
        let mut guard = 0usize;
        while self.next_of(b) != NO_BLOCK {
            guard += 1;
            if guard > 2 * self.blocks.len() + 2 {
                return Err(CfgError::Internal("cycle in block list"));
            }
            while self.next_of(b) != NO_BLOCK && !self.bb(self.next_of(b))?.cold {
                b = self.next_of(b);
            }
            let start = self.next_of(b);
            if start == NO_BLOCK {
                break;
            }
            let mut end = start;
            while self.next_of(end) != NO_BLOCK && self.bb(self.next_of(end))?.cold {
                end = self.next_of(end);
            }
            if cold_head == NO_BLOCK {
                cold_head = start;
            } else {
                self.set_next(cold_tail, start)?;
            }
            cold_tail = end;
            let after = self.next_of(end);
            self.set_next(b, after)?;
            self.set_next(end, NO_BLOCK)?;
        }
        self.set_next(b, cold_head)?;
        if cold_head != NO_BLOCK {
            if self.ops.release.features().cold_push_removes_nops {
                self.remove_redundant_nops_and_jumps()?;
            } else {
                self.remove_redundant_jumps()?;
            }
        }
        Ok(())
    }

    /// `is_exit_without_lineno` (3.12) / `is_exit_or_eval_check_without_lineno` (3.13+: also a
    /// block with an instruction that checks the eval breaker, such as the loop's `JUMP`).
    fn is_exit_without_lineno(&self, b: BlockId) -> bool {
        let Some(blk) = self.block(b) else { return false };
        // (The line test first: it usually fails on the first instruction, where the eval
        // breaker test would walk the whole block.)
        if !blk.instrs.iter().all(|i| i.loc.lineno < 0) {
            return false;
        }
        self.exits_scope(b)
            || (self.ops.release.features().duplicate_eval_checks && blk.instrs.iter().any(|i| self.ops.has_eval_break(i.opcode)))
    }

    /// 3.11's `b_list`: the blocks in layout, newest allocated first (stable: later layout
    /// first among equals).
    fn b_list_3_11(&self) -> Vec<BlockId> {
        let mut v = self.order();
        v.reverse();
        v.sort_by_key(|&b| std::cmp::Reverse(self.block(b).map_or(0, |x| x.alloc)));
        v
    }

    /// Whether the first walk of `duplicate_exits_without_lineno` would copy an exit block for
    /// some block now (its test, on every block in layout order); when none, no copy is made
    /// in any order, since nothing else changes.
    fn any_exit_to_duplicate(&mut self, keep_empty: bool) -> Result<bool, CfgError> {
        let (order, order_gen) = self.take_order();
        let mut found = false;
        for &b in &order {
            let last = match self.bb(b)?.last() {
                Some(&l) => l,
                None if keep_empty => continue,
                // The walk's own error.
                None => return Err(CfgError::Internal("empty block")),
            };
            if self.exit_to_duplicate(last, keep_empty)?.is_some() {
                found = true;
                break;
            }
        }
        self.put_order(order, order_gen);
        Ok(found)
    }

    /// The exit block `duplicate_exits_without_lineno` copies for a block ending in `last`: the
    /// jump's target (past empty blocks where they are kept) when it is an exit without a line
    /// number that more than one block reaches.
    fn exit_to_duplicate(&self, last: CfgInstr, keep_empty: bool) -> Result<Option<BlockId>, CfgError> {
        if !self.ops.is_jump(last.opcode) {
            return Ok(None);
        }
        let mut target = last.target;
        if keep_empty {
            while target != NO_BLOCK && self.bb(target)?.instrs.is_empty() {
                target = self.next_of(target);
            }
        }
        Ok((self.is_exit_without_lineno(target) && self.bb(target)?.predecessors > 1).then_some(target))
    }

    /// `duplicate_exits_without_lineno`
    #[inline(never)]
    fn duplicate_exits_without_lineno(&mut self) -> Result<(), CfgError> {
        // The label of the next copy: one past the highest, found when the first copy is made.
        let mut next_lbl: Option<i64> = None;
        // 3.11 walks `b_list`, newest block first (`BasicBlock::alloc`); 3.12+ the layout.
        // When no block is to be copied, the walk changes nothing in any order: 3.11 then skips it
        // (and the sort behind `b_list`).
        let keep_empty = self.ops.release.features().keep_empty_blocks;
        // Only a jump's target is copied: without jumps the first walk is skipped (an empty
        // list).
        let reverse: Option<Vec<BlockId>> = if !self.may_have_jump {
            Some(Vec::new())
        } else if !self.ops.release.features().assemble_3_11 {
            None
        } else if self.any_exit_to_duplicate(keep_empty)? {
            Some(self.b_list_3_11())
        } else {
            Some(Vec::new())
        };
        let mut k = 0usize;
        let mut b = match &reverse {
            Some(v) => v.first().copied().unwrap_or(NO_BLOCK),
            None => self.entry,
        };
        while b != NO_BLOCK {
            let last = match self.bb(b)?.last() {
                Some(&l) => Some(l),
                // an empty block kept on 3.12+ ends in no jump
                None if keep_empty => None,
                None => return Err(CfgError::Internal("empty block")),
            };
            let found = match last {
                Some(l) => self.exit_to_duplicate(l, keep_empty)?.map(|t| (l, t)),
                None => None,
            };
            if let Some((last, target)) = found {
                let lbl = match next_lbl {
                    Some(l) => l,
                    None => {
                        let (order, order_gen) = self.take_order();
                        let l = order.iter().filter_map(|&b| self.block(b)).map(|b| b.label).max().unwrap_or(-1) + 1;
                        self.put_order(order, order_gen);
                        l
                    }
                };
                let nt = self.new_block();
                let mut instrs = self.bb(target)?.instrs.clone();
                if let Some(f) = instrs.first_mut() {
                    f.loc = last.loc;
                }
                let tnext = self.next_of(target);
                {
                    let n = self.bb_mut(nt)?;
                    n.instrs = instrs;
                    n.predecessors = 1;
                    n.label = lbl;
                }
                self.set_next(nt, tnext)?;
                next_lbl = Some(lbl + 1);
                if let Some(l) = self.bb_mut(b)?.instrs.last_mut() {
                    l.target = nt;
                }
                self.bb_mut(target)?.predecessors -= 1;
                self.set_next(target, nt)?;
            }
            b = match &reverse {
                Some(v) => {
                    k += 1;
                    v.get(k).copied().unwrap_or(NO_BLOCK)
                }
                None => self.next_of(b),
            };
        }
        let (order, order_gen) = self.take_order();
        for &b in &order {
            let next = self.next_of(b);
            if self.has_fallthrough(b) && next != NO_BLOCK && !self.bb(b)?.instrs.is_empty() && self.is_exit_without_lineno(next) {
                let loc = self.bb(b)?.last().map(|l| l.loc).unwrap_or_default();
                if let Some(f) = self.bb_mut(next)?.instrs.first_mut() {
                    f.loc = loc;
                }
            }
        }
        self.put_order(order, order_gen);
        Ok(())
    }

    /// `propagate_line_numbers`
    #[inline(never)]
    fn propagate_line_numbers(&mut self) -> Result<(), CfgError> {
        let (order, order_gen) = self.take_order();
        let ops = &self.ops;
        let blocks = &mut self.blocks;
        let r = order.iter().try_for_each(|&b| {
            let blk = blocks.get_mut(b as usize).ok_or(CfgError::Internal("dangling block id"))?;
            let Some(last) = blk.instrs.last().copied() else { return Ok(()) };
            let mut prev = Location::NO_LOCATION;
            for ins in blk.instrs.iter_mut() {
                // (3.14's `NEXT_LOCATION`, line -2, is a location here.)
                if ins.loc.lineno < 0 && ins.loc != Location::NEXT_LOCATION {
                    ins.loc = prev;
                } else {
                    prev = ins.loc;
                }
            }
            let next = blk.next;
            if next != NO_BLOCK && falls_through(ops, blk) {
                let nb = blocks.get_mut(next as usize).ok_or(CfgError::Internal("dangling block id"))?;
                if nb.predecessors == 1 {
                    if let Some(f) = nb.instrs.first_mut() {
                        if f.loc.lineno < 0 && f.loc != Location::NEXT_LOCATION {
                            f.loc = prev;
                        }
                    }
                }
            }
            if ops.is_jump(last.opcode) {
                let tb = blocks.get_mut(last.target as usize).ok_or(CfgError::Internal("dangling block id"))?;
                if tb.predecessors == 1 {
                    if let Some(f) = tb.instrs.first_mut() {
                        if f.loc.lineno < 0 && f.loc != Location::NEXT_LOCATION {
                            f.loc = prev;
                        }
                    }
                }
            }
            Ok(())
        });
        self.put_order(order, order_gen);
        r
    }

    /// `guarantee_lineno_for_exits`
    #[inline(never)]
    fn guarantee_lineno_for_exits(&mut self, firstlineno: i32) -> Result<(), CfgError> {
        let mut lineno = firstlineno;
        let rv = self.ops.RETURN_VALUE;
        let (order, order_gen) = self.take_order();
        for &b in &order {
            let blk = self.bb_mut(b)?;
            let Some(last) = blk.instrs.last().copied() else { continue };
            if last.loc.lineno < 0 {
                if last.opcode == rv {
                    for ins in blk.instrs.iter_mut() {
                        ins.loc.lineno = lineno;
                    }
                }
            } else {
                lineno = last.loc.lineno;
            }
        }
        self.put_order(order, order_gen);
        Ok(())
    }

    /// `resolve_line_numbers`
    fn resolve_line_numbers(&mut self, firstlineno: i32) -> Result<(), CfgError> {
        self.duplicate_exits_without_lineno()?;
        self.propagate_line_numbers()?;
        if self.ops.release.features().guarantee_exit_lines {
            self.guarantee_lineno_for_exits(firstlineno)?;
        }
        Ok(())
    }

    /// `_PyCfg_OptimizeCodeUnit`. `consts` is the unit's constant list (modified in place, as
    /// CPython modifies its list); new constants from folding are added to `pool`.
    #[allow(clippy::too_many_arguments)]
    pub fn optimize_code_unit(
        &mut self,
        consts: &mut Vec<ConstId>,
        pool: &mut ConstPool,
        _code_flags: u32,
        nlocals: usize,
        nparams: usize,
        firstlineno: i32,
    ) -> Result<(), CfgError> {
        // translate_jump_labels_to_targets + mark_except_handlers
        let summary = self.translate_labels(true)?;
        // Without SETUP_*, POP_BLOCK and YIELD_VALUE, every instruction label_exception_targets
        // reaches gets the bottom handler (NULL, which `i_except` already is) and nothing else
        // changes: it is skipped.
        if summary.block_push || summary.exc_stack_op {
            self.label_exception_targets()?;
        }
        if self.ops.release.features().cfg_lines_first {
            self.optimize_cfg_lines_first(consts, pool, summary.malformed, firstlineno)?;
        } else {
            self.optimize_cfg(consts, pool, summary.malformed)?;
        }
        self.remove_unused_consts(consts)?;
        self.add_checks_for_loads_of_uninitialized_variables(nlocals, nparams)?;
        if self.ops.release.features().superinstructions {
            self.insert_superinstructions()?;
        }
        self.push_cold_blocks_to_end()?;
        self.resolve_line_numbers(firstlineno)?;
        Ok(())
    }

    /// 3.11's `assemble()` from the CFG to resolved jumps, in its order: `extend_block`,
    /// `insert_prefix_instructions` + `fix_cell_offsets`, `optimize_cfg`,
    /// `duplicate_exits_without_lineno`, `trim_unused_consts`, line numbers, `stackdepth`, then
    /// `label_exception_targets` and `convert_exception_handlers_to_nops`, `normalize_jumps`.
    /// Returns `(nlocalsplus, maxdepth)`.
    #[allow(clippy::too_many_arguments)]
    pub fn assemble_3_11(
        &mut self,
        consts: &mut Vec<ConstId>,
        pool: &mut ConstPool,
        code_flags: u32,
        nlocals: usize,
        cell_varname_index: &[Option<usize>],
        nfreevars: usize,
        firstlineno: i32,
    ) -> Result<(usize, i32), CfgError> {
        let summary = self.translate_labels(true)?;
        if summary.malformed {
            return Err(CfgError::Malformed);
        }
        // `extend_block` runs over `b_list`, newest block first.
        if self.may_have_jump {
            let (order, order_gen) = self.take_order();
            for &b in &order {
                self.inline_small_exit_blocks(b)?;
            }
            self.put_order(order, order_gen);
        }
        let nlocalsplus = self.prepare_localsplus(nlocals, cell_varname_index, nfreevars, code_flags, firstlineno)?;
        // optimize_cfg
        let (order, order_gen) = self.take_order();
        for &b in &order {
            self.optimize_basic_block(b, consts, pool)?;
            self.remove_redundant_nops(b)?;
        }
        self.put_order(order, order_gen);
        // `b_list`'s order matters only when a block is copied.
        if self.may_have_jump && self.any_exit_block_to_inline()? {
            for b in self.b_list_3_11() {
                self.inline_small_exit_blocks(b)?;
            }
        }
        self.mark_reachable()?;
        let (order, order_gen) = self.take_order();
        for &b in &order {
            let blk = self.bb_mut(b)?;
            if blk.predecessors == 0 {
                blk.instrs.clear();
            }
        }
        for &b in &order {
            self.remove_redundant_nops(b)?;
        }
        self.put_order(order, order_gen);
        self.eliminate_empty_basic_blocks()?;
        self.remove_redundant_jumps()?;
        self.duplicate_exits_without_lineno()?;
        self.trim_unused_consts(consts)?;
        self.propagate_line_numbers()?;
        self.guarantee_lineno_for_exits(firstlineno)?;
        let maxdepth = self.stackdepth(code_flags)?;
        if summary.block_push || summary.exc_stack_op {
            self.label_exception_targets()?;
        }
        self.convert_pseudo_ops()?;
        Ok((nlocalsplus, maxdepth))
    }

    /// `trim_unused_consts` (3.11): drops the constants after the last one a `LOAD_CONST` or
    /// `KW_NAMES` uses (the first is always kept: it may be the docstring).
    fn trim_unused_consts(&mut self, consts: &mut Vec<ConstId>) -> Result<(), CfgError> {
        let mut max_index = 0usize;
        let (order, order_gen) = self.take_order();
        for &b in &order {
            for ins in &self.bb(b)?.instrs {
                if self.ops.has_const(ins.opcode) || ins.opcode == self.ops.KW_NAMES {
                    max_index = max_index.max(usize::try_from(ins.oparg).unwrap_or(0));
                }
            }
        }
        self.put_order(order, order_gen);
        consts.truncate(max_index + 1);
        Ok(())
    }

    // ----- assembly preparation (compile.c / flowgraph.c) ----------------------------------

    /// `insert_prefix_instructions` + `fix_cell_offsets` (`prepare_localsplus`). `varnames`,
    /// `cellvars`, `freevars` are the unit's name lists; `cell_is_arg[i]` gives, for cell `i`,
    /// the index in `varnames` of the same name, if any. Returns `nlocalsplus`.
    pub fn prepare_localsplus(
        &mut self,
        nlocals: usize,
        cell_varname_index: &[Option<usize>],
        nfreevars: usize,
        code_flags: u32,
        firstlineno: i32,
    ) -> Result<usize, CfgError> {
        let ncellvars = cell_varname_index.len();
        let noffsets = ncellvars + nfreevars;
        // build_cellfixedoffsets
        let mut fixed: Vec<usize> = (0..noffsets).map(|i| nlocals + i).collect();
        for (cell, v) in cell_varname_index.iter().enumerate() {
            if let Some(v) = v {
                fixed[cell] = *v;
            }
        }
        // insert_prefix_instructions
        let o = self.ops.clone();
        let mut prefix: Vec<CfgInstr> = Vec::new();
        if code_flags & (CO_GENERATOR | CO_COROUTINE | CO_ASYNC_GENERATOR) != 0 {
            let loc = Location::new(firstlineno, firstlineno, -1, -1);
            prefix.push(CfgInstr::new(o.RETURN_GENERATOR, 0, loc));
            let pop_loc = if o.release.features().generator_pop_top_located { loc } else { Location::NO_LOCATION };
            prefix.push(CfgInstr::new(o.POP_TOP, 0, pop_loc));
        }
        let mut cells = Vec::new();
        if ncellvars > 0 {
            let nvars = ncellvars + nlocals;
            let mut sorted = vec![0usize; nvars];
            for (i, &f) in fixed.iter().take(ncellvars).enumerate() {
                if let Some(s) = sorted.get_mut(f) {
                    *s = i + 1;
                }
            }
            for &s in &sorted {
                if s == 0 {
                    continue;
                }
                cells.push(CfgInstr::new(o.MAKE_CELL, (s - 1) as i32, Location::NO_LOCATION));
                if cells.len() == ncellvars {
                    break;
                }
            }
        }
        let mut head: Vec<CfgInstr> = Vec::new();
        if nfreevars > 0 {
            head.push(CfgInstr::new(o.COPY_FREE_VARS, nfreevars as i32, Location::NO_LOCATION));
        }
        head.extend(cells);
        // 3.15: a generator expression's prologue (`RESUME 4` (RESUME_AT_GEN_EXPR_START),
        // `LOAD_FAST .0`, `GET_ITER`) runs before `RETURN_GENERATOR`.
        let e = self.entry;
        let at = {
            let ins = &self.bb(e)?.instrs;
            let gen_expr_start =
                o.release.features().two_slot_iterators && ins.first().is_some_and(|i| i.opcode == o.RESUME && i.oparg == 4);
            if gen_expr_start && !prefix.is_empty() {
                ins.iter().position(|i| i.opcode == o.RESUME && i.oparg == 0).unwrap_or(0)
            } else {
                0
            }
        };
        if at > 0 {
            let blk = self.bb_mut(e)?;
            let tail: Vec<CfgInstr> = blk.instrs.drain(at..).collect();
            blk.instrs.extend(prefix);
            blk.instrs.extend(tail);
            prefix = Vec::new();
        }
        head.extend(prefix);
        if !head.is_empty() {
            let blk = self.bb_mut(e)?;
            head.append(&mut blk.instrs);
            blk.instrs = head;
        }
        // fix_cell_offsets
        let mut numdropped = 0usize;
        let mut fixedmap: Vec<i32> = Vec::with_capacity(noffsets);
        for (i, &f) in fixed.iter().enumerate() {
            if f == i + nlocals {
                fixedmap.push((f - numdropped) as i32);
            } else {
                fixedmap.push(f as i32);
                numdropped += 1;
            }
        }
        // Without cells and free variables only a deref op of the unit could be renumbered (to
        // an error): with none, the walk is skipped.
        if noffsets == 0 && !self.may_have_deref {
            return Ok(nlocals);
        }
        let (order, order_gen) = self.take_order();
        for &b in &order {
            for ins in self.bb_mut(b)?.instrs.iter_mut() {
                if o.is_deref(ins.opcode) {
                    ins.oparg = usize::try_from(ins.oparg)
                        .ok()
                        .and_then(|x| fixedmap.get(x))
                        .copied()
                        .ok_or(CfgError::BadOparg { opcode: ins.opcode, oparg: ins.oparg })?;
                }
            }
        }
        self.put_order(order, order_gen);
        Ok(nlocals + ncellvars + nfreevars - numdropped)
    }

    /// `_PyCfg_Stackdepth`
    pub fn stackdepth(&mut self, code_flags: u32) -> Result<i32, CfgError> {
        // A graph fresh from the builder has every start depth unset already.
        if self.depths_set {
            let (order, order_gen) = self.take_order();
            for &b in &order {
                if let Some(blk) = self.blocks.get_mut(b as usize) {
                    blk.startdepth = i32::MIN;
                }
            }
            self.put_order(order, order_gen);
        }
        self.depths_set = true;
        let mut stack = std::mem::take(&mut self.scratch);
        stack.clear();
        let r = self.stackdepth_inner(code_flags, &mut stack);
        self.scratch = stack;
        r
    }

    fn stackdepth_inner(&mut self, code_flags: u32, stack: &mut Vec<BlockId>) -> Result<i32, CfgError> {
        let mut maxdepth: i64 = 0;
        let start = if code_flags & (CO_GENERATOR | CO_COROUTINE | CO_ASYNC_GENERATOR) != 0 {
            i64::from(self.ops.release.features().generator_entry_depth)
        } else {
            0
        };
        fn push(blocks: &mut [BasicBlock], stack: &mut Vec<BlockId>, b: BlockId, depth: i64) -> Result<(), CfgError> {
            let blk = blocks.get_mut(b as usize).ok_or(CfgError::Internal("dangling block id"))?;
            let d = i32::try_from(depth).map_err(|_| CfgError::Internal("stack depth overflow"))?;
            if blk.startdepth < d && blk.startdepth < 100 {
                blk.startdepth = d;
                stack.push(b);
            }
            Ok(())
        }
        let ops = &self.ops;
        let return_const_pushes = ops.release.features().return_const_sized_as_load;
        let before_instr = ops.release.features().stackdepth_before_instr;
        let blocks = &mut self.blocks;
        push(blocks, stack, self.entry, start)?;
        while let Some(b) = stack.pop() {
            let blk = blocks.get_mut(b as usize).ok_or(CfgError::Internal("dangling block id"))?;
            let mut depth = i64::from(blk.startdepth);
            let mut next = blk.next;
            // Pushing touches other blocks' (or this one's) start depth: the instructions are
            // taken out meanwhile.
            let instrs = std::mem::take(&mut blk.instrs);
            let r = (|| {
                for ins in &instrs {
                    let (effect, p) = ops.effect_and_props(ins.opcode, ins.oparg);
                    let effect = effect.ok_or(CfgError::InvalidStackEffect { opcode: ins.opcode, oparg: ins.oparg })?;
                    let new_depth = depth + effect;
                    if new_depth < 0 {
                        return Err(CfgError::NegativeStackDepth);
                    }
                    // 3.14+: the depth before the instruction (its own push is counted where
                    // the next one starts).
                    maxdepth = maxdepth.max(if before_instr { depth } else { new_depth });
                    if p & P_HAS_TARGET != 0 && !(before_instr && ins.opcode == ops.END_ASYNC_FOR) {
                        let eff = ops
                            .stack_effect(ins.opcode, ins.oparg, true)
                            .ok_or(CfgError::InvalidStackEffect { opcode: ins.opcode, oparg: ins.oparg })?;
                        let target_depth = depth + eff;
                        if target_depth < 0 {
                            return Err(CfgError::NegativeStackDepth);
                        }
                        if !before_instr {
                            maxdepth = maxdepth.max(target_depth);
                        }
                        push(blocks, stack, ins.target, target_depth)?;
                    }
                    if p & (P_UNCOND_JUMP | P_SCOPE_EXIT) != 0 {
                        // (`RETURN_CONST` is a scope exit, tested here only.)
                        if return_const_pushes && ins.opcode == ops.RETURN_CONST {
                            // 3.13 sizes the frame as if the constant were pushed first.
                            maxdepth = maxdepth.max(depth + 1);
                        }
                        depth = new_depth;
                        next = NO_BLOCK;
                        break;
                    }
                    depth = new_depth;
                }
                Ok(())
            })();
            if let Some(blk) = blocks.get_mut(b as usize) {
                blk.instrs = instrs;
            }
            r?;
            if next != NO_BLOCK {
                push(blocks, stack, next, depth)?;
            }
        }
        if ops.release.features().min_stacksize_one {
            maxdepth = maxdepth.max(1);
        }
        i32::try_from(maxdepth).map_err(|_| CfgError::Internal("stack depth overflow"))
    }

    /// `_PyCfg_ConvertPseudoOps`
    pub fn convert_pseudo_ops(&mut self) -> Result<(), CfgError> {
        let (order, order_gen) = self.take_order();
        let convert = self.may_have_pseudo;
        let r = order.iter().try_for_each(|&b| {
            let o = &self.ops;
            let blk = self.blocks.get_mut(b as usize).ok_or(CfgError::Internal("dangling block id"))?;
            // (Without such pseudo-ops in the unit only the NOP removal below is left.)
            for ins in blk.instrs.iter_mut().filter(|_| convert) {
                if !o.is_converted_pseudo(ins.opcode) {
                    continue;
                }
                if o.is_block_push(ins.opcode) || ins.opcode == o.POP_BLOCK {
                    set_op0(ins, o.NOP);
                } else if ins.opcode == o.STORE_FAST_MAYBE_NULL {
                    ins.opcode = o.STORE_FAST;
                } else if ins.opcode == o.LOAD_CLOSURE && o.release.features().load_closure_pseudo {
                    ins.opcode = o.LOAD_FAST;
                }
            }
            // CPython removes the NOPs in a second walk; this block's removal only looks at
            // the next block's first line, which the conversion does not change.
            self.remove_redundant_nops(b).map(|_| ())
        });
        self.put_order(order, order_gen);
        r?;
        if self.ops.release.features().pseudo_ops_remove_jumps {
            self.remove_redundant_nops_and_jumps()?;
        }
        Ok(())
    }

    /// `normalize_jumps`: pseudo jumps become forward/backward jumps by layout order; a backward
    /// conditional jump is reversed around a new `JUMP` block.
    #[inline(never)]
    fn normalize_jumps(&mut self) -> Result<(), CfgError> {
        if !self.may_have_jump {
            // Only jumps change here (and the marks it leaves are read by no later pass).
            return Ok(());
        }
        self.reset_visited();
        let o = self.ops.clone();
        let mut b = self.entry;
        while b != NO_BLOCK {
            self.bb_mut(b)?.visited = true;
            if let Some(last) = self.bb(b)?.last().copied() {
                if o.is_jump(last.opcode) {
                    let is_forward = !self.bb(last.target)?.visited;
                    let new_op = if last.opcode == o.JUMP {
                        Some(if is_forward { o.JUMP_FORWARD } else { o.JUMP_BACKWARD })
                    } else if last.opcode == o.JUMP_NO_INTERRUPT {
                        Some(if is_forward { o.JUMP_FORWARD } else { o.JUMP_BACKWARD_NO_INTERRUPT })
                    } else {
                        None
                    };
                    let directional = if o.release.features().assemble_3_11 {
                        let pick = |f: u16, bw: u16| Some(if is_forward { f } else { bw });
                        if last.opcode == o.POP_JUMP_IF_FALSE {
                            pick(o.POP_JUMP_FORWARD_IF_FALSE, o.POP_JUMP_BACKWARD_IF_FALSE)
                        } else if last.opcode == o.POP_JUMP_IF_TRUE {
                            pick(o.POP_JUMP_FORWARD_IF_TRUE, o.POP_JUMP_BACKWARD_IF_TRUE)
                        } else if last.opcode == o.POP_JUMP_IF_NONE {
                            pick(o.POP_JUMP_FORWARD_IF_NONE, o.POP_JUMP_BACKWARD_IF_NONE)
                        } else if last.opcode == o.POP_JUMP_IF_NOT_NONE {
                            pick(o.POP_JUMP_FORWARD_IF_NOT_NONE, o.POP_JUMP_BACKWARD_IF_NOT_NONE)
                        } else {
                            None
                        }
                    } else {
                        None
                    };
                    if let Some(op) = new_op.or(directional) {
                        if let Some(l) = self.bb_mut(b)?.instrs.last_mut() {
                            l.opcode = op;
                        }
                    } else if is_forward {
                        let conditional = last.opcode == o.POP_JUMP_IF_FALSE
                            || last.opcode == o.POP_JUMP_IF_TRUE
                            || last.opcode == o.POP_JUMP_IF_NONE
                            || last.opcode == o.POP_JUMP_IF_NOT_NONE;
                        if o.release.features().not_taken && conditional {
                            // `i_except` is whatever the array slot held (see `ghost`).
                            let blk = self.bb_mut(b)?;
                            let mut nt = CfgInstr::new(o.NOT_TAKEN, 0, last.loc);
                            if !o.release.features().not_taken_no_handler {
                                nt.except = blk.ghost.get(blk.instrs.len()).map_or(NO_BLOCK, |g| g.except);
                            }
                            blk.instrs.push(nt);
                        }
                    } else if last.opcode == o.END_ASYNC_FOR {
                        // 3.14+: a jump only for monitoring; never reversed.
                    } else {
                        let reversed = if last.opcode == o.POP_JUMP_IF_NOT_NONE {
                            o.POP_JUMP_IF_NONE
                        } else if last.opcode == o.POP_JUMP_IF_NONE {
                            o.POP_JUMP_IF_NOT_NONE
                        } else if last.opcode == o.POP_JUMP_IF_FALSE {
                            o.POP_JUMP_IF_TRUE
                        } else if last.opcode == o.POP_JUMP_IF_TRUE {
                            o.POP_JUMP_IF_FALSE
                        } else {
                            return Err(CfgError::Internal("backward jump that cannot be reversed"));
                        };
                        // 3.12 only has forward conditional jumps; 3.13+ has them both ways
                        // in the same numbering, so nothing else differs here.
                        let next = self.next_of(b);
                        let cold = self.bb(b)?.cold;
                        let target_label = self.bb(last.target)?.label;
                        let j = self.new_block();
                        // 3.12 gives the new JUMP the conditional jump's location; 3.13 none.
                        let jloc = if o.release.features().reversed_jump_no_location { Location::NO_LOCATION } else { last.loc };
                        let mut ji = CfgInstr::new(o.JUMP, target_label as i32, jloc);
                        ji.target = last.target;
                        let target_depth = self.bb(last.target)?.startdepth;
                        {
                            let jb = self.bb_mut(j)?;
                            if o.release.features().not_taken {
                                jb.instrs.push(CfgInstr::new(o.NOT_TAKEN, 0, last.loc));
                                jb.startdepth = target_depth;
                            }
                            jb.instrs.push(ji);
                            jb.cold = cold;
                        }
                        self.set_next(j, next)?;
                        let blk = self.bb_mut(b)?;
                        if let Some(l) = blk.instrs.last_mut() {
                            l.opcode = reversed;
                            l.target = next;
                        }
                        self.set_next(b, j)?;
                    }
                }
            }
            b = self.next_of(b);
        }
        Ok(())
    }

    /// `resolve_jump_offsets`
    fn resolve_jump_offsets(&mut self) -> Result<(), CfgError> {
        let (order, order_gen) = self.take_order();
        let r = self.resolve_jump_offsets_in(&order);
        self.put_order(order, order_gen);
        r
    }

    #[inline(never)]
    fn resolve_jump_offsets_in(&mut self, order: &[BlockId]) -> Result<(), CfgError> {
        let o = &self.ops;
        let blocks = &mut self.blocks;
        if !self.may_have_jump {
            // No jump (so no `END_ASYNC_FOR` jump either): the offsets of the first round are
            // final, and no oparg changes.
            let mut totsize: i64 = 0;
            for &b in order {
                let blk = blocks.get_mut(b as usize).ok_or(CfgError::Internal("dangling block id"))?;
                blk.offset = i32::try_from(totsize).map_err(|_| CfgError::Internal("code too large"))?;
                totsize += blk.instrs.iter().map(|x| i64::from(o.instr_size(x.opcode, x.oparg))).sum::<i64>();
            }
            self.code_units = u32::try_from(totsize).map_err(|_| CfgError::Internal("code too large"))?;
            return Ok(());
        }
        if o.release.features().jump_offsets_from_index {
            // The first sizes come from the jumps' targets as instruction indices (3.13's
            // instruction sequence after `_PyInstructionSequence_ApplyLabelMap`). A block's
            // `offset` holds its first instruction's index meanwhile.
            let mut index: i64 = 0;
            for &b in order {
                let blk = blocks.get_mut(b as usize).ok_or(CfgError::Internal("dangling block id"))?;
                blk.offset = i32::try_from(index).map_err(|_| CfgError::Internal("code too large"))?;
                index += blk.instrs.len() as i64;
            }
            for &b in order {
                // The targets' offsets are read while this block's opargs are written: its
                // instructions are taken out meanwhile (offsets stay with the blocks).
                let mut instrs = std::mem::take(&mut blocks.get_mut(b as usize).ok_or(CfgError::Internal("dangling block id"))?.instrs);
                let r = instrs.iter_mut().try_for_each(|x| {
                    if o.is_jump(x.opcode) {
                        x.oparg = blocks.get(x.target as usize).ok_or(CfgError::Internal("dangling block id"))?.offset;
                    }
                    Ok(())
                });
                if let Some(blk) = blocks.get_mut(b as usize) {
                    blk.instrs = instrs;
                }
                r?;
            }
        }
        let mut rounds = 0;
        loop {
            rounds += 1;
            if rounds > 64 {
                return Err(CfgError::Internal("jump offsets do not converge"));
            }
            let mut totsize: i64 = 0;
            // A jump before the end of its block (a graph that never passed `check_cfg`).
            let mut mid_jump = false;
            // Some `END_ASYNC_FOR` jump (3.14+), whose oparg needs the `SEND`s below.
            let mut async_for_jump = false;
            for &b in order {
                let blk = blocks.get_mut(b as usize).ok_or(CfgError::Internal("dangling block id"))?;
                let n = blk.instrs.len();
                let mut size: i64 = 0;
                for (i, x) in blk.instrs.iter().enumerate() {
                    let (isize, jump) = o.size_and_is_jump(x.opcode, x.oparg);
                    size += i64::from(isize);
                    if jump {
                        mid_jump |= i + 1 != n;
                        async_for_jump |= x.opcode == o.END_ASYNC_FOR;
                    }
                }
                blk.offset = i32::try_from(totsize).map_err(|_| CfgError::Internal("code too large"))?;
                totsize += size;
            }
            // 3.14+: `END_ASYNC_FOR`'s oparg counts back to its loop's `SEND` and then
            // `END_SEND_OFFSET` code units on (`SEND`, `YIELD_VALUE`, `RESUME`,
            // `JUMP_BACKWARD_NO_INTERRUPT`: 5 in 3.14, 6 in 3.15), where `END_SEND` lies when
            // `CLEANUP_THROW` is cold; an inline `CLEANUP_THROW` (a loop inside an `except`
            // handler) sits between, so the oparg names the `CLEANUP_THROW` (measured on 3.14.2
            // and 3.15.0rc1). The pairs are the `END_SEND` block each `SEND` jumps to and the
            // `SEND`'s offset.
            let end_send_offset = i64::from(
                o.instr_size(o.SEND, 0)
                    + o.instr_size(o.YIELD_VALUE, 0)
                    + o.instr_size(o.RESUME, 0)
                    + o.instr_size(o.JUMP_BACKWARD_NO_INTERRUPT, 0),
            );
            let mut sends: Vec<(BlockId, i64)> = Vec::new();
            for &b in order.iter().filter(|_| async_for_jump) {
                let blk = blocks.get(b as usize).ok_or(CfgError::Internal("dangling block id"))?;
                let mut off = i64::from(blk.offset);
                for x in &blk.instrs {
                    if x.opcode == o.SEND {
                        sends.push((x.target, off));
                    }
                    off += i64::from(o.size_and_is_jump(x.opcode, x.oparg).0);
                }
            }
            let mut recompile = false;
            for (k, &b) in order.iter().enumerate() {
                // Where this block ends: the next block's offset (or the code's size).
                let end = match order.get(k + 1) {
                    Some(&nb) => i64::from(blocks.get(nb as usize).ok_or(CfgError::Internal("dangling block id"))?.offset),
                    None => totsize,
                };
                if !mid_jump {
                    // Only the last instruction can jump, and it ends where the block does.
                    let blk = blocks.get(b as usize).ok_or(CfgError::Internal("dangling block id"))?;
                    let Some(&x) = blk.instrs.last() else { continue };
                    let (isize, jump) = o.size_and_is_jump(x.opcode, x.oparg);
                    if !jump {
                        continue;
                    }
                    let arg = jump_arg(blocks, &sends, o, &x, end, end_send_offset)?;
                    if o.instr_size(x.opcode, arg) != isize {
                        recompile = true;
                    }
                    let blk = blocks.get_mut(b as usize).ok_or(CfgError::Internal("dangling block id"))?;
                    if let Some(l) = blk.instrs.last_mut() {
                        l.oparg = arg;
                    }
                    continue;
                }
                let blk = blocks.get_mut(b as usize).ok_or(CfgError::Internal("dangling block id"))?;
                let mut bsize = i64::from(blk.offset);
                // Reading the targets' offsets while writing this block's opargs: the
                // instructions are taken out meanwhile.
                let mut instrs = std::mem::take(&mut blk.instrs);
                let r = instrs.iter_mut().try_for_each(|x| {
                    let (isize, jump) = o.size_and_is_jump(x.opcode, x.oparg);
                    bsize += i64::from(isize);
                    if jump {
                        x.oparg = jump_arg(blocks, &sends, o, x, bsize, end_send_offset)?;
                        if o.instr_size(x.opcode, x.oparg) != isize {
                            recompile = true;
                        }
                    }
                    Ok(())
                });
                if let Some(blk) = blocks.get_mut(b as usize) {
                    blk.instrs = instrs;
                }
                r?;
            }
            if !recompile {
                self.code_units = u32::try_from(totsize).map_err(|_| CfgError::Internal("code too large"))?;
                return Ok(());
            }
        }
    }

    /// `_PyCfg_ResolveJumps`
    pub fn resolve_jumps(&mut self) -> Result<(), CfgError> {
        self.normalize_jumps()?;
        if self.ops.release.features().load_fast_borrow {
            self.optimize_load_fast()?;
        }
        self.resolve_jump_offsets()
    }

    /// `cfg_to_instr_sequence`: the final instruction list with exception-handler info.
    pub fn to_instr_sequence(&mut self) -> Result<Vec<OutInstr>, CfgError> {
        let (order, order_gen) = self.take_order();
        let mut lbl: i64 = 0;
        for &b in &order {
            let blk = self.bb_mut(b)?;
            blk.label = lbl;
            lbl += blk.instrs.len() as i64;
        }
        let mut out = Vec::with_capacity(lbl as usize);
        let no_handler = ExceptHandlerInfo { label: -1, startdepth: -1, preserve_lasti: false };
        // Runs of instructions share a handler: its info is looked up once per run.
        let mut last_except = NO_BLOCK;
        let mut handler = no_handler;
        let r = order.iter().try_for_each(|&b| {
            for ins in &self.bb(b)?.instrs {
                if ins.except != last_except {
                    handler = if ins.except != NO_BLOCK {
                        let h = self.bb(ins.except)?;
                        ExceptHandlerInfo { label: h.label, startdepth: h.startdepth, preserve_lasti: h.preserve_lasti }
                    } else {
                        no_handler
                    };
                    last_except = ins.except;
                }
                out.push(OutInstr { opcode: ins.opcode, oparg: ins.oparg, loc: ins.loc, handler });
            }
            Ok(())
        });
        self.put_order(order, order_gen);
        r.map(|()| out)
    }

    /// `cfg_to_instructions` of `_testinternalcapi.optimize_cfg`: `(opcode, arg, loc)` with jump
    /// targets as instruction indices.
    pub fn to_indexed(&mut self) -> Result<Vec<(u16, i64, Location)>, CfgError> {
        let order = self.order();
        let mut lbl: i64 = 0;
        for &b in &order {
            let blk = self.bb_mut(b)?;
            blk.label = lbl;
            lbl += blk.instrs.len() as i64;
        }
        let mut out = Vec::new();
        for &b in &order {
            for ins in &self.bb(b)?.instrs {
                let arg = if self.ops.has_target(ins.opcode) { self.bb(ins.target)?.label } else { i64::from(ins.oparg) };
                out.push((ins.opcode, arg, ins.loc));
            }
        }
        Ok(out)
    }
}

/// The oparg of jump `x`, whose instruction ends at code offset `end`: the distance to its
/// target block (forward or backward), or for 3.14+'s `END_ASYNC_FOR` the distance back to its
/// loop's `SEND` less `end_send_offset` (`sends`: each `SEND`'s target block and offset).
fn jump_arg(
    blocks: &[BasicBlock],
    sends: &[(BlockId, i64)],
    o: &Ops,
    x: &CfgInstr,
    end: i64,
    end_send_offset: i64,
) -> Result<i32, CfgError> {
    let toff = i64::from(blocks.get(x.target as usize).ok_or(CfgError::Internal("dangling block id"))?.offset);
    let send = if x.opcode == o.END_ASYNC_FOR { sends.iter().find(|p| p.0 == x.target) } else { None };
    let arg = match send {
        Some(&(_, send_off)) => end - send_off - end_send_offset,
        None if toff < end => end - toff,
        None => toff - end,
    };
    i32::try_from(arg).map_err(|_| CfgError::Internal("jump too far"))
}

/// `maybe_push` (of `add_checks_for_loads_of_uninitialized_variables`)
fn maybe_push(blocks: &mut [BasicBlock], b: BlockId, unsafe_mask: u64, stack: &mut Vec<BlockId>) -> Result<(), CfgError> {
    let blk = blocks.get_mut(b as usize).ok_or(CfgError::Internal("dangling block id"))?;
    let both = blk.unsafe_locals_mask | unsafe_mask;
    if blk.unsafe_locals_mask != both {
        blk.unsafe_locals_mask = both;
        if !blk.visited {
            blk.visited = true;
            stack.push(b);
        }
    }
    Ok(())
}

pub(crate) fn set_op0(ins: &mut CfgInstr, op: u16) {
    ins.opcode = op;
    ins.oparg = 0;
}

#[allow(dead_code)]
fn _release_marker(_: Release) {}
