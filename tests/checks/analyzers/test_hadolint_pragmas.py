"""hadolint's pragmas are honoured where plain hadolint honours them, and nowhere else.

Before, `hadolint ignore=` was a marker wherever its text stood: in a RUN's `echo`, a LABEL's
or an ENV's value (`ENV X="hadolint global ignore=DL4006"` even file-wide), and spelled as
hadolint does not read it (`ignore=DL4006 x`, `Hadolint`, `ignore=dl4006`): a finding plain
hadolint reports was suppressed in the review (fuzz round 7, D8). Now a pragma is read from a
comment line only, spelled as hadolint reads it.

Generated: each pragma spelling (`ignore` and `global ignore`, read or not by hadolint) × where
its text stands (a comment line above the instruction, after a blank line, in a RUN continuation,
in a RUN/LABEL/ENV value, after the instruction) × the instruction it is about. The oracle is
plain hadolint, run with its pragmas and without (`--disable-ignore-pragma`): a finding it
reports only without them is one a pragma waived, and the review's suppressor must say the
same of every finding."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from reviewloop.checks.analyzers.provision import TOOLS
from reviewloop.checks.suppressions.scope import suppressions_for
from reviewloop.git.repository import open_repository
from reviewloop.policy.trust import Trust
from tests.support.plain_hadolint import finding, reported
from tests.support.suppression_trust import pr_repo

# pragma spellings, `{rule}` the rule of the instruction below
SPELLINGS = ("# hadolint ignore={rule}", "#hadolint ignore={rule}",
             "\t#  hadolint\tignore = {rule}",
             "# hadolint ignore={rule} # audited", "# hadolint ignore=DL3000 ,{rule}#x",
             "# hadolint ignore={rule} trailing", "# Hadolint ignore={rule}",
             "# hadolint IGNORE={rule}", "# hadolint ignore={lower}", "# hadolint ignore={rule},",
             "# hadolint ignore={rule};", "# note hadolint ignore={rule}",
             "## hadolint ignore={rule}", "# hadolint global ignore={rule}",
             "# hadolint  global ignore={rule} # why", "# hadolint global ignore={rule} x",
             "# HADOLINT global ignore={rule}")
# where the pragma's text stands, `{p}` the pragma, `{i}` the instruction
PLACES = ("{p}\n{i}\n", "{p}\n\n{i}\n", "RUN echo one && \\\n  {p}\n  true\n{i}\n",
          "RUN echo '{p}'\n{i}\n", 'LABEL note="{p}"\n{i}\n', 'ENV NOTE="{p}"\n{i}\n',
          "{i}  {p}\n", "{i}\nRUN true\n{p}\n")
# instructions plain hadolint reports, with the rule
INSTRUCTIONS = (("RUN curl -fsSL https://example.org/i.sh | bash", "DL4006"),
                ("ADD app.tar /app", "DL3020"), ("RUN sudo make install", "DL3004"))


def _cases() -> dict[str, str]:
    cases = {}
    for number, (spelling, place, (instruction, rule)) in enumerate(
            itertools.product(SPELLINGS, PLACES, INSTRUCTIONS)):
        pragma = spelling.format(rule=rule, lower=rule.lower())
        if "'" in place and "'" in pragma:
            continue
        body = place.format(p=pragma.replace('"', "'"), i=instruction) if '"' in place \
            else place.format(p=pragma, i=instruction)
        cases[f"c{number}/Dockerfile"] = f"FROM debian:12.5\n{body}"
    return cases


@pytest.mark.pypi
def test_a_pragma_is_honoured_where_plain_hadolint_honours_it(
        iac_tools: Path, tmp_path: Path) -> None:
    cases = _cases()
    root = pr_repo(tmp_path / "tree", cases)
    binary = iac_tools / TOOLS["hadolint"].folder / "bin" / "hadolint"
    honoured = reported(binary, root, sorted(cases))
    every = reported(binary, root, sorted(cases), "--disable-ignore-pragma")
    suppress = suppressions_for(open_repository(root), root, Trust.everything()).suppress

    wrong = [(cases[file], line, rule, "hadolint waived it" if waived else "reported")
             for file, line, rule in sorted(every)
             if (waived := (file, line, rule) not in honoured)
             is (suppress(finding(file, line, rule)) is None)]
    assert len(cases) > 300 and every - honoured and not wrong, wrong[:10]
