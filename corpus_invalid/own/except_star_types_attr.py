try:
 pass
except* (A).b, B as e:
 pass
