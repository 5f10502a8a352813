match p:
    case [1, *rest]:
        rest
    case {"k": v}:
        v
    case _:
        None

