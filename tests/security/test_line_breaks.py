"""A line break git does not count never moves a finding out of the change. git ends a line at
LF only; Python (bandit, ruff) also ends one at a carriage return alone, so a call written
after a lone CR is on a later line for bandit than for git, and was judged "on lines this
change did not write" (exit 0, the review complete). Wherever the CRs go — in a comment
before the call, in place of line feeds, the whole file CR-ended — the review either reports
the call on the change or names the file as not analysed, and never passes."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.analyzers.line_breaks import EVERY, Renumbering, declared
from reviewloop.checks.analyzers.registry import ANALYZERS
from reviewloop.findings.schema import Finding, Severity
from reviewloop.git.diff import parse_diff
from tests.support.gitutil import git
from tests.support.repos import init_repo
from tests.support.review_cli import review

BEFORE = "import subprocess\n\n\ndef run(cmd):\n    return cmd\n"
LINES = ["import subprocess", "", "", "def run(cmd):", "    # harmless",
         "    subprocess.call(cmd, shell=True)", "    return cmd"]


@st.composite
def hidden(draw: st.DrawFn) -> str:
    """The file with some of its line feeds made lone CRs, and CRs put inside its lines."""
    out = []
    for n, line in enumerate(LINES):
        if draw(st.booleans()):
            at = draw(st.integers(0, len(line)))
            line = line[:at] + "\r" + line[at:]
        out.append(line + ("\n" if n == len(LINES) - 1 or draw(st.booleans()) else "\r"))
    return "".join(out)


def _caught(root: Path, *args: str) -> None:
    done = review(root, *args, "--json")
    assert done.returncode == 1, done.stderr[-2000:]
    report = json.loads(done.stdout)
    flagged = {f["file"] for f in report["findings"]["remaining"]
               if f["severity"] == "must_fix" and f["rule"] == "B602"}
    unread = {row["path"] for row in report["health"]["files"] if row["not_read"]}
    assert "app.py" in flagged | unread, report["verdict"]


@settings(max_examples=6, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=hidden(), committed=st.booleans())
def test_no_lone_carriage_return_moves_a_finding_out_of_the_change(
        tmp_path_factory: pytest.TempPathFactory, text: str, committed: bool) -> None:
    root = init_repo(tmp_path_factory.mktemp("cr") / "r", {"app.py": BEFORE})
    (root / "app.py").write_bytes(text.encode())
    if committed:
        git(root, "checkout", "-qb", "feature")
        git(root, "commit", "-qam", "feature")
        _caught(root, "--base", "main", "--head", "feature")
    else:
        _caught(root)


def test_a_crlf_file_is_not_a_file_of_other_line_breaks(tmp_path: Path) -> None:
    root = init_repo(tmp_path / "r", {"app.py": BEFORE.replace("\n", "\r\n")})
    (root / "app.py").write_bytes("\r\n".join(LINES).encode() + b"\r\n")
    done = review(root, "--json")
    report = json.loads(done.stdout)
    assert [r["path"] for r in report["health"]["files"] if r["not_read"]] == []
    assert any(f["rule"] == "B602" and f["start_line"] == 6
               for f in report["findings"]["remaining"])


def _context(root: Path, texts: dict[str, str]) -> AnalyzerContext:
    for path, text in texts.items():
        (root / path).write_bytes(text.encode())
    return AnalyzerContext(root=root, changes=parse_diff(""), diff_text="", agent="a",
                           files=tuple(texts), languages={})


def _finding(path: str, line: int) -> Finding:
    return Finding(agent="a", source="t", rule="r", severity=Severity.NIT, confidence=1.0,
                   file=path, start_line=line, end_line=line, title="t", rationale="r")


def test_a_separator_ends_a_line_in_javascript_only(tmp_path: Path) -> None:
    """U+2028 above line 3: ESLint's line 4 is git's 3, bandit's line 3 is git's 3."""
    ctx = _context(tmp_path, {"a.py": "x = 1 \u2028 y\nz\nw\n", "a.js": "x \u2028 y\nz\nw\n"})
    found = [_finding("a.py", 1), _finding("a.js", 1)]
    python = Renumbering.of(ctx, ["a.py", "a.js"], ANALYZERS["bandit"], found)
    script = Renumbering.of(ctx, ["a.py", "a.js"], ANALYZERS["eslint-security"], found)
    assert python.finding(_finding("a.py", 3)).start_line == 3
    assert script.finding(_finding("a.js", 4)).start_line == 3
    assert script.finding(_finding("a.js", 2)).start_line == 1  # the break's second half
    assert python.unplaced == script.unplaced == ()


BREAKS = ["\n", "\r", "\r\n", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028",
          "\u2029"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.text(alphabet="ab #", max_size=3), st.sampled_from(BREAKS)),
                max_size=12))
def test_python_tools_end_lines_exactly_where_their_declaration_says(
        parts: list[tuple[str, str]]) -> None:
    """bandit and ruff number lines as Python's tokenizer does: the line `ast` gives a
    statement after comment lines ended by any mix of breaks is one past git's LFs plus the
    breaks bandit's and ruff's `line_breaks` name, no more, no fewer."""
    prefix = "".join(f"#{text}{brk}" for text, brk in parts)
    source = prefix + "#\nx = 1\n"  # "#": a CR ending the prefix stays alone
    breaks = declared(ANALYZERS["bandit"])
    assert breaks is not None and declared(ANALYZERS["ruff-maintainability"]) is breaks
    expected = 2 + prefix.count("\n") + len(breaks.findall(prefix))
    assert ast.parse(source).body[-1].lineno == expected


def test_an_analyzer_that_declares_nothing_is_held_to_every_break() -> None:
    """A plugin analyzer that says nothing of its lines is held to every break
    `str.splitlines` knows; the built-ins each declare theirs (the secrets scan numbers the
    diff's lines, as git does)."""
    text = "a" + "a".join(BREAKS) + "a"
    assert declared(object()) is EVERY
    assert len(EVERY.findall(text)) + text.count("\n") == len(
        text.splitlines()) - 1
    assert declared(ANALYZERS["secrets"]) is None
    assert {name for name, a in ANALYZERS.items() if declared(a) is not EVERY} >= {
        "bandit", "ruff-maintainability", "ruff-performance", "eslint-security", "secrets"}


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(brk=st.sampled_from([b for b in BREAKS if b not in ("\n", "\r\n")]),
       before=st.integers(0, 3), after=st.integers(0, 3))
def test_every_break_an_analyzer_may_count_is_looked_for(
        tmp_path_factory: pytest.TempPathFactory, brk: str, before: int, after: int) -> None:
    """Wherever in the file a break sits, the quick look at its bytes misses none: an
    analyzer that declares nothing names the file, and a finding below it in the tool's
    numbering of every break is put on git's line."""
    text = "a\n" * before + f"x{brk}y\n" + "b\n" * after
    ctx = _context(tmp_path_factory.mktemp("b"), {"a.txt": text})
    # named when a finding ends below the break (the tool's line `before + 2` starts after
    # it); one above it, or none, moves nothing
    assert Renumbering.of(ctx, ["a.txt"], object(), [_finding("a.txt", before + 2)]
                          ).unplaced == ("a.txt",)
    assert Renumbering.of(ctx, ["a.txt"], object(), [_finding("a.txt", before + 1)]
                          ).unplaced == ()
    assert Renumbering.of(ctx, ["a.txt"], object()).unplaced == ()
    everywhere = Renumbering.of(ctx, ["a.txt"], type("Wide", (), {"line_breaks": EVERY})(),
                                [_finding("a.txt", 1)])
    assert not Renumbering.of(ctx, ["a.txt"], ANALYZERS["bandit"]).files  # nothing found
    tool_line = len(text.splitlines())  # the last line, in the tool's numbering
    assert everywhere.finding(_finding("a.txt", tool_line)).start_line == text.count("\n")
