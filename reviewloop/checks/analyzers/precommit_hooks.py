"""The config file a project's own pre-commit hook hands its tool (`args:` of the hook in the
trusted `.pre-commit-config.yaml`), read as that tool's command line reads it.

`- id: bandit` with `args: ['-c', 'security/bandit-config.yml']` is how bandit is wired in
pre-commit, and `ruff-pre-commit`'s `- id: ruff` with `args: [--config, ci/ruff.toml]` how a
project keeps ruff's config out of its root. The review looked only at the tools' default
names, and the settings of those files were silently not applied (the fuzzer's D2, D4).

An option is read as argparse (bandit) and clap (ruff) read it: `-c PATH`, `-c=PATH`,
`-cPATH` for a short name, `--configfile PATH` or `--configfile=PATH` for a long one, the
last one given winning. pre-commit runs a hook from the repository's root, so the path is
the repository path from there.

`hooks` is the one reading of a pre-commit config's hooks (their ids, args, `files` and
`exclude` patterns, their repo's `rev`): bandit's and ruff's config here, ESLint's
(`eslint_named`) from the trusted tree's copy. The config is read as pre-commit reads it,
anchors and aliases expanded (`anchored_yaml`: `<<: *common` merged into a hook).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from reviewloop.checks.analyzers import anchored_yaml
from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.analyzers.trusted_config import trusted_text

PRE_COMMIT = ".pre-commit-config.yaml"


@dataclass(frozen=True)
class Hook:
    """One hook of a pre-commit config: its id, its `args` (None when it gives none, or not
    as a list), its `files` / `exclude` patterns and the `rev` of the repo it comes from."""

    id: str
    args: list[str] | None
    files: str
    exclude: str | None
    rev: str | None

    def takes(self, path: str) -> bool:
        """Whether pre-commit hands the hook `path`: its `files` pattern (a Python regex,
        searched) takes it and its `exclude` does not; a pattern Python cannot compile
        takes every file (pre-commit refuses the config: the hook is read as written)."""
        try:
            return bool(re.search(self.files, path)) and not (
                self.exclude is not None and re.search(self.exclude, path))
        except re.error:
            return True


def hooks(data: object) -> Iterator[Hook]:
    """The hooks of the parsed pre-commit config `data`, in its order (any value: what is
    not a mapping of repos holding hook mappings gives none)."""
    repos = data.get("repos") if isinstance(data, dict) else None
    for repo in repos if isinstance(repos, list) else []:
        listed = repo.get("hooks") if isinstance(repo, dict) else None
        rev = repo.get("rev") if isinstance(repo, dict) else None
        for hook in listed if isinstance(listed, list) else []:
            if isinstance(hook, dict):
                args = hook.get("args")
                exclude = hook.get("exclude")
                yield Hook(str(hook.get("id", "")),
                           [str(a) for a in args] if isinstance(args, list) else None,
                           str(hook.get("files") or ""),
                           None if exclude is None else str(exclude),
                           rev if isinstance(rev, str) else None)


def hook_config(ctx: AnalyzerContext, ids: frozenset[str],
                names: Sequence[str]) -> str | None:
    """The option `names`' value in the args of the trusted pre-commit config's first hook
    whose id is one of `ids` and that gives it, as a path from the repository's root
    (normalised; one leaving the root keeps its `..`); None when no such hook gives it."""
    for hook in hooks(anchored_yaml.load(trusted_text(ctx, PRE_COMMIT))):
        if hook.id in ids and (value := option(hook.args, names)):
            return posixpath.normpath(value.replace("\\", "/"))
    return None


def hook_rev(ctx: AnalyzerContext, ids: frozenset[str]) -> str | None:
    """The `rev` of the trusted pre-commit config's repo that holds a hook whose id is one of
    `ids` (the tool's version the project runs: `v0.17.6`); None when there is none."""
    return next((hook.rev for hook in hooks(anchored_yaml.load(trusted_text(ctx, PRE_COMMIT)))
                 if hook.id in ids), None)


def refused(ctx: AnalyzerContext, ids: frozenset[str]) -> str | None:
    """Why the trusted pre-commit config's hooks were not read, when its aliases stand for
    too much (`anchored_yaml`) and its text names one of `ids`; None otherwise."""
    text = trusted_text(ctx, PRE_COMMIT)
    if text is None or not any(i in text for i in ids) or \
            anchored_yaml.load(text) is not anchored_yaml.EXPANDS:
        return None
    return anchored_yaml.REFUSED.format(path=PRE_COMMIT, tool=min(ids))


def option(args: object, names: Sequence[str], *, joined: bool = True) -> str | None:
    """The value the command line `args` gives the option called any of `names` (each with
    its dashes: `-c`, `--configfile`), the last one winning; None when none gives one.
    `joined`: a short name's value may follow it in the same word (`-cPATH`, argparse's;
    ESLint's optionator refuses it)."""
    if not isinstance(args, list):
        return None
    words = [str(arg) for arg in args]
    value = None
    for at, word in enumerate(words):
        if word == "--":
            break
        if word in names:
            value = words[at + 1] if at + 1 < len(words) else value
            continue
        for name in names:
            if word.startswith(name + "="):
                value = word[len(name) + 1:]
            elif joined and not name.startswith("--") and word.startswith(name) \
                    and len(word) > len(name):
                value = word[len(name):]  # `-cPATH`: argparse's joined short option
    return value
