def f():
  from _ import *