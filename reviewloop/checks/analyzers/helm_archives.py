"""What the review reads from a chart archive vendored in a `charts/` folder
(`charts/redis-1.0.0.tgz`), read once, bounded as helm bounds its own loading.

An archive is the change's: a pull request can add a small `.tgz` that inflates to
gigabytes. Helm refuses a chart archive whose files inflate past 100 MiB, or holding one file
past 5 MiB (its loader's `MaxDecompressedChartSize`, `MaxDecompressedFileSize`); the review
reads at most as much of one, its nested archives included, in one pass and only once per
archive as it is on disk (`packed`, cached by the file's identity): its top `Chart.yaml`
(the name helm loads it by, `helm_dependencies._vendored`) and each `values.schema.json` at
a chart's level — the archive's chart's and its subcharts', in folders and archives under
`charts/` (`redis/charts/common-1.0.tgz:common/values.schema.json`), which helm validates
the values with (`helm_charts.remote_schema`). Whatever else it holds is passed over
unread, and at most 10 MiB of schemas an archive is kept. An archive that does not read
whole (past the budget, not a gzip tar archive, a schema past helm's limit, too many) says
why (`Packed.unread`): the chart's schema check is then stated as not done, and helm says
itself why it does not load the chart."""

from __future__ import annotations

import io
import tarfile
import zlib
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple, Protocol

INFLATED = 100 << 20  # helm's MaxDecompressedChartSize: an archive read at most this far
FILE = 5 << 20  # helm's MaxDecompressedFileSize: a schema or Chart.yaml larger is not read
_KEPT = 2 * FILE  # an archive's schemas kept at most this large together (they are cached)
SCHEMA = "values.schema.json"
CHART = "Chart.yaml"
_DEPTH = 4  # archives inside archives read at most this deep
_BROKEN = (OSError, EOFError, tarfile.TarError, zlib.error, ValueError)


class Packed(NamedTuple):
    """What the review read from a chart archive."""

    chart: Any  # its top `Chart.yaml` as YAML; None: none, or it does not parse
    schemas: tuple[tuple[str, str], ...]  # (member, text) of each chart level's schema
    unread: str  # why part of it was not read; "" when it read whole
    inflated: int = 0  # the bytes it inflated to, as far as it was read


class _Stream(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class _Budget:
    """The inflated bytes left to read from one archive, nested ones included."""

    def __init__(self, left: int) -> None:
        self.left = left
        self.spent = False


class _Inflated(io.RawIOBase):
    """A gzip stream read no further than its budget: past it, the end (and `spent`)."""

    def __init__(self, stream: _Stream, budget: _Budget) -> None:
        super().__init__()
        self.stream, self.budget = stream, budget

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.budget.left <= 0:  # spent only if there is more
            self.budget.spent = self.budget.spent or bool(self.stream.read(1))
            return 0
        view = memoryview(buffer).cast("B")
        data = self.stream.read(min(len(view), self.budget.left))
        view[:len(data)] = data
        self.budget.left -= len(data)
        return len(data)


def packed(archive: Path) -> Packed:
    """What `archive` holds for the review (see the module's note): read once while the file
    stays as it is."""
    try:
        found = archive.stat()
    except OSError as exc:
        return Packed(None, (), _broken(str(archive), exc), 0)
    return _packed(str(archive), found.st_size, found.st_mtime_ns, found.st_ino)


@lru_cache(maxsize=64)
def _packed(archive: str, size: int, mtime: int, inode: int) -> Packed:
    """`packed` of the archive at `archive` as it is (its size, time and inode the key)."""
    import gzip

    budget = _Budget(INFLATED)
    charts: list[bytes] = []
    schemas: list[tuple[str, str]] = []  # what was read before a broken part is kept
    try:
        with gzip.open(archive, "rb") as stream:
            unread = _read(stream, budget, 0, charts, schemas)
    except _BROKEN as exc:  # the budget's end reads as a cut archive
        unread = _broken(archive, exc)
    if budget.spent:
        unread = f"it inflates past {INFLATED >> 20} MiB, helm's own limit on a chart"
    return Packed(_chart_yaml(charts[0] if charts else None), tuple(schemas), unread,
                  INFLATED - budget.left)


def _broken(name: str, exc: BaseException) -> str:
    return f"{Path(name).name} does not read as a gzip tar archive ({exc})"


def _read(stream: _Stream, budget: _Budget, depth: int, charts: list[bytes],
          schemas: list[tuple[str, str]]) -> str:
    """Adds the top `Chart.yaml`'s bytes (to `charts`) and each chart level's schema (to
    `schemas`) of the tar stream in `stream`, in one forward pass (`r|`: nothing is read
    twice); why part of it was not read, or ""."""
    unread = ""
    with tarfile.open(fileobj=io.BufferedReader(_Inflated(stream, budget)),
                      mode="r|") as members:
        for member in members:
            if not member.isfile():
                continue
            parts = member.name.strip("/").split("/")
            # a chart's own file is `top/NAME`; a subchart's `top/charts/sub/NAME`, and so on
            level = len(parts) >= 2 and len(parts) % 2 == 0 \
                and all(p == "charts" for p in parts[1:-1:2])
            nested = depth < _DEPTH and len(parts) >= 3 and len(parts) % 2 == 1 \
                and parts[-1].endswith(".tgz") and all(p == "charts" for p in parts[1:-1:2])
            wanted = parts[-1] == SCHEMA or (parts[-1] == CHART and len(parts) == 2)
            if (level and wanted) or nested:
                if nested and member.size > budget.left:  # it inflates past it
                    budget.spent = True
                    break
                if not nested and member.size > FILE:  # helm refuses it too
                    unread = unread or f"{member.name} is over {FILE >> 20} MiB"
                    continue
                read = members.extractfile(member)
                data = read.read() if read is not None else b""
                if parts[-1] == CHART and len(parts) == 2:
                    charts.append(data)
                elif parts[-1] == SCHEMA and sum(len(t) for _, t in schemas) + len(data) \
                        > _KEPT:
                    unread = unread or f"its schemas are over {_KEPT >> 20} MiB together"
                elif parts[-1] == SCHEMA:
                    schemas.append((member.name, data.decode("utf-8", "replace")))
                else:
                    unread = unread or _inner(member.name, data, budget, depth, schemas)
    return unread


def _inner(name: str, data: bytes, budget: _Budget, depth: int,
           schemas: list[tuple[str, str]]) -> str:
    """Adds the schemas of the archive `name` (its bytes `data`) inside another to
    `schemas`; why it did not read whole, or ""."""
    import gzip

    inner: list[tuple[str, str]] = []
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data), mode="rb") as stream:
            unread = _read(stream, budget, depth + 1, [], inner)
    except _BROKEN as exc:
        unread = _broken(name, exc)
    schemas += [(f"{name}:{member}", text) for member, text in inner]
    return unread


def _chart_yaml(data: bytes | None) -> Any:
    """A `Chart.yaml`'s bytes as YAML; None when there are none or they do not parse."""
    import yaml

    try:
        return yaml.safe_load(data.decode("utf-8", "replace")) if data is not None else None
    except yaml.YAMLError:
        return None

