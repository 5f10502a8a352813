# expect-error: line 9: constant index 5 out of range
.release 3.14.2
.code 0
.co_name '<module>'
.co_qualname '<module>'
.co_filename 'e.py'
.const None
    RESUME 0
    LOAD_CONST $5
