# coding: utf-32
x = 1
