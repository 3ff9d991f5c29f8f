"""Which Helm charts a change reaches, rendered for checkov's Kubernetes checks.

Plain `checkov -d .` renders every folder holding a `Chart.yaml` with `helm template` when
`helm` is on its PATH (its helm framework) and runs its Kubernetes checks on the result. A
change to a chart's `values.yaml` (`privileged: true`), `Chart.yaml` or a template can make
a privileged pod that no file of the change shows as a manifest, and a template holding a
placeholder is no manifest checkov reads. So each chart a changed file belongs to is
rendered here as checkov renders it, offline (no `--dependency-update`: a dependency must be
vendored in its `charts/` folder) and with helm's homes in a folder of its own (no
repository, plugin or registry login of the user's), at the head and at the base; each
rendered document is read as the template it came from (its `# Source:` line), or, for a
template the change did not write, as the chart's first changed file (`rendered`). Without
helm, or when `helm template` fails, the change's files of that chart are named with why
and the fix (`unrendered`): what the chart makes was not checked.

A chart's templates are the change's text, run by helm's template engine (which reads
files, `.Files.Get`, and resolves names, `getHostByName`): so helm runs as a Kustomize build
renders (`kustomize_render`), as the `sandbox` setting says — with `"auto"` or `"bwrap"` in
the sandbox, network off, the tree read-only; with `"off"` (the user's opt-out, the only way
on macOS) unsandboxed, as the project's other commands then run. Where the setting's sandbox
cannot run, each chart is named with the setting and its fix (`NO_SANDBOX`). A dependency
its `Chart.yaml` names from a repository and its `charts/` folder does not vendor
(`unfetched`) is never fetched: the chart is not rendered and is named (`UNFETCHED`), whatever
the setting.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from contextlib import suppress
from pathlib import Path, PurePosixPath
from typing import NamedTuple

from reviewloop.checks.analyzers.base import AnalyzerContext, AnalyzerError
from reviewloop.checks.analyzers.helm_archives import INFLATED, packed
from reviewloop.checks.analyzers.helm_dependencies import unfetched
from reviewloop.findings.schema import Finding
from reviewloop.sandbox.bubblewrap import Sandbox, SandboxMode, SandboxUnavailable, unavailable

KIND = "helm"
_BELONGS = "this file belongs to the Helm chart {chart}: "
CHART = "Chart.yaml"
RELEASE = "release"  # the release name, the same at the head and at the base
NO_HELM = ("this file belongs to the Helm chart {chart}: checkov renders a chart with `helm "
           "template` when helm is on PATH, and it is not, so what the chart's templates make "
           "with these values was not checked; fix: install helm (v3 or v4)")
FAILED = ("this file belongs to the Helm chart {chart}: `helm template` fails on it offline "
          "({error}), so what the chart makes was not checked; fix: {fix}")
_VENDOR = ("vendor its dependencies (`helm dependency build {chart}`, committing the "
           "`charts/` folder)")
UNFETCHED = ("this file belongs to the Helm chart {chart}: its dependency {name} from "
             "{repository} is not in its charts/ folder and was not fetched (offline): helm "
             "downloads it to render the chart, and a review reaches no network for a file "
             "of the change, so what the chart makes was not checked; fix: " + _VENDOR)
NO_SANDBOX = ("this file belongs to the Helm chart {chart}: the review renders a chart only "
              "in the sandbox, network off, and there is none here ({problem}), so what the "
              "chart makes was not checked; fix: {fix}; with sandbox = \"off\" a chart is "
              "rendered unsandboxed, a dependency it does not vendor still never fetched")
SCHEMA_SKIPPED = ("the Helm chart {chart} was rendered with --skip-schema-validation, its values "
                  "not validated against {schema}: {why}")
_REFS = "it $refs {url}, which the review does not fetch (offline)"
_UNREAD = ("{unread}, so the review did not read it whole and whether a values.schema.json "
           "in it $refs a URL, which helm would fetch, was not checked")
_OLD_HELM = ("use helm 3.16 or later, whose --skip-schema-validation renders a chart whose "
             "values.schema.json $refs a URL offline")
_remote = re.compile(r"^(?!file:)[A-Za-z][A-Za-z0-9+.-]*:")  # a URL helm's validator fetches
_source = re.compile(r"^# Source: (.+)$", re.MULTILINE)
_SKIPPED = frozenset({".git", "node_modules"})


def helm() -> str | None:
    """The helm checkov would render with (`shutil.which` on the PATH it inherits)."""
    return shutil.which("helm")


def charts(root: Path, changed: Iterable[str]) -> dict[str, list[str]]:
    """{chart folder: the changed files of it helm renders} for each chart a changed file
    belongs to (`chart_of`); a chart's other files (its README, `.helmignore`, a Dockerfile
    beside a chart at the repository's root) are read as any file is."""
    found: dict[str, list[str]] = {}
    folders: dict[str, str | None] = {}  # a folder's chart, looked up once a call
    for path in changed:
        folder = PurePosixPath(path).parent.as_posix()
        if folder not in folders:
            folders[folder] = chart_of(root, path)
        if (chart := folders[folder]) is not None and _renders(chart, path):
            found.setdefault(chart, []).append(path)
    return found


def chart_of(root: Path, path: str) -> str | None:
    """The chart folder (a repository path, `.` for the root) `path` belongs to, if any: the
    nearest folder above it holding a `Chart.yaml`, or, for a subchart vendored in a
    chart's `charts/` folder, the outermost chart holding it, which `helm template` renders
    with its `global` values (as checkov renders the parent)."""
    found: str | None = None
    for folder in PurePosixPath(path).parents:
        if (root / folder / CHART).is_file():
            found = folder.as_posix()
        elif found is not None and folder.name != "charts":
            break  # above a chart, only a `charts/` folder leads to its parent chart
        if found is not None and PurePosixPath(found).parent.name != "charts":
            break
    return found


def _renders(chart: str, path: str) -> bool:
    """Whether helm reads `path` when it renders `chart`: its `Chart.yaml`, a values file,
    a template, a CRD, a subchart's."""
    inside = PurePosixPath(path).relative_to(chart) if chart != "." else PurePosixPath(path)
    first, name = inside.parts[0], inside.name
    if len(inside.parts) > 1:
        return first in ("templates", "crds", "charts")
    return name == CHART or (name.startswith("values") and name.endswith((".yaml", ".yml",
                                                                         ".json")))


def targets(root: Path, changed: Iterable[str]) -> dict[str, str]:
    """{changed file of a chart: `KIND`} when helm is on PATH (`rendered` renders them);
    else none (`unrendered` names them)."""
    return {path: KIND for files in charts(root, changed).values() for path in files} \
        if helm() else {}


def unrendered(root: Path, changed: Iterable[str], timeout: float,
               mode: SandboxMode = "auto") -> dict[str, str]:
    """{changed file of a chart: why} for each chart helm is missing for, whose dependency
    would be fetched, that the sandbox `mode` asks for cannot render, or that helm fails
    on."""
    command = helm()
    why: dict[str, str] = {}
    for chart, files in charts(root, changed).items():
        if command is None:
            said = NO_HELM.format(chart=chart)
        elif not (said := _unrenderable(root, chart, mode)):
            try:
                render(command, root, chart, timeout, mode)
                continue
            except AnalyzerError as exc:
                said = _failed(root, chart, str(exc))
        why |= dict.fromkeys(files, said)
    return why


def _unrenderable(root: Path, chart: str, mode: SandboxMode) -> str:
    """Why `chart` is not given to helm at all: a dependency helm would fetch (`UNFETCHED`),
    no sandbox where the setting asks for one (`NO_SANDBOX`); "" when it is."""
    if (missing := unfetched(root, chart)) is not None:
        return UNFETCHED.format(chart=chart, name=missing[0], repository=missing[1])
    if (exc := unavailable(mode)) is not None:
        return NO_SANDBOX.format(chart=chart, problem=exc.stated, fix=exc.fix)
    return ""


_HOMES = {**{f"HELM_{name}_HOME": name.lower() for name in ("CACHE", "CONFIG", "DATA")},
          "HELM_REPOSITORY_CONFIG": "repositories.yaml", "HELM_REGISTRY_CONFIG": "registry.json",
          "HELM_PLUGINS": "plugins", "KUBECONFIG": "kubeconfig", "HOME": "."}


def render(command: str, root: Path, chart: str, timeout: float,
           mode: SandboxMode = "auto") -> str:
    """`helm template` of the chart folder `chart` under `root`, offline, helm's homes,
    repository and registry files, plugins and kube config in a scratch folder, in the
    sandbox the setting `mode` asks for (network off, the tree read-only; `"off"`:
    unsandboxed); a chart holding a link that leads out of the repository is not rendered
    (helm follows it). AnalyzerError with what helm says, or why it could not run."""
    from reviewloop.sandbox import process, tools

    if (link := _link_out(root, chart)) is not None:
        raise AnalyzerError(f"{link} is a link out of the repository, which helm would read")
    with tempfile.TemporaryDirectory(prefix="reviewloop-helm-") as work:
        home, made = Path(work, "home"), Path(work, "rendered.yaml")
        home.mkdir()
        env = {name: str(home / place) for name, place in _HOMES.items()}
        # stdout to a file: the sandbox's stderr joins its output (helm's warnings)
        # helm by the path it was found at, each folder on the way to its binary shown: a
        # link on PATH may lead into a hidden one, a multi-call binary acts as its name says
        skip = ["--skip-schema-validation"] if remote_schema(root, chart) else []
        argv = shlex.join([command, "template", RELEASE, *skip,
                           str((root / chart).resolve())])
        try:
            done = process.run(f"{argv} > {shlex.quote(str(made))}", Path(work), timeout,
                               environ={**os.environ, **env},
                               sandbox=Sandbox(mode=mode, env=tuple(env),
                                               read=(root.resolve(),
                                                     *tools.shown(command))))
        except SandboxUnavailable as exc:
            raise AnalyzerError(NO_SANDBOX.format(chart=chart, problem=exc.stated,
                                                  fix=exc.fix)) from None
        if tools.not_started(done.exit_code) and mode != "off":
            raise AnalyzerError(_BELONGS.format(chart=chart)
                                + tools.said("helm", command, done.output))
        if done.timed_out:
            raise AnalyzerError(f"helm did not finish within {timeout:.0f}s")
        if done.exit_code != 0:
            raise AnalyzerError(f"helm exited with {done.exit_code}: {done.output.strip()}")
        return made.read_text(encoding="utf-8", errors="replace")


def rendered(targets: Mapping[str, str], at: Path, scratch: Path, ctx: AnalyzerContext
             ) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """(the other targets, {render: "kubernetes"}, {render: the chart file it is read
    as}) for the chart files among `targets`: each chart rendered at `at`, each template's
    documents a file of their own, read as that template when the change wrote it, else as
    the chart's first changed file (a `values.yaml`). A chart that does not render is an
    empty file, its changed files named with what helm said (`ctx.not_read`): `unrendered`
    rendered it before, and a render that fails only here (past `ctx.timeout` on a loaded
    machine) is no chart without findings."""
    rest = {path: kind for path, kind in targets.items() if kind != KIND}
    given: dict[str, str] = {}
    aliases: dict[str, str] = {}
    command = helm()
    mine = charts(at, (path for path, kind in targets.items() if kind == KIND))
    for index, (chart, files) in enumerate(sorted(mine.items())):
        try:  # one helm would fetch for, or with no sandbox: named (`unrendered`), not run
            output = render(command, at, chart, ctx.timeout, ctx.sandbox) \
                if command and not _unrenderable(at, chart, ctx.sandbox) else ""
            if output and (remote := remote_schema(at, chart)) is not None \
                    and (said := SCHEMA_SKIPPED.format(chart=chart, schema=remote.schema,
                                                       why=remote.why)) not in ctx.remarks:
                ctx.remark(said)  # once, not again for the base's render
        except AnalyzerError as exc:  # read as an empty manifest, not skipped: checkov is
            output = ""  # still given a file of the framework it is asked for
            for path in sorted(files):
                ctx.not_read(path, _failed(ctx.root, chart, str(exc)))
        for part, (source, text) in enumerate((_by_source(output) or {"": ""}).items()):
            template = (PurePosixPath(chart) / source.split("/", 1)[-1]).as_posix()
            made = scratch / str(index) / str(part) / "rendered.yaml"
            made.parent.mkdir(parents=True, exist_ok=True)
            made.write_text(text, encoding="utf-8")
            shown = template if template in files else sorted(files, key=_values_first)[0]
            given[str(made)], aliases[str(made)] = "kubernetes", str(at / shown)
    return rest, given, aliases


class Unvalidated(NamedTuple):
    """Why a chart renders with `--skip-schema-validation`: the schema it is about, and why."""

    schema: str
    why: str


def remote_schema(root: Path, chart: str) -> Unvalidated | None:
    """The first `$ref` to a URL in a `values.schema.json` of the chart or a subchart it
    vendors, as a folder or as an archive in a `charts/` folder
    (`app/charts/redis-1.0.0.tgz:redis/values.schema.json`): helm fetches it to validate
    the values, which the review's render, offline, cannot; or the first such archive that
    does not read whole (`helm_archives.packed`: past helm's own size limits, broken), whose
    schemas are then not checked, or past which the chart's archives together inflate past
    helm's limit on one (each is read once, `packed`'s cache); None when there is none."""
    inflated = 0
    for folder, dirs, names in sorted(os.walk(root / chart)):
        dirs[:] = sorted(d for d in dirs if d not in _SKIPPED)
        texts: list[tuple[str, str]] = []
        if "values.schema.json" in names:
            file = Path(folder, "values.schema.json")
            with suppress(OSError):  # helm says why
                texts.append((file.relative_to(root).as_posix(),
                              file.read_text(encoding="utf-8", errors="replace")))
        if Path(folder).name == "charts":  # the archives helm loads as subcharts
            for name in sorted(n for n in names if n.endswith(".tgz")
                               and not n.startswith(("_", "."))):
                archive = Path(folder, name)
                where, held = archive.relative_to(root).as_posix(), packed(archive)
                inflated += held.inflated
                if not held.unread and inflated > INFLATED:
                    held = held._replace(unread=f"the chart's archives up to it inflate past "
                                                f"{INFLATED >> 20} MiB together")
                if held.unread:
                    return Unvalidated(f"the schemas in {where}",
                                       _UNREAD.format(unread=held.unread))
                texts += [(f"{where}:{member}", text) for member, text in held.schemas]
        if (found := _remote_in(texts)) is not None:
            return Unvalidated(found[0], _REFS.format(url=found[1]))
    return None


def _remote_in(texts: list[tuple[str, str]]) -> tuple[str, str] | None:
    import json

    for where, text in texts:
        try:
            schema = json.loads(text)
        except ValueError:
            continue  # helm says why
        if (url := _ref(schema)) is not None:
            return where, url
    return None


def _ref(node: object) -> str | None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and _remote.match(ref):
            return ref
        node = list(node.values())
    if isinstance(node, list):
        return next((found for item in node if (found := _ref(item)) is not None), None)
    return None


def _link_out(root: Path, chart: str) -> str | None:
    """The first link in the chart folder that resolves outside `root`, if any."""
    top = root.resolve()
    for folder, dirs, names in os.walk(root / chart):
        dirs[:] = [d for d in dirs if d not in _SKIPPED]
        for name in (*dirs, *names):
            entry = Path(folder, name)
            if entry.is_symlink() and not entry.resolve().is_relative_to(top):
                return entry.relative_to(root).as_posix()
    return None


def read_by(root: Path, changed: Iterable[str]) -> frozenset[str]:
    """Every file of the charts the change reaches, for the base run to render them too."""
    found: set[str] = set()
    for chart in charts(root, changed):
        for folder, dirs, names in os.walk(root / chart):
            dirs[:] = [d for d in dirs if d not in _SKIPPED]
            found.update(Path(folder, name).relative_to(root).as_posix() for name in names)
    return frozenset(found)


def placed(found: Finding, root: Path) -> Finding:
    """A finding on a rendered chart's document on the first line of the file it is read
    as: its lines are the render's, not that file's."""
    if found.source != "checkov" or (chart := chart_of(root, found.file)) is None \
            or not _renders(chart, found.file):
        return found
    return found.model_copy(update={
        "start_line": 1, "end_line": 1,
        "rationale": f"{found.rationale} (checkov reports it on the manifest `helm template` "
                     f"rendered from this chart, at lines {found.start_line}-{found.end_line} "
                     "of it.)"})


def _by_source(output: str) -> dict[str, str]:
    """The rendered documents by the template each came from (`# Source: chart/x.yaml`)."""
    parts: dict[str, str] = {}
    for document in re.split(r"^---[ \t]*$", output, flags=re.MULTILINE):
        found = _source.search(document)
        if found and document.strip():
            source = found[1].strip()
            parts[source] = f"{parts[source]}---\n{document}" if source in parts else document
    return parts


def _values_first(path: str) -> tuple[bool, str]:
    return (not PurePosixPath(path).name.startswith("values"), path)


def _failed(root: Path, chart: str, error: str) -> str:
    if error.startswith(_BELONGS.format(chart=chart)):  # said whole, with its own fix
        return error
    said = error.split(": ", 1)[-1]  # `helm exited with 1: …`
    for top in {os.path.realpath(root), str(root)}:
        said = said.replace(f"{top}/", "")
    said = " ".join(said.split())
    vendor = "missing in charts/" in said or "dependenc" in said
    fix = _OLD_HELM if "unknown flag: --skip-schema-validation" in said else \
        _VENDOR.format(chart=chart) if vendor else "fix the chart"
    return FAILED.format(chart=chart, error=said, fix=fix)
