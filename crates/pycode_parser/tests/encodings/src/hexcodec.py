# coding: Hex_Codec
x = 1
