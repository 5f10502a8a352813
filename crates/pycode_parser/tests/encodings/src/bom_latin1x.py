  # vim: set fileencoding=Latin_1-foo :
x = 1
