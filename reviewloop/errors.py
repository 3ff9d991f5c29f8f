"""The exception tree and the exit codes, in one place.

Who is at fault decides the branch::

    ReviewloopError                  exit 3 unless a subclass says otherwise
    ├── UserInputError               exit 2: the user can fix it (file, line or key named)
    │   ├── ConfigError              .reviewloop.toml / [tool.reviewloop] / REVIEWLOOP_* / flags
    │   ├── SpecError                a spec path that cannot be read or found
    │   ├── AgentDefinitionError     an agent JSON file
    │   ├── TaskSelectionError       `run 7` when there is no task 7, …
    │   └── CredentialsError         no model credentials; the message is the fix
    ├── BlockingOutcome              exit 1: findings remain, the commit was declined, …
    └── (anything else)              exit 3: a bug in reviewloop; a log file is written

Ctrl-C exits 130.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    BLOCKING = 1
    USAGE = 2
    INTERNAL = 3
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


class TaskSelectionError(UserInputError):
    """A task selector that matches nothing usable."""


class CredentialsError(UserInputError):
    """Model credentials are missing; the message says exactly what to set."""


class BlockingOutcome(ReviewloopError):
    """The run worked but its outcome blocks: findings remain, commit declined, …"""

    exit_code = ExitCode.BLOCKING
