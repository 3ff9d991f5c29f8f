"""The unchanged `serverless.yml` files that read a changed file through `${file(…)}`.

A Serverless service can take part of its configuration from another file:
`iamRoleStatements: ${file(./iam.yml)}`, `${file(../conf/iam.yml):statements}`, a function's
`environment: ${file(./env.json)}`. checkov's Serverless parser resolves each before its
checks run (`serverless/parsers/parser.py`: a path relative to the service file's folder,
a `.yml`, `.yaml` or `.json` file, a reference inside a referenced file resolved from the
same folder, up to 25 passes), and reports what the content fails on the service file: an
`iam.yml` widened to `Action: "*"` fails the function in `serverless.yml` (CKV_AWS_1,
CKV_AWS_49), which the change did not touch. So each unchanged service file of the tree
(`serverless.yml`/`.yaml`, as `checkov -d` walks it) whose references, followed from file to
file as checkov follows them, reach a changed file or one the change deleted or renamed is
read with the change (`related`). A reference checkov cannot resolve without running the
service (`${file(./${opt:stage}.yml)}`, a `~` path) or that leads out of the tree is not
followed; nor is one only the base's referenced files made. A service reaching more than
`MAX_FOLLOWED` files is named, and so is a changed file it reaches past them
(`Related.partial`). A service's own `provider.variableSyntax` is followed when it is a
literal prefix, one group and a literal suffix (`_delimited`: the change's expression itself
is never run here), innermost variable first, so a path naming another of its variables
(`${{file(./config/${{self:provider.stage}}.yml)}}`) is a glob as in the default syntax
(`_custom_refs`); any other names what the service may read.
"""

from __future__ import annotations

import functools
import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from reviewloop.checks.analyzers.checkov_frameworks import SERVERLESS, any_tag_loader
from reviewloop.checks.analyzers.checkov_related import Related, Source, walk
from reviewloop.checks.paths import in_tree_file
from reviewloop.git.diff import ChangeSet, FileStatus
from reviewloop.git.names import under
from reviewloop.git.sizes import MAX_DIFFED_BYTES
from reviewloop.memo import compiled_on_first_use

KIND = "serverless"
MAX_RELATED = 64  # service files read with one change: there are few in a tree
MAX_FOLLOWED = 64  # files read with one service file, followed from its references
MAX_TOLD = 4_096  # files followed past that, only to tell which a changed file is among
HOW = "whose ${file(…)} reads"  # a related finding's rationale says
_LOADED = (".yml", ".yaml", ".json")  # what checkov's `_load_file_data` reads; any other: {}
# checkov's SLS_DEFAULT_VAR_PATTERN, then its FILE_LOCATION_PATTERN inside a variable (its
# own, or a fallback's: `${self:x, file(./y.yml)}`)
_variable = compiled_on_first_use(r"\$\{([^{}]+?)\}")
_file_ref = compiled_on_first_use(r"(?:^|,)\s*file\(([^?%*:|\"<>]+?)\)")
_syntax_line = compiled_on_first_use(r"^[ \t]+variableSyntax[ \t]*:[ \t]*(\S.*?)[ \t]*$",
                                     re.MULTILINE)
# a file reference in a variable whose inner variables stand as `*` (`_custom_refs`)
_glob_ref = compiled_on_first_use(r"(?:^|,)\s*file\(([^?%:|\"<>]+?)\)")
_PASSES = 25  # checkov's parser resolves variables in up to 25 passes
_nested_ref = compiled_on_first_use(
    r"file\(\s*([^()?%*:|\"<>$]*\$\{[^{}()]+\}[^()?%*|\"<>]*?)\s*\)")


def related(root: Path, changes: ChangeSet, files: Iterable[str]) -> Related:
    """The unchanged service files of the tree at `root` whose `${file(…)}` references reach
    one of the changed `files` (those the analyzer reads) or a file `changes` deleted or
    renamed, each with the changed file it reaches."""
    found = Related(bound=MAX_RELATED)
    named = set(files)
    wanted = {diff.old_path: diff for diff in changes.files if diff.old_path
              and diff.old_path.endswith(_LOADED) and diff.old_path != diff.path}
    wanted |= {diff.path: diff for diff in changes.files
               if diff.path in named and diff.path.endswith(_LOADED)}
    touched = {p for diff in changes.files for p in (diff.path, diff.old_path) if p}
    # what the changed service files read, unchanged: their base run reads it too
    read: set[str] = set()
    for path in named:
        if PurePosixPath(path).name in SERVERLESS:
            reach = _reach(root, path)
            read.update(reach.read)
            if reach.past or reach.unknown:
                found.partial[path] = reach.unknown or _past(path)
    if not wanted:
        found.read = tuple(sorted(read - touched))
        return found
    taken: set[str] = set()
    for service, _ in walk(root, lambda name: name in SERVERLESS):
        if service in touched:
            continue
        reach = _reach(root, service)
        reached = reach.read
        for path in (p for p in wanted if p in named and p not in reached):
            if path in reach.past or reach.unknown:  # read by it past the bound, or may be
                found.partial.setdefault(path, reach.unknown or _past(service))
        for path in reached:
            diff = wanted.get(path)
            if diff is not None:  # read where the change left it, or taken away from there
                gone = path != diff.path or diff.status is FileStatus.DELETED
                found.add(service, KIND, Source(diff.path, gone))
                taken.update([path] if gone else [])
        if service in found.files:
            read.update(reached)
    if len(found.files) > MAX_RELATED:
        kept = sorted(found.files)[:MAX_RELATED]
        found.left_out = len(found.files) - MAX_RELATED
        found.files = dict.fromkeys(kept, KIND)
    found.taken = tuple(sorted(taken))
    found.read = tuple(sorted(read - touched))
    return found


def _past(service: str) -> str:
    return (f"the ${{file(…)}} references of {service} reach more than {MAX_FOLLOWED} files, "
            f"and reviewloop follows the first {MAX_FOLLOWED}: checkov's checks of what the "
            "others hold were not run")


def view_links(targets: dict[str, str], at: Path, view: Path) -> dict[str, str]:
    """Each Serverless file among `targets` (path → framework) and the files its `${file(…)}`
    references read (inside the tree at `at`), linked at their tree paths under `view`, so
    that checkov, walking a view of the change (`Checkov.staged`), resolves each reference
    from the service file's folder as in the tree: {link: the file it leads to}."""
    links: dict[str, str] = {}
    for path, kind in targets.items():
        if kind != KIND:
            continue
        for each in (path, *_reached(at, path)):
            source, link = in_tree_file(under(at, each), at), under(view, each)
            if source is not None and not link.exists():
                link.parent.mkdir(parents=True, exist_ok=True)
                link.symlink_to(source)
                links[str(link)] = str(source)
    return links


def _reached(root: Path, service: str) -> list[str]:
    return list(_reach(root, service).read)


@dataclass(frozen=True)
class Reach:
    """What a service file's references reach: the first `MAX_FOLLOWED` files (read with
    it), the rest (not read), and why what it reaches cannot be told ("" when it can)."""

    read: tuple[str, ...]
    past: frozenset[str]
    unknown: str = ""


def _reach(root: Path, service: str) -> Reach:
    """The files `service`'s references reach, followed from file to file: up to
    `MAX_FOLLOWED` are read with it; those past it are followed only to tell which they are,
    up to `MAX_TOLD`."""
    folder = PurePosixPath(service).parent.as_posix()
    syntax, refused = _syntax(under(root, service))
    if refused:
        return Reach((), frozenset(), refused)
    seen: list[str] = []
    queue = [service]
    while queue and len(seen) <= MAX_TOLD:
        for ref in _refs(under(root, queue.pop(0)), syntax):
            for path in _paths(root, posixpath.normpath(posixpath.join(folder, ref))):
                if path.startswith(("../", "/")) or path == ".." or path in seen \
                        or not path.endswith(_LOADED):
                    continue
                seen.append(path)
                queue.append(path)
    unknown = f"the ${{file(…)}} references of {service} reach more than {MAX_TOLD} files, " \
        "which reviewloop does not follow: what they read cannot be told" \
        if len(seen) > MAX_TOLD else ""
    return Reach(tuple(seen[:MAX_FOLLOWED]), frozenset(seen[MAX_FOLLOWED:]), unknown)


def _paths(root: Path, path: str) -> list[str]:
    """`path`, or the files of the tree a path with a variable in it may name
    (`config/${self:provider.stage}.yml` as `config/*.yml`: checkov resolves the stage, and
    any stage's file may be the one it reads)."""
    if "*" not in path:
        return [path]
    if path.startswith(("../", "/")):
        return []
    return sorted(found.relative_to(root).as_posix() for found in root.glob(path)
                  if found.is_file())


def _syntax(service: Path) -> tuple[str | None, str]:
    """The service's own variable syntax (`provider.variableSyntax`, Serverless v1 and v2: a
    regular expression whose first group is a variable's body, such as the one for
    `${{file(./iam.yml)}}`), which checkov's parser resolves with in the default's place, as
    an expression of reviewloop's own (`_delimited`: the change's expression is never run
    here); (None, "") for the default, (None, why) for one reviewloop cannot follow (a value
    that is not a string among them)."""
    try:
        with open(service, "rb") as handle:
            data = handle.read(MAX_DIFFED_BYTES)
    except OSError:
        return None, ""
    if b"variableSyntax" not in data:
        return None, ""
    value = _declared_syntax(data.decode("utf-8", errors="replace"))
    if value is None:
        return None, ""
    if not isinstance(value, str):  # checkov compiles it as it is, and stops its whole run
        return None, (f"its provider.variableSyntax ({str(value)[:80]}) is not a string, on "
                      "which checkov's parser stops: the files its references may read were "
                      "not read with it")
    delimited = _delimited(value)
    if delimited is None:
        return None, (f"its provider.variableSyntax ({value[:80]}) is not a literal prefix, "
                      "one group and a literal suffix, the only form reviewloop follows: the "
                      "files its ${file(…)} references read were not read with it")
    return delimited, ""


def _declared_syntax(text: str) -> object:
    """`provider.variableSyntax` as checkov reads it, from the parsed service file (any tag
    read as nothing); by its line when the file does not parse."""
    import yaml

    try:
        data = yaml.load(text, Loader=any_tag_loader())  # noqa: S506 - the safe loader's subclass
    except yaml.YAMLError:
        found = _syntax_line().search(text)
        try:
            return yaml.safe_load(found.group(1)) if found else None
        except yaml.YAMLError:
            return None
    provider = data.get("provider") if isinstance(data, dict) else None
    return provider.get("variableSyntax") if isinstance(provider, dict) else None


_META = frozenset(".^$*+?[]|()")


def _delimited(pattern: str) -> str | None:
    """`pattern` as a literal prefix, one capturing group and a literal suffix
    (`\\${{(…)}}`), rewritten as the prefix, the shortest text on one line holding no
    other prefix, and the suffix; None for any other shape."""
    prefix, at = _literal(pattern, 0)
    if at >= len(pattern) or pattern[at] != "(" or pattern[at + 1:at + 2] == "?":
        return None
    depth, i, in_class = 0, at, False
    while i < len(pattern):  # the group's end: escapes and character classes skipped
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char in "()":
            depth += 1 if char == "(" else -1
            if depth == 0:
                break
        i += 1
    suffix, end = _literal(pattern, i + 1)
    if depth or end != len(pattern) or not prefix or not suffix:
        return None
    # the innermost variable first, as checkov resolves `${{file(./${{opt:stage}}.yml)}}`
    return re.escape(prefix) + r"((?:(?!" + re.escape(prefix) + r")[^\n])*?)" + \
        re.escape(suffix)


def _literal(pattern: str, at: int) -> tuple[str, int]:
    """The literal text of `pattern` from `at` (`\\$` is `$`), and where it stops."""
    text = []
    while at < len(pattern):
        char = pattern[at]
        if char == "\\" and at + 1 < len(pattern) and not pattern[at + 1].isalnum():
            text.append(pattern[at + 1])
            at += 2
        elif char in _META or char == "\\":
            break
        else:
            text.append(char)
            at += 1
    return "".join(text), at


def _refs(file: Path, syntax: str | None = None) -> tuple[str, ...]:
    try:
        stat = file.stat()
    except OSError:
        return ()
    return _file_refs(str(file), stat.st_mtime_ns, stat.st_size, syntax)


@functools.lru_cache(maxsize=4_096)
def _file_refs(file: str, mtime_ns: int, size: int, syntax: str | None = None
               ) -> tuple[str, ...]:
    """The `${file(…)}` paths of `file` as it is at `mtime_ns` and `size` (one naming
    another variable, `${opt:stage}`, as a glob), but a home folder's."""
    try:
        with open(file, "rb") as handle:
            data = handle.read(MAX_DIFFED_BYTES)
    except OSError:
        return ()
    if b"file(" not in data:  # the prefilter: most files read none
        return ()
    text = data.decode("utf-8", errors="replace")
    if syntax:
        return _custom_refs(text, syntax)
    variables = _variable().findall(text)
    plain = (ref.strip() for variable in variables if variable
             for ref in _file_ref().findall(variable)
             if "$" not in ref and not ref.strip().startswith("~"))
    # a path naming a variable (`${file(./config/${self:provider.stage}.yml)}`), as a glob
    varied = (_variable().sub("*", ref).replace("**", "*") for ref in _nested_ref().findall(text)
              if not ref.startswith("~"))
    return tuple(dict.fromkeys([*plain, *varied]))


def _custom_refs(text: str, syntax: str) -> tuple[str, ...]:
    """The `file(…)` paths of `text`'s variables in a service's own `syntax` (`_delimited`,
    innermost first), resolved pass by pass as checkov's parser resolves them (up to its 25
    passes): a variable holding no file reference (`${{self:provider.stage}}`) stands for
    any value (`*`), so a path around it is a glob of the files it may name, as in the
    default syntax."""
    pattern = re.compile(syntax)
    refs: list[str] = []

    def resolved(match: re.Match[str]) -> str:
        found = _glob_ref().findall(match[1] or "")
        refs.extend(found)
        return match[0] if found else "*"

    for _ in range(_PASSES):
        text, before = pattern.sub(resolved, text), text
        if text == before:
            break
    return tuple(dict.fromkeys(ref.strip().replace("**", "*") for ref in refs
                               if not ref.strip().startswith("~")))
