#!/bin/sh
# Regenerates crates/pycode_codegen/tests/fixtures/*.{ast.json,expected} from each *.py with
# CPython 3.12.1 (ast_to_json.py for the input AST, codegen_oracle.py for the expected listing).
set -e
PY=${PY312:-/root/.pyenv/versions/3.12.1/bin/python3}
cd "$(dirname "$0")/../../crates/pycode_codegen/tests/fixtures"
for f in *.py; do
    n=${f%.py}
    "$PY" ../../../../tools/codegen/ast_to_json.py "$f" > "$n.ast.json"
    "$PY" ../../../../tools/codegen/codegen_oracle.py "$f" | tail -n +2 > "$n.expected"
done
# symbol tables of the same files, for pycode_symtable's fixture test
for f in *.py; do
    n=${f%.py}
    "$PY" ../../../../tools/codegen/symtable_dump.py "$f" | tail -n +2 > "$n.symtable"
done
