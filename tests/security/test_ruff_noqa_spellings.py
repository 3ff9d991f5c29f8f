"""A trusted `# noqa` waives exactly what ruff's would. ruff rejects a `# noqa:` whose code
list does not parse (`# noqa: F`, `# noqa:`, `# noqa: see JIRA-12`, `# ruff: noqa: legacy
module`) — it warns and suppresses nothing — but the review read each as a blanket marker
and suppressed the F821 the change caused on that unchanged line (fuzz round 6, D14).

Generated: noqa spellings (line and file-wide: `# noqa`, `# ruff: noqa`, `# flake8: noqa`;
the space and colon around them; a code list, a code with a tail, a letter prefix, prose,
nothing) on the base's line; the change deletes the import that line uses, so it becomes
F821. The review suppresses the F821 exactly when plain ruff does not report it.

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
from pathlib import Path

from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from reviewloop.checks.analyzers.ruff import MARKERS, ruff_command
from reviewloop.git.languages import PYTHON
from reviewloop.policy.markers import MarkerTable, Reach
from tests.support.project_rules import found, reviewed

HEADS = ("# noqa", "#noqa", "# NOQA", "# ruff: noqa", "# flake8: noqa")
COLONS = ("", ":", ": ", " : ", " - ")
TAILS = ("", "F821", "F821, F401", "F821 F401", "F", "RUF", "see JIRA-12", "F821abc",
         "F401, see", "f821", "legacy module", "E501")


def _files(marker: str, *, imported: bool) -> dict[str, str]:
    use = "from helpers import compute\n" if imported else "\n"
    if marker.startswith(("# ruff", "# flake8")):  # file-wide: on the first line
        return {"a.py": f"{marker}\n{use}\n\ndef f():\n    return compute()\n"}
    return {"a.py": f"{use}\n\ndef f():\n    return compute()  {marker}\n"}


def _plain_reports(root: Path) -> bool:
    done = subprocess.run([*ruff_command(), "check", "--isolated", "--no-cache", "--select",
                           "F821", "--exit-zero", "--output-format", "json", "a.py"],
                          cwd=root, capture_output=True, text=True, check=True)
    return any(d["code"] == "F821" for d in json.loads(done.stdout))


@settings(max_examples=16, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(HEADS), st.sampled_from(COLONS), st.sampled_from(TAILS))
@example("# noqa", ": ", "F821abc")  # the fuzzer's spellings, each run besides
@example("# ruff", ": noqa: ", "legacy module")
@example("# flake8: noqa", ": ", "F")
def test_a_trusted_noqa_waives_what_ruffs_waives(head: str, colon: str, tail: str) -> None:
    marker = f"{head}{colon}{tail}".rstrip()
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "r"
        report = reviewed(root, {"helpers.py": "def compute():\n    return 1\n",
                                 **_files(marker, imported=True)},
                          _files(marker, imported=False))
        plain = _plain_reports(root)
    rules = {rule: bucket for (rule, _), bucket in
             found(report, "ruff-maintainability", "a.py").items()}
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
