x $ y
