//! A disassembler that prints exactly what each CPython release's dis prints
