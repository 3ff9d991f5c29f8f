"""Whether a change's edit of an ESLint flat config only drops global ignores: entries taken
out of an `{ ignores: [...] }` object that holds nothing else (a `name` aside), or out of a
`globalIgnores([...])`, or such an object dropped whole, every other character the same.
ESLint then lints more files with the same rules, so the edit hides nothing
(`suppressions.tightening`); the review applies it (`suppressions.eslint_project`: a
suppression holds only where the reviewed tree's config makes it too).

Anything else is no tightening: an `ignores` beside `files` or `rules` scopes that object (its
`"off"` then reaches more files), and a negated pattern (`"!legacy/keep.js"`) dropped ignores
more. Only an ignores object that is a direct element of the exported array (`export default
[...]`, `module.exports = [...]`, `defineConfig([...])`) is global: one bound to a name, spread
into another object, handed to a helper or nested in `extends` may scope an `"off"` (rev13
D1b), so its edit stays a suppression. The config is JavaScript, read here as text: an edit
this cannot read is a suppression lever, as before.
"""

from __future__ import annotations

import re
from collections import Counter

_STRING = r"""(?:"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')"""
# a global ignores object, or `globalIgnores([...])`, with what follows it up to the next item
_GLOBAL = re.compile(rf"""\{{\s*(?:name\s*:\s*{_STRING}\s*,\s*)?ignores\s*:\s*\[([^\[\]]*)\]"""
                     rf"""\s*,?\s*\}}\s*,?|\bglobalIgnores\(\s*\[([^\[\]]*)\]\s*\)\s*,?""")
_ENTRY = re.compile(rf"\s*({_STRING})\s*(?:,|$)")


def dropped_ignores(mine: str, trusted: str) -> list[str] | None:
    """The global ignores patterns the change's config text `mine` drops from the trusted
    side's `trusted`, when that is all the edit does; None when it may loosen."""
    new, old = _entries(mine), _entries(trusted)
    if new is None or old is None or _skeleton(mine) != _skeleton(trusted):
        return None
    if any(entry.lstrip("\"'").startswith("!") for entry in (*new, *old)):
        return None  # a negation un-ignores: dropping one ignores more
    gone = Counter(old) - Counter(new)
    if not gone or Counter(new) - Counter(old):
        return None
    return [f"no longer ignores {entry}" for entry in sorted(gone)]


def _entries(text: str) -> list[str] | None:
    """Every pattern of the text's global ignores (None: one is no list of strings)."""
    found = []
    for match in _globals(text):
        body = (match[1] if match[1] is not None else match[2]).strip().rstrip(",")
        at = 0
        while at < len(body):
            entry = _ENTRY.match(body, at)
            if entry is None:
                return None
            found.append(entry[1])
            at = entry.end()
    return found


def _skeleton(text: str) -> str:
    """The text without its global ignores, its spaces collapsed."""
    kept, at = [], 0
    for match in _globals(text):
        kept.append(text[at:match.start()])
        at = match.end()
    return re.sub(r"\s+", "", "".join((*kept, text[at:])))


# what opens the exported array: `export default [`, `module.exports = [`, `defineConfig([`
_EXPORTED = re.compile(
    r"(?:\bexport\s+default|\bmodule\.exports\s*=)\s*(?:defineConfig\s*\()?\s*$")
_SKIPPED = re.compile(rf"{_STRING}|`(?:[^`\\]|\\.)*`|//[^\n]*|/\*.*?\*/", re.DOTALL)


def _globals(text: str) -> list[re.Match[str]]:
    """The `_GLOBAL` matches that are direct elements of the exported array."""
    return [m for m in _GLOBAL.finditer(text) if _direct(text, m.start())]


def _direct(text: str, start: int) -> bool:
    """Whether what starts at `start` is an element of the exported array itself: the only
    bracket open there is that array's `[` (inside `defineConfig(` at most)."""
    openers: list[int] = []
    at = 0
    while at < start:
        skipped = _SKIPPED.match(text, at)
        if skipped is not None:
            at = skipped.end()
            continue
        if text[at] in "([{":
            openers.append(at)
        elif text[at] in ")]}" and openers:
            openers.pop()
        at += 1
    if not openers or text[openers[-1]] != "[":
        return False
    head = text[:openers[-1]]
    if len(openers) == 2 and text[openers[0]] == "(":
        head = text[:openers[0] + 1]
    elif len(openers) != 1:
        return False
    before = text[:start].rstrip()
    return bool(_EXPORTED.search(head)) and before.endswith(("[", ","))
