"docstring? no, printed"
