//! Known CPython releases and their generated opcode tables
