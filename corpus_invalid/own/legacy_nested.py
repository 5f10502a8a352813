print print x
