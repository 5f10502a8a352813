try:
  x
else:
  pass
