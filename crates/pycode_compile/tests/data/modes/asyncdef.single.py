@dec
async def f():
    "doc"
    await g()
    [x async for x in y]

