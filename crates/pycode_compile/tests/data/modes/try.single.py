try:
    1 / 0
except ZeroDivisionError as e:
    e
finally:
    2

