# A literal '%' pooled before the rewritten one: the const cache keeps the singleton.
q = '%'
i = "%%%s" % (x,)
j = "%s%%" % (x,)
