f'{x:a
}'
