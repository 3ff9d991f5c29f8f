"""The offline fixer: ruff's safe fixes for the findings ruff reported, everything else left.

Findings are made as the review makes them from ruff's report (`analyzers.ruff`: the rule, the
lines, the message as the title), so the fixer is held to the diagnostic it was asked about."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from ruff.__main__ import find_ruff_bin

from reviewloop.findings.schema import Finding, Severity
from reviewloop.findings.titles import short_title
from reviewloop.fixes.autofix import safe_fixes
from tests.support.processes import started

RULES = "B009,B010,F401,F632,UP031"


def _reported(folder: Path, name: str, options: tuple[str, ...] = ("--isolated",),
              rules: str = RULES) -> list[Finding]:
    """Plain ruff's findings on `name`, as the review reads them into findings."""
    out = subprocess.run([find_ruff_bin(), "check", *options, "--output-format", "json",
                          "--exit-zero", "--select", rules, "--", name],
                         cwd=folder, capture_output=True, text=True, check=True).stdout
    return [Finding(severity=Severity.NIT, file=name, start_line=d["location"]["row"],
                    end_line=d["end_location"]["row"], title=short_title(d["message"]),
                    rationale=d["message"], confidence=0.8, agent="review-maintainability",
                    source="ruff-maintainability", rule=d["code"]) for d in json.loads(out)]


def _bandit(file: str = "m.py") -> Finding:
    return Finding(severity=Severity.NIT, file=file, start_line=1, end_line=1, title="B101",
                   rationale="B101", confidence=0.8, agent="review-security", source="bandit",
                   rule="B101")


def test_ruff_fixes_the_rules_it_reported_with_its_binary_and_leaves_the_rest(
        tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text("import os\nimport sys\n\nprint(sys.argv)\n")
    unused = _reported(tmp_path, "m.py")
    other = _bandit()

    with started() as runs:
        result = safe_fixes(tmp_path, [*unused, other])

    assert (tmp_path / "m.py").read_text() == "import sys\n\nprint(sys.argv)\n"
    assert (result.fixed_rules, result.files, result.left) == (("F401",), ("m.py",), (other,))
    # the package's binary, not `python -m ruff` (a Python start-up only to exec it)
    assert [argv[0] for argv in runs] == [str(Path(find_ruff_bin()))]


# Lines ruff fixes in place (one line stays one line).
FIXABLE = ["    a = getattr(o, \"title\")", "    setattr(o, \"name\", 1)",
           "    if x is \"a\":\n        pass", "    c = getattr(o, \"a_b\")  # a comment"]
PLAIN = ["    pass", "    d = getattr(o, name)", "    # getattr(o, \"title\")"]


@settings(max_examples=40, deadline=None, derandomize=True)
@given(body=st.lists(st.sampled_from(FIXABLE + PLAIN), min_size=1, max_size=8),
       picks=st.lists(st.booleans(), min_size=8, max_size=8),
       ending=st.sampled_from(["\n", "\r\n"]), bom=st.booleans())
def test_only_the_findings_lines_are_fixed_as_ruff_fixes_them(
        tmp_path_factory, body, picks, ending, bom) -> None:
    """Pre-existing occurrences of a reported rule, on lines no finding names, are left as
    they are; each finding's line becomes what plain `ruff check --fix` makes of it (a file
    that starts with a byte-order mark too: ruff counts its columns after it)."""
    folder = tmp_path_factory.mktemp("autofix")
    first = 'X = getattr(int, "real")' if bom else "def g(): pass"
    text = first + "\ndef f(o, x, name):\n" + "\n".join(body) + "\n    pass\n"
    data = (("\ufeff" if bom else "") + text.replace("\n", ending)).encode()
    (folder / "m.py").write_bytes(data)
    (folder / "plain.py").write_bytes(data)
    findings = [f for i, f in enumerate(_reported(folder, "m.py")) if picks[i % len(picks)]]
    asked = {f.start_line for f in findings}
    subprocess.run([find_ruff_bin(), "check", "--isolated", "--fix", "--quiet", "--exit-zero",
                    "--select", RULES, "plain.py"], cwd=folder, check=True)

    result = safe_fixes(folder, findings)

    lines = text.split("\n")
    got = (folder / "m.py").read_bytes().decode().removeprefix("\ufeff").split(ending)
    plain = (folder / "plain.py").read_bytes().decode().removeprefix("\ufeff").split(ending)
    assert len(got) == len(lines) == len(plain)
    for number, (before, after, fixed) in enumerate(zip(lines, got, plain, strict=True), 1):
        assert after == (fixed if number in asked else before), number
    assert result.left == ()
    assert (folder / "m.py").read_bytes().startswith(b"\xef\xbb\xbf") == bom


def test_fixes_that_together_would_break_the_file_are_not_made(tmp_path: Path) -> None:
    """Two unused imports that are a body's only statements: each fix alone is safe, both
    leave the body empty (plain ruff puts `pass` there on a later pass): none is made."""
    text = "def f():\n    import os\n    import sys\n"
    (tmp_path / "m.py").write_text(text)
    findings = _reported(tmp_path, "m.py")
    assert len(findings) == 2

    result = safe_fixes(tmp_path, findings)

    assert (tmp_path / "m.py").read_text() == text
    assert result.left == tuple(findings) and result.fixed_rules == ()


def test_a_finding_the_project_options_made_is_not_fixed_the_other_way(tmp_path: Path) -> None:
    """The project prefers single quotes: its Q000 asks for them. ruff run with its default
    options flags the same line for the opposite reason; that fix is not this finding's."""
    (tmp_path / "ruff.toml").write_text(
        '[lint]\nselect = ["Q"]\n[lint.flake8-quotes]\ninline-quotes = "single"\n')
    text = "X = ('a', \"b\", 'c')\n"
    (tmp_path / "m.py").write_text(text)
    findings = _reported(tmp_path, "m.py", options=("--no-cache",), rules="Q")
    assert [f.rule for f in findings] == ["Q000"]

    result = safe_fixes(tmp_path, findings)

    assert (tmp_path / "m.py").read_text() == text
    assert result.left == tuple(findings)


def test_a_finding_ruff_cannot_select_or_a_name_like_an_option_fixes_the_rest(
        tmp_path: Path) -> None:
    (tmp_path / "-n.py").write_text("import os\n")
    (tmp_path / "b.py").write_text("def f(:\n")
    unused = _reported(tmp_path, "-n.py")
    syntax = Finding(severity=Severity.MUST_FIX, file="b.py", start_line=1, end_line=1,
                     title="SyntaxError", rationale="x", confidence=0.9,
                     agent="review-maintainability", source="ruff-maintainability",
                     rule="invalid-syntax")

    result = safe_fixes(tmp_path, [*unused, syntax])

    assert (tmp_path / "-n.py").read_text() == ""
    assert result.fixed_rules == ("F401",) and result.left == (syntax,)
