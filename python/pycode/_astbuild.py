"""Real ``ast`` nodes of the running interpreter from the text of ``ast.dump(tree,
include_attributes=True)`` (what pycode's parser prints exactly as the release's own ``ast``
does). The text is read with an explicit stack, so any nesting depth works, and every literal
goes through ``ast.literal_eval`` one token at a time: nothing is executed."""

import ast as _ast
import re as _re

_TOKEN = _re.compile(r"""
    \s*(?:
      (?P<str>[bBuU]?(?:'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"))
    | (?P<num>-?[0-9][0-9.]*(?:[eE][-+]?[0-9]+)?j?)
    | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<punct>[()\[\],=])
    )""", _re.VERBOSE)

_NAMED = {"None": None, "True": True, "False": False, "Ellipsis": ..., "inf": float("inf"),
          "infj": complex(0.0, float("inf"))}


def from_dump(text):
    """The node that ``text`` (an ``ast.dump`` with annotated fields) describes."""
    stack = []  # frames: [node class, kwargs, pending field] or [list]
    result = []
    pos, end = 0, len(text)

    def deliver(value):
        if not stack:
            result.append(value)
            return
        top = stack[-1]
        if len(top) == 1:
            top[0].append(value)
        else:
            if top[2] is None:
                raise ValueError("unnamed field in AST dump at offset %d" % pos)
            top[1][top[2]] = value
            top[2] = None

    while pos < end:
        m = _TOKEN.match(text, pos)
        if m is None:
            if text[pos:].strip():
                raise ValueError("bad AST dump at offset %d" % pos)
            break
        pos = m.end()
        kind = m.lastgroup
        tok = m.group(kind)
        if kind == "str" or kind == "num":
            deliver(_ast.literal_eval(tok))
        elif kind == "name":
            nxt = text[pos:pos + 1]
            if nxt == "(":
                pos += 1
                cls = getattr(_ast, tok, None)
                if not (isinstance(cls, type) and issubclass(cls, _ast.AST)):
                    raise ValueError("unknown AST node %r" % tok)
                stack.append([cls, {}, None])
            elif nxt == "=" and stack and len(stack[-1]) == 3:
                pos += 1
                stack[-1][2] = tok
            elif tok in _NAMED:
                deliver(_NAMED[tok])
            else:
                raise ValueError("unexpected name %r in AST dump" % tok)
        elif tok == "[":
            stack.append([[]])
        elif tok == "]":
            if not stack or len(stack[-1]) != 1:
                raise ValueError("unbalanced ']' in AST dump")
            deliver(stack.pop()[0])
        elif tok == ")":
            if not stack or len(stack[-1]) != 3:
                raise ValueError("unbalanced ')' in AST dump")
            cls, kwargs, _ = stack.pop()
            deliver(cls(**kwargs))
        # ',' separates; '=' only follows a field name
    if stack or len(result) != 1:
        raise ValueError("incomplete AST dump")
    return result[0]
