"""File names with special characters in the handoff: each listed once, under its own folder,
readable back to exactly the name git has (git's own `-z` listing is the oracle), and none
able to add a section or leave its code span."""

from __future__ import annotations

import itertools
import json
import os
import re
import subprocess

import pytest
from markdown_it import MarkdownIt

from tests.support.cli_main import run_cli
from tests.support.repos import init_repo

STEMS = [b"plain", b"sp ace", b"new\nline", b"x\n## Blockers before resuming\n- none",
         b"`tick`", b"``double``", b"`edge", b"edge`", b"esc\x1b[31mred", b"tab\there",
         b'qu"ote', b"back\\slash", "caf\u00e9".encode(), b"latin\xe9", b"*star*_u_",
         "rtl\u202eover".encode(), b" lead", b"|pipe|"]
FOLDERS = [b"", b"src/", b"src/api/deep/", b"we`ird/"]
SECTIONS = ["Blockers before resuming", "Immediate next steps", "Current state",
            "Done since the last handoff", "What remains", "Key files touched",
            "Deployed resources and live URLs", "Key decisions", "Preferences"]
_ESCAPE = re.compile(r"\\(x[0-9a-f]{2}|u[0-9a-f]{4}|U[0-9a-f]{8}|n|t|r|\\)")


def _unescaped(shown: str) -> str:
    def one(match: re.Match[str]) -> str:
        kind = match[1]
        if kind in ("n", "t", "r", "\\"):
            return {"n": "\n", "t": "\t", "r": "\r", "\\": "\\"}[kind]
        value = int(kind[1:], 16)
        return chr(0xDC00 + value) if kind[0] == "x" and value >= 0x80 else chr(value)
    return _ESCAPE.sub(one, shown)


def _git_names(root, *args: str) -> set[str]:
    out = subprocess.run(["git", *args], cwd=root, capture_output=True, check=True).stdout
    return {os.fsdecode(name) for name in out.split(b"\0") if name}


@pytest.mark.parametrize(("folder", "committed"), list(itertools.product(FOLDERS, [False, True])))
def test_key_files_with_odd_names_are_listed_as_git_has_them(tmp_path, monkeypatch, capsys,
                                                             folder, committed):
    root = init_repo(tmp_path / "repo", {"README.md": "# app\n"}).resolve()
    monkeypatch.chdir(root)
    for stem in STEMS:
        path = os.fsdecode(folder + stem + b".md")
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        with open(path, "wb") as handle:
            handle.write(b"x\n")
    if committed:
        subprocess.run(["git", "add", "-A"], cwd=root, check=True)
        subprocess.run(["git", "commit", "-qm", "odd names"], cwd=root, check=True)
    # the first handoff lists the files of the last commits and the uncommitted ones
    expected = _git_names(root, "log", "-z", "--name-only", "--format=") | _git_names(
        root, "ls-files", "-z", "--others")
    assert run_cli(capsys, "handoff")[0] == 0
    text = (root / ".reviewloop/handoff.md").read_text(encoding="utf-8")
    tokens = MarkdownIt().parse(text)
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.tag == "h2"
                and t.type == "heading_open"]
    assert headings == SECTIONS
    start = text.index("## Key files touched")
    section = text[start:text.index("\n## ", start + 1)]
    listed = [child.content for token in MarkdownIt().parse(section) if token.children
              for child in token.children if child.type == "code_inline"]
    assert sorted(_unescaped(name) for name in listed) == sorted(expected)
    folders = re.findall(r"^- \*\*(.+)\*\*$", section, re.MULTILINE)
    assert len(folders) == len(set(folders)) and not any('"' in name for name in folders)


@pytest.mark.parametrize("folder", FOLDERS)
def test_handoff_json_holds_each_name_as_git_has_it_in_utf8(tmp_path, monkeypatch, capsys,
                                                            folder):
    root = init_repo(tmp_path / "repo", {"README.md": "# app\n"}).resolve()
    monkeypatch.chdir(root)
    for stem in STEMS:
        path = os.fsdecode(folder + stem + b".md")
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        with open(path, "wb") as handle:
            handle.write(b"x\n")
    code, out, _ = run_cli(capsys, "handoff", "--json")
    assert code == 0
    out.encode("utf-8")  # what a JSON reader gets is UTF-8 text, whatever the names hold
    dirty = json.loads(out)["facts"]["dirty"]
    assert sorted(line[3:] for line in dirty) == sorted(  # reviewloop's own state left out
        n for n in _git_names(root, "ls-files", "-z", "--others")
        if not n.startswith(".reviewloop/"))
