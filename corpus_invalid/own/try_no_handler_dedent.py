def f():
  try:
    x
  y = 2
