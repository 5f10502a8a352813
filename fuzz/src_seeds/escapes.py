x = "\N{DASH} \x41 \u00e9 \777"
b = b"\xff"
