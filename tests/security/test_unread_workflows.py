"""A GitHub workflow checkov drops without a word is named as not read.

checkov's GitHub Actions runner loads a workflow, then drops it unless GitHub's workflow
schema accepts it (`is_schema_valid`): a workflow with no `on`, with `jobs` a number, a
string or empty, was shown as read by checkov (f_iac D10: a YAML error was named, a schema
refusal was not), and in a `.github/workflows` subfolder, which zizmor does not read, the
review was complete. checkov runs CKV2_GHA_1 on every workflow it reads, so a workflow
holding a mapping that it reported nothing on was not read (`checkov_reads`). An empty file
or one of comments alone holds nothing to check, and is not named.

Generated: which workflows of the library (`WORKFLOWS`: schema-valid shapes and refused
ones) a change writes, and whether at the top of `.github/workflows` or in a subfolder;
plain `checkov -d .` is the oracle of which it reads (each read one fails CKV2_GHA_1)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.analyzers.checkov_reads import unread
from reviewloop.git.diff import ChangeSet
from tests.support.checkov import plain_checkov
from tests.support.repos import feature_branch
from tests.support.review_cli import review

RUN = "    runs-on: ubuntu-latest\n    steps:\n      - run: echo hi\n"
# name → (text, whether it holds a mapping: a workflow checkov would check when it reads it)
WORKFLOWS = {
    "valid": (f"name: ok\non: push\njobs:\n  a:\n{RUN}", True),
    "dispatch": (f"on:\n  workflow_dispatch:\njobs:\n  a:\n{RUN}", True),
    "reusable-call": ("on: push\njobs:\n  a:\n    uses: o/r/.github/workflows/x.yml@v1\n", True),
    "unknown-step-key": ("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
                         "      - foo: bar\n", True),
    "no-on": (f"name: a\njobs:\n  a:\n{RUN}", True),
    "jobs-number": ("name: a\non: push\njobs: 5\n", True),
    "jobs-empty": ("on: push\njobs: {}\n", True),
    "job-string": ("on: push\njobs:\n  a: hello\n", True),
    "on-only": ("on: push\n", True),
    "empty": ("", False),
    "comment": ("# nothing yet\n", False),
}
_names = st.lists(st.sampled_from(sorted(WORKFLOWS)), min_size=1, unique=True)


def _silent(files: dict[str, str]) -> dict[str, str]:
    """What `unread` names when checkov reported nothing on `files` (workflows)."""
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        for name, text in files.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(text)
        ctx = AnalyzerContext(root=root, changes=ChangeSet(), diff_text="", agent="a",
                              files=tuple(files))
        unread([{"check_type": "github_actions", "results": {}}],
               dict.fromkeys(files, "github_actions"), lambda check: "", ctx)
    return ctx.unread


@given(_names, st.sampled_from(("", "sub/")))
def test_a_silent_workflow_is_named_when_it_holds_a_mapping(names: list[str], folder: str
                                                             ) -> None:
    files = {f".github/workflows/{folder}{n}.yml": WORKFLOWS[n][0] for n in names}
    named = _silent(files)
    assert set(named) == {f".github/workflows/{folder}{n}.yml" for n in names
                          if WORKFLOWS[n][1]}
    assert all("schema refuses" in why for why in named.values())


@pytest.mark.pypi
@pytest.mark.timeout(900)
@settings(max_examples=2, deadline=None, derandomize=True,
          phases=(Phase.explicit, Phase.generate),
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(("", "sub/")))
def test_the_review_names_exactly_the_workflows_plain_checkov_does_not_read(
        iac_env: Path, folder: str) -> None:
    files = {f".github/workflows/{folder}{n}.yml": text for n, (text, _) in WORKFLOWS.items()}
    with tempfile.TemporaryDirectory() as scratch:
        root = feature_branch(Path(scratch) / "r", {n: t.encode() for n, t in files.items()})
        reported = {check["file_path"].lstrip("/") for check in
                    plain_checkov(iac_env, root, "--framework", "github_actions")}
        done = review(root, "--base", "main", "--head", "feature", "--json",
                      "--fail-on", "never")
    assert done.returncode == 0, done.stderr[-2000:]
    rows = {row["path"]: row for row in json.loads(done.stdout)["health"]["files"]}
    by_checkov = {path for path, row in rows.items()
                  if any(why.startswith("checkov:") for why in row["not_read"])}
    holding = {path for path, text in files.items() if WORKFLOWS[Path(path).stem][1]}
    assert reported >= {f".github/workflows/{folder}valid.yml"}  # the oracle reads
    assert by_checkov == holding - reported, (sorted(by_checkov), sorted(reported))
