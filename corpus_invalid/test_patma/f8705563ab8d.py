
        match ...:
            case MyClass(x, y=x):
                pass
        