# coding: idna
x = 1
