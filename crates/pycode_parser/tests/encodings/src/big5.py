# coding: big5
x = "中文"
