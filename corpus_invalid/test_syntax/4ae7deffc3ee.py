class A[T: (int, (yield 3))]: pass
