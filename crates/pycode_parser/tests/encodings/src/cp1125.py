# coding: cp1125
x = "ò"
