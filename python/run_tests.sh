#!/usr/bin/env bash
# Builds the pycode wheel once (abi3) and runs python/tests under every CPython this machine
# has: python3 (pyenv 3.11.7), Debian's /usr/bin/python3.11 (3.11.2), pyenv 3.12.1 and 3.13.0.
# Needs PyPI for maturin and pytest. Fails unless at least one interpreter ran the suite.
set -euo pipefail
cd "$(dirname "$0")/.."
work=target/python-ci
rm -rf "$work/wheels"
mkdir -p "$work"
if [ ! -x "$work/build/bin/maturin" ]; then
    python3 -m venv "$work/build"
    "$work/build/bin/pip" install -q "maturin>=1.7,<2"
fi
"$work/build/bin/maturin" build --release -o "$work/wheels" 2>&1 | tail -2
wheel=$(ls "$work"/wheels/pycode-*.whl)
candidates=(python3 /usr/bin/python3.11)
for v in 3.12.1 3.13.0; do
    candidates+=("$HOME/.pyenv/versions/$v/bin/python3")
done
ran=0
for py in "${candidates[@]}"; do
    if ! command -v "$py" >/dev/null 2>&1; then
        echo "python tests: $py not here, skipped"
        continue
    fi
    ver=$("$py" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')
    env="$work/venv-$ver"
    if [ ! -x "$env/bin/pytest" ]; then
        rm -rf "$env"
        "$py" -m venv "$env"
        "$env/bin/pip" install -q pytest
    fi
    "$env/bin/pip" install -q --force-reinstall --no-deps "$wheel"
    echo "python tests under CPython $ver"
    (cd python/tests && PYTHONHASHSEED=0 "../../$env/bin/python" -m pytest -q -p no:cacheprovider test_pycode.py test_replace.py test_flags.py)
    ran=$((ran + 1))
done
echo "python tests: ran under $ran interpreters"
[ "$ran" -ge 1 ]
