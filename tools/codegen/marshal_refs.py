"""Write marshal.dumps(compile(src, FILE, 'exec', dont_inherit=True, optimize=O)) of each FILE to
OUTDIR/<i>.bin (i = position in the argument list). Usage: marshal_refs.py OUTDIR [-O N] FILE..."""
import marshal, os, sys
out = sys.argv[1]; args = sys.argv[2:]; opt = 0
if args[:1] == ["-O"]:
    opt = int(args[1]); args = args[2:]
os.makedirs(out, exist_ok=True)
for i, fn in enumerate(args):
    try:
        src = open(fn, "rb").read()
        code = compile(src, fn, "exec", dont_inherit=True, optimize=opt)
        open(os.path.join(out, f"{i}.bin"), "wb").write(marshal.dumps(code))
    except Exception as e:
        pass
