compile(s, 'test', 'exec') # doctest:+ELLIPSIS
