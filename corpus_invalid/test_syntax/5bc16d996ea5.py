def foo():
    try:
        pass
    finally:
        continue
