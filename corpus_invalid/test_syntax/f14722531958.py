class C:
  while 0: return