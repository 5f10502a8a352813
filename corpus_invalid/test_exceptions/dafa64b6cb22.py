def fact(x):
	return x!
