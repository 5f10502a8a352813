# coding: gb18030
x = "¥𐀀􏿿"
