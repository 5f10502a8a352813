#!/usr/bin/env bash
# A short run of the two stable fuzzers (fuzz/README.md), as CI's smoke check of issue 13:
#   * mutfuzz: marshal loads/dumps fixpoint, read_pyc, dis and code_info of accepted input;
#   * srcfuzz: lexer, parser, ast.dump, compile for every implemented release, marshal, dis.
# Fails on any panic, failed property, crash or stack overflow. Deterministic seeds, so a
# failure reproduces with the same command. Hangs are not failures here (CI machines are
# loaded); the long runs in fuzz/README.md look for them.
#     tools/fuzz_smoke.sh [SECONDS]      (default 20 per fuzzer)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-20}
cargo build --release -p pycode_marshal --example mutfuzz -p pycode_fuzzkit --example srcfuzz 2>&1
keep=$(mktemp -d)
trap 'rm -rf "$keep"' EXIT
target/release/examples/mutfuzz "$secs" fuzz/seeds "$keep/marshal"
# 8 MiB stacks as the CLI's worker threads (the 2 MiB default finds the known deep-pattern
# overflows inside ruff's parser, which the own parser will remove).
target/release/examples/srcfuzz "$secs" "$keep/src" fuzz/src_seeds corpus_invalid --seed 1 --stack-kib 8192 --budget-ms 120000
found=$(find "$keep/src" -maxdepth 1 \( -name 'panic-*' -o -name 'overflow-*' \) | sort)
if [ -n "$found" ]; then
    echo "fuzz_smoke: findings:"
    for f in $found; do
        echo "== $f"
        head -c 2000 "$f"
        echo
    done
    exit 1
fi
echo "fuzz_smoke: no findings in ${secs}s per fuzzer"
