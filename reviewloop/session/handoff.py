"""The handoff document: blockers, next steps, state, history, what remains — from facts."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from reviewloop.git import repo_writes
from reviewloop.runs.registry import LANDING_REFUSED
from reviewloop.session import names
from reviewloop.session.facts import Facts, SpecFact
from reviewloop.session.history import KIRO_COPY

HANDOFF_MD = ".reviewloop/handoff.md"
HANDOFF_JSON = ".reviewloop/handoff.json"
KIRO_BACKUPS = ".reviewloop/handoff-backups"  # a Kiro copy holding the user's own text


def blockers(facts: Facts) -> list[str]:
    """What must be dealt with before resuming, most urgent first."""
    found = list(facts.unread)  # git could not say: nothing about it is known to be fine
    found += [f"run {r.run_id} ({r.task_id} {r.task_title}) is waiting for approval"
              for r in facts.pending]
    found += [f"run {r.run_id} ({r.task_id}) {_status(r.status)}: {r.detail or 'no detail'}"
              for r in facts.failed]
    if facts.dirty:
        found.append(f"dirty working tree: {len(facts.dirty)} uncommitted change(s) "
                     f"({', '.join(names.code(line[3:]) for line in facts.dirty[:5])})")
    if facts.unpushed:
        found.append(f"{len(facts.unpushed)} unpushed commit(s) on {facts.branch} "
                     f"(upstream {facts.upstream})")
    if facts.missing_credentials:
        found.append(f"missing credentials: {facts.missing_credentials}")
    return found


def next_steps(facts: Facts) -> list[str]:
    """Concrete commands, in the order they should run."""
    steps = [f"`reviewloop approve {r.run_id}` (or `reviewloop reject {r.run_id}`) — "
             f"{r.task_id} {r.task_title}" for r in facts.pending]
    # a run stopped after approval (its landing refused, a commit made): approve lands it
    if facts.unread:
        steps.append("`git status` — says what git cannot read; repair the repository, then "
                     "`reviewloop handoff` again")
    steps += [f"`reviewloop {'approve' if r.commit or r.status == LANDING_REFUSED else 'resume'}"
              f" {r.run_id}` — {r.task_id} {_status(r.status)}" for r in facts.failed]
    if facts.dirty:
        steps.append("`git status`, then commit or stash the uncommitted changes")
    if facts.unpushed:
        steps.append("`git push`")
    steps += [f"`reviewloop spec resume {name}` — finish writing that spec"
              for name in facts.spec_sessions]
    several = len(facts.specs) > 1
    for spec in facts.specs:
        if spec.next_task and not _has_open_run(facts, spec):  # its approve/resume is above
            where = f" --spec {spec.path}" if several else ""
            steps.append(f"`reviewloop run next{where}` — {spec.next_task}")
    return steps


def _status(status: str) -> str:
    """A run's status as said to a person: a refused landing waits, it did not fail."""
    return "waiting: landing refused" if status == LANDING_REFUSED else status


def _has_open_run(facts: Facts, spec: SpecFact) -> bool:
    """Whether the task `run next` would pick has a run waiting for approval or a resume:
    `run next` would start a second run of it."""
    return any(r.task_id == spec.next_id and r.spec in ("", spec.path)
               for r in (*facts.pending, *facts.failed))


def render(facts: Facts, prose: str | None = None) -> str:
    lines = ["# Session handoff", "", f"Written {facts.created} by `reviewloop handoff`.", ""]
    if prose:
        lines += ["## Summary", "", prose.strip(), ""]
    lines += ["## Blockers before resuming", ""]
    lines += [f"- {b}" for b in blockers(facts)] or ["- none"]
    lines += ["", "## Immediate next steps", ""]
    lines += [f"{i}. {s}" for i, s in enumerate(next_steps(facts), 1)] or ["1. nothing open"]
    lines += ["", "## Current state", "", *_state(facts), "", "## Done since the last handoff",
              "", *_done(facts), "", "## What remains", "", *_remaining(facts), "",
              "## Key files touched", "", *_key_files(facts.files_touched), "",
              "## Deployed resources and live URLs", "", *_deployed(facts), "",
              "## Key decisions", ""]
    lines += [f"- {n.created[:10]}: {n.text}" for n in facts.notes if n.kind == "decision"] \
        or ["- none recorded (`reviewloop note \"…\"`)"]
    lines += ["", "## Preferences", ""]
    lines += [f"- {n.text}" for n in facts.notes if n.kind == "preference"] or ["- none"]
    return "\n".join(lines) + "\n"


def _state(facts: Facts) -> list[str]:
    unread = next((line for line in facts.unread if "the working tree" in line), None)
    tree = f"unknown ({unread})" if unread else \
        f"dirty ({len(facts.dirty)} change(s))" if facts.dirty else "clean"
    tests = facts.last_tests()
    lines = [f"- branch: {facts.branch or '(detached HEAD)'}", f"- working tree: {tree}",
             f"- last commit: {(facts.head or '')[:8]} "
             f"{names.printable(facts.head_subject)}".rstrip(),
             f"- last test count: {tests} passing" if tests is not None
             else "- last test count: unknown (no finished run recorded one)"]
    lines += [f"- spec {s.path}: {s.done}/{s.total} tasks done" for s in facts.specs]
    return lines


def _done(facts: Facts) -> list[str]:
    runs = facts.runs_since()
    lines = [f"- run {r.run_id}: {r.task_id} {r.task_title} — {r.status}"
             f"{f' ({r.commit[:8]})' if r.commit else ''}; findings fixed {r.fixed}, "
             f"escalated {r.escalated}" for r in runs]
    lines += [f"- commit {names.printable(c)}" for c in facts.commits_since]
    return lines or ["- nothing recorded"]


def area(path: str) -> str:
    """The folder a file belongs to, two levels deep at most: `src/api/routes/x.py` is in
    `src/api`; a file at the top is in the project root."""
    parts = path.split("/")[:-1]
    return "/".join(parts[:2]) if parts else "project root"


def _key_files(files: list[str]) -> list[str]:
    groups: dict[str, list[str]] = {}
    for path in files:
        groups.setdefault(area(path), []).append(path)
    lines: list[str] = []
    for name in sorted(groups, key=lambda g: (g == "project root", g)):
        lines += [f"- **{names.text(name)}**", *(f"  - {names.code(p)}" for p in groups[name])]
    return lines or ["- none"]


def _deployed(facts: Facts) -> list[str]:
    urls = [d for d in facts.deployed if d.is_url]
    lines = [f"- {d.name} = {d.value} ({d.kind}, `{d.source}`)" for d in facts.deployed
             if not d.is_url]
    if urls:
        lines += [*([""] if lines else []), "Live URLs:", "",
                  *(f"- {d.name}: <{d.value}> (`{d.source}`)" for d in urls)]
    lines += [f"- could not read {p}" for p in facts.deployed_problems]
    return lines or [
        "- none found (outputs files read: `handoff_outputs` in .reviewloop.toml, by default "
        "cdk-outputs.json, cdk.out/ and terraform-outputs.json)"]


def _remaining(facts: Facts) -> list[str]:
    # a task whose run stopped for approval is not open: it waits on a human's decision
    waiting = {r.task_id: r.run_id for r in facts.pending}
    rows = [f"| {s.path} | {t.id} | {t.title} | "
            f"{f'awaiting approval (run {waiting[t.id]})' if t.id in waiting else t.status}"
            f" | {t.notes} |" for s in facts.specs for t in s.open]
    if not rows:
        return ["- no open tasks"]
    return ["| spec | task | title | status | notes |", "| --- | --- | --- | --- | --- |", *rows]


def write(root: Path, facts: Facts, prose: str | None = None) -> list[Path]:
    """Overwrite the handoff (and Kiro's copy when `.kiro/` exists); return what was written.
    Every file is checked first (`repo_writes.check`: no symlink on the way, exit 2), then
    written atomically; a damaged handoff.json, and a Kiro copy with text the last handoff
    did not write (the user's own), are copied aside before they are replaced."""
    text = render(facts, prose)
    targets = check(root)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
    if damage(root) is not None:
        repo_writes.write(root, f"{HANDOFF_JSON}.damaged-{stamp}",
                          (root / HANDOFF_JSON).read_bytes())
    if KIRO_COPY in targets and _own_text(root):
        repo_writes.write(root, f"{KIRO_BACKUPS}/session-handoff-{stamp}.md",
                          (root / KIRO_COPY).read_bytes())
    written = [repo_writes.write(root, HANDOFF_MD, text),
               repo_writes.write(root, HANDOFF_JSON, json.dumps(as_json(facts, prose), indent=2))]
    if KIRO_COPY in targets:
        written.append(repo_writes.write(root, KIRO_COPY, text))
    return written


def check(root: Path) -> list[str]:
    """The files a handoff writes, once none has a symlink, a file where its folder must be
    or a folder where it goes (`repo_writes.check`, exit 2 naming it): asked before the facts
    are gathered, so a refused handoff writes nothing at all."""
    targets = [HANDOFF_MD, HANDOFF_JSON, *([KIRO_COPY] if (root / ".kiro").is_dir() else [])]
    repo_writes.check(root, targets, whole=True)
    if KIRO_COPY in targets and _own_text(root):  # its backup goes first
        repo_writes.check(root, [f"{KIRO_BACKUPS}/session-handoff.md"], whole=True)
    return targets


def _own_text(root: Path) -> bool:
    """Kiro's copy holds text the last handoff did not write there (the user's own)."""
    copy, last = root / KIRO_COPY, root / HANDOFF_MD
    if not copy.is_file():
        return False
    return not last.is_file() or copy.read_bytes() != last.read_bytes()


def as_json(facts: Facts, prose: str | None = None) -> dict:
    return {"facts": facts.model_dump(mode="json"), "blockers": blockers(facts),
            "next_steps": next_steps(facts), "summary": prose}


def read(root: Path) -> Facts | None:
    """The facts of the last handoff, or None when there is none (or it is damaged)."""
    return _load(root)[0]


def damage(root: Path) -> str | None:
    """Why handoff.json, which is there, cannot be read (empty, cut short, not reviewloop's
    JSON); None when it reads or is not there."""
    return _load(root)[1]


def _load(root: Path) -> tuple[Facts | None, str | None]:
    path = root / HANDOFF_JSON
    if not (path.is_file() or path.is_symlink()):
        return None, None
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, f"it cannot be read ({exc.strerror})"
    if not data.strip():
        return None, "it is empty (a handoff cut short while it was written)"
    try:
        return Facts.model_validate(json.loads(data.decode("utf-8"))["facts"]), None
    except (ValueError, KeyError, TypeError) as exc:
        return None, f"it is not a handoff reviewloop wrote ({type(exc).__name__})"
    except RecursionError:  # JSON nested deeper than Python's decoder follows: not ours
        return None, "it is not a handoff reviewloop wrote (JSON nested too deep to read)"
