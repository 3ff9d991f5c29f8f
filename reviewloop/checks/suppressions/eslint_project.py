"""The project's own ESLint config, as the trusted side has it: the files it ignores and the
rules it switches off, which then suppress reviewloop's ESLint findings there (listed as
suppressed, never gone).

reviewloop's rule set runs without the project's config (`analyzers/eslint.py`); this module
honours what the project decided, from the trusted side only:

* the config is the root `eslint.config.{js,mjs,cjs}` of the trusted tree: the user's own
  tree in a local review, else a copy of the base (`trust.base`) — so a pull request that
  edits the config, or a file the config imports, changes nothing here (and the edit is an
  `adds-suppression` finding of its own);
* the plugins it imports come from the checkout's `node_modules`, installed from the
  change's own manifests: when the change touches `package.json` or a lockfile the project's
  config is not read at all (a new plugin version could switch rules off);
* a flat config is JavaScript: it is evaluated with reviewloop's ESLint, in the sandbox (no
  network, the trees read-only), by `node/eslint/project-config.mjs`. One that cannot be
  evaluated suppresses nothing (logged).
"""

from __future__ import annotations

import json
import logging
import os
import shlex
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from reviewloop.checks.analyzers import npm_env
from reviewloop.checks.analyzers.provision import TOOLS, home
from reviewloop.checks.suppressions.files import TrustedFiles
from reviewloop.findings.ledger import Suppression
from reviewloop.findings.schema import Finding
from reviewloop.git.repository import Repository
from reviewloop.git.trees import export
from reviewloop.sandbox import process
from reviewloop.sandbox.bubblewrap import Sandbox, SandboxUnavailable

log = logging.getLogger(__name__)
CONFIGS = ("eslint.config.js", "eslint.config.mjs", "eslint.config.cjs")
MANIFESTS = ("package.json", "package-lock.json", "npm-shrinkwrap.json", "yarn.lock",
             "pnpm-lock.yaml")
SOURCES = ("eslint-security", "eslint-maintainability", "eslint-performance")
SUFFIXES = (".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx")
SCRIPT = npm_env.manifests("eslint") / "project-config.mjs"
_MARK = "REVIEWLOOP-PROJECT-CONFIG "
TIMEOUT_S = 120.0

Verdict = dict[str, Any]  # {"ignored": bool, "off": [rule, …]}


@dataclass
class ProjectEslint:
    """Asks the trusted side's ESLint config about a finding's file, once per file."""

    files: TrustedFiles
    repo: Repository
    _config: str | None = None
    _looked: bool = False
    _verdicts: dict[str, Verdict | None] = field(default_factory=dict)

    def __call__(self, finding: Finding) -> Suppression | None:
        if finding.source not in SOURCES or self.config() is None:
            return None
        verdict = self._verdict(finding.file)
        if verdict is None:
            return None
        where = f"{self._config} (the project's ESLint config)"
        if verdict.get("ignored"):
            return Suppression(kind="baseline", where=where,
                               reason=f"the project's ESLint config ignores {finding.file}")
        if finding.rule in (verdict.get("off") or ()):
            return Suppression(kind="baseline", where=where,
                               reason=f"the project's ESLint config turns {finding.rule} off")
        return None

    def config(self) -> str | None:
        """The trusted side's root flat config, or None (none, or not to be read)."""
        if not self._looked:
            self._looked = True
            self._config = self._find()
        return self._config

    def _find(self) -> str | None:
        trust = self.files.trust
        if not trust.trusted_all and trust.base is None:
            return None
        if not trust.trusted_all and any(not trust.file(m) for m in MANIFESTS):
            log.info("the change touches the project's manifests: its ESLint config is not read")
            return None
        return next((c for c in CONFIGS if self.files.trusted_text(c) is not None), None)

    def _verdict(self, path: str) -> Verdict | None:
        if path not in self._verdicts:
            wanted = {path, *(p for p in self.files.trust.added
                              if PurePosixPath(p).suffix in SUFFIXES)}
            self._verdicts.update(dict.fromkeys(wanted))
            self._verdicts.update(self._evaluate(sorted(wanted)))
        return self._verdicts[path]

    def _evaluate(self, paths: list[str]) -> dict[str, Verdict]:
        tool_home, node = home(TOOLS["eslint"]), shutil.which("node")
        if tool_home is None or node is None or self._config is None:
            return {}
        with tempfile.TemporaryDirectory(prefix="reviewloop-eslint-config-") as folder:
            tree = self._trusted_tree(Path(folder))
            modules = self.files.root / "node_modules"
            read = (tool_home, tree, *((modules.resolve(),) if modules.is_dir() else ()))
            sandbox = Sandbox(env=("REVIEWLOOP_ESLINT_HOME",), read=read)
            work = Path(folder) / "work"
            work.mkdir()
            command = shlex.join([node, str(SCRIPT), str(tree), str(tree / self._config),
                                  *(str(tree / p) for p in paths)])
            env = {**os.environ, "REVIEWLOOP_ESLINT_HOME": str(tool_home), "NODE_OPTIONS": ""}
            try:
                done = process.run(command, work, TIMEOUT_S, sandbox=sandbox, environ=env)
            except SandboxUnavailable as exc:
                log.warning("the project's ESLint config was not read: %s", exc)
                return {}
        return _parsed(done.output, tree, done.exit_code)

    def _trusted_tree(self, folder: Path) -> Path:
        """The user's own tree (a local review), else a copy of the base with the checkout's
        installed packages beside it."""
        trust = self.files.trust
        if trust.trusted_all or trust.base is None:
            return self.files.root.resolve()
        tree = folder / "base"
        export(self.repo, trust.base, str(tree))
        modules = self.files.root / "node_modules"
        if modules.is_dir() and not (tree / "node_modules").exists():
            (tree / "node_modules").symlink_to(modules.resolve())
        return tree.resolve()


def _parsed(output: str, tree: Path, exit_code: int) -> dict[str, Verdict]:
    line = next((x for x in reversed(output.splitlines()) if x.startswith(_MARK)), None)
    if exit_code != 0 or line is None:
        log.warning("the project's ESLint config could not be evaluated (exit %s): %s",
                    exit_code, output.strip()[-500:])
        return {}
    report = json.loads(line.removeprefix(_MARK))
    return {str(Path(name).relative_to(tree).as_posix()): verdict
            for name, verdict in report.items()}
