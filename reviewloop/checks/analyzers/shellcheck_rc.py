"""The optional shellcheck checks a project's `.shellcheckrc` enables, as the trusted side has
it (`trusted_config`): `enable=require-variable-braces` makes plain `shellcheck` report
SC2250, which reviewloop's own run (`--norc`) never asks for.

Each script's rc file is the nearest one, as shellcheck looks: `.shellcheckrc`, then
`shellcheckrc`, in the script's folder, then in each folder above it up to the root. Of it
`enable=` widens the review; its `disable=` applies to the checks it enabled alone
(reviewloop's own are waived by `reviewloop.checks.suppressions`, never by a project's
settings). Its `shell=` names the dialect of every script under it, over the shebang, as in
plain shellcheck (a script's own `# shellcheck shell=` still wins): without it a
shebang-less `.sh` under `shell=sh` lost every POSIX warning (SC3010, …) for an SC2148. Only
a dialect shellcheck checks is taken (`sh`, `bash`, `dash`, `ksh`, `busybox`): to any other
it says nothing at all, not even that it did not check. `source-path=` and
`external-sources=` are not read: the scripts are checked as copies, with nothing to source.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath

from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.analyzers.trusted_config import tightened_text

NAMES = (".shellcheckrc", "shellcheckrc")  # shellcheck's order in one folder
_SETTING = re.compile(r"^(enable|disable)\s*=\s*(\S+)$")
_SHELL = re.compile(r"^shell\s*=\s*(\S+)$")
SHELLS = frozenset({"sh", "bash", "dash", "ksh", "busybox"})  # the dialects shellcheck checks


@dataclass(frozen=True)
class Enabled:
    """What one rc file enables: optional check names (or `all`), and the codes it disables
    (SC2250, 2250, SC2000-SC2099 or `all`, as given)."""

    checks: tuple[str, ...]
    disabled: tuple[str, ...] = ()

    def argument(self) -> str:
        return "--enable=" + ",".join(self.checks)

    def drops(self, code: str) -> bool:
        """Whether the rc's `disable=` covers the code (`SC2250`)."""
        number = int(code.removeprefix("SC")) if code.removeprefix("SC").isdigit() else -1
        for item in self.disabled:
            if item.lower() == "all":
                return True
            bounds = [int(n) for n in re.findall(r"\d+", item)]
            if bounds and bounds[0] <= number <= bounds[-1]:
                return True
        return False


def parse(text: str) -> Enabled | None:
    """The `enable=` and `disable=` settings of an rc file (directives separated by
    whitespace, `#` to the end of a line a comment); None when it enables nothing."""
    checks: list[str] = []
    disabled: list[str] = []
    for line in text.splitlines():
        for word in line.partition("#")[0].split():
            if found := _SETTING.match(word):
                value = found[2]  # shellcheck takes `enable="a,b"` as `enable=a,b`
                value = value[1:-1] if len(value) > 1 and value[0] == value[-1] == '"' \
                    else value
                items = [i.strip() for i in value.split(",") if i.strip()]
                (checks if found[1] == "enable" else disabled).extend(items)
    return Enabled(tuple(dict.fromkeys(checks)), tuple(dict.fromkeys(disabled))) \
        if checks else None


def dialect(text: str) -> str | None:
    """The rc file's last `shell=`, when shellcheck checks that dialect; else None."""
    found = None
    for line in text.splitlines():
        for word in line.partition("#")[0].split():
            if setting := _SHELL.match(word):
                found = setting[1]
    return found if found in SHELLS else None


@dataclass(frozen=True)
class Rc:
    """What reviewloop takes from the rc file that governs a script: the checks it enables
    and the dialect it names (None: none)."""

    enabled: Enabled | None = None
    shell: str | None = None


def nearest(ctx: AnalyzerContext, path: str) -> Rc:
    """The rc file nearest the script `path`, as the trusted side has it (shellcheck reads
    that one alone), with the change's edit when that only enables checks; an empty `Rc`
    when there is none."""
    folder = PurePosixPath(path).parent
    for at in (folder, *folder.parents):
        for name in NAMES:
            text = tightened_text(ctx, (at / name).as_posix())
            if text is not None:
                return Rc(parse(text), dialect(text))
    return Rc()


def governing(ctx: AnalyzerContext, paths: Iterable[str]) -> dict[str, Rc]:
    """The rc of each script among `paths`."""
    return {path: nearest(ctx, path) for path in paths}


def grouped(rcs: dict[str, Rc]) -> dict[tuple[Enabled, str | None], list[str]]:
    """The scripts whose rc enables checks, by what it enables and in which dialect."""
    groups: dict[tuple[Enabled, str | None], list[str]] = {}
    for path, rc in rcs.items():
        if rc.enabled is not None:
            groups.setdefault((rc.enabled, rc.shell), []).append(path)
    return groups
