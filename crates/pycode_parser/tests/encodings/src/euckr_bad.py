# coding: euc-kr
x = 1
y = "��"
