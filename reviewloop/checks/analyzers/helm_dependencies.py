"""A Helm chart's dependencies that helm would fetch: named from a repository in its
`Chart.yaml` (or a v1 chart's `requirements.yaml`) and not vendored in its `charts/` folder.

`helm template --dependency-update`, as checkov's helm framework runs it, downloads such a
dependency from the address the chart names (`https://…`, `oci://…`, a repository the user
added, `@name`): a file of the change would make the reviewer's machine fetch whatever it
names. The review renders a chart offline (`helm_charts.render`, no `--dependency-update`);
one with such a dependency is not given to helm at all, whatever the `sandbox` setting, and
is named (`helm_charts.UNFETCHED`). A dependency from a local folder (`file://…`, or no
repository) is never fetched: helm then fails on it as on any chart it cannot render. Only
the chart's own list is asked, as `helm template` checks it: a vendored subchart's missing
dependency is skipped by helm, which renders the chart offline.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reviewloop.checks.analyzers.helm_archives import packed

_MANIFESTS = ("Chart.yaml", "requirements.yaml")  # where a v2 chart, a v1 chart lists them


def unfetched(root: Path, chart: str) -> tuple[str, str] | None:
    """(name, repository) of the first dependency the chart folder `chart` (under `root`)
    lists from a repository helm would fetch it from and that its `charts/` folder does not
    vendor; None when there is none. Only the chart's own list counts, as `helm template`
    checks it (a subchart's dependency missing from the subchart's `charts/` is skipped,
    the chart still renders offline), and a vendored chart is matched as helm loads it: by
    the name its `Chart.yaml` says, a folder's or an archive's (`charts/redis.tgz`)."""
    folder = (root / chart).resolve()
    if not folder.is_relative_to(root.resolve()):
        return None
    remote = [(name, repository) for name, repository in _dependencies(folder)
              if repository and not repository.startswith("file://")]
    vendored = _vendored(folder / "charts") if remote else set()  # no archive read for none
    return next(((name, repository) for name, repository in remote
                 if name not in vendored), None)


def _vendored(charts: Path) -> set[str]:
    """The names of the charts helm loads from a `charts/` folder: each folder's and each
    `.tgz` archive's, as its `Chart.yaml` says (an entry starting with `_` or `.` skipped,
    as helm skips it)."""
    names: set[str] = set()
    try:
        entries = sorted(charts.iterdir()) if charts.is_dir() else []
    except OSError:
        entries = []
    for entry in entries:
        if entry.name.startswith(("_", ".")):
            continue
        if entry.is_dir():
            said = _load(entry / "Chart.yaml")
        elif entry.suffix == ".tgz":
            said = packed(entry).chart
        else:
            continue
        if isinstance(said, dict) and isinstance(said.get("name"), str):
            names.add(said["name"])
    return names


def _dependencies(folder: Path) -> list[tuple[str, str]]:
    """(name, repository) of each dependency the chart in `folder` lists, as helm loads the
    list: a `requirements.yaml` that says `dependencies` replaces `Chart.yaml`'s."""
    found: list[tuple[str, str]] = []
    for manifest in _MANIFESTS:
        document = _load(folder / manifest)
        if not isinstance(document, dict) or "dependencies" not in document:
            continue
        listed = document["dependencies"]
        found = []
        for entry in listed if isinstance(listed, list) else []:
            if isinstance(entry, dict) and isinstance(entry.get("name"), str):
                repository = entry.get("repository")
                found.append((entry["name"], repository.strip()
                              if isinstance(repository, str) else ""))
    return found


def _load(file: Path) -> Any:
    """`file` as YAML; None when it is absent or does not parse (helm then says why)."""
    import yaml  # only for a tree with a chart

    try:
        return yaml.safe_load(file.read_text(encoding="utf-8", errors="replace")) \
            if file.is_file() else None
    except (OSError, yaml.YAMLError):
        return None
