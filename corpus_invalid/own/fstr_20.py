f'{lambda:1}'
