x = *a # doctest:+ELLIPSIS
