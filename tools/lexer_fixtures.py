#!/usr/bin/env python3
"""Writes crates/pycode_lexer/tests/data/expected-RELEASE.txt: CPython's tokens for every
fixture there, from each release's interpreter (native 3.11.7, 3.11.2, 3.12.1, 3.13.0; Pyodide
3.14.2, 3.15.0rc1), in lexdump's
format. crates/pycode_lexer/tests/fixtures.rs compares pycode_lexer with them."""
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
DATA = os.path.join(REPO, 'crates', 'pycode_lexer', 'tests', 'data')
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(REPO, 'oracle'))
import lexer_parity  # noqa: E402
import refs  # noqa: E402

names = sorted(n for n in os.listdir(DATA) if n.endswith('.py'))
for release in ('3.11.7', '3.11.2', '3.12.1', '3.13.0', '3.14.2', '3.15.0rc1'):
    os.makedirs(os.path.join(REPO, 'target'), exist_ok=True)
    with tempfile.TemporaryDirectory(dir=os.path.join(REPO, 'target')) as tmp:
        script = os.path.join(tmp, 'oracle.py')
        with open(script, 'w') as f:
            f.write(lexer_parity.ORACLE)
        paths = [os.path.join(DATA, n) for n in names]
        if release in refs.PYODIDE_PACKAGES:
            listing = os.path.join(tmp, 'list.txt')
            with open(listing, 'w') as f:
                f.write('\n'.join(paths))
            pkg = os.path.join(refs.PYODIDE_NODE_MODULES, refs.PYODIDE_PACKAGES[release])
            cmd = ['node', os.path.join(HERE, 'pyodide_exec.mjs'), pkg, script, tmp, '@' + listing]
        else:
            exe = refs._native_exe(release)
            if not exe:
                print('lexer_fixtures: no %s here' % release)
                continue
            cmd = [exe, script, tmp] + paths
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
        got = lexer_parity.split(out)
        text = []
        for k, n in enumerate(names):
            lines = got.get(os.path.join(tmp, '%d.py' % k), ['(missing)'])
            text.append('== ' + n)
            text += lines
    with open(os.path.join(DATA, 'expected-%s.txt' % release), 'w', encoding='utf-8') as f:
        f.write('\n'.join(text) + '\n')
    print('lexer_fixtures: %s: %d cases' % (release, len(names)))
