# A 1-character latin-1 name used only in `global` / `nonlocal`: the parser interned the shared
# singleton, so the equal constants are interned too (3.12.1 writes them interned).
def f():
    global ß
    return 'ß', 'ÿ', 'é'
def g():
    ÿ = 1
    def h():
        nonlocal ÿ
    return h
