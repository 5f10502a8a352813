"""``marshal.loads`` / ``marshal.dumps`` for any release pycode knows.

Reading is safe on untrusted bytes: bad data raises ``ValueError`` naming the offset; code
objects come back as :class:`pycode.Code` (never executed, never a ``CodeType``)."""

from . import _native


def _release(release):
    from . import _resolve
    return _resolve(release)


def loads(data, *, release=None):
    """The object marshal data ``data`` holds, as CPython ``release`` (default: the running
    interpreter's) reads it."""
    return _native.loads(bytes(data), _release(release))


def dumps(value, *, release=None):
    """``marshal.dumps(value)`` in ``release``'s marshal format. Objects get ``FLAG_REF`` as
    pycode writes fresh objects (CPython's choice depends on live reference counts)."""
    return _native.dumps(value, _release(release))
