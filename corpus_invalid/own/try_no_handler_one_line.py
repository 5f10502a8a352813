try: x
