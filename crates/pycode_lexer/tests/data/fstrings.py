x = f"a{b!r:>{w}}c{{d}}e{f=}" + rf"\{g}" + f"{h:{i}.{j}f}" + f"\N{BULLET} {k}"
