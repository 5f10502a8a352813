type Alias[T: int, *Ts, **P] = list[T]
def f[T](x: T) -> T:
    return x
class C[T = int]:
    def m[U](self, u: U) -> T | U: ...
x = f"{f"{f"{1}"}"}"
y = f'{x:{"a"}{1}}'
