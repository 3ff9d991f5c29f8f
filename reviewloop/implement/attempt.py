"""One implement attempt of a run: where the change is measured from, the task context the
implementer reads, and the implementer it runs (an LLM agent, a command, or your change)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from reviewloop.agent.roles import Models
from reviewloop.agent.tools import CommandPolicy, Workspace
from reviewloop.config import Settings
from reviewloop.errors import SpecError
from reviewloop.git.entries import checked_out, tree_entries, write_entry
from reviewloop.git.repository import Repository, Snapshot
from reviewloop.implement.implementer import Implementer, ImplementRequest, ImplementResult
from reviewloop.policy.sensitive import is_sensitive
from reviewloop.spec import context as task_context
from reviewloop.spec import select
from reviewloop.spec.loader import load_spec, parse_tasks
from reviewloop.spec.overreach import restore_others
from reviewloop.spec.steering_set import SteeringSet


def baseline(repo: Repository, implementer: Implementer) -> Snapshot:
    """Manual: your whole uncommitted change is the change. Otherwise: what the agent adds."""
    if implementer.spec.your_change:
        return repo.head_snapshot()
    return repo.snapshot()


def write_context(root: Path, spec_file: Path | None, run_dir: Path, task_id: str) -> str:
    """The task's context (spec, requirements, design) as the file the implementer and the
    first reviewers read, and the run's steering saved beside it (read now, before any agent
    writes a file; each agent is given what applies to the files it sees)."""
    spec = load_spec(root, spec_file)
    task = select.by_id(spec.tasks, task_id)
    ctx = task_context.task_context(spec, task)
    text = task_context.task_text(task)
    SteeringSet.collect(spec.steering_dir, text=text, task_paths=ctx.paths,
                        manual=task_context.manual_names(text),
                        sensitive=is_sensitive,
                        constitution=spec.constitution_file).write(run_dir)
    path = run_dir / "context.md"
    path.write_text(task_context.render(replace(ctx, steering=())), encoding="utf-8")
    return str(path)


def implementer_context(context_path: str, run_dir: Path, touched: Sequence[str]) -> str:
    """What the implementer reads: the task context and the steering that applies to the
    task's paths and to the files the run has changed or created so far (a retry sees the
    `fileMatch` steering of a test the previous attempt wrote)."""
    text = Path(context_path).read_text(encoding="utf-8")
    steering = SteeringSet.load(run_dir).block(touched)
    return f"{text.rstrip()}\n\n{steering}\n" if steering else text


def run_implementer(implementer: Implementer, task_id: str, context_text: str,
                    feedback: str | None, *, models: Models, workspace: Workspace,
                    policy: CommandPolicy, settings: Settings,
                    run_dir: Path | None = None) -> ImplementResult:
    """One attempt; `feedback` is what the gates said about the previous one."""
    return implementer.attempt(ImplementRequest(
        task_id=task_id, context_text=context_text, feedback=feedback, argument=None,
        models=models, workspace=workspace, policy=policy, settings=settings,
        run_dir=run_dir))


def keep_to_own_task(repo: Repository, spec_file: Path | None, start: Snapshot,
                     task_id: str) -> list[str]:
    """Put back the blocks of other tasks an agent changed in the run's spec since `start`
    (`spec.overreach`), in the run's worktree `repo`; one line per task put back. A spec the
    agent deleted, moved away or left unreadable goes back whole, before anything is paid
    for on it."""
    try:
        spec = load_spec(repo.root, spec_file)
    except SpecError:
        return _put_back_whole(repo, spec_file, start)
    path = spec.tasks_file
    rel = os.path.relpath(os.path.abspath(path), os.path.abspath(repo.root))
    entry = tree_entries(repo, start.tree, [Path(rel).as_posix()]).get(Path(rel).as_posix())
    if entry is None or entry[0] not in ("100644", "100755") or path.is_symlink():
        return []  # a spec the run created, or a link: nothing of another task's to keep
    base = checked_out(repo, Path(rel).as_posix(), entry)
    now = path.read_bytes()
    if base == now:
        return []
    restored = restore_others(
        base, now, lambda text: parse_tasks(repo.root, path, text.removeprefix("\ufeff")).tasks,
        task_id)
    if restored.data != now:
        path.write_bytes(restored.data)
    return list(restored.tasks)


def _put_back_whole(repo: Repository, spec_file: Path | None, start: Snapshot) -> list[str]:
    """The run's spec file as `start` has it, when it was a file there; else nothing is put
    back and the step that reads it next names what is wrong."""
    if spec_file is None:
        return []
    rel = Path(os.path.relpath(os.path.abspath(spec_file), os.path.abspath(repo.root)))
    entry = tree_entries(repo, start.tree, [rel.as_posix()]).get(rel.as_posix())
    if entry is None or entry[0] not in ("100644", "100755"):
        return []
    gone = not os.path.lexists(repo.root / rel)
    write_entry(repo, rel.as_posix(), entry)  # whatever stands there goes first
    return [f"the spec ({rel.as_posix()}): {'deleted' if gone else 'left unreadable'}"]
