"""The project's own ESLint config, as the trusted side has it: the files it ignores and the
rules it switches off, which then suppress reviewloop's ESLint findings there (listed as
suppressed, never gone).

reviewloop's rule set runs without the project's config (`analyzers/eslint.py`); this module
honours what the project decided, from the trusted side only:

* the config of a file is the flat config NEAREST it (`eslint.config.*` in its folder or the
  closest above), as ESLint 10 and the project's own `eslint .` apply it: a sub-package's
  own config decides for its files, whatever the root's `ignores` or `"off"` say; or the
  one the project names with `eslint -c` (`eslint_named`: its lint scripts, lint-staged,
  Makefile, pre-commit hook), run from where its command runs, as plain `eslint -c` does
  (a named config that cannot be used suppresses nothing);
* the configs are the trusted tree's: the user's own tree in a local review, else a copy of
  the base (`trust.base`) — so a pull request that edits a config, or a file a config
  imports, cannot widen what is suppressed here (and the edit is an `adds-suppression`
  finding of its own, unless it only drops global ignores: `eslint_tightening`);
* the plugins they import come from the checkout's `node_modules` (the root's and those of
  the files' folders and above), installed from the change's own manifests: when the change
  touches the root's `package.json` or a lockfile the project's config is not read at all (a
  new plugin version could switch rules off);
* a flat config is JavaScript: it is evaluated with reviewloop's ESLint, in the sandbox (no
  network, the trees read-only), by `node/eslint/project-config.mjs`; with `sandbox = "off"`
  (the user's opt-out, the only way on macOS) unsandboxed, as the project's other commands
  then run. One that cannot be evaluated (no working sandbox under `"auto"`) suppresses
  nothing (logged);
* a suppression the trusted side's config makes holds only where the reviewed tree's config
  makes it too (evaluated the same way, only then): a change that removes an `ignores` entry
  or a rule's `"off"` tightens the project's lint, and plain `eslint .` at its head reports
  what it no longer hides. The change's config can only take suppressions away here; one
  that cannot be evaluated takes none away.
"""

from __future__ import annotations

import json
import logging
import os
import shlex
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path, PurePosixPath
from typing import Any

from reviewloop.checks.analyzers import npm_env
from reviewloop.checks.analyzers.eslint_files import named_env
from reviewloop.checks.analyzers.eslint_named import NamedConfigs
from reviewloop.checks.analyzers.provision import TOOLS, home
from reviewloop.checks.suppressions.files import TrustedFiles
from reviewloop.findings.ledger import Suppression
from reviewloop.findings.schema import Finding
from reviewloop.git.repository import Repository
from reviewloop.git.trees import export
from reviewloop.sandbox import process
from reviewloop.sandbox.bubblewrap import Sandbox, SandboxMode, SandboxUnavailable

log = logging.getLogger(__name__)
# ESLint's order at one folder (the TypeScript ones load with jiti)
CONFIGS = ("eslint.config.js", "eslint.config.mjs", "eslint.config.cjs", "eslint.config.ts",
           "eslint.config.mts", "eslint.config.cts")
MANIFESTS = ("package.json", "package-lock.json", "npm-shrinkwrap.json", "yarn.lock",
             "pnpm-lock.yaml")
SOURCES = ("eslint-security", "eslint-maintainability", "eslint-performance")
SUFFIXES = (".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx")
SCRIPT = npm_env.manifests("eslint") / "project-config.mjs"
_MARK = "REVIEWLOOP-PROJECT-CONFIG "
TIMEOUT_S = 120.0

# {"ignored": bool, "off": [rule, …], "config": its nearest config, "noInline": bool}
Verdict = dict[str, Any]


@dataclass
class ProjectEslint:
    """Asks the trusted side's ESLint config about a finding's file, once per file: every
    file it was told to `expect`, and a change's added files, in the same run."""

    files: TrustedFiles
    repo: Repository
    sandbox: SandboxMode = "auto"  # the setting the config is evaluated under
    _readable: bool = False
    _looked: bool = False
    _folders: dict[str, bool] = field(default_factory=dict)  # folder → a config is there
    _verdicts: dict[str, Verdict | None] = field(default_factory=dict)
    _heads: dict[str, Verdict | None] = field(default_factory=dict)  # the reviewed tree's
    _expected: set[str] = field(default_factory=set)  # asked about next, not yet evaluated

    def __call__(self, finding: Finding) -> Suppression | None:
        if finding.source not in SOURCES or not self.readable() \
                or not self._configured(finding.file):
            return None
        verdict = self._verdict(finding.file)
        if verdict is None:
            return None
        where = f"{verdict.get('config')} (the project's ESLint config)"
        head = self._head(finding.file) if verdict.get("ignored") or \
            finding.rule in (verdict.get("off") or ()) else None
        if head is not None and not head.get("ignored"):
            verdict = {**verdict, "ignored": False,
                       "off": [r for r in verdict.get("off") or () if r in (head.get("off") or ())]}
        if verdict.get("ignored"):
            return Suppression(kind="baseline", where=where,
                               reason=f"the project's ESLint config ignores {finding.file}")
        if finding.rule in (verdict.get("off") or ()):
            return Suppression(kind="baseline", where=where,
                               reason=f"the project's ESLint config turns {finding.rule} off")
        return None

    def no_inline(self, path: str) -> str | None:
        """The flat config that switches inline configuration off for `path`
        (`linterOptions.noInlineConfig`), the trusted side's, else the reviewed tree's
        (which can only take waivers away); None: neither does, or it cannot be told."""
        if not self.readable() or not self._configured(path):
            return None
        for verdict in (self._verdict(path), self._head(path)):
            if verdict is not None and verdict.get("noInline"):
                return str(verdict.get("config"))
        return None

    def evaluated(self, path: str) -> bool:
        """Whether ESLint itself gave the trusted side's flat config's settings for `path`
        (what `no_inline` says is then ESLint's word, not a guess)."""
        return self.readable() and self._configured(path) and self._verdict(path) is not None

    def expect(self, findings: Iterable[Finding]) -> None:
        """The findings about to be asked about: their files' verdicts are made in the run
        the first one asks for (a working-tree review's change is not `trust.added`; one
        run per file was one sandboxed node and one base copy each)."""
        self._expected.update(f.file for f in findings if f.source in SOURCES
                              and f.file not in self._verdicts)

    def readable(self) -> bool:
        """Whether the trusted side's configs are to be read at all."""
        if not self._looked:
            self._looked = True
            trust = self.files.trust
            self._readable = trust.trusted_all or (trust.base is not None and all(
                trust.file(m) for m in MANIFESTS))
            if not self._readable and trust.base is not None:
                log.info("the change touches the project's manifests: its ESLint config is "
                         "not read")
        return self._readable

    @cached_property
    def _named(self) -> NamedConfigs:
        """The configs the trusted side names (`eslint -c`), its files read once."""
        return NamedConfigs(self.files.trusted_text)

    def _configured(self, path: str) -> bool:
        """Whether the trusted side has a flat config beside `path` or above it, or names
        one for it (`eslint_named`)."""
        if self._named.named(path) is not None:
            return True
        for folder in PurePosixPath(path).parents:
            key = str(folder)
            if key not in self._folders:
                prefix = "" if key == "." else f"{key}/"
                self._folders[key] = any(self.files.trusted_text(prefix + name) is not None
                                         for name in CONFIGS)
            if self._folders[key]:
                return True
        return False

    def _verdict(self, path: str) -> Verdict | None:
        if path not in self._verdicts:
            added = (p for p in self.files.trust.added if PurePosixPath(p).suffix in SUFFIXES)
            wanted = {path, *(p for p in (*self._expected, *added)
                              if p not in self._verdicts and self._configured(p))}
            self._expected.clear()
            self._verdicts.update(dict.fromkeys(wanted))
            self._verdicts.update(self._evaluate(sorted(wanted)))
        return self._verdicts[path]

    def _head(self, path: str) -> Verdict | None:
        """The reviewed tree's verdict on `path`, when it is not the trusted one (None: the
        same tree, or one that could not be evaluated)."""
        trust = self.files.trust
        if trust.trusted_all or trust.base is None:
            return None
        if path not in self._heads:
            wanted = sorted(p for p, v in self._verdicts.items() if v is not None
                            and p not in self._heads)
            self._heads.update(dict.fromkeys(wanted))
            self._heads.update(self._evaluate(wanted, head=True))
        return self._heads.get(path)

    def _evaluate(self, paths: list[str], *, head: bool = False) -> dict[str, Verdict]:
        tool_home, node = home(TOOLS["eslint"]), shutil.which("node")
        if tool_home is None or node is None:
            return {}
        log.debug("the project's ESLint config evaluated in %s for %d file(s)",
                  "the reviewed tree" if head else "the trusted tree", len(paths))
        with tempfile.TemporaryDirectory(prefix="reviewloop-eslint-config-") as folder:
            tree = self.files.root.resolve() if head else self._trusted_tree(Path(folder))
            read = (tool_home, tree, *self._installed(tree, paths))
            sandbox = Sandbox(mode=self.sandbox, read=read,
                              env=("REVIEWLOOP_ESLINT_HOME", "REVIEWLOOP_NAMED_CONFIGS"))
            # the configs its side names (`eslint -c`); a file whose named config cannot be
            # used gets no verdict (plain `eslint -c` fails on it: nothing is suppressed)
            named = NamedConfigs.of_tree(tree).of(paths)
            paths = [p for p in paths if p not in named or named[p].problem(tree) is None]
            work = Path(folder) / "work"
            work.mkdir()
            command = shlex.join([node, str(SCRIPT), str(tree),
                                  *(str(tree / p) for p in paths)])
            env = {**os.environ, "REVIEWLOOP_ESLINT_HOME": str(tool_home), "NODE_OPTIONS": "",
                   "REVIEWLOOP_NAMED_CONFIGS": named_env(tree, named, paths)}
            try:
                done = process.run(command, work, TIMEOUT_S, sandbox=sandbox, environ=env)
            except SandboxUnavailable as exc:
                log.warning("the project's ESLint config was not read: %s", exc)
                return {}
        return _parsed(done.output, tree, done.exit_code)

    def _trusted_tree(self, folder: Path) -> Path:
        """The user's own tree (a local review), else a copy of the base (`_installed` links
        the checkout's packages into it)."""
        trust = self.files.trust
        if trust.trusted_all or trust.base is None:
            return self.files.root.resolve()
        tree = folder / "base"
        export(self.repo, trust.base, str(tree))
        for name in self._verdicts:  # a new file's folder, where ESLint looks for its config
            (tree / name).parent.mkdir(parents=True, exist_ok=True)
        return tree.resolve()

    def _installed(self, tree: Path, paths: list[str]) -> tuple[Path, ...]:
        """The checkout's `node_modules` folders the configs' imports resolve from (the root's,
        and those of the files' folders and above, as node finds them), linked into a copied
        `tree` at their places; their real places."""
        found = []
        for name in sorted({str(q) for p in paths for q in PurePosixPath(p).parents}):
            modules = self.files.root / name / "node_modules"
            if not modules.is_dir():
                continue
            found.append(modules.resolve())
            place = tree / name / "node_modules"
            if tree != self.files.root.resolve() and place.parent.is_dir() \
                    and not place.exists() and not place.is_symlink():
                place.symlink_to(modules.resolve(), target_is_directory=True)
        return tuple(found)


def _parsed(output: str, tree: Path, exit_code: int) -> dict[str, Verdict]:
    line = next((x for x in reversed(output.splitlines()) if x.startswith(_MARK)), None)
    if exit_code != 0 or line is None:
        log.warning("the project's ESLint config could not be evaluated (exit %s): %s",
                    exit_code, output.strip()[-500:])
        return {}
    report = json.loads(line.removeprefix(_MARK))
    return {str(Path(name).relative_to(tree).as_posix()): verdict
            for name, verdict in report.items()}
