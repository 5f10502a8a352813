//! NUMBER tokens to constants (`parsenumber` in `Parser/pegen.c`).

use num_bigint::BigInt;
use pycode_ast::Constant;

/// CPython's limit on decimal digits converted to an `int` (`sys.int_info.default_max_str_digits`).
const MAX_STR_DIGITS: usize = 4300;

/// Why a number literal has no value.
pub enum NumberError {
    TooManyDigits(usize),
    Invalid,
}

/// The value of a NUMBER token's text.
pub fn parse_number(text: &str) -> Result<Constant, NumberError> {
    let owned;
    let t = if text.contains('_') {
        owned = text.replace('_', "");
        owned.as_str()
    } else {
        text
    };
    let b = t.as_bytes();
    if let Some(rest) = t.strip_suffix(['j', 'J']) {
        let imag: f64 = rest.parse().map_err(|_| NumberError::Invalid)?;
        return Ok(Constant::Complex { real: 0.0, imag });
    }
    let radix = match (b.first(), b.get(1)) {
        (Some(b'0'), Some(b'x' | b'X')) => 16,
        (Some(b'0'), Some(b'o' | b'O')) => 8,
        (Some(b'0'), Some(b'b' | b'B')) => 2,
        _ => 10,
    };
    if radix == 10 {
        if b.iter().any(|&c| matches!(c, b'.' | b'e' | b'E')) {
            let f: f64 = t.parse().map_err(|_| NumberError::Invalid)?;
            return Ok(Constant::Float(f));
        }
        if let Ok(v) = t.parse::<i64>() {
            return Ok(Constant::Int(v));
        }
        let digits = t.trim_start_matches('0');
        if digits.len() > MAX_STR_DIGITS {
            return Err(NumberError::TooManyDigits(digits.len()));
        }
        let v = BigInt::parse_bytes(t.as_bytes(), 10).ok_or(NumberError::Invalid)?;
        return Ok(Constant::BigInt(Box::new(v)));
    }
    let digits = t.get(2..).ok_or(NumberError::Invalid)?;
    if let Ok(v) = i64::from_str_radix(digits, radix) {
        return Ok(Constant::Int(v));
    }
    let v = BigInt::parse_bytes(digits.as_bytes(), radix).ok_or(NumberError::Invalid)?;
    Ok(match i64::try_from(&v) {
        Ok(v) => Constant::Int(v),
        Err(_) => Constant::BigInt(Box::new(v)),
    })
}
