"""What the `jest` commands of a package's test script say about which files jest runs: the
config they name (`--config`), the path patterns that narrow the run (`jest src/`, `jest
--testPathPattern e2e`), the projects they select by name (`--selectProjects`,
`--ignoreProjects`), and the options whose selection is not read here (`--findRelatedTests`,
`--onlyChanged`, `--testMatch` …), which `unread` names.

Parsed as jest's own yargs options parse them (jest 29's `jest-cli` argument types): a flag
(a boolean option) takes a following `true` or `false` as its value (`--coverage false`, rev13
D2) and no other word, a string or number option the next word, an array option every word up to the
next option (after `--x=a` too); the other words are path patterns, each a case-insensitive
regex over a file's absolute path, any of which selects it.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass

from reviewloop.checks.analyzers.script_tests import runner_argv, script_commands

_ONE_VALUE = frozenset({
    "cacheDirectory", "changedSince", "collectCoverageFrom", "config", "coverageDirectory",
    "coverageThreshold", "env", "filter", "globalSetup", "globalTeardown", "globals", "haste",
    "maxWorkers", "moduleNameMapper", "notifyMode", "outputFile", "preset", "prettierPath",
    "resolver", "rootDir", "runner", "shard", "testEnvironment", "testEnvironmentOptions",
    "testFailureExitCode", "testNamePattern", "testResultsProcessor", "testRunner",
    "testSequencer", "transform", "coverageProvider", "maxConcurrency", "openHandlesTimeout",
    "seed", "testTimeout"})
_ARRAYS = frozenset({
    "coveragePathIgnorePatterns", "coverageReporters", "ignoreProjects", "moduleDirectories",
    "moduleFileExtensions", "modulePathIgnorePatterns", "modulePaths", "projects", "reporters",
    "roots", "selectProjects", "setupFiles", "setupFilesAfterEnv", "snapshotSerializers",
    "testMatch", "testPathIgnorePatterns", "testPathPattern", "testPathPatterns", "testRegex",
    "transformIgnorePatterns", "unmockedModulePathPatterns", "watchPathIgnorePatterns"})
# jest-cli 29's boolean options (build/args.js): yargs takes a next `true`/`false` as the value
_BOOLEANS = frozenset({
    "all", "automock", "bail", "cache", "changedFilesWithAncestor", "ci", "clearCache",
    "clearMocks", "collectCoverage", "color", "colors", "coverage", "debug", "detectLeaks",
    "detectOpenHandles", "errorOnDeprecated", "expand", "findRelatedTests", "forceExit", "init",
    "injectGlobals", "json", "lastCommit", "listTests", "logHeapUsage", "noStackTrace",
    "notify", "onlyChanged", "onlyFailures", "passWithNoTests", "randomize", "resetMocks",
    "resetModules", "restoreMocks", "runInBand", "runTestsByPath", "showConfig", "showSeed",
    "silent", "skipFilter", "testLocationInResults", "updateSnapshot", "useStderr", "verbose",
    "watch", "watchAll", "watchman", "workerThreads"})
_ALIASES = {"c": "config", "w": "maxWorkers", "t": "testNamePattern", "o": "onlyChanged",
            "f": "onlyFailures", "b": "bail", "e": "expand", "i": "runInBand",
            "u": "updateSnapshot"}
# options that choose the files another way than the configuration and path patterns do
_NOT_READ = frozenset({
    "findRelatedTests", "onlyChanged", "changedSince", "lastCommit", "onlyFailures",
    "changedFilesWithAncestor", "watch", "runTestsByPath", "filter", "roots", "testMatch",
    "testRegex", "testPathIgnorePatterns", "rootDir", "projects", "testSequencer"})


@dataclass(frozen=True)
class JestCommand:
    """One `jest` command of the test script."""

    config: str | None = None  # `--config`'s value as written
    patterns: tuple[str, ...] = ()  # path patterns: none, every file
    select: tuple[str, ...] | None = None  # `--selectProjects`' names
    ignore: tuple[str, ...] = ()  # `--ignoreProjects`' names
    unread: tuple[str, ...] = ()  # options whose selection is not read, as `--name`

    def pattern_regexes(self) -> tuple[re.Pattern[str], ...] | None:
        """The path patterns as jest compiles them; None when one is no regex here."""
        try:
            return tuple(re.compile(p, re.IGNORECASE) for p in self.patterns)
        except re.error:
            return None


def jest_commands(read: Callable[[str], str | None]) -> tuple[JestCommand, ...]:
    """The `jest` commands the trusted `package.json`'s test script runs (through `npm run`,
    npm-run-all, `npx`, coverage wrappers)."""
    found = []
    for command in script_commands(read("package.json")):
        try:
            argv = runner_argv(shlex.split(command))
        except ValueError:
            continue
        if argv[:1] == ["jest"]:
            found.append(parse(argv[1:]))
    return tuple(found)


def parse(arguments: list[str]) -> JestCommand:
    """A jest command's arguments (after `jest`) as jest reads them."""
    values: dict[str, list[str]] = {}
    patterns: list[str] = []
    unread: list[str] = []
    index = 0
    while index < len(arguments):
        word = arguments[index]
        index += 1
        if word == "--":
            patterns.extend(arguments[index:])
            break
        if not word.startswith("-") or word == "-":
            patterns.append(word)
            continue
        name, equals, value = word.lstrip("-").partition("=")
        name = _ALIASES.get(name, name) if not word.startswith("--") else _camel(name)
        if not equals and name in _BOOLEANS and index < len(arguments) \
                and arguments[index] in ("true", "false"):
            equals, value = "=", arguments[index]  # `--coverage false`: its value
            index += 1
        if name in _NOT_READ and not (equals and value == "false"):
            unread.append(f"--{name}")
        taken = values.setdefault(name, [])
        if equals:
            taken.append(value)
        elif name in _ONE_VALUE and index < len(arguments):
            taken.append(arguments[index])
            index += 1
        if name in _ARRAYS:  # `--selectProjects=a b`: b is one of them too
            while index < len(arguments) and not arguments[index].startswith("-"):
                taken.append(arguments[index])
                index += 1
    config = values.get("config")
    return JestCommand(config[-1] if config else None,
                       (*patterns, *values.get("testPathPattern", ()),
                        *values.get("testPathPatterns", ())),
                       tuple(values["selectProjects"]) if "selectProjects" in values else None,
                       tuple(values.get("ignoreProjects", ())), tuple(unread))


def _camel(name: str) -> str:
    """yargs reads `--select-projects` as `--selectProjects`."""
    head, *rest = name.split("-")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)
