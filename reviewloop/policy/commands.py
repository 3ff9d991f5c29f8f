"""The command policy: which shell commands an agent may run, and the sandbox they run in.

Deny wins; then the escape checks (`policy.escapes`: options that run another program,
paths outside the worktree or to a sensitive file); then allow decides. The policy keeps an
agent from destroying things by accident and refuses the known escapes cheaply; it is a
first filter. The boundary is the sandbox every allowed command runs in (`sandbox`,
enforced by `reviewloop.sandbox.process`). Enforced by the agent's command tool (`agent.shell`).
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path

from reviewloop.policy.escapes import escape
from reviewloop.policy.sensitive import DEFAULT_SENSITIVE
from reviewloop.sandbox.bubblewrap import Sandbox


class _Refused(Exception):
    """A command shape the policy refuses while splitting it; `reason` is shown to the model."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


DEFAULT_ALLOW = (
    "pytest", "py.test", "python -m", "python3 -m", "uv run pytest", "tox", "nox",
    "ruff", "mypy", "pyright", "black --check",
    "npm test", "npm run", "npx tsc", "npx jest", "npx vitest", "npx eslint",
    "yarn test", "yarn build", "yarn lint", "yarn run", "pnpm test", "pnpm build",
    "pnpm lint", "pnpm run",
    "go test", "go build", "go vet", "gofmt -l",
    "cargo test", "cargo build", "cargo check", "cargo clippy", "cargo fmt --check",
    "make", "make *",
    "git status", "git diff", "git log", "git show",
)
DEFAULT_DENY = (
    "rm -rf", "rm -fr", "rm -Rf", "rm -fR", "rm -r", "rm -R", "rm --recursive",
    "sudo", "su", "doas", "| sh", "| bash", "| zsh",  # the pipes cover `curl … | sh`
    "chmod -R 777", "git push", "git reset --hard", "git clean", "git checkout -- .",
    "git commit", "mkfs", "dd if=", ":(){", "> /dev/sd*", "shutdown", "reboot",
)
_SEPARATORS = frozenset({"&&", "||", ";", "|", "&", "|&", ";;", "(", ")"})
_OUT_REDIRECTS = frozenset({">", ">>", "&>", "&>>", ">|", ">&"})
_IN_REDIRECTS = frozenset({"<", "<<", "<<<", "<&"})
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


def _deny_regex(pattern: str) -> re.Pattern[str]:
    """A deny pattern as a regex: `*`/`…` match anything, whitespace is loose, and a
    pattern edge that is a word character must sit on a word boundary."""
    body = ""
    for chunk in re.split(r"(\s+|\*|…)", pattern.strip()):
        if chunk in ("*", "…"):
            body += ".*"
        elif chunk.isspace():
            body += r"\s*"
        else:
            body += re.escape(chunk)
    stripped = pattern.strip()
    head = r"(?<![\w-])" if stripped[:1].isalnum() else ""
    tail = r"(?![\w-])" if stripped[-1:].isalnum() else ""
    return re.compile(head + body + tail)


def _segments(command: str) -> list[list[str]]:
    """Split a shell command into the argv of each simple command, refusing redirections
    that write files (those bypass write_file and the record of touched files)."""
    lexer = shlex.shlex(command, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    tokens = list(lexer)
    segments: list[list[str]] = [[]]
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token in _SEPARATORS:
            segments.append([])
        elif token in _OUT_REDIRECTS or token in _IN_REDIRECTS:
            target = tokens[i + 1] if i + 1 < len(tokens) else ""
            if segments[-1] and segments[-1][-1].isdigit():
                segments[-1].pop()  # the fd number of `2>`
            to_fd = token == ">&" and (target.isdigit() or target == "-")
            if token in _OUT_REDIRECTS and target != "/dev/null" and not to_fd:
                raise _Refused(
                    f"output redirection to {target or 'a file'!r}; use write_file to write files"
                )
            i += 1
        else:
            segments[-1].append(token)
        i += 1
    return [seg for seg in segments if seg]


@dataclass(frozen=True)
class CommandPolicy:
    """Which shell commands an agent may run (deny wins, then the escape checks, then a
    non-empty allow list decides) and the sandbox the allowed ones run in."""

    allow: tuple[str, ...] = DEFAULT_ALLOW
    deny: tuple[str, ...] = DEFAULT_DENY
    allow_substitution: bool = False
    sensitive: tuple[str, ...] = DEFAULT_SENSITIVE
    sandbox: Sandbox = field(default_factory=Sandbox)

    def check(self, command: str, *, root: Path | None = None) -> str | None:
        """The reason `command` is refused, or None when it may run; with `root` (the
        worktree), arguments naming paths outside it are refused too."""
        text = " ".join(command.split())
        if not text:
            return "an empty command"
        if "\n" in command or "\r" in command:
            return "more than one line; join commands with && instead"
        denied = self._denied(text)
        if denied:
            return denied
        if not self.allow_substitution and re.search(r"\$\(|`|<\(|>\(", command):
            return "shell substitution ($(…), backticks, <(…)) is not allowed"
        try:
            segments = _segments(command)
        except _Refused as refused:
            return refused.reason
        except ValueError as exc:
            return f"the command cannot be parsed ({exc})"
        # Unquoted argv text catches what quoting hides from the raw text: r"m" -rf.
        denied = next(filter(None, (self._denied(" ".join(seg)) for seg in segments)), None)
        if denied:
            return denied
        escaped = next(filter(None, (escape(seg, root, self.sensitive) for seg in segments)),
                       None)
        if escaped:
            return escaped
        if not self.allow:
            return None
        for argv in segments:
            argv = _strip_assignments(argv)
            if argv and not any(_allowed(entry, argv) for entry in self.allow):
                allowed = ", ".join(self.allow)
                return f"{' '.join(argv)!r} is not in the allowed commands ({allowed})"
        return None

    def _denied(self, text: str) -> str | None:
        for pattern in self.deny:
            if _deny_regex(pattern).search(text):
                return f"matches the denied pattern {pattern!r}"
        return None


def _strip_assignments(argv: list[str]) -> list[str]:
    i = 0
    while i < len(argv) and _ASSIGNMENT.match(argv[i]):
        i += 1
    return argv[i:]


def _allowed(entry: str, argv: list[str]) -> bool:
    if any(ch in entry for ch in "*?["):
        return fnmatchcase(" ".join(argv), entry)
    prefix = entry.split()
    return argv[: len(prefix)] == prefix
