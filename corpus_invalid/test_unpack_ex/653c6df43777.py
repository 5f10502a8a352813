[*[0, 1] for i in range(10)]
