"""gitignore-style path globs, shared by reviewer scopes and governance rules."""

from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=512)
def path_glob(pattern: str, *, ignore_case: bool = False) -> re.Pattern[str]:
    """A compiled glob for repo-relative posix paths (use `fullmatch`).

    `*` and `?` stay within a folder, `**` spans folders, `[abc]`/`[!abc]` are classes; a
    pattern without `/` matches at any depth, and a match on a folder covers everything
    below it — the way `.gitignore` reads patterns.
    """
    text = pattern.strip()
    anchored = text.startswith("/") or "/" in text.rstrip("/")
    text = text.removeprefix("./").lstrip("/").rstrip("/")
    out = [] if anchored else ["(?:.*/)?"]
    i = 0
    while i < len(text):
        if text.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif text.startswith("**", i):
            out.append(".*")
            i += 2
        elif text[i] == "*":
            out.append("[^/]*")
            i += 1
        elif text[i] == "?":
            out.append("[^/]")
            i += 1
        elif text[i] == "[" and "]" in text[i + 2:]:
            end = text.index("]", i + 2)
            body = text[i + 1:end].replace("\\", "\\\\")
            out.append("[" + ("^" + body[1:] if body.startswith("!") else body) + "]")
            i = end + 1
        else:
            out.append(re.escape(text[i]))
            i += 1
    return re.compile("".join(out) + "(?:/.*)?", re.IGNORECASE if ignore_case else 0)
