# expect-error: line 8: unknown comparison operator in
.release 3.12.7
.code 0
.co_name '<module>'
.co_qualname '<module>'
.co_filename 'e.py'
    RESUME 0
    COMPARE_OP in
