"""Which Kustomize builds a change reaches, for checkov's Kubernetes checks.

Plain `checkov -d .` finds every folder holding a `kustomization.yaml` (or `.yml`: checkov's
`find_kustomize_directories`), renders it with `kubectl kustomize` (else `kustomize build`)
and runs its Kubernetes checks on the result, reporting each on that kustomization file. A
patch (a JSON6902 file, an inline `patch:`, a strategic-merge one), an `images: newTag` or a
base manifest can make a privileged pod that no file of the change shows as a manifest, so
each build whose inputs the change wrote is rendered too (`builds`), `Kustomization`-named
ones as well (Kustomize builds them; checkov does not find them). checkov renders with the
review's network and no sandbox, and fetches a remote base a build names, so the review
renders each build itself, offline, in the sandbox unless `sandbox = "off"`
(`kustomize_render`), and gives checkov
the render, read by its Kubernetes checks, the findings on the build's file (`rendered`);
checkov is never asked for its kustomize framework. The renderer is the one checkov would
find on its PATH (`renderer`); without one the change's files such a build reads are named
instead (`unrendered`). A build the checks reported nothing on — one the change wrote, or
an unchanged overlay of a base manifest it changed — is named with why (`unbuilt`): a remote
base not fetched, what the renderer says; one that renders only kinds checkov has no check
it always runs (a `kind: Component`, read through the overlays that include it; a
ConfigMap) is not.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Any

from reviewloop.checks.analyzers.base import AnalyzerContext, AnalyzerError
from reviewloop.checks.analyzers.checkov_related import Related, Source
from reviewloop.checks.analyzers.kustomize_render import (
    LISTED,
    NOT_STARTED,
    REMOTE,
    listed,
    load,
    remote,
    render,
    renderer,
    unsandboxed,
    verb,
)
from reviewloop.checks.analyzers.kustomize_render import NAMES as READ
from reviewloop.findings.schema import Finding
from reviewloop.sandbox.bubblewrap import SandboxMode

KIND = "kustomize"
FILES = ("kustomization.yaml", "kustomization.yml")  # checkov's kustomizeSupportedFileTypes
# READ: the names Kustomize itself reads a build's, a base's or a component's kustomization
# under: a build found by checkov's names follows a base named `Kustomization` too (fuzz7 D2)
# the fields whose entries name files or folders a build reads (Kustomize's own schema)
_GENERATED = ("configMapGenerator", "secretGenerator", "helmChartInflationGenerator")
_PATHED = ("patches", "patchesJson6902", "replacements")
_SKIPPED = frozenset({".git", "node_modules"})
NO_RENDERER = ("checkov renders the Kustomize build {build} (which reads this file) with "
               "`kubectl kustomize` or `kustomize build`, and neither is on PATH: checkov "
               "skips its kustomize framework without a word, so what the build's patches, "
               "images and bases make was not checked; fix: install kubectl or kustomize")
UNBUILT = ("checkov's Kubernetes checks reported nothing on this build's render: the "
           "renderer (`kubectl kustomize`, else `kustomize build`) failed on it, or it builds "
           "nothing checkov checks; run `kubectl kustomize` in its folder to see why")
FAILED = ("checkov reported nothing on this build: `{command}` in its folder fails offline "
          "({error}), which checkov does not say, so what the build makes was not checked; "
          "fix the build")


def unbuilt(root: Path, build: str, timeout: float, checked: frozenset[str],
            sandbox: SandboxMode = "auto") -> str | None:
    """Why checkov reported nothing on `build` (a kustomization file): a remote base it
    names (`REMOTE`: never fetched), no sandbox to render in (`sandbox`: the setting),
    what the renderer says when it fails offline; None when it renders only kinds outside
    `checked` (those checkov runs a check on whenever it reads one): nothing (a `kind:
    Component`, read through the builds that include it), a ConfigMap; else `UNBUILT`."""
    command = renderer()
    if command is None:
        return UNBUILT
    if refs := remote(root, root / build):
        return REMOTE.format(url=refs[0])
    if why := unsandboxed(sandbox):
        return why
    try:
        output = render(command, (root / build).parent, root, timeout, sandbox)
    except AnalyzerError as exc:
        return _failed(command, exc, root)
    kinds = _kinds(output)
    return UNBUILT if kinds is None or kinds & checked else None


def _failed(command: str, exc: AnalyzerError, root: Path) -> str:
    """`FAILED`, with what the renderer said (or that it did not finish in time); a
    renderer that could not start, as `render` said it (its own fix, not the build's)."""
    if str(exc).startswith(NOT_STARTED):
        return str(exc)
    said = str(exc).split(": ", 1)[-1]  # `kubectl exited with 1: …`
    for top in {os.path.realpath(root), str(root)}:  # paths in it from the tree's root
        said = said.replace(f"{top}/", "")
    return FAILED.format(command=" ".join((Path(command).name, *verb(command))),
                         error=" ".join(said.split()))


def rendered(targets: Mapping[str, str], at: Path, scratch: Path, ctx: AnalyzerContext
             ) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """(the other targets, {render: "kubernetes"}, {render: its kustomization file}) for
    the builds among `targets` (under `at`, the tree at `ctx.root`): each rendered here,
    offline in the sandbox `ctx.sandbox` asks for, unsandboxed with `"off"`
    (`kustomize_render`), its render read by checkov's Kubernetes
    checks, which its kustomize framework runs on a render, so checkov itself renders (and
    fetches) nothing. A build naming a remote base is not rendered, and one that does not
    render is an empty render: checkov reports nothing on it. The render that failed here
    (its renderer's error, or past `ctx.timeout` on a loaded machine) is named at once with
    what it said (`ctx.not_read`), never rendered again to ask why: a second render could
    succeed and call the build one that makes nothing checked; `unbuilt` names the rest."""
    rest = {path: kind for path, kind in targets.items() if kind != KIND}
    given: dict[str, str] = {}
    aliases: dict[str, str] = {}
    command = renderer()
    for index, path in enumerate(p for p, kind in targets.items() if kind == KIND):
        output = ""
        if command is not None and not remote(at, at / path) and not unsandboxed(ctx.sandbox):
            try:
                output = render(command, (at / path).parent, at, ctx.timeout, ctx.sandbox)
            except AnalyzerError as exc:
                ctx.not_read(path, _failed(command, exc, ctx.root))
        made = scratch / str(index) / "rendered.yaml"
        made.parent.mkdir(parents=True, exist_ok=True)
        made.write_text(output, encoding="utf-8")
        given[str(made)], aliases[str(made)] = "kubernetes", str(at / path)
    return rest, given, aliases


def _kinds(output: str) -> set[str] | None:
    """The kinds a render declares; None when it does not load (nothing known of it)."""
    import yaml

    try:
        documents = list(yaml.safe_load_all(output))
    except yaml.YAMLError:
        return None
    return {str(d.get("kind")) for d in documents if isinstance(d, dict)}


def builds(root: Path, changed: Iterable[str]) -> dict[str, frozenset[str]]:
    """{kustomization file: the changed files its build reads} for each build in the tree
    that reads one of `changed` (its kustomization file among them)."""
    wanted = frozenset(changed)
    return {path: hit for path, read in _every_build(root).items()
            if (hit := read & wanted)}


HOW = "is the Kustomize build that renders"  # how `checkov_related` words the relation


def targets(root: Path, changed: Iterable[str]) -> dict[str, str]:
    """{kustomization file: `KIND`} for each changed kustomization file, when checkov can
    render it (else none: `unrendered` names it); an unchanged one is `related`."""
    wanted = frozenset(changed)
    return {path: KIND for path in builds(root, wanted) if path in wanted} if renderer() \
        else {}


def related(root: Path, changed: Iterable[str]) -> Related:
    """The unchanged kustomization files whose builds read a changed file (a patch, a base
    manifest), each reached through those files, and every file the builds read (the base
    run renders them as they were); none without a renderer (`unrendered`)."""
    wanted = frozenset(changed)
    found = Related()
    if not renderer():
        return found
    every = _every_build(root)
    for build, hit in builds(root, wanted).items():
        if build not in wanted:
            for path in sorted(hit):
                found.add(build, KIND, Source(path, taken=False))
    found.read = tuple(sorted({p for build in found.files for p in every[build]} - wanted))
    return found


def unrendered(root: Path, changed: Iterable[str]) -> dict[str, str]:
    """{changed file: why} for each changed file a build reads, when checkov has no renderer."""
    why: dict[str, str] = {}
    if renderer():
        return why
    for build, hit in builds(root, changed).items():
        for path in sorted(hit):
            why.setdefault(path, NO_RENDERER.format(build=PurePosixPath(build).parent))
    return why


def read_by(root: Path, changed: Iterable[str]) -> frozenset[str]:
    """Every file the builds the change reaches read, for the base run to read them too."""
    every = _every_build(root)
    return frozenset(p for build in builds(root, changed) for p in every[build])


def placed(found: Finding, kind: object) -> Finding:
    """A finding of checkov's kustomize report on the first line of the kustomization file
    it names: its lines are the rendered manifest's, not that file's, so on the lines the
    change wrote they would keep every finding the base's build has too (`review.introduced`
    compares only what lies off them). Its resource is named without the build's name."""
    if kind != KIND and PurePosixPath(found.file).name not in READ:  # one `rendered` here
        return found
    symbol = found.symbol or ""
    if symbol.startswith(("overlay:", "base:")) and symbol.count(":") >= 2:
        # `overlay:<name>:<resource>`: checkov names the build after the other builds it was
        # given (`prod`, `overlays/prod`), which the base run may not share
        symbol = symbol.split(":", 2)[2]
    return found.model_copy(update={
        "start_line": 1, "end_line": 1, "symbol": symbol or None,
        "rationale": f"{found.rationale} (checkov reports it on the build's kustomization "
                     f"file, at lines {found.start_line}-{found.end_line} of the manifest "
                     "Kustomize rendered.)"})


def _every_build(root: Path) -> Mapping[str, frozenset[str]]:
    return _scanned(str(root), _stamp(root))


def _stamp(root: Path) -> tuple[tuple[str, float], ...]:
    """The kustomization files and their mtimes: a tree edited in place is scanned again."""
    return tuple(sorted((str(p), p.stat().st_mtime) for p in _kustomizations(root)))


@lru_cache(maxsize=8)
def _scanned(root: str, stamp: tuple[tuple[str, float], ...]) -> Mapping[str, frozenset[str]]:
    base = Path(root)
    return {_relative(base, Path(file)): frozenset(_relative(base, p) for p in
                                                   _inputs(Path(file), base, set()))
            for file, _ in stamp}


def _kustomizations(root: Path) -> Iterator[Path]:
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if d not in _SKIPPED]
        yield from (Path(folder) / name for name in names if name in READ)


def _inputs(file: Path, root: Path, seen: set[Path]) -> Iterator[Path]:
    """The kustomization file and every file its build reads, through its bases and
    components (each folder once: a cycle is Kustomize's error, not a hang here)."""
    if file.parent in seen:
        return
    seen.add(file.parent)
    yield file
    for entry in _entries(load(file)):
        if "://" in entry or entry.startswith("git@"):
            continue  # a remote base: no file of the change
        target = Path(os.path.normpath(file.parent / entry))
        if not _inside(target, root):
            continue
        if target.is_dir():
            nested = next((target / n for n in READ if (target / n).is_file()), None)
            if nested is not None:
                yield from _inputs(nested, root, seen)
        elif target.is_file():
            yield target


def _entries(document: Any) -> Iterator[str]:
    """The local paths a kustomization names (a URL or an inline patch is none)."""
    if not isinstance(document, dict):
        return
    for field in LISTED:
        yield from (e for e in listed(document.get(field)) if isinstance(e, str)
                    and "\n" not in e)
    for field in _PATHED:
        yield from (e["path"] for e in listed(document.get(field))
                    if isinstance(e, dict) and isinstance(e.get("path"), str))
    for field in _GENERATED:
        for generator in listed(document.get(field)):
            if isinstance(generator, dict):
                yield from _generated(generator)


def _generated(generator: dict[str, Any]) -> Iterator[str]:
    for key in ("files", "envs"):
        yield from (str(e).split("=", 1)[-1] for e in listed(generator.get(key)))
    if isinstance(generator.get("env"), str):
        yield generator["env"]


def _inside(target: Path, root: Path) -> bool:
    return target.is_relative_to(root)


def _relative(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix()
