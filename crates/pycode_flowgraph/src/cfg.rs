//! Basic blocks and the CFG builder (CPython's `basicblock`, `cfg_builder`,
//! `_PyCfgBuilder_UseLabel`, `_PyCfgBuilder_Addop`, `instr_sequence_to_cfg`).

use pycode_instr::{InstrSequence, Location};

use crate::ops::{P_HAS_TARGET, P_TERMINATOR};
use crate::{CfgError, Ops};

pub type BlockId = u32;
/// A null block pointer.
pub const NO_BLOCK: BlockId = u32::MAX;

/// No exception stack assigned (`b_exceptstack == NULL`).
pub(crate) const NO_STACK: u32 = u32::MAX;

/// `cfg_instr`
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CfgInstr {
    pub opcode: u16,
    pub oparg: i32,
    pub loc: Location,
    /// `i_target` (for jumps and `SETUP_*`), or [`NO_BLOCK`].
    pub target: BlockId,
    /// `i_except`: the handler block active at this instruction, or [`NO_BLOCK`].
    pub except: BlockId,
}

impl CfgInstr {
    pub fn new(opcode: u16, oparg: i32, loc: Location) -> Self {
        Self { opcode, oparg, loc, target: NO_BLOCK, except: NO_BLOCK }
    }
}

/// `basicblock`
#[derive(Clone, Debug)]
pub struct BasicBlock {
    pub instrs: Vec<CfgInstr>,
    /// `b_next`: the block laid out after this one.
    pub next: BlockId,
    /// `b_label` (-1 for none).
    pub label: i64,
    pub except_handler: bool,
    pub preserve_lasti: bool,
    pub visited: bool,
    pub warm: bool,
    pub cold: bool,
    pub predecessors: i32,
    pub startdepth: i32,
    pub offset: i32,
    pub unsafe_locals_mask: u64,
    /// When 3.11's compiler would have allocated this block (`b_list` order, oldest first):
    /// twice the instruction count when its label was created, or twice its first
    /// instruction's index plus one for a block started after a jump.
    pub alloc: u64,
    /// `b_exceptstack` during `label_exception_targets`: a node of that pass's shared stack
    /// tree, or [`NO_STACK`].
    pub(crate) exceptstack: u32,
    /// What CPython's instruction array holds beyond `instrs.len()` after the block shrank
    /// (`remove_redundant_nops` compacts in place and leaves the old tail): indexed like
    /// `instrs`; only the entries at or past the current length mean anything. 3.14's
    /// `NOT_TAKEN` (added without setting `i_except`) takes its handler from there.
    pub ghost: Vec<CfgInstr>,
}

impl BasicBlock {
    fn new(instrs: Vec<CfgInstr>) -> Self {
        Self {
            instrs,
            next: NO_BLOCK,
            label: -1,
            except_handler: false,
            preserve_lasti: false,
            visited: false,
            warm: false,
            cold: false,
            predecessors: 0,
            startdepth: i32::MIN,
            offset: 0,
            unsafe_locals_mask: 0,
            alloc: 0,
            exceptstack: NO_STACK,
            ghost: Vec::new(),
        }
    }

    pub fn last(&self) -> Option<&CfgInstr> {
        self.instrs.last()
    }
}

/// The control flow graph of one code unit (`cfg_builder`).
#[derive(Clone, Debug)]
pub struct Cfg {
    pub ops: Ops,
    pub blocks: Vec<BasicBlock>,
    /// `g_entryblock`
    pub entry: BlockId,
    cur: BlockId,
    current_label: i64,
    /// The layout order as last computed (a reusable buffer), valid while `order_gen` equals
    /// `layout_gen`. Every change of a `next` link or of `entry` made by this crate bumps
    /// `layout_gen` (see [`Cfg::set_next`]).
    order_cache: Vec<BlockId>,
    order_gen: u64,
    layout_gen: u64,
    /// A reusable work list for the depth-first passes (taken with `std::mem::take` and put
    /// back, so its allocation is shared by all passes of the unit).
    pub(crate) scratch: Vec<BlockId>,
    /// False once `translate_jump_labels_to_targets` found no block push (`SETUP_*`) in the
    /// unit; no pass creates one, so jumps are then only ever the last instruction of a block
    /// (in a graph that passed `check_cfg`) and passes may look at that one alone.
    pub(crate) may_have_block_push: bool,
    /// False once `translate_jump_labels_to_targets` found no instruction with a target (no
    /// jump, no `SETUP_*`) in the unit. No pass makes a jump out of a unit without one (the
    /// peepholes only rewrite jumps, cold blocks and copied exits need a handler or a jump),
    /// so the passes that only act on jumps are skipped.
    pub(crate) may_have_jump: bool,
    /// False once `translate_jump_labels_to_targets` found no deref op (`LOAD_DEREF`,
    /// `MAKE_CELL`, ...) in the unit; no pass before `prepare_localsplus` makes one.
    pub(crate) may_have_deref: bool,
    /// False once `translate_jump_labels_to_targets` found no pseudo-op that
    /// `convert_pseudo_ops` rewrites (`SETUP_*`, `POP_BLOCK`, `STORE_FAST_MAYBE_NULL`,
    /// `LOAD_CLOSURE`); no pass makes one.
    pub(crate) may_have_pseudo: bool,
    /// The scratch of `remove_unused_consts` (whether each constant is used, then its new
    /// index), kept for the next unit.
    pub(crate) const_scratch: Vec<i32>,
    /// False while every block's `startdepth` is still the one a new block gets (no
    /// `stackdepth` ran since the graph was built), so `stackdepth` need not reset them.
    pub(crate) depths_set: bool,
    /// `add_checks_for_loads_of_uninitialized_variables`: each block's unsafe-locals mask when
    /// it was last scanned (`None`: not scanned yet), kept for the next unit.
    pub(crate) scanned_masks: Vec<Option<u64>>,
    /// `translate_jump_labels_to_targets`' label-to-block table, kept for the next unit.
    pub(crate) label2block: Vec<BlockId>,
    /// `optimize_load_fast`'s view of each opcode of `lf_release` (by opcode), kept for the next
    /// unit.
    pub(crate) lf_ops: Vec<Option<crate::loadfast::LfOp>>,
    pub(crate) lf_release: Option<pycode_release::Release>,
    /// Emptied instruction vectors of the blocks of an earlier unit ([`Cfg::rebuild_from_sequence`]),
    /// handed to new blocks so that a worker reusing one graph allocates a block's vector only
    /// when it outgrows every earlier one.
    spare: Vec<Vec<CfgInstr>>,
    /// `from_sequence`'s label-by-position table, kept for the next unit.
    offset2lbl: Vec<i64>,
    /// The code's size in code units, as the last jump resolution found it.
    pub(crate) code_units: u32,
    /// What the builder saw of the instructions it copied (the union of their property bits),
    /// when the graph is fresh from [`Cfg::rebuild_from_sequence`]; taken by the first
    /// `translate_jump_labels_to_targets`, which then visits only `prescan_targets` instead of
    /// every instruction. `None` once anything else added to the graph.
    pub(crate) prescan: Option<u16>,
    /// With `prescan`: each instruction with a target, as (block, index), in layout order.
    pub(crate) prescan_targets: Vec<(BlockId, u32)>,
}

impl Cfg {
    /// `_PyCfgBuilder_Init`
    pub fn new(ops: Ops) -> Self {
        let mut g = Cfg {
            ops,
            blocks: Vec::new(),
            entry: 0,
            cur: 0,
            current_label: -1,
            order_cache: Vec::new(),
            order_gen: 0,
            layout_gen: 1,
            scratch: Vec::new(),
            may_have_block_push: true,
            may_have_jump: true,
            may_have_deref: true,
            may_have_pseudo: true,
            const_scratch: Vec::new(),
            depths_set: false,
            scanned_masks: Vec::new(),
            label2block: Vec::new(),
            lf_ops: Vec::new(),
            lf_release: None,
            spare: Vec::new(),
            offset2lbl: Vec::new(),
            code_units: 0,
            prescan: None,
            prescan_targets: Vec::new(),
        };
        let b = g.new_block();
        g.entry = b;
        g.cur = b;
        g
    }

    /// The code's size in code units (`EXTENDED_ARG`s and caches included) found by the last
    /// `resolve_jumps`: the offset where the last block ends.
    pub fn code_units(&self) -> u32 {
        self.code_units
    }

    /// `cfg_builder_new_block`
    pub fn new_block(&mut self) -> BlockId {
        let id = self.blocks.len() as BlockId;
        let instrs = self.spare.pop().unwrap_or_default();
        self.blocks.push(BasicBlock::new(instrs));
        id
    }

    pub fn block(&self, b: BlockId) -> Option<&BasicBlock> {
        self.blocks.get(b as usize)
    }

    pub(crate) fn bb(&self, b: BlockId) -> Result<&BasicBlock, CfgError> {
        self.blocks.get(b as usize).ok_or(CfgError::Internal("dangling block id"))
    }

    pub(crate) fn bb_mut(&mut self, b: BlockId) -> Result<&mut BasicBlock, CfgError> {
        self.blocks.get_mut(b as usize).ok_or(CfgError::Internal("dangling block id"))
    }

    /// `b_next` of `b` (or `NO_BLOCK`).
    pub(crate) fn next_of(&self, b: BlockId) -> BlockId {
        self.blocks.get(b as usize).map_or(NO_BLOCK, |x| x.next)
    }

    /// The blocks in layout order. Collected eagerly so passes may mutate while iterating;
    /// guards against cycles in a corrupted `next` chain.
    pub fn order(&self) -> Vec<BlockId> {
        let mut v = Vec::with_capacity(self.blocks.len());
        let mut b = self.entry;
        while b != NO_BLOCK && v.len() <= self.blocks.len() {
            v.push(b);
            b = self.next_of(b);
        }
        v
    }

    /// Sets `b_next` of `b` (a layout change: the cached order is dropped).
    pub(crate) fn set_next(&mut self, b: BlockId, next: BlockId) -> Result<(), CfgError> {
        let blk = self.blocks.get_mut(b as usize).ok_or(CfgError::Internal("dangling block id"))?;
        if blk.next != next {
            blk.next = next;
            self.layout_gen += 1;
        }
        Ok(())
    }

    /// Records a layout change made directly on `next` links.
    pub(crate) fn layout_changed(&mut self) {
        self.layout_gen += 1;
    }

    /// Sets the entry block (a layout change).
    pub(crate) fn set_entry(&mut self, b: BlockId) {
        if self.entry != b {
            self.entry = b;
            self.layout_gen += 1;
        }
    }

    /// The layout order in a reused buffer, with the layout generation it belongs to; hand it
    /// back with [`put_order`](Self::put_order). Recomputed only when the layout changed since.
    #[inline]
    pub(crate) fn take_order(&mut self) -> (Vec<BlockId>, u64) {
        let mut v = std::mem::take(&mut self.order_cache);
        if self.order_gen != self.layout_gen || v.is_empty() {
            self.fill_order(&mut v);
        }
        (v, self.layout_gen)
    }

    /// The layout order, recomputed into `v`.
    #[inline(never)]
    fn fill_order(&self, v: &mut Vec<BlockId>) {
        v.clear();
        v.reserve(self.blocks.len());
        let mut b = self.entry;
        while b != NO_BLOCK && v.len() <= self.blocks.len() {
            v.push(b);
            b = self.next_of(b);
        }
    }

    /// Returns a buffer from [`take_order`](Self::take_order); it stays the cached order unless
    /// the layout changed in between.
    #[inline]
    pub(crate) fn put_order(&mut self, order: Vec<BlockId>, generation: u64) {
        if order.capacity() >= self.order_cache.capacity() {
            self.order_cache = order;
            self.order_gen = generation;
        }
    }

    /// `cfg_builder_current_block_is_terminated`
    #[inline]
    fn current_block_is_terminated(&mut self) -> bool {
        let cur = self.cur as usize;
        let (last_op, has_label) = match self.blocks.get(cur) {
            Some(b) => (b.last().map(|i| i.opcode), b.label >= 0),
            None => return false,
        };
        if let Some(op) = last_op {
            if self.ops.is_terminator(op) {
                return true;
            }
        }
        if self.current_label >= 0 {
            if last_op.is_some() || has_label {
                return true;
            }
            if let Some(b) = self.blocks.get_mut(cur) {
                b.label = self.current_label;
            }
            self.current_label = -1;
        }
        false
    }

    /// `cfg_builder_maybe_start_new_block`
    #[inline]
    fn maybe_start_new_block(&mut self) {
        if self.current_block_is_terminated() {
            let b = self.new_block();
            if let Some(bb) = self.blocks.get_mut(b as usize) {
                bb.label = self.current_label;
            }
            self.current_label = -1;
            let cur = self.cur as usize;
            if let Some(c) = self.blocks.get_mut(cur) {
                c.next = b;
            }
            self.layout_gen += 1;
            self.cur = b;
        }
    }

    /// `_PyCfgBuilder_UseLabel`
    pub fn use_label(&mut self, label: i64) {
        self.prescan = None;
        self.use_label_inner(label);
    }

    fn use_label_inner(&mut self, label: i64) {
        self.current_label = label;
        self.maybe_start_new_block();
    }

    /// `_PyCfgBuilder_Addop`. For targets, `oparg` is the label id.
    pub fn addop(&mut self, opcode: u16, oparg: i32, loc: Location) {
        self.prescan = None;
        self.maybe_start_new_block();
        let cur = self.cur as usize;
        if let Some(b) = self.blocks.get_mut(cur) {
            b.instrs.push(CfgInstr::new(opcode, oparg, loc));
        }
    }

    /// `instr_sequence_to_cfg` (compile.c): labels bound to the same position are collapsed to
    /// the highest-numbered one, which becomes the block label; jumps use it.
    pub fn from_sequence(ops: Ops, seq: &InstrSequence) -> Result<Cfg, CfgError> {
        let mut g = Cfg::new(ops);
        g.fill_from_sequence(seq)?;
        Ok(g)
    }

    /// [`from_sequence`](Self::from_sequence) into this graph, which is emptied first: its
    /// blocks' instruction vectors, work lists and tables are kept for reuse (a worker keeps one
    /// graph for all the code units it assembles). `ops` is replaced when `release` differs.
    pub fn rebuild_from_sequence(&mut self, release: pycode_release::Release, seq: &InstrSequence) -> Result<(), CfgError> {
        if self.ops.release != release {
            self.ops = Ops::new(release);
        }
        for blk in self.blocks.drain(..) {
            let mut v = blk.instrs;
            if v.capacity() > 0 {
                v.clear();
                self.spare.push(v);
            }
        }
        self.current_label = -1;
        self.order_gen = 0;
        self.layout_gen = 1;
        self.may_have_block_push = true;
        self.may_have_jump = true;
        self.may_have_deref = true;
        self.may_have_pseudo = true;
        self.depths_set = false;
        self.code_units = 0;
        let b = self.new_block();
        self.entry = b;
        self.cur = b;
        self.fill_from_sequence(seq)
    }

    /// The body of [`from_sequence`](Self::from_sequence), on a graph holding one empty entry block.
    fn fill_from_sequence(&mut self, seq: &InstrSequence) -> Result<(), CfgError> {
        let n = seq.len();
        let mut offset2lbl = std::mem::take(&mut self.offset2lbl);
        offset2lbl.clear();
        offset2lbl.resize(n + 1, -1);
        self.prescan = None;
        self.prescan_targets.clear();
        let r = self.fill_with(seq, &mut offset2lbl);
        self.offset2lbl = offset2lbl;
        self.prescan = r.as_ref().ok().copied();
        r.map(|_| ())
    }

    /// Returns the union of the copied instructions' property bits.
    fn fill_with(&mut self, seq: &InstrSequence, offset2lbl: &mut [i64]) -> Result<u16, CfgError> {
        // 3.13+ build the CFG from the finished instruction sequence, starting blocks only at
        // labels some instruction jumps to (3.12 started one at every label used). A label is
        // first recorded as `-l - 2` (negative: no block yet) and made `l` when a jump targets
        // it, so every later test for a block start stays `>= 0`.
        let n = seq.len();
        let only_targeted = self.ops.release.features().blocks_at_jump_targets_only;
        for l in 0..seq.label_count() {
            if let Some(pos) = seq.label_position(pycode_instr::Label(l as u32)) {
                if let Some(slot) = offset2lbl.get_mut(pos) {
                    *slot = if only_targeted { -(l as i64) - 2 } else { l as i64 };
                }
            }
        }
        let instrs = seq.instrs();
        if only_targeted {
            for instr in instrs {
                if self.ops.has_target(instr.opcode) {
                    if let Some(pos) = instr.target.and_then(|t| seq.label_position(t)) {
                        if let Some(slot) = offset2lbl.get_mut(pos) {
                            if *slot <= -2 {
                                *slot = -*slot - 2;
                            }
                        }
                    }
                }
            }
        }
        let g = self;
        // Blocks start at labels and after terminators: usually about one per label.
        g.blocks.reserve(seq.label_count() + 1);
        let mut i = 0usize;
        let mut seen: u16 = 0;
        while i < n && i < instrs.len() {
            // `use_label` + `addop` for instruction i, which may start a block ...
            let lbl = offset2lbl.get(i).copied().unwrap_or(-1);
            if lbl >= 0 {
                g.current_label = lbl;
            }
            let before = g.cur;
            g.maybe_start_new_block();
            if g.cur != before {
                let created = if lbl >= 0 { seq.label_created_at(pycode_instr::Label(lbl as u32)) } else { None };
                let alloc = match created {
                    Some(t) => u64::from(t) * 2,
                    None => i as u64 * 2 + 1,
                };
                if let Some(b) = g.blocks.get_mut(g.cur as usize) {
                    b.alloc = alloc;
                }
            }
            // ... and the instructions up to the next label or just after a terminator, in
            // one walk (a reused block vector rarely grows).
            let ops = &g.ops;
            let cur = g.cur;
            let targets = &mut g.prescan_targets;
            let items = &mut g.blocks.get_mut(cur as usize).ok_or(CfgError::Internal("current block"))?.instrs;
            while let Some(instr) = instrs.get(i) {
                let p = ops.props(instr.opcode);
                seen |= p;
                let mut oparg = instr.oparg as i32;
                if p & P_HAS_TARGET != 0 {
                    targets.push((cur, items.len() as u32));
                    let t = instr.target.ok_or(CfgError::BadLabel(-1))?;
                    let pos = seq.label_position(t).ok_or(CfgError::BadLabel(i64::from(t.0)))?;
                    let l = offset2lbl.get(pos).copied().unwrap_or(-1);
                    if l < 0 {
                        return Err(CfgError::BadLabel(i64::from(t.0)));
                    }
                    oparg = l as i32;
                }
                items.push(CfgInstr::new(instr.opcode, oparg, instr.loc));
                i += 1;
                if p & P_TERMINATOR != 0 || offset2lbl.get(i).is_some_and(|&l| l >= 0) {
                    break;
                }
            }
        }
        // A label bound after the last instruction: give it an (empty) block.
        if let Some(&lbl) = offset2lbl.get(n) {
            if lbl >= 0 {
                g.use_label_inner(lbl);
            }
        }
        Ok(seen)
    }

    /// Builds from CPython's test format: `(opcode, oparg, location)` where targets are
    /// instruction indices (`_testinternalcapi` `instructions_to_cfg`).
    pub fn from_indexed(ops: Ops, items: &[(u16, i64, Location)]) -> Result<Cfg, CfgError> {
        let n = items.len();
        let mut is_target = vec![false; n + 1];
        for &(op, arg, _) in items {
            if ops.has_target(op) {
                match usize::try_from(arg).ok().and_then(|a| is_target.get_mut(a)) {
                    Some(t) => *t = true,
                    None => return Err(CfgError::BadLabel(arg)),
                }
            }
        }
        let mut g = Cfg::new(ops);
        for (i, &(op, arg, loc)) in items.iter().enumerate() {
            if is_target.get(i).copied().unwrap_or(false) {
                g.use_label(i as i64);
            }
            let arg = i32::try_from(arg).map_err(|_| CfgError::BadOparg { opcode: op, oparg: -1 })?;
            g.addop(op, arg, loc);
        }
        Ok(g)
    }
}
