"""A file a `serverless.yml` reads through `${file(…)}` is read with it. checkov's Serverless
parser resolves `iamRoleStatements: ${file(./iam.yml)}` (a key of it, `${file(…):statements}`;
a reference inside a referenced file; a fallback, `${file(./narrow.yml):s, file(./wide.yml):s}`)
before its checks run, and reports the function on the service file. The review read a
changed `iam.yml` alone, as plain YAML, so widening its statement to `"*"` passed while plain
`checkov -d .` on the head reported CKV_AWS_1 and CKV_AWS_49 on the unchanged
`serverless.yml`. Now the service files that read a changed, deleted or renamed file are
read with the change, at the head and at the base (with the other files they read), and
what the change brought about is shown on the changed file (about it as a whole when the
change took it away).

Generated: each review holds a case of each kind — the provider's statements from a file,
a key of one, a function's own, a file another referenced file reads, a narrowing file
whose deletion or renaming lets a wide fallback through — each reference drawn as `./x` or
`../shared/x`, `.yml`, `.yaml` or `.json`, and a Terraform change beside them or not (one
view of the change then), with twins — the base was wide already, a file narrowed, an
unrelated file, a file read beside one that was wide already — that must report nothing.
Plain checkov is the oracle."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from reviewloop.checks.analyzers.checkov import QUIET_ENV
from reviewloop.checks.analyzers.provision import TOOLS
from tests.support.gitutil import git
from tests.support.repos import init_repo
from tests.support.review_cli import review
from tests.support.serverless_text import NARROW, RULES, WIDE, service, statements

pytestmark = [pytest.mark.pypi, pytest.mark.timeout(900)]

QUEUE = 'resource "aws_sqs_queue" "jobs" {\n  name = "jobs"\n}\n'


@dataclass(frozen=True)
class Case:
    """Files at the base; the change writes `head` (None: deletes) and renames `moves`; the
    review is to report the rules on `expected` (file, level), or nothing."""

    base: dict[str, str]
    head: dict[str, str | None] = field(default_factory=dict)
    moves: dict[str, str] = field(default_factory=dict)
    expected: tuple[str, str] | None = None


@st.composite
def cases(draw: st.DrawFn, i: int) -> tuple[Case, ...]:
    def ref(folder: str, stem: str) -> tuple[str, str]:
        """A referenced file's tree path and the reference to it from `folder`."""
        name = stem + draw(st.sampled_from((".yml", ".yaml", ".json")))
        if draw(st.booleans()):
            return f"{folder}/{name}", f"./{name}"
        return f"s{i}/shared/{folder.rsplit('/', 1)[-1]}-{name}", \
            f"../shared/{folder.rsplit('/', 1)[-1]}-{name}"

    drawn = []
    # the provider's statements, whole or a key of the file
    folder = f"s{i}/prov"
    path, to = ref(folder, "iam")
    key = draw(st.sampled_from(("", "statements")))
    reference = f"${{file({to}){':' + key if key else ''}}}"
    drawn.append(Case({f"{folder}/serverless.yml": service(f"prov{i}", provider=reference),
                       path: statements(path, NARROW, key=key)},
                      {path: statements(path, WIDE, key=key)}, expected=(path, "line")))
    # a function's own
    folder = f"s{i}/func"
    path, to = ref(folder, "fn")
    drawn.append(Case({f"{folder}/serverless.yml": service(f"func{i}",
                                                           function=f"${{file({to})}}"),
                       path: statements(path, NARROW)},
                      {path: statements(path, NARROW, WIDE)}, expected=(path, "line")))
    # a file a referenced file reads (resolved from the service file's folder)
    folder = f"s{i}/chain"
    drawn.append(Case({f"{folder}/serverless.yml": service(
        f"chain{i}", provider="${file(./outer.yml):statements}"),
        f"{folder}/outer.yml": "statements: ${file(./inner.yml)}\n",
        f"{folder}/inner.yml": statements("inner.yml", NARROW)},
        {f"{folder}/inner.yml": statements("inner.yml", WIDE)},
        expected=(f"{folder}/inner.yml", "line")))
    # the narrowing file taken away: the wide fallback applies
    folder = f"s{i}/fallback"
    narrow, wide = f"{folder}/narrow.yml", f"{folder}/wide.yml"
    deleted = draw(st.booleans())
    gone = narrow if deleted else f"{folder}/narrow.yml.bak"
    drawn.append(Case({f"{folder}/serverless.yml": service(
        f"fallback{i}", provider="${file(./narrow.yml):statements, "
                                 "file(./wide.yml):statements}"),
        narrow: statements(narrow, NARROW, key="statements"),
        wide: statements(wide, WIDE, key="statements")},
        {narrow: None} if deleted else {}, {} if deleted else {narrow: gone},
        expected=(gone, "file")))
    # twins: the base was wide already; a file narrowed; an unrelated file
    for twin, before, after in (("wide", WIDE, {**WIDE, "Sid": "Still"}), ("narrowed", WIDE,
                                                                          NARROW)):
        folder = f"s{i}/{twin}"
        path, to = ref(folder, "iam")
        drawn.append(Case({f"{folder}/serverless.yml": service(f"{twin}{i}",
                                                               provider=f"${{file({to})}}"),
                           path: statements(path, before)}, {path: statements(path, after)}))
    # another file the service reads was wide already (the base run reads it too)
    drawn.append(Case({f"s{i}/both/serverless.yml": service(
        f"both{i}", provider="${file(./iam.yml)}", function="${file(./fn.yml)}"),
        f"s{i}/both/iam.yml": statements("iam.yml", NARROW),
        f"s{i}/both/fn.yml": statements("fn.yml", WIDE)},
        {f"s{i}/both/iam.yml": statements("iam.yml", {**NARROW, "Sid": "Edited"})}))
    drawn.append(Case({f"s{i}/other/serverless.yml": service(f"other{i}",
                                                             provider="${file(./iam.yml)}"),
                       f"s{i}/other/iam.yml": statements("iam.yml", NARROW),
                       f"s{i}/other/notes.yml": "a: 1\n"},
                      {f"s{i}/other/notes.yml": statements("notes.yml", WIDE)}))
    if draw(st.booleans()):  # one view of the change: a Terraform file beside them
        drawn.append(Case({f"s{i}/infra/main.tf": QUEUE},
                          {f"s{i}/infra/main.tf": QUEUE.replace("jobs\"\n", "jobs2\"\n")}))
    return tuple(drawn)


def _repo(root: Path, drawn: tuple[Case, ...]) -> Path:
    init_repo(root, {path: text for case in drawn for path, text in case.base.items()})
    git(root, "checkout", "-qb", "feature")
    for case in drawn:
        for old, new in case.moves.items():
            git(root, "mv", old, new)
        for path, text in case.head.items():
            if text is None:
                git(root, "rm", "-q", path)
            else:
                (root / path).write_text(text)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "change")
    return root


def _plain(tools: Path, root: Path, ref: str) -> set[tuple[str, str]]:
    """The Serverless findings plain `checkov -d .` reports on `ref`: (rule, function)."""
    git(root, "checkout", "-q", ref)
    done = subprocess.run(
        [str(TOOLS["checkov"].command_in(tools / TOOLS["checkov"].folder)), "-d", ".",
         "--framework", "serverless", "--compact", "--skip-download", "-o", "json"],
        cwd=root, capture_output=True, text=True, timeout=300, check=False,
        env={**os.environ, **QUIET_ENV})
    report = json.loads(done.stdout)
    return {(c["check_id"], c["resource"]) for one in (report if isinstance(report, list)
                                                       else [report])
            for c in one["results"]["failed_checks"]}


@settings(max_examples=2, deadline=None, derandomize=True,
          phases=(Phase.explicit, Phase.generate),  # a failure's review is not shrunk
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.tuples(cases(0), cases(1)).map(lambda pair: pair[0] + pair[1]))
def test_a_file_a_serverless_service_reads_is_read_with_it(
        iac_env: Path, drawn: tuple[Case, ...]) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        root = _repo(Path(scratch) / "r", drawn)
        done = review(root, "--base", "main", "--head", "feature", "--fail-on", "never",
                      "--json")
        assert done.returncode == 0, done.stderr[-2000:]
        oracle = _plain(iac_env, root, "feature") - _plain(iac_env, root, "main")
    report = json.loads(done.stdout)
    found = [f for group in ("remaining", "nits") for f in report["findings"][group]
             if f["source"] == "checkov" and not f["file"].endswith(".tf")]
    wanted = {(rule, *case.expected) for case in drawn if case.expected for rule in RULES}
    assert {(f["rule"], f["file"], f["level"]) for f in found} == wanted, sorted(
        (f["rule"], f["file"], f["level"]) for f in found)
    assert {(f["rule"], f["symbol"]) for f in found} == oracle, found
    for finding in found:
        assert finding["introduced"], finding
        assert "which the change did not write, whose ${file(…)} reads" in \
            finding["rationale"], finding
    checkov = [a for a in report["health"]["analyzers"] if a["name"] == "checkov"]
    assert [a["status"] for a in checkov] == ["ok"], checkov
