match command.split():
    case [action]:
        pass
    case [Point(x=0, y=0) | {"k": _, **rest}, *others] if others:
        pass
    case (1 | 2 | 3) as n:
        pass
    case str() | bytes():
        pass
    case -1 | 1.5 | 2j | -3+4j | None | True:
        pass
    case _:
        pass
