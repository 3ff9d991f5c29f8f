"""`reviewloop review`: review an existing change; print, write, and set the exit code."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from reviewloop.app.review import Nothing, ReviewOptions, review
from reviewloop.cli import ui
from reviewloop.cli.panel import MAX_TERMINAL_ROWS, to_rich
from reviewloop.cli.report_targets import refuse_overwrite
from reviewloop.cli.terminal import terminal
from reviewloop.errors import DiskFull, ExitCode, PluginError, UserInputError, is_disk_full
from reviewloop.git.names import printable
from reviewloop.git.repository import Repository, open_repository
from reviewloop.reports import formats
from reviewloop.reports.formats import RenderContext, sarif_text
from reviewloop.reports.render import to_markdown
from reviewloop.reports.report import RunSummary, nothing_to_review
from reviewloop.runs.review import blocking
from reviewloop.runs.trusted import SettingsLoader

if TYPE_CHECKING:  # chat models load LangChain: not before the analyzers start
    from reviewloop.agent.models import ModelFactory


def prepare_outputs(options: ReviewOptions, root: Path | None = None) -> None:
    """Create the folders --output and --sarif write into (as ruff does), before the review,
    so a path that cannot be written is refused before any work rather than after it, as
    are both naming one file (the SARIF would overwrite the report) and a file of the
    repository at `root` that is not a report (`report_targets`)."""
    if options.output is not None and options.sarif is not None \
            and os.path.realpath(options.output) == os.path.realpath(options.sarif):
        raise UserInputError(f"--output and --sarif both name {options.output}",
                             where=str(options.output),
                             fix="give --sarif a file of its own, e.g. reviewloop.sarif")
    for flag, path in (("--output", options.output), ("--sarif", options.sarif)):
        if path is not None:
            ext = formats.get(options.format).extension if flag == "--output" else ".sarif"
            prepare_output(flag, path, ext, root)


def prepare_output(flag: str, path: Path, ext: str, root: Path | None = None) -> None:
    """Create the folder `path` (given as `flag`, a file of extension `ext`) is written
    into; one that cannot be made, a `path` that is a folder, or a file of the repository
    at `root` that is not a report, is a usage error (exit 2) naming the flag and the fix —
    `review` and `report` alike; so is a symlink of the repository on its way, before any
    folder is made through it."""
    refuse_overwrite(flag, path, root, ext)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        blocker = next((p for p in path.parents if p.exists()), path.parent)
        why = f"{blocker} is a file" if not blocker.is_dir() else exc.strerror or str(exc)
        raise UserInputError(f"cannot create the folder for {flag} {path}: {why}",
                             where=str(path.parent),
                             fix=f"give {flag} a path in a folder you can write") from None
    try:
        folder = path.is_dir()
    except OSError as exc:  # a name too long for the file system, a loop of links
        raise UserInputError(f"cannot use {flag} {path}: {exc.strerror or exc}",
                             where=str(path), fix=f"give {flag} a shorter path") from None
    if folder:
        raise UserInputError(f"{flag} {path} is a folder", where=str(path),
                             fix=f"give {flag} a file name, e.g. {path / 'report'}{ext}")


def run(load: SettingsLoader, root: Path, options: ReviewOptions, *,
        config_file: Path | None = None, model_factory: ModelFactory | None = None) -> int:
    """Review (`app/review.py`), then print or write the report; the exit code."""
    result = review(load, root, options, terminal(), config_file=config_file,
                    model_factory=model_factory)
    if isinstance(result, Nothing):
        out = ui.console(stderr=options.format != "text")
        for line in [] if ui.quiet() else [result.message,
                                            *(f"not read: {o}" for o in result.left_out)]:
            out.print(line, markup=False, highlight=False)
        # the files asked for exist, and --json prints a document: a CI step reading or
        # uploading them finds "nothing to review", not a missing file
        write_reports(nothing_to_review(result.message, result.left_out), options, root)
        return ExitCode.OK
    emit(result, options, root)
    return ExitCode.BLOCKING if blocking(result, options.fail_on) else ExitCode.OK


def scope_paths(root: Path, given: Sequence[Path], refs: Sequence[str | None], *,
                index: bool = False) -> tuple[str, ...]:
    """`review PATH…` as repository paths ("" for the whole repository). A path is taken
    relative to the current folder, as ruff and pre-commit take it; one outside the
    repository, or that exists neither on disk nor in `refs` (a file the change deleted) nor,
    with `index` (`--staged`), in the index, is refused before any work."""
    top = Path(os.path.realpath(root))
    repo = open_repository(root) if given else None
    scoped = []
    for path in given:
        full = os.path.abspath(path)  # the folders resolved, a symlink's own name kept
        here = Path(os.path.realpath(os.path.dirname(full))) / os.path.basename(full)
        try:
            relative = here.relative_to(top).as_posix() if here != top else ""
        except ValueError:
            raise UserInputError(f"outside the repository {root}", where=str(path),
                                 fix="name files or folders inside the repository") from None
        if not (relative == "" or os.path.lexists(here) or _in_refs(repo, relative, refs)
                or (index and _in_index(repo, relative))):
            raise UserInputError("no such file or folder", where=str(path),
                                 fix="name a file or folder of the repository (or of the "
                                     f"change's base{' or the index' if index else ''})")
        scoped.append(relative)
        if os.path.islink(full) and os.path.isdir(full):  # a link to a folder: the link
            # itself (a change to it), and the folder it leads to, as `ls linkdir/` lists it
            scoped += _inside(Path(os.path.realpath(full)), top)
    return tuple(dict.fromkeys(scoped))


def _inside(path: Path, top: Path) -> list[str]:
    """`path` relative to the repository `top`, or none when it lies outside."""
    try:
        return [path.relative_to(top).as_posix() if path != top else ""]
    except ValueError:
        return []


def _in_index(repo: Repository | None, path: str) -> bool:
    """Whether the index holds `path` or files under it (staged, gone from the disk)."""
    return repo is not None and repo.try_git("ls-files", "--error-unmatch", "--", path)[0] == 0


def _in_refs(repo: Repository | None, path: str, refs: Sequence[str | None]) -> bool:
    return repo is not None and any(
        repo.try_git("cat-file", "-e", f"{ref}:{path}")[0] == 0
        for ref in refs if ref and not ref.startswith("-"))


def emit(summary: RunSummary, options: ReviewOptions, root: Path | None = None) -> None:
    """Print (or write to --output) the report in --format; the terminal panel goes with the
    text format, or with any format written to a file unless -q. --sarif also writes SARIF.
    The panel carries the verdict: it is printed once. With -q the text format prints
    nothing when the review passes, and ruff's lines and the verdict when it blocks."""
    drawn = write_reports(summary, options, root)  # the text format is the panel itself
    if drawn and options.output is None and ui.quiet():
        if blocking(summary, options.fail_on):  # why the exit code is 1, one line each
            print(formats.get("ruff").render(summary, _context(options, root)), end="")
    elif (options.output is None and drawn) or (options.output is not None
                                                and not ui.quiet()):
        # with the report in a file, the panel is its summary and names the file
        report = str(options.output) if options.output is not None else None
        ui.console().print(to_rich(summary, report=report))
        for line in summary.skipped[:MAX_TERMINAL_ROWS]:  # the panel has no row for them
            ui.console().print(f"not read: {printable(line)}", markup=False,
                               highlight=False)
        if len(summary.skipped) > MAX_TERMINAL_ROWS:
            ui.console().print(f"not read: … and {len(summary.skipped) - MAX_TERMINAL_ROWS} "
                               "more (--format json lists every one)", markup=False,
                               highlight=False)


def write_reports(summary: RunSummary, options: ReviewOptions, root: Path | None) -> bool:
    """The report in --format onto standard output or into --output, and --sarif's file;
    whether the format is the terminal panel (text), which is then left to the caller."""
    try:
        out = formats.render(options.format, summary, _context(options, root))
    except PluginError as exc:  # a plugin's format failed: the verdict is shown all the same
        ui.console(stderr=True).print(to_rich(summary))
        exc.fix = f"{exc.fix}; the review's verdict is shown above, on standard error"
        raise
    if isinstance(out, bytes):  # json: 17 MB for 5,000 findings
        _writing("--output", options.output, lambda: _write(out, options.output))
    elif (output := options.output) is not None:
        text = out if out is not None else to_markdown(summary)
        _writing("--output", output, lambda: output.write_text(text, encoding="utf-8"))
    elif out is not None:
        print(out, end="")
    if options.sarif is not None:
        sarif = options.sarif
        _writing("--sarif", sarif, lambda: sarif.write_text(sarif_text(summary), encoding="utf-8"))
    return out is None


def _context(options: ReviewOptions, root: Path | None) -> RenderContext:
    return RenderContext(fail_on=options.fail_on,
                         shown=from_cwd(root) if root is not None else str)


def _writing(flag: str, path: Path | None, write: Callable[[], object]) -> None:
    """`write()`; a file the OS refuses (EIO, a folder's permissions, a special file) is the
    user's error, exit 2, not a bug (a full disk is `errors.disk_full`'s, exit 2 as well)."""
    try:
        write()
    except OSError as exc:
        if path is None:
            raise
        saved = "the review is saved: `reviewloop report` shows it again"
        if is_disk_full(exc):  # not `resume`'s advice: a review has no run to continue
            raise DiskFull(f"the disk is full writing {flag} {path}", where=str(path),
                           fix=f"free space on that disk (`df -h` shows it); {saved}") from None
        raise UserInputError(f"cannot write {flag} {path}: {exc.strerror or exc}",
                             where=str(path), fix=f"give {flag} a file you can write; {saved}") \
            from None


def _write(data: bytes, output: Path | None) -> None:
    """`data` into --output, or onto standard output after what was printed there first."""
    if output is not None:
        output.write_bytes(data)
        return
    sys.stdout.flush()
    raw = getattr(sys.stdout, "buffer", None)
    if raw is None:  # a text-only stream (an embedding caller's)
        sys.stdout.write(data.decode())
        return
    raw.write(data)
    raw.flush()


def from_cwd(root: Path) -> Callable[[str], str]:
    """Repository-relative paths as ruff prints them: relative to the current directory."""
    here = Path.cwd()

    def shown(path: str) -> str:
        return os.path.relpath(root / path, here)
    return shown
