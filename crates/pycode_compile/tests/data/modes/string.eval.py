"not a docstring"
