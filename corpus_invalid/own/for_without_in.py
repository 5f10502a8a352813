for x
  pass
