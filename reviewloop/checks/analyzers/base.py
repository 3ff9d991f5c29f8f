"""What every analyzer shares: the context it reads, its error, and running its tool.

The contract every analyzer keeps (`registry.Analyzer`, held by tests/checks/test_contract.py):
it names the changed files it reads (`reads`: by language, `reviewloop.git.languages`,
suffix and shebang alike), the size it reads up to (`max_bytes`, from a measurement), and
every file of those it did not read after all, with why (`AnalyzerContext.not_read`: a parse
error, a tool's own ignore list, a file the tool's report does not name). File names reach
its tool as paths (absolute, or after `--`), never where the tool would read an option.
"""

from __future__ import annotations

import importlib.util
import json
import signal
import subprocess
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path, PurePosixPath
from typing import Any, ClassVar, TypeVar

from reviewloop.checks import interrupts
from reviewloop.checks.gates.commands import ProjectTests
from reviewloop.errors import ReviewloopError
from reviewloop.findings.titles import short_title as short_title  # re-exported
from reviewloop.git.diff import ChangeSet
from reviewloop.git.names import under
from reviewloop.git.run_by import Caller
from reviewloop.policy.trust import Trust
from reviewloop.sandbox import live
from reviewloop.sandbox.bubblewrap import SandboxMode
from reviewloop.sandbox.process import project_env

_ONCE = threading.Lock()  # guards each context's `once` locks
OUTPUT_CHARS = 500  # of a failing tool's output, quoted in the error


class AnalyzerError(ReviewloopError):
    """The tool ran and failed, or said something that cannot be read; the message says which.
    `files`: the changed files the failure left unanalysed, of an analyzer that measures the
    change as a whole and so names none in `reads` (a CDK app's sources, which its synth
    covers): the coverage matrix names each of them. `exited`: the tool ran on its files and
    ended with a code it never gives on findings, or printed no report — one of its files
    may be why (`batch_failures` narrows it down); not so a timeout or a start that failed."""

    def __init__(self, message: str = "", *, files: Iterable[str] = (),
                 exited: bool = False) -> None:
        super().__init__(message)
        self.files = tuple(files)
        self.exited = exited


class AnalyzerSkipped(ReviewloopError):
    """The analyzer did not run by the user's choice (e.g. tests not opted in): not a failure.
    The message says what was not checked and how to turn it on."""


class FileByFile:
    """An analyzer whose findings on a file depend on that file alone (bandit, ruff, shellcheck,
    hadolint, zizmor, the ESLint views): run on the base too, on the base versions of the files
    where it has findings off the change's lines, so a finding the change caused there (a
    distant call a changed import made unsafe, a name a deleted import left undefined) counts
    (`review.introduced`)."""

    per_file: ClassVar[bool] = True

    def base_folders(self, ctx: AnalyzerContext) -> tuple[str, ...]:
        return ()


T = TypeVar("T")


@dataclass(frozen=True)
class AnalyzerContext:
    """Everything an analyzer may look at, built once per agent by `run_for_agent`."""

    root: Path
    changes: ChangeSet  # the whole change
    diff_text: str
    agent: str
    files: tuple[str, ...] = ()  # changed files in the agent's scope that exist: analyze these
    timeout: float = 600  # for each analyzer's own tool
    tests: ProjectTests | None = None  # None: the project's tests must not run
    # the change's trust: where the project's own config is read from (`eslint_project.py`);
    # None: no project config is run
    trust: Trust | None = None
    # path → language (`reviewloop.git.languages`) of each of `files`, by name or shebang
    languages: Mapping[str, str | None] = field(default_factory=dict)
    # path → what runs each of `files` of no language of its own as one (`git.run_by`)
    callers: Mapping[str, Caller] = field(default_factory=dict)
    # path → the UTF-16 or UTF-32 codec of each of `files` in one (`reviewloop.git.encodings`)
    encodings: Mapping[str, str] = field(default_factory=dict)
    # path → the shell each executable one of `files` also runs as, looked at once a review
    # (`review.readable`); None: `runs_as` looks at the file itself
    shells: Mapping[str, str] | None = None
    # what this analyzer's run did not read of the files it was to read, with why (each
    # analyzer's run gets its own, `review.evidence`)
    unread: dict[str, str] = field(default_factory=dict)
    # what this analyzer's run deliberately did not make findings of, per file, with why
    # (bandit's asserts in test code): shown in its health, never silently gone
    left_out: dict[str, str] = field(default_factory=dict)
    # what this analyzer's run checked of the change only in part, one line each (the
    # coverage of new Go functions, not measured beside measured Python ones): its ok row's
    # reason, shown with it, never silently gone
    remarks: list[str] = field(default_factory=list)
    # the reviewed tree when `root` is a copy of the change's base (`review.introduced`): a
    # local review's trusted config is read there, in either run (None: `root` is it)
    tree: Path | None = None
    # the `sandbox` setting: how the project material an analyzer runs is confined (a
    # Kustomize build renders unsandboxed with "off": `kustomize_render`)
    sandbox: SandboxMode = "auto"

    @property
    def reviewed(self) -> Path:
        """The reviewed tree: `root`, or the tree a base run's `root` copies."""
        return self.tree or self.root

    @cached_property
    def file_set(self) -> frozenset[str]:
        """`files` as a set, for asking whether a path is one of them (5,000 times in a
        5,000-file change: a set answers each at once, the tuple by a scan)."""
        return frozenset(self.files)

    def files_for(self, *languages: str) -> list[str]:
        """The files of `languages`, by suffix or shebang, in the order of `files`."""
        found = [self._by_language.get(name, ()) for name in dict.fromkeys(languages)]
        if sum(map(bool, found)) < 2:
            return [p for paths in found for p in paths]
        chosen = {p for paths in found for p in paths}
        return [p for p in self.files if p in chosen]

    @cached_property
    def _by_language(self) -> dict[str | None, tuple[str, ...]]:
        """`files` by language, sorted once: each analyzer of every agent asks for its
        languages' files (17 asks of 5,000 files a review, one `language` call each)."""
        found: dict[str | None, list[str]] = {}
        known, shells = self.languages, self.shells if self.tree is None else None
        # the review's answers asked directly, not through two methods a file (6 contexts ×
        # 5,000 files); `runs_as` looks at a file only when the review did not
        shell_of = self.runs_as if shells is None else shells.get
        for path in self.files:
            found.setdefault(known[path] if path in known else self.language(path),
                             []).append(path)
            if (shells is None or shells) and (shell := shell_of(path)) is not None:
                found.setdefault(shell, []).append(path)  # and as `./path` runs it
        return {name: tuple(paths) for name, paths in found.items()}

    def runs_as(self, path: str) -> str | None:
        """The other language `path` runs as, its analyzers reading it too: the shell it runs
        as, executable in `root`, when its language is another (`reviewloop.git.executed`),
        or the Python or JavaScript a shell script hands itself to (`git.trampolines`)."""
        if self.shells is not None and self.tree is None:  # the reviewed tree's, known
            return self.shells.get(path)
        from reviewloop.git.executed import executable, runs_as
        from reviewloop.git.kept_modes import EXECUTABLE, kept_modes
        from reviewloop.git.languages import head
        from reviewloop.git.trampolines import handed_to

        where = under(self.root, path)
        # a checkout's index says +x where its disk cannot (`core.fileMode = false`)
        kept = self.tree is None and kept_modes(self.root).get(path) == EXECUTABLE
        start = head(where)
        told = runs_as(path, start) if executable(where) or kept else None
        return told or handed_to(path, start)  # a shell script handing itself to Python

    def caller_note(self, path: str) -> str:
        """`; run as zsh by ci.yml:6`: what makes `path`, of no language of its own, code
        (`git.run_by`), for a reason naming it not read; "" for a file its name or shebang
        makes code."""
        caller = self.callers.get(path)
        return f"; run as {caller.language} by {caller.where}" if caller is not None else ""

    def language(self, path: str) -> str | None:
        if path in self.languages:
            return self.languages[path]
        from reviewloop.git.languages import head, language

        return language(path, head(under(self.root, path)))

    def once(self, key: str, compute: Callable[[], T]) -> T:
        """`compute()`, computed once for this context under `key`: what several steps of
        one analyzer's run ask of the same change and tree (checkov's files related to the
        change: its targets, its base run's, each finding's place)."""
        with _ONCE:  # its analyzers run side by side on one context (`review.evidence`)
            kept = self.__dict__.setdefault("_once", {})  # as `cached_property` keeps its value
            lock = self.__dict__.setdefault("_once_locks", {}).setdefault(key, threading.Lock())
        with lock:  # a second asker waits for the first's answer: not computed twice
            if key not in kept:
                kept[key] = compute()
            return kept[key]

    def not_read(self, path: str, reason: str) -> None:
        """Record that `path`, one of the files this analyzer reads, was not read after all
        (the first reason given stands)."""
        self.unread.setdefault(path, reason)

    def remark(self, text: str) -> None:
        """Record what this run checked only in part, though it ran (`remarks`)."""
        self.remarks.append(text)

    def leave_out(self, path: str, reason: str) -> None:
        """Record that some of the tool's findings on `path`, one of the files this analyzer
        reads, are deliberately not findings, and why (the first reason given stands)."""
        self.left_out.setdefault(path, reason)


def module_missing(module: str, install: str) -> str | None:
    """None when `module` can be imported by this interpreter, else the reason with the fix."""
    if importlib.util.find_spec(module) is not None:
        return None
    return f"{module} is not installed: {install}"


# how a tool ends on Ctrl-C: killed by SIGINT, or exiting 128 + SIGINT as shells and npx do
INTERRUPTED = (-signal.SIGINT, 128 + signal.SIGINT)


def run_tool(argv: Sequence[str], cwd: Path, timeout: float, *,
             ok_codes: Sequence[int] = (0, 1), env: Mapping[str, str] | None = None) -> str:
    """Run an analyzer's command and return its stdout; an exit code outside `ok_codes`
    (most linters exit 1 when they found something) is an AnalyzerError."""
    return run_tool_logged(argv, cwd, timeout, ok_codes=ok_codes, env=env)[0]


def run_tool_logged(argv: Sequence[str], cwd: Path, timeout: float, *,
                    ok_codes: Sequence[int] = (0, 1), env: Mapping[str, str] | None = None
                    ) -> tuple[str, str]:
    """`run_tool`, and its stderr too: some tools say only in their log which of the files
    they were given they skipped (zizmor)."""
    name = PurePosixPath(argv[0]).name if argv[1:2] != ["-m"] else argv[2]
    stopped = KeyboardInterrupt(f"{name} was stopped with reviewloop")
    if live.stopping():  # the review's copies may be gone already: never start one now
        raise stopped
    try:
        proc = subprocess.Popen(list(argv), cwd=cwd, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL,
                                env={**project_env(), **(env or {})}, process_group=0)
    except OSError as exc:
        if live.stopping():
            raise stopped from None
        raise AnalyzerError(f"{name} could not start: {exc}") from None
    with proc, live.tracked(proc):  # its own group: killed whole, workers too
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            live.kill(proc)
            proc.wait()  # not its output: a worker that left the group may hold the pipe
            raise AnalyzerError(f"{name} did not finish within {timeout:.0f}s") from None
        except BaseException:
            live.kill(proc)
            raise
    if live.stopping():  # killed by a stopping signal to reviewloop: not the tool's result
        raise stopped
    if proc.returncode in INTERRUPTED and interrupts.heard():
        # Ctrl-C reaches the tool too (one process group); in a reviewer's thread the
        # loop has not heard it yet: the user's interrupt, never the tool's failure, so
        # no reviewer records it and `resume` runs the analyzer again. A tool ending so
        # with no Ctrl-C to reviewloop (a wrapper, CI) fails below, named
        raise KeyboardInterrupt(f"{name} was interrupted (Ctrl-C)")
    if proc.returncode not in ok_codes:
        said = (stderr.strip() or stdout.strip())[-OUTPUT_CHARS:]
        raise AnalyzerError(f"{name} exited with {proc.returncode}: {said or 'no output'}",
                            exited=True)
    return stdout, stderr


def parse_json(text: str, tool: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise AnalyzerError(f"{tool} printed something that is not JSON ({exc.msg}): "
                            f"{text[:OUTPUT_CHARS]!r}", exited=True) from None


