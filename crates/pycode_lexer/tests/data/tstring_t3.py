x = t"{a
