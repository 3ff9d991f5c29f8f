"""A `# noqa` ruff reads for a line inside a multi-line string or a backslash-continued
statement: ruff looks for it at the end of that string or statement (a comment cannot sit
inside either), and the review looked on the finding's own line only, so the F821 a change
caused in `x = f\"\"\"` / `{VALUE}` / `\"\"\"  # noqa: F821` stayed open as a must-fix where
plain ruff waives it (fuzz round 7, D4). Lines joined by brackets alone are not mapped.

The product: statements spanning lines (f-strings, backslashes, brackets and their mixes) ×
the line the noqa is put on × its spelling, each in its own file; the change deletes the
import the statement uses. The review suppresses F821 exactly where plain ruff does not
report it, and never where ruff does.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from reviewloop.checks.analyzers.ruff import ruff_command
from tests.support.project_rules import found, reviewed

pytestmark = pytest.mark.timeout(300)

FORMS = (
    'x = f"""\n{VALUE}\n"""',
    'x = f"""{VALUE}\n\n"""',
    "x = VALUE + \\\n    1",
    "x = 1 + \\\n    VALUE + \\\n    2",
    'foo(f"""\n{VALUE}\n""")',
    "foo(\n    VALUE,\n)",
    'x = f"""\n{VALUE}\n""" + \\\n    "a"',
    "x = (VALUE + \\\n    1)",
    'x = f"""{\n    VALUE\n}"""',
    'x = f"""\n{VALUE}\n""" f"""\n\n"""',
    "if VALUE and \\\n        1:\n    pass",
    'x = [\n    f"""\n{VALUE}\n""",\n]',
    'x = f"""\n{VALUE}\n"""\ny = 1',
)
# Python 3.12's f-strings, which 3.11's tokenizer reads as a `\'\'\'` string running on: no
# line is mapped (no waiver made up); their comments are not read either (an over-report)
NEWER = ('x = f"{"\'\'\'"}"\nprint(VALUE)\nw = f"{"\'\'\'"}"',)
SPELLINGS = ("# noqa", "# noqa: F821", "# noqa: E501")


def _body(form: str, at: int, spelling: str) -> str:
    lines = form.split("\n")
    lines[at] += f"  {spelling}"
    return "def foo(*a):\n    return a\n\n\n" + "\n".join(lines) + "\n"


def test_a_noqa_for_a_string_or_continued_statement_is_read_where_ruff_reads_it(
        tmp_path: Path) -> None:
    bodies = {f"m{n}.py": _body(form, at, spelling)
              for n, (form, at, spelling) in enumerate(
                  (f, a, s) for f in (*FORMS, *NEWER) for a, line in enumerate(f.split("\n"))
                  for s in SPELLINGS if not line.endswith("\\"))}  # no comment after `\`
    use = "from helpers import VALUE\n"
    report = reviewed(tmp_path / "r", {"helpers.py": "VALUE = 1\n",
                                       **{p: use + b for p, b in bodies.items()}},
                      {p: "\n" + b for p, b in bodies.items()})
    done = subprocess.run([*ruff_command(), "check", "--isolated", "--no-cache", "--select",
                           "F821", "--exit-zero", "--output-format", "json", *bodies],
                          cwd=tmp_path / "r", capture_output=True, text=True, check=True)
    plain = {Path(d["filename"]).name for d in json.loads(done.stdout)}
    waived = set()
    for path in bodies:
        buckets = {bucket for (rule, _), bucket in
                   found(report, "ruff-maintainability", path).items() if rule == "F821"}
        assert buckets, (path, bodies[path])  # the review's ruff run saw it
        if buckets == {"suppressed"}:
            waived.add(path)
    assert 0 < len(waived) < len(bodies) - len(plain) + len(waived)  # both kinds met
    newer = {p for p in bodies if any(f.split("\n")[0] in bodies[p] for f in NEWER)}
    wrong = sorted((p, bodies[p]) for p in bodies if (p in waived) == (p in plain)
                   and not (p in newer and p not in waived))  # reported: never a hole
    assert not wrong, wrong
