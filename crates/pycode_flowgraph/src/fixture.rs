//! Reader for the text fixtures written by `tools/gen_fixtures.py` (shared by this crate's tests
//! and `pycode_assemble`'s). Parsing never panics; malformed text gives `Err(String)`.

use pycode_instr::{ConstId, ConstPool, ConstValue, Location, PyStr};
use pycode_object::BigInt;

use crate::Ops;

/// One fixture file, split into its `== section` blocks.
#[derive(Debug, Default)]
pub struct Fixture {
    pub sections: Vec<(String, Vec<String>)>,
}

impl Fixture {
    pub fn parse(text: &str) -> Fixture {
        let mut f = Fixture::default();
        for line in text.lines() {
            if let Some(name) = line.strip_prefix("== ") {
                f.sections.push((name.trim().to_string(), Vec::new()));
            } else if line.starts_with('#') && f.sections.is_empty() {
                continue;
            } else if let Some((_, body)) = f.sections.last_mut() {
                body.push(line.to_string());
            }
        }
        f
    }

    pub fn section(&self, name: &str) -> Option<&[String]> {
        self.sections.iter().find(|(n, _)| n == name).map(|(_, b)| b.as_slice())
    }

    /// A `key value...` line of a section.
    pub fn field(&self, section: &str, key: &str) -> Option<String> {
        self.section(section)?.iter().find_map(|l| {
            let (k, rest) = l.split_once(' ').unwrap_or((l.as_str(), ""));
            (k == key).then(|| rest.to_string())
        })
    }
}

/// Parses instruction lines `OPNAME ARG LINE ENDLINE COL ENDCOL`.
pub fn parse_insts(ops: &Ops, lines: &[String]) -> Result<Vec<(u16, i64, Location)>, String> {
    let mut v = Vec::with_capacity(lines.len());
    for l in lines {
        let p: Vec<&str> = l.split_whitespace().collect();
        if p.len() != 6 {
            return Err(format!("bad instruction line {l:?}"));
        }
        let op = ops.table.opmap(p[0]).ok_or_else(|| format!("unknown opcode {}", p[0]))?;
        let n: Vec<i64> = p[1..].iter().map(|x| x.parse::<i64>().map_err(|e| format!("{l:?}: {e}"))).collect::<Result<_, _>>()?;
        let loc = Location::new(n[1] as i32, n[2] as i32, n[3] as i32, n[4] as i32);
        v.push((op, n[0], loc));
    }
    Ok(v)
}

/// Formats instructions back into fixture lines.
pub fn format_insts(ops: &Ops, insts: &[(u16, i64, Location)]) -> Vec<String> {
    insts
        .iter()
        .map(|(op, arg, l)| {
            format!("{} {} {} {} {} {}", ops.table.opname(*op).unwrap_or("?"), arg, l.lineno, l.end_lineno, l.col_offset, l.end_col_offset)
        })
        .collect()
}

fn hex(s: &str) -> Result<Vec<u8>, String> {
    if !s.len().is_multiple_of(2) {
        return Err(format!("odd hex {s:?}"));
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2).unwrap_or("zz"), 16).map_err(|e| e.to_string())).collect()
}

pub fn parse_hex(s: &str) -> Result<Vec<u8>, String> {
    hex(s.trim())
}

/// Parses one constant in prefix notation (see `gen_fixtures.py`'s `encode`). Code objects
/// become `ConstValue::Code(handle)` with a handle from `code_handles` (by qualname).
pub fn parse_const(s: &str, pool: &mut ConstPool, code_handles: &mut Vec<String>) -> Result<ConstId, String> {
    let toks: Vec<&str> = s.split_whitespace().collect();
    let mut pos = 0usize;
    let id = parse_tok(&toks, &mut pos, pool, code_handles, 0)?;
    if pos != toks.len() {
        return Err(format!("trailing tokens in {s:?}"));
    }
    Ok(id)
}

fn parse_tok(toks: &[&str], pos: &mut usize, pool: &mut ConstPool, codes: &mut Vec<String>, depth: usize) -> Result<ConstId, String> {
    if depth > 100 {
        return Err("constant nesting too deep".into());
    }
    let t = *toks.get(*pos).ok_or("missing token")?;
    *pos += 1;
    let (tag, rest) = t.split_once(':').unwrap_or((t, ""));
    let v = match tag {
        "None" => ConstValue::None,
        "True" => ConstValue::True,
        "False" => ConstValue::False,
        "Ellipsis" => ConstValue::Ellipsis,
        "i" => match rest.parse::<i64>() {
            Ok(i) => ConstValue::Int(i),
            Err(_) => ConstValue::bigint(rest.parse::<BigInt>().map_err(|e| e.to_string())?),
        },
        "f" => ConstValue::Float(u64::from_str_radix(rest, 16).map_err(|e| e.to_string())?),
        "c" => {
            let (a, b) = rest.split_once(':').ok_or("bad complex")?;
            ConstValue::Complex(
                u64::from_str_radix(a, 16).map_err(|e| e.to_string())?,
                u64::from_str_radix(b, 16).map_err(|e| e.to_string())?,
            )
        }
        "s" => ConstValue::Str(PyStr::from_surrogatepass(&hex(rest)?, false).map_err(|_| "bad str".to_string())?),
        "b" => ConstValue::Bytes(hex(rest)?.into()),
        "t" | "fs" => {
            let n: usize = rest.parse().map_err(|_| "bad length")?;
            let mut items = Vec::with_capacity(n.min(1 << 16));
            for _ in 0..n {
                items.push(parse_tok(toks, pos, pool, codes, depth + 1)?);
            }
            if tag == "t" {
                ConstValue::Tuple(items.into())
            } else {
                ConstValue::FrozenSet(items.into())
            }
        }
        "code" => {
            let name = String::from_utf8_lossy(&hex(rest)?).into_owned();
            codes.push(name);
            ConstValue::Code(codes.len() as u32 - 1)
        }
        _ => return Err(format!("bad constant token {t:?}")),
    };
    Ok(pool.add(v))
}

/// Formats a pooled constant back into prefix notation (code objects by handle name).
pub fn format_const(pool: &ConstPool, id: ConstId, codes: &[String], out: &mut String) {
    use std::fmt::Write;
    let sep = |out: &mut String| {
        if !out.is_empty() {
            out.push(' ');
        }
    };
    sep(out);
    match pool.get(id) {
        None => out.push('?'),
        Some(v) => match v {
            ConstValue::None => out.push_str("None"),
            ConstValue::True => out.push_str("True"),
            ConstValue::False => out.push_str("False"),
            ConstValue::Ellipsis => out.push_str("Ellipsis"),
            ConstValue::Int(i) => {
                let _ = write!(out, "i:{i}");
            }
            ConstValue::BigInt(b) => {
                let _ = write!(out, "i:{b}");
            }
            ConstValue::Float(f) => {
                let _ = write!(out, "f:{f:016x}");
            }
            ConstValue::Complex(a, b) => {
                let _ = write!(out, "c:{a:016x}:{b:016x}");
            }
            ConstValue::Str(s) => {
                out.push_str("s:");
                for b in s.as_bytes() {
                    let _ = write!(out, "{b:02x}");
                }
            }
            ConstValue::Bytes(bs) => {
                out.push_str("b:");
                for b in bs.iter() {
                    let _ = write!(out, "{b:02x}");
                }
            }
            ConstValue::Tuple(items) | ConstValue::FrozenSet(items) => {
                let tag = if matches!(v, ConstValue::Tuple(_)) { "t" } else { "fs" };
                let _ = write!(out, "{tag}:{}", items.len());
                for &i in items.iter() {
                    format_const(pool, i, codes, out);
                }
            }
            ConstValue::Slice(_) => out.push_str("slice"),
            ConstValue::Code(h) => {
                out.push_str("code:");
                for b in codes.get(*h as usize).map(|s| s.as_bytes()).unwrap_or(b"?") {
                    let _ = write!(out, "{b:02x}");
                }
            }
        },
    }
}
