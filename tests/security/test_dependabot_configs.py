"""Dependabot's config reaches zizmor. `insecure-external-code-execution: allow` lets a
dependency's own code run during an update, with the update's credentials, and an update
with no cooldown proposes a release the day it is out; zizmor audits both
(`dependabot-execution`, `dependabot-cooldown`), yet it was given workflows and action
definitions only, so `.github/dependabot.yml` was read by the secrets scan alone. Generated:
the file's spelling (`.yml`, `.yaml`), its folder, how the YAML is written and which finding
it holds, each through a real review (`reviewloop review`, LLM reviewers off) that must
report the finding where zizmor puts it and list the file as read by zizmor. zizmor for real
(the dev extra puts it on PATH)."""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.repos import feature_branch
from tests.support.review_cli import review
from tests.support.suppression_trust import pr_repo
from tests.support.suppression_trust import review as trusted_review

pytestmark = [pytest.mark.skipif(shutil.which("zizmor") is None,
                                 reason="zizmor (dev extra) not on PATH"),
              pytest.mark.timeout(900)]

FOLDERS = ("", "services/api/")  # the repository's, or a project's inside it
NAMES = (".github/dependabot.yml", ".github/dependabot.yaml")
QUOTES = ("", "'", '"')
COOLDOWN = ("    cooldown:", "      default-days: 7")


@dataclass(frozen=True)
class Config:
    """A Dependabot config holding one finding, and where zizmor reports it."""

    text: str
    rule: str
    line: int
    severity: str


@st.composite
def configs(draw: st.DrawFn) -> Config:
    """One update entry with the finding drawn: code execution allowed (a cooldown set, so
    nothing else), or no cooldown, or one of under 7 days; its values quoted or not, after
    a comment or not."""
    quote = draw(st.sampled_from(QUOTES))
    head = ["# keep the tools fresh"] if draw(st.booleans()) else []
    head += ["version: 2", "updates:", f"  - package-ecosystem: {quote}pip{quote}",
             f"    directory: {quote}/{quote}", "    schedule:",
             f"      interval: {quote}{draw(st.sampled_from(('daily', 'weekly')))}{quote}"]
    entry = len(head) - 3  # the `- package-ecosystem` line, 1-based
    finding = draw(st.sampled_from(("execution", "no cooldown", "short cooldown")))
    if finding == "execution":
        lines = [*head, *COOLDOWN, f"    insecure-external-code-execution: {quote}allow{quote}"]
        return Config("\n".join(lines) + "\n", "dependabot-execution", len(lines), "must_fix")
    if finding == "short cooldown":
        days = draw(st.integers(1, 6))
        lines = [*head, "    cooldown:", f"      default-days: {days}"]
        return Config("\n".join(lines) + "\n", "dependabot-cooldown", len(lines), "should_fix")
    return Config("\n".join(head) + "\n", "dependabot-cooldown", entry, "should_fix")


@settings(max_examples=8, deadline=None, derandomize=True)
@given(folder=st.sampled_from(FOLDERS), name=st.sampled_from(NAMES), config=configs())
def test_a_dependabot_config_is_audited_by_zizmor_in_a_review(folder: str, name: str,
                                                              config: Config) -> None:
    path = f"{folder}{name}"
    with tempfile.TemporaryDirectory() as scratch:
        root = feature_branch(Path(scratch) / "r", {path: config.text.encode()})
        done = review(root, "--base", "main", "--head", "feature", "--fail-on", "never",
                      "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    found = {(f["source"], f["rule"], f["file"], f["start_line"], f["severity"])
             for group in ("remaining", "nits", "out_of_scope")
             for f in report["findings"][group]}
    assert ("zizmor", config.rule, path, config.line, config.severity) in found, \
        (found, config.text)
    assert {rule for source, rule, *_ in found if source == "zizmor"} == {config.rule}
    row = {r["path"]: r for r in report["health"]["files"]}[path]
    assert "zizmor (review-infrastructure)" in row["analysed_by"], row
    assert row["not_read"] == [] and report["health"]["complete"] is True, row


EXECUTION = ("version: 2\nupdates:\n  - package-ecosystem: pip\n    directory: /\n"
             "    schedule:\n      interval: daily\n"
             "    insecure-external-code-execution: allow{}\n")


def test_zizmor_ignores_in_a_dependabot_config_count_only_from_the_trusted_side(
        tmp_path: Path) -> None:
    """zizmor honours `# zizmor: ignore[…]` and its config's `ignore: [dependabot.yml]` in a
    Dependabot config as in a workflow: the pull request's own hide nothing (each is an
    `adds-suppression` finding), the base's are listed as suppressed."""
    marked = EXECUTION.format("  # zizmor: ignore[dependabot-execution]")
    config = "rules:\n  dependabot-cooldown:\n    ignore:\n      - dependabot.yml\n"
    pr = pr_repo(tmp_path / "pr", {}, {".github/dependabot.yml": marked,
                                       ".github/zizmor.yml": config})
    added = trusted_review(pr)
    assert {f["rule"] for f in added.remaining()} >= {"dependabot-execution",
                                                     "dependabot-cooldown"}
    assert added.tricks() == [(".github/dependabot.yml", 7), (".github/zizmor.yml", 1)]

    base = pr_repo(tmp_path / "base", {".github/dependabot.yml": marked,
                                       ".github/zizmor.yml": config},
                   {".github/dependabot.yml": marked.replace("daily", "weekly")})
    kept = trusted_review(base)
    assert {f["rule"] for f in kept.remaining()} & {"dependabot-execution",
                                                   "dependabot-cooldown"} == set()
    assert sorted((f["rule"], f["suppression"]["where"]) for f in kept.suppressed()) == [
        ("dependabot-cooldown", ".github/zizmor.yml"),
        ("dependabot-execution", ".github/dependabot.yml:7")], kept.report
