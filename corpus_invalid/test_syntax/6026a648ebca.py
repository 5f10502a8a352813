class C:
  while 0: yield
  else:  x = 1