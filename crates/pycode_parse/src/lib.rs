//! `pycode_parse`: what CPython does to source text around the parser, without a parser
//! (the parser is `pycode_parser`): [`decode`] (BOM, PEP 263 coding declarations and their
//! [`codecs`], universal newlines), [`strings`] (string and bytes literal bodies decoded as
//! `Parser/string_parser.c` does, lone surrogates kept) and the [`ParseError`] type, shaped like
//! CPython's `SyntaxError`.
//!
//! # API boundary
//! Returns values or a typed [`ParseError`]; never panics, never prints.

#[rustfmt::skip] // generated (do not edit)
mod codec_tables;
pub mod codecs;
pub mod decode;
pub mod error;
pub mod strings;

pub use error::{ErrorKind, ParseError};
pub use pycode_ast::PyMinor;
