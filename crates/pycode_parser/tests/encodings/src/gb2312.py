# coding: gb2312
x = "中文"
