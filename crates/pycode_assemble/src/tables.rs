//! The byte formats of `Python/assemble.c`: instruction encoding (`write_instr`), the location
//! table (`write_location_info_entry` and friends) and the exception table
//! (`assemble_exception_table`). See `docs/linetable.md` and `docs/exception_table.md`.

use pycode_flowgraph::{BasicBlock, BlockId, Cfg, CfgInstr, Ops, OutInstr, NO_BLOCK};
use pycode_instr::Location;

use crate::AssembleError;

/// `assemble_emit_instr` / `write_instr` for every instruction: `EXTENDED_ARG` prefixes, the
/// instruction, then its inline `CACHE` entries. An opcode that is not a real instruction of
/// the release (a pseudo-op left over, or a stand-in for an opcode the release lacks) is an
/// error, never a written byte.
pub fn assemble_bytecode(ops: &Ops, instrs: &[OutInstr]) -> Result<Vec<u8>, AssembleError> {
    let mut out = Vec::with_capacity(instrs.len() * 4);
    for ins in instrs {
        write_instr(&mut out, ops, ins.opcode, ins.oparg)?;
    }
    Ok(out)
}

/// `write_instr` for one instruction; returns its size in code units.
#[inline(always)]
fn write_instr(out: &mut Vec<u8>, ops: &Ops, opcode: u16, oparg: i32) -> Result<u32, AssembleError> {
    let ext = u8::try_from(ops.EXTENDED_ARG).unwrap_or(0);
    let oparg = oparg as u32;
    let mut isize = 1u32;
    if oparg >= 0x100 {
        if oparg >= 0x1_0000 {
            if oparg >= 0x100_0000 {
                out.extend_from_slice(&[ext, (oparg >> 24) as u8]);
                isize += 1;
            }
            out.extend_from_slice(&[ext, (oparg >> 16) as u8]);
            isize += 1;
        }
        out.extend_from_slice(&[ext, (oparg >> 8) as u8]);
        isize += 1;
    }
    out.extend_from_slice(&[real_opcode(ops, opcode)?, oparg as u8]);
    let caches = ops.cache_entries(opcode);
    if caches > 0 {
        let cache = u8::try_from(ops.CACHE).unwrap_or(0);
        if cache == 0 {
            out.resize(out.len() + 2 * caches as usize, 0);
        } else {
            for _ in 0..caches {
                out.extend_from_slice(&[cache, 0]);
            }
        }
        isize += caches;
    }
    Ok(isize)
}

/// `op` as the byte written for it, when it is a real instruction of the release.
#[inline]
fn real_opcode(ops: &Ops, op: u16) -> Result<u8, AssembleError> {
    match u8::try_from(op) {
        Ok(b) if ops.is_real(op) => Ok(b),
        _ => Err(AssembleError::AbsentOpcode { release: ops.release, opcode: op, name: Ops::absent_name(op) }),
    }
}

/// Location-table writer state (`struct assembler`'s `a_linetable` / `a_lineno`), with the run
/// of instructions not written yet: its location and size in code units.
struct LineTable {
    out: Vec<u8>,
    lineno: i32,
    loc: Location,
    size: u32,
    /// 3.11 writes one entry (or more, 8 code units each) per instruction; 3.12+ one per run
    /// of instructions with the same location.
    per_instr: bool,
}

/// Location entry codes (`_PyCodeLocationInfoKind`).
const CODE_SHORT0: u8 = 0;
const CODE_ONE_LINE0: u8 = 10;
const CODE_NO_COLUMNS: u8 = 13;
const CODE_LONG: u8 = 14;
const CODE_NONE: u8 = 15;

/// The first byte of a location entry: entry code and instruction length (1 to 8 code units).
#[inline]
fn first_byte(code: u8, length: u32) -> u8 {
    0x80 | (code << 3) | ((length.wrapping_sub(1)) as u8 & 7)
}

impl LineTable {
    fn new(ops: &Ops, firstlineno: i32, capacity: usize) -> Self {
        let per_instr = ops.release.features().assemble_3_11;
        LineTable { out: Vec::with_capacity(capacity), lineno: firstlineno, loc: Location::NO_LOCATION, size: 0, per_instr }
    }

    /// One instruction of `isize` code units at `loc` (`assemble_location_info`'s loop).
    #[inline(always)]
    fn add(&mut self, loc: Location, isize: u32) {
        if loc != self.loc || self.per_instr {
            self.emit(self.loc, self.size);
            self.loc = loc;
            self.size = 0;
        }
        self.size += isize;
    }

    /// The table, with the last run written.
    fn finish(mut self) -> Vec<u8> {
        self.emit(self.loc, self.size);
        self.out
    }

    /// `write_location_first_byte`
    #[inline]
    fn first_byte(&mut self, code: u8, length: u32) {
        self.out.push(first_byte(code, length));
    }

    /// `write_location_varint`
    fn varint(&mut self, mut val: u32) {
        while val >= 64 {
            self.out.push(64 | (val & 63) as u8);
            val >>= 6;
        }
        self.out.push(val as u8);
    }

    /// `write_location_signed_varint`
    fn svarint(&mut self, val: i32) {
        let u = if val < 0 { ((val as u32).wrapping_neg() << 1) | 1 } else { (val as u32) << 1 };
        self.varint(u);
    }

    /// `write_location_info_entry`, inline for the forms most entries take (one line, columns
    /// known: the short form, or the one-line form for a line delta of 0 to 2); the other forms
    /// are written by [`entry_other`](Self::entry_other).
    #[inline(always)]
    fn entry(&mut self, loc: Location, isize: u32) {
        let column = loc.col_offset;
        let end_column = loc.end_col_offset;
        if loc.lineno >= 0 && loc.end_lineno == loc.lineno && column >= 0 && end_column >= 0 {
            let line_delta = loc.lineno.wrapping_sub(self.lineno);
            if line_delta == 0 && column < 80 && end_column - column < 16 && end_column >= column {
                let col = column as u32;
                let second = (((col % 8) << 4) | (end_column - column) as u32) as u8;
                self.out.extend_from_slice(&[first_byte(CODE_SHORT0 + (col / 8) as u8, isize), second]);
                return;
            }
            if (0..3).contains(&line_delta) && column < 128 && end_column < 128 {
                let first = first_byte(CODE_ONE_LINE0 + line_delta as u8, isize);
                self.out.extend_from_slice(&[first, column as u8, end_column as u8]);
                self.lineno = loc.lineno;
                return;
            }
        }
        self.entry_other(loc, isize);
    }

    /// `write_location_info_entry` for what [`entry`](Self::entry) does not write inline: no
    /// location, no columns, and the long form.
    #[inline(never)]
    fn entry_other(&mut self, loc: Location, isize: u32) {
        if loc.lineno < 0 {
            self.first_byte(CODE_NONE, isize);
            return;
        }
        let line_delta = loc.lineno.wrapping_sub(self.lineno);
        let column = loc.col_offset;
        let end_column = loc.end_col_offset;
        if (column < 0 || end_column < 0) && (loc.end_lineno == loc.lineno || loc.end_lineno == -1) {
            self.first_byte(CODE_NO_COLUMNS, isize);
            self.svarint(line_delta);
            self.lineno = loc.lineno;
            return;
        }
        // A one-line location with columns that takes the short or one-line form never gets
        // here (`entry` wrote it): what is left is the long form,
        // write_location_info_long_form.
        self.first_byte(CODE_LONG, isize);
        self.svarint(line_delta);
        self.varint(loc.end_lineno.wrapping_sub(loc.lineno) as u32);
        self.varint(column.wrapping_add(1) as u32);
        self.varint(end_column.wrapping_add(1) as u32);
        self.lineno = loc.lineno;
    }

    /// `assemble_emit_location`: entries cover at most 8 code units.
    #[inline(always)]
    fn emit(&mut self, loc: Location, isize: u32) {
        if isize == 0 {
            return;
        }
        if isize > 8 {
            self.emit_long(loc, isize);
        } else {
            self.entry(loc, isize);
        }
    }

    /// [`emit`](Self::emit) for a run of more than 8 code units.
    #[inline(never)]
    fn emit_long(&mut self, loc: Location, mut isize: u32) {
        while isize > 8 {
            self.entry(loc, 8);
            isize -= 8;
        }
        self.entry(loc, isize);
    }
}

/// `assemble_location_info`: the PEP 626/657 location table (`co_linetable`).
pub fn assemble_linetable(ops: &Ops, instrs: &[OutInstr], firstlineno: i32) -> Vec<u8> {
    let mut t = LineTable::new(ops, firstlineno, instrs.len() * 2);
    for ins in instrs {
        t.add(ins.loc, ops.instr_size(ins.opcode, ins.oparg));
    }
    t.finish()
}

/// `assemble_emit_exception_table_item`: 6-bit big-endian groups, bit 6 = continuation,
/// bit 7 marks the first item of an entry.
fn except_item(out: &mut Vec<u8>, value: u32, mut msb: u8) {
    const CONT: u8 = 64;
    for shift in [24u32, 18, 12, 6] {
        if value >= 1 << shift {
            out.push((((value >> shift) & 0x3f) as u8) | CONT | msb);
            msb = 0;
        }
    }
    out.push((value & 0x3f) as u8 | msb);
}

/// `assemble_exception_table` (`co_exceptiontable`): one entry per run of instructions sharing
/// a handler. Offsets are in code units.
pub fn assemble_exception_table(ops: &Ops, instrs: &[OutInstr]) -> Vec<u8> {
    if instrs.iter().all(|ins| ins.handler.label < 0) {
        return Vec::new();
    }
    let mut offsets = Vec::with_capacity(instrs.len());
    let mut off = 0u32;
    for ins in instrs {
        offsets.push(off);
        off += ops.instr_size(ins.opcode, ins.oparg);
    }
    let mut out = Vec::new();
    let mut emit = |start: u32, end: u32, h: &pycode_flowgraph::ExceptHandlerInfo| {
        let target = usize::try_from(h.label).ok().and_then(|l| offsets.get(l)).copied().unwrap_or(0);
        except_entry(&mut out, start, end, target, h.startdepth, h.preserve_lasti);
    };
    let mut handler = pycode_flowgraph::ExceptHandlerInfo { label: -1, startdepth: -1, preserve_lasti: false };
    let mut start = 0u32;
    for (ins, &ioffset) in instrs.iter().zip(offsets.iter()) {
        if ins.handler.label != handler.label {
            if handler.label >= 0 {
                emit(start, ioffset, &handler);
            }
            start = ioffset;
            handler = ins.handler;
        }
    }
    if handler.label >= 0 {
        emit(start, off, &handler);
    }
    out
}

/// `co_code`, `co_linetable` and `co_exceptiontable` of one code object.
pub(crate) struct Tables {
    pub code: Vec<u8>,
    pub linetable: Vec<u8>,
    pub exceptiontable: Vec<u8>,
}

/// The three byte strings of one code object, written straight from the laid-out CFG after
/// `_PyCfg_ResolveJumps` in one walk over its instructions: the same bytes as
/// [`assemble_bytecode`], [`assemble_linetable`] and [`assemble_exception_table`] over
/// `cfg_to_instr_sequence`'s output, without building that sequence. A handler is named by
/// its block's code offset (set by jump resolution), which is what the sequence's handler
/// index turns into; two handlers at one offset (an empty block before another) are one.
pub(crate) fn assemble_from_cfg(ops: &Ops, g: &Cfg, firstlineno: i32) -> Result<Tables, AssembleError> {
    // The blocks in layout order (the `next` chain from the entry), counted first.
    let chain = |mut b: BlockId| {
        std::iter::from_fn(move || {
            let blk = g.block(b)?;
            b = blk.next;
            Some(blk)
        })
        .take(g.blocks.len())
    };
    // The instruction count, and the code's size in code units (final since jump
    // resolution), so no buffer grows while writing.
    let n: usize = chain(g.entry).map(|blk| blk.instrs.len()).sum();
    let units = g.code_units() as usize;
    let mut code = Vec::with_capacity(2 * units.max(n));
    let mut t = LineTable::new(ops, firstlineno, 3 * n);
    let mut exc = Vec::new();
    let mut off = 0u32;
    // The current run of instructions sharing a handler: its start, the handler's offset (-1
    // for none), depth and `preserve_lasti`; `last_except` caches the last block looked up.
    let mut run_start = 0u32;
    let mut run_target: i64 = -1;
    let mut run_depth = 0i32;
    let mut run_lasti = false;
    let mut last_except: BlockId = NO_BLOCK;
    let mut cur_target: i64 = -1;
    let mut cur_depth = 0i32;
    let mut cur_lasti = false;
    for blk in chain(g.entry) {
        for (i, ins) in blk.instrs.iter().enumerate() {
            if ins.except != last_except {
                last_except = ins.except;
                if ins.except == NO_BLOCK {
                    cur_target = -1;
                } else {
                    let h = g.block(ins.except).ok_or(AssembleError::Metadata("dangling handler block"))?;
                    cur_target = i64::from(h.offset);
                    cur_depth = h.startdepth;
                    cur_lasti = h.preserve_lasti;
                }
            }
            if cur_target != run_target {
                if run_target >= 0 {
                    except_entry(&mut exc, run_start, off, u32::try_from(run_target).unwrap_or(0), run_depth, run_lasti);
                }
                run_start = off;
                run_target = cur_target;
                run_depth = cur_depth;
                run_lasti = cur_lasti;
            }
            let isize = write_instr(&mut code, ops, ins.opcode, ins.oparg)?;
            let iloc = if ins.loc == Location::NEXT_LOCATION {
                next_location(ops, chain(blk.next), blk.instrs.get(i..).unwrap_or_default())
            } else {
                ins.loc
            };
            t.add(iloc, isize);
            off += isize;
        }
    }
    if run_target >= 0 {
        except_entry(&mut exc, run_start, off, u32::try_from(run_target).unwrap_or(0), run_depth, run_lasti);
    }
    Ok(Tables { code, linetable: t.finish(), exceptiontable: exc })
}

/// `assemble_location_info` (3.14+) for a `NEXT_LOCATION` instruction, the first of `rest`
/// (the rest of its block), followed by the instructions of `later` blocks: the location of the
/// next instruction (resolved the same way), none for a terminator or at the end.
fn next_location<'a>(ops: &Ops, later: impl Iterator<Item = &'a BasicBlock>, rest: &[CfgInstr]) -> Location {
    for ins in rest.iter().chain(later.flat_map(|b| b.instrs.iter())) {
        if ins.loc != Location::NEXT_LOCATION {
            return ins.loc;
        }
        if ops.is_terminator(ins.opcode) {
            return Location::NO_LOCATION;
        }
    }
    Location::NO_LOCATION
}

/// One exception-table entry: the run `start..end` (code units) goes to `target` with the
/// handler block's start depth and `preserve_lasti`.
fn except_entry(out: &mut Vec<u8>, start: u32, end: u32, target: u32, startdepth: i32, preserve_lasti: bool) {
    let mut depth = startdepth - 1;
    if preserve_lasti {
        depth -= 1;
    }
    let depth_lasti = ((depth.max(0) as u32) << 1) | u32::from(preserve_lasti);
    except_item(out, start, 1 << 7);
    except_item(out, end.saturating_sub(start), 0);
    except_item(out, target, 0);
    except_item(out, depth_lasti, 0);
}
