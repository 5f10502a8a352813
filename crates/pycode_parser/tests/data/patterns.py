match command.split():
    case [action]:
        pass
    case [action, obj]:
        pass
    case Point(x=0, y=0) | Point(1, 2, z=3):
        pass
    case {"x": x, "y": y, **rest}:
        pass
    case [1, 2, *rest] if rest:
        pass
    case -1 | 1.5 | -2+3j | "s" | None | True | a.b.c:
        pass
    case (a, b) as c:
        pass
    case _:
        pass
match = 1
match x, y:
    case (1, _):
        pass
