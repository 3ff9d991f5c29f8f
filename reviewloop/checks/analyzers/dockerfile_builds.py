"""Dockerfiles under other names that the repository itself tells docker to build.

A Dockerfile is told by its name (`git.dockerfile_names`): docker builds another file only
when told to. Where the same repository tells it — a Compose file's `build.dockerfile`
(relative to the service's `build.context`, itself relative to the Compose file), a GitHub
workflow's `docker/build-push-action` `file:` (relative to the workspace), a Makefile's
`docker build -f FILE` / `--file FILE` (relative to the Makefile's folder) — that file is a
Dockerfile to the analyzers too (`built`): hadolint lints it, checkov reads it under a link
named `Dockerfile` (`checkov_views`), a finding on the file's own lines. The Compose files
looked at are the changed ones and those in a changed file's folder or above it (`compose.yaml`,
`docker-compose.yml`, `compose.prod.yaml`…); the workflows, `.github/workflows/`'s; the
Makefiles, the changed ones and those above a changed file. A value that is an expression
(`${{ … }}`, `$(VAR)`, `${VAR}`) names no file here, nor does a path out of the tree.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from reviewloop.git.languages import DOCKERFILE
from reviewloop.git.names import under
from reviewloop.git.reads import derived

_COMPOSE = re.compile(r"^(?:docker-)?compose(?:\.[\w.-]+)?\.ya?ml$", re.IGNORECASE)
_MAKEFILE = re.compile(r"^(?:GNUmakefile|[Mm]akefile|[\w.-]+\.mk)$")
_WORKFLOWS = ".github/workflows"
_MAKE_ENDS = ("akefile", ".mk")  # how every name `_MAKEFILE` takes ends
_YAML_ENDS = (".yml", ".yaml")  # lower-cased: how every Compose file and workflow ends
_BUILD_PUSH = "docker/build-push-action"
# `docker build … -f FILE` / `docker buildx build --file=FILE` on one line of a recipe
_DOCKER_F = re.compile(r"\bdocker(?:[ \t]+buildx)?[ \t]+build\b[^\n#;&|]*?[ \t]"
                       r"(?:-f|--file)(?:[ \t]+|=)([^\s;&|]+)")
_EXPRESSION = re.compile(r"\$[({]")
_MAX_READ = 1_000_000  # a build file larger than this names nothing


def built(root: Path, paths: Sequence[str]) -> dict[str, str]:
    """{path: `DOCKERFILE`} for each of the changed `paths` that one of the repository's
    Compose files, workflows or Makefiles tells docker to build, whatever its name. In a
    review's batch (`git.reads.derived`), found once for checkov's claims and hadolint's
    (each walked every changed file's name: 0.03-0.07 s at 5,000 files)."""
    if not paths:
        return {}
    return dict(derived(root, (__name__, tuple(paths)), lambda: _built(root, paths)))


def _built(root: Path, paths: Sequence[str]) -> dict[str, str]:
    named = {p for source, folder in _build_files(root, paths)
             for p in _named(root, source, folder)}
    return {path: DOCKERFILE for path in paths if path in named}


def _build_files(root: Path, paths: Sequence[str]) -> Iterator[tuple[str, str]]:
    """(a build file's repository path, its kind) for the changed ones, those in the
    folders of the changed files and above, and the workflows."""
    seen: set[str] = set()
    folders = {"."}
    for path in paths:  # each changed file's folders, each walked up once (5,000 files)
        folder = posixpath.dirname(path)
        while folder and folder not in folders:
            folders.add(folder)
            folder = posixpath.dirname(folder)
    for path in [*paths, *(p for f in sorted(folders) for p in _listed(root, f))]:
        kind = _kind(path)
        if kind and path not in seen:
            seen.add(path)
            yield path, kind


def _listed(root: Path, folder: str) -> list[str]:
    """The build files in `folder` (the workflows in `.github/workflows/`)."""
    found = []
    for name in (folder, posixpath.join(folder, _WORKFLOWS) if folder == "." else None):
        if name is None:
            continue
        try:
            entries = os.listdir(under(root, name))
        except OSError:
            continue
        # a path made only for a name a build file can have: a changed file's folder lists
        # every changed file in it (5,000 a review, twice: checkov's claims and hadolint's)
        found += [posixpath.normpath(posixpath.join(name, e)) for e in entries
                  if _may_build(e)]
    return [p for p in found if _kind(p)]


def _may_build(name: str) -> bool:
    """Whether a file of this name can be a build file: a Compose file or a workflow ends in
    `.yml`/`.yaml` (any case), a Makefile in `akefile` or `.mk`, before the one newline a
    pattern's `$` passes over (`_kind` decides)."""
    name = name.removesuffix("\n")
    return name.endswith(_MAKE_ENDS) or name.lower().endswith(_YAML_ENDS)


def _kind(path: str) -> str:
    """`compose`, `workflow`, `make` or "" by the name `path`."""
    folder, _, name = path.rpartition("/")
    if not _may_build(name):
        return ""
    if _COMPOSE.match(name):
        return "compose"
    if folder == _WORKFLOWS and posixpath.splitext(name)[1].lower() in (".yml", ".yaml"):
        return "workflow"
    return "make" if _MAKEFILE.match(name) else ""


def _named(root: Path, source: str, kind: str) -> set[str]:
    """The repository paths the build file `source` tells docker to build from."""
    try:
        with under(root, source).open("rb") as handle:
            text = handle.read(_MAX_READ).decode("utf-8", "replace")
    except OSError:
        return set()
    here = posixpath.dirname(source) or "."
    if kind == "make":
        return {p for f in _DOCKER_F.findall(text) if (p := _inside(here, f))}
    document = _loaded(text)
    if kind == "compose":
        return {p for c, f in _compose_builds(document) if (p := _inside(here, c, f))}
    return {p for f in _workflow_files(document) if (p := _inside(".", f))}


def _loaded(text: str) -> Any:
    import yaml

    try:
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (yaml.YAMLError, RecursionError, ValueError):
        return None


def _compose_builds(document: Any) -> Iterator[tuple[str, str]]:
    """(context, dockerfile) of each Compose service that names its Dockerfile."""
    services = document.get("services") if isinstance(document, Mapping) else None
    for service in (services.values() if isinstance(services, Mapping) else ()):
        build = service.get("build") if isinstance(service, Mapping) else None
        if isinstance(build, Mapping) and isinstance(file := build.get("dockerfile"), str):
            context = build.get("context", ".")
            yield (context if isinstance(context, str) else "."), file


def _workflow_files(document: Any) -> Iterator[str]:
    """The `file:` of each `docker/build-push-action` step of a workflow."""
    jobs = document.get("jobs") if isinstance(document, Mapping) else None
    for job in (jobs.values() if isinstance(jobs, Mapping) else ()):
        steps = job.get("steps") if isinstance(job, Mapping) else None
        for step in (steps if isinstance(steps, list) else ()):
            uses = step.get("uses") if isinstance(step, Mapping) else None
            given = step.get("with") if isinstance(step, Mapping) else None
            if isinstance(uses, str) and uses.lower().startswith(_BUILD_PUSH + "@") \
                    and isinstance(given, Mapping) and isinstance(file := given.get("file"), str):
                yield file


def _inside(*parts: str) -> str | None:
    """The repository path `parts` join to, or None: an expression, an absolute path, a
    remote context (`https://…`, `git@…`) or one out of the tree."""
    if any(_EXPRESSION.search(p) or ":" in p or p.startswith(("/", "~")) for p in parts):
        return None
    joined = posixpath.normpath(posixpath.join(*parts))
    return None if joined == ".." or joined.startswith("../") or joined == "." else joined


class BuiltDockerfiles:
    """An analyzer of Dockerfiles claims the changed files the repository builds as one,
    whatever its reviewer's globs (`review.claimed`)."""

    def claims(self, root: Path, path: str) -> bool:
        return path in built(root, [path])

    def claimed(self, root: Path, paths: Sequence[str]) -> list[str]:
        return list(built(root, paths))
