# coding: cp932
x = "日本語①"
