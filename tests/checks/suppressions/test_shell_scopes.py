"""A `# shellcheck disable=` directive covers what plain shellcheck scopes it to: the whole
script before the first command, else the whole command after it (a function, `if`, a loop,
`case`, `{ }`, `( )`, an and-or list over several lines, a here-document).

Before, the review read every directive as covering the next line alone: SC2086 inside a
function under a trusted directive, which shellcheck waives, was reported (fuzz round 7, D12,
an over-report).

Generated: where the directive stands (right after the shebang, after blank lines and
comments before the first command, before a later command with or without lines between,
inside the innermost body) × the command after it (each compound kind, nested one and two
deep in each other, and multi-line simple shapes) × what follows it on its last line. The
oracle is plain shellcheck, run with the directive and with it blanked: a finding it reports
only without it is one the directive waived, and the review's suppressor must say the same
of every finding. A pull request that wraps unchanged lines in a `{ }` it adds under a
trusted directive does not bring them under it: the base's scope did not cover them."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from reviewloop.checks.analyzers.provision import TOOLS
from reviewloop.checks.suppressions.scope import pr_trust, suppressions_for
from reviewloop.git.repository import open_repository
from reviewloop.policy.trust import Trust
from tests.support.plain_shellcheck import finding, reported
from tests.support.repos import write_files
from tests.support.suppression_trust import pr_repo

DIRECTIVE = "# shellcheck disable=SC2086"
Shape = Callable[[list[str]], list[str]]  # a compound command around body lines


def _indent(body: list[str]) -> list[str]:
    return [f"  {line}" for line in body]


COMPOUNDS: dict[str, Shape] = {
    "function": lambda body: ["f() {", *_indent(body), "}"],
    "function keyword": lambda body: ["function g {", *_indent(body), "}"],
    "function subshell": lambda body: ["h() (", *_indent(body), ")"],
    "if": lambda body: ["if true; then", *_indent(body), "else", "  echo $7", "fi"],
    "while": lambda body: ["while true; do", *_indent(body), "  break", "done"],
    "until": lambda body: ["until false; do", *_indent(body), "  break", "done"],
    "for": lambda body: ["for i in 1 2; do", *_indent(body), '  echo "$i"', "done"],
    "for arithmetic": lambda body: ["for ((j = 0; j < 2; j++)); do", *_indent(body),
                                    '  echo "$j"', "done"],
    "case": lambda body: ['case "$1" in', "  a|b)", *_indent(_indent(body)), "    ;;",
                          "  (*) echo $8 ;;", "esac"],
    "group": lambda body: ["{", *_indent(body), "}"],
    "subshell": lambda body: ["(", *_indent(body), ")"],
    "test and": lambda body: ["if [[ -n $1 && $2 == x ]]; then", *_indent(body), "fi"],
}
# multi-line simple commands, and-or lists and here-documents (no body)
SIMPLE = {
    "continued": ["echo $1 \\", "  $2"],
    "and-or": ["echo $1 &&", "  echo $2 ||", "  echo $3"],
    "pipeline": ["echo $1 |", "  cat"],
    "heredoc": ["cat <<EOF >&2", "$1 $(echo $2)", "EOF"],
    "quoted": ['echo "$1', '  still quoted" $2'],
    "substitution": ["x=$(", "  echo $1", ")", 'echo "$x"'],
    "list": ["echo $1; echo $2"],
    "background": ["echo $1 & echo $2"],
    "array": ["a=(", "  $1", ")", 'echo "${a[@]}"'],
    "timed": ["time {", "  echo $1", "}"],
    "parameter": ["echo ${1:-;} $1 \\", "  $2"],
    "negated": ["! (", "  echo $1", ") || echo $2"],
}
# what follows the compound's last line on it
TAILS = ("", " && echo $5", "; echo $5", " >/dev/null", " | cat")
PLACES = ("first", "first after gap", "later", "later after gap", "inside")


def _script(place: str, shape: Sequence[Shape], tail: str) -> list[str]:
    body = [DIRECTIVE, "echo $1", "echo $2"] if place == "inside" else ["echo $1"]
    for wrap in reversed(shape):
        body = wrap(body)
    target = [*body[:-1], body[-1] + tail]
    head = {"first": [], "first after gap": ["", "# about this script", ""],
            "later": [": start"], "later after gap": [": start"], "inside": [": start"]}[place]
    gap = ["# why", ""] if place == "later after gap" else []
    directive = [] if place == "inside" else [DIRECTIVE]
    return ["#!/bin/bash", *head, *directive, *gap, *target, "echo $3", "echo $4"]


def _cases() -> dict[str, list[str]]:
    """Each compound kind alone in every place with every tail; nested two deep (every third
    pair) and three deep (a sample) before a later command and inside; the simple shapes."""
    kinds = list(COMPOUNDS.values())
    cases = {}
    for number, (place, kind, tail) in enumerate(itertools.product(PLACES, kinds, TAILS)):
        cases[f"c{number}.sh"] = _script(place, (kind,), tail)
    pairs = list(itertools.product(kinds, repeat=2))[::3]
    for number, (place, pair) in enumerate(itertools.product(("later", "inside"), pairs)):
        cases[f"p{number}.sh"] = _script(place, pair, "")
    triples = [t for t in itertools.product(kinds, repeat=3) if t[0] is not t[1]][::40]
    for number, triple in enumerate(triples):
        cases[f"t{number}.sh"] = _script("inside", triple, " && echo $5")
    for name, lines in SIMPLE.items():
        for place in PLACES[:4]:
            cases[f"{name}-{place}.sh".replace(" ", "-")] = _script(
                place, (lambda body, lines=lines: lines,), "")
    return cases


def _oracle(binary: Path, root: Path, cases: dict[str, list[str]]
            ) -> tuple[set[tuple[str, int, str]], set[tuple[str, int, str]]]:
    """What plain shellcheck reports with the directives, and with them blanked."""
    names = sorted(cases)
    write_files(root / "with", {n: "\n".join(lines) + "\n" for n, lines in cases.items()})
    write_files(root / "without", {n: "\n".join("#" if line.strip() == DIRECTIVE else line
                                                for line in lines) + "\n"
                                   for n, lines in cases.items()})
    return reported(binary, root / "with", names), reported(binary, root / "without", names)


@pytest.mark.pypi
def test_a_directive_covers_what_plain_shellcheck_scopes_it_to(
        shellcheck_tools: Path, tmp_path: Path) -> None:
    binary = shellcheck_tools / TOOLS["shellcheck"].folder / "bin" / "shellcheck"
    cases = _cases()
    honoured, every = _oracle(binary, tmp_path / "plain", cases)
    root = pr_repo(tmp_path / "tree", {n: "\n".join(lines) + "\n" for n, lines in cases.items()})
    suppress = suppressions_for(open_repository(root), root, Trust.everything()).suppress

    wrong = [("\n".join(cases[file]), line, rule, "shellcheck waived it" if waived
              else "reported") for file, line, rule in sorted(every)
             if (waived := (file, line, rule) not in honoured)
             is (suppress(finding(file, line, rule)) is None)]
    waived_lines = {(file, line) for file, line, _ in every - honoured}
    assert len(cases) > 400 and len(waived_lines) > 800 and not wrong, wrong[:5]


@pytest.mark.pypi
def test_a_change_that_wraps_lines_under_a_trusted_directive_does_not_bring_them_under_it(
        shellcheck_tools: Path, tmp_path: Path) -> None:
    binary = shellcheck_tools / TOOLS["shellcheck"].folder / "bin" / "shellcheck"
    base = ["#!/bin/bash", ": start", DIRECTIVE, "f() {", "  echo $1", "}", "echo $2",
            "echo $3"]
    head = [*base[:3], "{", *base[3:7], "}", "echo $3"]  # the change adds the braces
    root = pr_repo(tmp_path / "tree", {"s.sh": "\n".join(base) + "\n"},
                   {"s.sh": "\n".join(head) + "\n"})
    honoured, every = _oracle(binary, tmp_path / "plain", {"s.sh": head})
    repo = open_repository(root)
    suppress = suppressions_for(repo, root, pr_trust(repo, "main", "feature")).suppress
    waived = {line: suppress(finding("s.sh", line, "SC2086")) is not None
              for _, line, _ in sorted(every)}
    # plain shellcheck waives both on the head; the base's directive covered `f` alone
    assert every - honoured == {("s.sh", 6, "SC2086"), ("s.sh", 8, "SC2086")}
    assert waived == {6: True, 8: False, 10: False}


SPELLINGS = ("# shellcheck disable=SC2086", "#shellcheck disable=SC2086",
             "# shellcheck  disable=SC2086", "# shellcheck disable=SC2034,SC2086",
             "# ShellCheck disable=SC2086",
             "# SHELLCHECK disable=SC2086", "# shellcheck Disable=SC2086",
             "## shellcheck disable=SC2086", "# shellcheck disables=SC2086")
# where the directive {d} stands: a comment to shellcheck, or text inside a word
WHERE = {
    "whole file": ["#!/bin/bash", "{d}", "x=1", "echo $1"],
    "next command": ["#!/bin/bash", "x=1", "{d}", "echo $1", "echo $2"],
    "function": ["#!/bin/bash", "x=1", "{d}", "f() {", "  echo $1", "}", "echo $2"],
    "in an array": ["#!/bin/bash", "x=1", "a=(", "{d}", "b", ")", "echo $1"],
    "in a here-document": ["#!/bin/bash", "x=1", "cat <<EOF", "{d}", "EOF", "echo $1"],
    "in a quote": ["#!/bin/bash", "x=1", 'y="', "{d}", '"', "echo $1 $y"],
}


@pytest.mark.pypi
def test_a_directive_is_one_where_and_as_shellcheck_reads_one(
        shellcheck_tools: Path, tmp_path: Path) -> None:
    """The spelling (shellcheck reads `shellcheck` and `disable` in lower case after one `#`)
    × where it stands (a comment, or text inside an array, a here-document or a quote,
    which is no directive) against plain shellcheck with it and with it blanked. Left out:
    `disable=SC2034, SC2086` (a space after the comma), which shellcheck 0.11 applies past
    the command after it; the review reads it as any directive (an over-report)."""
    binary = shellcheck_tools / TOOLS["shellcheck"].folder / "bin" / "shellcheck"
    cases = {f"s{i}-w{j}.sh": [line.replace("{d}", spelling) for line in lines]
             for i, spelling in enumerate(SPELLINGS)
             for j, lines in enumerate(WHERE.values())}
    blank = {name: [line if line not in SPELLINGS else ":" for line in lines]
             for name, lines in cases.items()}
    names = sorted(cases)
    write_files(tmp_path / "with", {n: "\n".join(v) + "\n" for n, v in cases.items()})
    write_files(tmp_path / "without", {n: "\n".join(v) + "\n" for n, v in blank.items()})
    honoured = reported(binary, tmp_path / "with", names)
    every = reported(binary, tmp_path / "without", names)
    root = pr_repo(tmp_path / "tree", {n: "\n".join(v) + "\n" for n, v in cases.items()})
    suppress = suppressions_for(open_repository(root), root, Trust.everything()).suppress
    wrong = [(file, line, rule, "shellcheck waived it" if waived else "reported")
             for file, line, rule in sorted(every)
             if rule == "SC2086" and (waived := (file, line, rule) not in honoured)
             is (suppress(finding(file, line, rule)) is None)]
    assert not wrong, wrong[:8]
    assert {file for file, _, _ in every - honoured}  # some spellings do waive
