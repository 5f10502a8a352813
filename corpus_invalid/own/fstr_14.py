f'\N {a $ b}'
