//! CPython-shaped AST for 3.11-3.14 and ast.dump
