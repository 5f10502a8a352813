print x if y:
