print(*, 1)
