# pycode asm (docs/asm.md)
.release 3.15.0rc1
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
.const (2,)  # $4
.name 'f'
.name 'C'
    RESUME 0                             @ 0 1 0 0
    LOAD_CONST $4                        @ 1 7 0 16  # (2,)
    LOAD_CONST $1                        @ 1 7 0 16  # code(1)
    MAKE_FUNCTION                        @ 1 7 0 16
    SET_FUNCTION_ATTRIBUTE 1             @ 1 7 0 16
    STORE_NAME f                         @ 1 7 0 16
    LOAD_BUILD_CLASS                     @ 8 14 0 16
    PUSH_NULL                            @ 8 14 0 16
    LOAD_CONST $2                        @ 8 14 0 16  # code(2)
    MAKE_FUNCTION                        @ 8 14 0 16
    LOAD_CONST $3                        @ 8 14 0 16  # 'C'
    CALL 2                               @ 8 14 0 16
    STORE_NAME C                         @ 8 14 0 16
    LOAD_COMMON_CONSTANT 7               @ 8 14 0 16
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
.local 'a' LOCAL|ARG_POS|ARG_KW
.local 'b' LOCAL|ARG_POS|ARG_KW
.local 'd' LOCAL|ARG_KW
.local 'c' LOCAL|ARG_POS|ARG_VAR
.local 'e' LOCAL|ARG_KW|ARG_VAR
.local 'x' LOCAL
.const None  # $0
.name 'print'
.name 'E'
    RESUME 0                             @ 1 1 0 0
    NOP                                  @ 2 7 4 16
L1:
    LOAD_FAST c                          @ 3 3 27 28
    LOAD_FAST_AND_CLEAR x                @ 3 3 15 34
    SWAP 2                               @ 3 3 15 34
L2:
    BUILD_LIST 0                         @ 3 3 15 34
    SWAP 2                               @ 3 3 15 34
    GET_ITER 0                           @ 3 3 27 28
L3:
    FOR_ITER L6                          @ 3 3 27 28
    STORE_FAST_LOAD_FAST x x             @ 3 3 22 23
    TO_BOOL                              @ 3 3 32 33
L4:
    POP_JUMP_IF_TRUE L5                  @ 3 3 16 17
    NOT_TAKEN                            @ 3 3 16 17
    JUMP_BACKWARD L3                     @ 3 3 16 17
L5:
    LOAD_FAST_BORROW x                   @ 3 3 16 17
    LIST_APPEND 3                        @ 3 3 16 17
    JUMP_BACKWARD L3                     @ 3 3 16 17
L6:
    END_FOR                              @ 3 3 27 28
    POP_ITER                             @ 3 3 27 28
L7:
    SWAP 2                               @ 3 3 15 34
    STORE_FAST x                         @ 3 3 15 34
L8:
    LOAD_GLOBAL print +1                 @ 7 7 8 13
    LOAD_FAST_BORROW a                   @ 7 7 14 15
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
    POP_JUMP_IF_FALSE L15                @ 4 5 4 13
L11:
    NOT_TAKEN                            @ 4 5 4 13
L12:
    STORE_FAST e                         @ 4 5 4 13
L13:
    RAISE_VARARGS 0                      @ 5 5 8 13
L14:
    LOAD_COMMON_CONSTANT 7               @ -
    STORE_FAST e                         @ -
    DELETE_FAST e                        @ -
    RERAISE 1                            @ -
L15:
    RERAISE 0                            @ 4 5 4 13
L16:
    COPY 3                               @ -
    POP_EXCEPT                           @ -
    RERAISE 1                            @ -
L17:
    PUSH_EXC_INFO                        @ -
    LOAD_GLOBAL print +1                 @ 7 7 8 13
    LOAD_FAST a                          @ 7 7 14 15
    CALL 1                               @ 7 7 8 16
    POP_TOP                              @ 7 7 8 16
    RERAISE 0                            @ 7 7 8 16
L18:
    COPY 3                               @ -
    POP_EXCEPT                           @ -
    RERAISE 1                            @ -
.except L1 L2 L10 0
.except L2 L4 L9 2
.except L5 L7 L9 2
.except L7 L8 L10 0
.except L9 L10 L10 0
.except L10 L11 L16 1 lasti
.except L12 L13 L16 1 lasti
.except L13 L14 L14 1 lasti
.except L14 L16 L16 1 lasti
.except L16 L17 L17 0
.except L17 L18 L18 1 lasti

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
.local '__classdict__' CELL
.const 'C'  # $0
.const code(3)  # $1
.const ()  # $2
.name '__name__'
.name '__module__'
.name '__qualname__'
.name '__firstlineno__'
.name 'm'
.name '__static_attributes__'
.name '__classdictcell__'
    MAKE_CELL __classdict__              @ -
    RESUME 0                             @ 8 8 0 0
    LOAD_NAME __name__                   @ 8 8 0 0
    STORE_NAME __module__                @ 8 8 0 0
    LOAD_CONST $0                        @ 8 8 0 0  # 'C'
    STORE_NAME __qualname__              @ 8 8 0 0
    LOAD_SMALL_INT 8                     @ 8 8 0 0
    STORE_NAME __firstlineno__           @ 8 8 0 0
    LOAD_LOCALS                          @ 8 8 0 0
    STORE_DEREF __classdict__            @ 8 8 0 0
    LOAD_CONST $1                        @ 9 14 4 16  # code(3)
    MAKE_FUNCTION                        @ 9 14 4 16
    STORE_NAME m                         @ 9 14 4 16
    LOAD_CONST $2                        @ 9 14 4 16  # ()
    STORE_NAME __static_attributes__     @ 9 14 4 16
    LOAD_FAST_BORROW __classdict__       @ 9 14 4 16
    STORE_NAME __classdictcell__         @ 9 14 4 16
    LOAD_COMMON_CONSTANT 7               @ 9 14 4 16
    RETURN_VALUE                         @ 9 14 4 16

.code 3
.co_name 'm'
.co_qualname 'C.m'
.co_filename 's.py'
.co_firstlineno 9
.co_flags OPTIMIZED|NEWLOCALS|METHOD
.co_argcount 1
.co_posonlyargcount 0
.co_kwonlyargcount 0
.co_stacksize 2
.local 'self' LOCAL|ARG_POS|ARG_KW
.local 'g' LOCAL
.local 'v' CELL
.const 1  # $0
.const code(4)  # $1
    MAKE_CELL v                          @ -
    RESUME 0                             @ 9 9 0 0
    LOAD_SMALL_INT 1                     @ 10 10 12 13
    STORE_DEREF v                        @ 10 10 8 9
    LOAD_FAST_BORROW v                   @ 11 13 8 19
    BUILD_TUPLE 1                        @ 11 13 8 19
    LOAD_CONST $1                        @ 11 13 8 19  # code(4)
    MAKE_FUNCTION                        @ 11 13 8 19
    SET_FUNCTION_ATTRIBUTE 8             @ 11 13 8 19
    STORE_FAST g                         @ 11 13 8 19
    LOAD_FAST_BORROW g                   @ 14 14 15 16
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
    POP_TOP                              @ 11 11 - -
L1:
    RESUME 0                             @ 11 11 0 0
    LOAD_DEREF v                         @ 13 13 18 19
    YIELD_VALUE 0                        @ 13 13 12 19
    RESUME 9                             @ 13 13 12 19
    POP_TOP                              @ 13 13 12 19
    LOAD_COMMON_CONSTANT 7               @ 13 13 12 19
    RETURN_VALUE                         @ 13 13 12 19
L2:
    CALL_INTRINSIC_1 INTRINSIC_STOPITERATION_ERROR @ -
    RERAISE 1                            @ -
.except L1 L2 L2 0 lasti
