"""The lever files: every kind of file that can lower a verdict or that a tool runs or
obeys, with whose it is (`trust` asks here; see its docstring for the whole rule).

The list grows by class, not by instance: for each tool a developer or CI runs in a
checkout, the files it loads from the checkout by itself. A lever missing here is a hole;
an extra one costs a 🟡 finding a maintainer reads once.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from reviewloop.policy import globs


class LeverKind(StrEnum):
    """What a lever changes about a review."""

    CONFIG = "configuration"  # settings, reviewer definitions, steering, governance
    SUPPRESSION = "suppression"  # a file that silences findings
    CLASSIFICATION = "classification"  # what counts as generated, vendored, binary
    HOOK = "hook"  # code git or a hook manager runs at commit
    # a file another tool runs or obeys on a developer's machine or in CI: editor tasks, dev
    # containers, direnv, interpreter pins, package-manager settings, CI pipelines, the
    # coverage and test settings CI judges by
    EXECUTED = "executed"

    @property
    def verb(self) -> str:
        return _VERBS[self]


_VERBS = {LeverKind.CONFIG: "reconfigures the review", LeverKind.SUPPRESSION: "suppresses findings",
          LeverKind.CLASSIFICATION: "hides files from the review",
          LeverKind.HOOK: "adds code that runs at commit",
          LeverKind.EXECUTED: "changes what tools run or obey on a developer's machine or in CI"}


@dataclass(frozen=True)
class Lever:
    """One kind of file that can lower a verdict, and whose it is."""

    glob: str  # gitignore-style, matched against the repository path
    kind: LeverKind
    owner: str  # who reads it: "reviewloop", "bandit", "git", "husky", …


def _levers(kind: LeverKind, owner: str, *patterns: str) -> tuple[Lever, ...]:
    return tuple(Lever(p, kind, owner) for p in patterns)


LEVERS: tuple[Lever, ...] = (
    *_levers(LeverKind.CONFIG, "reviewloop", "/.reviewloop.toml", "/.reviewloop/*.toml",
             "/pyproject.toml"),
    *_levers(LeverKind.CONFIG, "kiro", "/.kiro/agents/**", "/.kiro/steering/**",
             "/.kiro/config.yaml", "/.kiro/governance.yaml", "/.kiro/settings/**"),
    *_levers(LeverKind.SUPPRESSION, "reviewloop", "/.reviewloop-baseline.json"),
    # the config files of the tools reviewloop runs are declared by their analyzers
    # (`ConfigFile`, `checks.suppressions.config_files`); here only those of tools it does not
    # run, which CI may
    *_levers(LeverKind.SUPPRESSION, "other scanners", ".semgrepignore", ".trivyignore",
             ".trivyignore.yaml", ".tfsec/**", ".snyk", ".prettierignore"),
    *_levers(LeverKind.SUPPRESSION, "detect-secrets", ".secrets.baseline"),
    *_levers(LeverKind.CLASSIFICATION, "git", ".gitattributes", "/.git-blame-ignore-revs"),
    *_levers(LeverKind.CLASSIFICATION, "reviewloop", ".reviewloopignore"),
    *_levers(LeverKind.HOOK, "git", "/.githooks/**", "/.git-hooks/**", "/.hooks/**",
             "/githooks/**", "/hooks/**", "/.gitconfig"),
    *_levers(LeverKind.HOOK, "husky", "/.husky/**"),
    # Kiro's agent hooks, which reviewloop runs too (checks/gates/kiro_hooks.py)
    *_levers(LeverKind.HOOK, "kiro", "/.kiro/hooks/**"),
    *_levers(LeverKind.HOOK, "pre-commit", ".pre-commit-config.yaml", ".pre-commit-config.yml",
             ".pre-commit-hooks.yaml"),
    *_levers(LeverKind.HOOK, "lefthook", "lefthook.yml", "lefthook.yaml", ".lefthook.yml",
             ".lefthook.yaml", "lefthook-local.yml", "lefthook-local.yaml", "/.lefthook/**"),
    *_levers(LeverKind.HOOK, "overcommit", ".overcommit.yml"),
    *_levers(LeverKind.HOOK, "simple-git-hooks", ".simple-git-hooks.json",
             ".simple-git-hooks.js", ".simple-git-hooks.cjs", "simple-git-hooks.json"),
    # Found by class: for each tool a developer or CI runs in a checkout (editors, dev
    # containers, direnv, version managers, package managers, debuggers, Python's start-up,
    # CI services, coverage and test runners), the files it loads from the checkout by
    # itself and runs or obeys, from each tool's documentation of what it reads.
    *_levers(LeverKind.EXECUTED, "editors", "/.vscode/tasks.json", "/.vscode/launch.json",
             "/.vscode/settings.json", "*.code-workspace", "/.idea/runConfigurations/**",
             "/.idea/workspace.xml", "/.zed/tasks.json", "/.zed/settings.json", ".nvim.lua",
             ".nvimrc", ".exrc"),
    *_levers(LeverKind.EXECUTED, "dev containers", "/.devcontainer/**", "/.devcontainer.json",
             "/.gitpod.yml", "/.gitpod.Dockerfile"),
    *_levers(LeverKind.EXECUTED, "direnv, dotenv", ".envrc", ".env", ".env.*"),
    *_levers(LeverKind.EXECUTED, "version managers", ".python-version", ".nvmrc",
             ".node-version", ".tool-versions", "mise.toml", ".mise.toml", "rust-toolchain",
             "rust-toolchain.toml", ".ruby-version", ".go-version", ".java-version", ".sdkmanrc",
             ".terraform-version"),
    *_levers(LeverKind.EXECUTED, "package managers", ".npmrc", ".yarnrc", ".yarnrc.yml",
             ".pnpmfile.cjs", ".pnpmfile.mjs", "pip.conf", "/.gitmodules"),
    *_levers(LeverKind.EXECUTED, "debuggers, Python's start-up", ".pdbrc", ".gdbinit",
             ".lldbinit", "sitecustomize.py", "usercustomize.py"),
    *_levers(LeverKind.EXECUTED, "CI", "/.github/workflows/**", "/.github/actions/**",
             "/.gitlab-ci.yml", "/.circleci/**", "/.travis.yml", "/azure-pipelines.yml",
             "/bitbucket-pipelines.yml", "/.buildkite/**", "/Jenkinsfile",
             # Gitea's and Forgejo's Actions, GitLab's included files, Drone, Woodpecker,
             # AppVeyor, Cloud Build; Read the Docs' `build.commands`; the deploy previews
             # Netlify and Vercel build from a pull request's own build command
             "/.gitea/workflows/**", "/.forgejo/workflows/**", "/.gitlab/ci/**",
             "/.drone.yml", "/.woodpecker.yml", "/.woodpecker.yaml", "/.woodpecker/**",
             "/appveyor.yml", "/.appveyor.yml", "/cloudbuild.yaml", "/cloudbuild.yml",
             "/.readthedocs.yaml", "/.readthedocs.yml", "/netlify.toml", "/vercel.json"),
    # tools' own start-up files that run code: pylint's `init-hook`, Bazel's `--run_under`,
    # Cargo's `runner`, Bun's `preload`, mocha's `require`, Babel's local plugins, MkDocs'
    # `hooks:`, devbox's `init_hook`, Nix's `shellHook`
    *_levers(LeverKind.EXECUTED, "pylint", ".pylintrc", "pylintrc", ".pylintrc.toml",
             "pylintrc.toml"),
    *_levers(LeverKind.EXECUTED, "build and test tools", ".bazelrc", "/.cargo/config.toml",
             "/.cargo/config", "bunfig.toml", ".mocharc.*", ".babelrc", ".babelrc.*",
             "babel.config.*", "mkdocs.yml", "mkdocs.yaml", "devbox.json", "/flake.nix",
             "shell.nix"),
    *_levers(LeverKind.EXECUTED, "coverage and test settings", ".coveragerc", ".nycrc",
             ".nycrc.json", ".nycrc.yml", ".nycrc.yaml", ".c8rc", ".c8rc.json", ".istanbul.yml",
             "codecov.yml", ".codecov.yml", "pytest.ini", "jest.config.*", "vitest.config.*"),
    # read by CI's linters and test runners (flake8, pytest, coverage.py, mypy, tox), by
    # none of the tools reviewloop runs: ruff reads pyproject.toml and ruff.toml only
    *_levers(LeverKind.EXECUTED, "tox, flake8, pytest, coverage.py, mypy", "setup.cfg",
             "tox.ini", ".flake8", "mypy.ini", ".mypy.ini"),
)


@dataclass(frozen=True)
class LeverTable:
    """A part of a file others share that a tool runs code from: the file is a lever only
    when the change alters that part (`policy.lever_tables.altered`), not for the rest of it
    (a dependency, a version: routine work). A `*` in a key path is any key at that level."""

    glob: str  # gitignore-style, matched against the repository path
    keys: tuple[tuple[str, ...], ...]  # the key paths of a JSON or TOML file
    kind: LeverKind
    owner: str
    # the table of npm scripts that `keys` name (`("scripts",)`): every script a key's runs,
    # through `npm run` chains (`policy.npm_scripts.reached`), is a part of the lever too
    scripts: tuple[str, ...] = ()

    @property
    def lever(self) -> Lever:
        return Lever(self.glob, self.kind, self.owner)


# Found by class: a tool that runs code named in a shared file when a developer or CI installs,
# builds or lints the checkout
LEVER_TABLES: tuple[LeverTable, ...] = (
    # npm, yarn and pnpm run these when the package (or a workspace of it) is installed, and
    # every script they run by name (`"postinstall": "npm run setup"`)
    LeverTable("package.json", tuple(("scripts", name) for name in (
        "preinstall", "install", "postinstall", "preprepare", "prepare", "postprepare",
        "prepublish")),
        LeverKind.EXECUTED, "npm (install scripts)", scripts=("scripts",)),
    # pip and build import the build backend from these folders of the checkout
    LeverTable("pyproject.toml", (("build-system", "backend-path"),), LeverKind.EXECUTED,
               "pip and build (backend-path)"),
    # pylint runs `init-hook` and imports `load-plugins` (its `.pylintrc`, setup.cfg and
    # tox.ini are levers whole)
    LeverTable("pyproject.toml", tuple(("tool", "pylint", *at, name) for at in ((), ("*",))
                                       for name in ("init-hook", "load-plugins")),
               LeverKind.EXECUTED, "pylint (init-hook, load-plugins)"),
)


@dataclass(frozen=True)
class ConfigFile:
    """A file a tool finds in the checkout by itself and obeys — its settings, its ignore or
    skip list — declared by the analyzer that runs the tool (`config_files`), so the change
    cannot switch that tool's findings off unseen: a suppression lever of `owner`. `key`
    narrows it to one table of a file others share (`tool.ruff` of pyproject.toml,
    `eslintConfig` of package.json): only a change of that table counts."""

    glob: str  # gitignore-style, matched against the repository path
    owner: str  # the tool: "ruff", "bandit", …
    key: tuple[str, ...] = ()  # the table of a TOML or JSON file; () for the whole file

    @property
    def lever(self) -> Lever:
        return Lever(self.glob, LeverKind.SUPPRESSION, self.owner)


def lever(path: str, extra: Iterable[Lever] = ()) -> Lever | None:
    """The lever `path` is (the first matching entry of `extra`, then `LEVERS`), or None.

    `extra` carries what only the repository knows: its configured hooks folder, the
    reviewer folders its settings name."""
    return _lever(path, _Levers.of(tuple(extra)))


def first_lever(path: str, extra: tuple[Lever, ...]) -> Lever | None:
    """`lever`'s answer asked anew, for a caller that keeps the answers itself (a second
    cache, missed by every new path, cost more than the question)."""
    return _first(path, _Levers.of(extra))


@functools.lru_cache(maxsize=65_536)  # asked about every changed file by several checks
def _lever(path: str, extra: _Levers) -> Lever | None:
    return _first(path, extra)


def _first(path: str, extra: _Levers) -> Lever | None:
    levers, index = extra.indexed
    for at in index.candidates(path):  # the ~150 globs narrowed by the path's names
        if globs.matches(levers[at].glob, path):
            return levers[at]
    return None


class _Levers:
    """`extra` as the cache's key: equal for equal levers, its hash computed once (hashing
    ~30 levers for each path asked was a third of the question's cost), with `extra` then
    `LEVERS` and their index, built once."""

    __slots__ = ("_hash", "extra", "indexed")

    def __init__(self, extra: tuple[Lever, ...]):
        self.extra = extra
        self._hash = hash(extra)
        levers = (*extra, *LEVERS)
        self.indexed = (levers, globs.GlobIndex([x.glob for x in levers]))

    @classmethod
    def of(cls, extra: tuple[Lever, ...]) -> _Levers:
        """The key for `extra`, made once for each tuple object (the same one each time: the
        tools' levers, `checks.suppressions.config_files`)."""
        found = _KEYS.get(id(extra))
        if found is None or found.extra is not extra:
            found = _KEYS[id(extra)] = cls(extra)
            while len(_KEYS) > 8:
                del _KEYS[next(iter(_KEYS))]
        return found

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Levers) and (other.extra is self.extra
                                               or other.extra == self.extra)


_KEYS: dict[int, _Levers] = {}
