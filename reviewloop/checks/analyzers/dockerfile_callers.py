"""The Dockerfile paths each kind of build file names, each resolved as its own tool resolves it
(`dockerfile_builds` finds the files and joins the paths to the tree).

* a Dev Container's `devcontainer.json` (`.devcontainer/…/devcontainer.json`,
  `.devcontainer.json`): `build.dockerfile`, or the older top-level `dockerFile`, relative to
  the json's folder; JSON with comments and trailing commas, as the spec reads it;
* Buildx Bake's `docker-bake.hcl` / `docker-bake.json` (`docker-bake.override.hcl`…): each
  `target`'s `dockerfile` relative to its `context` (`.` when none), the context relative to
  the bake file's folder;
* Skaffold's `skaffold.yaml`: each artifact's `docker.dockerfile` (`Dockerfile` when none)
  relative to its `context`, in `build.artifacts` and in each profile's, every document;
* a command line that runs `docker build -f FILE` (`--file FILE`, `--file=FILE`, `docker
  buildx build`, `docker image build`, `podman build`): a Makefile's recipe and a justfile's
  (from its folder), a `package.json` script (from the package's folder), a `.gitlab-ci.yml`
  job's `script`/`before_script`/`after_script` (from the root), a GitHub workflow step's
  `run:` (from its `working-directory`, the job's or the workflow's `defaults.run` one);
  a line continued with a backslash is read as one line.

Each answers `(folder, path)` pairs; a path that is an expression (`${VAR}`, `$(VAR)`,
`${{ … }}`, just's `{{var}}`) is kept as it is, and `dockerfile_builds` names it as one the
review cannot resolve, as it names a build file that does not parse (a `ValueError` saying why).
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Iterator, Mapping
from typing import Any

from reviewloop.checks.analyzers.tsconfigs import loads_with_comments

# `docker build … -f FILE` / `docker buildx build --file=FILE` / `podman build -f FILE` on one
# line of a command
DOCKER_F = re.compile(r"\b(?:docker(?:[ \t]+(?:buildx|image))?|podman)[ \t]+build\b"
                      r"[^\n#;&|]*?[ \t](?:-f|--file)(?:[ \t]+|=)['\"]?([^\s;&|'\"]+)")
_CONTINUED = re.compile(r"\\\r?\n")
# a bake target's head, and an attribute of it on a line of its own
_TARGET = re.compile(r'^[ \t]*target[ \t]+"?[\w.-]+"?[ \t]*\{', re.MULTILINE)
_BLOCK = re.compile(r'^[ \t]*(?:target|group|variable|function)\b[^\n{]*\{', re.MULTILINE)
_ATTRIBUTE = re.compile(r'^[ \t]*(context|dockerfile)[ \t]*=[ \t]*"([^"\n]*)"', re.MULTILINE)
_GITLAB_SCRIPTS = ("script", "before_script", "after_script")

Pairs = list[tuple[str, str]]  # (the folder a path is relative to, the path)


class _Unreadable(ValueError):
    """A build file that does not parse: what it names is not known."""


def commands(text: str, folder: str) -> Pairs:
    """The Dockerfiles the command lines of `text` build, from `folder`."""
    return [(folder, f) for f in DOCKER_F.findall(_CONTINUED.sub(" ", text))]


def devcontainer(text: str, folder: str) -> Pairs:
    document = _jsonc(text)
    build = document.get("build") if isinstance(document, Mapping) else None
    found = [build.get("dockerfile")] if isinstance(build, Mapping) else []
    if isinstance(document, Mapping):
        found.append(document.get("dockerFile"))
    return [(folder, f) for f in found if isinstance(f, str)]


def bake_hcl(text: str, folder: str) -> Pairs:
    starts = [m.start() for m in _BLOCK.finditer(text)] + [len(text)]
    found = []
    for head in _TARGET.finditer(text):
        end = next(s for s in starts if s > head.start())
        values = dict(_ATTRIBUTE.findall(text, head.end(), end))
        if "dockerfile" in values:
            found.append((posixpath.join(folder, values.get("context", ".")),
                          values["dockerfile"]))
    return found


def bake_json(text: str, folder: str) -> Pairs:
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise _Unreadable(f"it is not JSON ({exc})") from None
    targets = document.get("target") if isinstance(document, Mapping) else None
    return [(posixpath.join(folder, _text(t.get("context"), ".")), t["dockerfile"])
            for t in (targets.values() if isinstance(targets, Mapping) else ())
            if isinstance(t, Mapping) and isinstance(t.get("dockerfile"), str)]


def skaffold(documents: list[Any], folder: str) -> Pairs:
    found = []
    for document in documents:
        if not isinstance(document, Mapping):
            continue
        profiles = document.get("profiles")
        for section in [document, *(profiles if isinstance(profiles, list) else ())]:
            build = section.get("build") if isinstance(section, Mapping) else None
            artifacts = build.get("artifacts") if isinstance(build, Mapping) else None
            for artifact in (artifacts if isinstance(artifacts, list) else ()):
                docker = artifact.get("docker") if isinstance(artifact, Mapping) else None
                if isinstance(docker, Mapping):
                    found.append((posixpath.join(folder, _text(artifact.get("context"), ".")),
                                  _text(docker.get("dockerfile"), "Dockerfile")))
    return found


def package_scripts(text: str, folder: str) -> Pairs:
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise _Unreadable(f"it is not JSON ({exc})") from None
    scripts = document.get("scripts") if isinstance(document, Mapping) else None
    return [pair for script in (scripts.values() if isinstance(scripts, Mapping) else ())
            if isinstance(script, str) for pair in commands(script, folder)]


def gitlab(document: Any) -> Pairs:
    found = []
    for job in (document.values() if isinstance(document, Mapping) else ()):
        for key in _GITLAB_SCRIPTS:
            lines = job.get(key) if isinstance(job, Mapping) else None
            found += [pair for line in _flat(lines) for pair in commands(line, ".")]
    return found


def workflow_runs(document: Any) -> Pairs:
    jobs = document.get("jobs") if isinstance(document, Mapping) else None
    top = _working(document)
    found = []
    for job in (jobs.values() if isinstance(jobs, Mapping) else ()):
        steps = job.get("steps") if isinstance(job, Mapping) else None
        job_folder = _working(job) or top or "."
        for step in (steps if isinstance(steps, list) else ()):
            run = step.get("run") if isinstance(step, Mapping) else None
            if isinstance(run, str):
                folder = _text(step.get("working-directory"), job_folder)
                found += commands(run, folder)
    return found


def _working(section: Any) -> str | None:
    """A job's or a workflow's `defaults.run.working-directory`."""
    defaults = section.get("defaults") if isinstance(section, Mapping) else None
    run = defaults.get("run") if isinstance(defaults, Mapping) else None
    folder = run.get("working-directory") if isinstance(run, Mapping) else None
    return folder if isinstance(folder, str) else None


def _flat(lines: Any) -> Iterator[str]:
    """A GitLab script's lines: a string, or a list of them and of lists (`!reference`)."""
    if isinstance(lines, str):
        yield lines
    elif isinstance(lines, list):
        for line in lines:
            yield from _flat(line)


def _text(value: Any, default: str) -> str:
    return value if isinstance(value, str) else default


def _jsonc(text: str) -> Any:
    try:
        return loads_with_comments(text)
    except (ValueError, RecursionError) as exc:
        raise _Unreadable(f"it is not JSON with comments ({exc})") from None
