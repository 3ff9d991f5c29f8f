"""The project's own ESLint rules on the changed files: its config, as the trusted side has it,
run by reviewloop's ESLint in the sandbox; what it finds joins the ESLint views (security for a
security plugin's rules, maintainability for the rest, performance for none).

reviewloop's own isolated run (`eslint.py`) is untouched: this second run can only add.

* The config is the trusted side's: the user's own tree in a local review, else a copy of the
  base (`trust.base`) in which only the linted files carry the change's content — a change that
  edits `eslint.config.*`, or a file the config imports, runs the base's config, not its own.
* ESLint finds the config the way the project's own `eslint` does: the flat config nearest
  each file (nested ones included). `.eslintrc*` is not read: ESLint 10 dropped it.
* Its plugins come from the checkout's `node_modules`, which the change's own manifests
  installed: when the change touches `package.json` or a lockfile, the project's rules are not
  run (a new plugin version is the change's code).
* Inline `eslint-disable` comments are not honoured by the tool: which count is decided once,
  for every analyzer, by `reviewloop.checks.suppressions` (the trusted side's only).
* In the sandbox: no network, the trees read-only, an empty working folder, nothing written.

A rule reviewloop's own run reports on the same line is left to that run (one finding).
"""

from __future__ import annotations

import json
import logging
import os
import shlex
import shutil
import tempfile
from pathlib import Path, PurePosixPath
from typing import Any

from reviewloop.checks.analyzers import eslint_rules, npm_env
from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.analyzers.eslint_files import CONFIGS, MANIFESTS
from reviewloop.checks.analyzers.provision import TOOLS, home
from reviewloop.checks.analyzers.shared_run import SharedRuns
from reviewloop.errors import ReviewloopError
from reviewloop.git.repository import open_repository
from reviewloop.git.trees import export
from reviewloop.policy.trust import Trust
from reviewloop.sandbox import process
from reviewloop.sandbox.bubblewrap import Sandbox, SandboxUnavailable

log = logging.getLogger(__name__)
# plugins whose rules are about security: their findings go to the security reviewer
SECURITY_PLUGINS = ("security", "no-unsanitized", "security-node", "xss", "no-secrets",
                    "@microsoft/sdl")
# ESLint's own rules about code execution (all in reviewloop's set too: a project may run
# them with options of its own)
SECURITY_CORE = ("no-eval", "no-implied-eval", "no-new-func", "no-script-url")
SCRIPT = npm_env.manifests("eslint") / "project-lint.mjs"
TIMEOUT_S = 300.0
_MARK = "REVIEWLOOP-PROJECT-LINT "
Message = dict[str, Any]
_RUNS: SharedRuns[list[tuple[str, Message]]] = SharedRuns()  # one run, three readers


def category(rule: str) -> str:
    """The reviewer a project rule's finding goes to."""
    if rule in eslint_rules.RULES:
        return eslint_rules.category(rule)
    if rule in SECURITY_CORE:
        return eslint_rules.SECURITY
    plugin = rule.rsplit("/", 1)[0] if "/" in rule else ""
    return eslint_rules.SECURITY if plugin in SECURITY_PLUGINS else eslint_rules.MAINTAINABILITY


def project_messages(ctx: AnalyzerContext, files: list[str]) -> list[tuple[str, Message]]:
    """(repo path, ESLint message) for every message of the project's own rules on `files`;
    none when the project has no config, or it must not run (see the module's docstring)."""
    trust = ctx.trust
    if trust is None or not files or _manifests_changed(trust):
        return []
    return _RUNS.get(ctx.root, files, lambda: _lint(ctx.root, files, trust, ctx.timeout))


def _manifests_changed(trust: Trust) -> bool:
    changed = any(not trust.file(m) for m in MANIFESTS)
    if changed:
        log.info("the change touches the project's manifests: its ESLint rules are not run")
    return changed


def _lint(root: Path, files: list[str], trust: Trust,
          timeout: float) -> list[tuple[str, Message]]:
    tool_home, node = home(TOOLS["eslint"]), shutil.which("node")
    if tool_home is None or node is None:
        return []  # the views already say ESLint is missing
    with tempfile.TemporaryDirectory(prefix="reviewloop-eslint-project-") as folder:
        try:
            tree = _trusted_tree(root, files, trust, Path(folder))
        except (ReviewloopError, OSError) as exc:  # only adds findings: never fails the views
            log.warning("the project's ESLint rules were not run: %s", exc)
            return []
        if tree is None or not _has_config(tree, files):
            return []
        work = Path(folder) / "work"
        work.mkdir()
        modules = root / "node_modules"
        read = (tool_home, tree, *((modules.resolve(),) if modules.is_dir() else ()))
        command = shlex.join([node, str(SCRIPT), str(tree), *(str(tree / f) for f in files)])
        env = {**os.environ, "REVIEWLOOP_ESLINT_HOME": str(tool_home), "NODE_OPTIONS": "",
               "NODE_PATH": ""}
        try:
            done = process.run(command, work, min(timeout, TIMEOUT_S), environ=env,
                               sandbox=Sandbox(env=("REVIEWLOOP_ESLINT_HOME",), read=read))
        except SandboxUnavailable as exc:
            log.warning("the project's ESLint rules were not run: %s", exc)
            return []
        return _parsed(done.output, done.exit_code, tree)


def _trusted_tree(root: Path, files: list[str], trust: Trust, folder: Path) -> Path | None:
    """The user's own tree (a local review), else a copy of the base with the linted files as
    the change has them and the checkout's installed packages beside it."""
    if trust.trusted_all:
        return root.resolve()
    if trust.base is None:
        return None
    tree = folder / "base"
    export(open_repository(Path(trust.checkout) if trust.checkout else root), trust.base,
           str(tree))
    for name in files:
        if PurePosixPath(name).name in CONFIGS:
            continue  # the change's own config never configures its own review
        (tree / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(root / name, tree / name)
    modules = root / "node_modules"
    if modules.is_dir() and not (tree / "node_modules").exists():
        (tree / "node_modules").symlink_to(modules.resolve())
    return tree.resolve()


def _has_config(tree: Path, files: list[str]) -> bool:
    """Whether a flat config lies beside or above any of `files` inside `tree`."""
    folders = {tree / PurePosixPath(f).parent for f in files}
    above = {p for f in folders for p in (f, *f.parents) if p == tree or tree in p.parents}
    return any((folder / name).is_file() for folder in above for name in CONFIGS)


def _parsed(output: str, exit_code: int, tree: Path) -> list[tuple[str, Message]]:
    line = next((x for x in reversed(output.splitlines()) if x.startswith(_MARK)), None)
    if exit_code != 0 or line is None:
        log.warning("the project's ESLint rules could not run (exit %s): %s", exit_code,
                    output.strip()[-500:])
        return []
    return [(Path(result["filePath"]).relative_to(tree).as_posix(), message)
            for result in json.loads(line.removeprefix(_MARK))
            for message in result.get("messages") or [] if message.get("ruleId")]
