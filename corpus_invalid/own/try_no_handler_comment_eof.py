try:
  x

# c
