(yield_ := 3), [i := 1 for _ in ()] if False else None
