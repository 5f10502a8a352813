y = f"""
line {a
 + b} end
"""
z = f"{'nested' + f'{q}'}"
