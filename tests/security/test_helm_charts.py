"""A change to a Helm chart is checked as `checkov -d` checks it, or named.

Plain `checkov -d .` renders a chart with `helm template` when helm is on PATH and runs its
Kubernetes checks on the render. The review read none of a chart: `privileged: true` set in
`values.yaml` passed with `health.complete: true`. Now each chart a changed file belongs to
is rendered (offline), at the head and at the base, and what the change brought about is
reported on the changed file; without helm, or with a dependency that is not vendored, the
change's files of the chart are named with the fix.

Generated: the chart's folder, and which of its files the change writes (`values.yaml`, the
template, `Chart.yaml`'s version beside the values), each with its twin whose base was
privileged already (nothing introduced). helm for real (`helm_tools`: a PyPI package's)."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from tests.support.helm_tools import search_path
from tests.support.repos import init_repo
from tests.support.review_cli import review

pytestmark = [pytest.mark.pypi, pytest.mark.timeout(900)]

CHART = "apiVersion: v2\nname: web\nversion: {version}\n"
TEMPLATE = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Release.Name }}-web\nspec:\n"
            "  containers:\n    - name: c\n      image: nginx:1.25.3\n      securityContext:\n"
            "        privileged: {{ .Values.privileged }}\n")
# the template as a change may write it: privileged whatever the values say
FORCED = TEMPLATE.replace("{{ .Values.privileged }}", "true")
_folders = st.sampled_from(("chart", "deploy/charts/web", "."))
_writes = st.sampled_from(("values", "template", "chart and values"))


def chart(folder: str, privileged: bool, template: str = TEMPLATE, version: str = "0.1.0",
          dependency: bool = False) -> dict[str, str]:
    top = "" if folder == "." else f"{folder}/"
    needs = ("dependencies:\n  - name: redis\n    version: 1.0.0\n"
             "    repository: https://charts.example.invalid\n") if dependency else ""
    return {f"{top}Chart.yaml": CHART.format(version=version) + needs,
            f"{top}values.yaml": f"privileged: {str(privileged).lower()}\n",
            f"{top}templates/pod.yaml": template}


def head_of(folder: str, writes: str, twin: bool = False) -> dict[str, str]:
    """The chart as the change leaves it: privileged through what it `writes`; its values
    one line longer (a twin's line 1, already privileged, is not the change's)."""
    if writes == "template":
        return chart(folder, twin, FORCED)
    made = chart(folder, True, version="0.2.0" if writes.startswith("chart") else "0.1.0")
    values = next(p for p in made if p.endswith("values.yaml"))
    return made | {values: made[values] + "replicas: 2\n"}


def _review(base: dict[str, str], head: dict[str, str], with_helm: bool) -> dict:
    with tempfile.TemporaryDirectory() as scratch, pytest.MonkeyPatch.context() as patch:
        root = init_repo(Path(scratch) / "r", base)
        for path, text in head.items():
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_text(text)
        patch.setenv("PATH", search_path(Path(scratch) / "bin", with_helm))
        done = review(root, "--fail-on", "never", "--json")
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def _changed(base: dict[str, str], head: dict[str, str]) -> set[str]:
    return {path for path, text in head.items() if base.get(path) != text}


@settings(max_examples=3, deadline=None, derandomize=True,
          phases=(Phase.explicit, Phase.generate),  # a failure's review is not shrunk
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_folders, _writes, st.booleans())
def test_a_changed_chart_is_rendered_and_what_it_brings_about_reported(
        iac_env: Path, folder: str, writes: str, twin: bool) -> None:
    base = chart(folder, privileged=twin)
    head = head_of(folder, writes, twin)
    report = _review(base, head, with_helm=True)
    privileged = [f for f in report["findings"]["remaining"]
                  if f["source"] == "checkov" and f["rule"] == "CKV_K8S_16"]
    shown = next(p for p in sorted(_changed(base, head)) if p.endswith(
        "templates/pod.yaml" if writes == "template" else "values.yaml"))
    assert {f["file"] for f in privileged} == (set() if twin else {shown}), (privileged, twin)
    for found in privileged:
        assert "rendered from this chart" in found["rationale"], found
        assert found["start_line"] == 1, found
    assert report["health"]["complete"] is True, report["health"]
    rows = {f["path"]: f for f in report["health"]["files"]}
    for path in _changed(base, head):
        assert any(by.startswith("checkov ") for by in rows[path]["analysed_by"]), rows[path]


@settings(max_examples=3, deadline=None, derandomize=True,
          phases=(Phase.explicit, Phase.generate),
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(_folders, _writes, st.booleans())
def test_a_chart_that_is_not_rendered_has_its_changed_files_named(
        iac_env: Path, folder: str, writes: str, with_helm: bool) -> None:
    # with helm, a dependency from a repository: offline, it is not there to render with
    base = chart(folder, False, dependency=with_helm)
    head = {path: text for path, text in head_of(folder, writes).items()
            if path.endswith(("values.yaml", "pod.yaml"))} | (
        {p: t for p, t in chart(folder, True, version="0.2.0", dependency=with_helm).items()
         if p.endswith("Chart.yaml")} if writes.startswith("chart") else {})
    report = _review(base, head, with_helm=with_helm)
    unread = {f["path"]: f["not_read"] for f in report["health"]["files"] if f["not_read"]}
    fix = "helm dependency build" if with_helm else "fix: install helm"
    for path in _changed(base, head):
        assert any(why.startswith("checkov: ") and "belongs to the Helm chart" in why
                   and fix in why for why in unread.get(path, ())), (path, unread)
    assert report["health"]["complete"] is False


POD = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n"
       "    image: nginx:1.25.3\n    securityContext:\n      privileged: true\n")


@pytest.mark.parametrize("with_helm", [True, False])
def test_a_charts_other_files_are_read_as_any_file_is(iac_env: Path, with_helm: bool) -> None:
    """A chart at the repository's root: a Dockerfile and a plain manifest beside it, and its
    README, are no chart files (helm reads `Chart.yaml`, values, `templates/`, `crds/`,
    `charts/`): checked as without the chart, never named, never moved to line 1."""
    base = chart(".", False) | {"README.md": "x\n", ".helmignore": "*.md\n"}
    head = {"Dockerfile": "FROM ubuntu:22.04\nRUN apt-get update\n", "deploy/pod.yaml": POD,
            "README.md": "y\n", ".helmignore": "*.txt\n"}
    report = _review(base, head, with_helm=with_helm)
    assert report["health"]["complete"] is True, report["health"]
    found = [f for f in report["findings"]["remaining"] if f["source"] == "checkov"]
    assert {f["file"] for f in found} == {"Dockerfile", "deploy/pod.yaml"}
    assert not any("rendered from this chart" in f["rationale"] for f in found)
    assert any(f["rule"] == "CKV_K8S_16" and f["end_line"] > 1 for f in found)  # its span


def subcharts(parent: str, depth: int, writes: str) -> tuple[dict[str, str], dict[str, str],
                                                              str]:
    """(base, head, the changed file) of an umbrella chart at `parent` holding `depth`
    subcharts vendored one in another's `charts/`: the deepest's pod is privileged through
    the umbrella's `global` values, which the change makes it read (`writes`: its
    template), or through its own `values.yaml` (`writes`: values; its image's tag is the
    umbrella's global, so it renders only through the umbrella either way)."""
    top = "" if parent == "." else f"{parent}/"
    base = {f"{top}Chart.yaml": CHART.format(version="0.1.0"),
            f"{top}values.yaml": "global:\n  privileged: true\n  image:\n    tag: 1.25.3\n"}
    folder = top.rstrip("/")
    for level in range(depth):
        folder = f"{folder}/charts/s{level}".lstrip("/")
        base[f"{folder}/Chart.yaml"] = CHART.format(version="0.1.0").replace("web", f"s{level}")
    template = f"{folder}/templates/pod.yaml"
    base[template] = TEMPLATE.replace("privileged: {{", "x: {{")
    if writes == "template":
        sub = TEMPLATE.replace("{{ .Values.privileged }}", "{{ .Values.global.privileged }}")
        return base, {template: sub}, template
    base[template] = TEMPLATE.replace("nginx:1.25.3", "nginx:{{ .Values.global.image.tag }}")
    values = f"{folder}/values.yaml"
    base[values] = "privileged: false\n"
    return base, {values: "privileged: true\n"}, values


@settings(max_examples=3, deadline=None, derandomize=True,
          phases=(Phase.explicit, Phase.generate),  # a failure's review is not shrunk
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(("app", ".")), st.integers(1, 2), st.sampled_from(("template", "values")))
@example("app", 1, "template")
def test_a_vendored_subchart_is_rendered_with_its_parent(
        iac_env: Path, parent: str, depth: int, writes: str) -> None:
    """A subchart in its parent's `charts/` (its only change, the parent untouched) needs
    the parent's `global` values: rendered alone it fails; rendered as the outermost
    parent, as checkov renders it, its pod is checked and the finding is on the subchart's
    changed file."""
    base, head, changed = subcharts(parent, depth, writes)
    report = _review(base, head, with_helm=True)
    assert report["health"]["complete"] is True, report["health"]
    assert [f["file"] for f in report["findings"]["remaining"] if f["rule"] == "CKV_K8S_16"] \
        == [changed]


def test_a_chart_with_a_link_out_of_the_repository_is_not_rendered(
        iac_env: Path, tmp_path: Path) -> None:
    """helm follows a link: a file of the reviewer's machine would reach the report."""
    outside = tmp_path / "outside.txt"
    outside.write_text("SECRET-OUTSIDE-TEXT\n")
    base = chart("chart", False)
    with tempfile.TemporaryDirectory() as scratch, pytest.MonkeyPatch.context() as patch:
        root = init_repo(Path(scratch) / "r", base)
        (root / "chart/templates/leak.yaml").symlink_to(outside)
        (root / "chart/values.yaml").write_text("privileged: true\n")
        patch.setenv("PATH", search_path(Path(scratch) / "bin", True))
        done = review(root, "--fail-on", "never", "--json")
    assert "SECRET-OUTSIDE-TEXT" not in done.stdout
    report = json.loads(done.stdout)
    unread = {f["path"]: f["not_read"] for f in report["health"]["files"] if f["not_read"]}
    assert any("a link out of the repository" in why for why in unread["chart/values.yaml"])
