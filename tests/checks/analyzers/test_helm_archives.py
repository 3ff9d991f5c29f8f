"""A vendored chart archive is read once, bounded as helm bounds its loader, whatever it
holds (`helm_archives.packed`): any layout reads without an error escaping, the schemas at
a chart's levels are found, one that inflates past the budget or does not read says so,
and the chart's schema check is then named as not done (`helm_charts.remote_schema`)."""

from __future__ import annotations

import gzip
import io
import json
import tarfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.checks.analyzers.helm_archives import FILE, INFLATED, packed
from reviewloop.checks.analyzers.helm_charts import remote_schema

CHART = "apiVersion: v2\nname: {name}\nversion: 1.0.0\n"
REMOTE = json.dumps({"properties": {"a": {"$ref": "https://example.invalid/a.json"}}})


def _tgz(members: dict[str, bytes], kinds: dict[str, bytes] | None = None) -> bytes:
    """A gzip tar archive of `members` (files), and of `kinds` ({name: tar type}) besides."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as packed_:
        for name, data in members.items():
            member = tarfile.TarInfo(name)
            member.size = len(data)
            packed_.addfile(member, io.BytesIO(data))
        for name, kind in (kinds or {}).items():
            member = tarfile.TarInfo(name)
            member.type = kind
            member.linkname = "elsewhere" if kind in (tarfile.SYMTYPE, tarfile.LNKTYPE) else ""
            packed_.addfile(member)
    return out.getvalue()


def _zeros(archive: Path, name: str, size: int) -> None:
    """`archive` holding a chart `name` and a file of `size` zero bytes (a zip bomb)."""
    with gzip.open(archive, "wb", compresslevel=1) as stream, \
            tarfile.open(fileobj=stream, mode="w") as out:
        data = CHART.format(name=name).encode()
        member = tarfile.TarInfo(f"{name}/Chart.yaml")
        member.size = len(data)
        out.addfile(member, io.BytesIO(data))
        member = tarfile.TarInfo(f"{name}/files/blob.bin")
        member.size = size
        chunk = bytes(1 << 20)
        reader = io.BytesIO(chunk * (size // len(chunk)) + bytes(size % len(chunk)))
        out.addfile(member, reader)


def _chart(root: Path, archives: dict[str, bytes]) -> Path:
    chart = root / "app"
    (chart / "charts").mkdir(parents=True, exist_ok=True)
    (chart / "Chart.yaml").write_text(CHART.format(name="app"))
    for name, data in archives.items():
        (chart / "charts" / name).write_bytes(data)
    return chart


_PARTS = st.sampled_from(["redis", "charts", "values.schema.json", "Chart.yaml", "odd.tgz",
                          "x-1.0.tgz", "", ".", "..", "templates"])
_NAMES = st.lists(_PARTS, min_size=1, max_size=6).map("/".join) | \
    st.lists(_PARTS, min_size=1, max_size=4).map(lambda p: "/" + "/".join(p))
_DATA = st.sampled_from([b"", b"{}", REMOTE.encode(), b"not gzip",
                         _tgz({"common/values.schema.json": REMOTE.encode()}),
                         _tgz({"odd.tgz": b"x", "c/Chart.yaml": b"name: c\n"})])
_KINDS = st.sampled_from([tarfile.DIRTYPE, tarfile.SYMTYPE, tarfile.LNKTYPE, tarfile.FIFOTYPE])


@settings(derandomize=True, max_examples=150, deadline=None)
@given(st.dictionaries(_NAMES, _DATA, max_size=6), st.dictionaries(_NAMES, _KINDS, max_size=3))
def test_any_archive_layout_reads_without_an_error_escaping(tmp_path_factory, members,
                                                            kinds) -> None:
    """Generated: member names of any depth (at the archive's root, `charts` anywhere, empty
    and dot parts, absolute), files that are schemas, broken or nested archives, and
    folders, links and FIFOs: reading never raises; each schema found is at a chart level
    (`top/values.schema.json`, `top/charts/sub/values.schema.json`, or inside an archive in
    a `charts/` folder), and an absent or unread one leaves the chart checked or named."""
    root = tmp_path_factory.mktemp("layout")
    chart = _chart(root, {"any-1.0.0.tgz": _tgz(members, kinds)})

    held = packed(chart / "charts" / "any-1.0.0.tgz")
    found = remote_schema(root, "app")

    for member, _ in held.schemas:
        outer = member.split(":")[0].strip("/").split("/")
        assert outer[-1] in ("values.schema.json",) or outer[-1].endswith(".tgz"), member
        assert len(outer) >= 2 and all(p == "charts" for p in outer[1:-1:2]), member
    expected = {name for name, data in members.items() if data == REMOTE.encode()
                and len(p := name.strip("/").split("/")) >= 2 and len(p) % 2 == 0
                and p[-1] == "values.schema.json" and all(x == "charts" for x in p[1:-1:2])}
    assert expected <= {m for m, _ in held.schemas}
    if expected:
        assert found is not None
    if held.unread:
        assert found is not None and found.schema == "the schemas in app/charts/any-1.0.0.tgz"


def test_a_member_at_the_archive_s_root_is_no_crash(tmp_path: Path) -> None:
    """D1: an archive member named `odd.tgz` (no chart folder) beside a chart."""
    chart = _chart(tmp_path, {"odd-1.0.0.tgz": _tgz({
        "odd.tgz": _tgz({"x/values.yaml": b""}),
        "redis/Chart.yaml": CHART.format(name="redis").encode()})})
    held = packed(chart / "charts" / "odd-1.0.0.tgz")
    assert (held.chart, held.schemas, held.unread) == ({"name": "redis", "version": "1.0.0",
                                                        "apiVersion": "v2"}, (), "")
    assert remote_schema(tmp_path, "app") is None  # helm then says why (it refuses it)


def test_an_archive_that_does_not_read_is_named_for_its_chart(tmp_path: Path) -> None:
    _chart(tmp_path, {"broken-1.0.0.tgz": b"\x1f\x8b\x08 not really gzip"})
    found = remote_schema(tmp_path, "app")
    assert found is not None and found.schema == "the schemas in app/charts/broken-1.0.0.tgz"
    assert found.why.startswith("broken-1.0.0.tgz does not read as a gzip tar archive (")
    assert "whether a values.schema.json in it $refs a URL" in found.why


def test_a_broken_archive_inside_one_is_named(tmp_path: Path) -> None:
    chart = _chart(tmp_path, {"redis-1.0.0.tgz": _tgz({
        "redis/Chart.yaml": CHART.format(name="redis").encode(),
        "redis/charts/common-1.0.0.tgz": b"not gzip"})})
    held = packed(chart / "charts" / "redis-1.0.0.tgz")
    assert held.unread.startswith("common-1.0.0.tgz does not read as a gzip tar archive")


def test_a_schema_past_helm_s_file_limit_is_not_read_and_says_so(tmp_path: Path) -> None:
    chart = _chart(tmp_path, {"redis-1.0.0.tgz": _tgz({
        "redis/values.schema.json": b" " * (FILE + 1)})})
    held = packed(chart / "charts" / "redis-1.0.0.tgz")
    assert held.schemas == () and held.unread == "redis/values.schema.json is over 5 MiB"


def test_a_bomb_is_read_to_the_budget_once_and_the_schema_check_is_named(
        tmp_path: Path) -> None:
    """D4: an archive inflating past helm's 100 MiB is read no further (its inflated bytes
    counted, not timed), once however often it is asked, and the chart's schema check is
    stated as not done."""
    chart = _chart(tmp_path, {})
    bomb = chart / "charts" / "big-1.0.0.tgz"
    _zeros(bomb, "big", INFLATED + (1 << 20))

    held = packed(bomb)

    assert held.unread == "it inflates past 100 MiB, helm's own limit on a chart"
    assert held.inflated == INFLATED and held.chart["name"] == "big"
    assert packed(bomb) is held  # read once: the render and the remark ask again
    found = remote_schema(tmp_path, "app")
    assert found is not None and found.schema == "the schemas in app/charts/big-1.0.0.tgz"
    assert found.why.startswith("it inflates past 100 MiB, helm's own limit on a chart, so "
                                "the review did not read it whole")


def test_a_chart_s_archives_together_share_the_budget(tmp_path: Path) -> None:
    chart = _chart(tmp_path, {})
    for name in ("a", "b"):
        _zeros(chart / "charts" / f"{name}-1.0.0.tgz", name, INFLATED * 3 // 5)
    assert not packed(chart / "charts" / "a-1.0.0.tgz").unread
    found = remote_schema(tmp_path, "app")
    assert found is not None and found.schema == "the schemas in app/charts/b-1.0.0.tgz"
    assert found.why.startswith("the chart's archives up to it inflate past 100 MiB together")


def test_an_archive_rewritten_is_read_again(tmp_path: Path) -> None:
    chart = _chart(tmp_path, {"redis-1.0.0.tgz": _tgz({"redis/values.schema.json": b"{}"})})
    assert remote_schema(tmp_path, "app") is None
    (chart / "charts" / "redis-1.0.0.tgz").write_bytes(
        _tgz({"redis/values.schema.json": REMOTE.encode()}))
    found = remote_schema(tmp_path, "app")
    assert found is not None and found.schema == \
        "app/charts/redis-1.0.0.tgz:redis/values.schema.json"


@pytest.mark.parametrize("depth", [1, 2, 3])
def test_a_schema_in_nested_archives_is_found(tmp_path: Path, depth: int) -> None:
    data = _tgz({"c0/values.schema.json": REMOTE.encode()})
    name = "c0/values.schema.json"
    for level in range(1, depth + 1):
        data = _tgz({f"c{level}/charts/c{level - 1}-1.0.tgz": data})
        name = f"c{level}/charts/c{level - 1}-1.0.tgz:{name}"
    chart = _chart(tmp_path, {"top-1.0.0.tgz": data})
    assert [m for m, _ in packed(chart / "charts" / "top-1.0.0.tgz").schemas] == [name]


@pytest.mark.parametrize("kind", ["root-member", "bomb"])
def test_helm_refuses_such_an_archive_too_and_the_chart_is_named(
        tmp_path: Path, monkeypatch, kind: str) -> None:
    """Checked against real helm: it refuses both (content outside the base directory, past
    its decompressed size), so the chart's changed files are named with what helm said,
    for that chart — the other analyzers' files untouched."""
    from reviewloop.checks.analyzers.base import AnalyzerContext
    from reviewloop.checks.analyzers.helm_charts import KIND, rendered, unrendered
    from reviewloop.git.diff import parse_diff
    from tests.support.helm_tools import search_path

    chart = _chart(tmp_path / "r", {})
    (chart / "values.yaml").write_text("a: 1\n")
    if kind == "bomb":
        _zeros(chart / "charts" / "big-1.0.0.tgz", "big", INFLATED + (1 << 20))
    else:
        (chart / "charts" / "odd-1.0.0.tgz").write_bytes(_tgz({
            "odd.tgz": _tgz({"x/values.yaml": b""}),
            "redis/Chart.yaml": CHART.format(name="redis").encode()}))
    monkeypatch.setenv("PATH", search_path(tmp_path / "bin", with_helm=True))
    root = tmp_path / "r"
    ctx = AnalyzerContext(root=root, changes=parse_diff(""), diff_text="", agent="x",
                          timeout=60, sandbox="off")

    why = unrendered(root, ["app/values.yaml"], 60, "off")
    rest, _, _ = rendered({"app/values.yaml": KIND, "main.tf": "terraform"}, root,
                          tmp_path / "s", ctx)

    said = why["app/values.yaml"]
    assert said.startswith("this file belongs to the Helm chart app: `helm template` fails "
                           "on it offline (Error: error unpacking subchart "), said
    assert ("larger than the maximum size" if kind == "bomb"
            else "content outside the base directory") in said, said
    assert ctx.unread == {"app/values.yaml": said} and rest == {"main.tf": "terraform"}


def test_an_archive_s_schemas_are_kept_only_so_large_together(tmp_path: Path) -> None:
    """What is cached stays bounded: past 10 MiB of schemas the rest is not kept, said."""
    big = b"{" + b" " * (FILE - 8) + b"}"
    chart = _chart(tmp_path, {"redis-1.0.0.tgz": _tgz({
        f"redis/charts/s{i}/values.schema.json": big for i in range(3)})})
    held = packed(chart / "charts" / "redis-1.0.0.tgz")
    assert len(held.schemas) == 2 and held.unread == "its schemas are over 10 MiB together"


def test_a_chart_with_no_remote_dependency_reads_no_archive(tmp_path: Path) -> None:
    """Only a dependency helm would fetch asks which charts are vendored: a broken archive
    beside a chart that lists none is not opened for it (helm says why it fails)."""
    from reviewloop.checks.analyzers import helm_archives
    from reviewloop.checks.analyzers.helm_dependencies import unfetched

    chart = _chart(tmp_path, {"x-1.0.0.tgz": b"broken"})
    (chart / "Chart.yaml").write_text(CHART.format(name="app") + "dependencies:\n"
                                      "  - name: local\n    repository: file://../local\n")
    misses = helm_archives._packed.cache_info().misses
    assert unfetched(tmp_path, "app") is None
    assert helm_archives._packed.cache_info().misses == misses  # not opened
    (chart / "Chart.yaml").write_text(CHART.format(name="app") + "dependencies:\n"
                                      "  - name: x\n    repository: https://e.invalid\n")
    assert unfetched(tmp_path, "app") == ("x", "https://e.invalid")
    assert helm_archives._packed.cache_info().misses == misses + 1  # read for it, once
