lambda: print x
