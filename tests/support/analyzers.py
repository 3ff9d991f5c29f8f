"""Tests for the analyzer layer; `Repo` makes the small real git repositories they run on."""

from __future__ import annotations

import subprocess
from pathlib import Path

from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.findings.schema import Finding
from reviewloop.review.definitions import AgentDefinition
from tests.support.repos import init_repo, write_files


class Repo:
    """A git repository in a temp dir: write a base, commit it, change it, take `git diff`."""

    def __init__(self, root: Path, base: dict[str, str] | None = None):
        self.root = init_repo(root, {"README.md": "fixture\n", **(base or {})})

    def git(self, *args: str) -> str:
        return subprocess.run(["git", *args], cwd=self.root, check=True, capture_output=True,
                              text=True).stdout

    def write(self, files: dict[str, str]) -> None:
        write_files(self.root, files)

    def change(self, files: dict[str, str], *, delete: tuple[str, ...] = ()) -> str:
        """Apply the change and return its diff against the base commit (new files included)."""
        self.write(files)
        for name in delete:
            (self.root / name).unlink()
        self.git("add", "-A")
        return self.git("diff", "--cached", "HEAD")

    def exact_diff(self) -> str:
        """The staged change's diff as git wrote it: its CRs kept (`git` reads its output as
        universal-newline text, where a lone CR in a line ends it)."""
        return subprocess.run(["git", "diff", "--cached", "HEAD"], cwd=self.root, check=True,
                              capture_output=True).stdout.decode("utf-8", "replace")


def agent(name: str = "review-test", analyzers: tuple[str, ...] = (), *,
          include: tuple[str, ...] = (), exclude: tuple[str, ...] = ()) -> AgentDefinition:
    return AgentDefinition(name=name, prompt="review", analyzers=analyzers, include=include,
                           exclude=exclude)


class FakeAnalyzer:
    """A test's analyzer: always available, it reads every file it is given and finds
    nothing; a subclass names itself and says what `run` does."""

    name = "fake"
    max_bytes = 16_000_000
    markers = ()

    def reads(self, ctx: AnalyzerContext) -> list[str]:
        return list(ctx.files)

    def available(self) -> str | None:
        return None

    def run(self, ctx: AnalyzerContext) -> list[Finding]:
        return []
