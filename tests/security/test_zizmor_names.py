"""A changed workflow or action whose name holds a byte that is not UTF-8: zizmor refuses such
a name ("invalid UTF-8 was detected in one or more arguments", exit 2), and with it the whole
run, so every zizmor finding of the change was lost, the UTF-8 files' too, and zizmor was
reported failed. Now such a file is given to zizmor as a copy under a UTF-8 name of the same
kind (`zizmor.Zizmor.stage`) and its findings are named by its own path.

Generated: names made of pieces that are ASCII, valid UTF-8 or not UTF-8 (a Latin-1 byte, a
cut-short sequence, a lone continuation byte), as a workflow's own name or the folder of an
action definition, beside a UTF-8 workflow. The oracle is plain zizmor on each file's content
under a UTF-8 name of its kind: the review must report each rule on each line it reports, on
the file's own path."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from reviewloop.checks.analyzers.provision import TOOLS, install
from reviewloop.git.names import shown
from tests.support.review_cli import review_feature
from tests.support.tools_cache import cache_root

pytestmark = pytest.mark.pypi  # zizmor, installed once into the kept tools folder

WORKFLOW = (b"on: pull_request_target\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
            b"      - uses: actions/checkout@v4\n"
            b"      - run: echo \"${{ github.event.pull_request.title }}\"\n")
ACTION = (b"name: a\ndescription: a\nruns:\n  using: composite\n  steps:\n"
          b"    - run: echo \"${{ github.event.issue.title }}\"\n      shell: bash\n")
PIECES = (b"a", b"\xc3\xa9", b"\xe9", b"\xe2\x82", b"\x80", b"\xff")
part = st.lists(st.sampled_from(PIECES), min_size=1, max_size=3).map(b"".join)
name = st.one_of(part.map(lambda p: b".github/workflows/" + p + b".yml"),
                 part.map(lambda p: p + b"/action.yml"))


def _plain(zizmor: Path, content: bytes, kind: str, tmp: Path) -> set[tuple[str, int]]:
    """(rule, line) of plain zizmor's primary locations on `content` under a UTF-8 name."""
    path = tmp / kind
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    done = subprocess.run([str(zizmor), "--offline", "--no-exit-codes", "--no-config",
                           "--no-ignores", "--format", "json", str(path)],
                          capture_output=True, text=True, check=True)
    return {(r["ident"], loc["concrete"]["location"]["start_point"]["row"] + 1)
            for r in json.loads(done.stdout) for loc in r["locations"]
            if loc["symbolic"]["kind"] == "Primary"}


@pytest.fixture(scope="module")
def want(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[tuple[str, int]]]:
    """Plain zizmor's (rule, line) on each kind's content: the same two files for every
    drawn set of names, so run once for the module, not once per example."""
    zizmor = install(TOOLS["zizmor"], cache_root())
    tmp = tmp_path_factory.mktemp("zizmor-names")
    return {kind: _plain(zizmor, content, kind, tmp / kind.replace("/", "_"))
            for kind, content in ((".github/workflows/w.yml", WORKFLOW),
                                  ("x/action.yml", ACTION))}


@pytest.mark.long(seconds=23)
@settings(max_examples=4, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(name, min_size=1, max_size=3, unique=True))
@example([b".github/workflows/d\xe9.yml", b"c\xe9/action.yml"])
def test_zizmor_s_findings_reach_a_file_whose_name_is_not_utf8(
        want: dict[str, set[tuple[str, int]]], monkeypatch: pytest.MonkeyPatch,
        names: list[bytes]) -> None:
    monkeypatch.setenv("REVIEWLOOP_TOOLS_DIR", str(cache_root()))  # the review's zizmor is it
    raws = [*names, b".github/workflows/plain.yml"]
    files: dict[str | bytes, bytes] = {
        raw: ACTION if raw.endswith(b"action.yml") else WORKFLOW for raw in raws}
    report = review_feature(files)
    got: dict[str, set[tuple[str, int]]] = {}
    for bucket in ("remaining", "nits", "out_of_scope"):
        for f in report["findings"][bucket]:
            if f["source"] == "zizmor":
                got.setdefault(f["file"], set()).add((f["rule"], f["start_line"]))
    health = [h for h in report["health"]["analyzers"] if h["name"] == "zizmor"]
    assert health and all(h["status"] == "ok" for h in health), health
    for raw in raws:
        kind = "x/action.yml" if raw.endswith(b"action.yml") else ".github/workflows/w.yml"
        path = shown(os.fsdecode(raw))  # as the report spells a name
        assert want[kind] and got.get(path) == want[kind], (names, path, got)
