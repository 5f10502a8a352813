
        match ...:
            case (None | _) | _:
                pass
        