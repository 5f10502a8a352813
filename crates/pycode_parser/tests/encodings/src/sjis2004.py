# coding: shift_jis_2004
x = "Вї За"
