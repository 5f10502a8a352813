"a" "b" f"c{d}"
