for x in y  # c
  pass
