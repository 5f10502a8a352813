# expect-error: line 10: a forward jump to a label before it
.release 3.13.2
.code 0
.co_name '<module>'
.co_qualname '<module>'
.co_filename 'e.py'
.const None
L1:
    RESUME 0
    JUMP_FORWARD L1
