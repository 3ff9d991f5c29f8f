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
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath

from reviewloop.checks.analyzers.base import AnalyzerError, run_tool_logged
from reviewloop.findings.schema import Finding

KIND = "helm"
CHART = "Chart.yaml"
RELEASE = "release"  # the release name, the same at the head and at the base
NO_HELM = ("this file belongs to the Helm chart {chart}: checkov renders a chart with `helm "
           "template` when helm is on PATH, and it is not, so what the chart's templates make "
           "with these values was not checked; fix: install helm (v3 or v4)")
FAILED = ("this file belongs to the Helm chart {chart}: `helm template` fails on it offline "
          "({error}), so what the chart makes was not checked; fix: {fix}")
_VENDOR = ("vendor its dependencies (`helm dependency build {chart}`, committing the "
           "`charts/` folder)")
_source = re.compile(r"^# Source: (.+)$", re.MULTILINE)
_SKIPPED = frozenset({".git", "node_modules"})


def helm() -> str | None:
    """The helm checkov would render with (`shutil.which` on the PATH it inherits)."""
    return shutil.which("helm")


def charts(root: Path, changed: Iterable[str]) -> dict[str, list[str]]:
    """{chart folder: the changed files in it} for each chart (the nearest folder above a
    changed file that holds a `Chart.yaml`) a changed file belongs to."""
    found: dict[str, list[str]] = {}
    folders: dict[str, str | None] = {}  # a folder's chart, looked up once a call
    for path in changed:
        folder = PurePosixPath(path).parent.as_posix()
        if folder not in folders:
            folders[folder] = chart_of(root, path)
        if (chart := folders[folder]) is not None:
            found.setdefault(chart, []).append(path)
    return found


def chart_of(root: Path, path: str) -> str | None:
    """The chart folder (a repository path, `.` for the root) `path` belongs to, if any."""
    for folder in PurePosixPath(path).parents:
        if (root / folder / CHART).is_file():
            return folder.as_posix()
    return None


def targets(root: Path, changed: Iterable[str]) -> dict[str, str]:
    """{changed file of a chart: `KIND`} when helm is on PATH (`rendered` renders them);
    else none (`unrendered` names them)."""
    return {path: KIND for files in charts(root, changed).values() for path in files} \
        if helm() else {}


def unrendered(root: Path, changed: Iterable[str], timeout: float) -> dict[str, str]:
    """{changed file of a chart: why} for each chart helm is missing for or fails on."""
    command = helm()
    why: dict[str, str] = {}
    for chart, files in charts(root, changed).items():
        if command is None:
            said = NO_HELM.format(chart=chart)
        else:
            try:
                render(command, root, chart, timeout)
                continue
            except AnalyzerError as exc:
                said = _failed(root, chart, str(exc))
        why |= dict.fromkeys(files, said)
    return why


def render(command: str, root: Path, chart: str, timeout: float) -> str:
    """`helm template` of the chart folder `chart` under `root`, offline, helm's homes in
    a scratch folder."""
    with tempfile.TemporaryDirectory(prefix="reviewloop-helm-") as home:
        env = {f"HELM_{name}_HOME": str(Path(home, name.lower()))
               for name in ("CACHE", "CONFIG", "DATA")}
        output, _ = run_tool_logged([command, "template", RELEASE, "."], root / chart,
                                    timeout, ok_codes=(0,), env={**env, "HOME": home})
    return output


def rendered(targets: Mapping[str, str], at: Path, scratch: Path, timeout: float
             ) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """(the other targets, {render: "kubernetes"}, {render: the chart file it is read
    as}) for the chart files among `targets`: each chart rendered at `at`, each template's
    documents a file of their own, read as that template when the change wrote it, else as
    the chart's first changed file (a `values.yaml`). A chart that does not render is an
    empty file: `unrendered` named its files."""
    rest = {path: kind for path, kind in targets.items() if kind != KIND}
    given: dict[str, str] = {}
    aliases: dict[str, str] = {}
    command = helm()
    mine = charts(at, (path for path, kind in targets.items() if kind == KIND))
    for index, (chart, files) in enumerate(sorted(mine.items())):
        try:
            output = render(command, at, chart, timeout) if command else ""
        except AnalyzerError:  # named (`unrendered`); read as an empty manifest, not skipped:
            output = ""  # checkov is still given a file of the framework it is asked for
        for part, (source, text) in enumerate((_by_source(output) or {"": ""}).items()):
            template = (PurePosixPath(chart) / source.split("/", 1)[-1]).as_posix()
            made = scratch / str(index) / str(part) / "rendered.yaml"
            made.parent.mkdir(parents=True, exist_ok=True)
            made.write_text(text, encoding="utf-8")
            shown = template if template in files else sorted(files, key=_values_first)[0]
            given[str(made)], aliases[str(made)] = "kubernetes", str(at / shown)
    return rest, given, aliases


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
    if found.source != "checkov" or chart_of(root, found.file) is None:
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
    said = error.split(": ", 1)[-1]  # `helm exited with 1: …`
    for top in {os.path.realpath(root), str(root)}:
        said = said.replace(f"{top}/", "")
    said = " ".join(said.split())
    vendor = "missing in charts/" in said or "dependenc" in said
    return FAILED.format(chart=chart, error=said,
                         fix=_VENDOR.format(chart=chart) if vendor else "fix the chart")
