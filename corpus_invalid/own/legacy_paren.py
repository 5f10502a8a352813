print (x) y
