"""A Terraform module's files, and the local modules it calls.

Terraform reads a module as the `.tf` files of one folder and the variable files it loads by
itself there (`module_files`). A `module "x" { source = "./modules/x" }` block with a local
source (`./…`, `../…`; a registry or git source is fetched, never read from the tree) makes
the called folder part of what `terraform plan` and plain `checkov -d` read: checkov renders
it with the caller's inputs and reports `module.x.aws_security_group.sg` on the called
module's file. So a change to a caller's inputs, or to the variable file feeding them, opens
a resource in a folder it did not touch: the folders a module calls are read with it
(`called`), and such a finding is shown on the call (`call_of`: the `module` block, whose
changed lines or the variables it reads say where). The other way, a change to a called
module (a resource made to read `var.cidr`) is read with the modules that call it
(`callers`), whose inputs set the value. A call is looked for in each file checkov reads as
Terraform: an `.hcl` file's `module` block too, which plain `checkov -d` renders as a `.tf`
file's (a `.tf.json` one it does not render: read with the module, it opens nothing, as in
plain checkov). A `source` without `./` or `../` (`modules/x`) is a registry address to
Terraform and checkov alike, never a folder of the tree.
"""

from __future__ import annotations

import functools
import os
import posixpath
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from reviewloop.checks.analyzers.terraform_moves import AUTO_VARS, LOCK_FILE, loaded
from reviewloop.checks.paths import in_tree_file, repo_path
from reviewloop.findings.schema import Finding
from reviewloop.git.diff import ChangeSet
from reviewloop.git.names import fits, posix_name, under
from reviewloop.git.sizes import MAX_DIFFED_BYTES
from reviewloop.memo import compiled_on_first_use

TOFU = ".tofu"
HCL = ".hcl"  # Terragrunt's, Packer's: checkov's Terraform runner reads them, with the module
MAX_CALLED = 64  # local modules followed from one change's folders: a bound, not a budget
# a `source = "./x"` (`"source": "../x"` in JSON): the literal the prefilter looks for first
_SOURCE = compiled_on_first_use(r'(?m)^[ \t]*"?source"?[ \t]*[=:][ \t]*"(\.{1,2}/[^"]*)"')
_NOT_MODULES = frozenset((".git", "node_modules", ".terraform"))
# a `module "x" {` block's opening: indented, or its label bare (`module x {`), a comment
# (`/* … */`, over lines too) wherever a blank may be, as HCL and checkov's hcl2 read it;
# not a `{` on the next line, which both refuse (no block: the file does not parse)
_GAP = r'(?:[ \t]|/\*(?:[^*]|\*(?!/))*\*/)'
_CALL = compiled_on_first_use(rf'^{_GAP}*(module){_GAP}*(?:"([\w-]+)"|(?<=[ \t/])([\w-]+))'
                              rf'{_GAP}*\{{', re.MULTILINE)
# a module's resource as checkov names it: `module.x.…`, `module.x[0].…`, `module.x["k"].…`
_CALLED = compiled_on_first_use(r'^module\.([\w-]+)(?:\[[^\]]*\])?\.')
_USED = compiled_on_first_use(r"\bvar\.([A-Za-z_][\w-]*)")
_ANY_SOURCE = compiled_on_first_use(r'(?m)^[ \t]*"?source"?[ \t]*[=:][ \t]*"([^"]*)"')
_SET = compiled_on_first_use(r'^[ \t]*"?([A-Za-z_][\w-]*)"?[ \t]*[=:]')  # a tfvars line
REMOTE = ('module "{name}" from {source} was not read: Terraform fetches it (`terraform '
          'init`), the review reads the tree offline, so what it makes with these inputs was '
          'not checked; fix: vendor it into the tree and call it with a local source '
          '(`terraform get` fetches it to .terraform/modules), or review the module itself')
MISSING = ('module "{name}" from {source} was not read: no such folder in the tree '
           '(`terraform init` fails on it), so what it would make was not checked; fix: add '
           'the module or correct its source')


def module_files(folder: Path, root: Path) -> dict[str, Path]:
    """A Terraform module's files in `folder` by the name checkov is to read them under:
    regular files, and links to one inside the reviewed tree at `root` (a shared
    `locals.tf -> ../shared/locals.tf`, as Terraform reads it); a link that leads out of
    the tree, or to no regular file, is not followed (`paths.in_tree_file`). OpenTofu's
    `.tofu` files under a `.tf` name (checkov 3 skips a `.tofu` one), winning over a twin;
    `.hcl` files, which checkov's `-d` reads with the folder's `.tf` files."""
    found: dict[str, Path] = {}
    if not fits(root, os.path.relpath(folder, root)) or not folder.is_dir():
        return found  # a folder whose name no file system here holds is no checkout's
    for entry in sorted(folder.iterdir(), key=lambda e: e.name.endswith((TOFU, f"{TOFU}.json"))):
        name = entry.name
        if name.endswith((TOFU, f"{TOFU}.json")):
            stem, _, rest = name.rpartition(TOFU)
            name = f"{stem}.tf{rest}"
        elif not (name.endswith((".tf", ".tf.json", ".hcl")) or AUTO_VARS().match(name)) \
                or name == LOCK_FILE:
            continue
        if in_tree_file(entry, root) is not None:
            found[name] = entry  # sorted: a .tofu file comes after, and wins over, its twin
    return found


def called(root: Path, folders: Iterable[str]) -> list[str]:
    """The folders (repository paths) that the modules in `folders` call with a local
    `source`, and those they call in turn, inside the tree at `root` and not among
    `folders`; at most `MAX_CALLED`. Each module's files that can call one (`_may_call`) are
    searched for the literal `source` before any pattern runs on them."""
    seen = set(folders)
    queue = sorted(seen)
    found: list[str] = []
    while queue and len(found) < MAX_CALLED:
        folder = queue.pop(0)
        for source in _sources(root, folder):
            target = _resolved(root, folder, source)
            if target is not None and target not in seen:
                seen.add(target)
                found.append(target)
                queue.append(target)
    return found[:MAX_CALLED]


def callers(root: Path, folders: Iterable[str]) -> list[str]:
    """The folders of the tree at `root`, not among `folders`, whose modules call one of
    `folders` with a local `source` (a module changed to read an input its unchanged caller
    sets open is read with that caller); at most `MAX_CALLED`. One walk of the tree (no
    `.git`, `node_modules` or `.terraform` folder, no linked folder) that reads only the
    files that can call a module (`_may_call`: `.hcl` ones too), each once while it is
    unchanged (`_file_sources`), and searches one for a pattern only when it holds the
    literal `source` (see `docs/analyzers.md` for the cost on a large tree)."""
    wanted = set(folders)
    found: list[str] = []
    top = os.fspath(root)
    stack = [top]
    while stack and len(found) < MAX_CALLED:
        where = stack.pop()
        try:
            entries = sorted(os.scandir(where), key=lambda e: e.name)
        except OSError:
            continue
        folder = PurePosixPath(os.path.relpath(where, top)).as_posix()
        calls = False
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                if entry.name not in _NOT_MODULES:
                    stack.append(entry.path)
            elif not calls and folder not in wanted and _may_call(entry.name):
                if entry.is_symlink():
                    sources = _sources_of(Path(entry.path), root)
                else:
                    stat = entry.stat()
                    sources = _file_sources(entry.path, stat.st_mtime_ns, stat.st_size)
                calls = any(_resolved(root, folder, source) in wanted for source in sources)
        if calls:
            found.append(folder)
    return sorted(found)


def _may_call(name: str) -> bool:
    """Whether a file of this name can hold a `module` block checkov follows: a module's
    own file (`.tf`, `.tf.json`, `.tofu`, `.tofu.json`, and `.hcl`, which checkov's `-d`
    reads with them and whose calls it renders as a `.tf` file's), not a variable file."""
    return loaded(name) and AUTO_VARS().match(name) is None


def _sources(root: Path, folder: str) -> list[str]:
    """The local `source` values of the files of `folder`'s module that can call one."""
    return [source for name, path in module_files(under(root, folder), root).items()
            if _may_call(name) for source in _sources_of(path, root)]


def _sources_of(path: Path, root: Path) -> tuple[str, ...]:
    """The local `source` values of one Terraform file (a link: of the file inside the
    tree it leads to; one that leads out of it has none)."""
    real = in_tree_file(path, root)
    if real is None:
        return ()
    try:
        stat = real.stat()
    except OSError:
        return ()
    return _file_sources(str(real), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=16_384)
def _file_sources(file: str, mtime_ns: int, size: int) -> tuple[str, ...]:
    """The local `source` values of `file` as it is at `mtime_ns` and `size`: a review asks
    for them in each of its runs (the head's and the base's view, their findings)."""
    try:
        with open(file, "rb") as handle:
            data = handle.read(MAX_DIFFED_BYTES)
    except OSError:
        return ()
    if b"source" not in data:  # the prefilter: most files call no module
        return ()
    return tuple(_SOURCE().findall(data.decode("utf-8", errors="replace")))


def _resolved(root: Path, folder: str, source: str) -> str | None:
    """The repository folder a local `source` in `folder` names; None outside the tree or
    when it is no folder of it."""
    target = posixpath.normpath(posixpath.join(folder, source.rstrip("/")))
    if target == ".." or target.startswith(("../", "/")):
        return None
    real = os.path.realpath(under(root, target))
    if not (real + os.sep).startswith(os.path.realpath(root).rstrip(os.sep) + os.sep) \
            or not os.path.isdir(real):
        return None
    return target


@dataclass(frozen=True)
class Call:
    """A `module "name"` block of `path` (lines `start`-`end`, in the caller's `folder`)
    whose local source leads to a finding's module; `read`: the variables it passes on."""

    folder: PurePosixPath
    path: str
    name: str
    start: int
    end: int
    read: frozenset[str]

    def inputs(self, added: Iterable[int]) -> list[int]:
        """Those of the `added` lines of `path` that lie in the block."""
        return [n for n in added if self.start <= n <= self.end]


def call_of(finding: Finding, root: Path, changed: Sequence[str]) -> Call | None:
    """The call, in a folder of the `changed` Terraform files, through which checkov reached
    `finding` on a local module's resource (`module.x.…`, `module.x[0].…` with `count`,
    `module.x["k"].…` with `for_each`, or `module.x.module.y.…` a module `x` calls); None
    for any other finding or when no such block is there."""
    called_as = _CALLED().match(finding.symbol or "")
    if called_as is None:
        return None
    name, target = called_as.group(1), PurePosixPath(finding.file).parent.as_posix()
    for folder in sorted({PurePosixPath(p).parent.as_posix() for p in changed}):
        for file_name, path in module_files(under(root, folder), root).items():
            if file_name.endswith((".tf", HCL)):  # a `.tofu` file is under a `.tf` name
                call = _call_in(root, folder, path, name, target)
                if call is not None:
                    return call
    return None


def _call_in(root: Path, folder: str, path: Path, name: str, target: str) -> Call | None:
    text = _text(path)
    lines = text.split("\n")
    for match in _CALL().finditer(text):
        if (match.group(2) or match.group(3)) != name:
            continue
        index = text.count("\n", 0, match.start(1))  # the line of its `module` keyword
        end = _block_end(lines, index)
        block = "\n".join(lines[index:end + 1])
        source = _SOURCE().search(block)
        module = _resolved(root, folder, source.group(1)) if source else None
        if module is not None and (module == target or target in called(root, [module])):
            return Call(PurePosixPath(folder), repo_path(root, str(path)), name, index + 1,
                        end + 1, frozenset(_USED().findall(block)))
    return None


def unfetched(root: Path, changes: ChangeSet) -> dict[str, str]:
    """{changed file: why} for each `module` block whose module is not in the tree (a
    registry or git source, a local one naming no folder of it) when the change touches
    the block, or sets in a variable file of its folder (`terraform.tfvars`,
    `*.auto.tfvars`) a variable the block passes on: what the call makes is unread. A call
    the change does not touch is not named."""
    why: dict[str, str] = {}
    fed = {PurePosixPath(d.path).parent.as_posix() for d in changes.files
           if AUTO_VARS().match(posix_name(d.path))}  # no Path made for each changed file
    scanned = {d.path for d in changes.files if d.path.endswith((".tf", TOFU, HCL))} | {
        repo_path(root, str(file)) for folder in fed
        for name, file in module_files(under(root, folder), root).items()
        if name.endswith((".tf", HCL))}
    for path in sorted(scanned):
        if not under(root, path).is_file():
            continue
        diff = changes.file(path)
        folder = PurePosixPath(path).parent.as_posix()
        text = _text(under(root, path))
        lines = text.split("\n")
        for match in _CALL().finditer(text):
            start = text.count("\n", 0, match.start(1))
            end = _block_end(lines, start)
            block = "\n".join(lines[start:end + 1])
            source = _top_source(block)
            if source is None or (source.startswith(("./", "../"))
                                  and _resolved(root, folder, source) is not None):
                continue
            said = (MISSING if source.startswith(("./", "../")) else REMOTE).format(
                name=match.group(2) or match.group(3), source=source)
            if diff is not None and diff.touches(start + 1, end + 1):
                why.setdefault(path, said)
            for path in _feeding(root, changes, folder, set(_USED().findall(block))):
                why.setdefault(path, said)
    return why


def _top_source(block: str) -> str | None:
    """The `source` argument of the module block `block`, at its own level: not a `source`
    key of a map among its inputs (`tags = { source = "terraform" }`)."""
    depth = 0
    for line in block.split("\n"):
        if depth == 1 and (found := _ANY_SOURCE().match(line)):
            return found[1]
        depth += line.count("{") - line.count("}")
    return None


def _feeding(root: Path, changes: ChangeSet, folder: str, read: set[str]) -> list[str]:
    """The changed variable files Terraform loads by itself in `folder` whose added lines
    set one of the variables `read`."""
    found = []
    for diff in changes.files:
        name = PurePosixPath(diff.path)
        if name.parent.as_posix() != folder or not AUTO_VARS().match(name.name):
            continue
        lines = _text(under(root, diff.path)).split("\n")
        if any((m := _SET().match(lines[n - 1])) and m[1] in read
               for n in diff.added_lines if n <= len(lines)):
            found.append(diff.path)
    return found


def _block_end(lines: Sequence[str], start: int) -> int:
    """The (0-based) line closing the block opened on line `start`, by its braces."""
    depth, opened = 0, False
    for index in range(start, len(lines)):
        depth += lines[index].count("{") - lines[index].count("}")
        opened = opened or depth > 0
        if opened and depth <= 0:
            return index
    return len(lines) - 1


def _text(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            return handle.read(MAX_DIFFED_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return ""
