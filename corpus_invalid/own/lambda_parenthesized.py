lambda a, (x, y), w: None
