print [0]
for x in y:
    pass
else
