# coding: big5hkscs
x = "Ê̄ 𠀡"
