"""Kubernetes manifests checkov reads nothing of and says nothing of (a Helm placeholder, a
broken second document, a tab, a name with a brace): each is named as not analysed,
whatever kind it declares (a ConfigMap or a Service as surely as a workload: the skip is
checkov's parser's, told from the text, `checkov_skips`), and a kind checkov may have
nothing to say of, read, is not. The pure part asks `checkov_reads.unread` with checkov's
silence; the real part runs `reviewloop review` with the suite's checkov."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.analyzers.checkov_reads import unread
from reviewloop.git.diff import ChangeSet
from tests.support.iac_shapes import (
    POD_RULE,
    QUIET_KINDS,
    UNREADABLE,
    WORKLOADS,
    render,
    unreadable,
    workload,
)
from tests.support.repos import feature_branch
from tests.support.review_cli import review

CAUSES = {"helm-value": "Helm placeholder", "helm-release": "Helm placeholder",
          "bad-document": "does not load", "tab": "does not load",
          "brace-name": "drops the {kind} document"}


def _silent(root: Path, files: dict[str, str]) -> dict[str, str]:
    """What `unread` names when checkov reported nothing on `files`."""
    for name, text in files.items():
        (root / name).write_text(text)
    ctx = AnalyzerContext(root=root, changes=ChangeSet(), diff_text="", agent="a",
                          files=tuple(files))
    unread([{"check_type": "kubernetes", "results": {}, "summary": {"resource_count": 0}}],
           dict.fromkeys(files, "kubernetes"), lambda check: "", ctx)
    return ctx.unread


@settings(max_examples=150, deadline=None)
@given(st.sampled_from((*WORKLOADS, *QUIET_KINDS)), st.sampled_from(UNREADABLE),
       st.sampled_from(("m.yaml", "m.yml")))
def test_a_silent_manifest_is_named_with_its_cause_whatever_its_kind(
        kind: str, how: str, name: str) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        named = _silent(Path(scratch), {name: unreadable(kind, how)})
    if unreadable(kind, how) == render(workload(kind), "block"):
        assert named == {}  # a kind with no container holds no image, no braced name: read
        return
    assert CAUSES[how].format(kind=kind) in named[name]
    assert "UTF-8" not in named[name]


@settings(max_examples=60, deadline=None)
@given(st.sampled_from((*QUIET_KINDS, "Secret", "Namespace", "Foo")),
       st.sampled_from(WORKLOADS), st.sampled_from(("block", "flow", "json")))
def test_a_workload_only_named_inside_another_kind_is_not_taken_for_one(
        kind: str, inner: str, shape: str) -> None:
    """A ConfigMap holding a Pod's text, or a custom kind owned by a Deployment, declares no
    workload of its own: checkov's silence on it says nothing."""
    data: dict[str, Any] = workload(kind)
    data["metadata"]["ownerReferences"] = [{"kind": inner, "name": "o"}]
    data["data"] = {"pod.yaml": render(workload(inner), "block")}
    with tempfile.TemporaryDirectory() as scratch:
        assert _silent(Path(scratch), {"m.yaml": render(data, shape)}) == {}



@pytest.mark.pypi
@pytest.mark.timeout(900)
@settings(max_examples=2, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # `iac`: the same each time
@given(st.lists(st.tuples(st.sampled_from(WORKLOADS), st.sampled_from(UNREADABLE)),
                min_size=3, max_size=3),
       st.sampled_from(WORKLOADS), st.sampled_from(QUIET_KINDS))
def test_a_manifest_checkov_did_not_read_keeps_the_review_incomplete(
        iac_env: Path, broken: list[tuple[str, str]], readable: str, quiet: str) -> None:
    files = {f"k8s/b{i}.yaml": unreadable(kind, how) for i, (kind, how) in enumerate(broken)}
    files |= {"k8s/ok.yaml": render(workload(readable), "block"),
              "k8s/quiet.yaml": render(workload(quiet), "block"),
              "k8s/quiet_broken.yaml": unreadable(quiet, "bad-document")}
    with tempfile.TemporaryDirectory() as scratch:
        root = feature_branch(Path(scratch) / "r", {n: t.encode() for n, t in files.items()})
        done = review(root, "--base", "main", "--head", "feature", "--json")
    assert done.returncode in (0, 1), done.stderr[-2000:]
    report = json.loads(done.stdout)
    rows = {row["path"]: row for row in report["health"]["files"]}
    found = {(f["file"], f["source"]) for f in report["findings"]["remaining"]}

    def by_checkov(name: str) -> bool:
        return any(why.startswith("checkov:") for why in rows[name]["not_read"])

    for name in files:
        if name.startswith(("k8s/b", "k8s/quiet_")):
            assert (name, "checkov") not in found  # checkov read nothing of it
            assert by_checkov(name), (name, files[name])
    assert not by_checkov("k8s/ok.yaml") and not by_checkov("k8s/quiet.yaml")
    assert ("k8s/ok.yaml", POD_RULE) in {(f["file"], f["rule"])
                                         for f in report["findings"]["remaining"]}
    assert report["health"]["complete"] is False
