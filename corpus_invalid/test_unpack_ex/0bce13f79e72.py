z,(*x),y = 1, 2, 4 # doctest:+ELLIPSIS
