lambda a,/,a1,/,b,c: None
