# coding: euc_kr
x = "갂"
