//! The codecs a PEP 263 declaration may name, as CPython's `codecs.lookup` finds them and as
//! `PyUnicode_Decode(..., errors="strict")` decodes with them: the UTF-8/16/32 family, ASCII,
//! Latin-1, every charmap codec of `encodings` and the stateless CJK multibyte codecs (tables
//! generated from CPython's own codecs by `gen/gen_codecs.py`). Failures carry the text of
//! CPython's `UnicodeDecodeError`.

use std::sync::OnceLock;

use crate::codec_tables::{CjkTable, ALIASES, CHARMAP, CJK, EUC_KR_CHO, EUC_KR_JONG, MODULES, NON_TEXT};

static BLOB: &[u8] = include_bytes!("codec_tables.bin");

fn word(i: usize) -> Option<u16> {
    let b = BLOB.get(2 * i..2 * i + 2)?;
    Some(u16::from_le_bytes([b[0], b[1]]))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endian {
    Little,
    Big,
}

/// A codec this implementation decodes.
#[derive(Clone, Copy)]
pub enum Codec {
    Utf8,
    Utf8Sig,
    Latin1,
    Ascii,
    /// Offset of the 256-entry table in the blob.
    Charmap(usize),
    /// `None`: `utf-16`/`utf-32`, byte order from a BOM, else little-endian (as on the oracles).
    Utf16(Option<Endian>),
    Utf32(Option<Endian>),
    Cjk(usize),
}

/// What `codecs.lookup(name)` (for a text decode) gives.
pub enum Lookup {
    Codec(Codec),
    /// A codec that is not a text encoding (`hex`, `rot13`, ...).
    NotText,
    /// No such codec (`LookupError: unknown encoding: NAME`).
    Unknown,
    /// A real codec this implementation does not decode (stateful ones such as `iso2022_jp`).
    Unsupported(&'static str),
}

/// `encodings.normalize_encoding` after lowercasing (what `codecs.lookup` searches with).
fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut punct = false;
    for c in name.chars() {
        if c.is_alphanumeric() || c == '.' {
            if punct && !out.is_empty() {
                out.push('_');
            }
            if c.is_ascii() {
                out.push(c.to_ascii_lowercase());
            }
            punct = false;
        } else {
            punct = true;
        }
    }
    out
}

/// Mirrors `codecs.lookup` through `encodings.search_function`: the alias table, then the
/// module of that name.
pub fn lookup(name: &str) -> Lookup {
    let norm = normalize(name);
    let find_alias = |n: &str| ALIASES.binary_search_by(|(a, _)| (*a).cmp(n)).ok().map(|i| ALIASES[i].1);
    let aliased = find_alias(&norm).or_else(|| find_alias(&norm.replace('.', "_")));
    let module = [aliased, Some(norm.as_str())].into_iter().flatten().find(|m| !m.is_empty() && !m.contains('.') && MODULES.contains(m));
    let Some(module) = module else { return Lookup::Unknown };
    if NON_TEXT.contains(&module) {
        return Lookup::NotText;
    }
    let codec = match module {
        "utf_8" => Codec::Utf8,
        "utf_8_sig" => Codec::Utf8Sig,
        "latin_1" | "charmap" => Codec::Latin1,
        "ascii" => Codec::Ascii,
        "utf_16" => Codec::Utf16(None),
        "utf_16_le" => Codec::Utf16(Some(Endian::Little)),
        "utf_16_be" => Codec::Utf16(Some(Endian::Big)),
        "utf_32" => Codec::Utf32(None),
        "utf_32_le" => Codec::Utf32(Some(Endian::Little)),
        "utf_32_be" => Codec::Utf32(Some(Endian::Big)),
        m => {
            if let Some((_, off)) = CHARMAP.iter().find(|(n, _)| *n == m) {
                Codec::Charmap(*off)
            } else if let Some(i) = CJK.iter().position(|t| t.name == m) {
                Codec::Cjk(i)
            } else {
                return Lookup::Unsupported(MODULES.iter().find(|x| **x == m).copied().unwrap_or("?"));
            }
        }
    };
    Lookup::Codec(codec)
}

/// A failed decode.
pub enum DecodeFailure {
    /// `str(UnicodeDecodeError)`.
    Error(String),
    /// The input uses a part of the codec this implementation does not follow.
    Unsupported(&'static str),
}

/// `str(UnicodeDecodeError(encoding, data, start, end, reason))`.
fn decode_error(encoding: &str, data: &[u8], start: usize, end: usize, reason: &str) -> DecodeFailure {
    DecodeFailure::Error(if end == start + 1 {
        format!("'{encoding}' codec can't decode byte 0x{:02x} in position {start}: {reason}", data.get(start).copied().unwrap_or(0))
    } else {
        format!("'{encoding}' codec can't decode bytes in position {start}-{}: {reason}", end.saturating_sub(1))
    })
}

/// CPython's UTF-8 decoder in strict mode (the maximal invalid subpart is the error range).
pub fn decode_utf8(data: &[u8]) -> Result<&str, DecodeFailure> {
    std::str::from_utf8(data).map_err(|e| {
        let start = e.valid_up_to();
        let byte = data.get(start).copied().unwrap_or(0);
        match e.error_len() {
            None => decode_error("utf-8", data, start, data.len(), "unexpected end of data"),
            Some(n) => {
                let reason = if (0x80..0xC2).contains(&byte) || byte >= 0xF5 { "invalid start byte" } else { "invalid continuation byte" };
                decode_error("utf-8", data, start, start + n, reason)
            }
        }
    })
}

/// `data.decode(codec)` (strict).
pub fn decode(codec: Codec, data: &[u8]) -> Result<String, DecodeFailure> {
    match codec {
        Codec::Utf8 => decode_utf8(data).map(str::to_owned),
        Codec::Utf8Sig => {
            let body = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
            decode_utf8(body).map(str::to_owned)
        }
        Codec::Latin1 => Ok(data.iter().map(|&b| b as char).collect()),
        Codec::Ascii => match data.iter().position(|&b| b >= 0x80) {
            Some(p) => Err(decode_error("ascii", data, p, p + 1, "ordinal not in range(128)")),
            None => Ok(data.iter().map(|&b| b as char).collect()),
        },
        Codec::Charmap(off) => {
            let mut s = String::with_capacity(data.len());
            for (pos, &b) in data.iter().enumerate() {
                match word(off + usize::from(b)).and_then(|u| if u == 0xFFFE { None } else { char::from_u32(u.into()) }) {
                    Some(c) => s.push(c),
                    None => return Err(decode_error("charmap", data, pos, pos + 1, "character maps to <undefined>")),
                }
            }
            Ok(s)
        }
        Codec::Utf16(order) => decode_utf16(data, order),
        Codec::Utf32(order) => decode_utf32(data, order),
        Codec::Cjk(i) => match CJK.get(i) {
            Some(t) => decode_cjk(t, i, data),
            None => Err(DecodeFailure::Unsupported("?")),
        },
    }
}

fn bom_order(data: &[u8], order: Option<Endian>, bom_le: &[u8], bom_be: &[u8]) -> (Endian, usize) {
    match order {
        Some(o) => (o, 0),
        None if data.starts_with(bom_le) => (Endian::Little, bom_le.len()),
        None if data.starts_with(bom_be) => (Endian::Big, bom_be.len()),
        None => (Endian::Little, 0),
    }
}

/// `utf_16_decode` / `utf_16_ex_decode` (strict).
fn decode_utf16(data: &[u8], order: Option<Endian>) -> Result<String, DecodeFailure> {
    let (end, mut i) = bom_order(data, order, b"\xFF\xFE", b"\xFE\xFF");
    let name = if end == Endian::Little { "utf-16-le" } else { "utf-16-be" };
    let unit = |k: usize| -> Option<u16> {
        let b = data.get(k..k + 2)?;
        Some(if end == Endian::Little { u16::from_le_bytes([b[0], b[1]]) } else { u16::from_be_bytes([b[0], b[1]]) })
    };
    let mut s = String::with_capacity(data.len() / 2);
    while i < data.len() {
        let Some(u) = unit(i) else {
            return Err(decode_error(name, data, i, data.len(), "truncated data"));
        };
        if !(0xD800..0xE000).contains(&u) {
            s.push(char::from_u32(u.into()).unwrap_or('\u{FFFD}'));
            i += 2;
        } else if u >= 0xDC00 {
            return Err(decode_error(name, data, i, i + 2, "illegal encoding"));
        } else {
            match unit(i + 2) {
                None => return Err(decode_error(name, data, i, data.len(), "unexpected end of data")),
                Some(lo) if (0xDC00..0xE000).contains(&lo) => {
                    let cp = 0x10000 + ((u32::from(u) - 0xD800) << 10) + (u32::from(lo) - 0xDC00);
                    s.push(char::from_u32(cp).unwrap_or('\u{FFFD}'));
                    i += 4;
                }
                Some(_) => return Err(decode_error(name, data, i, i + 2, "illegal UTF-16 surrogate")),
            }
        }
    }
    Ok(s)
}

/// `utf_32_decode` / `utf_32_ex_decode` (strict).
fn decode_utf32(data: &[u8], order: Option<Endian>) -> Result<String, DecodeFailure> {
    let (end, mut i) = bom_order(data, order, b"\xFF\xFE\x00\x00", b"\x00\x00\xFE\xFF");
    let name = if end == Endian::Little { "utf-32-le" } else { "utf-32-be" };
    let mut s = String::with_capacity(data.len() / 4);
    while i < data.len() {
        let Some(b) = data.get(i..i + 4) else {
            return Err(decode_error(name, data, i, data.len(), "truncated data"));
        };
        let cp =
            if end == Endian::Little { u32::from_le_bytes([b[0], b[1], b[2], b[3]]) } else { u32::from_be_bytes([b[0], b[1], b[2], b[3]]) };
        if cp >= 0x110000 {
            return Err(decode_error(name, data, i, i + 4, "code point not in range(0x110000)"));
        }
        match char::from_u32(cp) {
            Some(c) => s.push(c),
            None => return Err(decode_error(name, data, i, i + 4, "code point in surrogate code point range(0xd800, 0xe000)")),
        }
        i += 4;
    }
    Ok(s)
}

const ERR: u16 = 0xFFF0;
/// Index of euc_kr in `CJK` (it has make-up sequences).
const EUC_KR: usize = {
    let mut i = 0;
    while i < CJK.len() && !matches!(CJK[i].name.as_bytes(), b"euc_kr") {
        i += 1;
    }
    i
};
const UNSUPPORTED: u16 = 0xFFF9;
const GB18030_4: u16 = 0xFFFA;
const CHILD: u16 = 0xFFFB;

/// The expanded trie nodes of each CJK codec, built on first use.
static NODES: [OnceLock<Vec<[u16; 256]>>; CJK.len()] = [const { OnceLock::new() }; CJK.len()];

fn expand_node(mut off: usize) -> [u16; 256] {
    let mut out = [ERR + 1; 256];
    let mut n = 0usize;
    while n < 256 {
        let Some(h) = word(off) else { break };
        off += 1;
        let count = usize::from(h & 0x3FFF);
        match h >> 14 {
            0 => {
                for _ in 0..count {
                    if let (Some(v), Some(slot)) = (word(off), out.get_mut(n)) {
                        *slot = v;
                    }
                    off += 1;
                    n += 1;
                }
            }
            1 => {
                let v = word(off).unwrap_or(ERR + 1);
                off += 1;
                for _ in 0..count {
                    if let Some(slot) = out.get_mut(n) {
                        *slot = v;
                    }
                    n += 1;
                }
            }
            _ => {
                let v = word(off).unwrap_or(ERR + 1);
                off += 1;
                for k in 0..count {
                    if let Some(slot) = out.get_mut(n) {
                        *slot = v.wrapping_add(k as u16);
                    }
                    n += 1;
                }
            }
        }
    }
    out
}

fn nodes(t: &'static CjkTable, i: usize) -> &'static [[u16; 256]] {
    match NODES.get(i) {
        Some(cell) => cell.get_or_init(|| t.nodes.iter().map(|&off| expand_node(off)).collect()),
        None => &[],
    }
}

/// CPython's multibytecodec decoder in strict mode over a stateless CJK codec.
fn decode_cjk(t: &'static CjkTable, idx: usize, data: &[u8]) -> Result<String, DecodeFailure> {
    let nodes = nodes(t, idx);
    let mut s = String::with_capacity(data.len());
    let mut i = 0;
    let illegal = |start: usize, len: usize| decode_error(t.name, data, start, start + len, "illegal multibyte sequence");
    let incomplete = |start: usize| decode_error(t.name, data, start, data.len(), "incomplete multibyte sequence");
    while i < data.len() {
        if idx == EUC_KR && data.get(i..i + 2) == Some(b"\xA4\xD4") {
            // KS X 1001:1998 Annex 3 make-up sequence: A4 D4, then A4 + initial consonant,
            // A4 + vowel, A4 + final consonant (or D4 = none); one precomposed syllable.
            let Some(q) = data.get(i..i + 8) else { return Err(incomplete(i)) };
            if q[2] != 0xA4 || q[4] != 0xA4 || q[6] != 0xA4 {
                return Err(illegal(i, 1));
            }
            let jamo = |table: &[i8; 30], b: u8| b.checked_sub(0xA1).and_then(|k| table.get(usize::from(k))).copied();
            let cho = jamo(&EUC_KR_CHO, q[3]).filter(|&v| v >= 0);
            let jung = (0xBF..=0xD3).contains(&q[5]).then(|| i8::try_from(q[5] - 0xBF).unwrap_or(-1));
            let jong = if q[7] == 0xD4 { Some(0) } else { jamo(&EUC_KR_JONG, q[7]).filter(|&v| v >= 0) };
            match (cho, jung, jong) {
                (Some(c), Some(v), Some(f)) => {
                    let cp = 0xAC00 + u32::from(c as u8) * 588 + u32::from(v as u8) * 28 + u32::from(f as u8);
                    s.push(char::from_u32(cp).unwrap_or('\u{FFFD}'));
                }
                _ => return Err(illegal(i, 1)),
            }
            i += 8;
            continue;
        }
        let mut node = 0usize;
        let mut j = i;
        loop {
            let Some(&b) = data.get(j) else { return Err(incomplete(i)) };
            let e = nodes.get(node).map_or(ERR + 1, |n| n[usize::from(b)]);
            j += 1;
            match e {
                0xD800..=0xDFFF => {
                    s.push_str(t.extras.get(usize::from(e - 0xD800)).copied().unwrap_or("\u{FFFD}"));
                    break;
                }
                CHILD => {
                    let key = (node as u16, b);
                    match t.children.binary_search_by(|&(n, c, _)| (n, c).cmp(&key)) {
                        Ok(k) => node = usize::from(t.children[k].2),
                        Err(_) => return Err(illegal(i, 1)),
                    }
                }
                GB18030_4 => {
                    let Some(q) = data.get(i..i + 4) else { return Err(incomplete(i)) };
                    if !(0x81..=0xFE).contains(&q[2]) || !(0x30..=0x39).contains(&q[3]) {
                        return Err(illegal(i, 1));
                    }
                    let lin = ((u32::from(q[0]) - 0x81) * 10 + (u32::from(q[1]) - 0x30)) * 1260
                        + (u32::from(q[2]) - 0x81) * 10
                        + (u32::from(q[3]) - 0x30);
                    let r = t.ranges.partition_point(|&(start, _, _)| start <= lin);
                    let c = r
                        .checked_sub(1)
                        .and_then(|k| t.ranges.get(k))
                        .filter(|&&(start, _, n)| lin < start + n)
                        .and_then(|&(start, cp, _)| char::from_u32(cp + (lin - start)));
                    match c {
                        Some(c) => s.push(c),
                        None => return Err(illegal(i, 1)),
                    }
                    j = i + 4;
                    break;
                }
                UNSUPPORTED => return Err(DecodeFailure::Unsupported(t.name)),
                0xFFF1..=0xFFF8 => return Err(illegal(i, usize::from(e - ERR))),
                _ => {
                    s.push(char::from_u32(e.into()).unwrap_or('\u{FFFD}'));
                    break;
                }
            }
        }
        i = j;
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(name: &str, data: &[u8]) -> Result<String, String> {
        match lookup(name) {
            Lookup::Codec(c) => decode(c, data).map_err(|e| match e {
                DecodeFailure::Error(m) => m,
                DecodeFailure::Unsupported(n) => format!("unsupported {n}"),
            }),
            Lookup::NotText => Err("not text".into()),
            Lookup::Unknown => Err("unknown".into()),
            Lookup::Unsupported(n) => Err(format!("unsupported {n}")),
        }
    }

    // Expected values from CPython 3.11.7 (`bytes.decode`).
    #[test]
    fn cjk() {
        assert_eq!(dec("shift_jis", b"\x93\xfa\x96\x7b\x8c\xea").unwrap(), "日本語");
        assert_eq!(dec("x-mac-japanese", b"\x81\x5f").unwrap(), "\u{ff3c}");
        assert_eq!(dec("ms932", b"\x81\x5f\x87\x40").unwrap(), "\u{ff3c}①");
        assert_eq!(dec("euc-jp", b"\x8f\xb0\xa1\x8e\xb1").unwrap(), "丂ｱ");
        assert_eq!(dec("gb18030", b"\xd6\xd0\x94\x39\xfc\x36").unwrap(), "中\u{1f600}");
        assert_eq!(dec("big5hkscs", b"\x88\x62").unwrap(), "\u{ca}\u{304}");
        assert_eq!(
            dec("gb18030", b"\x84\x31\xa5\x30").unwrap_err(),
            "'gb18030' codec can't decode byte 0x84 in position 0: illegal multibyte sequence"
        );
        assert_eq!(
            dec("gb18030", b"\x81\x30 ").unwrap_err(),
            "'gb18030' codec can't decode bytes in position 0-2: incomplete multibyte sequence"
        );
        assert_eq!(
            dec("euc_kr", b"x\xa4\xd4").unwrap_err(),
            "'euc_kr' codec can't decode bytes in position 1-2: incomplete multibyte sequence"
        );
        assert_eq!(dec("cp936", b"\x80\"").unwrap_err(), "'gbk' codec can't decode byte 0x80 in position 0: illegal multibyte sequence");
    }

    #[test]
    fn unicode_family() {
        assert_eq!(dec("utf-16", b"ab\x00").unwrap_err(), "'utf-16-le' codec can't decode byte 0x00 in position 2: truncated data");
        assert_eq!(dec("utf-16", b"\xfe\xff\x00a").unwrap(), "a");
        assert_eq!(dec("utf-16-le", b"\xff\xfea\x00").unwrap(), "\u{feff}a");
        assert_eq!(
            dec("utf-16", b"\x00\xd8a").unwrap_err(),
            "'utf-16-le' codec can't decode bytes in position 0-2: unexpected end of data"
        );
        assert_eq!(
            dec("utf-32", b"a\x00\x00\x00\x00\xd8\x00\x00").unwrap_err(),
            "'utf-32-le' codec can't decode bytes in position 4-7: code point in surrogate code point range(0xd800, 0xe000)"
        );
        assert_eq!(dec("u8", b"\xf0\x90\x80").unwrap_err(), "'utf-8' codec can't decode bytes in position 0-2: unexpected end of data");
        assert_eq!(dec("utf_8_sig", b"\xef\xbb\xbfa").unwrap(), "a");
    }

    #[test]
    fn names() {
        assert!(matches!(lookup("Hex-Codec"), Lookup::NotText));
        assert!(matches!(lookup("rot13"), Lookup::NotText));
        assert!(matches!(lookup("mbcs"), Lookup::Unknown));
        assert!(matches!(lookup("utf.8"), Lookup::Unknown));
        assert!(matches!(lookup("_utf8"), Lookup::Codec(Codec::Utf8)));
        assert!(matches!(lookup("iso2022_jp"), Lookup::Unsupported(_)));
        assert_eq!(dec("cp037", b"\x81").unwrap(), "a");
        assert_eq!(
            dec("iso8859_3", b"\xa5").unwrap_err(),
            "'charmap' codec can't decode byte 0xa5 in position 0: character maps to <undefined>"
        );
    }

    fn unhex(h: &str) -> Vec<u8> {
        (0..h.len() / 2).map(|i| u8::from_str_radix(&h[2 * i..2 * i + 2], 16).unwrap()).collect()
    }

    /// Random inputs decoded by CPython 3.11.7 (tests/codecs/cases.txt, gen/gen_codec_cases.py).
    #[test]
    fn cpython_cases() {
        let cases = include_str!("../tests/codecs/cases.txt");
        let mut bad = Vec::new();
        let mut n = 0;
        for line in cases.lines() {
            let mut f = line.split('\t');
            let (Some(codec), Some(input), Some(want)) = (f.next(), f.next(), f.next()) else { continue };
            n += 1;
            let got = match dec(codec, &unhex(input)) {
                Ok(s) => format!("ok:{}", s.bytes().map(|b| format!("{b:02x}")).collect::<String>()),
                Err(m) => format!("err:{m}"),
            };
            if got != want {
                bad.push(format!("{codec} {input}: want {want}, got {got}"));
            }
        }
        assert!(bad.is_empty(), "{} of {n} differ:\n{}", bad.len(), bad.join("\n"));
        // Every line is a case: the file's 1920 lines when this floor was set.
        assert!(n >= 1920 && n == cases.lines().count(), "{n} codec cases checked, floor 1920");
    }
}
