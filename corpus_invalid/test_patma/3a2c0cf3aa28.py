
        match ...:
            case {0j+0: _}:
                pass
        