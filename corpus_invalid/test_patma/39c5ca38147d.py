
        match ...:
            case {**_}:
                pass
        