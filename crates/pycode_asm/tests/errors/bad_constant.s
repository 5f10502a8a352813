# expect-error: line 7: expected ',' or ')'
.release 3.11.7
.code 0
.co_name '<module>'
.co_qualname '<module>'
.co_filename 'e.py'
.const (1 2)
