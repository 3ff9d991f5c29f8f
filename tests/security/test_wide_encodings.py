"""A file in UTF-16 or UTF-32 is text, and its secrets are scanned. PowerShell's `>` writes
UTF-16 with a byte-order mark; git takes it for binary by its NULs, and the review said
nothing about the keys in it (0 findings, complete). Whatever the encoding (UTF-16 or
UTF-32 in either byte order, with or without a mark, UTF-8 with one), the file's name and
where the key sits, the review either reports the key on its line or names the file as not
scanned and is incomplete; and a tool that reads only UTF-8 names it as not analysed."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.checks.secrets.analyzer import SecretsScan
from reviewloop.git.repository import open_repository
from tests.support.analyzers import FakeAnalyzer, agent
from tests.support.gitutil import git
from tests.support.repos import init_repo
from tests.support.review_cli import review

KEY = 'AWS_SECRET_ACCESS_KEY = "r8Vq2LxP0sKd9TzW4mYb7NcE1fHj6UaG3oQiXv5S"'
_MARKS = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE,
          "utf-32-le": codecs.BOM_UTF32_LE, "utf-32-be": codecs.BOM_UTF32_BE,
          "utf-8": codecs.BOM_UTF8}
NAMES = (".env", "notes.txt", "deploy/settings.ini", "profile.ps1", "conf/app.json",
         "tool.py", "run.sh", "data.unknown", "Dockerfile")


@st.composite
def encoded(draw: st.DrawFn) -> tuple[bytes, int, bool]:
    """A file's bytes with the key on a line of it (its line number, from 1), and whether it
    is in UTF-16 or UTF-32: lines before the key, some beyond ASCII, enough of them at
    times to put it past git's first 8,000 bytes."""
    before = draw(st.integers(0, 400))
    lines = [f"setting_{n} = 'café {n}'" for n in range(before)]
    lines += [KEY, *(f"after_{n} = 1" for n in range(draw(st.integers(0, 3))))]
    end = draw(st.sampled_from(["\n", "\r\n"]))
    text = end.join(lines) + draw(st.sampled_from([end, ""]))
    encoding = draw(st.sampled_from(sorted(_MARKS)))
    marked = draw(st.booleans()) or encoding == "utf-8"
    data = (_MARKS[encoding] if marked else b"") + text.encode(encoding)
    return data, before + 1, encoding != "utf-8"


def _scanned(root: Path, path: str, line: int, wide: bool, *args: str) -> None:
    done = review(root, *args, "--json")
    assert done.returncode in (0, 1), done.stderr[-2000:]
    report = json.loads(done.stdout)
    found = {(f["file"], f["start_line"]) for f in report["findings"]["remaining"]
             if f["rule"] == "aws-secret-access-key"}
    [row] = [r for r in report["health"]["files"] if r["path"] == path]
    secrets_read = any(a.startswith("secrets ") for a in row["analysed_by"])
    assert ((path, line) in found and secrets_read) or (
        any(why.startswith("secrets") for why in row["not_read"])
        and not report["health"]["complete"]), report["verdict"]
    if wide:  # no tool but the secrets scan reads it as it is
        assert row["analysed_by"] == ["secrets (review-security)"]


@settings(max_examples=24, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=encoded(), path=st.sampled_from(NAMES), committed=st.booleans())
def test_a_key_in_any_unicode_encoding_is_found_on_its_line(
        tmp_path_factory: pytest.TempPathFactory, content: tuple[bytes, int, bool], path: str,
        committed: bool) -> None:
    data, line, wide = content
    root = init_repo(tmp_path_factory.mktemp("enc") / "r", {"README.md": "hi\n"})
    (root / path).parent.mkdir(parents=True, exist_ok=True)
    (root / path).write_bytes(data)
    if committed:
        git(root, "checkout", "-qb", "feature")
        git(root, "add", "-A")
        git(root, "commit", "-qm", "feature")
        _scanned(root, path, line, wide, "--base", "main", "--head", "feature")
    else:
        _scanned(root, path, line, wide)


def test_a_utf16_python_file_is_named_not_analysed_by_its_utf8_tools(tmp_path: Path) -> None:
    """What PowerShell's `>` writes: the key is found on its line, and every Python tool
    names the file as not analysed."""
    root = init_repo(tmp_path / "r", {"README.md": "hi\n"})
    (root / "tool.py").write_bytes(f"import os\n\n{KEY}\n".encode("utf-16"))
    done = review(root, "--json")
    report = json.loads(done.stdout)
    assert done.returncode == 1 and report["health"]["complete"] is False
    assert ("tool.py", 3) in {(f["file"], f["start_line"])
                              for f in report["findings"]["remaining"]
                              if f["rule"] == "aws-secret-access-key"}
    [row] = [r for r in report["health"]["files"] if r["path"] == "tool.py"]
    assert row["analysed_by"] == ["secrets (review-security)"]
    assert {why.split(":")[0] for why in row["not_read"]} == {
        "bandit", "ruff-maintainability", "ruff-performance"}


class _Utf8Reader(FakeAnalyzer):
    """A tool that reads any file as UTF-8 and finds nothing in garbage (shellcheck passed a
    UTF-16 script so)."""

    name = "utf8-reader"


def test_a_tool_that_passes_a_utf16_file_names_it_not_analysed(tmp_path: Path) -> None:
    from reviewloop.review.evidence import run_for_agent

    root = init_repo(tmp_path / "r", {"README.md": "hi\n"})
    (root / "run.sh").write_bytes(f"#!/bin/sh\necho hi\n{KEY}\n".encode("utf-16-be"))
    (root / "plain.sh").write_bytes(b"#!/bin/sh\necho hi\n")
    git(root, "add", "-A")
    reviewer = agent("review-security", ("utf8-reader", "secrets"))
    report = run_for_agent(reviewer, root, open_repository(root).diff(),
                           registry={"utf8-reader": _Utf8Reader(), "secrets": SecretsScan()})
    health = {h.name: h for h in report.health}
    assert health["utf8-reader"].unread == {
        "run.sh": "it is UTF-16-BE text, and it reads UTF-8 only"}
    assert health["secrets"].unread == {}
    assert [(f.file, f.start_line) for f in report.findings] == [("run.sh", 3)]


def test_a_file_whose_text_changed_only_its_encoding_adds_no_line(tmp_path: Path) -> None:
    """Both sides decoded: a UTF-8 file rewritten as UTF-16 shows no added line (the key was
    there before), and one edited line in a UTF-16 file is the one line added."""
    from reviewloop.git.diff import parse_diff

    text = f"a = 1\n{KEY}\nb = 2\n"
    root = init_repo(tmp_path / "r", {"keys.txt": text, "more.txt": text.encode("utf-16")})
    git(root, "checkout", "-qb", "feature")
    (root / "keys.txt").write_bytes(text.encode("utf-16"))
    (root / "more.txt").write_bytes(text.replace("b = 2", "b = 3").encode("utf-16"))
    git(root, "commit", "-qam", "re-encode")
    files = {f.path: f for f in parse_diff(open_repository(root).diff_refs("main",
                                                                           "feature")).files}
    assert files["keys.txt"].added == () and not files["keys.txt"].binary
    assert [(a.line, a.text) for a in files["more.txt"].added] == [(3, "b = 3")]


def _found(root: Path) -> set[tuple[str, int, str]]:
    done = review(root, "--json")
    assert done.returncode in (0, 1), done.stderr[-2000:]
    return {(f["file"], f["start_line"], f["rule"])
            for f in json.loads(done.stdout)["findings"]["remaining"]}


@settings(max_examples=6, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(password=st.sampled_from(("Zq8#kLw", "pT4!xR9", "Hx7$mQ2v")),
       name=st.sampled_from(("PASS", "pwd", "DB_PASS")),
       encoding=st.sampled_from(("utf-16-le", "utf-16-be")), crlf=st.booleans())
def test_a_short_line_appended_in_8_bit_is_scanned_as_written(
        tmp_path_factory: pytest.TempPathFactory, password: str, name: str, encoding: str,
        crlf: bool) -> None:
    """PowerShell's `>` writes UTF-16, `Add-Content` appends in 8 bits: an appended line
    under 16 bytes (`PASS=Zq8#kLw`) was decoded as UTF-16 noise and its password missed.
    The oracle is the same file written in 8 bits alone: the same findings."""
    end = "\r\n" if crlf else "\n"
    head, line = f"APP=demo{end}MODE=prod{end}", f"{name}={password}{end}"
    found = []
    for data in (_MARKS[encoding] + head.encode(encoding) + line.encode("cp1252"),
                 (head + line).encode("cp1252")):
        root = init_repo(tmp_path_factory.mktemp("tail") / "r", {"README.md": "hi\n"})
        (root / ".env").write_bytes(data)
        found.append(_found(root))
    assert found[0] == found[1] and any(f[1] == 3 for f in found[1]), found
