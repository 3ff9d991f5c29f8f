"""The optional shellcheck checks a project's `.shellcheckrc` enables, as the trusted side has
it (`trusted_config`): `enable=require-variable-braces` makes plain `shellcheck` report
SC2250, which reviewloop's own run (`--norc`) never asks for.

Each script's rc file is the nearest one, as shellcheck looks: `.shellcheckrc`, then
`shellcheckrc`, in the script's folder, then in each folder above it up to the root. Of it
only `enable=` widens the review; its `disable=` applies to the checks it enabled alone
(reviewloop's own are waived by `reviewloop.checks.suppressions`, never by a project's
settings), and its other settings (`shell=`, `source-path=`) are not read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath

from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.analyzers.trusted_config import trusted_text

NAMES = (".shellcheckrc", "shellcheckrc")  # shellcheck's order in one folder
_SETTING = re.compile(r"^(enable|disable)\s*=\s*(\S+)$")


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
                items = [i.strip() for i in found[2].split(",") if i.strip()]
                (checks if found[1] == "enable" else disabled).extend(items)
    return Enabled(tuple(dict.fromkeys(checks)), tuple(dict.fromkeys(disabled))) \
        if checks else None


def nearest(ctx: AnalyzerContext, path: str) -> Enabled | None:
    """What the rc file nearest the script `path` enables (None: nothing, or no rc)."""
    folder = PurePosixPath(path).parent
    for at in (folder, *folder.parents):
        for name in NAMES:
            text = trusted_text(ctx, (at / name).as_posix())
            if text is not None:
                return parse(text)
    return None


def grouped(ctx: AnalyzerContext, paths: Iterable[str]) -> dict[Enabled, list[str]]:
    """The scripts among `paths` whose rc enables checks, by what it enables."""
    groups: dict[Enabled, list[str]] = {}
    for path in paths:
        if (enabled := nearest(ctx, path)) is not None:
            groups.setdefault(enabled, []).append(path)
    return groups
