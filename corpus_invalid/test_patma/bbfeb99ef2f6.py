
        match ...:
            case {"a": _, "a": _}:
                pass
        