b"abc ъющый"  # first 3 letters are ascii
