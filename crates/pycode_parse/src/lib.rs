//! Source decoding, parsing with ruff and conversion to the CPython-shaped AST
