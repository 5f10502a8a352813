def f():
    """Only a docstring."""

