if a:
	if b:
	    pass
        x = 1
if c: pass
else: d = \
    2
s = """multi
line""" ; t = 'x' \
  'y'
