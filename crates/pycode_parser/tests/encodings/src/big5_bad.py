# coding: big5
x = 1
y = "�"
