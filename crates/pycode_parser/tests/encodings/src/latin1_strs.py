# coding: latin-1
x = b"abc"
y = "é\xe9\u00e9"
z = f"{x}é"
