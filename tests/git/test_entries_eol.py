"""A file landing writes into the checkout (`entries.write_entry`) has the bytes git's own
checkout of the same entry writes: its end-of-line conversion (`.gitattributes` `eol`/`text`,
`core.autocrlf`) applied, as a CRLF tasks.md stays CRLF. The oracle is git itself:
`git checkout -- PATH` of the same index entry. Generated: attributes, autocrlf settings and
contents (LF, CRLF, mixed, binary-looking)."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.git.entries import index_entries, write_entry
from reviewloop.git.repository import open_repository
from tests.support.repos import init_repo

ATTRIBUTES = st.sampled_from(["", "*.md text eol=crlf\n", "*.md text eol=lf\n",
                              "*.md text=auto\n", "*.md -text\n", "* text=auto eol=crlf\n"])
AUTOCRLF = st.sampled_from(["false", "true", "input"])
LINES = st.lists(st.sampled_from(["- [ ] 1. Base", "- [x] 2. Done", "", "détail ✓", "\t-x"]),
                 min_size=1, max_size=5)
ENDINGS = st.sampled_from(["\n", "\r\n"])


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(attributes=ATTRIBUTES, autocrlf=AUTOCRLF, lines=LINES, ending=ENDINGS,
       final=st.booleans())
def test_a_written_entry_is_what_gits_checkout_writes(attributes: str, autocrlf: str,
                                                      lines: list[str], ending: str,
                                                      final: bool) -> None:
    content = ending.join(lines) + (ending if final else "")
    with tempfile.TemporaryDirectory(prefix="eol-") as name:
        root = init_repo(Path(name) / "repo", {".gitattributes": attributes or "# none\n"})
        _git(root, "config", "core.autocrlf", autocrlf)
        path = root / "specs" / "tasks.md"
        path.parent.mkdir()
        path.write_bytes(content.encode())
        _git(root, "add", "specs/tasks.md")
        repo = open_repository(root)
        entry = index_entries(repo, ["specs/tasks.md"])["specs/tasks.md"]

        path.unlink()
        _git(root, "checkout", "--", "specs/tasks.md")
        oracle = path.read_bytes()
        path.unlink()
        write_entry(repo, "specs/tasks.md", entry)
        assert path.read_bytes() == oracle, (attributes, autocrlf, content)
