"""Files a project's own ESLint flat config lints beyond the suffixes reviewloop gives ESLint.

`{ files: ["**/*.es6"], rules: {…} }` in `eslint.config.mjs`: plain `eslint .` lints every
`.es6` file, as the project's users configured it. The review told ESLint's files by their
suffix alone, so such a file was text of no language — read by the secrets scan only — and the
review passed while `eslint .` reported an `eval` in it. Now the trusted side's configs (the
tree's for a review of the user's own change, the base's for a pull request or a run: a change
never widens or narrows its own review) decide which other changed files are ESLint's.

ESLint itself answers, not a reading of the JavaScript: `node/eslint/project-files.mjs` asks
`isPathIgnored` and `calculateConfigForFile` (the config nearest each file, as the project's
`eslint` finds it, or the one it names with `eslint -c`: `eslint_named`, run from where its
command runs) for all the changed files at once — one node call — in the sandbox (no
network, the tree read-only), as for the project's rules (`eslint_project.py`); with
`sandbox = "off"` (the user's opt-out, the only way on macOS) unsandboxed, as the project's
other commands then run. A file it lints

* as JavaScript (ESLint's own language, whatever the parser) or TypeScript (typescript-eslint's
  parser) is linted by reviewloop's ESLint as one (one it cannot parse is named as not read);
* in a plugin's language (JSON, Markdown, CSS) is named as not read: reviewloop's ESLint runs
  JavaScript and TypeScript only.

When the change touches a `package.json` or a lockfile (the packages installed in the
checkout are then the change's), the base's config is evaluated with none. A config that
cannot be evaluated — one that then imports a package, no Node.js or ESLint, no sandbox, a
config that throws — names as not read each other changed file of no language of its own
under it (what it lints may be in what it imports: a shared config, a package), never
quietly reads it as text. ESLint is asked once a review, for every changed file of no
language of its own. A caller without the
review's trust (`trust=None`) runs reviewloop's rule set on its suffixes only.
"""

from __future__ import annotations

import json
import logging
import os
import shlex
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from hashlib import sha256
from pathlib import Path, PurePosixPath

from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.analyzers.eslint_commands import CONFIGS, Named
from reviewloop.checks.analyzers.eslint_named import NamedConfigs
from reviewloop.checks.analyzers.trusted_config import trusted_text
from reviewloop.errors import ReviewloopError
from reviewloop.git.commit_files import CommitFiles
from reviewloop.git.diff import FileStatus
from reviewloop.git.names import is_utf8
from reviewloop.git.repository import open_repository
from reviewloop.git.trees import export, present
from reviewloop.memo import TextMemo
from reviewloop.policy.trust import Trust
from reviewloop.sandbox.bubblewrap import SandboxMode, SandboxUnavailable

log = logging.getLogger(__name__)
# the manifests that install what the flat configs ESLint finds by itself (`CONFIGS`)
# import (`eslint_project.py` reads the same)
MANIFESTS = ("package.json", "package-lock.json", "npm-shrinkwrap.json", "yarn.lock",
             "pnpm-lock.yaml")
TIMEOUT_S = 120.0
_MARK = "REVIEWLOOP-PROJECT-FILES "
OTHER = ("the project's ESLint config lints it in a plugin's language (not JavaScript or "
         "TypeScript), which reviewloop's ESLint does not run")
UNEVALUATED = ("the project's ESLint config could not be evaluated to tell whether it lints "
               "it ({why})")
NO_SANDBOX = ("the project's ESLint config is code, run only in the sandbox, and there is "
              "none here ({why}): whether it lints it was not asked; {fix}")
NOT_UTF8 = ("its name is not UTF-8, which ESLint cannot be given: whether the project's ESLint "
            "config lints it was not asked")


@dataclass(frozen=True)
class Declared:
    """The changed files the trusted configs make ESLint's, beyond its own suffixes."""

    js: tuple[str, ...] = ()
    ts: tuple[str, ...] = ()
    unread: dict[str, str] = field(default_factory=dict)  # path → why reviewloop cannot lint it

    @property
    def linted(self) -> tuple[str, ...]:
        return (*self.js, *self.ts)

    def within(self, files: frozenset[str]) -> Declared:
        """What this says of `files` alone."""
        return Declared(tuple(p for p in self.js if p in files),
                        tuple(p for p in self.ts if p in files),
                        {p: why for p, why in self.unread.items() if p in files})


_NONE = Declared()
_MEMO: TextMemo[Declared] = TextMemo(keep=4, from_chars=0)
_MEMO_PASSED: TextMemo[dict[str, str]] = TextMemo(keep=4, from_chars=0)  # the views share it


def declared(ctx: AnalyzerContext, known: Sequence[str]) -> Declared:
    """Those of the reviewer's files but `known` (ESLint's by suffix) the trusted side's flat
    configs lint, and as what. Asked once a review for every changed file of no language of
    its own (reviewers with other scopes share the answer), in the trusted tree; a file
    whose name is not UTF-8, which ESLint cannot be given, is named as not read under a
    config."""
    trust = ctx.trust
    if trust is None or (not trust.trusted_all and trust.base is None):
        return _NONE
    changed: list[str] = ctx.once("eslint-files:changed", lambda: [  # asked by each step
        f.path for f in ctx.changes.files
        if f.status is not FileStatus.DELETED and ctx.language(f.path) is None])
    asked = tuple(p for p in changed if is_utf8(p))
    odd = [p for p in changed if not is_utf8(p)]
    root = ctx.reviewed  # a base run's too (`eslint_base`): the same files are ESLint's
    if trust.trusted_all:  # the user's tree: asked again for another diff (a fix round)
        key = "\0".join((str(root), sha256(ctx.diff_text.encode()).hexdigest(), *asked))
    else:  # a commit never changes: its answer is remembered whole
        key = "\0".join((str(root), str(trust.base), *asked))
    key = f"{ctx.sandbox}\0{key}"  # "off" evaluates where "auto" may not
    named, blocked = _named(ctx, asked)
    asked = tuple(p for p in asked if p not in blocked)
    answer = _MEMO.get(key, lambda: _ask(root, trust, asked, named, ctx.timeout, ctx.sandbox)) \
        if asked else _NONE
    answer = replace(answer, unread={**answer.unread, **blocked}) if blocked else answer
    if odd:
        configs = _configs(root, trust, odd)
        answer = replace(answer, unread={**answer.unread, **{
            p: NOT_UTF8 for p in odd if _above(p, configs)}})
    return answer.within(frozenset(ctx.files) - set(known))


IGNORED = "the project's ESLint config, which ignores it or lints no such file"


def passed_by(ctx: AnalyzerContext, paths: Sequence[str]) -> dict[str, str]:
    """Those of `paths` (any, in the trusted tree; a renamed file's old path) plain `eslint .`
    passes by there, as ESLint answers for the trusted configs (`ignores: ["legacy/**"]`,
    no config's `files`), with why; none when it cannot be asked (no trust, no config above
    them, a config that cannot be evaluated)."""
    trust = ctx.trust
    asked = tuple(sorted({p for p in paths if is_utf8(p)}))
    if trust is None or (not trust.trusted_all and trust.base is None) or not asked:
        return {}
    root = ctx.reviewed
    key = "\0".join(("passed-by", ctx.sandbox, str(root), str(trust.base),
                      sha256(ctx.diff_text.encode()).hexdigest(), *asked))
    named, blocked = _named(ctx, asked)  # plain `eslint -c` fails without its config
    asked = tuple(p for p in asked if p not in blocked)
    return _MEMO_PASSED.get(key, lambda: _passed_by(root, trust, asked, named, ctx.timeout,
                                                    ctx.sandbox))


def _named(ctx: AnalyzerContext, paths: Sequence[str]) -> tuple[dict[str, Named], dict[str, str]]:
    """The configs the project names for `paths` (`eslint_named`: its scripts, lint-staged,
    Makefile, pre-commit hook), read once a review on the trusted side; and the paths whose
    named config cannot be used, with why (plain `eslint -c` fails on them)."""
    configs: NamedConfigs = ctx.once("eslint-files:named", lambda: NamedConfigs(
        lambda path: trusted_text(ctx, path)))
    named = configs.of(paths)
    blocked = {p: why for p, n in named.items() if (why := n.problem(configs.text))}
    return {p: n for p, n in named.items() if p not in blocked}, blocked


def _passed_by(root: Path, trust: Trust, asked: Sequence[str], named: dict[str, Named],
               timeout: float, mode: SandboxMode) -> dict[str, str]:
    configs = _configs(root, trust, asked)
    asked = [p for p in asked if p in named or _above(p, configs)]  # ESLint fails on none
    if not asked:
        return {}
    try:
        kinds = _kinds(root, trust, asked, named, timeout, mode)
    except (ReviewloopError, OSError, ValueError) as exc:  # SandboxUnavailable is one
        log.warning("the project's ESLint config could not be asked what it ignores: %s", exc)
        return {}
    return {p: IGNORED for p in asked if kinds.get(p) == "none"}


def _configs(root: Path, trust: Trust, asked: Sequence[str]) -> dict[str, str]:
    """The trusted side's flat configs beside or above any of `asked`: path → text."""
    folders = {q for p in asked for q in PurePosixPath(p).parents}
    names = sorted(f"{folder}/{name}".removeprefix("./") for folder in folders
                   for name in CONFIGS)
    if trust.trusted_all:
        found = {n: _text(root / n) for n in names}
    else:
        repo = open_repository(Path(trust.checkout) if trust.checkout else root)
        base = str(trust.base)
        found = CommitFiles(repo, base).read_all(sorted(present(repo, base, names)))
    return {n: t for n, t in found.items() if t is not None}


def _text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8", errors="replace") if path.is_file() else None
    except OSError:
        return None


def _ask(root: Path, trust: Trust, asked: Sequence[str], named: dict[str, Named],
         timeout: float, mode: SandboxMode) -> Declared:
    configs = _configs(root, trust, asked)
    asked = [p for p in asked if p in named or _above(p, configs)]  # ESLint fails on none
    if not asked:
        return _NONE
    try:
        kinds = _kinds(root, trust, asked, named, timeout, mode)
    except SandboxUnavailable as exc:  # named with the setting and its fix (`sandbox = "off"`)
        log.warning("the project's ESLint config could not be evaluated for its files: %s", exc)
        problem, _, fix = str(exc).strip().partition("\n")
        why = NO_SANDBOX.format(why=problem.strip(), fix=fix.strip())
        return Declared(unread=dict.fromkeys(asked, why))
    except (ReviewloopError, OSError, ValueError) as exc:
        log.warning("the project's ESLint config could not be evaluated for its files: %s", exc)
        return unevaluated(asked, str(exc))
    failed = unevaluated([p for p in asked if kinds.get(p, "").startswith("error ")],
                         "; ".join(sorted({k.removeprefix("error ") for k in kinds.values()
                                           if k.startswith("error ")})))
    return Declared(js=tuple(p for p in asked if kinds.get(p) == "js"),
                    ts=tuple(p for p in asked if kinds.get(p) == "ts"),
                    unread={**failed.unread,
                            **{p: OTHER for p in asked if kinds.get(p) == "other"}})


def unevaluated(asked: Sequence[str], why: str) -> Declared:
    """Each of `asked` (a file of no language of its own under a trusted config, or one the
    project names for it) as not read: what the config lints is in what it imports too (a
    shared config, a package), so no reading of its own text can tell."""
    lines = [x.strip() for x in why.splitlines() if "Error" in x] or why.splitlines() or [""]
    reason = UNEVALUATED.format(why=lines[0][:200])
    return Declared(unread=dict.fromkeys(asked, reason))


def _above(path: str, configs: dict[str, str]) -> list[str]:
    """The texts of `configs` beside or above `path`."""
    folders = {str(q) for q in PurePosixPath(path).parents}
    return [text for name, text in configs.items() if str(PurePosixPath(name).parent) in folders]


def _kinds(root: Path, trust: Trust, asked: Sequence[str], named: dict[str, Named],
           timeout: float, mode: SandboxMode) -> dict[str, str]:
    """path → "none" | "js" | "ts" | "other", as ESLint answers in the trusted tree, in the
    sandbox the setting `mode` asks for ("off": unsandboxed, as the project's commands)."""
    # loaded only when a changed file has a trusted config to ask (most reviews have none)
    from reviewloop.checks.analyzers import npm_env
    from reviewloop.checks.analyzers.provision import TOOLS, home
    from reviewloop.sandbox import process
    from reviewloop.sandbox.bubblewrap import Sandbox

    # a change to a manifest installed the checkout's packages: the base's config is then
    # evaluated with none (one that imports a package fails, and its files are named)
    bare = not trust.trusted_all and any(PurePosixPath(p).name in MANIFESTS
                                         for p in trust.touched)
    tool_home, node = home(TOOLS["eslint"]), shutil.which("node")
    if tool_home is None or node is None:
        raise ReviewloopError("ESLint or Node.js is not installed")
    with tempfile.TemporaryDirectory(prefix="reviewloop-eslint-files-") as folder:
        tree = _trusted_tree(root, trust, Path(folder))
        work = Path(folder) / "work"
        work.mkdir()
        read = (tool_home, tree, *(() if bare else installed(root, tree, asked)))
        script = npm_env.manifests("eslint") / "project-files.mjs"
        command = shlex.join([node, str(script), str(tree), *(str(tree / p) for p in asked)])
        env = {**os.environ, "REVIEWLOOP_ESLINT_HOME": str(tool_home), "NODE_OPTIONS": "",
               "NODE_PATH": "", "REVIEWLOOP_NAMED_CONFIGS": named_env(tree, named, asked)}
        done = process.run(command, work, min(timeout, TIMEOUT_S), environ=env,
                           sandbox=Sandbox(mode=mode, env=(
                               "REVIEWLOOP_ESLINT_HOME", "REVIEWLOOP_NAMED_CONFIGS"), read=read))
    line = next((x for x in reversed(done.output.splitlines()) if x.startswith(_MARK)), None)
    if done.exit_code != 0 or line is None:
        raise ReviewloopError(f"exit {done.exit_code}: {done.output.strip()[-500:]}")
    return {Path(name).relative_to(tree).as_posix(): str(kind)
            for name, kind in json.loads(line.removeprefix(_MARK)).items()}


def _trusted_tree(root: Path, trust: Trust, folder: Path) -> Path:
    """The user's own tree (a local review), else a copy of the base (no file of the change:
    only paths are asked about; `installed` links the checkout's packages into it)."""
    if trust.trusted_all:
        return root.resolve()
    tree = folder / "base"
    export(open_repository(Path(trust.checkout) if trust.checkout else root), str(trust.base),
           str(tree))
    return tree.resolve()


def installed(root: Path, tree: Path, files: Sequence[str]) -> tuple[Path, ...]:
    """The checkout's `node_modules` folders node resolves the configs' imports from (those of
    the files' folders and above: a sub-package's own too), linked into a copied `tree` at
    their places; their real places."""
    found = []
    for folder in sorted({str(q) for f in files for q in PurePosixPath(f).parents}):
        modules = root / folder / "node_modules"
        if not modules.is_dir():
            continue
        found.append(modules.resolve())
        place = tree / folder / "node_modules"
        if tree != root.resolve() and place.parent.is_dir() and not place.exists() \
                and not place.is_symlink():
            place.symlink_to(modules.resolve(), target_is_directory=True)
    return tuple(found)


def named_env(tree: Path, named: dict[str, Named], files: Sequence[str]) -> str:
    """`REVIEWLOOP_NAMED_CONFIGS` of the node scripts: each of `files` the project names a
    config for → [that config, the folder its command runs from], absolute in `tree`."""
    return json.dumps({str(tree / f): [str(tree / n.config), str(tree / n.cwd)]
                       for f in files if (n := named.get(f)) is not None})
