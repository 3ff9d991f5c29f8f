"""The project's own ESLint rules on the changed files: its config, as the trusted side has it,
run by reviewloop's ESLint in the sandbox; what it finds joins the ESLint views (security for a
security plugin's rules, maintainability for the rest, performance for none).

reviewloop's own isolated run (`eslint.py`) is untouched: this second run can only add.

* The config is the trusted side's: the user's own tree in a local review, else a copy of the
  base (`trust.base`), untouched, at whose places the change's texts of the linted files are
  linted — a change that edits `eslint.config.*`, or a file the config imports (even one it
  lints), runs the base's config, not its own. The change's TypeScript sources and tsconfigs
  are the head's in that copy (`eslint_types.py`): typed rules see the head's types.
* ESLint finds the config the way the project's own `eslint` does: the flat config nearest
  each file (nested ones included), or the one the project names with `eslint -c <path>` in
  its lint scripts, lint-staged config, Makefile or pre-commit hook (`eslint_named.py`, its
  findings say which), with its `--no-inline-config` when that command says it.
* Its plugins come from the checkout's `node_modules` (each of the linted files' folders and
  above, linked into the base's copy), which the change's own manifests installed: when the
  change touches a `package.json` or a lockfile in any folder, the base's config runs without
  any (nothing the change installed is loaded); one that needs them cannot load.
* A failed node call for several configs is made again per config: one that cannot load costs
  its own files only.
* Absence is a result: each file the project's rules would have linted but did not — it does
  not parse under the project's own `languageOptions` (a fatal message), the
  config could not load (no `node_modules`, no sandbox, a config that throws), it needs the
  change's packages, it is TypeScript and reviewloop's ESLint has no jiti to load it, or it is
  a legacy `.eslintrc*` ESLint 10 does not read — is named as not read, with the fix
  (`eslint_configs.py` tells which config each file has).
* Inline `eslint-disable` comments are not honoured by the tool: which count is decided once,
  for every analyzer, by `reviewloop.checks.suppressions` (the trusted side's only). The
  rules a trusted `/* eslint rule: "error" */` comment switches on are run (`eslint_inline`),
  unless the project's ESLint reads no inline configuration in the file (`noInlineConfig`).
* In the sandbox: no network, the trees read-only, an empty working folder, nothing written;
  the config is evaluated from the trusted tree's root, where the project runs `eslint .`
  (one may read `lint-rules.json` relative to the working folder). With `sandbox = "off"`
  (the user's opt-out, the only way on macOS) it runs unsandboxed, as the project's other
  commands then do; with `"auto"` or `"bwrap"` where no bwrap works, each file is named with
  the setting and its fix.

A rule reviewloop's own run reports on the same line is left to that run (one finding). What
the file's config declares is honoured by that run (`ProjectLint.honoured`): the globals it
defines, and no-undef / no-unused-vars where the project runs them itself, with its options.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shlex
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from reviewloop.checks.analyzers import (
    eslint_configs,
    eslint_named,
    eslint_rules,
    eslint_types,
    npm_env,
)
from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.analyzers.eslint_commands import Named
from reviewloop.checks.analyzers.eslint_files import MANIFESTS, installed, named_env
from reviewloop.checks.analyzers.eslint_inline import trusted_configs
from reviewloop.checks.analyzers.provision import TOOLS, home
from reviewloop.checks.analyzers.shared_run import SharedRuns
from reviewloop.errors import ReviewloopError
from reviewloop.findings.schema import Finding, Severity
from reviewloop.git.repository import open_repository
from reviewloop.git.trees import export
from reviewloop.policy.trust import Trust
from reviewloop.sandbox import process
from reviewloop.sandbox.bubblewrap import Sandbox, SandboxMode, SandboxUnavailable

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
VIEWS = (eslint_rules.SECURITY, eslint_rules.MAINTAINABILITY)  # where its findings can go
# why the project's rules did not run on a file its config lints (each with its fix)
NOT_LOADED = ("the project's ESLint config could not be loaded ({why}): its rules were not "
              "run; fix: {fix}")
INSTALL = "install the project's dependencies (npm ci) before reviewing"
# node's error for a file the config reads (`readFileSync`), not a package it imports
READ = ("the config reads a file the trusted side's tree does not hold (it runs from the "
        "project's root, as `eslint .` does): commit that file, or read it relative to the "
        "config (`new URL(\"./rules.json\", import.meta.url)`)")
# `git.dependencies` links only a real `node_modules` folder into a commit's export
LINKED = ("install the project's dependencies into a real node_modules folder (npm ci): a "
          "review of a commit does not follow the checkout's node_modules link")
NEEDS_CHANGED = ("the change edits {manifest}, which installs what the project's ESLint "
                 "config imports, and the base's config could not be loaded without the "
                 "change's packages ({why}): its rules were not run; fix: change the "
                 "manifests in a pull request of their own")
NO_SANDBOX = ("the project's ESLint config is code, run only in the sandbox, and there is "
              "none here ({why}): its rules were not run; {fix}")
NO_TREE = "the base could not be read for the project's ESLint config ({why}): its rules " \
          "were not run"
# a fatal message: the file does not parse as the project's `languageOptions` say (an
# `ecmaVersion`, a `sourceType` older than the change's syntax); plain `eslint` fails it
UNPARSED = ("the project's ESLint config could not parse it (line {line}: {why}; its own "
            "languageOptions): its rules were not run, and the project's `eslint` fails it")
OWN_UNPARSED = "could not parse it"  # reviewloop's own run's reason (`eslint.record_reads`)
PARSED_OTHERWISE = (
    "reviewloop's own ESLint rules (its security rules among them) could not parse it ({why}), "
    "while the project's ESLint config reads it with {how}, which reviewloop's rule set does "
    "not use: the project's own rules ran on it, reviewloop's did not; fix: {fix}")
PARSER_FIX = ("give a file in TypeScript syntax a TypeScript suffix (.ts, .tsx), which "
              "reviewloop lints with typescript-eslint's parser, or review it by hand")
PROCESSOR_FIX = ("review the code the project's plugin lints in it (a Markdown code block, an "
                 "inline <script>) by hand, or move that code into a .js file of its own")
Message = dict[str, Any]
RAISED_CONFIDENCE = 0.7  # a 🟡 ESLint finding's (`eslint.CONFIDENCE`)


@dataclass(frozen=True)
class ProjectLint:
    """The project's own rules on the changed files: (repo path, ESLint message) for each of
    their messages, and the files they would have linted and did not (path → why, the fix)."""

    messages: list[tuple[str, Message]] = field(default_factory=list)
    unread: dict[str, str] = field(default_factory=dict)
    declared: dict[str, Declared] = field(default_factory=dict)

    def honoured(self, own: list[Finding]) -> list[Finding]:
        """reviewloop's own findings but those the file's trusted config declares away: a
        no-undef on a global it defines (`languageOptions.globals`), and a rule it runs
        itself (its options, `argsIgnorePattern`, are the project's: its run judges it)."""
        kept = []
        for finding in own:
            said = self.declared.get(finding.file)
            name = re.match(r"'(.+)' is not defined", finding.title or "")
            if said is not None and (finding.rule in said.rules or (
                    finding.rule == "no-undef" and name and name[1] in said.globals)):
                continue
            kept.append(finding)
        return kept


    def explain(self, unread: dict[str, str]) -> dict[str, str]:
        """The new reasons of the files of `unread` reviewloop's own rules could not parse and
        the project's config parsed — with typescript-eslint's parser, through a processor —
        that reason, not as if their code did not parse."""
        return {path: PARSED_OTHERWISE.format(
            why=why.removeprefix(OWN_UNPARSED).strip(" ()"),
            how=said.reads or "its plugins", fix=PARSER_FIX if "parser" in said.reads
            and "processor" not in said.reads else PROCESSOR_FIX)
            for path, why in unread.items()
            if (said := self.declared.get(path)) is not None and why.startswith(OWN_UNPARSED)}

    def raised(self, own: list[Finding]) -> list[Finding]:
        """`own`, each 🟢 finding of a rule the project's config makes an error on that line
        raised to 🟡, as the project's own finding there would be: reviewloop's run keeps the
        one finding, and a project that set `detect-object-injection` to `"error"` (its sinks
        vetted, a new one to fail CI) is not told a nit."""
        errors = {(path, m["ruleId"], max(1, int(m.get("line") or 1)))
                  for path, m in self.messages if m.get("severity") == 2}
        return [f.moved(severity=Severity.SHOULD_FIX, confidence=RAISED_CONFIDENCE,
                        rationale=f"{f.rationale} The project's own ESLint config makes "
                        f"{f.rule} an error.")
                if f.severity is Severity.NIT and (f.file, f.rule, f.start_line) in errors
                else f for f in own]


@dataclass(frozen=True)
class Declared:
    """What a file's trusted config declares that reviewloop's own run honours."""

    globals: frozenset[str] = frozenset()
    rules: frozenset[str] = frozenset()
    reads: str = ""  # how, when not as plain JavaScript ("the parser typescript-eslint/parser")


_NONE = ProjectLint()
_RUNS: SharedRuns[ProjectLint] = SharedRuns()  # one run, three readers


def category(rule: str) -> str:
    """The reviewer a project rule's finding goes to."""
    if rule in eslint_rules.RULES:
        return eslint_rules.category(rule)
    if rule in SECURITY_CORE:
        return eslint_rules.SECURITY
    plugin = rule.rsplit("/", 1)[0] if "/" in rule else ""
    return eslint_rules.SECURITY if plugin in SECURITY_PLUGINS else eslint_rules.MAINTAINABILITY


def project_lint(ctx: AnalyzerContext, files: list[str]) -> ProjectLint:
    """The project's own rules on `files`; nothing when the project has no config for them, or
    the review has no trust (see the module's docstring)."""
    trust = ctx.trust
    if trust is None or not files:
        return _NONE
    # the config and packages of the reviewed tree, the texts of `root` (a base run's copy:
    # the same config lints the files as they were, `eslint_base`)
    return _RUNS.get(ctx.root, files, lambda: _lint(
        ctx.reviewed, files, trust, _Limits(ctx.timeout, ctx.sandbox), ctx.root,
        trusted_configs(ctx, files)), salt=ctx.sandbox)


def changed_manifest(trust: Trust, files: list[str]) -> str | None:
    """The first manifest the change touches in a folder of `files` or above them, whose
    `node_modules` the configs' imports resolve from (the packages installed there are the
    change's), if any: a manifest of a folder beside them (`docs/package.json`) installs
    nothing they load."""
    folders = {str(q) for f in files for q in PurePosixPath(f).parents}
    return next((p for p in sorted(trust.touched) if PurePosixPath(p).name in MANIFESTS
                 and str(PurePosixPath(p).parent) in folders), None)


@dataclass(frozen=True)
class _Limits:
    timeout: float
    mode: SandboxMode  # the `sandbox` setting ("off": unsandboxed)


def _lint(root: Path, files: list[str], trust: Trust, limits: _Limits,
          texts: Path, inline: Mapping[str, list[str] | None]) -> ProjectLint:
    tool_home, node = home(TOOLS["eslint"]), shutil.which("node")
    if tool_home is None or node is None:
        return _NONE  # the views already say ESLint is missing
    manifest = changed_manifest(trust, files)
    modules = manifest is None  # else none of the checkout's: the change installed them
    with tempfile.TemporaryDirectory(prefix="reviewloop-eslint-project-") as folder:
        try:
            tree = _trusted_tree(root, files, trust, Path(folder), texts)
        except (ReviewloopError, OSError) as exc:
            log.warning("the project's ESLint rules were not run: %s", exc)
            return ProjectLint(unread=dict.fromkeys(files, NO_TREE.format(why=exc)))
        if tree is None:
            return _NONE
        configs = eslint_named.NamedConfigs.of_tree(tree)
        named = configs.of(files)
        # run with `--no-inline-config`: no comment of the file is read (None)
        read = {**inline, **{f: None for f in files if configs.no_inline(f)}}
        unread = {f: why for f in files if (why := _unrunnable(tree, tool_home, f, named.get(f)))}
        linted = [f for f in files if f not in unread
                  and (f in named or eslint_configs.nearest(tree, f))]
        shown = installed(root, tree, files) if modules else ()
        try:
            run = _run(_Call(node, tool_home, tree, _texts(texts, tree, linted, Path(folder)),
                             Path(folder), shown, limits, read, named), linted)
        except SandboxUnavailable as exc:
            log.warning("the project's ESLint rules were not run: %s", exc)
            problem, _, fix = str(exc).strip().partition("\n")
            why = NO_SANDBOX.format(why=problem.strip(), fix=fix.strip())
            return ProjectLint(unread={**unread, **dict.fromkeys(linted, why)})
    messages, failed, declared = run
    for path, said in failed.items():
        unread[path] = (NEEDS_CHANGED.format(manifest=manifest, why=said) if manifest else
                        NOT_LOADED.format(why=said, fix=READ if "ENOENT" in said
                                          else _install_fix(root, trust, path)))
    unread.update((path, UNPARSED.format(line=m.get("line", "?"), why=str(m["message"])[:200]))
                  for path, m in messages if m.get("fatal"))
    return ProjectLint([(p, m) for p, m in messages if m.get("ruleId")], unread,
                       {p: d for p, d in declared.items() if p not in unread})


def _unrunnable(tree: Path, tool_home: Path, file: str,
                named: Named | None) -> str:
    """Why the project's rules cannot run on `file` ("" when they can): the config it names
    is no file of the tree, or `eslint_configs.unrunnable`."""
    return ((named.problem(tree) if named else None) or eslint_configs.unrunnable(
        tree, tool_home, file, named.config if named else None) or "")


@dataclass(frozen=True)
class _Call:
    node: str
    tool_home: Path
    tree: Path
    head: Path  # where the linted files' texts are (the change's), read into the tree's places
    folder: Path  # the run's temporary folder
    modules: tuple[Path, ...]  # the installed packages shown to it (real folders)
    limits: _Limits
    # file → its trusted comment configs (`eslint_inline`); None: its comments are not read
    inline: dict[str, list[str] | None]
    named: dict[str, Named]  # file → the config the project names for it


# the messages; path → its error; path → what its config declares
Outcome = tuple[list[tuple[str, Message]], dict[str, str], dict[str, Declared]]


def _run(call: _Call, files: list[str]) -> Outcome:
    """`project-lint.mjs` on `files` in the sandbox the setting asks for (`SandboxUnavailable`
    when there is none; "off": unsandboxed):
    the messages, and each file whose config could not load or whose lint failed, with why."""
    if not files:
        return [], {}, {}
    work = call.folder / "work"
    work.mkdir(exist_ok=True)
    command = shlex.join([call.node, str(SCRIPT), str(call.tree),
                          *(str(place / f) for f in files for place in (call.tree, call.head))])
    env = {**os.environ, "REVIEWLOOP_ESLINT_HOME": str(call.tool_home), "NODE_OPTIONS": "",
           "NODE_PATH": "", "REVIEWLOOP_INLINE_RULES": json.dumps(
               {str(call.tree / f): call.inline[f] for f in files if f in call.inline}),
           "REVIEWLOOP_NAMED_CONFIGS": named_env(call.tree, call.named, files)}
    done = process.run(command, work, min(call.limits.timeout, TIMEOUT_S), environ=env,
                       sandbox=Sandbox(mode=call.limits.mode,
                                       env=("REVIEWLOOP_ESLINT_HOME", "REVIEWLOOP_INLINE_RULES",
                                            "REVIEWLOOP_NAMED_CONFIGS"),
                                       read=(call.tool_home, call.tree, call.head,
                                             *call.modules)))
    messages, failed, declared = _parsed(done.output, done.exit_code, call.tree, files)
    return [(p, {**m, "via": f" {named.config}, as {named.source} runs it"}
             if (named := call.named.get(p)) else m) for p, m in messages], failed, declared


def _install_fix(root: Path, trust: Trust, path: str) -> str:
    """How to give the config of `path` its packages."""
    checkout = Path(trust.checkout) if trust.checkout else None
    folders = {str(q) for q in PurePosixPath(path).parents}
    if checkout is not None and any((checkout / q / "node_modules").is_symlink()
                                    and not (root / q / "node_modules").exists()
                                    for q in folders):
        return LINKED
    return INSTALL


def _trusted_tree(root: Path, files: list[str], trust: Trust, folder: Path,
                  texts: Path) -> Path | None:
    """The user's own tree (a local review), else a copy of the base: its configs and the
    files they import are the base's, each linted file's text is the change's, linted at its
    place in it (`project-lint.mjs`), so a changed `./eslint-shared.mjs` is the base's. The
    change's TypeScript sources and tsconfigs are laid over it (`types.overlay`): the type
    checker sees the head's types, as plain `eslint .` at the head does."""
    if trust.trusted_all:
        return root.resolve()
    if trust.base is None:
        return None
    tree = folder / "base"
    export(open_repository(Path(trust.checkout) if trust.checkout else root), trust.base,
           str(tree))
    for name in files:  # a new file's folder, where ESLint looks for its config
        (tree / name).parent.mkdir(parents=True, exist_ok=True)
    eslint_types.overlay(tree, texts, trust.touched, files)
    return tree.resolve()


def _texts(root: Path, tree: Path, files: list[str], folder: Path) -> Path:
    """Where the sandbox reads the linted files' texts, the change's: the tree itself when
    it is the user's own, else a copy beside it (the head's export may be in a folder the
    sandbox does not show, `/dev/shm`)."""
    if tree == root.resolve():
        return tree
    texts = folder / "head"
    for name in files:
        (texts / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(root / name, texts / name)
    return texts.resolve()


def _parsed(output: str, exit_code: int, tree: Path, files: list[str]) -> Outcome:
    """The messages of the run's report (a fatal one too: a parse error has no rule) and the
    files it could not lint, with why: all of them, with node's error line, when the run
    itself failed."""
    line = next((x for x in reversed(output.splitlines()) if x.startswith(_MARK)), None)
    if exit_code != 0 or line is None:
        log.warning("the project's ESLint rules could not run (exit %s): %s", exit_code,
                    output.strip()[-500:])
        why = first_error(output.replace(f"{tree}/", "")) or f"exit {exit_code}"
        return [], dict.fromkeys(files, why), {}
    report = json.loads(line.removeprefix(_MARK))
    where = {str(tree / f): f for f in files}
    failed = {where.get(str(name), str(name)): str(why).replace(f"{tree}/", "")[:200]
              for name, why in (report.get("errors") or {}).items()}
    if failed:
        log.warning("the project's ESLint config could not be loaded for %s", ", ".join(failed))
    return [(Path(result["filePath"]).relative_to(tree).as_posix(), message)
            for result in report["results"] for message in result.get("messages") or []
            if message.get("ruleId") or message.get("fatal")], failed, {
        where[str(name)]: Declared(frozenset(said.get("globals") or ()),
                                   frozenset(said.get("rules") or ()), str(said.get("reads") or ""))
        for name, said in (report.get("declared") or {}).items() if str(name) in where}


def first_error(output: str) -> str:
    """The line of node's output that says what went wrong, shortened."""
    lines = [x.strip() for x in output.splitlines() if x.strip()]
    said = next((x for x in lines if re.match(r"[\w.]*Error\b", x)),
                next((x for x in lines if "Error" in x), lines[0] if lines else ""))
    return said[:200]
