type A = (yield from [])
