"""A synthesized cloud assembly as data, and the way back from a template resource to the
source line that created it.

resource (stack template, logical id) → its construct path (the template's `aws:cdk:path`
metadata, else the assembly's `aws:cdk:logicalId` entries) → the construct's creation stack
(`aws:cdk:creationStack` in the stack's metadata: `manifest.json`, or the
`<stack>.metadata.json` file it names) → the first frame in the project's own source (inside
the app's folder, not in node_modules; TypeScript lines because ts-node/tsx and
`--enable-source-maps` map them) → repository file and line. When no frame of the project is
recorded for the construct or any parent, the stack's own creation line stands in
(`Origin.mapped` is False), and `cdk.json` when even that is missing.

A finding covers the construct's whole creation call (`new s3.Bucket(this, 'Id', { … })`,
up to its closing parenthesis): a change to one of its properties is a change to it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path, PurePosixPath
from typing import Any

from reviewloop.checks.json_files import json_object
from reviewloop.checks.paths import repo_path

PATH_KEY = "aws:cdk:path"
LOGICAL_ID = "aws:cdk:logicalId"
CREATION_STACK = "aws:cdk:creationStack"
TEMPLATE_FILE = "aws:cdk:templateFile"  # on a stack's own construct path
STACK_TYPE = "aws:cloudformation:stack"
NESTED_TYPE = "cdk:cloud-assembly"
NESTED_STACK = "AWS::CloudFormation::Stack"  # a NestedStack's resource in its parent
ASSET_PATH = "aws:asset:path"
# "new AppStack (/app/lib/stack.ts:9:5)" or "/app/bin/app.ts:6:1"
_FRAME = re.compile(r"\(?(?P<file>/[^()]*?):(?P<line>\d+):(?P<col>\d+)\)?\s*$")
_CALL_LINES = 200  # a creation call longer than this is cut: the finding keeps its first line


@dataclass(frozen=True)
class Stack:
    """One stack of the assembly: its artifact id, its template, and its metadata entries by
    construct path (`/Stack/Bucket/Resource`)."""

    name: str
    template_file: Path
    metadata: dict[str, list[dict[str, Any]]]

    @cached_property
    def template(self) -> dict[str, Any]:
        return json_object(self.template_file)

    def holds(self, construct_path: str) -> bool:
        """Whether the construct at `construct_path` has metadata in this stack."""
        return "/" + construct_path.strip("/") in self.metadata

    def construct_path(self, logical_id: str) -> str | None:
        """The construct path of a template resource (no leading slash)."""
        resource = (self.template.get("Resources") or {}).get(logical_id) or {}
        path = (resource.get("Metadata") or {}).get(PATH_KEY)
        if isinstance(path, str):
            return path
        for construct, entries in self.metadata.items():
            if any(e.get("type") == LOGICAL_ID and e.get("data") == logical_id for e in entries):
                return construct.lstrip("/")
        return None

    def is_stack(self, construct_path: str) -> bool:
        """Whether `construct_path` is a stack itself (top-level, or nested in a stage)."""
        entries = self.metadata.get("/" + construct_path.strip("/"), [])
        return "/" not in construct_path.strip("/") or \
            any(e.get("type") == TEMPLATE_FILE for e in entries)

    def trace(self, construct_path: str) -> list[str]:
        entries = self.metadata.get("/" + construct_path.lstrip("/"), [])
        for entry in entries:
            if entry.get("type") == CREATION_STACK and isinstance(entry.get("data"), list):
                return [str(frame) for frame in entry["data"]]
        return []


@dataclass(frozen=True)
class Origin:
    """Where a construct was created, as a repository path and line; `mapped` is False when
    it is only the stack's line (or cdk.json) because no frame of the project was recorded."""

    file: str
    line: int
    construct: str
    mapped: bool
    end_line: int = 0  # the creation call's last line (0: `line`)

    @property
    def last(self) -> int:
        return max(self.line, self.end_line)


def stacks(out: Path) -> list[Stack]:
    """Every stack of the assembly in `out`, nested assemblies (stages) and nested stacks
    included."""
    return list(_stacks(out))


def _stacks(out: Path) -> Iterator[Stack]:
    manifest = json_object(out / "manifest.json")
    for name, artifact in (manifest.get("artifacts") or {}).items():
        kind = artifact.get("type")
        properties = artifact.get("properties") or {}
        if kind == NESTED_TYPE and properties.get("directoryName"):
            yield from _stacks(out / properties["directoryName"])
        elif kind == STACK_TYPE and properties.get("templateFile"):
            metadata = dict(artifact.get("metadata") or {})
            extra = artifact.get("additionalMetadataFile")
            if extra:
                metadata.update(json_object(out / extra))
            stack = Stack(name, out / properties["templateFile"], metadata)
            yield stack
            yield from _nested(stack, out)


def _nested(parent: Stack, out: Path) -> Iterator[Stack]:
    """The nested stacks of `parent` (`cdk.NestedStack`): templates the assembly holds as
    assets, named by their `AWS::CloudFormation::Stack` resource's `aws:asset:path`, whose
    constructs' metadata is in the parent stack's."""
    for logical_id, resource in (parent.template.get("Resources") or {}).items():
        asset = (resource.get("Metadata") or {}).get(ASSET_PATH)
        if resource.get("Type") == NESTED_STACK and isinstance(asset, str) \
                and (out / asset).is_file():
            nested = Stack(f"{parent.name}/{logical_id}", out / asset, parent.metadata)
            yield nested
            yield from _nested(nested, out)


def stack_of(construct_path: str, found: Sequence[Stack]) -> Stack | None:
    """The stack whose metadata names the construct (stages nest stacks under their path),
    else the one named by the path's first part."""
    first = construct_path.strip("/").split("/", 1)[0]
    return next((s for s in found if s.holds(construct_path)), None) or \
        next((s for s in found if s.name == first), None)


def origin(stack: Stack, construct_path: str, root: Path, app_dir: Path,
           recorded: Mapping[str, list[str]] | None = None) -> Origin:
    """The source line that created the construct at `construct_path` (see the module);
    `recorded`: a Python app's creation frames by construct path (`python_hook`), which
    its assembly's creation stacks (jsii's kernel) lack."""
    parts = construct_path.strip("/").split("/")
    for end in range(len(parts), 0, -1):
        at = "/".join(parts[:end])
        found = user_frame([*stack.trace(at), *(recorded or {}).get(at, [])], root, app_dir)
        if found is not None:
            file, line, column = found
            return Origin(file, line, construct_path, mapped=not stack.is_stack(at),
                          end_line=call_end(root / file, line, column))
    config = app_dir / "cdk.json"
    return Origin(repo_path(root, str(config)), 1, construct_path, mapped=False)


def user_frame(trace: list[str], root: Path, app_dir: Path) -> tuple[str, int, int] | None:
    """The first frame of `trace` in the project's own source: a file inside `app_dir`
    (and `root`), outside node_modules, that exists; as (repository path, line, column)."""
    base = app_dir.resolve()
    for frame in trace:
        match = _FRAME.search(frame)
        if match is None:
            continue
        file = Path(match.group("file"))
        try:
            inner = file.resolve().relative_to(base)
        except (ValueError, OSError):
            continue
        if "node_modules" in PurePosixPath(inner.as_posix()).parts or not file.is_file():
            continue
        return repo_path(root, str(file)), int(match.group("line")), int(match.group("col"))
    return None


def call_end(source: Path, line: int, column: int) -> int:
    """The line where the call starting at `line`:`column` of `source` closes its first
    parenthesis (strings and comments are not parsed: a bracket inside one can end it
    early, which only narrows the range); `line` when it cannot be told."""
    try:
        lines = source.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return line
    depth = 0
    for number in range(line, min(len(lines), line + _CALL_LINES) + 1):
        text = lines[number - 1][column - 1:] if number == line else lines[number - 1]
        for char in text:
            if char == "(":
                depth += 1
            elif char == ")":
                depth -= 1
                if depth <= 0:
                    return number
    return line
