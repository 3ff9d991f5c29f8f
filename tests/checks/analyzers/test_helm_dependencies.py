"""Which of a chart's dependencies helm would fetch: named from a repository and not vendored.

Generated charts: each dependency's repository (`https://`, `oci://`, a repository the user
added as `@name` or `alias:name`, a local `file://` folder, none), listed in `Chart.yaml` or a
v1 chart's `requirements.yaml`, vendored in `charts/` as a folder (under its own name or
another, its `Chart.yaml` naming it), as an archive, or not at all, at the chart's top or in a
vendored subchart's own `charts/`. The first dependency named is one helm would download;
none is named when every remote one is vendored (a local one is never fetched)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import NamedTuple

from hypothesis import given
from hypothesis import strategies as st

from reviewloop.checks.analyzers.helm_dependencies import unfetched

REPOSITORIES = {"https": "https://charts.example.invalid", "oci": "oci://registry.invalid/x",
                "added": "@stable", "alias": "alias:stable", "file": "file://../lib",
                "none": ""}
REMOTE = ("https", "oci", "added", "alias")
VENDORED = ("folder", "renamed folder", "archive", "absent")


class Dependency(NamedTuple):
    name: str
    repository: str  # a key of REPOSITORIES
    vendored: str  # one of VENDORED
    listed_in: str  # "Chart.yaml" | "requirements.yaml"

    @property
    def fetched(self) -> bool:
        return self.repository in REMOTE and self.vendored == "absent"


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
            (folder / "charts").mkdir(exist_ok=True)
            (folder / "charts" / f"{need.name}-1.0.0.tgz").write_bytes(b"\x1f\x8b")
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
    # the top chart's are asked first, each chart's Chart.yaml before its requirements.yaml
    asked = [*sorted(top, key=lambda d: d.listed_in != "Chart.yaml"),
             *sorted(nested, key=lambda d: d.listed_in != "Chart.yaml")]
    first = next(((d.name, REPOSITORIES[d.repository]) for d in asked if d.fetched), None)
    assert found == first, (found, top, nested)


def test_a_chart_with_no_dependencies_or_no_chart_names_none(tmp_path: Path) -> None:
    _chart(tmp_path / "app", "app", [])
    assert unfetched(tmp_path, "app") is None
    assert unfetched(tmp_path, "missing") is None
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad/Chart.yaml").write_text("dependencies: [\n")  # helm says why, not this
    assert unfetched(tmp_path, "bad") is None
