x = f"a{{b}}c{x!r:>{w}}d" f"{x = }" f"{x:}" 'plain' u'u'
y = f"{a}" "b" f"" "" f'{x=!s:10}'
yb = rb'\x00' b"c"
z = f'''multi
{value:{width}.{precision}} {{}} {"nested" + f"{inner}"}
'''
w = "a" "b" u"c"
