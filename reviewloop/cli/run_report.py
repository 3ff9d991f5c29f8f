"""`reviewloop report [RUN]`: a stored run or review shown again — on the terminal, as JSON
or Markdown, or as one self-contained HTML page (`reports.html_run`)."""

from __future__ import annotations

import sys
from contextlib import suppress
from pathlib import Path

from reviewloop.app.preflight import in_repository
from reviewloop.cli import ui
from reviewloop.cli.panel import to_rich
from reviewloop.config import Settings
from reviewloop.errors import ExitCode, PluginError, ReviewloopError, UserInputError
from reviewloop.policy.governance import load_policy
from reviewloop.reports import formats
from reviewloop.reports.formats import REPORT_PAGE as HTML
from reviewloop.reports.formats import RenderContext
from reviewloop.reports.html_run import RunPage, run_html
from reviewloop.reports.report import RunSummary
from reviewloop.reports.snippets import snippets
from reviewloop.reports.timeline import timeline
from reviewloop.runs.live_review import at_step
from reviewloop.runs.records import StoredRun, find

HTML_NAME = "report.html"


def run(settings: Settings, root: Path, run_id: str | None, *, fmt: str,
        output: Path | None) -> int:
    in_repository(root)  # exit 2 outside a repository, creating nothing
    stored = _counted(as_registered(settings, root, find(settings, root, run_id)))
    if fmt == "text" and output is None:
        ui.console().print(to_rich(stored.summary))
        return ExitCode.OK
    if fmt == "text" and str(output) != "-":  # into a file as Markdown, as `review` writes it
        fmt = "markdown"
    data = _rendered(settings, root, stored, fmt)
    target = output if output is not None else (
        stored.folder / HTML_NAME if fmt == HTML and stored.folder else None)
    if target is None or str(target) == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return ExitCode.OK
    from reviewloop.cli.review import prepare_output  # its review's own check: exit 2

    prepare_output("--output", target, ".html" if fmt == HTML else formats.get(fmt).extension,
                   root)
    target.write_bytes(data)
    ui.console(stderr=True).print(f"Wrote {target}", markup=False, highlight=False,
                                  soft_wrap=True)
    return ExitCode.OK


def as_registered(settings: Settings, root: Path, stored: StoredRun) -> StoredRun:
    """A task run's stored summary with what its registry says now: a run whose process is
    gone before its end is unfinished (its summary is what its state held when it stopped,
    never a complete one), an approved one landed (its commit and branch), and the spec's
    progress as the spec file reads now (the tick comes after the summary)."""
    if stored.kind != "run":
        return stored
    from reviewloop.runs.registry import crashed, live_holder, run_tree
    from reviewloop.runs.store import registry_for
    from reviewloop.spec.loader import load_spec

    record = registry_for(settings, root).get(stored.name)
    update: dict[str, object] = {}
    holder = live_holder(root, record)
    if holder is not None:  # its summary is what it has saved so far, not its end
        update["unfinished"] = (f"still running ({holder.shown()}{_at_step(settings, stored)}): "
                                "this is what it has saved so far; `reviewloop report "
                                f"{record.run_id}` again once it stops for approval")
        tree = run_tree(record)
        if tree is not None and not _files(stored.summary):
            update.update(_held(Path(tree.path), tree.base))
    if crashed(root, record):
        tree = run_tree(record)
        held = f" (its worktree {tree.path} holds what it did)" if tree else ""
        update["unfinished"] = (f"the run crashed: its process is gone{held}; `reviewloop "
                                f"resume {record.run_id}` continues it")
        if tree is not None and not _files(stored.summary):
            update.update(_held(Path(tree.path), tree.base))
    if record.status == "committed" and record.commit_sha:
        tree = run_tree(record)
        into = (tree.target or tree.branch) if tree else None
        branch = f" on branch {into}" if into else ""
        update["landed"] = f"approved and committed as {record.commit_sha[:12]}{branch}"
    with suppress(OSError, ValueError, UserInputError):  # the spec moved or broke: as stored
        update["spec_progress"] = load_spec(root, Path(record.spec)).progress()
    summary = stored.summary.model_copy(update=update)
    return StoredRun(stored.kind, stored.name, summary, stored.folder)


def _at_step(settings: Settings, stored: StoredRun) -> str:
    """`, at step review (round 2)`: where a live run is, as its trace says."""
    return at_step(stored.trace, settings.prices)


def _files(summary: RunSummary) -> bool:
    return bool(summary.files_created or summary.files_modified or summary.files_deleted)


def _held(worktree: Path, base: str) -> dict[str, list[str]]:
    """The files a stopped run's worktree holds changed from the commit it started at, as
    a summary's file lists (none when the worktree cannot be read: it is gone)."""
    from reviewloop.git.repository import open_repository

    try:
        changes = open_repository(worktree).snapshot(base).files
    except (OSError, ReviewloopError):
        return {}
    lists: dict[str, list[str]] = {"added": [], "modified": [], "deleted": []}
    for path, change in sorted(changes.items()):
        lists[change.status].append(path)
    return {"files_created": lists["added"], "files_modified": lists["modified"],
            "files_deleted": lists["deleted"]}


def page(settings: Settings, root: Path, stored: StoredRun) -> str:
    """The run's HTML page: its summary, the timeline from its trace, the code of its
    findings from its round diffs (sensitive files left out, as governance says)."""
    sensitive = load_policy(root, settings).sensitive
    diffs = stored.diffs()
    return run_html(RunPage(
        name=stored.name, kind=stored.kind, summary=stored.summary,
        timeline=timeline(stored.trace, settings.prices),
        snippets=snippets(stored.summary.ledger.entries, diffs,
                          sensitive=tuple(sensitive))))


def _counted(stored: StoredRun) -> StoredRun:
    """A review saved before its summary held its files' +/− counts, with them from its
    first round's diff, for every format (the panel's too)."""
    diffs = stored.diffs() if stored.summary.is_review and not stored.summary.line_counts \
        else {}
    if not diffs:
        return stored
    summary = stored.summary.model_copy(update={"line_counts": _line_counts(
        diffs[min(diffs)])})
    return StoredRun(stored.kind, stored.name, summary, stored.folder)


def _line_counts(diff: str) -> dict[str, tuple[int, int]]:
    """(+added, -removed) lines per file of a review's change, from its diff as stored: a
    review saved before its summary held them (a run's and a newer review's do:
    `reports.summary.counted`)."""
    from reviewloop.git.diff import parse_diff
    from reviewloop.reports.summary import counted

    return counted(parse_diff(diff))


def _rendered(settings: Settings, root: Path, stored: StoredRun, fmt: str) -> bytes:
    """The stored run in `fmt`: html's page, else the format registry's renderer (the one
    `review --format` uses); a plugin's format that cannot render it says so, exit 2."""
    if fmt == HTML:
        return page(settings, root, stored).encode("utf-8")
    from reviewloop.cli.review import from_cwd  # ruff's paths, as review prints them

    try:
        out = formats.render(fmt, stored.summary, RenderContext(shown=from_cwd(root)))
    except PluginError as exc:
        raise PluginError(f"the {stored.kind} {stored.name} cannot be shown as --format "
                          f"{fmt}: {exc.args[0]}", where=exc.where,
                          fix=f"{exc.fix}; another --format shows it (the run is kept as "
                              "it was)") from exc
    if out is not None:
        return out if isinstance(out, bytes) else out.encode("utf-8")
    console = ui.console()
    with console.capture() as captured:
        console.print(to_rich(stored.summary))
    return captured.get().encode("utf-8")
