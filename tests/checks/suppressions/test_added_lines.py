"""A marker the change adds is found on the line git's diff says it added, whatever line
ends the file holds above it. The reviewed tree's lines were read with universal newlines (a
lone CR ended a line there, not in git's diff): below a `# a<CR>b` line every added line
number pointed one line too low, and a `# noqa` the change added there was read on
another line and not reported (`TrustedFiles.lines`).

The generator: a separator on a line above (a lone CR, and characters `str.splitlines` ends
lines at that git does not: U+2028, U+2029, FF, FS, NEL) × the marker added (ruff's, bandit's,
reviewloop's in Python; ESLint's in JavaScript) × the file's line ends (LF, CRLF); the lines
the change added as `git diff main...feature` numbers them.
"""

from __future__ import annotations

import itertools
from pathlib import Path

from reviewloop.checks.suppressions.added import RULE, added_suppressions
from reviewloop.checks.suppressions.files import TrustedFiles
from reviewloop.checks.suppressions.scope import pr_trust
from reviewloop.git.repository import open_repository
from tests.support.repos import commit
from tests.support.suppression_trust import pr_repo

SEPARATORS = ("\r", "\u2028", "\u2029", "\x0c", "\x1c", "\x85")
MARKERS = {  # path → (the base's text, `{s}` the separator; the lines the change appends)
    "app.py": ("# a{s}b = 1\nc = 2\n", "d = 3  # noqa: E501\ne = 4\n"),
    "run.py": ("c = 1\n# a{s}b\n", "run(x)  # nosec B602\n"),
    "own.py": ('s = """a{s}b"""\n\n', "x = 1  # reviewloop: ignore[B602]\n"),
    "web.js": ("// a{s}b\nconst c = 2;\n", "f(); // eslint-disable-line no-undef\n"),
}
WORDS = ("noqa", "nosec", "reviewloop:", "eslint-disable")
ENDS = ("\n", "\r\n")


def _marked(path: Path, line: int) -> bool:
    """Whether git's `line` of the file at `path` holds a marker's word."""
    text = path.read_bytes().decode().split("\n")[line - 1]
    return any(word in text for word in WORDS)


def test_an_added_marker_is_found_on_gits_line(tmp_path: Path) -> None:
    for index, (sep, nl) in enumerate(itertools.product(SEPARATORS, ENDS)):
        base = {p: above.replace("{s}", sep).replace("\n", nl)
                for p, (above, _) in MARKERS.items()}
        root = pr_repo(tmp_path / f"r{index}", base)
        commit(root, {p: base[p] + added.replace("\n", nl)
                      for p, (_, added) in MARKERS.items()})
        repo = open_repository(root)
        trust = pr_trust(repo, "main", "feature")  # the added lines as git numbers them
        found = added_suppressions(TrustedFiles(repo, root, trust))
        expected = {(p, n) for p, added in trust.added.items() for n in added
                    if _marked(root / p, n)}
        assert len(expected) == len(MARKERS)
        assert {(f.file, f.start_line) for f in found if f.rule == RULE} == expected, \
            (repr(sep), repr(nl))
