"""A Terraform module's file linked from another folder of the tree is part of the module.
A folder sharing `locals.tf -> ../shared/locals.tf` (`admin_cidr = "0.0.0.0/0"`) and a
change that made its security group read `local.admin_cidr`: checkov was given the folder's
regular files only, so the local was unresolved and the review passed while `checkov -d` on
the head reported SSH open to the world. A head commit's export held no link at all. Now a
link to a regular file inside the tree is read as Terraform reads it, in the head run and in
the base run (what it led to at the base: its target's base version when the change wrote
that).

Generated: each review (of the head commit, or of the working tree) holds drawn modules with
a drawn link name and folder, each kind with its twins — the base read the link already, a
link that leads out of the tree (never followed) — which must report nothing."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.support.gitutil import git
from tests.support.repos import init_repo
from tests.support.review_cli import review
from tests.support.terraform_text import ssh_group

pytestmark = [pytest.mark.pypi, pytest.mark.timeout(900)]

GROUP = ssh_group("CIDR")
OUTPUT = 'output "note" {\n  value = "NOTE"\n}\n'
OPEN = 'locals {\n  admin_cidr = "0.0.0.0/0"\n}\n'
NARROW = 'locals {\n  admin_cidr = "10.0.0.0/8"\n}\n'
LOCAL, PRIVATE = "local.admin_cidr", '"10.0.0.0/8"'


@dataclass(frozen=True)
class Linked:
    """A module in `folder` whose `link` leads to `target` (relative to the repository; an
    `outside` one to a file next to it, out of the tree): `main.tf` reads `before`, then
    `after`, and the target holds `shared`, then `shared_after`. The review is to report
    CKV_AWS_24 on `folder/main.tf` when `found`."""

    folder: str
    link: str
    target: str
    before: str
    after: str
    shared: str
    shared_after: str
    found: bool
    outside: bool = False

    def main(self, cidr: str, note: str) -> str:
        return GROUP.replace("CIDR", cidr) + OUTPUT.replace("NOTE", note)


@st.composite
def linked(draw: st.DrawFn, index: int) -> tuple[Linked, ...]:
    def folder(name: str) -> str:
        return draw(st.sampled_from((f"{name}{index}", f"envs/{index}/{name}")))

    def link(name: str) -> str:
        return f"{folder(name)}/{draw(st.sampled_from(('locals.tf', 'shared.tf')))}"

    opened, moved, had, out = (link(name) for name in ("open", "moved", "had", "out"))
    return (
        # the change reads the linked value; the change opens the linked file's value
        Linked(str(Path(opened).parent), opened, f"shared{index}/open.tf", PRIVATE, LOCAL,
               OPEN, OPEN, True),
        Linked(str(Path(moved).parent), moved, f"shared{index}/moved.tf", LOCAL, LOCAL,
               NARROW, OPEN, True),
        # twins: the base read the link already; a link out of the tree
        Linked(str(Path(had).parent), had, f"shared{index}/had.tf", LOCAL, LOCAL, OPEN, OPEN,
               False),
        Linked(str(Path(out).parent), out, f"outside{index}.tf", PRIVATE, LOCAL, OPEN, OPEN,
               False, outside=True),
    )


def _repo(root: Path, drawn: tuple[Linked, ...]) -> Path:
    init_repo(root, {**{f"{d.folder}/main.tf": d.main(d.before, "base") for d in drawn},
                     **{d.target: d.shared for d in drawn if not d.outside},
                     "notes.md": "notes\n"})
    for d in drawn:
        target = root.parent / d.target if d.outside else root / d.target
        target.write_text(d.shared)
        os.symlink(os.path.relpath(target, (root / d.link).parent), root / d.link)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "links")
    git(root, "checkout", "-qb", "feature")
    for d in drawn:
        (root / d.folder / "main.tf").write_text(d.main(d.after, "head"))
        if not d.outside:
            (root / d.target).write_text(d.shared_after)
    git(root, "commit", "-qam", "change")
    return root


@settings(max_examples=3, deadline=None, derandomize=True,
          phases=(Phase.explicit, Phase.generate),  # a failure's review is not shrunk
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.tuples(linked(0), linked(1)).map(lambda pair: pair[0] + pair[1]),
       st.sampled_from((("--head", "feature"), ())))
def test_a_linked_module_file_is_read_with_its_module(iac_env: Path, drawn: tuple[Linked, ...],
                                                      head: tuple[str, ...]) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        root = _repo(Path(scratch) / "r", drawn)
        done = review(root, "--base", "main", *head, "--fail-on", "never", "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    found = {f["file"] for group in ("remaining", "nits") for f in report["findings"][group]
             if f["source"] == "checkov" and f["rule"] == "CKV_AWS_24"}
    assert found == {f"{d.folder}/main.tf" for d in drawn if d.found}, (head, found)
    checkov = [a for a in report["health"]["analyzers"] if a["name"] == "checkov"]
    assert [a["status"] for a in checkov] == ["ok"], checkov
