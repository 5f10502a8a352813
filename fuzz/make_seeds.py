"""Write fuzz seeds: marshal.dumps of a code object and of a tuple of every marshallable type,
for the running release (run under each oracle; Pyodide via tools/pyodide_exec.mjs)."""
import marshal, sys, os
out = sys.argv[1] if len(sys.argv) > 1 else '/work/main/fuzz/seeds'
tag = '%d.%d' % sys.version_info[:2]
src = '''
def f(a, b=2**70, *args, c=-3.5j, **kw):
    x = {1, 2, 'z'}
    if a in frozenset({b'q', 1.5, (1, 2)}): return [a, b, c]
    s = "héllo \\udc80" + 'x' * 300
    try:
        return {k: v for k, v in kw.items()}, s[1:2:3]
    except ValueError as e:
        return ..., None, True, False
class C:
    def m(self): return __class__
'''
objs = {
    'code': compile(src, 'seed.py', 'exec'),
    'misc': (None, True, False, ..., StopIteration, 0, -1, 2**31, -2**63, 2**200, 1.5, -0.0, float('nan'), 1+2j,
             b'', b'bytes', '', 'ascii', 'é', 'x'*300, (), (1,), [], [1, [2]], {}, {'a': 1}, set(), {1}, frozenset(), frozenset({'a', 'b'})),
}
for name, o in objs.items():
    with open(os.path.join(out, '%s-%s.marshal' % (tag, name)), 'wb') as f:
        f.write(marshal.dumps(o))
def main(*a):
    return 'ok'
