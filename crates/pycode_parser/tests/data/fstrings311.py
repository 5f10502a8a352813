x = f"a{{b}}c{x!r:>{w}}d" f"{x = }" f"{x:}" 'plain' u'u'
y = u"{a}" f"{a,b}" f'{x=!s:10}' f"{ (1, 2) }" f"\N{DIGIT ONE}{z}"
z = f'''multi
{value:{width}.{precision}} {{}} {"nested" + f"{inner}"}
'''
