# coding: cp936
x = "�"
