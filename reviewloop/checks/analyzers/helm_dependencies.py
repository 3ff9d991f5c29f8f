"""A Helm chart's dependencies that helm would fetch: named from a repository in its
`Chart.yaml` (or a v1 chart's `requirements.yaml`) and not vendored in its `charts/` folder.

`helm template --dependency-update`, as checkov's helm framework runs it, downloads such a
dependency from the address the chart names (`https://…`, `oci://…`, a repository the user
added, `@name`): a file of the change would make the reviewer's machine fetch whatever it
names. The review renders a chart offline (`helm_charts.render`, no `--dependency-update`);
one with such a dependency is not given to helm at all, whatever the `sandbox` setting, and
is named (`helm_charts.UNFETCHED`). A dependency from a local folder (`file://…`, or no
repository) is never fetched: helm then fails on it as on any chart it cannot render.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

_MANIFESTS = ("Chart.yaml", "requirements.yaml")  # where a v2 chart, a v1 chart lists them


def unfetched(root: Path, chart: str) -> tuple[str, str] | None:
    """(name, repository) of the first dependency of the chart folder `chart` (under `root`),
    or of a subchart it vendors, that names a repository helm would fetch it from and that
    is not in the `charts/` folder beside it; None when there is none."""
    return _unfetched((root / chart).resolve(), root.resolve(), set())


def _unfetched(folder: Path, root: Path, seen: set[Path]) -> tuple[str, str] | None:
    if folder in seen or not folder.is_relative_to(root):
        return None
    seen.add(folder)
    vendored = _vendored(folder / "charts")
    for name, repository in _dependencies(folder):
        local = not repository or repository.startswith("file://")
        if not local and not vendored.matches(name):
            return name, repository
    for sub in vendored.folders:
        if (found := _unfetched(sub, root, seen)) is not None:
            return found
    return None


class _Vendored:
    """What a `charts/` folder holds: its subcharts' folders (by their names) and archives."""

    def __init__(self, folders: dict[str, Path], archives: tuple[str, ...]):
        self.named = folders
        self.archives = archives

    @property
    def folders(self) -> list[Path]:
        return sorted(set(self.named.values()))

    def matches(self, name: str) -> bool:
        """Whether a subchart of the dependency's `name` is here (an archive by its file
        name, `redis-17.3.1.tgz`, as `helm dependency build` writes it)."""
        return name in self.named or any(a.startswith(f"{name}-") for a in self.archives)


def _vendored(charts: Path) -> _Vendored:
    folders: dict[str, Path] = {}
    archives: list[str] = []
    try:
        entries = sorted(charts.iterdir()) if charts.is_dir() else []
    except OSError:
        entries = []
    for entry in entries:
        if entry.is_dir() and (entry / "Chart.yaml").is_file():
            said = _load(entry / "Chart.yaml")
            name = said.get("name") if isinstance(said, dict) else None
            folders[name if isinstance(name, str) else entry.name] = entry.resolve()
            folders.setdefault(entry.name, entry.resolve())
        elif entry.name.endswith((".tgz", ".tar.gz")):
            archives.append(entry.name)
    return _Vendored(folders, tuple(archives))


def _dependencies(folder: Path) -> list[tuple[str, str]]:
    """(name, repository) of each dependency the chart in `folder` lists."""
    found = []
    for manifest in _MANIFESTS:
        document = _load(folder / manifest)
        listed = document.get("dependencies") if isinstance(document, dict) else None
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
