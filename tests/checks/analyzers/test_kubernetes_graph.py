"""`kubernetes_graph`: which unchanged manifests a change relates to, and its bound. The
review through checkov is `tests/security/test_kubernetes_graph.py`; here, the relation on
its own (no checkov), past `MAX_RELATED` too, which a review would take a minute to reach."""

from __future__ import annotations

from pathlib import Path

from reviewloop.checks.analyzers.checkov_related import past_bound
from reviewloop.checks.analyzers.kubernetes_graph import MAX_RELATED, related
from reviewloop.git.diff import ChangeSet, parse_diff
from tests.support.gitutil import git
from tests.support.repos import init_repo

POLICY = ("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: web\n"
          "spec:\n  podSelector:\n    matchLabels:\n      app: web\n")
OPEN_POLICY = POLICY.replace("    matchLabels:\n      app: web\n", "    {}\n")


def pod(name: str, app: str = "web") -> str:
    return f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  labels:\n    app: {app}\n" \
           "spec:\n  containers:\n  - name: c\n    image: nginx:1.25\n"


def _deleted(tmp_path: Path, files: dict[str, str], gone: str) -> tuple[Path, ChangeSet]:
    root = init_repo(tmp_path / "r", files)
    git(root, "rm", "-q", gone)
    return root, parse_diff(git(root, "diff", "--cached", "-M", "HEAD"))


def test_past_the_bound_the_changed_manifests_are_named_not_fully_read(tmp_path: Path) -> None:
    many = MAX_RELATED + 3
    files = {f"apps/p{n:03}.yaml": pod(f"p{n}") for n in range(many)}
    root, changes = _deleted(tmp_path, {**files, "pol/web.yaml": POLICY}, "pol/web.yaml")

    found = related(root, changes, ())

    assert len(found.files) == MAX_RELATED and found.left_out == 3
    assert sorted(found.files) == sorted(files)[:MAX_RELATED]
    assert found.taken == ("pol/web.yaml",)
    # a change that only deleted one: the related files read are those named
    said = past_bound(found, [])
    assert set(said) == set(found.files)
    assert f"relate the change to {many} unchanged files" in next(iter(said.values()))


def test_within_the_bound_nothing_is_named(tmp_path: Path) -> None:
    files = {"apps/a.yaml": pod("a"), "apps/b.yaml": pod("b", "other"),
             "hidden/.k8s/c.yaml": pod("c"), "node_modules/x/d.yaml": pod("d"),
             "pol/web.yaml": POLICY}
    root, changes = _deleted(tmp_path, files, "pol/web.yaml")

    found = related(root, changes, ())

    # the pod the policy selected; not another app's, nor one checkov -d does not walk to
    assert set(found.files) == {"apps/a.yaml"} and not found.left_out
    assert past_bound(found, ["pol/web.yaml"]) == {}


def test_an_empty_pod_selector_selects_every_pod_as_checkovs_graph_reads_it(
        tmp_path: Path) -> None:  # (checked with checkov 3.3.30: its parser's line marks
    # make an empty mapping a selector, and one with no matchLabels selects every pod)
    files = {"apps/a.yaml": pod("a"), "apps/b.yaml": pod("b", "other"),
             "pol/all.yaml": OPEN_POLICY}
    root, changes = _deleted(tmp_path, files, "pol/all.yaml")

    assert set(related(root, changes, ()).files) == {"apps/a.yaml", "apps/b.yaml"}


def test_a_pod_with_no_labels_is_selected_by_every_policy_with_a_selector(
        tmp_path: Path) -> None:
    """checkov's NetworkPolicyEdgeBuilder connects a pod whose `labels` are missing to any
    policy with a `podSelector`, `matchLabels` or not; `labels: {}` it leaves out. So a
    deleted policy relates the unlabelled pod (and a Deployment's unlabelled template),
    not the one with empty labels, nor one with other labels."""
    bare = pod("bare").replace("  labels:\n    app: web\n", "")
    empty = pod("empty").replace("  labels:\n    app: web\n", "  labels: {}\n")
    deploy = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n  template:\n"
              "    metadata:\n      name: t\n    spec:\n      containers:\n      - name: c\n"
              "        image: nginx:1.25\n")
    files = {"apps/bare.yaml": bare, "apps/empty.yaml": empty, "apps/other.yaml":
             pod("other", "db"), "apps/deploy.yaml": deploy, "pol/web.yaml": POLICY}
    root, changes = _deleted(tmp_path, files, "pol/web.yaml")
    assert sorted(related(root, changes, ()).files) == ["apps/bare.yaml", "apps/deploy.yaml"]
