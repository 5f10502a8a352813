# coding: cp932
x = "＼\~①"
