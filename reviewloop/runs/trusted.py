"""Which configuration a review trusts: for two commits (PR mode, `review --base/--head`) the
reviewer definitions, settings, governance and steering of the BASE commit, never the change's.

The configuration paths are exported from the base commit's git objects into a temporary
folder (regular files only: a symlink is never followed), and settings, agents and policy
are loaded from there. A change that touches one of those paths is reviewed like any other
change and also flagged with a 🟡 "changes review configuration" finding, so a pull request
can neither switch its own review off nor slip such a change through unnoticed.
"""

from __future__ import annotations

import json
import os
import tempfile
import tomllib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from reviewloop.checks.suppressions.config_files import lever, tables_in
from reviewloop.config import CONFIG_FILE, Settings
from reviewloop.errors import ConfigError
from reviewloop.findings.schema import Finding
from reviewloop.git.commit_files import CommitFiles
from reviewloop.git.diff import ChangeSet, parse_diff
from reviewloop.git.provenance import links_at
from reviewloop.git.repository import Repository
from reviewloop.policy.governance import KIRO_CONFIG
from reviewloop.policy.governance_file import GOVERNANCE_FILE
from reviewloop.policy.lever_tables import altered, relinked, tables_of
from reviewloop.policy.levers import lever_finding
from reviewloop.policy.trust import LeverKind
from reviewloop.review.definitions import KIRO_AGENTS_DIR

# (settings root, explicit config file or None) -> Settings; the CLI binds flags and env.
SettingsLoader = Callable[[Path, Path | None], Settings]

PYPROJECT = "pyproject.toml"
CONFIG_PATHS = (CONFIG_FILE, PYPROJECT, KIRO_AGENTS_DIR.as_posix(), KIRO_CONFIG,
                GOVERNANCE_FILE, ".kiro/steering")


@dataclass(frozen=True)
class TrustedConfig:
    """The settings to review with and where agents and governance are read from."""

    settings: Settings
    root: Path | None = None  # None: the checkout itself (a local review)
    base: str | None = None  # the commit the configuration came from
    head: str | None = None
    paths: tuple[str, ...] = ()  # repo-relative paths that configure the review


@contextmanager
def review_config(repo: Repository, base: str | None, head: str | None,
                  load: SettingsLoader, config_file: Path | None) -> Iterator[TrustedConfig]:
    """The base commit's configuration when a head commit is given, else the checkout's."""
    if head is None:
        yield TrustedConfig(load(repo.root, config_file))
        return
    with base_config(repo, base or repo.default_base(), head, load, config_file) as trusted:
        yield trusted


@contextmanager
def base_config(repo: Repository, base: str, head: str, load: SettingsLoader,
                config_file: Path | None) -> Iterator[TrustedConfig]:
    """Export the configuration of commit `base` and load it; the folder lives as long as
    the context (agent prompts are read from it)."""
    with tempfile.TemporaryDirectory(prefix="reviewloop-config-") as tmp:
        tree = Path(tmp)
        paths = list(CONFIG_PATHS)
        own = _inside(repo.root, config_file)
        if own is not None:
            paths.append(own)
        repo.export_files(base, paths, tree)
        if own is not None and not (tree / own).is_file():
            raise ConfigError(f"{own} is not in the base commit {base[:12]}",
                              where=str(config_file),
                              fix="commit it to the base branch first: configuration for a "
                                  "pull request is read from its base commit")
        settings = load(tree, tree / own if own is not None else config_file)
        dirs = []
        for folder in settings.agents_dirs:
            rel = _inside(tree, folder) or _inside(repo.root, folder)
            if rel is not None:
                repo.export_files(base, [rel], tree)
                paths.append(rel)
                folder = tree / rel
            dirs.append(folder)
        paths += _export_prompts(repo, base, tree, [tree / KIRO_AGENTS_DIR, *dirs])
        yield TrustedConfig(settings.model_copy(update={"agents_dirs": tuple(dirs)}),
                            root=tree, base=base, head=head, paths=tuple(paths))


def config_findings(repo: Repository, trusted: TrustedConfig,
                    changes: ChangeSet | None = None) -> list[Finding]:
    """A 🟡 finding for every configuration path the change from base to head touches;
    `changes` is base...head parsed, when the caller has it."""
    if trusted.base is None or trusted.head is None:
        return []
    if changes is None:
        changes = parse_diff(repo.diff_refs(trusted.base, trusted.head))
    flagged = []
    configuring = _configuring(trusted.paths)
    asked = {path: (lever(path), tables_of(path), configuring(path)) for path in changes.paths}
    asked = {path: facts for path, facts in asked.items() if any(facts)}
    # a lever made a symlink, or one retargeted: read through by the tool, never here
    links = [links_at(repo, rev, list(asked)) for rev in (trusted.base, trusted.head)]
    texts = [CommitFiles(repo, rev) for rev in (trusted.base, trusted.head)]
    for side in texts:
        side.want(path for path, (_, tables, _) in asked.items() if tables)
    for path, (found, tables, configures) in asked.items():
        link = relinked(links[0].get(path), links[1].get(path))
        if found is not None and found.kind is LeverKind.EXECUTED:
            flagged.append(_executed(path, found.owner, trusted.base, [link] if link else ()))
            continue
        for table in tables:  # a package.json's install scripts, a backend-path…
            if (parts := [link] if link else altered(
                    table, path, texts[0].read(path), texts[1].read(path))):
                flagged.append(_executed(path, table.owner, trusted.base, parts))
        if not configures:
            continue
        if path == PYPROJECT and link is None and not _reviewloop_section_changed(repo, trusted):
            continue
        diff = changes.file(path)
        line = next(iter(diff.added_lines), 1) if diff is not None else 1
        flagged.append(_flag(path, line, trusted.base, link))
    return flagged


def configures(trusted: TrustedConfig) -> Callable[[str], bool]:
    """Whether a repository path is one a review takes from its trusted side: a lever file
    (settings, reviewer definitions, steering, a tool's config or ignore file, a hook:
    `checks.suppressions.config_files.lever`), a shared file holding a tool's or a lever's
    table (pyproject.toml, package.json), or one of `trusted.paths` (the reviewer folders and
    prompt files its settings name). A base commit that changes none of them reviews a
    change as the one before it did (`github.followup`)."""
    configuring = _configuring(trusted.paths)
    return lambda path: lever(path) is not None or configuring(path) or bool(
        tables_in(path) or tables_of(path))


def _flag(path: str, line: int, base: str, link: str | None = None) -> Finding:
    how = f" The change {link}: reviewloop and the tools read through it." if link else ""
    return lever_finding(
        path, line, LeverKind.CONFIG,
        rationale=(f"{path} configures how reviewloop reviews changes (reviewers, their "
                   "scope and analyzers, settings, governance or steering). This review "
                   f"used the configuration of the base commit {base[:12]}; the change takes "
                   "effect once merged, and could switch reviewers off, narrow their scope "
                   f"or drop analyzers.{how}"),
        suggestion=("Have a maintainer review this configuration change on its own, "
                    "ideally in a pull request without code changes."))


def _executed(path: str, owner: str, base: str, parts: Sequence[str] = ()) -> Finding:
    """A file another tool runs or obeys (editor tasks, dev containers, CI, coverage
    settings, …), or the `parts` of a shared file that run code (`lever_tables`): what a
    reviewer of the code would not think to read."""
    what = f" ({'; '.join(parts)})" if parts else ""
    return lever_finding(
        path, 1, LeverKind.EXECUTED, level="file",
        rationale=(f"{path} is read by {owner}: it runs or steers commands on a developer's "
                   "machine or in CI (a task run when a folder opens, a dev container's "
                   "post-create command, an interpreter pin, a CI step, what coverage or the "
                   f"tests count, an install script). The change under review, against "
                   f"{base[:12]}, adds or edits it{what}."),
        suggestion=("Read it as code that will run: check every command it starts and every "
                    "setting it loosens before merging."))


def _configuring(paths: Sequence[str]) -> Callable[[str], bool]:
    """Whether a path is one of `paths` or inside one of them (a folder): asked of every
    changed file, each with one set lookup and one `startswith`, not a pass over `paths`."""
    exact = frozenset(paths)
    folders = tuple(p.rstrip("/") + "/" for p in paths)
    return lambda path: path in exact or path.startswith(folders)


def _reviewloop_section_changed(repo: Repository, trusted: TrustedConfig) -> bool:
    """pyproject.toml counts only when its [tool.reviewloop] table differs."""
    with tempfile.TemporaryDirectory(prefix="reviewloop-head-") as tmp:
        repo.export_files(trusted.head or "HEAD", [PYPROJECT], Path(tmp))
        sections = [_section(folder / PYPROJECT) for folder in (trusted.root, Path(tmp))
                    if folder is not None]
    return sections[0] != sections[1]


def _section(path: Path) -> object:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8")).get("tool", {}).get("reviewloop")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return "unreadable"  # compared as a change: a broken file is worth a look


def _export_prompts(repo: Repository, base: str, tree: Path,
                    folders: Sequence[Path]) -> list[str]:
    """The repository files that exported agent definitions name as `file://` prompts."""
    wanted = []
    for folder in folders:
        for agent in sorted(folder.glob("*.json")) if folder.is_dir() else ():
            try:
                prompt = json.loads(agent.read_text(encoding="utf-8-sig")).get("prompt")
            except (OSError, ValueError, AttributeError):
                continue  # the loader reports a broken file with its line
            raw = prompt.removeprefix("file://") if isinstance(prompt, str) and \
                prompt.startswith("file://") else None
            if not raw or raw.startswith(("/", "~")):
                continue
            rel = os.path.normpath(PurePosixPath(agent.parent.relative_to(tree).as_posix(), raw))
            if rel != ".." and not rel.startswith("../"):
                wanted.append(PurePosixPath(rel).as_posix())
    repo.export_files(base, wanted, tree)
    return wanted


def _inside(root: Path, path: Path | None) -> str | None:
    """`path` relative to `root` when it lies inside it (symlinks resolved), else None."""
    if path is None:
        return None
    real, top = os.path.realpath(path), os.path.realpath(root)
    if real != top and real.startswith(top + os.sep):
        return PurePosixPath(Path(real).relative_to(top).as_posix()).as_posix()
    return None
