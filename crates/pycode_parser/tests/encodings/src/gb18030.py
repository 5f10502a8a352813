# coding: gb18030
x = "中文😀"
