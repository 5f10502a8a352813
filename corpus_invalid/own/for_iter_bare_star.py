for x in *: pass
