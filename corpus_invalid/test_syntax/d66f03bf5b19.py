lambda a=1,d=,c: None
