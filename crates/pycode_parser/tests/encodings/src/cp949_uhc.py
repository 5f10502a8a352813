# coding: cp949
x = "갂"
