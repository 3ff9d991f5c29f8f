"""The steering a run or a review works with: read once when it starts (from the trusted
side), saved in the run folder, and asked for what applies to the files an agent sees.

Steering is trusted input, like settings: a task run reads it from the tree the run started
from (before any agent wrote a file), a review from the checkout, or with a head commit from
the base commit's export (`runs.trusted`). Saving it once means nothing an agent writes into
`.kiro/steering/` during the run reaches a later prompt. Which files apply is decided by
`spec.steering.applicable` on the task's own paths plus the paths the agent sees: the files
the implementer changed or created, the files a fixer's findings are in and its fix changed,
the files a reviewer's diff holds — so `fileMatch: tests/**/*.py` applies once a test exists.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from reviewloop.errors import ConfigError
from reviewloop.spec.steering import (
    Inclusion,
    SteeringFile,
    applicable,
    load_layered,
    repository_of,
)
from reviewloop.spec.steering_refs import include_references

STEERING_FILE = "steering.json"
MAX_STEERING_CHARS = 8000  # of one file's body in a prompt


class SavedSteering(BaseModel):
    """One steering file as it was when the run started."""

    # built at first use (#41): a review does not save its steering
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    file_name: str
    name: str
    inclusion: Inclusion
    patterns: tuple[str, ...] = ()
    body: str
    description: str = ""

    @classmethod
    def of(cls, item: SteeringFile) -> SavedSteering:
        return cls(file_name=item.path.name, name=item.name, inclusion=item.inclusion,
                   patterns=item.patterns, body=item.body, description=item.description)

    def steering_file(self) -> SteeringFile:
        return SteeringFile(Path(self.file_name), self.name, self.inclusion, self.patterns,
                            self.body, self.description)


class SteeringSet(BaseModel):
    """The run's steering files and what of the task decides `manual` and `auto` ones."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    files: tuple[SavedSteering, ...] = ()
    task_paths: tuple[str, ...] = ()  # paths the task text names
    manual: tuple[str, ...] = ()  # `#name` references in the task text
    text: str = ""  # the task text (for `auto` files)

    @classmethod
    def collect(cls, project: Path | None, *, home: Path | None = None, text: str = "",
                task_paths: Sequence[str] = (), manual: Sequence[str] = (),
                sensitive: Callable[[str], bool] | None = None,
                constitution: Path | None = None) -> SteeringSet:
        """The global and project steering now (`spec.steering.load_layered`), with their
        `#[[file:…]]` references included when `sensitive` says which files may hold secrets
        (`with_references`); a `ConfigError` for a file whose front matter cannot be used or
        whose reference cannot be included (`check_steering`). Spec Kit's `constitution`
        comes after them (`load_layered`)."""
        files = load_layered(project, home, constitution=constitution)
        if sensitive is not None:
            files = with_references(files, project, sensitive)
        check_steering(files)
        return cls(files=tuple(SavedSteering.of(f) for f in files),
                   task_paths=tuple(task_paths), manual=tuple(manual), text=text)

    def applicable(self, paths: Iterable[str] = ()) -> list[SteeringFile]:
        """The files that apply to the task and to `paths` (the files an agent sees)."""
        wanted = tuple(dict.fromkeys([*self.task_paths, *paths]))
        return applicable([f.steering_file() for f in self.files], wanted, self.manual,
                          text=self.text)

    def block(self, paths: Iterable[str] = ()) -> str:
        """The `## Steering` section for a prompt; "" when nothing applies."""
        return render_steering(self.applicable(paths))

    def write(self, run_dir: Path) -> Path:
        path = run_dir / STEERING_FILE
        path.write_text(self.model_dump_json(indent=1), encoding="utf-8")
        return path

    @classmethod
    def load(cls, run_dir: Path) -> SteeringSet:
        """The set saved in `run_dir`; empty for a run started before steering was saved."""
        path = run_dir / STEERING_FILE
        if not path.is_file():
            return cls()
        return cls.model_validate_json(path.read_text(encoding="utf-8"))


def with_references(files: Sequence[SteeringFile], project: Path | None,
                    sensitive: Callable[[str], bool]) -> list[SteeringFile]:
    """`files` with their `#[[file:…]]` references included from the repository of the
    project's steering folder `project` (Kiro reads them from the workspace root, for the
    global steering too); none is included without a project."""
    if project is None:
        return list(files)
    root = repository_of(project)
    return [include_references(f, root, sensitive) for f in files]


def check_steering(files: Sequence[SteeringFile]) -> None:
    """Refuse (exit 2) the first file whose front matter could not be used, naming its file,
    line and fix: applied as `always` it would reach every prompt, which is not what its
    author wrote; skipped, a rule the project set would silently go missing."""
    broken = next((f for f in files if f.diagnostic is not None), None)
    if broken is None or broken.diagnostic is None:
        return
    problem = broken.diagnostic.message.removesuffix("; included as `always`")
    raise ConfigError(f"steering file: {problem}",
                      where=f"{broken.diagnostic.file}:{broken.diagnostic.line}",
                      fix=broken.fix or None)


def render_steering(files: Sequence[SteeringFile]) -> str:
    """`## Steering` with one `### file.md (inclusion)` part per file that has a body."""
    shown = [s for s in files if s.body.strip()]
    if not shown:
        return ""
    return "\n\n".join(["## Steering", *(
        f"### {s.path.name} ({s.inclusion.value})\n\n{_cap(s.body.strip())}" for s in shown)])


def cut_notices(files: Sequence[SteeringFile]) -> list[str]:
    """One line for each steering file longer than a prompt takes (`MAX_STEERING_CHARS`),
    naming it and how much of it no agent will read: said when a run starts."""
    notices = []
    for item in files:
        body = item.body.strip()
        kept = len(_kept(body))
        if kept < len(body):
            notices.append(
                f"steering {item.path}: {len(body):,} characters; the first {kept:,} reach "
                f"the agents' prompts and the last {len(body) - kept:,} are left out (at most "
                f"{MAX_STEERING_CHARS:,} characters of each file): split it into smaller "
                "files, or move what only some tasks need into `fileMatch` or `manual` files")
    return notices


def _kept(text: str) -> str:
    if len(text) <= MAX_STEERING_CHARS:
        return text
    cut = text.rfind("\n", 0, MAX_STEERING_CHARS)
    return text[:cut if cut > MAX_STEERING_CHARS // 2 else MAX_STEERING_CHARS].rstrip()


def _cap(text: str) -> str:
    kept = _kept(text)
    if len(kept) == len(text):
        return text
    return (f"{kept}\n… ({len(text) - len(kept):,} more characters of this file left out: "
            f"steering is capped at {MAX_STEERING_CHARS:,} characters a file)")
