"""Commit subjects in the handoff and in pickup: written as file names are (control and format
characters escaped), so no subject can colour the terminal or reach the Markdown raw; each
reads back to exactly the subject git has (`git log --format=%s` is the oracle)."""

from __future__ import annotations

import itertools
import re
import subprocess
import unicodedata

import pytest

from tests.support.cli_main import run_cli
from tests.support.repos import init_repo

PARTS = ["plain", "esc\x1b[31mred", "bell\x07", "tab\tin", "cr\rret", "del\x7f", "nul-less\x01",
         "rtl\u202eover", "zw\u200bsp", "c1\x9b", "back\\slash", "caf\u00e9"]
_ESCAPE = re.compile(r"\\(x[0-9a-f]{2}|u[0-9a-f]{4}|U[0-9a-f]{8}|n|t|r|\\)")


def _unescaped(shown: str) -> str:
    def one(match: re.Match[str]) -> str:
        kind = match[1]
        if kind in ("n", "t", "r", "\\"):
            return {"n": "\n", "t": "\t", "r": "\r", "\\": "\\"}[kind]
        return chr(int(kind[1:], 16))
    return _ESCAPE.sub(one, shown)


def _unsafe(text: str) -> list[str]:
    return [ch for ch in text if ch != "\n" and unicodedata.category(ch) in ("Cc", "Cf")]


SUBJECTS = [f"{a} {b}" for a, b in itertools.product(PARTS, PARTS) if a != b][::7]


@pytest.mark.parametrize("subject", SUBJECTS)
def test_commit_subjects_in_the_handoff_and_pickup_are_escaped(tmp_path, monkeypatch, capsys,
                                                               subject):
    root = init_repo(tmp_path / "repo", {"README.md": "# app\n"}).resolve()
    monkeypatch.chdir(root)
    (root / "a.txt").write_text("a\n")
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", "commit", "-qm", subject], cwd=root, check=True)
    git_subject = subprocess.run(["git", "log", "-1", "--format=%s"], cwd=root, check=True,
                                 capture_output=True).stdout.decode().rstrip("\n")
    code, out, _ = run_cli(capsys, "handoff")
    assert code == 0 and not _unsafe(out)
    text = (root / ".reviewloop/handoff.md").read_text(encoding="utf-8")
    assert not _unsafe(text)
    done = re.findall(r"^- commit [0-9a-f]{8} (.*)$", text, re.MULTILINE)
    last = re.findall(r"^- last commit: [0-9a-f]{8} (.*)$", text, re.MULTILINE)
    assert _unescaped(done[0]) == git_subject == _unescaped(last[0])
    code, out, _ = run_cli(capsys, "pickup")
    assert not _unsafe(out) and _unescaped(re.findall(r"[0-9a-f]{8} (.*)", out)[0]).rstrip() \
        == git_subject.rstrip()
