"""The wrapped tools' own skip lists, from their config files as the trusted side has them.

reviewloop runs checkov, hadolint and zizmor without any configuration from the reviewed
tree (a change could otherwise switch its own findings off); what the trusted side's config
files skip is honoured here instead, and every finding it covers is listed as suppressed:

* checkov `.checkov.yaml` / `.checkov.yml`: `skip-check` (check ids, `*` wildcards;
  severities are not known offline and are left out);
* hadolint `.hadolint.yaml`, else `.hadolint.yml`: `ignored`;
* zizmor the first of `.github/zizmor.yml`, `zizmor.yml` (`.yaml` after each):
  `rules.<id>.ignore` (`file[:line[:column]]`) and `rules.<id>.disable`.

Which files those are each analyzer declares (`config_files`); they are read from the root.

A tool's config may also switch its inline markers off (`markers_off`): hadolint's
`disable-ignore-pragma: true` (`analyzers.hadolint_config.ignores_pragmas`). As the trusted
side has it, so a change cannot switch a tool's markers on for its own code.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from reviewloop.checks.analyzers.hadolint_config import Load, accepted, ignores_pragmas
from reviewloop.checks.analyzers.hadolint_yaml import mapping as hadolint_mapping
from reviewloop.checks.suppressions.config_files import declared
from reviewloop.config import load_yaml
from reviewloop.findings.schema import Finding


@dataclass(frozen=True)
class ConfigSkip:
    """One rule a tool's config skips, everywhere or in one file (and line)."""

    source: str  # the analyzer whose findings it skips
    rule: str  # a rule id, or a glob of them
    where: str  # the config file
    file: str | None = None  # zizmor: a workflow's file name
    line: int | None = None

    def covers(self, finding: Finding) -> bool:
        if finding.source != self.source or not finding.rule:
            return False
        if not fnmatch.fnmatchcase(finding.rule, self.rule):
            return False
        if self.file is not None and self.file not in (finding.file,
                                                       PurePosixPath(finding.file).name):
            return False
        return self.line is None or self.line == finding.start_line


def config_paths() -> dict[str, tuple[str, ...]]:
    """The config files whose skip lists are honoured, by tool: those its analyzer declares
    (`config_files`) that name one file, from the repository's root."""
    return {tool: tuple(c.glob.lstrip("/") for c in declared()
                        if c.owner == tool and not c.key and "*" not in c.glob)
            for tool in _PARSERS}


def config_skips(read: Callable[[str], str | None]) -> list[ConfigSkip]:
    """Every skip in the tools' config files `read` returns (None: no such file); of a tool
    that reads one config file (`ONE_FILE`), the first of its names that is there."""
    skips: list[ConfigSkip] = []
    for source, paths in config_paths().items():
        for path in paths:
            text = read(path)
            data = _READERS.get(source, _mapping)(text) if text is not None else None
            if data is not None:
                skips += _PARSERS[source](data, path)
            if text is not None and source in ONE_FILE:
                break
    return skips


def markers_off(owner: str, read: Callable[[str], str | None]) -> bool:
    """Whether the config files `read` returns tell the tool `owner` to read none of its
    inline markers."""
    switch = _SWITCHES.get(owner)
    parse = _READERS.get(owner, _mapping)
    return switch is not None and switch(
        lambda path: None if (text := read(path)) is None else parse(text) or {})


def _mapping(text: str) -> dict[str, Any] | None:
    """The file's top-level mapping; a file that is not one skips nothing."""
    from yaml import YAMLError  # loaded by `load_yaml`: here only for its error

    try:
        data = load_yaml(text)
    except YAMLError:
        return None
    return data if isinstance(data, dict) else None


def _names(value: Any) -> list[str]:
    """A YAML list of names, or one comma-separated string of them."""
    items = value if isinstance(value, list) else str(value or "").split(",")
    return [str(item).strip() for item in items if str(item).strip()]


def _checkov(data: dict[str, Any], where: str) -> Iterator[ConfigSkip]:
    for name in _names(data.get("skip-check")):
        if name.upper() not in ("LOW", "MEDIUM", "HIGH", "CRITICAL"):
            yield ConfigSkip("checkov", name, where)


def _hadolint(data: dict[str, Any], where: str) -> Iterator[ConfigSkip]:
    if not accepted(data):
        return  # hadolint refuses the file and lints with none of it
    for name in data.get("ignored") or ():  # as written: `"DL3008 "` matches no rule
        if isinstance(name, str) and name:
            yield ConfigSkip("hadolint", name, where)


def _zizmor(data: dict[str, Any], where: str) -> Iterator[ConfigSkip]:
    rules = data.get("rules")
    for rule, options in (rules.items() if isinstance(rules, dict) else ()):
        if not isinstance(options, dict):
            continue
        if options.get("disable") is True:
            yield ConfigSkip("zizmor", str(rule), where)
        for entry in _names(options.get("ignore")):
            file, _, rest = entry.partition(":")
            line = rest.partition(":")[0]
            yield ConfigSkip("zizmor", str(rule), where, file=file,
                             line=int(line) if line.isdigit() else None)


# a tool that reads its config otherwise than PyYAML does (hadolint: YAML 1.2, no key twice)
_READERS: dict[str, Callable[[str], dict[str, Any] | None]] = {"hadolint": hadolint_mapping}
ONE_FILE = frozenset({"hadolint", "zizmor"})  # each reads the first of its names it finds
_PARSERS: dict[str, Callable[[dict[str, Any], str], Iterator[ConfigSkip]]] = {
    "checkov": _checkov, "hadolint": _hadolint, "zizmor": _zizmor}
# the tools whose config can switch their inline markers off, by the markers' owner
_SWITCHES: dict[str, Callable[[Load], bool]] = {"hadolint": ignores_pragmas}
