class C:
  if 0: return
  else: x= 1