"""A Helm chart renders as the `sandbox` setting says, and a dependency it does not vendor is
never fetched.

A chart's templates are the change's text run by helm's template engine: the review renders
each chart itself, as it renders a Kustomize build — with `sandbox = "auto"` or `"bwrap"` in
the sandbox, network off, the tree read-only (a canary beside the tree is hidden from helm);
where no bwrap works each changed file of the chart is named with the user's own setting and
the fix (`sandbox = "off"`); with `"off"` unsandboxed (the canary seen). A dependency
`Chart.yaml` names from a repository (a loopback listener's address) and `charts/` does not
vendor is named "not fetched (offline)" whatever the setting, and no connection is made; one
vendored renders.

Generated over the three settings × a working bwrap, none installed, one that cannot make its
namespaces × the chart's dependency (none, from the listener, vendored, vendored in a
vendored subchart's own `charts/`). helm for real (`helm_tools`), behind a wrapper on PATH
that says after its render whether it saw the canary."""

from __future__ import annotations

import io
import json
import tarfile
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.analyzers.helm_charts import KIND, rendered, unrendered
from reviewloop.git.diff import parse_diff
from reviewloop.sandbox.bubblewrap import MODES
from tests.support.helm_tools import helm, search_path
from tests.support.listener import Listener
from tests.support.project_eslint import no_sandbox
from tests.support.repos import init_repo
from tests.support.review_cli import review

pytestmark = [pytest.mark.pypi, pytest.mark.timeout(900)]

BWRAPS = ("working", "missing", "no-namespaces")
DEPENDENCIES = ("none", "remote", "vendored", "nested")
ASKED = {"auto": 'setting sandbox = "auto" (the default)', "bwrap": 'setting sandbox = "bwrap"'}
CHART = "apiVersion: v2\nname: {name}\nversion: 0.1.0\n"
POD = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Release.Name }}-web\nspec:\n"
       "  containers:\n    - name: c\n      image: nginx:1.25.3\n      securityContext:\n"
       "        privileged: {{ .Values.privileged }}\n")
WRAPPER = """#!/bin/sh
"{helm}" "$@" || exit $?
if [ -e "{canary}" ]; then echo "# canary seen"; else echo "# canary hidden"; fi
"""


@pytest.fixture(scope="module")
def listener():
    server = Listener()
    yield server
    server.close()


def _needs(name: str, repository: str) -> str:
    return f"dependencies:\n  - name: {name}\n    version: 0.1.0\n    repository: {repository}\n"


def _chart(dependency: str, address: str) -> dict[str, str]:
    """The chart `app/` (privileged by its values) with its `dependency` (`DEPENDENCIES`):
    one from `address` not vendored, vendored in its `charts/`, or vendored there with a
    dependency of its own vendored in the subchart's `charts/`."""
    needs = "" if dependency == "none" else _needs("redis", address)
    files = {"app/Chart.yaml": CHART.format(name="web") + needs,
             "app/values.yaml": "privileged: true\n", "app/templates/pod.yaml": POD}
    if dependency in ("vendored", "nested"):
        files["app/charts/redis/Chart.yaml"] = CHART.format(name="redis") + (
            _needs("common", address) if dependency == "nested" else "")
    if dependency == "nested":
        files["app/charts/redis/charts/common/Chart.yaml"] = CHART.format(name="common")
    return files


def _wrapped(folder: Path, canary: Path) -> str:
    """A PATH whose helm runs the real one and then says whether it saw `canary` (and
    `true`, which the sandbox's probe runs)."""
    path = search_path(folder, with_helm=False)
    (folder / "true").symlink_to(next(p for p in (Path("/usr/bin/true"), Path("/bin/true"))
                                      if p.is_file()))
    wrapper = folder / "helm"
    wrapper.write_text(WRAPPER.format(helm=helm(), canary=canary))
    wrapper.chmod(0o755)
    return path


def _bwrap(kind: str, folder: Path) -> str | None:
    """The REVIEWLOOP_BWRAP for `kind` (None: the one found as usual, which works here)."""
    if kind == "missing":
        return str(folder / "no-bwrap")
    if kind == "no-namespaces":
        return str(no_sandbox(folder))
    return None


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(MODES), st.sampled_from(BWRAPS), st.sampled_from(DEPENDENCIES))
def test_a_chart_renders_as_the_setting_says_and_fetches_nothing(
        listener: Listener, mode: str, bwrap: str, dependency: str) -> None:
    address = f"http://127.0.0.1:{listener.port}/charts"
    with tempfile.TemporaryDirectory() as scratch, pytest.MonkeyPatch.context() as patch:
        canary = Path(scratch, "outside", "canary")
        canary.parent.mkdir()
        canary.write_text("x\n")
        root = init_repo(Path(scratch) / "r", _chart(dependency, address))
        patch.setenv("PATH", _wrapped(Path(scratch) / "bin", canary))
        if (chosen := _bwrap(bwrap, Path(scratch))) is not None:
            patch.setenv("REVIEWLOOP_BWRAP", chosen)
        else:
            patch.delenv("REVIEWLOOP_BWRAP", raising=False)
        ctx = AnalyzerContext(root=root, changes=parse_diff(""), diff_text="", agent="x",
                              timeout=60, sandbox=mode)  # type: ignore[arg-type]
        why = unrendered(root, ["app/values.yaml"], 60, mode)  # type: ignore[arg-type]
        _, given_, _ = rendered({"app/values.yaml": KIND}, root, root.parent / "s", ctx)
        made = "".join(Path(p).read_text() for p in given_)
    assert listener.accepted == 0  # a dependency is never fetched, whatever the setting
    said = why.get("app/values.yaml", "")
    if dependency == "remote":
        assert made == "" and said.startswith("this file belongs to the Helm chart app: its "
                                              f"dependency redis from {address} is not in its "
                                              "charts/ folder and was not fetched (offline)"), said
        assert "helm dependency build app" in said, said
    elif mode == "off" or bwrap == "working":
        assert why == {}, why
        assert "privileged: true" in made, made
        assert f"# canary {'seen' if mode == 'off' else 'hidden'}" in made, made
    else:
        assert made == "", made
        assert "the review renders a chart only in the sandbox, network off, and there is "\
               f"none here ({ASKED[mode]}: no working sandbox" in said, said
        assert 'set sandbox = "off"' in said and "rendered unsandboxed" in said, said


def test_sandbox_off_without_bwrap_reviews_the_chart_completely(iac_env: Path) -> None:
    """The review with `sandbox = "off"` where no bwrap exists (macOS): the chart's render
    is checked, its privileged pod reported on the changed values file, the review
    complete."""
    base = {**_chart("none", ""), "app/values.yaml": "privileged: false\n",
            ".reviewloop.toml": 'sandbox = "off"\n'}
    with tempfile.TemporaryDirectory() as scratch, pytest.MonkeyPatch.context() as patch:
        root = init_repo(Path(scratch) / "r", base)
        (root / "app/values.yaml").write_text("privileged: true\n")
        patch.setenv("PATH", search_path(Path(scratch) / "bin", with_helm=True))
        patch.setenv("REVIEWLOOP_BWRAP", str(Path(scratch) / "no-bwrap"))
        done = review(root, "--fail-on", "never", "--json")
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)
    privileged = {f["file"] for f in report["findings"]["remaining"]
                  if f["source"] == "checkov" and f["rule"] == "CKV_K8S_16"}
    assert privileged == {"app/values.yaml"}, report["findings"]["remaining"]
    assert report["health"]["complete"] is True, report["health"]


@pytest.mark.parametrize("kept", ["cellar", "home"])
def test_helm_linked_into_a_hidden_folder_runs_or_is_named_with_its_own_fix(kept: str) -> None:
    """helm on PATH as a link into a folder the sandbox hides (Homebrew on Linux:
    `bin/helm -> ../Cellar/helm/3.0/bin/helm`, under /tmp here, which the sandbox hides as
    it hides /home): run by the path it was found at, its target's folder shown read-only,
    the chart renders.
    Kept in the user's home itself, which is never shown, it cannot start: named so, with
    where helm is and the fix — not "fix the chart"."""
    with tempfile.TemporaryDirectory() as scratch, pytest.MonkeyPatch.context() as patch:
        root = init_repo(Path(scratch) / "r", _chart("none", ""))
        home = Path(scratch, "home")
        real = home / "helm" if kept == "home" else Path(scratch, "Cellar/helm/3.0/bin/helm")
        real.parent.mkdir(parents=True, exist_ok=True)
        real.write_text(f'#!/bin/sh\nexec "{helm()}" "$@"\n')
        real.chmod(0o755)
        path = search_path(Path(scratch) / "bin", with_helm=False)
        Path(path, "helm").symlink_to(real)
        patch.setenv("PATH", path)
        patch.setenv("HOME", str(home))
        patch.delenv("REVIEWLOOP_BWRAP", raising=False)
        ctx = AnalyzerContext(root=root, changes=parse_diff(""), diff_text="", agent="x",
                              timeout=60, sandbox="bwrap")
        why = unrendered(root, ["app/values.yaml"], 60, "bwrap")
        _, given_, _ = rendered({"app/values.yaml": KIND}, root, root.parent / "s", ctx)
        made = "".join(Path(p).read_text() for p in given_)
    if kept == "cellar":
        assert why == {}, why
        assert "privileged: true" in made, made
    else:
        said = why["app/values.yaml"]
        assert made == "" and said.startswith(
            f"this file belongs to the Helm chart app: helm ({real}) could not start in the "
            "sandbox ("), said
        assert f"({home}: hidden); fix: install helm outside them" in said, said
        assert "fix the chart" not in said, said


REFS = ("none", "local", "remote")


def _schema(ref: str, address: str) -> str:
    """A values.schema.json that allows `privileged` to be a boolean only, the rule behind a
    `$ref`: none (inline), `#/definitions/flag`, or a URL (the listener's)."""
    flag = {"type": "boolean"}
    target = {"none": flag, "local": {"$ref": "#/definitions/flag"},
              "remote": {"$ref": f"{address}/flag.json"}}[ref]
    return json.dumps({"$schema": "http://json-schema.org/draft-07/schema#",
                       "definitions": {"flag": flag}, "type": "object",
                       "properties": {"privileged": target}})


PLACES = ("chart", "folder", "archive", "nested-archive")


def _packed(files: dict[str, bytes]) -> bytes:
    """A chart archive (`helm package`'s `.tgz`) holding `files`."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as packed:
        for name, data in files.items():
            member = tarfile.TarInfo(name)
            member.size = len(data)
            packed.addfile(member, io.BytesIO(data))
    return out.getvalue()


def _schema_files(place: str, schema: str) -> tuple[dict[str, str], dict[str, bytes], str]:
    """(text files, archives, where the review names the schema) for a values.schema.json
    in the chart, a subchart vendored as a folder, as `charts/redis-1.0.0.tgz`, or in an
    archive inside that archive (`redis/charts/common-1.0.0.tgz`)."""
    if place in ("chart", "folder"):
        held = "app" if place == "chart" else "app/charts/redis"
        texts = {f"{held}/values.schema.json": schema}
        if place == "folder":
            texts["app/charts/redis/Chart.yaml"] = CHART.format(name="redis")
        return texts, {}, f"{held}/values.schema.json"
    redis = {"redis/Chart.yaml": CHART.format(name="redis").encode()}
    if place == "archive":
        redis["redis/values.schema.json"] = schema.encode()
        named = "redis/values.schema.json"
    else:
        redis["redis/charts/common-1.0.0.tgz"] = _packed({
            "common/Chart.yaml": CHART.format(name="common").encode(),
            "common/values.schema.json": schema.encode()})
        named = "redis/charts/common-1.0.0.tgz:common/values.schema.json"
    return {}, {"app/charts/redis-1.0.0.tgz": _packed(redis)}, \
        f"app/charts/redis-1.0.0.tgz:{named}"


@pytest.mark.parametrize("place", PLACES)
@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(REFS), st.sampled_from(("true", '"yes"')))
def test_a_schema_referring_to_a_url_renders_unvalidated_and_says_so(
        listener: Listener, place: str, ref: str, privileged: str) -> None:
    """A chart whose values.schema.json (its own or a vendored subchart's: a folder, an
    archive in its `charts/`, an archive in that archive) `$ref`s a URL renders with
    --skip-schema-validation, nothing fetched, and the review says its values were not
    validated; one with no remote `$ref` is validated as helm validates it (a value the
    schema refuses fails the render)."""
    address = f"http://127.0.0.1:{listener.port}/schemas"
    texts, archives, held = _schema_files(place, _schema(ref, address))
    files = {**_chart("none", ""), "app/values.yaml": f"privileged: {privileged}\n", **texts}
    with tempfile.TemporaryDirectory() as scratch, pytest.MonkeyPatch.context() as patch:
        root = init_repo(Path(scratch) / "r", files)
        for name, data in archives.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_bytes(data)
        patch.setenv("PATH", search_path(Path(scratch) / "bin", with_helm=True))
        patch.delenv("REVIEWLOOP_BWRAP", raising=False)
        ctx = AnalyzerContext(root=root, changes=parse_diff(""), diff_text="", agent="x",
                              timeout=60, sandbox="bwrap")
        why = unrendered(root, ["app/values.yaml"], 60, "bwrap")
        _, given_, _ = rendered({"app/values.yaml": KIND}, root, root.parent / "s", ctx)
        made = "".join(Path(p).read_text() for p in given_)
    assert listener.accepted == 0
    skipped = [r for r in ctx.remarks if "--skip-schema-validation" in r]
    # a subchart's schema sees the subchart's own values (none): never refused there
    refused = privileged != "true" and ref != "remote" and place == "chart"
    if ref == "remote":
        assert skipped == [f"the Helm chart app was rendered with --skip-schema-validation, its "
                           f"values not validated against {held}: it $refs "
                           f"{address}/flag.json, which the review does not fetch (offline)"]
    else:
        assert skipped == [], ctx.remarks
    if refused:
        assert made == "" and "fix: fix the chart" in why["app/values.yaml"], why
    else:
        assert why == {} and f"privileged: {privileged.strip(chr(34))}" in made, (why, made)
