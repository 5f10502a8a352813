#!/usr/bin/env bash
# CI's smoke check of issue 13, a short run of every fuzzer (fuzz/README.md):
#   * mutfuzz: marshal loads/dumps fixpoint, read_pyc, dis and code_info of accepted input;
#   * srcfuzz: lexer, parser, ast.dump, compile for every implemented release, marshal, dis;
#   * the seven cargo-fuzz targets in fuzz/fuzz_targets (marshal_loads, read_pyc, dis, lex, parse,
#     compile, asm), coverage-guided libFuzzer built with the stable toolchain as cargo-fuzz builds
#     them (sanitizer-coverage passes, `--cfg fuzzing`, debug assertions and overflow checks;
#     no AddressSanitizer, which needs nightly), each started from its committed seeds.
# Fails on any panic, failed property, crash or stack overflow. mutfuzz and srcfuzz use
# deterministic seeds, so a failure reproduces with the same command; a libFuzzer finding is
# printed and kept as a file to replay (`BINARY FILE`). Hangs are not failures here (CI machines
# are loaded); the long runs in fuzz/README.md look for them.
#     tools/fuzz_smoke.sh [SECONDS [LIBFUZZER_SECONDS]]   (default 20 per fuzzer, 10 per target)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-20}
lf_secs=${2:-10}
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

# The cargo-fuzz targets. RUSTFLAGS apply only to the --target build, so build scripts and
# proc macros are not instrumented (as with cargo-fuzz).
lf_target=$(rustc -vV | sed -n 's/^host: //p')
RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing -Cdebug-assertions -Coverflow-checks" \
    cargo build --release --locked --manifest-path fuzz/Cargo.toml --bins --target "$lf_target" \
    --target-dir fuzz/target/stable-sancov 2>&1
lf_bin=fuzz/target/stable-sancov/$lf_target/release
for spec in marshal_loads:seeds:corpus read_pyc:seeds:corpus dis:seeds:corpus \
            lex:src_seeds:src_corpus parse:src_seeds:src_corpus compile:src_seeds:src_corpus \
            asm:asm_seeds:asm_corpus; do
    IFS=: read -r name seeds more <<< "$spec"
    # New inputs go to the first directory (a scratch one); the committed seeds are only read.
    mkdir -p "$keep/lf-$name"
    if ! "$lf_bin/$name" -max_total_time="$lf_secs" -timeout=300 -rss_limit_mb=4096 \
            -print_final_stats=1 -artifact_prefix="$keep/lf-$name-" \
            "$keep/lf-$name" "fuzz/$seeds" "fuzz/$more" > "$keep/lf-$name.log" 2>&1; then
        echo "fuzz_smoke: libFuzzer target $name failed:"
        tail -n 40 "$keep/lf-$name.log"
        for f in "$keep"/lf-"$name"-*; do
            [ -f "$f" ] && { echo "== $f"; od -c "$f" | head -n 40; }
        done
        exit 1
    fi
    echo "fuzz_smoke: $name: $(grep -o 'Done [0-9]* runs in [0-9]* second(s)' "$keep/lf-$name.log")"
done
echo "fuzz_smoke: no findings in ${secs}s per fuzzer and ${lf_secs}s per libFuzzer target"
