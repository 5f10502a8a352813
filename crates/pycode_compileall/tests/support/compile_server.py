"""Test-only compile backend: the running CPython compiles what pycode_compileall asks for.

Protocol, one line each way (fields tab-separated, text hex-encoded as UTF-8 with surrogatepass):
  request:  OPTIMIZE <tab> hex(dfile) <tab> hex(source bytes)
  reply:    OK <tab> hex(marshal.dumps(code))
         |  SYNTAX <tab> hex(class) <tab> hex(msg) <tab> hex(filename)|- <tab> lineno|- <tab> offset|-
                   <tab> end_lineno|- <tab> end_offset|- <tab> hex(text)|-
         |  OTHER <tab> hex(class) <tab> hex(str(exc))
It does what py_compile does: compile(source, dfile, 'exec', dont_inherit=True, optimize=N), then
marshal.dumps. With it the driver can be checked byte for byte against `python -m compileall`
independently of pycode's own compiler.
"""
import marshal, sys, warnings

warnings.simplefilter("ignore")

def h(s):
    return s.encode("utf-8", "surrogatepass").hex()

def opt(v):
    return "-" if v is None else str(v)

for line in sys.stdin:
    o, dfile, src = line.rstrip("\n").split("\t")
    dfile = bytes.fromhex(dfile).decode("utf-8", "surrogatepass")
    src = bytes.fromhex(src)
    try:
        code = compile(src, dfile, "exec", dont_inherit=True, optimize=int(o))
        reply = "OK\t" + marshal.dumps(code).hex()
    except SyntaxError as e:
        reply = "\t".join([
            "SYNTAX", h(type(e).__name__), h(str(e.msg)),
            "-" if e.filename is None else h(e.filename),
            opt(e.lineno), opt(e.offset), opt(e.end_lineno), opt(e.end_offset),
            "-" if e.text is None else h(e.text),
        ])
    except Exception as e:
        reply = "OTHER\t" + h(type(e).__name__) + "\t" + h(str(e))
    sys.stdout.write(reply + "\n")
    sys.stdout.flush()
