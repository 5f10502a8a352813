x in (1, 2, 3) and y not in {4, 5} and not z
