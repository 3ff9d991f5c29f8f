"""The Python version ruff checks each file for, as plain `ruff check .` derives it from the
trusted side's configuration.

A file's version decides what ruff accepts: a `match` statement is a syntax error on Python
3.8 (`Cannot use match statement on Python 3.8`), and version-gated rules (UP040 from 3.12)
only fire from their version on. reviewloop's own ruff run is `--isolated`, so ruff's
default (the newest syntax) applied and a change adding `match` to a package published with
`requires-python = ">=3.8"` passed complete and clean while `ruff check .` failed it (the
fuzzer's round-6 D1). ruff takes the version from the governing config's `target-version`
(its `extend` chain followed: `ruff_lookup`; a `pyproject.toml` of the chain sets its own
from its `requires-python`: `_chain_target`), else from `[project] requires-python` of the
nearest `pyproject.toml` holding one, from the config's folder up to the root (with no
config, the root's: ruff looks from its working folder) — the LOWEST bound of the
specifiers, as `py3X`, and none below py37 (`_declared`, as ruff derives it). A
`requires-python` that is no PEP 440 specifier set (Poetry's
`^3.9`, `3.10`, `>=3.8|<4`) makes ruff fail on every file (exit 2): those files are named as
not read, and no version is made up from it (fuzz round 7, D13). ruff's parser is stricter
than `packaging`'s, which decided alone before (review round 8, D10): as measured with ruff
0.17, it also refuses an empty specifier between, before or after commas (`">=3.10,"`,
`">=3.10,,<4"`, `" "`; the empty string itself is read) and an arbitrary equality with a
wildcard (`"===3.*"`): `refused`.

A change that RAISES the floor (`requires-python`'s lower bound, or a config's
`target-version`: `tightening`) is checked on its own version, as plain ruff at the head
checks it: it drops the Pythons the project no longer supports, its code may use their
syntax, and its version-gated rules report as plain ruff's at the head (pyupgrade's add
findings; FA100 and FA102, which fire only below 3.10, stop: review round 11). The review judged a
`match` under a floor raised from 3.8 to 3.10 on 3.8, a 🔴 `invalid-syntax` plain ruff
does not report (fuzz round 9a, D3); the raise is still named (`declared_python`), and
syntax newer than the raised floor is still a 🔴. A lowered, dropped or new floor stays
the trusted side's (it would drop version-gated findings).
"""

from __future__ import annotations

import posixpath
import re
import tomllib
from collections.abc import Iterable

from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.analyzers.ruff_includes import glob
from reviewloop.checks.analyzers.ruff_lookup import Governing, Lookup
from reviewloop.checks.analyzers.trusted_config import reviewed_text, tightened_text

# ruff 0.17's targets, py37 to py315: a lowest bound outside them gives no version at all
KNOWN = frozenset((3, minor) for minor in range(7, 16))
# the operators giving a lower bound (`>=3.8`, `>3.8`, `~=3.9`, `==3.10.*`, `===3.8`)
_LOWER = frozenset((">=", ">", "~=", "==", "==="))
_TARGET = re.compile(r"py3\d+")
# `packaging` (~5 ms of an offline review's start-up, its specifiers' patterns) is imported
# where a `requires-python` is read (`refused`, `_declared`): most projects reviewed have none (#41)


def versions(ctx: AnalyzerContext, files: Iterable[str],
             lookup: Lookup | None = None) -> dict[str, str | None]:
    """{file: the `py3X` ruff checks it for}; None where nothing declares one (ruff's
    default). A file under a `requires-python` ruff cannot read is named as not read."""
    lookup = lookup or Lookup(ctx)
    fallbacks: dict[str, str | None] = {}
    broken: dict[str, str | None] = {}
    found: dict[str, str | None] = {}
    for path in files:
        config = lookup.of(path)
        start = config.folder if config is not None else ""  # no config: from ruff's cwd
        if start not in broken:
            broken[start] = _broken(ctx, start)
        if (why := broken[start]) is not None:
            ctx.not_read(path, why)
        target = (_per_file(config, path) or _chain_target(ctx, config)) \
            if config is not None else None
        if target is not None:
            found[path] = target
            continue
        if start not in fallbacks:
            fallbacks[start] = _requires_python(ctx, start)
        found[path] = fallbacks[start]
    return found


def _broken(ctx: AnalyzerContext, folder: str) -> str | None:
    """Why ruff cannot read the nearest `requires-python` from `folder` up, if it cannot:
    on the trusted side, or as the change writes it. A refused spec the change writes is not
    applied (the base's floor judges), but plain `ruff check` after the merge fails on every
    file, so the files are named as not analysed, not passed complete (review round 11, D6)."""
    for read, whose in ((_floor_text, ""), (reviewed_text, "the change's ")):
        where = folder
        while True:
            path = posixpath.join(where, "pyproject.toml")
            spec = _spec(read(ctx, path))
            if spec is not None:
                if refused(spec):
                    return (f"ruff cannot read {whose}{path}'s requires-python ({spec!r}: no "
                            "PEP 440 specifier set ruff parses), and plain `ruff check` fails "
                            "on every file; fix: write it as PEP 440 says, with no empty "
                            "specifier between commas, e.g. \">=3.9\" or \">=3.9,<4\"")
                break
            if not where:
                break
            where = posixpath.dirname(where)
    return None


def of_config(ctx: AnalyzerContext, config: Governing) -> str | None:
    """The version the governing `config` gives its files (for the project's run)."""
    return _chain_target(ctx, config) or _requires_python(ctx, config.folder)


def _per_file(config: Governing, path: str) -> str | None:
    """The chain's `per-file-target-version` for `path` (the nearest config setting one):
    its first pattern that takes the file, anchored at that config's folder or, written
    with no `/`, matched against the file's name, as ruff matches `per-file-ignores`. The
    review's own run gave every file the single `target-version` before (review round 11,
    D5)."""
    for config_path, table in reversed(config.layers):
        per_file = table.get("per-file-target-version")
        if not isinstance(per_file, dict):
            continue
        folder, name = posixpath.dirname(config_path), posixpath.basename(path)
        for pattern, version in per_file.items():
            rooted = posixpath.normpath(posixpath.join(folder, pattern))
            if isinstance(version, str) and _TARGET.fullmatch(version) and (
                    glob(rooted).fullmatch(path) or
                    ("/" not in pattern and glob(pattern).fullmatch(name))):
                return version
        return None
    return None


def _chain_target(ctx: AnalyzerContext, config: Governing) -> str | None:
    """The `target-version` of `config`'s chain as ruff resolves it: the nearest config of
    the chain that sets one, a `pyproject.toml`'s `requires-python` setting its config's
    when its `[tool.ruff]` does not. `api/ruff.toml` extending `../pyproject.toml` takes the
    root's `requires-python`, not that of a `pyproject.toml` beside it (fuzz round 9a, D7)."""
    for path, table in reversed(config.layers):
        target = table.get("target-version")
        if isinstance(target, str) and _TARGET.fullmatch(target):
            return target
        if posixpath.basename(path) == "pyproject.toml" and \
                (declared := _declared(_floor_text(ctx, path))) is not None:
            return declared
    return None


def _requires_python(ctx: AnalyzerContext, folder: str) -> str | None:
    """The version of the nearest trusted `pyproject.toml` with `requires-python`, from
    `folder` up to the root."""
    while True:
        version = _declared(_floor_text(ctx, posixpath.join(folder, "pyproject.toml")))
        if version is not None or not folder:
            return version
        folder = posixpath.dirname(folder)


def _floor_text(ctx: AnalyzerContext, path: str) -> str | None:
    """The trusted side's pyproject.toml at `path`, or the change's when it raises the floor
    (`raised`), for its `requires-python`."""
    return tightened_text(ctx, path, lambda _, mine, trusted: raised(mine, trusted))


def raised(mine: str | None, trusted: str | None) -> str | None:
    """The `py3X` a pyproject.toml's edit (the change's text `mine`, the trusted side's
    `trusted`) raises `requires-python`'s lower bound to, when it raises it from one ruff
    reads; None for any other edit (lowered, dropped, set where there was none)."""
    now, before = _declared(mine), _declared(trusted)
    return now if now is not None and before is not None and \
        int(now[3:]) > int(before[3:]) else None


def refused(spec: str) -> bool:
    """Whether ruff refuses `spec` as a `requires-python`: no PEP 440 specifier set, an
    empty specifier among its commas, or `===` with a wildcard."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    try:
        SpecifierSet(spec)
    except InvalidSpecifier:
        return True
    parts = spec.split(",")
    return (spec != "" and any(not part.strip() for part in parts)) or any(
        part.strip().startswith("===") and "*" in part for part in parts)


def _spec(text: str | None) -> str | None:
    """`[project] requires-python` of a pyproject.toml's `text`, as written."""
    if text is None:
        return None
    try:
        project = tomllib.loads(text).get("project")
    except tomllib.TOMLDecodeError:
        return None
    spec = project.get("requires-python") if isinstance(project, dict) else None
    return spec if isinstance(spec, str) else None


def _declared(text: str | None) -> str | None:
    """`requires-python`'s lowest bound in a pyproject.toml's `text`, as ruff's `py3X`,
    derived as ruff's `get_minimum_supported_version` does: the MIN of the major.minor of
    the bounding specifiers (epoch, `v`, patch and pre-release dropped), and no version
    unless it is one of ruff's targets (`">=3.6"` and `">=2.7,>=3.9"` give none: no syntax
    gate). It took the MAX before, so `">=3.8,>=3.12"` was 3.12 where ruff reads 3.8 (review
    round 11, D2), and `v3.8` or `0!3.8` no bound (D12). None from a spec ruff refuses."""
    spec = _spec(text)
    if spec is None or refused(spec):
        return None
    from packaging.specifiers import SpecifierSet
    from packaging.version import InvalidVersion, Version

    bounds = []
    for specifier in SpecifierSet(spec):
        if specifier.operator not in _LOWER:
            continue
        try:
            release = Version(specifier.version.removesuffix(".*")).release
        except InvalidVersion:
            continue
        if len(release) >= 2:
            bounds.append((release[0], release[1]))
    lowest = min(bounds, default=None)
    if lowest is None or lowest not in KNOWN:
        return None
    return f"py{lowest[0]}{lowest[1]}"
