a = 1_000 + 0x_ff + 0o17 + 0b1_0 + 1e10j + .5 + 5. + 1.5e-3J + 0 + 00
b = 1if x else 2
c = [1for _ in y]
