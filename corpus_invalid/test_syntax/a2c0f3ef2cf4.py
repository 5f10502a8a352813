type A[T: (await 3)] = int
