((*x),y) = 1, 2 # doctest:+ELLIPSIS
