"""One `cdk synth` of an app per tree state, in the sandbox, shared by the synth gate and the
analyzers that read its templates.

The project's own CLI (`node_modules/.bin/cdk`) runs inside `reviewloop.sandbox` with no
network, no AWS credentials or profile (the environment is scrubbed and `$HOME` is an empty
folder, so no `~/.aws` and no `~/.cdk.json`), context only from the app's `cdk.json` and
`cdk.context.json`, lookups disabled, and its output in a temporary folder, never the
project's `cdk.out`. Node records each construct's creation stack in the assembly
(`aws:cdk:creationStack`; `--stack-trace-limit` is raised so deep construct trees still reach
the user's frame, `--enable-source-maps` maps compiled JavaScript back to TypeScript). With a
cdk-nag folder, the same synth runs AwsSolutionsChecks through a preload (`nag_hook`).

Like `reviewloop.checks.coverage.measure`, the result is remembered under the tree's content
(`tree_key`), the app folder and the cdk-nag folder: a fix that changes any file synthesizes
again, and the last `KEEP` outputs are kept on disk (older ones are deleted).
"""

from __future__ import annotations

import json
import os
import shlex
import tempfile
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path, PurePosixPath

from reviewloop.checks.cdk.app import CLI, CdkApp, cli
from reviewloop.checks.cdk.language import PYTHON
from reviewloop.checks.cdk.nag_hook import HOOK
from reviewloop.checks.cdk.python_hook import HOOK as PYTHON_HOOK
from reviewloop.checks.cdk.python_hook import ORIGINS
from reviewloop.checks.coverage.measure import tree_key
from reviewloop.checks.gates.commands import run_shell
from reviewloop.checks.json_files import json_object
from reviewloop.sandbox.bubblewrap import Sandbox
from reviewloop.sandbox.process import CommandRun, looks_secret

# Asked of the `python3` on PATH: it finds aws_cdk without importing it.
_PROBE = "python3 -c 'import importlib.util as u, sys; sys.exit(u.find_spec(\"aws_cdk\") is None)'"
NO_CDK = ("reviewloop: the project has no virtualenv (.venv or venv) and the python3 on PATH "
          "cannot import aws_cdk, so the Python CDK app cannot run; fix: python3 -m venv .venv "
          "&& .venv/bin/pip install -r requirements.txt (or pip install aws-cdk-lib constructs "
          "for the python3 on PATH)")
KEEP = 4  # tree states remembered: a run needs two at a time (before and after a fix)
NAG_REPORT = "reviewloop-cdk-nag.json"
_QUIET = {"CDK_DISABLE_VERSION_CHECK": "true", "CDK_DISABLE_CLI_TELEMETRY": "true"}


@dataclass(frozen=True)
class Synth:
    """One synth: the command as shown, how it ended, and where its cloud assembly is (it
    stays there while the synth is remembered). `nag` is the cdk-nag folder it ran with."""

    app: CdkApp
    command: str
    run: CommandRun
    out: Path
    nag: Path | None

    @property
    def ok(self) -> bool:
        return not self.run.timed_out and self.run.exit_code == 0 and \
            (self.out / "manifest.json").is_file()

    @property
    def nag_report(self) -> Path:
        return self.out / NAG_REPORT

    @cached_property
    def origins(self) -> dict[str, list[str]]:
        """A Python app's construct paths and the frames that created them
        (`python_hook`); empty for any other app. Read once: each finding asks."""
        return origins_in(self.out)


def origins_in(out: Path) -> dict[str, list[str]]:
    """The construct paths and creation frames `python_hook` recorded in the synth output
    `out`; a line that cannot be read is left out."""
    found: dict[str, list[str]] = {}
    try:
        lines = (out / ORIGINS).read_text(encoding="utf-8").splitlines()
    except OSError:
        return found
    for line in lines:
        try:
            entry = json.loads(line)
            path, frames = str(entry["path"]), [str(f) for f in entry["frames"]]
        except (ValueError, KeyError, TypeError):
            continue
        found.setdefault(path, []).extend(frames)
    return found


@dataclass
class _Memo:
    synths: OrderedDict[str, tuple[Synth, tempfile.TemporaryDirectory[str]]] = \
        field(default_factory=OrderedDict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    busy: dict[str, threading.Lock] = field(default_factory=dict)
    started: int = 0  # synths this process ran (tests read it)


_MEMO = _Memo()


def synthesized(root: Path, app: CdkApp, *, sandbox: Sandbox, timeout: float,
                nag: Path | None) -> Synth:
    """The app at `app` in `root` synthesized, or the synth already made on this exact tree
    with the same cdk-nag folder; concurrent callers wait for one synth."""
    key = "\0".join((str(app.path(root).resolve()), str(nag), tree_key(root)))
    with _MEMO.lock:
        busy = _MEMO.busy.setdefault(key, threading.Lock())
    with busy:
        with _MEMO.lock:
            known = _MEMO.synths.get(key)
        if known is not None:
            return known[0]
        folder = tempfile.TemporaryDirectory(prefix="reviewloop-cdk-")
        synth = _synth(root, app, Path(folder.name), sandbox, timeout, nag)
        _remember(key, synth, folder)
        return synth


def synths_started() -> int:
    return _MEMO.started


def forget() -> None:
    """Drop every remembered synth and its output."""
    with _MEMO.lock:
        for _, folder in _MEMO.synths.values():
            folder.cleanup()
        _MEMO.synths.clear()
        _MEMO.busy.clear()


def _remember(key: str, synth: Synth, folder: tempfile.TemporaryDirectory[str]) -> None:
    with _MEMO.lock:
        _MEMO.synths[key] = (synth, folder)
        while len(_MEMO.synths) > KEEP:
            old, (_, stale) = _MEMO.synths.popitem(last=False)
            _MEMO.busy.pop(old, None)
            stale.cleanup()


def synth_command(out: Path, hook: Path | None, nag: Path | None,
                  cli: Path | PurePosixPath = CLI) -> str:
    """The shell command: the project's CLI, told where to write and what not to do."""
    options = ["--stack-trace-limit=100", "--enable-source-maps"]
    env = dict(_QUIET)
    if hook is not None and nag is not None:
        options.insert(0, f"--require={hook}")
        env |= {"REVIEWLOOP_CDK_NAG": str(nag),
                "REVIEWLOOP_CDK_NAG_REPORT": str(out / NAG_REPORT)}
    env["NODE_OPTIONS"] = " ".join(options)
    assignments = " ".join(f"{name}={shlex.quote(value)}" for name, value in env.items())
    return f"{assignments} {shlex.quote(str(cli))} synth --no-lookups --no-notices " \
           f"--no-version-reporting --quiet --output {shlex.quote(str(out))}"


def _synth(root: Path, app: CdkApp, folder: Path, sandbox: Sandbox, timeout: float,
           nag: Path | None) -> Synth:
    out = folder / "cdk.out"
    out.mkdir()
    hook = None
    if nag is not None:
        hook = folder / "reviewloop-cdk-nag.js"
        hook.write_text(HOOK, encoding="utf-8")
    app_dir = app.path(root)
    found = cli(app_dir, app.language)
    # a CLI outside the project (on PATH) runs from its real folder, shown read-only
    outside = found.resolve() if found is not None and not found.is_relative_to(root) else None
    command = synth_command(out, hook, nag, outside or found or CLI)
    environ = None
    if app.language is PYTHON:
        preload = folder / "python"
        preload.mkdir()
        (preload / "sitecustomize.py").write_text(PYTHON_HOOK, encoding="utf-8")
        command, environ = python_synth(command, app.venv, preload, out / ORIGINS)
    with _MEMO.lock:
        _MEMO.started += 1
    # The output folder is the one place outside the project the synth may write; the
    # project's folder is writable as for any build, but nothing is asked to go there.
    readable = tuple(p for p in (nag, outside and _cli_package(outside))
                     if p is not None and not p.is_relative_to(root))
    # No network and no credentials, whatever the settings pass to other commands: the
    # user's extra variables go in (an app may read its stage from one), AWS_* and secrets not.
    walls = Sandbox(mode=sandbox.mode, network=False,
                    env=tuple(n for n in sandbox.env if not looks_secret(n)),
                    read=(*sandbox.read, *readable))
    run = run_shell(command, app_dir, timeout, sandbox=walls, writable=(folder,),
                    environ=environ)
    shown = f"cdk synth (in {app.folder or '.'})"
    return Synth(app=app, command=shown, run=run, out=out, nag=nag)


def python_synth(command: str, venv: Path | None, preload: Path,
                 origins: Path) -> tuple[str, dict[str, str] | None]:
    """A Python app's synth: with the project's virtualenv first on PATH (the app's
    `python3` is its interpreter, and the sandbox shows it and its base interpreter), else
    the `python3` on PATH, asked first whether it can import aws-cdk-lib so a missing one is
    said with its fix rather than as the app's traceback. `preload` holds the
    `sitecustomize.py` that records each construct's creation line into `origins`."""
    # set in the command: the sandbox passes only allow-listed names of the environment
    assignments = " ".join(f"{name}={shlex.quote(value)}" for name, value in {
        "REVIEWLOOP_CDK_ORIGINS": str(origins),
        "PYTHONPATH": os.pathsep.join(
            p for p in (str(preload), os.environ.get("PYTHONPATH")) if p)}.items())
    command = f"{assignments} {command}"
    if venv is not None:
        path = f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"
        return command, {**os.environ, "PATH": path, "VIRTUAL_ENV": str(venv)}
    return f"{_PROBE} || {{ echo {shlex.quote(NO_CDK)} >&2; exit 3; }}; {command}", None


def _cli_package(cli_file: Path) -> Path | None:
    """The `aws-cdk` package a CLI on PATH belongs to (`…/node_modules/aws-cdk/bin/cdk`),
    which the sandbox shows read-only; None for any other file (a shim in `~/bin`, whose
    folders above it are the user's): the synth then fails, named, rather than show them."""
    for folder in cli_file.parents:
        manifest = folder / "package.json"
        if manifest.is_file():
            named = json_object(manifest).get("name")
            return folder if named == "aws-cdk" else None
    return None
