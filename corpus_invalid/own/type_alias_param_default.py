type A[T = int] = int
