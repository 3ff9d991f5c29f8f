"""bandit's `# nosec` and ruff's `# noqa` count in comments only, and a nosec naming a bandit
test by name silences that test only (the fuzzer's D50, D50b, D52).

A trusted (base) line `subprocess.call(cmd + " # nosec", shell=True)` under `import shlex
as subprocess` is harmless; the change makes it `import subprocess`. Plain `bandit -r .`
reports B602 on the unchanged line: the text is in a string, not a comment. The review took
it as the trusted side's nosec and listed B602 as suppressed (exit 0). Likewise ruff's F401
on `import os; NOTE = "# noqa: F401"` once the change deletes the last use of `os`. And a
trusted `# nosec start_process_with_partial_path` (B607 to bandit) silenced B602.

Generated: string literals of every prefix (none, r, b, f, rb, u) and quote (single,
double, both triple, a triple string spread over lines) holding the marker, several files to
a review; each must leave its finding open. Twins that must still suppress: the comment
forms bandit and ruff read (bare, without a space, with ids, with a test name, after a
string holding a `#`), and those they do not (another test's name or id, `#NOSEC`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.support.project_rules import found
from tests.support.suppression_trust import pr_repo, review

PAD = "".join(f"p{n} = {n}\n" for n in range(1, 21))  # the marker far from the change
HARMLESS, SHELL = "import shlex as subprocess\n", "import subprocess\n"
CALL = "def run(cmd):\n    return subprocess.call(cmd + {}, shell=True){}\n"
USED = "print(os.sep)\n"
PREFIXES = ("", "r", "b", "f", "rb", "u", "R", "F")
QUOTES = ("'", '"', "'''", '"""')
NOSECS = ("# nosec", "#nosec B602", "# nosec: B602",
          "# nosec subprocess_popen_with_shell_equals_true")
NOQAS = ("# noqa", "# noqa: F401", "#noqa:F401")


def literal(prefix: str, quote: str, spread: bool, marker: str) -> str:
    """A string literal holding `marker`; `spread`: a triple-quoted one over several lines,
    the marker on a line of its own."""
    text = f"\n{marker}\n" if spread and len(quote) == 3 else f" {marker} "
    if "f" in prefix.lower():
        text += "{cmd}" if marker.startswith("# nosec") else "{0}"
    return f"{prefix}{quote}{text}{quote}"


def bandit_file(string: str, comment: str = "") -> tuple[str, str]:
    """(base text, changed text) of a file whose B602 line the change turns real."""
    body = PAD + CALL.format(string, comment)
    return HARMLESS + body, SHELL + body


def ruff_file(string: str, comment: str = "") -> tuple[str, str]:
    """(base text, changed text) of a file whose `import os` the change leaves unused."""
    first = f"import os; NOTE = {string}{comment}\n"
    return first + PAD + USED, first + PAD


def reviewed(root: Path, files: dict[str, tuple[str, str]]) -> dict[str, Any]:
    """The JSON report of the pull request that turns each file's base text into its own."""
    result = review(pr_repo(root, {p: b for p, (b, _) in files.items()},
                            {p: c for p, (_, c) in files.items()}))
    return result.report


def bucket(report: dict[str, Any], path: str, rule: str) -> str | None:
    return next((b for (r, _), b in found(report, "", path).items() if r == rule), None)


_STRINGS = st.tuples(st.sampled_from(PREFIXES), st.sampled_from(QUOTES), st.booleans())


@settings(max_examples=2, deadline=None, derandomize=True, phases=[Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(bandit=st.lists(st.tuples(_STRINGS, st.sampled_from(NOSECS)), min_size=3, max_size=5),
       ruff=st.lists(st.tuples(_STRINGS, st.sampled_from(NOQAS)), min_size=3, max_size=5))
def test_a_marker_inside_a_string_suppresses_nothing(
        tmp_path_factory: pytest.TempPathFactory,
        bandit: list[tuple[tuple[str, str, bool], str]],
        ruff: list[tuple[tuple[str, str, bool], str]]) -> None:
    # every prefix and quote, always; the drawn cases mix them with the markers further
    bandit = [*bandit, *(((p, '"', False), "# nosec") for p in PREFIXES),
              *((("", q, True), "# nosec") for q in QUOTES)]
    ruff = [*ruff, *(((p, "'", False), "# noqa: F401") for p in PREFIXES if "b" not in p),
            *((("", q, True), "# noqa") for q in QUOTES)]
    files = {f"b{n}.py": bandit_file(literal(*string, marker))
             for n, (string, marker) in enumerate(bandit)}
    files |= {f"r{n}.py": ruff_file(literal(*string, marker))
              for n, (string, marker) in enumerate(ruff)}
    report = reviewed(tmp_path_factory.mktemp("strings"), files)
    for path, (_, text) in files.items():
        rule = "B602" if path.startswith("b") else "F401"
        assert bucket(report, path, rule) in ("remaining", "nits"), (path, text)


# a trusted comment bandit or ruff honours: (file, base text, changed text, rule, suppressed?)
COMMENTS = {
    "bare.py": (*bandit_file('" x "', "  # nosec"), "B602", True),
    "tight.py": (*bandit_file('" x "', "  #nosec"), "B602", True),
    "by-id.py": (*bandit_file('" x "', "  # nosec: B602"), "B602", True),
    "by-name.py": (*bandit_file('" x "', "  # nosec subprocess_popen_with_shell_equals_true"),
                   "B602", True),
    "hash-string.py": (*bandit_file('" # "', "  # nosec"), "B602", True),
    "reason.py": (*bandit_file('" x "', "  # nosec - reviewed by the team"), "B602", True),
    "other-name.py": (*bandit_file('" x "', "  # nosec start_process_with_partial_path"),
                      "B602", False),
    "other-id.py": (*bandit_file('" x "', "  # nosec B607"), "B602", False),
    "upper.py": (*bandit_file('" x "', "  #NOSEC"), "B602", False),  # bandit: lower case
    "noqa.py": (*ruff_file('"x"', "  # noqa: F401"), "F401", True),
    "noqa-bare.py": (*ruff_file('"#"', "  # noqa"), "F401", True),
    "noqa-other.py": (*ruff_file('"x"', "  # noqa: E501"), "F401", False),
}


@pytest.fixture(scope="module")
def comments_report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return reviewed(tmp_path_factory.mktemp("comments"),
                    {path: (base, head) for path, (base, head, _, _) in COMMENTS.items()})


@pytest.mark.parametrize("path", sorted(COMMENTS))
def test_a_trusted_comment_suppresses_what_its_tool_would(
        comments_report: dict[str, Any], path: str) -> None:
    _, _, rule, suppressed = COMMENTS[path]
    expected = ("suppressed",) if suppressed else ("remaining", "nits")
    assert bucket(comments_report, path, rule) in expected, found(comments_report, "", path)
