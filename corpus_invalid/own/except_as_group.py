try:
    pass
except Exception as (a):
    pass
