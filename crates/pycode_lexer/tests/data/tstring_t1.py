x = t"a{b!r:>{w}}c{{d}}e{f=}" + rt"\{g}" + T"{h:{i}.{j}f}"
