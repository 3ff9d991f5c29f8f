"""Every name Kustomize builds from, and builds checkov has no check for.

`kubectl kustomize` builds a folder whose kustomization file is `kustomization.yaml`,
`kustomization.yml` or `Kustomization`; checkov's kustomize framework finds only the first
two, so an overlay named `Kustomization` adding `hostNetwork: true` passed unnamed with
`health.complete: true`. Now such a build is rendered by the review and its render read by
checkov's Kubernetes checks, the finding on the build's file. And a build that renders but
holds nothing checkov checks (a `kind: Component`, whose effect is checked through the
overlay that includes it; a ConfigMap alone) was named "not analysed": it is read.

Generated: a set holds the four kinds of build, each under a drawn name: an overlay that
makes a pod use the host's network (CKV_K8S_19 on its file), a component that does the same
for the overlay including it (on the overlay), a ConfigMap-only build (nothing, not named),
and a build of a missing folder (named, with what kubectl says). One review holds drawn sets
side by side, each in its own folder, and the set whose every build is named
`Kustomization` (the name checkov's framework does not find); each set's own results are
checked (a review and its checkov start cost more than a set's builds: two reviews of three
sets took 12.8 s of CPU where four reviews of one took 18.7). kubectl for real, on a PATH
of the test's own (`kustomize_tools`)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from reviewloop.checks.analyzers.kustomize_overlays import READ
from tests.support.kustomize_tools import search_path
from tests.support.repos import init_repo
from tests.support.review_cli import review
from tests.support.tools_cache import cache_root

pytestmark = [pytest.mark.pypi, pytest.mark.timeout(900)]

HEAD = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
COMPONENT = "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n"
HOST = ("patches:\n  - target: {kind: Deployment}\n    patch: |-\n      - op: add\n"
        "        path: /spec/template/spec/hostNetwork\n        value: true\n")
DEPLOYMENT = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n"
              "  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n"
              "      labels: {app: web}\n    spec:\n      containers:\n        - name: c\n"
              "          image: nginx:1.25.3\n")
BASE = {"k/base/kustomization.yaml": f"{HEAD}resources:\n  - deploy.yaml\n",
        "k/base/deploy.yaml": DEPLOYMENT}
_names = st.sampled_from(READ)
ALL_NAMED = ("Kustomization",) * 5  # every build under the name checkov does not find


def change(overlay: str, component: str, includer: str, configs: str, broken: str
           ) -> dict[str, str]:
    """The change's files, each build's file under the name drawn for it."""
    return {f"k/ov/{overlay}": f"{HEAD}resources:\n  - ../base\n{HOST}",
            f"k/comp/{component}": f"{COMPONENT}{HOST}",
            f"k/inc/{includer}": f"{HEAD}namePrefix: inc-\nresources:\n  - ../base\n"
                                     "components:\n  - ../comp\n",
            f"k/cm/{configs}": f"{HEAD}configMapGenerator:\n  - name: c\n    literals: [a=b]\n",
            f"k/bad/{broken}": f"{HEAD}resources:\n  - ../nowhere\n"}


# Two reviews, as hypothesis draws first the simplest sets (every name `kustomization.yaml`)
# and then sets at random; each review beside `ALL_NAMED`.
@pytest.mark.long(seconds=15)
@settings(max_examples=2, deadline=None, derandomize=True,
          phases=(Phase.explicit, Phase.generate))  # a failure's review is not shrunk
@given(st.lists(st.tuples(_names, _names, _names, _names, _names), min_size=2, max_size=2,
                unique=True).map(lambda drawn: [ALL_NAMED, *drawn]))
def test_each_name_kustomize_builds_is_rendered_and_a_build_of_nothing_checked_is_read(
        sets: list[tuple[str, str, str, str, str]]) -> None:
    tops = [f"s{index}" for index in range(len(sets))]
    files = {f"{top}/{path}": text for top, names in zip(tops, sets, strict=True)
             for path, text in change(*names).items()}
    with tempfile.TemporaryDirectory() as scratch, pytest.MonkeyPatch.context() as monkeypatch:
        root = init_repo(Path(scratch) / "r", {f"{top}/{path}": text for top in tops
                                                for path, text in BASE.items()})
        for path, text in files.items():
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_text(text)
        monkeypatch.setenv("PATH", search_path(Path(scratch) / "bin", rendered=True))
        # the cached checkov itself, as test_kustomize_overlays runs it with a renderer
        monkeypatch.setenv("REVIEWLOOP_TOOLS_DIR", str(cache_root()))
        done = review(root, "--fail-on", "never", "--json")
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)
    hosts = {f["file"] for kind in ("remaining", "nits") for f in report["findings"][kind]
             if f["source"] == "checkov" and f["rule"] == "CKV_K8S_19"}
    rows = {f["path"]: f for f in report["health"]["files"]}
    unread = {path: row["not_read"] for path, row in rows.items() if row["not_read"]}
    for top, (overlay, _, includer, _, broken) in zip(tops, sets, strict=True):
        mine = {file for file in hosts if file.startswith(f"{top}/")}
        assert mine == {f"{top}/k/ov/{overlay}", f"{top}/k/inc/{includer}"}, (top, hosts)
        assert {p for p in unread if p.startswith(f"{top}/")} == {f"{top}/k/bad/{broken}"}, \
            (top, unread)
        assert any("kubectl kustomize` in its folder fails" in why and "nowhere" in why
                   for why in unread[f"{top}/k/bad/{broken}"]), unread
    assert all(path.startswith(tuple(f"{top}/" for top in tops)) for path in unread), unread
    for path in set(files) - set(unread):
        assert any(by.startswith("checkov ") for by in rows[path]["analysed_by"]), rows[path]
    assert report["health"]["complete"] is False  # the broken builds alone
