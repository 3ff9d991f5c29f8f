"""A `# shellcheck disable=` directive at the edges of shellcheck's scoping covers what plain
shellcheck 0.11 scopes it to (rev10 D4, D5).

Before: a directive on line 1 above a misplaced shebang (SC1128), which shellcheck reads as a
plain comment, was read as covering the whole file (an under-report); a UTF-8 BOM before the
shebang hid the whole-file directive after it; a directive before a Bats `@test` did not
cover its body, and one in a command substitution covered nothing (over-reports).

Generated: directive spellings × places (misplaced shebang spellings, BOM, Bats blocks,
substitutions, nested). The oracle is plain shellcheck run with the directive and with it
blanked: a finding it reports only without it is one the directive waived, and the review's
suppressor must say the same of every finding. Where the review cannot read the substitution
(its closer shares a line) it may over-report, never waive more. A directive attached to no
command (before a closer, `then`, a pattern, after `&&` or `|`, at the end) is a parse error
to shellcheck, which then reports nothing else: the review keeps reporting what the script
breaks beyond the line after it (an over-report on purpose: the directive waives nothing
there)."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from reviewloop.checks.analyzers.provision import TOOLS
from reviewloop.checks.suppressions.scope import suppressions_for
from reviewloop.git.repository import open_repository
from reviewloop.policy.trust import Trust
from tests.support.plain_shellcheck import finding, reported
from tests.support.repos import write_files
from tests.support.suppression_trust import pr_repo

SPELLINGS = ("# shellcheck disable=SC2086", "#shellcheck disable=SC2086",
             "# shellcheck disable=SC2034,SC2086", "# shellcheck disable=all",
             "  # shellcheck disable=SC2086 # why")
SH = "#!/bin/sh"
# {d}: the directive; every `echo $N` line breaks SC2086. Where plain shellcheck scopes it:
EXACT = {
    "misplaced shebang": ["{d}", SH, "echo $1", "echo $2"],
    "misplaced after blank": ["{d}", "", SH, "echo $1", "echo $2"],
    "misplaced spaced": ["{d}", " #!/bin/sh", "echo $1", "echo $2"],
    "misplaced hash space": ["{d}", "# !/bin/sh", "echo $1", "echo $2"],
    "misplaced bash": ["{d}", "#!/bin/bash -e", "echo $1", "echo $2"],
    "misplaced comment": ["# about", "{d}", SH, "echo $1", "echo $2"],
    "misplaced twice": ["{d}", SH, SH, "echo $1", "echo $2"],
    "below misplaced": ["# about", SH, "{d}", "echo $1", "echo $2"],
    "no shebang": ["{d}", "# about", "echo $1", "echo $2"],
    "shebang twice": [SH, "{d}", SH, "echo $1", "echo $2"],
    "bom": ["\ufeff" + SH, "{d}", "echo $1", "echo $2"],
    "bom later": ["\ufeff" + SH, "echo $1", "{d}", "echo $2", "echo $3"],
    "subst": [SH, "echo $1", "x=$(", "{d}", "echo $2", "echo $3", ")", "echo $4 $x"],
    "subst later": [SH, "echo $1", "x=$(", "  echo $2", "  {d}", "  echo $3 |", "  cat $4",
                    "  echo $5", ")", "echo $6 $x"],
    "subst compound": [SH, "echo $1", "x=$(", "{d}", "if true; then", "  echo $2", "fi",
                       "echo $3", ")", "echo $4 $x"],
    "subst nested": [SH, "echo $1", "f() {", "  x=$(", "    {d}", "    echo $2 && echo $3",
                     "    echo $4", "  )", '  echo "$x"', "}", "echo $5"],
    "backquote": [SH, "echo $1", "x=`", "{d}", "echo $2", "echo $3", "`", "echo $4 $x"],
}
BATS = "#!/usr/bin/env bats"
BATS_EXACT = {
    "before test": [BATS, "echo $1", "{d}", "@test 'x' {", "  echo $2", "  echo $3", "}",
                    "echo $4"],
    "in test": [BATS, "echo $1", "@test x {", "{d}", "  echo $2", "  echo $3", "}", "echo $4"],
    "between tests": [BATS, "@test a {", "  echo $1", "}", "{d}", '@test "b c" {',
                      "  echo $2", "}", "echo $3"],
}
# substitutions the review does not read: it may over-report, never waive more
UNREAD = {
    "subst inline": [SH, "echo $1", "x=$(echo $2; echo $3", "{d}", "echo $4)", "echo $5 $x"],
    "subst closer shared": [SH, "echo $1", "x=$(", "{d}", "echo $2; echo $3)", "echo $4 $x"],
    "subst in quotes": [SH, "echo $1", 'echo "$(', "{d}", "echo $2", "echo $3", ')"', "echo $4"],
}
# attached to no command: a parse error to shellcheck (which then reports nothing else)
UNATTACHED = {
    "before fi": [SH, "echo $1", "if true; then echo $2", "{d}", "fi", "echo $3"],
    "before done": [SH, "echo $1", "for i in 1; do echo $2", "{d}", "done", "echo $3"],
    "before brace": [SH, "echo $1", "f() { echo $2", "{d}", "}", "echo $3"],
    "before esac": [SH, "echo $1", "case a in", "  a) echo $2;;", "{d}", "esac", "echo $3"],
    "before paren": [SH, "echo $1", "( echo $2", "{d}", ")", "echo $3"],
    "before pattern": [SH, "echo $1", "case a in", "{d}", "  a) echo $2;;", "esac", "echo $3"],
    "before then": [SH, "echo $1", "if true", "{d}", "then echo $2", "fi", "echo $3"],
    "before else": [SH, "echo $1", "if true; then echo $2", "{d}", "else echo $3", "fi",
                    "echo $4"],
    "after and": [SH, "echo $1", "true &&", "{d}", "echo $2", "echo $3"],
    "after pipe": [SH, "echo $1", "echo a |", "{d}", "cat $2", "echo $3"],
    "subst end": [SH, "echo $1", "x=$(echo $2", "{d}", ")", "echo $3 $x"],
    "end": [SH, "echo $1", "echo $2", "{d}"],
}


def _cases() -> dict[str, tuple[list[str], str]]:
    """name → (lines, what the review must do: "exact", "over" or "unattached")."""
    places = [(name, lines, ".sh", "exact") for name, lines in EXACT.items()] + \
        [(name, lines, ".bats", "exact") for name, lines in BATS_EXACT.items()] + \
        [(name, lines, ".sh", "over") for name, lines in UNREAD.items()] + \
        [(name, lines, ".sh", "unattached") for name, lines in UNATTACHED.items()]
    return {f"{name.replace(' ', '-')}-{number}{suffix}":
            ([line.replace("{d}", spelling) for line in lines], kind)
            for (name, lines, suffix, kind), (number, spelling)
            in itertools.product(places, enumerate(SPELLINGS))}


@pytest.mark.pypi
def test_a_directive_at_the_edges_covers_what_plain_shellcheck_scopes_it_to(
        shellcheck_tools: Path, tmp_path: Path) -> None:
    binary = shellcheck_tools / TOOLS["shellcheck"].folder / "bin" / "shellcheck"
    cases = _cases()
    texts = {name: "\n".join(lines) + "\n" for name, (lines, _) in cases.items()}
    blank = {name: "\n".join("#" if line.strip().startswith(("# shellcheck", "#shellcheck"))
                             else line for line in lines) + "\n"
             for name, (lines, _) in cases.items()}
    write_files(tmp_path / "with", texts)
    write_files(tmp_path / "without", blank)
    honoured = reported(binary, tmp_path / "with", sorted(cases))
    every = reported(binary, tmp_path / "without", sorted(cases))
    root = pr_repo(tmp_path / "tree", texts)
    suppress = suppressions_for(open_repository(root), root, Trust.everything()).suppress

    wrong = []
    for file, line, rule in sorted(every):
        lines, kind = cases[file]
        if rule != "SC2086":
            continue
        waived = (file, line, rule) not in honoured
        review = suppress(finding(file, line, rule)) is not None
        if kind == "unattached":  # plain: a parse error; the review: the next line at most
            directive = next(n for n, text in enumerate(lines, 1) if text in SPELLINGS)
            if {"SC1072", "SC1073"}.isdisjoint(r for f, _, r in honoured if f == file) or \
                    (review and line != directive + 1):
                wrong.append((texts[file], line, "unattached"))
        elif review != waived and (kind == "exact" or review):
            wrong.append((texts[file], line, "shellcheck waived it" if waived else "reported"))
    assert not wrong, wrong[:5]
    assert len({file for file, _, _ in every - honoured}) > 100  # most places do waive
