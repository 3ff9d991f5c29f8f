"""The exception tree and the exit codes, in one place.

Who is at fault decides the branch. Every exception reviewloop raises on purpose is drawn
here, with the module that defines it when that is not this one::

    ReviewloopError                  exit 3 unless a subclass says otherwise
    ├── UserInputError               exit 2: the user can fix it (file, line or key named)
    │   ├── ConfigError              .reviewloop.toml / [tool.reviewloop] / REVIEWLOOP_* / flags
    │   │   ├── SandboxUnavailable   sandbox/bubblewrap.py: no usable bubblewrap; says the fix
    │   │   ├── HookNeedsNetwork     checks/gates/hooks.py: your pre-commit hook needs the
    │   │   │                        network, which sandboxed hooks lack; says the fix
    │   │   └── BadGlob              policy/globs.py: a path glob that can never match
    │   ├── SpecError                a spec path that cannot be read or found
    │   ├── AgentDefinitionError     an agent JSON file
    │   ├── PluginError              an installed plugin (an entry point) that does not load or
    │   │                            is not what its group takes; names its package and the fix
    │   ├── TaskSelectionError       `run 7` when there is no task 7, …
    │   ├── CredentialsError         no model credentials; the message is the fix
    │   ├── StoreDamaged             a damaged `.reviewloop/` file or registry row; the fix,
    │   │                            `reviewloop runs --repair`, moves it aside, loses nothing
    │   ├── LostRun                  runs/records.py: `report`/`stats` on a task run whose
    │   │                            checkpoints hold no state (moved aside, deleted): named
    │   ├── DiskFull                 the disk under the run store (or a file reviewloop writes)
    │   │                            is full: what was saved stays; free space and repeat
    │   ├── NotWritable              a file or folder reviewloop must write is read-only for
    │   │                            this user (a read-only checkout, a chmod): named, with the fix
    │   ├── NameTooLong              a path given has a name longer than the file system
    │   │                            allows (ENAMETOOLONG): named, with the fix
    │   ├── LeaseHeld                runs/lease.py: another runner drives this run now
    │   ├── RunInProgress            runs/claims.py: a live run of this task is being driven
    │   ├── OlderRun                 runs/runner.py: a run saved by another state schema
    │   ├── SymlinkInPath            git/nofollow.py: landing would write through a symlink
    │   │                            in your checkout (at any depth); nothing was written
    │   ├── UnsafePath               git/nofollow.py: a path to write leaves its folder (`..`)
    │   │                            or reaches .git (a tampered run store); nothing written
    │   └── ToolFailed               cli/mcp_tools.py: an MCP tool named a run or path not there
    ├── BlockingOutcome              exit 1: findings remain, the commit was declined, …
    │   ├── ApprovalRefused          policy/levers.py: a run's change weakens the sandbox or the
    │   │                            command policy; no approval lands it
    │   ├── HeadMoved                github/fix_push.py: the PR's head moved while a
    │   │                            `/reviewloop fix` ran; nothing is pushed onto it
    │   ├── LandConflict             landing/engine.py: the branch moved and git cannot merge
    │   │                            the run's commit onto it; the commit stays on its branch
    │   └── RunFailed                runs/runner.py: the model failed the implementer or fixer
    │                                (AgentLoopError below); the run is failed and resumable
    ├── AgentLoopError               agent/tool_loop.py: a model call or the tool loop failed
    │   ├── ModelTimeout             agent/tool_loop.py: one call passed its total deadline
    │   └── ModelCallFailed          agent/tool_loop.py: the provider failed a call past its
    │                                client's retries (throttled, 5xx, credentials revoked)
    ├── ToolRefused                  agent/workspace.py: a tool call outside the worktree or on a
    │                                sensitive file; told to the model, never raised to the user
    ├── GitHubError                  github/replies.py: the API answered an error after retries
    ├── AnalyzerError                checks/analyzers/base.py: a tool failed; the reviewer that
    │   │                            needed it is recorded as failed, never clean
    │   └── PastDeadline             checks/analyzers/deadline.py: a plugin analyzer's call
    │                                outlasted its deadline; its row names its package
    ├── AnalyzerSkipped              checks/analyzers/base.py: off by the user's choice (shown)
    ├── ProvisionError               checks/analyzers/provision.py: a heavy tool's install failed
    │   └── StillInstalling          … outlasted the review's wait; it goes on in the background
    ├── LeaseLost                    runs/lease.py: another runner took the run mid-step
    └── (anything else)              exit 3: a bug in reviewloop; a log file is written

`reviewloop review` with no change to review is not an error: it says so and exits 0.
`reviewloop review --github` exits 4 when the review could not be published on the pull
request (GitHub kept failing, a bad token) and no finding blocks — blocking findings exit 1
either way; the SARIF, job summary and step outputs (`published=false`, `publish_error`)
are written in both cases. A comment command (`app/pr_command.py`) exits 4 the same way when
GitHub fails mid-command or refuses the commit status on a pushed fix (the reply says so).
Ctrl-C exits 130; SIGTERM 143 and SIGHUP 129, unwound the same way (temporary copies
removed, a run marked interrupted and resumable: `checks/interrupts.py`).
"""

from __future__ import annotations

import errno
from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    BLOCKING = 1
    USAGE = 2
    INTERNAL = 3
    UNPUBLISHED = 4  # review --github: reviewed, but the review did not reach the PR
    INTERRUPTED = 130


class ReviewloopError(Exception):
    """Base of every error reviewloop raises on purpose."""

    exit_code: ExitCode = ExitCode.INTERNAL


class UserInputError(ReviewloopError):
    """Bad input the user can fix; the message names where and how."""

    exit_code = ExitCode.USAGE

    def __init__(self, message: str, *, where: str | None = None, fix: str | None = None):
        self.where = where
        self.fix = fix
        super().__init__(message)

    def __str__(self) -> str:
        text = super().__str__()
        if self.where:
            text = f"{self.where}: {text}"
        if self.fix:
            text = f"{text}\n  fix: {self.fix}"
        return text


class ConfigError(UserInputError):
    """A configuration value is unknown, mistyped or out of range."""


class SpecError(UserInputError):
    """A spec location that cannot be found or read."""


class AgentDefinitionError(UserInputError):
    """An agent definition file that cannot be loaded."""


class PluginError(UserInputError):
    """An installed plugin that fails to import or gives the wrong kind of object; the message
    names the distribution and how to remove it."""


class TaskSelectionError(UserInputError):
    """A task selector that matches nothing usable."""


class CredentialsError(UserInputError):
    """Model credentials are missing; the message says exactly what to set."""


class StoreDamaged(UserInputError):
    """A run store file that SQLite cannot read (truncated, overwritten, another format) or a
    registry row that does not parse; the message names the file and the repair command."""


class BlockingOutcome(ReviewloopError):
    """The run worked but its outcome blocks: findings remain, commit declined, …"""

    exit_code = ExitCode.BLOCKING


DISK_FULL_FIX = ("free space on that disk (`df -h` shows it), then run the same command again; "
                 "`reviewloop resume` continues a stopped run from its last saved step")


class DiskFull(UserInputError):
    """A write found the disk full (SQLite's SQLITE_FULL, the OS's ENOSPC or EDQUOT). What
    was saved before stays as it was: the message names the file and the fix."""


def full_disk_error(exc: BaseException | None) -> BaseException | None:
    """The error in `exc`'s chain (itself, or what it was raised from) that is a write that
    found the disk full; None when there is none."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, DiskFull) or getattr(exc, "sqlite_errorname", "") == "SQLITE_FULL" \
                or (isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT)):
            return exc
        exc = exc.__cause__ or exc.__context__
    return None


def is_disk_full(exc: BaseException | None) -> bool:
    return full_disk_error(exc) is not None


def disk_full(exc: BaseException, path: object | None = None) -> DiskFull:
    """The user's error for `exc` (see `full_disk_error`), naming `path` (else the file the
    OS error names) when known."""
    cause = full_disk_error(exc) or exc
    if isinstance(cause, DiskFull):
        return cause
    where = path if path is not None else getattr(cause, "filename", None)
    said = (str(cause.strerror if isinstance(cause, OSError) and cause.strerror else cause)
            .strip().splitlines() or [type(cause).__name__])[0]
    return DiskFull(f"the disk is full ({said}): nothing was written after this point",
                    where=str(where) if where else None, fix=DISK_FULL_FIX)


NOT_WRITABLE_FIX = ("make it writable for your user (`chmod -R u+w` on it, or ask its owner), "
                    "or run reviewloop in a clone you can write; nothing after this point "
                    "was written")
_REFUSED = (errno.EACCES, errno.EPERM, errno.EROFS)


class NotWritable(UserInputError):
    """A path reviewloop must write that this user may not (permission denied, a read-only
    file system); the message names the path and the fix."""


def write_refused(exc: BaseException | None) -> OSError | None:
    """The OS error in `exc`'s chain that refused access to a path (EACCES, EPERM, EROFS);
    None when there is none."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, OSError) and exc.errno in _REFUSED:
            return exc
        exc = exc.__cause__ or exc.__context__
    return None


def not_writable(exc: BaseException, path: object | None = None) -> NotWritable:
    """The user's error for `exc` (see `write_refused`), naming `path` (else the path the OS
    error names)."""
    cause = write_refused(exc)
    where = path if path is not None else getattr(cause, "filename", None)
    said = cause.strerror if cause is not None and cause.strerror else str(exc)
    return NotWritable(f"reviewloop cannot write here ({said})",
                       where=str(where) if where else None, fix=NOT_WRITABLE_FIX)


NAME_BYTES = 255  # NAME_MAX: the longest name of one file or folder Linux file systems keep


class NameTooLong(UserInputError):
    """A path given (a `--spec`, an MCP tool's `path`) holds a name longer than the file
    system allows (the OS's ENAMETOOLONG): bad input, named, never a crash."""


def name_too_long(exc: BaseException | None) -> NameTooLong | None:
    """The user's error for the OS error in `exc`'s chain that found a name too long; None
    when there is none."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, NameTooLong):
            return exc
        if isinstance(exc, OSError) and exc.errno == errno.ENAMETOOLONG:
            return NameTooLong(
                f"a name in this path is longer than the file system allows ({NAME_BYTES} "
                "bytes for one file or folder name)", where=str(exc.filename or "a path given"),
                fix="give the path of a file or folder that exists, each of its names at most "
                    f"{NAME_BYTES} bytes")
        exc = exc.__cause__ or exc.__context__
    return None
