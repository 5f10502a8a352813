type A[T: (yield from [])] = int
