for x  # c
  pass
