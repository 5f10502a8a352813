# pycode asm (docs/asm.md)
.release 3.11.7
.pyc timestamp 1796604415 251

.code 0
.co_name '<module>'
.co_qualname '<module>'
.co_filename 's.py'
.co_firstlineno 1
.co_flags 0x0
.co_argcount 0
.co_posonlyargcount 0
.co_kwonlyargcount 0
.co_stacksize 4
.const 2  # $0
.const code(1)  # $1
.const code(2)  # $2
.const 'C'  # $3
.const None  # $4
.const (2,)  # $5
.name 'f'
.name 'C'
    RESUME 0                             @ 0 1 0 0
    LOAD_CONST $5                        @ 1 7 0 16  # (2,)
    LOAD_CONST $1                        @ 1 7 0 16  # code(1)
    MAKE_FUNCTION 1                      @ 1 7 0 16
    STORE_NAME f                         @ 1 7 0 16
    PUSH_NULL                            @ 8 14 0 16
    LOAD_BUILD_CLASS                     @ 8 14 0 16
    LOAD_CONST $2                        @ 8 14 0 16  # code(2)
    MAKE_FUNCTION 0                      @ 8 14 0 16
    LOAD_CONST $3                        @ 8 14 0 16  # 'C'
    PRECALL 2                            @ 8 14 0 16
    CALL 2                               @ 8 14 0 16
    STORE_NAME C                         @ 8 14 0 16
    LOAD_CONST $4                        @ 8 14 0 16  # None
    RETURN_VALUE                         @ 8 14 0 16

.code 1
.co_name 'f'
.co_qualname 'f'
.co_filename 's.py'
.co_firstlineno 1
.co_flags OPTIMIZED|NEWLOCALS|VARARGS|VARKEYWORDS
.co_argcount 2
.co_posonlyargcount 0
.co_kwonlyargcount 1
.co_stacksize 5
.local 'a' LOCAL
.local 'b' LOCAL
.local 'd' LOCAL
.local 'c' LOCAL
.local 'e' LOCAL
.const None  # $0
.const code(3)  # $1
.name 'print'
.name 'E'
    RESUME 0                             @ 1 1 0 0
    NOP                                  @ 2 7 4 16
L1:
    LOAD_CONST $1                        @ 3 3 15 34  # code(3)
    MAKE_FUNCTION 0                      @ 3 3 15 34
    LOAD_FAST c                          @ 3 3 27 28
    GET_ITER                             @ 3 3 15 34
    PRECALL 0                            @ 3 3 15 34
    CALL 0                               @ 3 3 15 34
L2:
    LOAD_GLOBAL print +1                 @ 7 7 8 13
    LOAD_FAST a                          @ 7 7 14 15
    PRECALL 1                            @ 7 7 8 16
    CALL 1                               @ 7 7 8 16
    POP_TOP                              @ 7 7 8 16
    RETURN_VALUE                         @ 7 7 8 16
L3:
    PUSH_EXC_INFO                        @ -
    LOAD_GLOBAL E                        @ 4 4 11 12
    CHECK_EXC_MATCH                      @ 4 5 4 13
    POP_JUMP_FORWARD_IF_FALSE L6         @ 4 5 4 13
    STORE_FAST e                         @ 4 5 4 13
L4:
    RAISE_VARARGS 0                      @ 5 5 8 13
L5:
    LOAD_CONST $0                        @ -  # None
    STORE_FAST e                         @ -
    DELETE_FAST e                        @ -
    RERAISE 1                            @ -
L6:
    RERAISE 0                            @ 4 5 4 13
L7:
    COPY 3                               @ -
    POP_EXCEPT                           @ -
    RERAISE 1                            @ -
L8:
    PUSH_EXC_INFO                        @ -
    LOAD_GLOBAL print +1                 @ 7 7 8 13
    LOAD_FAST a                          @ 7 7 14 15
    PRECALL 1                            @ 7 7 8 16
    CALL 1                               @ 7 7 8 16
    POP_TOP                              @ 7 7 8 16
    RERAISE 0                            @ 7 7 8 16
L9:
    COPY 3                               @ -
    POP_EXCEPT                           @ -
    RERAISE 1                            @ -
.except L1 L2 L3 0
.except L3 L4 L7 1 lasti
.except L4 L5 L5 1 lasti
.except L5 L7 L7 1 lasti
.except L7 L8 L8 0
.except L8 L9 L9 1 lasti

.code 2
.co_name 'C'
.co_qualname 'C'
.co_filename 's.py'
.co_firstlineno 8
.co_flags 0x0
.co_argcount 0
.co_posonlyargcount 0
.co_kwonlyargcount 0
.co_stacksize 1
.const 'C'  # $0
.const code(4)  # $1
.const None  # $2
.name '__name__'
.name '__module__'
.name '__qualname__'
.name 'm'
    RESUME 0                             @ 8 8 0 0
    LOAD_NAME __name__                   @ 8 8 0 0
    STORE_NAME __module__                @ 8 8 0 0
    LOAD_CONST $0                        @ 8 8 0 0  # 'C'
    STORE_NAME __qualname__              @ 8 8 0 0
    LOAD_CONST $1                        @ 9 14 4 16  # code(4)
    MAKE_FUNCTION 0                      @ 9 14 4 16
    STORE_NAME m                         @ 9 14 4 16
    LOAD_CONST $2                        @ 9 14 4 16  # None
    RETURN_VALUE                         @ 9 14 4 16

.code 3
.co_name '<listcomp>'
.co_qualname 'f.<locals>.<listcomp>'
.co_filename 's.py'
.co_firstlineno 3
.co_flags OPTIMIZED|NEWLOCALS|NESTED
.co_argcount 1
.co_posonlyargcount 0
.co_kwonlyargcount 0
.co_stacksize 3
.local '.0' LOCAL
.local 'x' LOCAL
    RESUME 0                             @ 3 3 0 0
    BUILD_LIST 0                         @ 3 3 15 34
    LOAD_FAST '.0'                       @ 3 3 15 34
L1:
    FOR_ITER L2                          @ 3 3 15 34
    STORE_FAST x                         @ 3 3 22 23
    LOAD_FAST x                          @ 3 3 32 33
    POP_JUMP_BACKWARD_IF_FALSE L1        @ 3 3 15 34
    LOAD_FAST x                          @ 3 3 16 17
    LIST_APPEND 2                        @ 3 3 15 34
    JUMP_BACKWARD L1                     @ 3 3 15 34
L2:
    RETURN_VALUE                         @ 3 3 15 34

.code 4
.co_name 'm'
.co_qualname 'C.m'
.co_filename 's.py'
.co_firstlineno 9
.co_flags OPTIMIZED|NEWLOCALS
.co_argcount 1
.co_posonlyargcount 0
.co_kwonlyargcount 0
.co_stacksize 2
.local 'self' LOCAL
.local 'g' LOCAL
.local 'v' CELL
.const None  # $0
.const 1  # $1
.const code(5)  # $2
    MAKE_CELL v                          @ -
    RESUME 0                             @ 9 9 0 0
    LOAD_CONST $1                        @ 10 10 12 13  # 1
    STORE_DEREF v                        @ 10 10 8 9
    LOAD_CLOSURE v                       @ 11 13 8 19
    BUILD_TUPLE 1                        @ 11 13 8 19
    LOAD_CONST $2                        @ 11 13 8 19  # code(5)
    MAKE_FUNCTION 8                      @ 11 13 8 19
    STORE_FAST g                         @ 11 13 8 19
    LOAD_FAST g                          @ 14 14 15 16
    RETURN_VALUE                         @ 14 14 8 16

.code 5
.co_name 'g'
.co_qualname 'C.m.<locals>.g'
.co_filename 's.py'
.co_firstlineno 11
.co_flags OPTIMIZED|NEWLOCALS|NESTED|GENERATOR
.co_argcount 0
.co_posonlyargcount 0
.co_kwonlyargcount 0
.co_stacksize 1
.local 'v' FREE
.const None  # $0
    COPY_FREE_VARS 1                     @ -
    RETURN_GENERATOR                     @ 11 11 - -
    POP_TOP                              @ 11 11 - -
    RESUME 0                             @ 11 11 0 0
    LOAD_DEREF v                         @ 13 13 18 19
    YIELD_VALUE                          @ 13 13 12 19
    RESUME 1                             @ 13 13 12 19
    POP_TOP                              @ 13 13 12 19
    LOAD_CONST $0                        @ 13 13 12 19  # None
    RETURN_VALUE                         @ 13 13 12 19
