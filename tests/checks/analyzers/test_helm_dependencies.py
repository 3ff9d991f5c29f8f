"""Which of a chart's dependencies helm would fetch: named from a repository and not vendored.

Generated charts: each dependency's repository (`https://`, `oci://`, a repository the user
added as `@name` or `alias:name`, a local `file://` folder, none), listed in `Chart.yaml` or a
v1 chart's `requirements.yaml`, vendored in `charts/` as a folder (under its own name or
another, its `Chart.yaml` naming it), as an archive (`NAME-VERSION.tgz` as `helm dependency
build` writes it, `NAME.tgz`, or `NAME-VERSION.tgz` holding another chart), or not at all, at
the chart's top or in a vendored subchart's own `charts/`. The first dependency of the chart's
own list named is one helm would download; none is named when every remote one is vendored (a
local one is never fetched; a `requirements.yaml` list replaces `Chart.yaml`'s, as helm
loads them), nor for a subchart's own dependency (`helm template` checks the
top chart's list only). And the rule is helm's: over generated charts, real `helm template`
(`helm_tools`) fails offline for want of a chart exactly where one is named or a local one is
missing, and renders otherwise."""

from __future__ import annotations

import io
import os
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import NamedTuple

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.checks.analyzers.helm_dependencies import unfetched
from tests.support.helm_tools import helm

REPOSITORIES = {"https": "https://charts.example.invalid", "oci": "oci://registry.invalid/x",
                "added": "@stable", "alias": "alias:stable", "file": "file://../lib",
                "none": ""}
REMOTE = ("https", "oci", "added", "alias")
VENDORED = ("folder", "renamed folder", "archive", "unversioned archive", "misnamed archive",
            "absent")


class Dependency(NamedTuple):
    name: str
    repository: str  # a key of REPOSITORIES
    vendored: str  # one of VENDORED
    listed_in: str  # "Chart.yaml" | "requirements.yaml"

    @property
    def fetched(self) -> bool:
        return self.repository in REMOTE and self.absent

    @property
    def absent(self) -> bool:
        """Whether helm finds no chart of this name in `charts/`."""
        return self.vendored in ("absent", "misnamed archive")


def _archive(file: Path, name: str) -> None:
    """A chart archive at `file` holding the chart `name` (as `helm package` lays it out)."""
    text = f"apiVersion: v2\nname: {name}\nversion: 1.0.0\n".encode()
    file.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(file, "w:gz") as packed:
        member = tarfile.TarInfo(f"{name}/Chart.yaml")
        member.size = len(text)
        packed.addfile(member, io.BytesIO(text))


def _listed(top: list[Dependency]) -> list[Dependency]:
    """The dependencies helm checks of a chart listing `top` (and a vendored holder in its
    Chart.yaml): a requirements.yaml's list replaces Chart.yaml's, as helm loads them."""
    return [d for d in top if d.listed_in == "requirements.yaml"] \
        or [d for d in top if d.listed_in == "Chart.yaml"]


def _chart(folder: Path, name: str, needs: list[Dependency]) -> None:
    """A chart `name` in `folder` listing `needs`, vendored as each says."""
    folder.mkdir(parents=True, exist_ok=True)
    listed: dict[str, str] = {"Chart.yaml": "", "requirements.yaml": ""}
    for need in needs:
        repository = REPOSITORIES[need.repository]
        listed[need.listed_in] += (f"  - name: {need.name}\n    version: 1.0.0\n"
                                   + (f"    repository: \"{repository}\"\n" if repository else ""))
        if need.vendored in ("folder", "renamed folder"):
            named = need.name if need.vendored == "folder" else f"x{need.name}"
            place = folder / "charts" / named
            place.mkdir(parents=True)
            (place / "Chart.yaml").write_text(
                f"apiVersion: v2\nname: {need.name}\nversion: 1.0.0\n")
        elif need.vendored == "archive":
            _archive(folder / "charts" / f"{need.name}-1.0.0.tgz", need.name)
        elif need.vendored == "unversioned archive":
            _archive(folder / "charts" / f"{need.name}.tgz", need.name)
        elif need.vendored == "misnamed archive":
            _archive(folder / "charts" / f"{need.name}-1.0.0.tgz", f"other{need.name}")
    (folder / "Chart.yaml").write_text(f"apiVersion: v2\nname: {name}\nversion: 0.1.0\n" + (
        f"dependencies:\n{listed['Chart.yaml']}" if listed["Chart.yaml"] else ""))
    if listed["requirements.yaml"]:
        (folder / "requirements.yaml").write_text(f"dependencies:\n{listed['requirements.yaml']}")


def dependencies(prefix: str) -> st.SearchStrategy[list[Dependency]]:
    return st.lists(st.builds(Dependency, st.just(""), st.sampled_from(list(REPOSITORIES)),
                              st.sampled_from(VENDORED),
                              st.sampled_from(("Chart.yaml", "requirements.yaml"))),
                    max_size=3).map(lambda found: [d._replace(name=f"{prefix}{n}")
                                                   for n, d in enumerate(found)])


@given(dependencies("top"), dependencies("sub"))
def test_the_first_dependency_helm_would_fetch_is_named(top: list[Dependency],
                                                        nested: list[Dependency]) -> None:
    # the nested ones belong to a subchart vendored as a folder under the chart's charts/
    holder = Dependency("holder", "https", "folder", "Chart.yaml")
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        _chart(root / "app", "app", [*top, holder])
        _chart(root / "app/charts/holder", "holder", nested)
        found = unfetched(root, "app")
    # the chart's own only (helm skips a subchart's missing one)
    asked = _listed(top)
    first = next(((d.name, REPOSITORIES[d.repository]) for d in asked if d.fetched), None)
    assert found == first, (found, top, nested)


def test_a_chart_with_no_dependencies_or_no_chart_names_none(tmp_path: Path) -> None:
    _chart(tmp_path / "app", "app", [])
    assert unfetched(tmp_path, "app") is None
    assert unfetched(tmp_path, "missing") is None
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad/Chart.yaml").write_text("dependencies: [\n")  # helm says why, not this
    assert unfetched(tmp_path, "bad") is None


@pytest.mark.pypi
@settings(max_examples=25, deadline=None)
@given(dependencies("top"), dependencies("sub"))
def test_a_chart_is_named_where_helm_fails_offline_for_want_of_a_download(
        top: list[Dependency], nested: list[Dependency]) -> None:
    holder = Dependency("holder", "https", "folder", "Chart.yaml")
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        _chart(root / "app", "app", [*top, holder])
        _chart(root / "app/charts/holder", "holder", nested)
        for need in [d for d in nested if d.repository == "file"]:  # its file://../lib
            _chart(root / "app/charts/lib", need.name, [])
        named = unfetched(root, "app")
        homes = {f"HELM_{n}_HOME": str(root / n.lower()) for n in ("CACHE", "CONFIG", "DATA")}
        done = subprocess.run([str(helm()), "template", "rel", str(root / "app")],
                              capture_output=True, text=True, timeout=120,
                              env={**os.environ, **homes, "HOME": scratch})
    wanting = [d for d in _listed(top) if d.absent]  # helm fails for each of these, remote or local
    assert (done.returncode != 0) == bool(wanting), (done.stderr, top, nested)
    assert (named is not None) == any(d.fetched for d in wanting), (named, done.stderr)
    for need in wanting:
        assert need.name in done.stderr and "missing in charts/" in done.stderr, done.stderr
