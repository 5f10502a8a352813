# coding=ISO-LATIN-1
x = 1
