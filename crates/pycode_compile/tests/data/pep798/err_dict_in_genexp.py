g = (**(x) async for x in xs)
