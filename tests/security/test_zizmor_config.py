"""The project's zizmor config switches checks on for the review as it does for plain
`zizmor .`. zizmor ran with `--no-config`: a config denying `tj-actions/*`, or asking
Dependabot for a 14-day cooldown, made plain zizmor report what the review passed, complete
(fuzz round 9a, D12). The trusted side's config is now given with `--config`, its ignore
lists and `disable` switches taken out (the suppressions honour those).

Generated: where the config is (each name `zizmor .` reads, and `.zizmor.yml`, which it does
not) × what it sets (a deny list, an allow list, a cooldown's days), each beside another rule
switched off (`disable`, which the suppressions honour: zizmor still reports it). The
oracle is plain `zizmor --offline .` on the same tree: the review reports every result of
the setting's rule it reports. Then, in a pull request, the
trusted side's config counts and the change's own edit of it does not."""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from reviewloop.review.evidence import run_for_agent
from tests.support.analyzers import Repo, agent
from tests.support.project_rules import reviewed, shown

pytestmark = pytest.mark.skipif(shutil.which("zizmor") is None,
                                reason="zizmor (dev extra) not on PATH")

SHA = "8e5e7e5ab8b370d6c329ec480221332ada57f0ab"
WORKFLOW = ("name: ci\non: push\npermissions: {{}}\njobs:\n  t:\n    runs-on: ubuntu-latest\n"
            "    steps:\n{step}      - run: echo hi\n")
USES = (f"      - uses: tj-actions/changed-files@{SHA} # v45\n"
        '      - run: echo "${{ github.event.head_commit.message }}"\n')  # template-injection
DEPENDABOT = ("version: 2\nupdates:\n  - package-ecosystem: pip\n    directory: /\n"
              "    schedule:\n      interval: weekly\n    cooldown:\n      default-days: {days}\n")
WAIVED = "  template-injection:\n    disable: true\n"
# what the config sets: (its rules' text, the rule, the changed files)
SETTINGS = {
    "deny": ("  forbidden-uses:\n    config:\n      deny:\n        - tj-actions/*\n",
             "forbidden-uses", {".github/workflows/ci.yml": WORKFLOW.format(step=USES)}),
    "allow": ("  forbidden-uses:\n    config:\n      allow:\n        - actions/*\n",
              "forbidden-uses", {".github/workflows/ci.yml": WORKFLOW.format(step=USES)}),
    "cooldown": ("  dependabot-cooldown:\n    config:\n      days: 14\n",
                 "dependabot-cooldown", {".github/dependabot.yml": DEPENDABOT.format(days=10)}),
}
NAMES = (".github/zizmor.yml", ".github/zizmor.yaml", "zizmor.yml", "zizmor.yaml",
         ".zizmor.yml")
BASE = {".github/workflows/ci.yml": WORKFLOW.format(step=""),
        ".github/dependabot.yml": DEPENDABOT.format(days=30)}


def _plain(root: Path, rule: str) -> set[str]:
    done = subprocess.run(["zizmor", "--offline", "--no-exit-codes", "--format", "json", "."],
                          cwd=root, capture_output=True, text=True, check=True)
    return {location["symbolic"]["key"]["Local"]["verbatim_path"].removeprefix("./")
            for result in json.loads(done.stdout) if result["ident"] == rule
            for location in result["locations"][:1]}


@pytest.mark.parametrize(("name", "setting"), list(itertools.product(NAMES, SETTINGS)))
def test_the_trusted_config_switches_zizmor_s_checks_on_as_plain_zizmor(
        name: str, setting: str) -> None:
    rules, rule, changed = SETTINGS[setting]
    with tempfile.TemporaryDirectory() as scratch:
        repo = Repo(Path(scratch) / "r", {**BASE, name: "rules:\n" + rules + WAIVED})
        diff = repo.change(changed)
        plain = _plain(repo.root, rule)
        report = run_for_agent(agent("review-infrastructure", ("zizmor",)), repo.root, diff)
    assert report.missing == [] and report.errors == [], (report.missing, report.errors)
    found = {f.file for f in report.findings if f.rule == rule}
    assert found == plain, (name, setting, found, plain)
    # a rule the config disables is the suppressions' to honour: zizmor still reports it
    injected = {f.file for f in report.findings if f.rule == "template-injection"}
    assert injected == ({".github/workflows/ci.yml"} if setting != "cooldown" else set())
    assert bool(plain) == (name != ".zizmor.yml"), "zizmor's own reading changed"


def test_in_a_pull_request_the_bases_config_counts_and_the_changes_own_edit_does_not(
        tmp_path: Path) -> None:
    deny, _, changed = SETTINGS["deny"]
    cooldown = SETTINGS["cooldown"][0]
    report = reviewed(tmp_path / "pr", {**BASE, "zizmor.yml": "rules:\n" + deny},
                      {**changed, **SETTINGS["cooldown"][2],
                       "zizmor.yml": "rules:\n" + deny + cooldown})
    assert "forbidden-uses" in shown(report, "zizmor", ".github/workflows/ci.yml")
    assert "dependabot-cooldown" not in shown(report, "zizmor", ".github/dependabot.yml")
