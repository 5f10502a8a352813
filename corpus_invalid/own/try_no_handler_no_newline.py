try:
  x