x = tr"a" Rt"b" bt"c"
