{k: v for k, v in items}, {a for a in b}, (g for g in h)
