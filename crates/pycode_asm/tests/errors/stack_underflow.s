# expect-error: line 8: stack depth goes below zero
.release 3.15.0rc1
.code 0
.co_name '<module>'
.co_qualname '<module>'
.co_filename 'e.py'
    RESUME 0
    POP_TOP
