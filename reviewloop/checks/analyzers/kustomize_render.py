"""A Kustomize build rendered offline: in the sandbox, network off; a remote base never fetched.

`kubectl kustomize` (else `kustomize build`), the renderer checkov's kustomize framework runs
unsandboxed with the review's network, downloads a remote base (`resources: [https://…]`),
clones a git one (`github.com/org/repo//dir?ref=x`, `git@…`, `ssh://…`) and follows a remote
one named by a local base it reads: a file of the change would make the reviewer's machine
fetch any address it names (a cloud's metadata endpoint, the intranet) and put what answers
into the report. So the review renders every build itself (checkov is given the render,
never the build: `kustomize_overlays.rendered`), here: with `sandbox = "auto"` or `"bwrap"`
inside the sandbox (`sandbox/`: `--unshare-net`, the tree read-only, an empty home), as
ESLint's project config runs; with `sandbox = "off"` (the user's opt-out, the only way on
macOS) unsandboxed, as the project's other commands then run, and the network guarantee rests
on the static detection alone. Either way kustomize's exec and KRM plugins and Helm stay off
(no `--enable-alpha-plugins`, `--enable-exec`, `--enable-helm`). A build whose kustomization
file, or a local base's or component's, names a remote reference (`remote`) is not rendered
at all and is named (`REMOTE`); one the configured sandbox cannot run is named with the
setting and its fix (`NO_SANDBOX`).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from reviewloop.checks.analyzers.base import AnalyzerError
from reviewloop.sandbox.bubblewrap import SandboxMode, SandboxUnavailable

RENDERERS = ("kubectl", "kustomize")  # in checkov's order (`check_system_deps`)
# the names Kustomize reads a build's, a base's or a component's kustomization file under
NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
# the fields whose entries Kustomize loads, remote ones included (its own schema)
LISTED = ("resources", "bases", "components", "crds", "generators", "transformers",
           "validators", "patchesStrategicMerge", "configurations")
_PATHED = ("patches", "patchesJson6902")
_CHARTS = (("helmCharts", "repo"), ("helmChartInflationGenerator", "chartRepoUrl"))
# what Kustomize takes for a remote reference when no local path has the name: a URL
# (`https://`, `ssh://`, `file://`), go-getter's `git::…`, scp's `git@host:…`, a host's path
# (`github.com/org/repo`, `gitlab.example.com:8443/x`)
_REMOTE = re.compile(r"^(?:[A-Za-z][\w+.-]*://|[A-Za-z][\w+.-]*::|[\w.-]+@[\w.-]+:|"
                     r"[\w-]+(?:\.[\w-]+)+(?::\d+)?/)")
REMOTE = ("not read: remote base {url} not fetched (offline): Kustomize downloads or clones it "
          "to build this, and a review reaches no network for a file of the change, so what "
          "the build makes was not checked; fix: vendor the base into the repository and name "
          "its folder, or review it where it lives")
NO_SANDBOX = ("not read: the review renders a Kustomize build only in the sandbox, network "
              "off, and there is none here ({problem}), so what the build makes was not "
              "checked; fix: {fix}")
# a renderer that could not start in the sandbox: said whole, with where it is and its fix
NOT_STARTED = "not read: "
# what `sandbox = "off"` does to a build, told with the opt-out the sandbox's fix names
OFF = ('; with sandbox = "off" a Kustomize build is rendered unsandboxed, its plugins off, '
       "and one naming a remote base is still not rendered")


def renderer() -> str | None:
    """The command checkov would render with, found as checkov finds it (`shutil.which` on
    the PATH it inherits); None: checkov would skip the framework."""
    return next((found for name in RENDERERS if (found := shutil.which(name))), None)


def verb(command: str) -> list[str]:
    """The subcommand that builds: `kubectl kustomize`, `kustomize build`."""
    return ["kustomize" if Path(command).name == "kubectl" else "build"]


def unsandboxed(mode: SandboxMode = "auto") -> str | None:
    """`NO_SANDBOX` with why and the setting, when the sandbox `mode` asks for cannot run
    here (bwrap probed once a process); None with `"off"`: the build renders unsandboxed."""
    from reviewloop.sandbox.bubblewrap import unavailable

    exc = unavailable(mode)
    return None if exc is None else _no_sandbox(exc)


def _no_sandbox(exc: SandboxUnavailable) -> str:
    """`NO_SANDBOX` for `exc`: the setting it names (`where`), why, and its fix."""
    return NO_SANDBOX.format(problem=exc.stated, fix=f"{exc.fix}{OFF}")


def render(command: str, folder: Path, root: Path, timeout: float,
           mode: SandboxMode = "auto") -> str:
    """The manifests `command` builds from the kustomization in `folder` (inside the tree at
    `root`), run in the sandbox `mode` asks for, with no network and the tree read-only
    (`"off"`: unsandboxed, with the allow-listed environment only); AnalyzerError with what
    the renderer says, or why it could not run."""
    from reviewloop.sandbox import process, tools
    from reviewloop.sandbox.bubblewrap import Sandbox

    name = Path(command).name
    with tempfile.TemporaryDirectory(prefix="reviewloop-kustomize-") as work:
        made = Path(work, "rendered.yaml")  # not stdout: the sandbox's output joins stderr
        # by the path it was found at (a multi-call binary acts as its name says), each
        # folder on the way to its binary shown: a link on PATH may lead into a hidden
        # folder (Homebrew's Cellar, ~/.local/bin); the verb is the name it was found under
        argv = [command, *verb(command), str(folder.resolve()), "-o", str(made)]
        try:
            done = process.run(shlex.join(argv), Path(work), timeout,
                               sandbox=Sandbox(mode=mode, read=(root.resolve(),
                                                                *tools.shown(command))))
        except SandboxUnavailable as exc:
            raise AnalyzerError(_no_sandbox(exc)) from None
        if tools.not_started(done.exit_code) and mode != "off":
            raise AnalyzerError(NOT_STARTED + tools.said(name, command, done.output))
        if done.timed_out:
            raise AnalyzerError(f"{name} did not finish within {timeout:.0f}s")
        if done.exit_code != 0 or not made.is_file():
            raise AnalyzerError(f"{name} exited with {done.exit_code}: {done.output.strip()}")
        return made.read_text(encoding="utf-8", errors="replace")


def remote(root: Path, build: Path) -> list[str]:
    """The remote references the build of the kustomization file `build` names, in its own
    file or in a local base's or component's it reads (each folder once), in order."""
    return list(dict.fromkeys(_remote(build, root.resolve(), set())))


def _remote(file: Path, root: Path, seen: set[Path]) -> Iterator[str]:
    folder = file.parent
    if folder in seen:
        return
    seen.add(folder)
    for entry in _entries(load(file)):
        local = Path(os.path.normpath(folder / entry))
        if local.exists() or local.is_symlink():
            nested = next((local / n for n in NAMES if (local / n).is_file()), None)
            if nested is not None and nested.resolve().is_relative_to(root):
                yield from _remote(nested, root, seen)
        elif _REMOTE.match(entry):
            yield entry


def _entries(document: Any) -> Iterator[str]:
    """Every reference a kustomization may load from elsewhere, local or remote."""
    if not isinstance(document, dict):
        return
    for field in LISTED:
        yield from (e for e in listed(document.get(field)) if isinstance(e, str)
                    and "\n" not in e)
    for field in _PATHED:
        yield from (e["path"] for e in listed(document.get(field))
                    if isinstance(e, dict) and isinstance(e.get("path"), str))
    for field, key in _CHARTS:
        yield from (e[key] for e in listed(document.get(field))
                    if isinstance(e, dict) and isinstance(e.get(key), str) and e[key])


def listed(value: Any) -> list[Any]:
    """`value` when it is a list (a kustomization's field), else none."""
    return value if isinstance(value, list) else []


def load(file: Path) -> Any:
    """The kustomization `file` as YAML; None when it cannot be read or parsed."""
    import yaml  # only for a tree with a kustomization

    try:
        return yaml.safe_load(file.read_text(encoding="utf-8", errors="replace"))
    except (OSError, yaml.YAMLError):
        return None
