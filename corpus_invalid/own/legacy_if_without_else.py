print x if y
