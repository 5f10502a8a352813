def f(
    a,  # type: int
):
    # type: (...) -> None
    x = []  # type: ignore[x]
