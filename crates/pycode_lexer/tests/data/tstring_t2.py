y = t"""
line {a
 + b} end
"""
z = t"{'n' + f'{q}'}" tf""
