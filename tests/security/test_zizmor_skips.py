"""Workflow files zizmor skips: one it cannot parse (a UTF-8 BOM, which it takes for a second
YAML document; broken YAML) is skipped with a warning that does not name it, and when
another file was given, zizmor exits 0. Each such file is named as not read by zizmor, and
the files it audited are not. zizmor for real (the dev extra puts it on PATH)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.review.evidence import run_for_agent
from tests.support.analyzers import Repo, agent

pytestmark = pytest.mark.skipif(shutil.which("zizmor") is None,
                                reason="zizmor (dev extra) not on PATH")

WORKFLOW = """on: pull_request_target
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: echo "${{ github.event.pull_request.title }}"
"""
ACTION = """name: a
description: d
runs:
  using: composite
  steps:
    - run: echo "${{ github.event.pull_request.title }}"
      shell: bash
"""
# ways of writing a workflow zizmor cannot parse; new ones are added here
UNPARSEABLE = {
    "bom": lambda text: "\ufeff" + text,
    "unclosed flow": lambda text: text + "env: [\n",
    "tab": lambda text: text.replace("\n  ", "\n\t", 1),
    "second document": lambda text: text + "---\nx: 1\n",
}
_files = st.tuples(st.sampled_from((".github/workflows/w{}.yml", ".github/workflows/w {}.yaml",
                                    "act{}/action.yml")),
                   st.sampled_from((None, *UNPARSEABLE)))


@settings(max_examples=12, deadline=None, derandomize=True)
@given(st.lists(_files, min_size=2, max_size=4).filter(
    lambda fs: any(how is None for _, how in fs)))
def test_each_file_zizmor_skipped_is_named_and_no_other(files: list[tuple[str, str | None]]
                                                        ) -> None:
    written: dict[str, str] = {}
    skipped = set()
    for index, (form, how) in enumerate(files):
        name = form.format(index)
        text = ACTION if name.endswith("action.yml") else WORKFLOW
        written[name] = UNPARSEABLE[how](text) if how else text
        if how:
            skipped.add(name)
    with tempfile.TemporaryDirectory() as scratch:
        repo = Repo(Path(scratch))
        report = run_for_agent(agent("review-infrastructure", ("zizmor",)), repo.root,
                               repo.change(written))
    health = next(h for h in report.health if h.name == "zizmor")
    assert health.status == "ok", health
    assert set(health.unread) == skipped, (health.unread, written)
    assert all("zizmor's log does not name it as audited" in why
               for why in health.unread.values())
    assert {f.file for f in report.findings} == set(written) - skipped


# what zizmor's warning says of each way, and a way whose warning names its file
SAID = {"bom": "more than one document", "unclosed flow": "did not find expected",
        "second document": "more than one document", "true for on": "failed to validate"}
_WAYS = {**UNPARSEABLE, "true for on": lambda text: text.replace("on:", "true:", 1)}


@settings(max_examples=6, deadline=None, derandomize=True)
@given(st.permutations(sorted(SAID)).flatmap(
    lambda ways: st.integers(1, len(ways)).map(lambda n: ways[:n])))
def test_each_skipped_file_is_given_its_own_warning(ways: list[str]) -> None:
    written = {".github/workflows/ok.yml": WORKFLOW} | {
        f".github/workflows/w{index}.yml": _WAYS[how](WORKFLOW)
        for index, how in enumerate(ways)}
    with tempfile.TemporaryDirectory() as scratch:
        repo = Repo(Path(scratch))
        report = run_for_agent(agent("review-infrastructure", ("zizmor",)), repo.root,
                               repo.change(written))
    unread = next(h for h in report.health if h.name == "zizmor").unread
    for index, how in enumerate(ways):
        why = unread[f".github/workflows/w{index}.yml"]
        assert SAID[how] in why, (how, why)
        others = {SAID[other] for other in ways if SAID[other] != SAID[how]}
        assert not any(said in why for said in others), (how, why)
        if how == "true for on":
            assert why.count("file://") == 1 and f"w{index}.yml" in why, why
