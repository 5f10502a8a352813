x = t'{x:a
b}'
