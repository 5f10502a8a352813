global g
