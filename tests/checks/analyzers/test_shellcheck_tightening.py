"""`tightening` calls a `.shellcheckrc` edit a tightening only when plain shellcheck 0.11 with
the change's rc reports all it reports with the base's (rev11 D10). Before, each line was cut
at its first `#`: `enable="check-unassigned-uppercase#" disable=SC2086` read as an `enable=`
alone, so the project-wide `disable=SC2086` was applied as a tightening, not named a
suppression.

Generated: a fixed product of base rc files (empty, enables, disables, a quoted value, a line
ending in `\\`, an open quote) × an edit (a line added first or last, the first line replaced)
× the line it writes (plain `enable=` lines, with a comment after them, and `enable=`
beside a `disable=` behind a quoted `#`, a comment, a tab, a comma, a quote; other keys;
comment and blank lines; a line shellcheck cannot parse). The oracle is plain shellcheck
with each rc, every case in one run (each script reads the rc of its own folder)."""

from __future__ import annotations

import itertools
import json
import subprocess
from pathlib import Path

import pytest

from reviewloop.checks.analyzers.provision import TOOLS
from reviewloop.checks.suppressions.tightening import tightening
from tests.support.js_tools import shellcheck_tools as shellcheck_tools  # the fixture

SCRIPT = '#!/bin/sh\nrm -rf $1/tmp\necho $FOO\necho "$HOME"\ncat `ls`\n'
BASES = ("", "enable=require-variable-braces\n", "disable=SC2006\nenable=deprecate-which\n",
         'source-path="a b"\n', "disable=SC2006 \\\n", "# a comment\n", 'source-path="a\n',
         "enable=require-variable-braces # braces\n")
PLAIN = ("enable=check-unassigned-uppercase", "enable=require-variable-braces,check-unassigned-"
         "uppercase", " enable=all\t", "enable=not-a-check")
# an enable= with a comment after it, which shellcheck reads as a comment (a `disable=` in it
# too): harmless, and a tightening (r12; before, any `#` made the line differ, a suppression)
COMMENTED = ("enable=check-unassigned-uppercase # note", "enable=check-unassigned-uppercase#note",
             "enable=require-variable-braces,check-unassigned-uppercase\t# n",
             "enable=check-unassigned-uppercase # disable=SC2086")
LINES = (*PLAIN, *COMMENTED,
         'enable=check-unassigned-uppercase # "x', "enable=check-unassigned-uppercase # n \\",
         'enable="check-unassigned-uppercase#" disable=SC2086',
         'enable="check-unassigned-uppercase" disable=SC2086',
         "enable=check-unassigned-uppercase disable=SC2086",
         "enable=check-unassigned-uppercase\tdisable=SC2086",
         "enable=check-unassigned-uppercase,disable=SC2086",
         "enable=check-unassigned-uppercase#x disable=SC2086",
         "enable=check-unassigned-uppercase \\", "enable=check-unassigned-uppercase\r",
         "disable=SC2086", "disable=all", "shell=bash", "severity=error",
         'source-path="x', "external-sources=true", "=", "enable=",
         "# note", "# note \\", '# say "x', "")


def _edits(base: str, line: str) -> list[str]:
    lines = base.splitlines()
    return ["\n".join([line, *lines]) + "\n", "\n".join([*lines, line]) + "\n",
            "\n".join([line, *lines[1:]]) + "\n"]


def _reported(binary: Path, root: Path, rcs: list[str]) -> list[set[tuple[int, int]]]:
    for at, rc in enumerate(rcs):
        (root / str(at)).mkdir(parents=True)
        (root / str(at) / ".shellcheckrc").write_text(rc)
        (root / str(at) / "run.sh").write_text(SCRIPT)
    out = subprocess.run([binary, "-f", "json1", *(f"{at}/run.sh" for at in range(len(rcs)))],
                         cwd=root, capture_output=True, text=True, check=False,
                         env={"HOME": str(root)})
    found: list[set[tuple[int, int]]] = [set() for _ in rcs]
    for comment in json.loads(out.stdout)["comments"]:  # the rc's own errors: absolute
        at, name = Path(comment["file"]).relative_to(root.resolve()).parts \
            if Path(comment["file"]).is_absolute() else Path(comment["file"]).parts
        found[int(at)].add((comment["line"] if name == "run.sh" else -comment["line"],
                            comment["code"]))
    return found


@pytest.mark.pypi
def test_a_shellcheckrc_tightening_only_adds_findings(shellcheck_tools: Path,
                                                      tmp_path: Path) -> None:
    binary = shellcheck_tools / TOOLS["shellcheck"].folder / "bin" / "shellcheck"
    cases = [(base, head) for base, line in itertools.product(BASES, LINES)
             for head in _edits(base, line)]
    texts = list(dict.fromkeys(text for case in cases for text in case))
    reported = dict(zip(texts, _reported(binary, tmp_path, texts), strict=True))
    judged = {(base, head): tightening(".shellcheckrc", head, base) for base, head in cases}
    lost = [(base, head, reported[base] - reported[head]) for (base, head), enables
            in judged.items() if enables is not None and reported[base] - reported[head]]
    assert not lost, lost[:3]
    # what only adds plain enable= lines is still a tightening (after a line that ends in
    # `\\` or opens a quote it is not: shellcheck reads it as part of that line)
    standing = [base for base in BASES if not base.endswith("\\\n") and base.count('"') % 2 == 0]
    reached = [(base, line) for base, line in itertools.product(standing,
                                                                (*PLAIN[:3], *COMMENTED))
               if judged[(base, _edits(base, line)[1])] is None]
    assert not reached, reached
    assert judged[("# a comment\n", PLAIN[0] + "\n")] == [f"{PLAIN[0]}"]  # a comment dropped
    d10 = BASES[1] + 'enable="check-unassigned-uppercase#" disable=SC2086\n'
    assert d10.count("#") == 1
    assert reported[BASES[1]] - reported[d10] and judged[(BASES[1], d10)] is None
