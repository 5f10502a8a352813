f"{x!r:>{width}} and {y=}" + "plain"
