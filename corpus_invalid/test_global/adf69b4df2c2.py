def wrong3():
    print(x)
    x = 2
    global x
