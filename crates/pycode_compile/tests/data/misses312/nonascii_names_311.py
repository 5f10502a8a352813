# 3.11-compatible part of nonascii_names.py (no type parameters or `type` statements): the
# parser interns non-[A-Za-z0-9_] identifiers, so wherever one becomes a constant (class name,
# keyword names, import fromlists, annotation keys, keyword-only default keys, class patterns).
import é
from m import Ölçü, ß as ñ
from . import naïve
class Café:
    λ: int = 1
    __ü = 2
    def μ(self, ä1, /, ö=1, *, ü=2, __ÿ=3, **kw) -> "Café":
        self.ä1 = ä1
        return Ölçü(ü=ä1, Ω=1, **kw).ä1
    class Ωmega:
        def ℌ(self):
            return __class__
def 中文(x, *, ñ="é", ß=2):
    class Café(ñ, metaclass=ß, é=1):
        pass
    return Café, 中文(x, ñ=1, ß=2, é=3)
match é:
    case Café(ä1=1, ü=[x, *y]):
        pass
σ: int = 2
