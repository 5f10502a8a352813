
        match ...:
            case _:
                pass
            case None:
                pass
        