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

from reviewloop.checks.analyzers import dockerfile_callers as callers
from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.analyzers.checkov_frameworks import any_tag_loader
from reviewloop.git.languages import DOCKERFILE
from reviewloop.git.names import under
from reviewloop.git.reads import derived

_COMPOSE = re.compile(r"^(?:docker-)?compose(?:\.[\w.-]+)?\.ya?ml$", re.IGNORECASE)
_MAKEFILE = re.compile(r"^(?:GNUmakefile|[Mm]akefile|[\w.-]+\.mk)$")
# the other build files, by name (`dockerfile_callers` reads each kind)
_OTHERS = (("devcontainer", re.compile(r"^\.?devcontainer\.json$")),
           ("bake-hcl", re.compile(r"^docker-bake(?:\.[\w.-]+)?\.hcl$")),
           ("bake-json", re.compile(r"^docker-bake(?:\.[\w.-]+)?\.json$")),
           ("skaffold", re.compile(r"^skaffold(?:\.[\w.-]+)?\.ya?ml$")),
           ("package", re.compile(r"^package\.json$")),
           ("just", re.compile(r"^\.?justfile$", re.IGNORECASE)),
           ("gitlab", re.compile(r"^[\w-]*\.gitlab-ci\.ya?ml$")))
_WORKFLOWS = ".github/workflows"
_DEVCONTAINERS = ".devcontainer"
_MAKE_ENDS = ("akefile", ".mk")  # how every name `_MAKEFILE` takes ends
# lower-cased: how every Compose file, workflow and other build file ends
_OTHER_ENDS = (".yml", ".yaml", ".json", ".hcl", "justfile")
_BUILD_PUSH = "docker/build-push-action"
_EXPRESSION = re.compile(r"\$[({]|\{\{")
_MENTIONS = re.compile(r"docker|podman", re.IGNORECASE)
_MAX_READ = 1_000_000  # a build file larger than this names nothing
_READERS = {"devcontainer": callers.devcontainer, "bake-hcl": callers.bake_hcl,
            "bake-json": callers.bake_json, "package": callers.package_scripts}
_LABELS = {"make": "Makefile", "just": "justfile", "compose": "Compose file",
           "workflow": "workflow", "devcontainer": "devcontainer.json",
           "bake-hcl": "Bake file", "bake-json": "Bake file", "skaffold": "Skaffold config",
           "package": "package.json", "gitlab": "GitLab CI config"}
UNRESOLVED = ("this {kind} tells docker to build a Dockerfile the review cannot tell: {why}; "
              "no Dockerfile analyzer read that file unless its name says it is a Dockerfile; "
              "fix: name the Dockerfile by a literal path")


def built(root: Path, paths: Sequence[str]) -> dict[str, str]:
    """{path: `DOCKERFILE`} for each of the changed `paths` that one of the repository's
    build files tells docker to build, whatever its name. In a review's batch
    (`git.reads.derived`), found once for checkov's claims and hadolint's (each walked every
    changed file's name: 0.03-0.07 s at 5,000 files)."""
    return dict.fromkeys(_scan(root, paths)[0], DOCKERFILE)


def unresolved(root: Path, paths: Sequence[str]) -> dict[str, str]:
    """{build file: why} for each of the changed `paths` that is a build file telling docker
    to build a Dockerfile the review cannot tell: one that does not parse, or a path that is
    an expression (`${DOCKERFILE}`) — that Dockerfile, whatever its name, was read by no
    Dockerfile analyzer unless its name says it is one."""
    return dict(_scan(root, paths)[1])


def _scan(root: Path, paths: Sequence[str]
          ) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    if not paths:
        return (), ()
    return derived(root, (__name__, tuple(paths)), lambda: _built(root, paths))


def _built(root: Path, paths: Sequence[str]
           ) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    named: set[str] = set()
    problems = []
    changed = set(paths)
    for source, kind in _build_files(root, paths):
        found, unknown = _named(root, source, kind)
        named |= found
        if unknown and source in changed:
            problems.append((source, UNRESOLVED.format(kind=_LABELS.get(kind, kind),
                                                       why=unknown)))
    return tuple(p for p in paths if p in named), tuple(problems)


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
    for name in (folder, *(_top_folders(root) if folder == "." else ())):
        try:
            entries = os.listdir(under(root, name))
        except OSError:
            continue
        # a path made only for a name a build file can have: a changed file's folder lists
        # every changed file in it (5,000 a review, twice: checkov's claims and hadolint's)
        found += [posixpath.normpath(posixpath.join(name, e)) for e in entries
                  if _may_build(e)]
    return [p for p in found if _kind(p)]


def _top_folders(root: Path) -> list[str]:
    """The root's folders of build files: the workflows', `.devcontainer` and each folder
    in it (`.devcontainer/api/devcontainer.json`)."""
    try:
        inner = [posixpath.join(_DEVCONTAINERS, e) for e in
                 sorted(os.listdir(under(root, _DEVCONTAINERS)))]
    except OSError:
        inner = []
    return [_WORKFLOWS, _DEVCONTAINERS, *(f for f in inner if under(root, f).is_dir())]


def _may_build(name: str) -> bool:
    """Whether a file of this name can be a build file: a Compose file or a workflow ends in
    `.yml`/`.yaml` (any case), a Makefile in `akefile` or `.mk`, before the one newline a
    pattern's `$` passes over (`_kind` decides)."""
    name = name.removesuffix("\n")
    return name.endswith(_MAKE_ENDS) or name.lower().endswith(_OTHER_ENDS)


def _kind(path: str) -> str:
    """`compose`, `workflow`, `make`, one of `_OTHERS` or "" by the name `path`."""
    folder, _, name = path.rpartition("/")
    if not _may_build(name):
        return ""
    if _COMPOSE.match(name):
        return "compose"
    if folder == _WORKFLOWS and posixpath.splitext(name)[1].lower() in (".yml", ".yaml"):
        return "workflow"
    if _MAKEFILE.match(name):
        return "make"
    return next((kind for kind, pattern in _OTHERS if pattern.match(name)), "")


def _named(root: Path, source: str, kind: str) -> tuple[set[str], str]:
    """The repository paths the build file `source` tells docker to build from, and what
    it names that the review cannot resolve ("" when nothing)."""
    try:
        with under(root, source).open("rb") as handle:
            text = handle.read(_MAX_READ).decode("utf-8", "replace")
    except OSError:
        return set(), ""
    here = posixpath.dirname(source) or "."
    try:
        pairs = _pairs(text, here, kind)
    except ValueError as exc:  # does not parse: named where it may build an image at all
        return set(), str(exc) if _MENTIONS.search(text) else ""
    found = {p for pair in pairs if (p := _inside(*pair))}
    expressions = sorted({f"`{f}`" for *_, f in pairs if _EXPRESSION.search(f)})
    return found, (f"it names {', '.join(expressions[:3])}, an expression the review does "
                   f"not evaluate" if expressions else "")


def _pairs(text: str, here: str, kind: str) -> list[tuple[str, ...]]:
    """(folder…, path) of each Dockerfile `text`, a build file of `kind` in `here`, names."""
    if kind in ("make", "just"):
        return list(callers.commands(text, here))
    if kind in _READERS:
        return list(_READERS[kind](text, here))
    document = _loaded(text, all_documents=kind == "skaffold")
    if kind == "skaffold":
        return list(callers.skaffold(document, here))
    if kind == "gitlab":
        return list(callers.gitlab(document))
    if kind == "compose":
        return [(here, c, f) for c, f in _compose_builds(document)]
    return [*((".", f) for f in _workflow_files(document)), *callers.workflow_runs(document)]


def _loaded(text: str, *, all_documents: bool = False) -> Any:
    import yaml

    loader = any_tag_loader()  # GitLab's `!reference`, read as nothing
    try:
        if all_documents:
            return list(yaml.load_all(text, Loader=loader))
        return yaml.load(text, Loader=loader)
    except (yaml.YAMLError, RecursionError, ValueError) as exc:
        raise ValueError(f"it is not YAML ({_first_line(exc)})") from None


def _first_line(exc: Exception) -> str:
    return " ".join(str(exc).split())[:160]


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


class BuiltOrUntoldDockerfiles(BuiltDockerfiles):
    """hadolint's claims: the built files, and each changed build file naming a Dockerfile the
    review cannot tell (`unresolved`), which hadolint names as not read (`name_untold`)."""

    def claims(self, root: Path, path: str) -> bool:
        return path in built(root, [path]) or path in unresolved(root, [path])

    def claimed(self, root: Path, paths: Sequence[str]) -> list[str]:
        return [*built(root, paths), *unresolved(root, paths)]


def name_untold(ctx: AnalyzerContext) -> None:
    """Name as not read each of the analyzer's files that is a build file naming a
    Dockerfile the review cannot tell."""
    for source, why in unresolved(ctx.root, ctx.files).items():
        ctx.not_read(source, why)
