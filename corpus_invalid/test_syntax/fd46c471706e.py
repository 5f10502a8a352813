def None(x):
    pass
