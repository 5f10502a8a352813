#!/usr/bin/env python3
"""pycode_lexer against CPython's own tokenizer, file by file.

For every .py file of a corpus, the oracle interpreter lists the tokens its parser's tokenizer
produces (`_tokenize.TokenizerIter(..., extra_tokens=False)`, 3.12+), and
`target/release/examples/lexdump` lists pycode_lexer's; a file matches when kind, start and end
(line, character column) of every token agree, and both stop with the same error: message,
line and offsets of a SyntaxError (only the message for the tokenizer's error codes, whose
position the parser computes itself).

    python3 tools/lexer_parity.py (--python PY | --pyodide PKG_DIR) --minor 12 DIR... [--snapshot FILE] [--show N]
    python3 tools/lexer_parity.py --release 3.13.0 --corpus stdlib-3.13.0 [--write | --check]

With --release the oracle is that release's (oracle/refs.py: native or Pyodide), the corpus is
corpus/CORPUS and the snapshot conformance/RELEASE/lexer-CORPUS.txt: --write refreshes it,
--check fails when the count is below its floor in conformance/floors.txt (the ratchet) or
differs from the committed snapshot.

Build the dumper first: cargo build --release -p pycode_lexer --example lexdump
"""
import argparse
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)

ORACLE = r'''
import sys, io, token, tokenize, _tokenize
def iterate(src, lines):
    try:
        return iter(_tokenize.TokenizerIter(io.StringIO(src).readline, extra_tokens=False))
    except TypeError:
        # 3.11: TokenizerIter(source) yields (string, type, lineno, end_lineno, col, end_col, line)
        # and stops before ENDMARKER (the comparison then ignores pycode's ENDMARKER)
        lines.append('NOEND')
        return ((t[1], t[0], (t[2], t[4]), (t[3], t[5])) for t in _tokenize.TokenizerIter(src))
def main(out_dir, *paths):
  out = []
  if len(paths) == 1 and paths[0].startswith('@'):
      with open(paths[0][1:]) as f:
          paths = f.read().split('\n')
  for k, path in enumerate(paths):
      with open(path, 'rb') as f:
          raw = f.read()
      try:
          enc, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
          src = raw.decode(enc)
          if src.startswith('\ufeff'):
              src = src[1:]
          # compile() tokenizes with newlines translated; the iterator would keep '\r'
          src = src.replace('\r\n', '\n').replace('\r', '\n')
      except Exception as e:
          out.append('== %s\nSKIP %s' % (path, type(e).__name__))
          continue
      if '\0' in src and sys.version_info < (3, 12):
          continue  # 3.11's compile() refuses it before tokenizing; its iterator cannot take it
      mine = os.path.join(out_dir, '%d.py' % k)
      with open(mine, 'w', encoding='utf-8', errors='surrogatepass', newline='') as f:
          f.write(src)
      lines = ['== %s' % mine]
      try:
          for t in iterate(src, lines):
              lines.append('%s %d %d %d %d' % (token.tok_name[t[0]], t[2][0], t[2][1], t[3][0], t[3][1]))
          if len(lines) == 1 and not src:
              # 3.13's iterator yields nothing for empty input; the parser's tokenizer gives
              # ENDMARKER (as 3.12's iterator shows)
              lines.append('ENDMARKER 0 -1 0 -1')
      except SyntaxError as e:
          lines.append('ERROR %s' % e.msg + ' @ %s %s %s %s' % (e.lineno, e.offset, e.end_lineno, e.end_offset))
      except Exception as e:
          lines.append('ERROR %s: %s' % (type(e).__name__, e))
      out.append('\n'.join(lines))
  return '\n'.join(out)
if __name__ == '__main__':
    print(main(*sys.argv[1:]))
'''.replace('import sys, io', 'import os, sys, io')


DONE_CODES = {'ERROR ' + m for m in (
    'unexpected EOF in multi-line statement', 'unindent does not match any outer indentation level',
    'inconsistent use of tabs and spaces in indentation', 'too many levels of indentation',
    'unexpected character after line continuation character')}


def split(text):
    out = {}
    cur = None
    for line in text.splitlines():
        if line.startswith('== '):
            cur = line[3:]
            out[cur] = []
        elif cur is not None:
            out[cur].append(line)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--python', help='a CPython interpreter')
    ap.add_argument('--pyodide', help='a Pyodide package dir (oracle/pyodide/node_modules/pyodide-...)')
    ap.add_argument('--minor', type=int)
    ap.add_argument('--snapshot')
    ap.add_argument('--show', type=int, default=0)
    ap.add_argument('--release')
    ap.add_argument('--corpus')
    ap.add_argument('--write', action='store_true')
    ap.add_argument('--check', action='store_true')
    ap.add_argument('dirs', nargs='*')
    a = ap.parse_args()
    snapshot_rel = None
    if a.release:
        sys.path.insert(0, os.path.join(REPO, 'oracle'))
        import refs
        a.minor = int(a.release.split('.')[1])
        if a.release in refs.PYODIDE_PACKAGES:
            a.pyodide = os.path.join(refs.PYODIDE_NODE_MODULES, refs.PYODIDE_PACKAGES[a.release])
        else:
            a.python = refs._native_exe(a.release)
            if not a.python:
                sys.exit('lexer_parity: no interpreter for %s here' % a.release)
        a.dirs = [os.path.join(REPO, 'corpus', a.corpus)]
        snapshot_rel = '%s/lexer-%s.txt' % (a.release, a.corpus)
        if a.write:
            a.snapshot = os.path.join(REPO, 'conformance', snapshot_rel)
    files = []
    for d in a.dirs:
        for root, _, names in os.walk(d):
            files += [os.path.join(root, n) for n in names if n.endswith('.py')]
    files = sorted(os.path.abspath(f) for f in files)
    dump = os.path.join(REPO, 'target', 'release', 'examples', 'lexdump')
    os.makedirs(os.path.join(REPO, 'target'), exist_ok=True)
    # under the repository (tools/pyodide_exec.mjs mounts the host directories Pyodide lacks)
    with tempfile.TemporaryDirectory(dir=os.path.join(REPO, 'target')) as tmp:
        expected = {}
        rel = {}
        script = os.path.join(tmp, 'oracle.py')
        with open(script, 'w') as f:
            f.write(ORACLE)
        for i in range(0, len(files), 400):
            chunk = files[i:i + 400]
            if a.pyodide:
                listing = os.path.join(tmp, 'list.txt')
                with open(listing, 'w') as f:
                    f.write('\n'.join(chunk))
                p = subprocess.run(['node', os.path.join(HERE, 'pyodide_exec.mjs'), a.pyodide, script, tmp, '@' + listing],
                                   capture_output=True, text=True)
            else:
                p = subprocess.run([a.python, script, tmp] + chunk, capture_output=True, text=True)
            if p.returncode != 0:
                sys.exit('lexer_parity: oracle failed: ' + p.stderr[-2000:])
            got = split(p.stdout)
            for k, path in enumerate(chunk):
                mine = os.path.join(tmp, '%d.py' % k)
                if mine in got:
                    expected[path] = got[mine]
                    os.rename(mine, os.path.join(tmp, 'f%d.py' % (i + k)))
                    rel[path] = os.path.join(tmp, 'f%d.py' % (i + k))
        paths = [rel[f] for f in files if f in rel]
        mine = {}
        for i in range(0, len(paths), 400):
            p = subprocess.run([dump, str(a.minor), '--errpos'] + paths[i:i + 400],
                               capture_output=True, text=True, errors='replace')
            mine.update(split(p.stdout))
        ok, bad = 0, []
        for f in files:
            if f not in rel:
                continue
            e, m = expected[f], mine.get(rel[f], ['(no output)'])
            # tokenizer error codes: the iterator's positions are its own; the parser computes
            # its own from the tokenizer state, so only the message is compared
            e = [x.split(' @ ')[0] if x.split(' @ ')[0] in DONE_CODES else x for x in e]
            if e[:1] == ['NOEND']:
                # 3.11's iterator: no ENDMARKER, and it stops without an exception where the
                # tokenizer ends with an error code rather than a SyntaxError
                e = e[1:]
                m = [x for x in m if not x.startswith('ENDMARKER ') and x not in DONE_CODES]
            if e == m:
                ok += 1
            else:
                k = next((j for j in range(min(len(e), len(m))) if e[j] != m[j]), min(len(e), len(m)))
                bad.append((f, k, e[k] if k < len(e) else '<end>', m[k] if k < len(m) else '<end>'))
    total = ok + len(bad)
    dirs = [os.path.abspath(d) for d in a.dirs]
    base = os.path.commonpath(dirs) if len(dirs) > 1 else dirs[0]
    lines = ['matched %d/%d (%.1f%%)' % (ok, total, 100.0 * ok / max(total, 1))]
    lines += [os.path.relpath(f, base) for f, _, _, _ in bad]
    print(lines[0])
    for f, k, e, m in bad[:a.show]:
        print('  %s: token %d: cpython %r, pycode %r' % (os.path.relpath(f, base), k, e, m))
    if a.snapshot:
        os.makedirs(os.path.dirname(a.snapshot), exist_ok=True)
        with open(a.snapshot, 'w', encoding='utf-8') as f:
            f.write('\n'.join(lines) + '\n')
    if a.check and snapshot_rel:
        floor = None
        with open(os.path.join(REPO, 'conformance', 'floors.txt'), encoding='utf-8') as f:
            for line in f:
                parts = line.split('#', 1)[0].split()
                if parts[:1] == [snapshot_rel] and len(parts) >= 2 and parts[1].isdigit():
                    floor = int(parts[1])
        with open(os.path.join(REPO, 'conformance', snapshot_rel), encoding='utf-8') as f:
            committed = f.read().splitlines()
        if floor is None:
            sys.exit('lexer_parity: %s has no floor in conformance/floors.txt' % snapshot_rel)
        if ok < floor:
            sys.exit('lexer_parity: %s: %d matched, below its floor %d' % (snapshot_rel, ok, floor))
        if committed != lines:
            sys.exit('lexer_parity: %s differs from the committed snapshot (refresh it with --write)' % snapshot_rel)
        print('lexer_parity: %s ok (floor %d)' % (snapshot_rel, floor))


if __name__ == '__main__':
    main()
