//! Tables derived from a code object's raw fields: source positions (`co_positions()`), line
//! ranges (`co_lines()`), the legacy `co_lnotab`, the exception table as `dis` parses it, and the
//! `co_varnames` / `co_cellvars` / `co_freevars` / `co_nlocals` views of `co_localsplusnames`.
//!
//! The location table format is the one of CPython 3.11 to 3.14 (`Objects/locations.md` in the
//! CPython tree). Decoding follows `Objects/codeobject.c`; where the releases differ (only
//! `co_lines()` does: 3.12 started merging neighbouring ranges with the same line) the caller says
//! which behaviour it wants with [`LinesStyle`].
//!
//! Malformed tables never panic. CPython reads such tables past their end (undefined behaviour);
//! here a truncated entry reads missing bytes as zero and iteration stops at the end of the data.

/// The four components of one code unit's source span, as `co_positions()` yields them
/// (`None` where CPython yields `None`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Position {
    pub lineno: Option<i32>,
    pub end_lineno: Option<i32>,
    pub col_offset: Option<i32>,
    pub end_col_offset: Option<i32>,
}

/// One range of `co_lines()`: code offsets `start..end` (bytes) belong to `line`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineRange {
    pub start: i32,
    pub end: i32,
    pub line: Option<i32>,
}

/// Which release's `co_lines()` to reproduce.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinesStyle {
    /// CPython 3.11: one range per table entry; negative lines are `None`.
    PerEntry,
    /// CPython 3.12 and later: neighbouring entries with the same line are merged; only `-1`
    /// is `None`.
    Merged,
}

/// `PY_CODE_LOCATION_INFO_*` codes.
const INFO_NONE: u8 = 15;
const INFO_LONG: u8 = 14;
const INFO_NO_COLUMNS: u8 = 13;
const INFO_ONE_LINE0: u8 = 10;
const INFO_ONE_LINE2: u8 = 12;

/// A reader over the location table; mirrors the `opaque` part of CPython's `PyCodeAddressRange`.
struct Cursor<'a> {
    table: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn at_end(&self) -> bool {
        self.pos >= self.table.len()
    }

    /// `read_byte`; past the end yields 0 (so a truncated varint ends).
    fn read_byte(&mut self) -> u32 {
        let b = self.table.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        b as u32
    }

    /// `read_varint`: little-endian groups of 6 bits, bit 6 = continuation.
    fn read_varint(&mut self) -> u32 {
        let mut read = self.read_byte();
        let mut val = read & 63;
        let mut shift = 0u32;
        while read & 64 != 0 {
            read = self.read_byte();
            shift += 6;
            if shift < 32 {
                val |= (read & 63) << shift;
            }
        }
        val
    }

    /// `read_signed_varint`.
    fn read_signed_varint(&mut self) -> i32 {
        let uval = self.read_varint();
        if uval & 1 != 0 {
            ((uval >> 1) as i32).wrapping_neg()
        } else {
            (uval >> 1) as i32
        }
    }
}

/// Mirrors `get_line_delta` in `Objects/codeobject.c`: the line change an entry starting at
/// `pos` makes, without consuming it.
fn get_line_delta(table: &[u8], pos: usize) -> i32 {
    let Some(&first) = table.get(pos) else { return 0 };
    let code = (first >> 3) & 15;
    match code {
        INFO_NONE => 0,
        INFO_NO_COLUMNS | INFO_LONG => Cursor { table, pos: pos + 1 }.read_signed_varint(),
        INFO_ONE_LINE0..=INFO_ONE_LINE2 => (code - INFO_ONE_LINE0) as i32,
        _ => 0,
    }
}

/// `is_no_line_marker`.
fn is_no_line_marker(b: u8) -> bool {
    (b >> 3) == 0x1f
}

/// Mirrors `PyCodeAddressRange` with `advance` / `retreat` (the parts `co_lines()` uses).
struct AddressRange<'a> {
    table: &'a [u8],
    lo_next: usize,
    computed_line: i32,
    ar_start: i32,
    ar_end: i32,
    ar_line: i32,
}

impl<'a> AddressRange<'a> {
    /// `_PyLineTable_InitAddressRange`.
    fn new(table: &'a [u8], firstlineno: i32) -> Self {
        Self { table, lo_next: 0, computed_line: firstlineno, ar_start: -1, ar_end: 0, ar_line: -1 }
    }

    fn at_end(&self) -> bool {
        self.lo_next >= self.table.len()
    }

    /// `advance`.
    fn advance(&mut self) {
        let first = self.table.get(self.lo_next).copied().unwrap_or(0);
        self.computed_line = self.computed_line.wrapping_add(get_line_delta(self.table, self.lo_next));
        self.ar_line = if is_no_line_marker(first) { -1 } else { self.computed_line };
        self.ar_start = self.ar_end;
        self.ar_end = self.ar_end.wrapping_add((((first & 7) as i32) + 1) * 2);
        loop {
            self.lo_next += 1;
            match self.table.get(self.lo_next) {
                Some(b) if b & 128 == 0 => continue,
                _ => break,
            }
        }
    }

    /// `retreat`, as far as `co_lines()` needs it: steps back over the entry just advanced over
    /// (its line delta is undone; `ar_end` becomes that entry's start).
    fn retreat(&mut self) {
        while self.lo_next > 0 {
            self.lo_next -= 1;
            match self.table.get(self.lo_next) {
                Some(b) if b & 128 == 0 => continue,
                _ => break,
            }
        }
        self.computed_line = self.computed_line.wrapping_sub(get_line_delta(self.table, self.lo_next));
        self.ar_end = self.ar_start;
    }

    /// `_PyLineTable_NextAddressRange`.
    fn next_range(&mut self) -> bool {
        if self.at_end() {
            return false;
        }
        self.advance();
        true
    }
}

/// `co_lines()` of a code object with location table `table` and `co_firstlineno` `firstlineno`.
/// Mirrors `lineiter_next` of the chosen release.
pub fn co_lines(table: &[u8], firstlineno: i32, style: LinesStyle) -> Vec<LineRange> {
    let mut out = Vec::new();
    let mut bounds = AddressRange::new(table, firstlineno);
    match style {
        LinesStyle::PerEntry => {
            while bounds.next_range() {
                let line = bounds.ar_line;
                out.push(LineRange { start: bounds.ar_start, end: bounds.ar_end, line: (line >= 0).then_some(line) });
            }
        }
        LinesStyle::Merged => {
            while bounds.next_range() {
                let start = bounds.ar_start;
                let line = bounds.ar_line;
                while bounds.next_range() {
                    if bounds.ar_line != line {
                        // `_PyLineTable_PreviousAddressRange` (never at offset 0 here).
                        bounds.retreat();
                        break;
                    }
                }
                out.push(LineRange { start, end: bounds.ar_end, line: (line != -1).then_some(line) });
            }
        }
    }
    out
}

/// Iterator mirroring CPython's `positionsiterator` (`co_positions()`): one [`Position`] per
/// code unit, for as many code units as the table covers.
pub struct Positions<'a> {
    cur: Cursor<'a>,
    computed_line: i32,
    offset: i32,
    ar_end: i32,
    line: i32,
    end_line: i32,
    column: i32,
    end_column: i32,
}

impl<'a> Positions<'a> {
    pub fn new(table: &'a [u8], firstlineno: i32) -> Self {
        Self {
            cur: Cursor { table, pos: 0 },
            computed_line: firstlineno,
            offset: 0,
            ar_end: 0,
            line: -1,
            end_line: -1,
            column: -1,
            end_column: -1,
        }
    }

    /// `advance_with_locations`.
    fn advance_with_locations(&mut self) {
        let first = self.cur.read_byte() as u8;
        let code = (first >> 3) & 15;
        self.ar_end = self.ar_end.wrapping_add((((first & 7) as i32) + 1) * 2);
        match code {
            INFO_NONE => {
                self.line = -1;
                self.end_line = -1;
                self.column = -1;
                self.end_column = -1;
            }
            INFO_LONG => {
                self.computed_line = self.computed_line.wrapping_add(self.cur.read_signed_varint());
                self.line = self.computed_line;
                self.end_line = self.line.wrapping_add(self.cur.read_varint() as i32);
                self.column = (self.cur.read_varint() as i32).wrapping_sub(1);
                self.end_column = (self.cur.read_varint() as i32).wrapping_sub(1);
            }
            INFO_NO_COLUMNS => {
                self.computed_line = self.computed_line.wrapping_add(self.cur.read_signed_varint());
                self.line = self.computed_line;
                self.end_line = self.line;
                self.column = -1;
                self.end_column = -1;
            }
            INFO_ONE_LINE0..=INFO_ONE_LINE2 => {
                self.computed_line = self.computed_line.wrapping_add((code - INFO_ONE_LINE0) as i32);
                self.line = self.computed_line;
                self.end_line = self.line;
                self.column = self.cur.read_byte() as i32;
                self.end_column = self.cur.read_byte() as i32;
            }
            _ => {
                let second = self.cur.read_byte() as i32;
                self.line = self.computed_line;
                self.end_line = self.line;
                self.column = (code as i32) << 3 | (second >> 4);
                self.end_column = self.column + (second & 15);
            }
        }
    }
}

fn opt(v: i32) -> Option<i32> {
    (v != -1).then_some(v)
}

impl Iterator for Positions<'_> {
    type Item = Position;

    fn next(&mut self) -> Option<Position> {
        if self.offset >= self.ar_end {
            if self.cur.at_end() {
                return None;
            }
            self.advance_with_locations();
        }
        self.offset = self.offset.wrapping_add(2);
        Some(Position {
            lineno: opt(self.line),
            end_lineno: opt(self.end_line),
            col_offset: opt(self.column),
            end_col_offset: opt(self.end_column),
        })
    }
}

/// `co_positions()` as a vector.
pub fn co_positions(table: &[u8], firstlineno: i32) -> Vec<Position> {
    Positions::new(table, firstlineno).collect()
}

/// `co_lnotab` as CPython 3.11–3.14 compute it from the location table (`decode_linetable`).
pub fn co_lnotab(table: &[u8], firstlineno: i32) -> Vec<u8> {
    fn emit(out: &mut Vec<u8>, mut bdelta: i32, mut ldelta: i32) {
        while bdelta > 255 {
            out.extend_from_slice(&[255, 0]);
            bdelta -= 255;
        }
        while ldelta > 127 {
            out.extend_from_slice(&[bdelta as u8, 127]);
            bdelta = 0;
            ldelta -= 127;
        }
        while ldelta < -128 {
            out.extend_from_slice(&[bdelta as u8, (-128i8) as u8]);
            bdelta = 0;
            ldelta += 128;
        }
        out.extend_from_slice(&[bdelta as u8, ldelta as u8]);
    }
    let mut out = Vec::new();
    let mut bounds = AddressRange::new(table, firstlineno);
    let mut code_offset = 0i32;
    let mut line = firstlineno;
    while bounds.next_range() {
        if bounds.computed_line != line {
            emit(&mut out, bounds.ar_start - code_offset, bounds.computed_line.wrapping_sub(line));
            code_offset = bounds.ar_start;
            line = bounds.computed_line;
        }
    }
    out
}

/// One entry of the exception table (`dis._ExceptionTableEntry`); offsets in bytes, `end`
/// exclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExceptionTableEntry {
    pub start: u64,
    pub end: u64,
    pub target: u64,
    pub depth: u64,
    pub lasti: bool,
}

/// `dis._parse_exception_table`: reads entries until the data runs out (a partial last entry is
/// dropped, as in `dis`). Varints here are big-endian groups of 6 bits, bit 6 = continuation.
/// Values are clamped instead of overflowing (only absurd tables reach that).
pub fn parse_exception_table(table: &[u8]) -> Vec<ExceptionTableEntry> {
    fn varint(table: &[u8], pos: &mut usize) -> Option<u64> {
        let mut b = *table.get(*pos)?;
        *pos += 1;
        let mut val = (b & 63) as u64;
        while b & 64 != 0 {
            b = *table.get(*pos)?;
            *pos += 1;
            val = val.saturating_mul(64) | (b & 63) as u64;
        }
        Some(val)
    }
    let mut out = Vec::new();
    let mut pos = 0usize;
    loop {
        let entry = (|| {
            let start = varint(table, &mut pos)?.saturating_mul(2);
            let length = varint(table, &mut pos)?.saturating_mul(2);
            let target = varint(table, &mut pos)?.saturating_mul(2);
            let dl = varint(table, &mut pos)?;
            Some(ExceptionTableEntry { start, end: start.saturating_add(length), target, depth: dl >> 1, lasti: dl & 1 != 0 })
        })();
        match entry {
            Some(e) => out.push(e),
            None => return out,
        }
    }
}

/// The views of `co_localsplusnames` that code objects expose, computed from the kinds as
/// `get_localsplus_counts` / `get_localsplus_names` in `Objects/codeobject.c` do: a name whose
/// kind has several of the `CO_FAST_LOCAL`/`CELL`/`FREE` bits appears in each matching view.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LocalsPlus {
    /// Indices into `co_localsplusnames` of `co_varnames`.
    pub varnames: Vec<usize>,
    /// Indices of `co_cellvars`.
    pub cellvars: Vec<usize>,
    /// Indices of `co_freevars`.
    pub freevars: Vec<usize>,
    /// `co_nlocals`.
    pub nlocals: usize,
}

impl LocalsPlus {
    /// From the `co_localspluskinds` bytes. Works for 3.11 to 3.14: 3.12's `CO_FAST_HIDDEN`
    /// locals also carry `CO_FAST_LOCAL` and so are part of `co_varnames`.
    pub fn from_kinds(kinds: &[u8]) -> Self {
        use crate::fast_kind::{CELL, FREE, LOCAL};
        let mut lp = LocalsPlus::default();
        for (i, &k) in kinds.iter().enumerate() {
            if k & LOCAL != 0 {
                lp.varnames.push(i);
                lp.nlocals += 1;
            }
            if k & CELL != 0 {
                lp.cellvars.push(i);
            }
            if k & FREE != 0 {
                lp.freevars.push(i);
            }
        }
        lp
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Table of `def f(a, b):\n    x = (a +\n b)\n    return x.y(a, b)\n` compiled by CPython 3.12.1.
    const T312: &str = "8000d8090ad80102f103010a038041e00b0c8f338933887190218b39d00414";

    fn unhex(s: &str) -> Vec<u8> {
        (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
    }

    #[test]
    fn lines_merged_like_312() {
        let t = unhex(T312);
        let got: Vec<_> = co_lines(&t, 1, LinesStyle::Merged).iter().map(|r| (r.start, r.end, r.line)).collect();
        assert_eq!(got, vec![(0, 2, Some(1)), (2, 4, Some(2)), (4, 6, Some(3)), (6, 12, Some(2)), (12, 48, Some(4))]);
    }

    #[test]
    fn positions_like_312() {
        let t = unhex(T312);
        let p = co_positions(&t, 1);
        assert_eq!(p.len(), 24);
        assert_eq!(p[1], Position { lineno: Some(2), end_lineno: Some(2), col_offset: Some(9), end_col_offset: Some(10) });
        assert_eq!(p[3], Position { lineno: Some(2), end_lineno: Some(3), col_offset: Some(9), end_col_offset: Some(2) });
        assert_eq!(p[23], Position { lineno: Some(4), end_lineno: Some(4), col_offset: Some(4), end_col_offset: Some(20) });
    }

    #[test]
    fn malformed_tables_do_not_panic() {
        for t in [&b"\xf0"[..], b"\x70\x70", b"\xf5\xff\xff", b"\x80", b"\xff\xff\xff\xff\xff\xff\xff\xff\xff"] {
            let _ = co_lines(t, 1, LinesStyle::Merged);
            let _ = co_lines(t, i32::MAX, LinesStyle::PerEntry);
            let _ = co_positions(t, i32::MIN);
            let _ = co_lnotab(t, 1);
            let _ = parse_exception_table(t);
        }
    }

    #[test]
    fn exception_table() {
        // start=2, len=4, target=10, depth=1, lasti
        let e = parse_exception_table(&[0x81, 0x02, 0x05, 0x03]);
        assert_eq!(e, vec![ExceptionTableEntry { start: 2, end: 6, target: 10, depth: 1, lasti: true }]);
        assert!(parse_exception_table(&[0x01, 0x02, 0x05]).is_empty());
    }
}
