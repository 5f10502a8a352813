__debug__ and (a if b else c)
