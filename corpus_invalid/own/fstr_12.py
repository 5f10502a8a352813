'\N{foo}'
