async def f -> int:  # type: int
