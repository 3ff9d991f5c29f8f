"""Past its bound, a change's Kubernetes graph is said to be partly read. A NetworkPolicy
selecting more pods than `kubernetes_graph.MAX_RELATED` is deleted: the review reads the
first `MAX_RELATED` of them with the change (checkov's cost grows with each: ~9 s for 200 on
a loaded 2-core machine, twice, at the head and at the base), reports what it found there on
the deleted policy, and names the rest as not analysed, so the verdict is incomplete rather
than clean."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest

from reviewloop.checks.analyzers.kubernetes_graph import MAX_RELATED
from tests.support.gitutil import git
from tests.support.repos import init_repo
from tests.support.review_cli import review

pytestmark = [pytest.mark.pypi, pytest.mark.timeout(900)]

POLICY = ("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: web\n"
          "spec:\n  podSelector:\n    matchLabels:\n      app: web\n")


def pod(name: str) -> str:
    return f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  labels:\n    app: web\n" \
           "spec:\n  containers:\n  - name: c\n    image: nginx:1.25\n"


@pytest.mark.long(seconds=17)
def test_a_policy_selecting_more_pods_than_the_bound_is_read_in_part_and_said_so(
        iac_env: Path) -> None:
    pods = {f"apps/p{n:03}.yaml": pod(f"p{n}") for n in range(MAX_RELATED + 2)}
    with tempfile.TemporaryDirectory() as scratch:
        root = init_repo(Path(scratch) / "r", {**pods, "pol/web.yaml": POLICY})
        git(root, "checkout", "-qb", "feature")
        git(root, "rm", "-q", "pol/web.yaml")
        git(root, "commit", "-qm", "drop the policy")
        done = review(root, "--base", "main", "--head", "feature", "--fail-on", "never",
                      "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    found = [f for group in ("remaining", "nits") for f in report["findings"][group]
             if f["rule"] == "CKV2_K8S_6"]
    assert len(found) == MAX_RELATED
    assert {(f["file"], f["level"]) for f in found} == {("pol/web.yaml", "file")}
    health = report["health"]
    assert not health["complete"], health
    unread = {f["path"]: f["not_read"] for f in health["files"] if f["not_read"]}
    assert set(unread) == set(sorted(pods)[:MAX_RELATED]), sorted(unread)
    assert all(f"relate the change to {MAX_RELATED + 2} unchanged files" in reason
               for reasons in unread.values() for reason in reasons), unread
