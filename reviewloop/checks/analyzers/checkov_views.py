"""The names checkov is shown a file under, in a scratch view: links it reads by name."""

from __future__ import annotations

from pathlib import Path

from reviewloop.git.names import under


def as_dockerfiles(targets: dict[str, str], at: Path, scratch: Path, first: int = 0
                   ) -> tuple[dict[str, str], dict[str, str]]:
    """Each Dockerfile under the name checkov reads whatever it is called: checkov takes a
    file for one only by its name (`Dockerfile`, `x.Dockerfile`, `Dockerfile.x`), and given
    `Containerfile` or `Dockerfile-prod`, which docker and podman build, it reads nothing
    and says nothing. A link `scratch/N/Dockerfile` to each (N its place after `first`, so
    two never share a folder); the report names the file by its own name again."""
    given: dict[str, str] = {}
    aliases: dict[str, str] = {}
    for index, (path, kind) in enumerate(targets.items(), start=first):
        if kind != "dockerfile":
            given[path] = kind
            continue
        link = linked_as(scratch / str(index) / "Dockerfile", under(at, path))
        given[str(link)] = kind
        aliases[str(link)] = str(under(at, path))
    return given, aliases


def linked_as(link: Path, source: Path) -> Path:
    """`link` made, pointing to `source`."""
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(source)
    return link
