"""A trusted `# noqa` waives exactly what ruff's would. ruff rejects a `# noqa:` whose code
list does not parse (`# noqa: F`, `# noqa:`, `# noqa: see JIRA-12`, `# ruff: noqa: legacy
module`) — it warns and suppresses nothing — but the review read each as a blanket marker
and suppressed the F821 the change caused on that unchanged line (fuzz round 6, D14).

Every noqa spelling of a product (line and file-wide: `# noqa`, `# ruff: noqa`, `# flake8:
noqa`; the space and colon around them; a code list, a code with a tail, a letter prefix,
prose, nothing) on the base's line, each in its own file of one change that deletes the
import that line uses, so it becomes F821. The review suppresses the F821 exactly when plain
ruff does not report it.

And ruff's lexer as a class: comments generated from noqa's pieces (the word in any case,
colons, codes squashed or split, punctuation after the word or a code, prose, a second
`# noqa`), read by the markers ruff's analyzer declares and by plain ruff; they agree on
whether F821 is waived (a `# noqa.` or `# noqa: F821;` was honoured, ruff honours neither).
So for own-line file-wide comments of one to three exemptions (`# RUFF: noqa`, and a second
exemption after a bad or a good first one, were honoured; ruff honours neither)."""

from __future__ import annotations

import json
import subprocess
import tempfile
from itertools import product
from pathlib import Path
from typing import Any

import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from reviewloop.checks.analyzers.ruff import MARKERS, ruff_command
from reviewloop.git.languages import PYTHON
from reviewloop.policy.markers import MarkerTable, Reach
from tests.support.iac_tools import module_reviews
from tests.support.project_rules import found, reviewed

HEADS = ("# noqa", "#noqa", "# NOQA", "# ruff: noqa", "# flake8: noqa")
COLONS = ("", ":", ": ", " : ", " - ")
TAILS = ("", "F821", "F821, F401", "F821 F401", "F", "RUF", "see JIRA-12", "F821abc",
         "F401, see", "f821", "legacy module", "E501")


# every spelling of the product and the fuzzer's file-wide one with prose, each in its own file
MARKERS_ = sorted({f"{head}{colon}{tail}".rstrip()
                   for head, colon, tail in product(HEADS, COLONS, TAILS)}
                  | {"# ruff" + ": noqa: " + "legacy module"})  # split: ruff reads this file


def _text(marker: str, *, imported: bool) -> str:
    use = "from helpers import compute\n" if imported else "\n"
    if marker.startswith(("# ruff", "# flake8")):  # file-wide: on the first line
        return f"{marker}\n{use}\n\ndef f():\n    return compute()\n"
    return f"{use}\n\ndef f():\n    return compute()  {marker}\n"


def _plain_reports(root: Path) -> set[str]:
    """The files plain ruff reports F821 in."""
    done = subprocess.run([*ruff_command(), "check", "--isolated", "--no-cache", "--select",
                           "F821", "--exit-zero", "--output-format", "json", "."],
                          cwd=root, capture_output=True, text=True, check=True)
    return {Path(d["filename"]).relative_to(root.resolve()).as_posix()
            for d in json.loads(done.stdout) if d["code"] == "F821"}


@pytest.fixture(scope="module")
def spelled(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], set[str]]:
    """One review of the change that deletes the import under every spelling (`c<i>/a.py`
    holds `MARKERS_[i]`), and the files plain ruff reports F821 in at its head: ruff reads
    each file's markers alone, so a file's answer is the one a review of it alone gives."""
    root = tmp_path_factory.mktemp("noqa") / "r"
    with module_reviews(tmp_path_factory):
        report = reviewed(root, {"helpers.py": "def compute():\n    return 1\n",
                                 **{f"c{i}/a.py": _text(m, imported=True)
                                    for i, m in enumerate(MARKERS_)}},
                          {f"c{i}/a.py": _text(m, imported=False)
                           for i, m in enumerate(MARKERS_)})
    return report, _plain_reports(root)


@pytest.mark.parametrize("marker", MARKERS_)
def test_a_trusted_noqa_waives_what_ruffs_waives(
        spelled: tuple[dict[str, Any], set[str]], marker: str) -> None:
    report, plain_files = spelled
    path = f"c{MARKERS_.index(marker)}/a.py"
    plain = path in plain_files
    rules = {rule: bucket for (rule, _), bucket in
             found(report, "ruff-maintainability", path).items()}
    assert "F821" in rules, (marker, rules)
    assert (rules["F821"] != "suppressed") == plain, (marker, rules, plain)


HEADS_ = ("#", "# ", "#  ", "# ruff: ", "# flake8: ", "# type: ignore # ")
WORDS = ("noqa", "NOQA", "Noqa", "noqa noqa", "")
AFTER = ("", " ", "\t", "\x1f", ":", ": ", " :", " : ", "::", ".", ";", "-", "/", "!", ",", "#",
         "x")
CODES_ = ("F821", "F401", "E501", "F401F821", "F", "E501x", "f821", "see", "JIRA-12", "",
          "(F821)")
SEPS = ("", " ", ",", "\x1c", ", ", " ,", ",,", "\t", ";", ".", "/", "#", ":", "-", " # noqa")
# a comment is a head, the word, what follows it, then codes each with what follows it
SPELLINGS = st.builds(lambda head, word, after, codes: (
    f"{head}{word}{after}{''.join(c + sep for c, sep in codes)}".rstrip(),
    head.startswith(("# ruff", "# flake8"))),
    st.sampled_from(HEADS_), st.sampled_from(WORDS), st.sampled_from(AFTER),
    st.lists(st.tuples(st.sampled_from(CODES_), st.sampled_from(SEPS)), max_size=3))
_TABLE = MarkerTable((syntax, frozenset({"ruff"})) for syntax in MARKERS)


def _waived_here(comment: str, *, file_wide: bool, before: str = "") -> bool:
    """Whether the markers read in `comment` waive F821: on the flagged line (any reach) or
    on another line (file-wide ones only), `before` the comment on its line."""
    line = f"{before}{comment}" if file_wide else f"    return compute()  {comment}"
    view = " " * (len(line) - len(comment)) + comment  # the line, all but its comment blanked
    return any(m.names("F821") and (m.reach == Reach.FILE or not file_wide)
               for m in _TABLE.markers(line, PYTHON, lambda: view))


@settings(max_examples=8, deadline=None, derandomize=True)
@given(st.lists(SPELLINGS, min_size=150, max_size=150))
def test_noqa_is_read_as_ruff_lexes_it(comments: list[tuple[str, bool]]) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        for at, (comment, file_wide) in enumerate(comments):
            body = "def f():\n    return compute()"
            (root / f"c{at}.py").write_text(f"{comment}\n{body}\n" if file_wide
                                            else f"{body}  {comment}\n")
        done = subprocess.run([*ruff_command(), "check", "--isolated", "--no-cache",
                               "--select", "F821", "--exit-zero", "--output-format", "json",
                               "."], cwd=root, capture_output=True, text=True, check=True)
        reported = {Path(d["filename"]).name for d in json.loads(done.stdout)}
    wrong = [(comment, f"c{at}.py" not in reported)
             for at, (comment, file_wide) in enumerate(comments)
             if _waived_here(comment, file_wide=file_wide) != (f"c{at}.py" not in reported)]
    assert not wrong, wrong  # (spelling, whether ruff waives it)


# file-wide comments: one to three exemptions on one comment, each a head (the tool's name in
# any case, spaced or not, after other comment text or a line noqa), the word, what follows
# it, and codes; on the file's first line or a later one, alone, indented or after code
PLACES = {"first": ("", ""), "later": ("X = 1\n\n", ""), "indented": ("", "    "),
          "after code": ("", "X = 1  "), "after a semicolon": ("", "X = 1;"),
          "after a byte order mark": ("", "\ufeff")}
FILE_HEADS = ("# ruff: ", "#\x1fruff: ", "# flake8: ", "#ruff:", "# ruff : ", "# RUFF: ",
              "# Ruff: ", "# FLAKE8: ", "# x # ruff: ", "# noqa: F # flake8: ",
              "# type: ignore # ruff: ")
FILE_WIDE = st.builds(
    lambda pieces, later: (" ".join(
        f"{head}{word}{after}{''.join(c + sep for c, sep in codes)}".rstrip()
        for head, word, after, codes in pieces), later),
    st.lists(st.tuples(st.sampled_from(FILE_HEADS), st.sampled_from(WORDS),
                       st.sampled_from(AFTER),
                       st.lists(st.tuples(st.sampled_from(CODES_), st.sampled_from(SEPS)),
                                max_size=2)), min_size=1, max_size=3),
    st.sampled_from(tuple(PLACES)))


@settings(max_examples=8, deadline=None, derandomize=True,
          phases=(Phase.explicit, Phase.generate))  # 150 spellings a run: the list says all
@given(st.lists(FILE_WIDE, min_size=150, max_size=150))
def test_a_file_wide_noqa_is_read_as_ruff_reads_it(comments: list[tuple[str, str]]) -> None:
    """ruff takes the first `# ruff: noqa` / `# flake8: noqa` of an own-line comment (the
    tool's name in lower case, the word in any case) and nothing after it: a bad first one
    honours nothing, a good one is read alone (`# ruff: noqa: E501 # flake8: noqa: F821`
    waives E501 only); one after code on its line honours nothing (fuzz round 7, D1)."""
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        for at, (comment, place) in enumerate(comments):
            lines_before, before = PLACES[place]
            (root / f"c{at}.py").write_text(f"{lines_before}{before}{comment}\n\n\n"
                                            "def f():\n    return compute()\n")
        done = subprocess.run([*ruff_command(), "check", "--isolated", "--no-cache",
                               "--select", "F821", "--exit-zero", "--output-format", "json",
                               "."], cwd=root, capture_output=True, text=True, check=True)
        reported = {Path(d["filename"]).name for d in json.loads(done.stdout)}
    wrong = [(comment, place, f"c{at}.py" not in reported)
             for at, (comment, place) in enumerate(comments)
             if _waived_here(comment, file_wide=True, before=PLACES[place][1])
             != (f"c{at}.py" not in reported)]
    assert not wrong, wrong  # (spelling, whether ruff waives it)
