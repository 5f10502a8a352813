
        match ...:
            case {0: _, 0.0: _}:
                pass
        