"""The analyzer contract (`checks.analyzers.base`), held for every registered analyzer: it
declares the files it reads and its size limit, reads only changed files, takes scripts by
shebang as well as by suffix, and a file named like an option reaches its tool as a file.
A new analyzer that forgets one of these fails here, not in a user's review."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest

from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.analyzers.registry import ANALYZERS
from reviewloop.git.diff import parse_diff
from reviewloop.git.languages import JAVASCRIPT, PYTHON, SHELL, ZSH, by_shebang, language
from reviewloop.review.evidence import run_for_agent
from tests.support.analyzers import Repo, agent

RISKY = "import subprocess\n\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n"
FILES = {"app.py": RISKY, "bin/deploy": "#!/usr/bin/env python3\n" + RISKY,
         "bin/serve": "#!/usr/bin/env -S node --no-warnings\nconsole.log(1);\n",
         "bin/clean": "#!/bin/bash\necho hi\n", "src/a.js": "export const a = 1;\n",
         "notes.txt": "plain\n", "z.zsh": "#!/bin/zsh\necho hi\n"}


def _context(root: Path, files: tuple[str, ...]) -> AnalyzerContext:
    return AnalyzerContext(root=root, changes=parse_diff(""), diff_text="", agent="a",
                           files=files)


@pytest.mark.parametrize("name", sorted(ANALYZERS))
def test_every_analyzer_declares_what_it_reads_and_up_to_what_size(name: str,
                                                                   tmp_path: Path) -> None:
    analyzer = ANALYZERS[name]
    assert isinstance(analyzer.max_bytes, int) and analyzer.max_bytes >= 0
    assert callable(analyzer.reads) and len(inspect.signature(analyzer.reads).parameters) == 1
    for path, text in FILES.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text)
    ctx = _context(tmp_path, tuple(FILES))
    read = analyzer.reads(ctx)
    assert set(read) <= set(FILES), f"{name} reads files that are not changed"
    if read:
        assert analyzer.max_bytes > 0, f"{name} reads files: it needs a size limit"


@pytest.mark.parametrize(("path", "wanted"), [
    ("bin/deploy", PYTHON), ("bin/serve", JAVASCRIPT), ("bin/clean", SHELL),
    ("z.zsh", ZSH), ("notes.txt", None)])  # zsh: named as not analysed (shellcheck)
def test_languages_come_from_the_suffix_or_the_shebang(path: str, wanted: str | None) -> None:
    assert language(path, FILES[path].encode()) == wanted


@pytest.mark.parametrize(("line", "wanted"), [
    (b"#!/usr/bin/python3.12", PYTHON), (b"#!/usr/bin/env -S python3 -u", PYTHON),
    (b"#! /bin/sh -e", SHELL), (b"#!/usr/bin/env FOO=1 node", JAVASCRIPT),
    (b"#!/usr/bin/env", None), (b"# not a shebang", None), (b"#!/usr/bin/perl", None)])
def test_shebangs_with_versions_flags_and_env(line: bytes, wanted: str | None) -> None:
    assert by_shebang(line + b"\n") == wanted


def test_python_analyzers_take_a_shebang_script_and_an_option_named_file_as_files(
        tmp_path: Path) -> None:
    """An empty file named `--exclude=app.py` beside `app.py` once switched bandit off for
    it; a `python3` script without a suffix was read by nothing."""
    repo = Repo(tmp_path, {"README.md": "x\n"})
    diff = repo.change({"app.py": RISKY, "--exclude=app.py": "", "--select=E501": "",
                        "bin/deploy": FILES["bin/deploy"]})
    report = run_for_agent(agent("review-security", ("bandit",)), tmp_path, diff)
    assert {f.file for f in report.findings if f.rule == "B602"} == {"app.py", "bin/deploy"}
    [bandit] = report.health
    assert bandit.gaps() == {}  # `--select=E501` is no Python file: not bandit's to read
    assert set(bandit.files) == {"app.py", "--exclude=app.py", "bin/deploy"}


def test_a_file_the_tool_does_not_report_reading_is_named_as_not_read(tmp_path: Path) -> None:
    """bandit's own default excludes (`.tox`, `*.egg`) are lifted; whatever else keeps it
    from a file shows as that file not read, never as a clean file."""
    repo = Repo(tmp_path, {"README.md": "x\n"})
    diff = repo.change({".tox/py/app.py": RISKY, "x.egg/b.py": RISKY, "bad.py": "def f(:\n"})
    report = run_for_agent(agent("review-security", ("bandit",)), tmp_path, diff)
    assert {f.file for f in report.findings} >= {".tox/py/app.py", "x.egg/b.py"}
    [bandit] = report.health
    assert list(bandit.gaps()) == ["bad.py"]
    assert bandit.gaps()["bad.py"].startswith("bandit: could not parse it")


def test_a_file_over_an_analyzers_limit_is_not_given_to_it_and_named(tmp_path: Path) -> None:
    repo = Repo(tmp_path, {"README.md": "x\n"})
    big = RISKY + "# pad\n" * (ANALYZERS["bandit"].max_bytes // 6 + 1)
    diff = repo.change({"big.py": big, "small.py": RISKY})
    report = run_for_agent(agent("review-security", ("bandit", "secrets")), tmp_path, diff)
    bandit, secrets = report.health
    assert bandit.gaps() == {"big.py": f"bandit: too large for it ({len(big):,} bytes; it "
                                       f"reads up to {ANALYZERS['bandit'].max_bytes:,})"}
    assert secrets.gaps() == {}  # the secrets scan reads up to 16 MB
    assert {f.file for f in report.findings if f.rule == "B602"} == {"small.py"}
