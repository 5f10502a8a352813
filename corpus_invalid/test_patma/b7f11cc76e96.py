
        match ...:
            case (*x):
                pass
        