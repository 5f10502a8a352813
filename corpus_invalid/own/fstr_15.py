f'{x = y}'
