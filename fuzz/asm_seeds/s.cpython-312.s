# pycode asm (docs/asm.md)
.release 3.12.7
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
    CALL 2                               @ 8 14 0 16
    STORE_NAME C                         @ 8 14 0 16
    RETURN_CONST $4                      @ 8 14 0 16  # None

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
.local 'x' LOCAL
.const None  # $0
.name 'print'
.name 'E'
    RESUME 0                             @ 1 1 0 0
    NOP                                  @ 2 7 4 16
L1:
    LOAD_FAST c                          @ 3 3 27 28
    GET_ITER                             @ 3 3 27 28
    LOAD_FAST_AND_CLEAR x                @ 3 3 15 34
    SWAP 2                               @ 3 3 15 34
L2:
    BUILD_LIST 0                         @ 3 3 15 34
    SWAP 2                               @ 3 3 15 34
L3:
    FOR_ITER L6                          @ 3 3 27 28
    STORE_FAST x                         @ 3 3 22 23
    LOAD_FAST x                          @ 3 3 32 33
    POP_JUMP_IF_TRUE L5                  @ 3 3 32 33
L4:
    JUMP_BACKWARD L3                     @ 3 3 32 33
L5:
    LOAD_FAST x                          @ 3 3 16 17
    LIST_APPEND 2                        @ 3 3 16 17
    JUMP_BACKWARD L3                     @ 3 3 16 17
L6:
    END_FOR                              @ 3 3 27 28
L7:
    SWAP 2                               @ 3 3 15 34
    STORE_FAST x                         @ 3 3 15 34
L8:
    LOAD_GLOBAL print +1                 @ 7 7 8 13
    LOAD_FAST a                          @ 7 7 14 15
    CALL 1                               @ 7 7 8 16
    POP_TOP                              @ 7 7 8 16
    RETURN_VALUE                         @ 7 7 8 16
L9:
    SWAP 2                               @ -
    POP_TOP                              @ -
    SWAP 2                               @ 3 3 15 34
    STORE_FAST x                         @ 3 3 15 34
    RERAISE 0                            @ 3 3 15 34
L10:
    PUSH_EXC_INFO                        @ -
    LOAD_GLOBAL E                        @ 4 4 11 12
    CHECK_EXC_MATCH                      @ 4 5 4 13
    POP_JUMP_IF_FALSE L13                @ 4 5 4 13
    STORE_FAST e                         @ 4 5 4 13
L11:
    RAISE_VARARGS 0                      @ 5 5 8 13
L12:
    LOAD_CONST $0                        @ -  # None
    STORE_FAST e                         @ -
    DELETE_FAST e                        @ -
    RERAISE 1                            @ -
L13:
    RERAISE 0                            @ 4 5 4 13
L14:
    COPY 3                               @ -
    POP_EXCEPT                           @ -
    RERAISE 1                            @ -
L15:
    PUSH_EXC_INFO                        @ -
    LOAD_GLOBAL print +1                 @ 7 7 8 13
    LOAD_FAST a                          @ 7 7 14 15
    CALL 1                               @ 7 7 8 16
    POP_TOP                              @ 7 7 8 16
    RERAISE 0                            @ 7 7 8 16
L16:
    COPY 3                               @ -
    POP_EXCEPT                           @ -
    RERAISE 1                            @ -
.except L1 L2 L10 0
.except L2 L4 L9 2
.except L5 L7 L9 2
.except L7 L8 L10 0
.except L9 L10 L10 0
.except L10 L11 L14 1 lasti
.except L11 L12 L12 1 lasti
.except L12 L14 L14 1 lasti
.except L14 L15 L15 0
.except L15 L16 L16 1 lasti

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
.const code(3)  # $1
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
    LOAD_CONST $1                        @ 9 14 4 16  # code(3)
    MAKE_FUNCTION 0                      @ 9 14 4 16
    STORE_NAME m                         @ 9 14 4 16
    RETURN_CONST $2                      @ 9 14 4 16  # None

.code 3
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
.const code(4)  # $2
    MAKE_CELL v                          @ -
    RESUME 0                             @ 9 9 0 0
    LOAD_CONST $1                        @ 10 10 12 13  # 1
    STORE_DEREF v                        @ 10 10 8 9
    LOAD_CLOSURE v                       @ 11 13 8 19
    BUILD_TUPLE 1                        @ 11 13 8 19
    LOAD_CONST $2                        @ 11 13 8 19  # code(4)
    MAKE_FUNCTION 8                      @ 11 13 8 19
    STORE_FAST g                         @ 11 13 8 19
    LOAD_FAST g                          @ 14 14 15 16
    RETURN_VALUE                         @ 14 14 8 16

.code 4
.co_name 'g'
.co_qualname 'C.m.<locals>.g'
.co_filename 's.py'
.co_firstlineno 11
.co_flags OPTIMIZED|NEWLOCALS|NESTED|GENERATOR
.co_argcount 0
.co_posonlyargcount 0
.co_kwonlyargcount 0
.co_stacksize 2
.local 'v' FREE
.const None  # $0
    COPY_FREE_VARS 1                     @ -
    RETURN_GENERATOR                     @ 11 11 - -
    POP_TOP                              @ -
L1:
    RESUME 0                             @ 11 11 0 0
    LOAD_DEREF v                         @ 13 13 18 19
    YIELD_VALUE 1                        @ 13 13 12 19
    RESUME 1                             @ 13 13 12 19
    POP_TOP                              @ 13 13 12 19
    RETURN_CONST $0                      @ 13 13 12 19  # None
L2:
    CALL_INTRINSIC_1 INTRINSIC_STOPITERATION_ERROR @ -
    RERAISE 1                            @ -
.except L1 L2 L2 0 lasti
