f'{x!r:a
b}'
