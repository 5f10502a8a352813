type A[T: (x:=3)] = int
