# coding: cp1251
привет = 1
