print x(
  1)
1 +
