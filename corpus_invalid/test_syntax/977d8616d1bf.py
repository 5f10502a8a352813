match y:
 case e(e=v,v,