# coding: gbk
x = "中文"
