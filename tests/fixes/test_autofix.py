"""The offline fixer: ruff's safe fixes for the rules ruff reported, everything else left."""

from __future__ import annotations

import subprocess
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from ruff.__main__ import find_ruff_bin

from reviewloop.findings.schema import Finding, Severity
from reviewloop.fixes.autofix import safe_fixes
from tests.support.processes import started


def _finding(source: str, rule: str, file: str = "m.py") -> Finding:
    return Finding(severity=Severity.NIT, file=file, start_line=1, end_line=1, title=rule,
                   rationale=rule, confidence=0.8, agent="review-maintainability",
                   source=source, rule=rule)


def test_ruff_fixes_the_rules_it_reported_with_its_binary_and_leaves_the_rest(
        tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text("import os\nimport sys\n\nprint(sys.argv)\n")
    unused = _finding("ruff-maintainability", "F401")
    other = _finding("bandit", "B101")

    with started() as runs:
        result = safe_fixes(tmp_path, [unused, other])

    assert (tmp_path / "m.py").read_text() == "import sys\n\nprint(sys.argv)\n"
    assert (result.fixed_rules, result.files, result.left) == (("F401",), ("m.py",), (other,))
    # the package's binary, not `python -m ruff` (a Python start-up only to exec it)
    assert [argv[0] for argv in runs] == [str(Path(find_ruff_bin()))]


# Lines ruff fixes in place (one line stays one line), each with its rule.
FIXABLE = {
    "    a = getattr(o, \"title\")": "B009",
    "    setattr(o, \"name\", 1)": "B010",
    "    if x is \"a\":\n        pass": "F632",
    "    c = getattr(o, \"a_b\")  # a comment": "B009",
}
PLAIN = ["    pass", "    d = getattr(o, name)", "    # getattr(o, \"title\")"]


@settings(max_examples=40, deadline=None, derandomize=True)
@given(body=st.lists(st.sampled_from(sorted(FIXABLE) + PLAIN), min_size=1, max_size=8),
       picks=st.lists(st.booleans(), min_size=8, max_size=8),
       ending=st.sampled_from(["\n", "\r\n"]))
def test_only_the_findings_lines_are_fixed_as_ruff_fixes_them(
        tmp_path_factory, body, picks, ending) -> None:
    """Pre-existing occurrences of a reported rule, on lines no finding names, are left as
    they are; each finding's line becomes what plain `ruff check --fix` makes of it."""
    folder = tmp_path_factory.mktemp("autofix")
    text = "def f(o, x, name):\n" + "\n".join(body) + "\n"
    lines = text.split("\n")
    findings, asked = [], set()
    for number, line in enumerate(lines, start=1):
        rule = FIXABLE.get(line) or FIXABLE.get(f"{line}\n        pass")
        if rule and picks[(number - 2) % len(picks)]:
            findings.append(Finding(
                severity=Severity.NIT, file="m.py", start_line=number, end_line=number,
                title=rule, rationale=rule, confidence=0.8, agent="review-maintainability",
                source="ruff-maintainability", rule=rule))
            asked.add(number)
    (folder / "m.py").write_bytes(text.replace("\n", ending).encode())
    (folder / "plain.py").write_bytes(text.replace("\n", ending).encode())
    subprocess.run([find_ruff_bin(), "check", "--isolated", "--fix", "--quiet", "--exit-zero",
                    "--select", "B009,B010,F632", "plain.py"], cwd=folder, check=True)

    result = safe_fixes(folder, findings)

    got = (folder / "m.py").read_bytes().decode().split(ending)
    plain = (folder / "plain.py").read_bytes().decode().split(ending)
    assert len(got) == len(lines) == len(plain)
    for number, (before, after, fixed) in enumerate(zip(lines, got, plain, strict=True), 1):
        assert after == (fixed if number in asked else before), number
    assert result.left == ()
    assert result.files == (("m.py",) if findings else ())
