print -1
