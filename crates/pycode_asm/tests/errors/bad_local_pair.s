# expect-error: line 9: no local b
.release 3.13.2
.code 0
.co_name '<module>'
.co_qualname '<module>'
.co_filename 'e.py'
.local 'a' LOCAL
    RESUME 0
    LOAD_FAST_LOAD_FAST a b
