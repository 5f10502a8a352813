//! Adjacent string pieces merged into one `Constant`, as `_PyPegen_concatenate_strings` does
//! (3.12+): a run of adjacent constants (empty `""` tokens included) becomes one constant spanning
//! from the run's first piece to its last, dropped if it is empty inside an f-string.

use pycode_ast::Pos;

/// Accumulates one run of literal pieces.
#[derive(Default)]
pub struct LitAcc {
    pub buf: Vec<u8>,
    pub pos: Option<Pos>,
    pub first_u: bool,
}

impl LitAcc {
    /// A piece that only counts when it is not empty (f-string middles, debug texts).
    pub fn add(&mut self, bytes: &[u8], pos: Pos, u: bool) {
        if !bytes.is_empty() {
            self.add_part(bytes, pos, u);
        }
    }

    /// A piece that counts even when empty (a whole STRING token).
    pub fn add_part(&mut self, bytes: &[u8], pos: Pos, u: bool) {
        match &mut self.pos {
            Some(p) => {
                p.end_lineno = pos.end_lineno;
                p.end_col_offset = pos.end_col_offset;
            }
            None => {
                self.first_u = u;
                self.pos = Some(pos);
            }
        }
        self.buf.extend_from_slice(bytes);
    }

    /// The run so far (text, position, kind 'u'), if any piece was added; resets the run.
    pub fn take(&mut self) -> Option<(Vec<u8>, Pos, bool)> {
        let pos = self.pos.take()?;
        Some((std::mem::take(&mut self.buf), pos, self.first_u))
    }
}
