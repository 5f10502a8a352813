# expect-error: line 8: CPython 3.11.7 has no opcode LOAD_FAST_LOAD_FAST
.release 3.11.7
.code 0
.co_name '<module>'
.co_qualname '<module>'
.co_filename 'e.py'
.local 'a' LOCAL
    LOAD_FAST_LOAD_FAST a a
