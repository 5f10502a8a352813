# expect-error: line 9: no name nosuch
.release 3.12.7
.code 0
.co_name '<module>'
.co_qualname '<module>'
.co_filename 'e.py'
.name 'print'
    RESUME 0
    LOAD_NAME nosuch
