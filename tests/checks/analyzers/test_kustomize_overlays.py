"""A Kustomize build or a Helm chart whose render fails while the review renders it for
checkov is named then, with what the renderer said, never read as a render with nothing in
it. Under load a render failed (past its deadline, or its sandbox not starting) and was
given to checkov empty: the review then rendered the build a second time to say why, or (a
chart) had rendered it once before and found nothing to say, so a render that succeeded the
other time let the first one's silence stand for "no findings". Real kubectl in the real
sandbox, a real helm and one that fails only on its second render."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.checks.analyzers import helm_charts, kustomize_overlays
from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.git.diff import parse_diff
from reviewloop.sandbox.bubblewrap import SandboxMode
from tests.support import helm_tools
from tests.support.kustomize_tools import search_path

KUSTOMIZATION = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
POD = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n"
       "    - name: c\n      image: nginx:1.25.3\n")
# builds that never render, each with a word of what the renderer says on it
BROKEN = {
    "missing resource": ("resources:\n  - gone.yaml\n", "gone.yaml"),
    "missing patch": ("resources:\n  - pod.yaml\npatches:\n  - path: nowhere.yaml\n",
                      "nowhere.yaml"),
    "not YAML": ("resources: [pod.yaml\n", "yaml"),
    "a base that is no build": ("resources:\n  - ../empty\n", "empty"),
}


def _build(root: Path, body: str) -> str:
    (root / "app").mkdir(parents=True, exist_ok=True)
    (root / "empty").mkdir(exist_ok=True)
    (root / "app" / "pod.yaml").write_text(POD)
    (root / "app" / "kustomization.yaml").write_text(KUSTOMIZATION + body)
    return "app/kustomization.yaml"


def _ctx(root: Path, timeout: float = 600, sandbox: SandboxMode = "auto") -> AnalyzerContext:
    return AnalyzerContext(root=root, changes=parse_diff(""), diff_text="", agent="x",
                           timeout=timeout, sandbox=sandbox)


@settings(max_examples=len(BROKEN), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=st.sampled_from(sorted(BROKEN)))
def test_a_build_that_does_not_render_is_named_with_what_the_renderer_said(
        tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch,
        case: str) -> None:
    scratch = tmp_path_factory.mktemp("kz")
    monkeypatch.setenv("PATH", search_path(scratch / "bin", rendered=True))
    body, word = BROKEN[case]
    build = _build(scratch / "r", body)
    ctx = _ctx(scratch / "r")

    rest, given_, aliases = kustomize_overlays.rendered(
        {build: kustomize_overlays.KIND, "app/pod.yaml": "kubernetes"}, ctx.root,
        scratch / "view", ctx)

    assert rest == {"app/pod.yaml": "kubernetes"}
    (made,) = given_
    assert aliases[made] == str(ctx.root / build) and Path(made).read_text() == ""
    assert set(ctx.unread) == {build}, ctx.unread
    assert "fails offline" in ctx.unread[build] and word in ctx.unread[build], ctx.unread
    assert str(ctx.root) not in ctx.unread[build]  # paths as the repository names them


def test_a_render_past_its_deadline_is_named_not_read_as_empty(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No sandbox starts and no renderer answers within a millisecond: the deadline passes
    on any machine, as it did for a whole render on a loaded one."""
    monkeypatch.setenv("PATH", search_path(tmp_path / "bin", rendered=True))
    build = _build(tmp_path / "r", "resources:\n  - pod.yaml\n")
    ctx = _ctx(tmp_path / "r", timeout=0.001)

    kustomize_overlays.rendered({build: kustomize_overlays.KIND}, ctx.root, tmp_path / "v", ctx)

    assert "did not finish within" in ctx.unread.get(build, ""), ctx.unread


def test_a_build_that_renders_is_read_and_named_nowhere(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", search_path(tmp_path / "bin", rendered=True))
    build = _build(tmp_path / "r", "resources:\n  - pod.yaml\n")
    ctx = _ctx(tmp_path / "r")

    _, given_, _ = kustomize_overlays.rendered({build: kustomize_overlays.KIND}, ctx.root,
                                               tmp_path / "v", ctx)

    assert ctx.unread == {}
    assert "kind: Pod" in Path(next(iter(given_))).read_text()


CHART = {"Chart.yaml": "apiVersion: v2\nname: c\nversion: 0.1.0\n",
         "values.yaml": "image: nginx\n",
         "templates/pod.yaml": POD.replace("nginx:1.25.3", "{{ .Values.image }}")}


def _chart(root: Path) -> None:
    for rel, text in CHART.items():
        (root / "chart" / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / "chart" / rel).write_text(text)


def test_a_chart_that_renders_once_and_fails_the_next_time_is_named(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`unrendered` renders a chart first (and names one that fails); `rendered` renders
    it again for checkov: a render that fails only then was an empty manifest, named by
    nothing. A helm that renders once, then fails as a loaded machine's did: unsandboxed
    (`sandbox = "off"`), as nothing a sandboxed helm writes outlives its run to count them."""
    real = helm_tools.helm()
    bin_ = tmp_path / "bin"
    bin_.mkdir()
    calls = tmp_path / "calls"
    fake = bin_ / "helm"
    fake.write_text(f'#!/bin/sh\nif [ -e "{calls}" ]; then echo "Error: killed" >&2; exit 1; fi\n'
                    f'touch "{calls}"\nexec "{real}" "$@"\n')
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{bin_}:/usr/bin:/bin")
    _chart(tmp_path / "r")
    ctx = _ctx(tmp_path / "r", sandbox="off")
    changed = ["chart/values.yaml"]

    assert helm_charts.unrendered(ctx.root, changed, ctx.timeout, "off") == {}  # the first
    helm_charts.rendered({"chart/values.yaml": helm_charts.KIND}, ctx.root, tmp_path / "v", ctx)

    assert "killed" in ctx.unread.get("chart/values.yaml", ""), ctx.unread
