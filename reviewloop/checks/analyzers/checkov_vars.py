"""Where checkov's finding on a resource the change did not write, opened by a value it did
write, is shown: on that value.

A change to a variable file Terraform loads by itself (`terraform.tfvars`, `*.auto.tfvars`,
their `.json` forms) or to a variable's `default` can open a resource of the module in a file
it leaves alone: checkov reports the security group in `main.tf`, which the review does not
show (a comment can anchor only on the diff), and the fix is the changed value anyway. So a
finding the change introduced there (`review.introduced`: its base run does not have it) is
moved onto the module's changed lines that set or declare a variable the resource reads
(`var.cidr`), its rationale naming the resource and where it is. When no changed line sets one
of them (the value reaches the resource through a `local`, or the change only removed a
line), it goes on the module's first changed line, and says so. A file the change renamed
into the module, or into a name Terraform loads by itself (`open.tfvars.example` made
`terraform.tfvars`), is new to the module in full: each of its lines counts as written.
A finding on a local module's resource that a changed module calls (`module.x.…` in
`modules/x/main.tf`, `terraform_modules.call_of`) is the caller's: shown on the changed lines
of its `module "x"` block (an input set there), else on those that set a variable the block
passes on (`ingress_cidr = var.ssh_cidr`, set in `terraform.tfvars`).
When the change wrote none of the module's files and only took one away (deleted it, or
renamed it out of the module: `terraform_moves.taken_from`), the finding is about that file
as a whole (`level="file"`): what it held back is gone.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.analyzers.checkov_policies import var_files
from reviewloop.checks.analyzers.terraform_modules import call_of
from reviewloop.checks.analyzers.terraform_moves import AUTO_VARS, moved_in, taken_from
from reviewloop.findings.schema import Finding
from reviewloop.git.diff import FileDiff, FileStatus
from reviewloop.git.names import under
from reviewloop.git.reverse import base_text, git_lines
from reviewloop.memo import compiled_on_first_use

_used = compiled_on_first_use(r"\bvar\.([A-Za-z_][\w-]*)")
# what a line names: an `x =` assignment (a tfvars value), a JSON key (`"x":`)
_named = compiled_on_first_use(r'^[ \t]*([A-Za-z_][\w-]*)[ \t]*=(?!=)|"([\w-]+)"[ \t]*:')
# the opening line of a `variable "x" {` block of a .tf file
_declared = compiled_on_first_use(r'^variable[ \t]+"?([\w-]+)')


def on_changed_variables(finding: Finding, ctx: AnalyzerContext, changed: Sequence[str]
                         ) -> Finding | None:
    """`finding` (on an unchanged file of a module) on the lines of the module's `changed`
    Terraform files (variable files among them) that brought it about; about the module
    file it took away when it wrote none (`_on_taken`); None when it did neither."""
    folder = PurePosixPath(finding.file).parent
    read = set(_used().findall(_lines(ctx, finding.file, finding.start_line, finding.end_line)))
    where = f"{finding.symbol or 'a resource'} in {finding.file} (lines {finding.start_line}-" \
            f"{finding.end_line}), which the change did not write"
    call = call_of(finding, ctx.root, changed)  # a local module's, reached through a call
    if call is not None:
        folder, read = call.folder, set(call.read)
        where += f", through module \"{call.name}\" ({call.path} lines {call.start}-{call.end})"
    # the variable files first: a value set there is the one the module reads
    # the module's own files first; the config's `var-file`s, loaded into every module
    # (`checkov_policies`), from wherever they are
    everywhere = set(var_files(ctx))
    diffs = [diff for path in sorted(changed, key=lambda p: (
                 PurePosixPath(p).parent != folder, not _is_vars(p), p))
             if (PurePosixPath(path).parent == folder or path in everywhere)
             and (diff := ctx.changes.file(path)) is not None
             and (diff.added or diff.removals or moved_in(diff, ctx.changes, ctx.root))]
    if not diffs:
        return _on_taken(finding, ctx, folder, where, read)
    for diff in diffs:
        setting = _setting(diff, _file_lines(ctx, diff.path), read,
                           moved_in(diff, ctx.changes, ctx.root))
        if call is not None and diff.path == call.path and (inputs := call.inputs(
                diff.added_lines)):
            return _shown(finding, diff.path, min(inputs), max(inputs),
                          f" It is on {where}: the change sets the module's inputs here; "
                          "checkov does not report it on the change's base.")
        if setting:
            names = ", ".join(f"var.{name}" for name in sorted(set().union(*setting.values())))
            return _shown(finding, diff.path, min(setting), max(setting),
                          f" It is on {where}: it reads {names}, which the change sets here; "
                          "checkov does not report it on the change's base.")
    first = diffs[0]
    start, end = first.changed_ranges[0] if first.added else \
        (max(1, first.removals[0]),) * 2 if first.removals else (1, 1)
    return _shown(finding, first.path, start, end,
                  f" It is on {where}: the change to this module's Terraform files brings it "
                  "about (checkov does not report it on the change's base), though no changed "
                  "line sets a variable it reads by name.")


def _on_taken(finding: Finding, ctx: AnalyzerContext, folder: PurePosixPath, where: str,
              read: set[str]) -> Finding | None:
    """`finding` about the module file of `folder` the change took away that held it back:
    the one naming its resource, else one setting a variable the resource reads (`read`),
    else the first; None when it took none."""
    taken = sorted((diff for diff in taken_from(ctx.changes)
                    if diff.old_path and PurePosixPath(diff.old_path).parent == folder),
                   key=lambda d: d.old_path or "")
    if not taken:
        return None
    diff = max(taken, key=lambda d: _held(_taken_text(ctx, d), finding.symbol, read))
    how = f"deletes {diff.old_path}" if diff.status is FileStatus.DELETED else \
        f"renames {diff.old_path} to {diff.path}, out of its module"
    return finding.moved(file=diff.path, start_line=1, end_line=1, level="file",
                         rationale=f"{finding.rationale} It is on {where}: the change {how}, "
                         "and the module without it has this (checkov does not report it "
                         "on the change's base).")


def _held(text: str, symbol: str | None, read: set[str]) -> int:
    """How surely a taken file's `text` held a finding back: 2 when it names the resource
    (`aws_s3_bucket.data` in a public access block), 1 when a line of it sets or declares a
    variable the resource reads (`cidr = …`, `"cidr": …`, `variable "cidr" {`), else 0."""
    if symbol and symbol in text:
        return 2
    return int(any(read.intersection([*_line_names(line), *_declared().findall(line)])
                   for line in text.splitlines()))


def _taken_text(ctx: AnalyzerContext, diff: FileDiff) -> str:
    """A taken file's text as the module had it: a deleted one rebuilt from the diff, a
    renamed one (its content changed or not) as it is now."""
    if diff.status is FileStatus.DELETED:
        return base_text(None, diff) or ""
    return _lines(ctx, diff.path)


def _setting(diff: FileDiff, lines: Sequence[str], read: set[str], whole: bool
             ) -> dict[int, set[str]]:
    """The added lines of `diff` (the file's `lines`; every line of a file `whole` new to
    the module) that set or declare variables of those `read`, each with them (`_names`)."""
    found = {}
    for number in range(1, len(lines) + 1) if whole else diff.added_lines:
        if names := read.intersection(_names(diff.path, lines, number - 1)):
            found[number] = names
    return found


def _names(path: str, lines: Sequence[str], at: int) -> list[str]:
    """The variables line `at` (0-based) of `path` sets, by the lines it is nested in (by
    indentation): in a variable file Terraform loads by itself, the top-level key it is
    under (the `cidrs = [` a list's item is in; every key of a one-line JSON), and so in
    one the checkov config's `var-file` names; in a `.tf`
    file, the `variable "cidr" {` block it is in (its `default =`), and no other
    attribute (a resource's `name =` sets no `var.name`); in a `.tf.json` file, the key
    inside its `"variable"` object."""
    enclosing = _enclosing(lines, at)
    if not enclosing:
        return []
    if _is_vars(path):
        named = [names for line in enclosing if (names := _line_names(line))]
        return named[-1] if named else []
    if path.endswith(".json"):
        keys = [name for line in enclosing for name in _line_names(line)]
        where = keys.index("variable") if "variable" in keys else 0
        return keys[where - 1:where] if where else []
    return _declared().findall(enclosing[-1])


def _enclosing(lines: Sequence[str], at: int) -> list[str]:
    """Line `at` (0-based), then each line it is nested in, by indentation, out to the
    first one that is not indented."""
    found: list[str] = []
    depth = None
    for index in range(min(at, len(lines) - 1), -1, -1):
        line = lines[index]
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        if depth is None or indent < depth:
            depth = indent
            found.append(line)
        if depth == 0:
            break
    return found


def _line_names(line: str) -> list[str]:
    return [next(n for n in match if n) for match in _named().findall(line)]


def _is_vars(path: str) -> bool:
    """A variable file: one Terraform loads by itself, or one the config's `var-file`
    names (`checkov_policies`): a `.tfvars` among a module's changed files is one of them."""
    name = PurePosixPath(path).name
    return AUTO_VARS().match(name) is not None or name.endswith((".tfvars", ".tfvars.json"))


def _shown(finding: Finding, path: str, start: int, end: int, why: str) -> Finding:
    return finding.moved(file=path, start_line=start, end_line=end,
                         rationale=finding.rationale + why)


def _lines(ctx: AnalyzerContext, path: str, start: int = 1, end: int | None = None) -> str:
    """Lines start..end of `path` in the reviewed tree (all of it without `end`)."""
    lines = _file_lines(ctx, path)
    return "".join(lines if end is None else lines[start - 1:end])


def _file_lines(ctx: AnalyzerContext, path: str) -> tuple[str, ...]:
    file = under(ctx.root, path)
    try:
        stat = file.stat()
    except OSError:
        return ()
    return _read(str(file), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=64)
def _read(file: str, mtime_ns: int, size: int) -> tuple[str, ...]:
    """The lines of `file` as it is at `mtime_ns` and `size`, as git numbers them (the diff's
    added lines index them: a lone CR, a form feed or U+2028 is inside one, where
    universal newlines and `str.splitlines` end it): read once for the findings of a run,
    not once each (one changed default read by a hundred resources)."""
    try:
        text = Path(file).read_bytes().decode("utf-8", "replace")
    except OSError:
        return ()
    return tuple(git_lines(text))
