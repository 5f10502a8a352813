# expect-error: line 11: undefined label L3
.release 3.12.7
.code 0
.co_name '<module>'
.co_qualname '<module>'
.co_filename 'e.py'
.const None
L1:
    NOP
L2:
.except L1 L2 L3 0
    RETURN_CONST None
