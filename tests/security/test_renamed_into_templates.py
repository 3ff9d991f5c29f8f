"""A rename that makes a YAML or JSON template visible to checkov is the change's, all of it.

checkov tells a Kubernetes manifest, a CloudFormation or ARM template, an OpenAPI document or
an Ansible playbook by its text, but only under a name it opens (`.yaml`, `.yml`, `.json`):
`k8s/pod.yaml.example`, `pod.txt` or `pod` it never reads. Renaming one of those to
`k8s/pod.yaml` writes no line, and every finding plain `checkov -d .` then reports on it
(a privileged Pod, SSH open to the world) lay on "unchanged" lines: the review dropped them,
named nothing and passed, while the same rename of `main.tf.disabled` to `main.tf` was the
change's. With a one-line edit elsewhere in the file the findings were only `out_of_scope`.
Now such a rename is "renamed into" the kind (`checks.analyzers.roles`), its findings count,
and a pure one names the file as unread by the model reviewers.

A matrix: every kind renamed from every parked name (`.example`, `.txt`, no suffix, `.bak`,
`.disabled`), pure or with a one-line edit away from the finding, beside its control — the
same text moved between two names checkov opens, whose findings the base had already."""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import pytest

from tests.support.gitutil import git
from tests.support.repos import init_repo
from tests.support.review_cli import review
from tests.support.templates import PARKED, TEMPLATES, Template

pytestmark = [pytest.mark.pypi, pytest.mark.timeout(900), pytest.mark.usefixtures("iac_env")]


@dataclass(frozen=True)
class Move:
    """`old` renamed to `new`, the text `template`'s, edited on a line apart from its
    finding when `edited`; a `control` moves between two names checkov opens."""

    template: Template
    old: str
    new: str
    edited: bool
    control: bool = False


def moves(parked: str, index: int) -> list[Move]:
    """Each kind renamed from `parked`'s form of its name (every other one edited, which
    alternates with `index`), and its control."""
    drawn = []
    for i, template in enumerate(TEMPLATES):
        new = PurePosixPath(template.path)
        old = PARKED[parked](new)
        drawn.append(Move(template, old.as_posix(), new.as_posix(), edited=(i + index) % 2 == 1))
        drawn.append(Move(template, f"samples/{new.name}", f"moved/{new.name}",
                          edited=False, control=True))
    return drawn


def _repo(root: Path, drawn: list[Move]) -> Path:
    # each text its own (a tag in it), so git pairs each rename as drawn
    init_repo(root, {m.old: m.template.text(m.old) for m in drawn})
    git(root, "checkout", "-qb", "feature")
    for move in drawn:
        (root / move.new).parent.mkdir(parents=True, exist_ok=True)
        git(root, "mv", move.old, move.new)
        if move.edited:
            path = root / move.new
            path.write_text(move.template.edit(path.read_text()))
    git(root, "commit", "-qam", "enable")
    return root


def _findings(report: dict[str, Any], *groups: str) -> set[tuple[str, str, str]]:
    return {(f["source"], f["rule"], f["file"])
            for group in groups for entry in report["findings"].get(group, [])
            for f in (entry.get("finding", entry),)}


@pytest.mark.parametrize("parked", sorted(PARKED))
def test_a_rename_into_a_name_checkov_opens_makes_the_template_the_changes(
        parked: str) -> None:
    drawn = moves(parked, sorted(PARKED).index(parked))
    with tempfile.TemporaryDirectory() as scratch:
        root = _repo(Path(scratch) / "r", drawn)
        assert "R" in git(root, "diff", "--name-status", "-M", "main", "feature")
        done = review(root, "--base", "main", "--head", "feature", "--fail-on", "never",
                      "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    shown = _findings(report, "remaining", "nits")
    outside = _findings(report, "out_of_scope")
    rows = {r["path"]: r for r in report["health"]["files"]}
    for move in drawn:
        key = ("checkov", move.template.rule, move.new)
        noted = [why for why in rows[move.new]["not_read"] if "renamed into" in why]
        if move.control:  # the base's findings, moved: not the change's
            assert key not in shown, (move, sorted(shown))
            assert noted == [], rows[move.new]
            continue
        assert key in shown, (move, sorted(shown), sorted(outside))
        assert key not in outside, (move, sorted(outside))
        assert any("checkov" in a for a in rows[move.new]["analysed_by"]), rows[move.new]
        # a pure rename shows the model reviewers none of it: named so
        assert bool(noted) is not move.edited, rows[move.new]
    assert report["health"]["complete"] is False
