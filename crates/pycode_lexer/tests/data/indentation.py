if x:
	if y:
		pass
  # comment

	else:  # trailing
		z = (1,
		  2)
