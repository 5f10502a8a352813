def g[T](x: T) -> T:
    return x

