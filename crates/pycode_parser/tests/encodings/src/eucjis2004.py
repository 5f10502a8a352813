# coding: euc_jis_2004
x = "дў ов"
