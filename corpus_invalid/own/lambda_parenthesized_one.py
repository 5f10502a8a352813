lambda (x): None
