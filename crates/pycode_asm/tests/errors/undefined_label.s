# expect-error: line 8: undefined label L9
.release 3.13.2
.code 0
.co_name '<module>'
.co_qualname '<module>'
.co_filename 'e.py'
    RESUME 0
    JUMP_FORWARD L9
    RETURN_CONST None
