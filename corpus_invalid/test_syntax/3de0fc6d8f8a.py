def f(**None):
    pass
