"""A change to one Kubernetes manifest is read with the manifests checkov's graph relates to
it. checkov builds one graph of every manifest in the tree it scans: a RoleBinding fails
CKV2_K8S_1-5 by the Role its `roleRef` names, a pod fails CKV2_K8S_6 when no
NetworkPolicy selects it, wherever in the tree each lies. The review gave checkov the
changed files only, so widening a Role, pointing a binding at a Role elsewhere, or editing,
deleting or renaming away the NetworkPolicy of a pod passed while plain `checkov -d .` on
the head reported the binding or the pod. Now the related manifests are read with the
change, at the head and at the base, and what the change brought about is shown on the
changed file (about the file as a whole when the change took it away).

Generated: each review holds drawn cases of each kind (a role of a drawn kind widened to a
drawn dangerous rule, a binding repointed, a drawn workload's policy edited, deleted or
renamed away) in drawn folders, with their twins — the base had the finding already, a pod
another policy still covers, a policy moved to another folder, an unrelated manifest, a
new pod an unchanged policy covers — which must report nothing. Plain checkov is the
oracle: the review reports exactly the graph findings `checkov -d .` has on the head and
not on the base."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from reviewloop.checks.analyzers.checkov import QUIET_ENV
from reviewloop.checks.analyzers.provision import TOOLS
from tests.support.gitutil import git
from tests.support.repos import init_repo
from tests.support.review_cli import review

pytestmark = [pytest.mark.pypi, pytest.mark.timeout(900)]

# a dangerous rule of a Role, and the graph check a binding of it to a ServiceAccount fails
DANGEROUS = {
    "CKV2_K8S_1": ("rolebindings", "bind"),
    "CKV2_K8S_2": ("pods/exec", "create"),
    "CKV2_K8S_3": ("users", "impersonate"),
    "CKV2_K8S_4": ("services/status", "patch"),
    "CKV2_K8S_5": ("secrets", "list"),
}
SAFE = ("configmaps", "get")
WORKLOADS = ("Pod", "Deployment", "StatefulSet")


def role(kind: str, name: str, rule: tuple[str, str], label: str = "") -> str:
    """One rule: checkov's RBAC graph checks read `rules.resources` of a role with one."""
    labels = f"  labels:\n    tier: {label}\n" if label else ""
    return f"apiVersion: rbac.authorization.k8s.io/v1\nkind: {kind}\nmetadata:\n" \
           f"  name: {name}\n  namespace: team\n{labels}rules:\n- apiGroups: [\"\"]\n" \
           f"  resources: [\"{rule[0]}\"]\n  verbs: [\"{rule[1]}\"]\n"


def binding(kind: str, name: str, role_kind: str, role_name: str) -> str:
    return f"apiVersion: rbac.authorization.k8s.io/v1\nkind: {kind}\nmetadata:\n" \
           f"  name: {name}\n  namespace: team\nsubjects:\n- kind: ServiceAccount\n" \
           f"  name: {name}\n  namespace: team\nroleRef:\n  kind: {role_kind}\n" \
           f"  name: {role_name}\n  apiGroup: rbac.authorization.k8s.io\n"


def workload(kind: str, name: str, app: str) -> str:
    meta = f"metadata:\n  name: {name}\n  namespace: team\n"
    if kind == "Pod":
        return f"apiVersion: v1\nkind: Pod\n{meta}  labels:\n    app: {app}\nspec:\n" \
               "  containers:\n  - name: c\n    image: nginx:1.25\n"
    return f"apiVersion: apps/v1\nkind: {kind}\n{meta}spec:\n  selector:\n" \
           f"    matchLabels:\n      app: {app}\n  template:\n    metadata:\n" \
           f"      labels:\n        app: {app}\n    spec:\n      containers:\n" \
           "      - name: c\n        image: nginx:1.25\n"


def policy(name: str, app: str) -> str:
    return f"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n" \
           f"  name: {name}\n  namespace: team\nspec:\n  podSelector:\n    matchLabels:\n" \
           f"      app: {app}\n  policyTypes:\n  - Ingress\n"


@dataclass(frozen=True)
class Case:
    """Files at the base; the change writes `head` (None: deletes) and renames `moves`; the
    review is to report `expected` (rule, file, level), or nothing; `elsewhere`: checkov
    reports it on a file the change did not write, and the review on the changed one."""

    base: dict[str, str]
    head: dict[str, str | None] = field(default_factory=dict)
    moves: dict[str, str] = field(default_factory=dict)
    expected: tuple[str, str, str] | None = None
    elsewhere: bool = True  # the finding is on a file the change did not write


@st.composite
def cases(draw: st.DrawFn, i: int) -> tuple[Case, ...]:
    def folder(name: str) -> str:
        return draw(st.sampled_from((f"c{i}/{name}", f"envs/{i}/k8s/{name}", f"c{i}")))

    def named(stem: str) -> str:
        return stem + draw(st.sampled_from((".yaml", ".yml")))

    rule = draw(st.sampled_from(sorted(DANGEROUS)))
    role_kind = draw(st.sampled_from(("Role", "ClusterRole")))
    binding_kind = "RoleBinding" if role_kind == "Role" else \
        draw(st.sampled_from(("RoleBinding", "ClusterRoleBinding")))
    kind = draw(st.sampled_from(WORKLOADS))
    r_file, b_file = f"{folder('rbac')}/{named('role')}", f"{folder('apps')}/{named('bind')}"
    y_file = f"y{i}/{named('bind')}"
    drawn = [
        Case({r_file: role(role_kind, f"r{i}", SAFE), b_file: binding(binding_kind, f"b{i}",
                                                                       role_kind, f"r{i}")},
             {r_file: role(role_kind, f"r{i}", DANGEROUS[rule])},
             expected=(rule, r_file, "line")),
        # a binding pointed at a dangerous role elsewhere: on its own, it fails nothing
        Case({f"x{i}/admin.yaml": role(role_kind, f"admin{i}", DANGEROUS[rule]),
              f"x{i}/safe.yaml": role(role_kind, f"safe{i}", SAFE),
              y_file: binding(binding_kind, f"sa{i}", role_kind, f"safe{i}")},
             {y_file: binding(binding_kind, f"sa{i}", role_kind, f"admin{i}")},
             expected=(rule, y_file, "line"), elsewhere=False),
    ]
    for shape in ("edit", "delete", "rename"):  # each in every review, its kind drawn
        made, app = draw(st.sampled_from(WORKLOADS)), f"{shape}{i}"
        p_file = f"{folder(shape)}/{named(f'deny-{shape}')}"
        w_file = f"{folder('apps')}/{named(shape)}"
        gone = f"{p_file}.off" if shape == "rename" else p_file
        drawn.append(Case({p_file: policy(f"deny{app}", app), w_file: workload(made, app, app)},
                          {p_file: policy(f"deny{app}", f"other{i}")} if shape == "edit" else
                          {p_file: None} if shape == "delete" else {},
                          {p_file: gone} if shape == "rename" else {},
                          expected=("CKV2_K8S_6", gone, "line" if shape == "edit" else "file")))
    # twins: the base had it; another policy still covers the pod; a policy moved to another
    # folder; an unrelated manifest; a new pod an unchanged policy covers
    drawn += [
        Case({f"t{i}/role.yaml": role(role_kind, f"old{i}", DANGEROUS[rule]),
              f"t{i}/apps/bind.yaml": binding(binding_kind, f"ob{i}", role_kind, f"old{i}")},
             {f"t{i}/role.yaml": role(role_kind, f"old{i}", DANGEROUS[rule], "edited")}),
        Case({f"u{i}/a.yaml": policy(f"a{i}", f"two{i}"), f"u{i}/b.yaml": policy(f"b{i}",
                                                                                f"two{i}"),
              f"u{i}/apps/w.yaml": workload(kind, f"two{i}", f"two{i}")},
             {f"u{i}/a.yaml": None} if draw(st.booleans()) else
             {f"u{i}/a.yaml": policy(f"a{i}", f"none{i}")}),
        Case({f"m{i}/np.yaml": policy(f"m{i}", f"moved{i}"),
              f"m{i}/w.yaml": workload(kind, f"moved{i}", f"moved{i}")},
             moves={f"m{i}/np.yaml": f"elsewhere{i}/np.yaml"}),
        Case({f"n{i}/np.yaml": policy(f"n{i}", f"kept{i}"),
              f"n{i}/w.yaml": workload(kind, f"kept{i}", f"kept{i}"),
              f"n{i}/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n"},
             {f"n{i}/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n"
                               f"data:\n  k: v{i}\n",
              f"n{i}/new/{named('pod')}": workload(kind, f"new{i}", f"kept{i}")}),
    ]
    return tuple(drawn)


def _repo(root: Path, drawn: tuple[Case, ...]) -> Path:
    init_repo(root, {path: text for case in drawn for path, text in case.base.items()})
    git(root, "checkout", "-qb", "feature")
    for case in drawn:
        for old, new in case.moves.items():
            (root / new).parent.mkdir(parents=True, exist_ok=True)
            git(root, "mv", old, new)
        for path, text in case.head.items():
            if text is None:
                git(root, "rm", "-q", path)
            else:
                (root / path).parent.mkdir(parents=True, exist_ok=True)
                (root / path).write_text(text)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "change")
    return root


def _plain(tools: Path, root: Path, ref: str) -> set[tuple[str, str]]:
    """The graph findings plain `checkov -d .` reports on `ref`: (rule, resource)."""
    git(root, "checkout", "-q", ref)
    done = subprocess.run(
        [str(TOOLS["checkov"].command_in(tools / TOOLS["checkov"].folder)), "-d", ".",
         "--framework",
         "kubernetes", "--compact", "--skip-download", "-o", "json"],
        cwd=root, capture_output=True, text=True, timeout=300, check=False,
        env={**os.environ, **QUIET_ENV})
    report = json.loads(done.stdout)
    return {(c["check_id"], c["resource"]) for one in (report if isinstance(report, list)
                                                       else [report])
            for c in one["results"]["failed_checks"] if c["check_id"].startswith("CKV2_K8S")}


@settings(max_examples=2, deadline=None, derandomize=True,
          phases=(Phase.explicit, Phase.generate),  # a failure's review is not shrunk
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.tuples(cases(0), cases(1)).map(lambda pair: pair[0] + pair[1]))
def test_a_change_is_read_with_the_manifests_checkovs_graph_relates_to_it(
        iac_env: Path, drawn: tuple[Case, ...]) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        root = _repo(Path(scratch) / "r", drawn)
        done = review(root, "--base", "main", "--head", "feature", "--fail-on", "never",
                      "--json")
        assert done.returncode == 0, done.stderr[-2000:]
        oracle = _plain(iac_env, root, "feature") - _plain(iac_env, root, "main")
    report = json.loads(done.stdout)
    found = [f for group in ("remaining", "nits") for f in report["findings"][group]
             if f["source"] == "checkov" and f["rule"].startswith("CKV2_K8S")]
    assert {(f["rule"], f["file"], f["level"]) for f in found} == \
        {case.expected for case in drawn if case.expected}, sorted(
            (f["rule"], f["file"], f["level"]) for f in found)
    assert {(f["rule"], f["symbol"]) for f in found} == oracle, found
    away = {case.expected[1] for case in drawn if case.expected and case.elsewhere}
    for finding in found:
        assert finding["introduced"] == (finding["file"] in away), finding
        assert ("which the change did not write" in finding["rationale"]) == \
            (finding["file"] in away), finding
    checkov = [a for a in report["health"]["analyzers"] if a["name"] == "checkov"]
    assert [a["status"] for a in checkov] == ["ok"], checkov
    assert report["health"]["complete"], report["health"]
