# PEP 765 (3.14+): 'return'/'break'/'continue' in a 'finally' block warn, only where the
# innermost context is the finally body.
def f():
    try:
        pass
    finally:
        return 1
def g():
    for x in y:
        try:
            pass
        finally:
            break
    while x:
        try:
            pass
        finally:
            continue
def h():
    try:
        pass
    finally:
        for x in y:
            return 1
        for x in y:
            break
        else:
            x = 1
        while 1:
            try:
                pass
            finally:
                for q in r:
                    pass
                else:
                    continue
        def inner():
            return 2
        class K:
            def m(self):
                return 3
        try:
            return 4
        except E:
            return 5
        finally:
            return 6
        with a:
            if b:
                return 7
        lambda: 1
        [x for x in y]
def k():
    for x in y:
        try:
            pass
        finally:
            while z:
                break
            else:
                break
async def a():
    try:
        pass
    finally:
        async for x in y:
            continue
        return
def m():
    try:
        pass
    except* E:
        pass
    finally:
        match x:
            case 1:
                return


def is_literal(x):
    try:
        return x is 1
    finally:
        return x
