try:
    print -1
except E, e:
    pass
