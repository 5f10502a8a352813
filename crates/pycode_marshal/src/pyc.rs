//! `.pyc` files: a 16-byte header (PEP 552) followed by the marshalled module code object.
//!
//! Header layout, all little-endian: the release's magic (`u16` + `b"\r\n"`), a flags word, then
//! either the source mtime and size (flags bit 0 clear) or the 8-byte source hash (bit 0 set; bit 1
//! asks the importer to check it). Mirrors `importlib._bootstrap_external._classify_pyc` and
//! `_code_to_timestamp_pyc` / `_code_to_hash_pyc`.

use pycode_object::{ObjId, ObjectGraph};
use pycode_release::Release;

use crate::error::{MarshalError, PycError};
use crate::read::loads_prefix;
use crate::write::{dump_into, DumpOptions};

/// Length of the `.pyc` header.
pub const PYC_HEADER_LEN: usize = 16;

/// How the importer decides whether a `.pyc` is up to date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PycKind {
    /// Flags 0: the source's mtime and size (each truncated to 32 bits).
    Timestamp { mtime: u32, source_size: u32 },
    /// Flags 1: hash-based, never checked against the source.
    UncheckedHash { source_hash: [u8; 8] },
    /// Flags 3: hash-based, checked against `source_hash` of the source.
    CheckedHash { source_hash: [u8; 8] },
}

/// A parsed `.pyc` header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PycHeader {
    /// The release picked from the magic number: the newest known release with that magic
    /// (3.11.2 and 3.11.7 share one, as do 3.12.1 and 3.12.7, and 3.13.0 and 3.13.2). The file
    /// does not say which patch wrote it: `Release::magic_family` names them all.
    pub release: Release,
    /// The raw flags word: 0, 1 or 3, or 2, which importlib accepts and treats as 0.
    pub flags: u32,
    pub kind: PycKind,
}

impl PycHeader {
    /// A header of `kind` for `release`, with the flags word CPython writes for it.
    pub fn new(release: Release, kind: PycKind) -> Self {
        let flags = match kind {
            PycKind::Timestamp { .. } => 0,
            PycKind::UncheckedHash { .. } => 1,
            PycKind::CheckedHash { .. } => 3,
        };
        Self { release, flags, kind }
    }

    /// Parses the first 16 bytes of `data`.
    pub fn parse(data: &[u8]) -> Result<Self, PycError> {
        let Some(h) = data.get(..PYC_HEADER_LEN) else {
            return Err(PycError::TooShort { len: data.len() });
        };
        let word = |i: usize| u32::from_le_bytes([h[i], h[i + 1], h[i + 2], h[i + 3]]);
        let raw = [h[0], h[1], h[2], h[3]];
        let Some(release) = Release::from_magic_bytes(raw) else {
            return Err(PycError::UnknownMagic { magic: u16::from_le_bytes([h[0], h[1]]), raw });
        };
        let flags = word(4);
        let mut tail = [0u8; 8];
        tail.copy_from_slice(&h[8..16]);
        let kind = match flags {
            0 | 2 => PycKind::Timestamp { mtime: word(8), source_size: word(12) },
            1 => PycKind::UncheckedHash { source_hash: tail },
            3 => PycKind::CheckedHash { source_hash: tail },
            _ => return Err(PycError::BadFlags { flags }),
        };
        Ok(Self { release, flags, kind })
    }

    /// The 16 header bytes. Fails when `flags` disagrees with `kind`.
    pub fn to_bytes(&self) -> Result<[u8; PYC_HEADER_LEN], PycError> {
        let consistent = matches!(
            (self.flags, self.kind),
            (0 | 2, PycKind::Timestamp { .. }) | (1, PycKind::UncheckedHash { .. }) | (3, PycKind::CheckedHash { .. })
        );
        if !consistent {
            return Err(PycError::InconsistentHeader { flags: self.flags });
        }
        let mut h = [0u8; PYC_HEADER_LEN];
        h[..4].copy_from_slice(&self.release.magic_bytes());
        h[4..8].copy_from_slice(&self.flags.to_le_bytes());
        match self.kind {
            PycKind::Timestamp { mtime, source_size } => {
                h[8..12].copy_from_slice(&mtime.to_le_bytes());
                h[12..16].copy_from_slice(&source_size.to_le_bytes());
            }
            PycKind::UncheckedHash { source_hash } | PycKind::CheckedHash { source_hash } => {
                h[8..16].copy_from_slice(&source_hash);
            }
        }
        Ok(h)
    }
}

/// A whole `.pyc`: header and the object graph of the marshalled code object.
#[derive(Clone, Debug, PartialEq)]
pub struct Pyc {
    pub header: PycHeader,
    pub graph: ObjectGraph,
    /// The root object (the module's code object for any `.pyc` CPython writes).
    pub root: ObjId,
}

impl Pyc {
    pub fn release(&self) -> Release {
        self.header.release
    }
}

/// Reads a `.pyc`: the header picks the release (and so the marshal version), then the rest must
/// be exactly one marshalled object. Trailing bytes are an error here, although CPython's
/// importer ignores them. Marshal error offsets count from the start of the file.
pub fn read_pyc(data: &[u8]) -> Result<Pyc, PycError> {
    let header = PycHeader::parse(data)?;
    let body = data.get(PYC_HEADER_LEN..).unwrap_or(&[]);
    let shift = |e: MarshalError| MarshalError { offset: e.offset + PYC_HEADER_LEN, ..e };
    let (graph, root, used) = loads_prefix(body, header.release.marshal_version()).map_err(shift)?;
    if used != body.len() {
        return Err(PycError::Marshal(MarshalError {
            offset: PYC_HEADER_LEN + used,
            kind: crate::MarshalErrorKind::TrailingData { len: body.len() - used },
        }));
    }
    Ok(Pyc { header, graph, root })
}

/// Writes a `.pyc`: the header, then `root` marshalled with the header release's marshal version
/// (set elements keep the graph's order).
pub fn write_pyc(header: &PycHeader, graph: &ObjectGraph, root: ObjId) -> Result<Vec<u8>, PycError> {
    let mut out = Vec::with_capacity(PYC_HEADER_LEN + crate::write::output_estimate(graph));
    out.extend_from_slice(&header.to_bytes()?);
    let opts = DumpOptions::new(header.release.marshal_version());
    dump_into(graph, root, &opts, &mut out)?;
    Ok(out)
}
