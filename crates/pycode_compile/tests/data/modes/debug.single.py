if __debug__:
    print("debug")

