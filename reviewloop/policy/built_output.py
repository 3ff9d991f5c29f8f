"""Files an ecosystem marks as built output, decided in one place (with `classification`'s
generated-file rules, and like them only ever keeping a file from a *model*):

* the AWS CDK's: a cloud assembly (`cdk.out/`), asset manifests and integ-test snapshots
  (`policy.machine_values.cdk_output`);
* a TypeScript declaration file (`.d.ts`, `.d.mts`, `.d.cts`) next to the JavaScript it
  was compiled with (`index.d.ts` beside `index.js`; a hand-written `global.d.ts` has none);
* JavaScript with its source map beside it (`index.js.map` next to `index.js`): a bundler
  or compiler wrote both, as in a published tarball that ships no tsconfig.json;
* in a TypeScript package (a `tsconfig.json` beside its `package.json`), the JavaScript,
  declarations and source maps its `package.json` publishes: `main`, `module`, `types`,
  `typings`, `bin`, `exports` and what lies under its `files` entries.

The caller reads the trusted side (`reviewloop.review.classify`): the base's package.json,
tsconfig.json and compiled neighbours, never the change's.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import PurePosixPath
from typing import Any

from reviewloop.git.names import posix_name, posix_parts
from reviewloop.policy.machine_values import cdk_output

DECLARATIONS = (".d.ts", ".d.mts", ".d.cts")
BUILT = (".js", ".cjs", ".mjs", ".map", *DECLARATIONS)
_COMPILED = {".d.ts": ".js", ".d.mts": ".mjs", ".d.cts": ".cjs"}
_MAPPED = (".js", ".cjs", ".mjs")  # JavaScript a source map may describe
_ENTRY_FIELDS = ("main", "module", "types", "typings", "bin", "exports")
PACKAGE, TSCONFIG = "package.json", "tsconfig.json"


def candidates(path: str) -> list[str]:
    """The trusted-side files `built_reason` may ask about for `path`: its compiled
    neighbour, and each ancestor folder's package.json and tsconfig.json."""
    name = posix_name(path)  # asked of every changed file: no PurePosixPath
    asked = [_sibling(path, name[:-len(d)] + _COMPILED[d])
             for d in DECLARATIONS if name.endswith(d)]
    if name.endswith(_MAPPED):
        asked.append(f"{path}.map")
    for folder in _folders(path):
        asked += [_join(folder, PACKAGE), _join(folder, TSCONFIG)]
    return asked


def asks(path: str) -> bool:
    """Whether `built_reason` asks the trusted side about any file for `path` (its name ends
    as built output's does): of the others' `candidates`, none need be looked up."""
    return path.rpartition("/")[2].endswith(BUILT)  # of every changed file: no PurePosixPath


def built_reason(path: str, present: Callable[[str], bool],
                 text: Callable[[str], str | None]) -> str | None:
    """Why `path` is built output by its ecosystem's marks, or None; `present(p)` and
    `text(p)` answer for the trusted side."""
    if cdk_output(path):
        return "the CDK's built output (cloud assembly, asset manifest or snapshot)"
    if not asks(path):
        return None
    name = path.rpartition("/")[2]
    for declaration, compiled in _COMPILED.items():
        if name.endswith(declaration) and present(
                _sibling(path, name[:-len(declaration)] + compiled)):
            return f"a TypeScript declaration compiled with its `{compiled}` file"
    if name.endswith(_MAPPED) and present(f"{path}.map"):
        return f"JavaScript a bundler wrote (its source map `{name}.map` beside it)"
    for folder in _folders(path):
        package = _join(folder, PACKAGE)
        if not present(package):
            continue  # the nearest package.json decides
        if not present(_join(folder, TSCONFIG)):
            return None  # a JavaScript package: what it publishes is its source
        inner = PurePosixPath(path).relative_to(folder).as_posix() if folder else path
        field = _declared(inner, _json(text(package)))
        return f"built output its package.json publishes (`{field}`)" if field else None
    return None


def _declared(inner: str, package: dict[str, Any]) -> str | None:
    """The package.json field that publishes the package-relative path `inner`."""
    for field in _ENTRY_FIELDS:
        if any(_clean(p) == inner for p in _strings(package.get(field))):
            return field
    for entry in _strings(package.get("files")):
        entry = _clean(entry).rstrip("/")
        if entry and not any(c in entry for c in "*?[") and \
                (inner == entry or inner.startswith(entry + "/")):
            return "files"
        if entry and PurePosixPath(inner).match(entry):
            return "files"
    return None


def _strings(value: object) -> Iterator[str]:
    """Every string in a package.json value (`exports` nests conditions in objects)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for inner in value.values():
            yield from _strings(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _strings(inner)


def _clean(value: str) -> str:
    return value.strip().removeprefix("./")


def _folders(path: str) -> list[str]:
    """The folders above `path`, nearest first ("" for the root)."""
    parts = posix_parts(path)
    if path.startswith("/"):  # not a repository path: as PurePosixPath reads it
        return [p.as_posix() for p in PurePosixPath(path).parents]
    return ["/".join(parts[:end]) for end in range(len(parts) - 1, 0, -1)] + [""] * bool(parts)


def _sibling(path: str, name: str) -> str:
    """`path` with its last name replaced by `name` (`PurePosixPath.with_name`)."""
    if path.startswith("/"):
        return str(PurePosixPath(path).with_name(name))
    return "/".join((*posix_parts(path)[:-1], name))


def _join(folder: str, name: str) -> str:
    return f"{folder}/{name}" if folder else name


def _json(text: str | None) -> dict[str, Any]:
    try:
        data = json.loads(text or "")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
