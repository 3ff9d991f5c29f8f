"""The lines a Node test run executed inside functions, from the V8 coverage files that
`NODE_V8_COVERAGE` makes every Node process write.

Pure apart from reading those files (and, for a script run as it is on disk, the script).
V8 reports, per script, each function's ranges with how often they ran (nested block
ranges override their parent). A line counts as executed when a piece of code on it lies,
innermost, in a range that ran — inside a function only: the module's own top-level code
runs at import and says nothing about whether a test called the function. The pieces of
code asked about on a line are its first one and the start of every function range on it, so
a function written on one line (`export function f(x) { return x + 1; }`, whose line begins
in top-level code) is judged by its own range's count.

A line holding the starts of several functions (`export function used(x) {…} export
function unused(x) {…}`) ran when any of them did; `read_v8_functions` keeps each function's
own answer by where it starts (line and UTF-8 column, as a parser of the file gives it), so a
function is judged by its own range (`newcode.untested`).

Where the code ran transformed (TypeScript through tsx, ts-node or any loader that leaves a
source map), Node records the map and the generated line lengths under `source-map-cache`
when `NODE_V8_COVERAGE` is set; offsets go through it back to the original lines. A script
with neither a map nor the exact text on disk (a runner that executes code in a `vm` context
of its own, as vitest and jest do) is left out rather than mapped wrongly.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

from reviewloop.checks.coverage.sourcemap import segments
from reviewloop.checks.paths import repo_path

_SCRIPTS = (".js", ".mjs", ".cjs")
Range = tuple[int, int, int]  # start offset, end offset, count


def read_v8_executed(root: Path, folder: Path) -> dict[str, set[int]]:
    """Executed lines per repo-relative path from every V8 coverage file in `folder`."""
    executed: dict[str, set[int]] = {}
    for report in sorted(folder.glob("coverage-*.json")):
        try:
            data = json.loads(report.read_text(encoding="utf-8"))
        except (OSError, ValueError, UnicodeDecodeError):
            continue  # a process killed while writing: its data are lost, not wrong
        maps = data.get("source-map-cache") or {}
        for script in data.get("result") or []:
            for path, lines in _script_lines(root, script, maps.get(script.get("url"))):
                executed.setdefault(path, set()).update(lines)
    return executed


# repo-relative path → (line, UTF-8 byte column) where a function starts → whether it ran
FunctionStarts = dict[str, dict[tuple[int, int], bool]]


def read_v8_functions(root: Path, folder: Path) -> FunctionStarts:
    """Whether each function of a script run as it is on disk ran, by where it starts, from
    every V8 coverage file in `folder` (a function any process ran, ran)."""
    found: FunctionStarts = {}
    for report in sorted(folder.glob("coverage-*.json")):
        try:
            data = json.loads(report.read_text(encoding="utf-8"))
        except (OSError, ValueError, UnicodeDecodeError):
            continue
        maps = data.get("source-map-cache") or {}
        for script in data.get("result") or []:
            if maps.get(script.get("url")) is None:
                for path, starts in _script_functions(root, script):
                    kept = found.setdefault(path, {})
                    for place, ran in starts.items():
                        kept[place] = kept.get(place, False) or ran
    return found


def _script_functions(root: Path, script: dict) -> list[tuple[str, dict[tuple[int, int], bool]]]:
    path = _project_file(root, script.get("url", ""))
    if path is None or not path.endswith(_SCRIPTS):
        return []
    try:
        text = (root / path).read_bytes().decode("utf-8")  # V8's offsets: CRs kept
    except (OSError, UnicodeDecodeError):
        return []
    module, _ = _ranges(script.get("functions") or [])
    if module is not None and module != _js_length(text):
        return []  # what ran is not the file as it is on disk
    lines = text.split("\n")
    starts = _line_starts(_js_length(line) for line in lines)
    found: dict[tuple[int, int], bool] = {}
    for function in script.get("functions") or []:
        own = function.get("ranges") or []
        if not own or own[0]["startOffset"] == 0:
            continue  # the module's own top-level code
        offset = own[0]["startOffset"]
        number = bisect_right(starts, offset) - 1
        column = len(lines[number].encode("utf-16-le")[:2 * (offset - starts[number])]
                     .decode("utf-16-le", "replace").encode("utf-8"))
        found[(number + 1, column)] = found.get((number + 1, column), False) or \
            own[0]["count"] > 0
    return [(path, found)]


def _script_lines(root: Path, script: dict, cached: dict | None) -> Iterable[tuple[str, set[int]]]:
    path = _project_file(root, script.get("url", ""))
    if path is None:
        return []
    module, ranges = _ranges(script.get("functions") or [])
    if cached is not None:
        return _mapped(root, script["url"], cached, module, ranges)
    if not path.endswith(_SCRIPTS):
        return []  # transformed code without a map: its offsets are not the file's
    try:
        text = (root / path).read_bytes().decode("utf-8")  # V8's offsets: CRs kept
    except (OSError, UnicodeDecodeError):
        return []
    if module is not None and module != _js_length(text):
        return []  # what ran is not the file as it is on disk
    lines = text.split("\n")
    starts = _line_starts(len(line) for line in lines)
    offsets: dict[int, list[int]] = {}  # line index -> the offsets on it asked about
    for number, line in enumerate(lines):
        if line.strip():
            offsets[number] = [starts[number] + len(line) - len(line.lstrip())]
    for start, _end, _count in ranges:  # where a function (or block) begins
        number = bisect_right(starts, start) - 1
        if number in offsets:
            offsets[number].append(start)
    return [(path, {number + 1 for number, asked in offsets.items()
                    if any(_ran(offset, ranges) for offset in asked)})]


def _mapped(root: Path, url: str, cached: dict, module: int | None,
            ranges: Sequence[Range]) -> list[tuple[str, set[int]]]:
    data = cached.get("data") or {}
    lengths = cached.get("lineLengths") or []
    starts = _line_starts(lengths)
    if module is not None and lengths and module != starts[-1] + lengths[-1]:
        return []  # the map describes other code than what ran
    sources = [_source_path(root, url, data.get("sourceRoot") or "", s)
               for s in data.get("sources") or []]
    found: dict[str, set[int]] = {}
    for segment in segments(data.get("mappings") or ""):
        if segment.line >= len(starts) or segment.source >= len(sources):
            continue
        path = sources[segment.source]
        if path is not None and _ran(starts[segment.line] + segment.column, ranges):
            found.setdefault(path, set()).add(segment.original_line)
    return list(found.items())


def _ranges(functions: Sequence[dict]) -> tuple[int | None, list[Range]]:
    """The module's length (its top-level function's end) and every other function's ranges."""
    module = None
    ranges: list[Range] = []
    for function in functions:
        own = [(r["startOffset"], r["endOffset"], r["count"]) for r in function.get("ranges", [])]
        if own and own[0][0] == 0 and function.get("functionName") == "" and \
                (module is None or own[0][1] > module):
            module = own[0][1]
            continue
        ranges += own
    return module, sorted(ranges, key=lambda r: (r[0], -r[1]))


def _ran(offset: int, ranges: Sequence[Range]) -> bool:
    """Whether the innermost range holding `offset` ran (False outside every function)."""
    inner = None
    for start, end, count in ranges:
        if start > offset:
            break
        if offset < end:
            inner = count  # later starts are nested deeper: the last one wins
    return bool(inner)


def _line_starts(lengths: Iterable[int]) -> list[int]:
    starts, total = [], 0
    for length in lengths:
        starts.append(total)
        total += length + 1
    return starts


def _js_length(text: str) -> int:
    """The length of `text` as JavaScript counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def _project_file(root: Path, url: str) -> str | None:
    """The repo-relative path of a `file://` URL inside `root`, not in node_modules."""
    parsed = urlparse(url)
    if parsed.scheme != "file":
        return None
    path = repo_path(root, unquote(parsed.path))
    if path.startswith(("/", "../")) or "node_modules/" in path:
        return None
    return path


def _source_path(root: Path, url: str, source_root: str, source: str) -> str | None:
    return _project_file(root, urljoin(url, source_root + source))

