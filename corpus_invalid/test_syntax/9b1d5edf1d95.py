class A[T: (yield 3)]: pass
