# coding: cp1252
café = 1
