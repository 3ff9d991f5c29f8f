"""A file of a checkov framework named in another case is read or named, never passed over;
a Compose or Pulumi file, which no analyzer here reads, is no gap, as a Ruby file is not.

checkov tells Bicep, Serverless and the CI pipelines by their names, and YAML/JSON kinds by
their suffixes, each test case-sensitive: plain `checkov -d .` skips `Storage.Bicep`,
`Serverless.yml` or `playbook.YML` without a word. Generated: every framework of the
library (`iac_frameworks.CASES`), a name of it with a drawn set of letters in the other
case, side by side in one change. Plain checkov on the same tree is the oracle of what it
reads: what it reports on a file the review reports on the same line, and a file where it
reports nothing the review reports on or names as not read by checkov."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.support.checkov import plain_checkov
from tests.support.iac_frameworks import CASES, Case, Drawn, misconfigured
from tests.support.review_cli import review_feature

pytestmark = [pytest.mark.pypi, pytest.mark.timeout(900)]

CHECKOV = "checkov (review-infrastructure)"


@st.composite
def recased(draw: st.DrawFn, case: Case) -> Drawn:
    """A misconfigured file of `case` in a folder of its own, some letters of its name (and
    of a folder checkov's test reads, `.circleci/`) in the other case."""
    drawn = draw(misconfigured(case))
    flips = draw(st.lists(st.booleans(), min_size=len(drawn.path), max_size=len(drawn.path)))
    path = "".join(c.swapcase() if flip else c for c, flip in zip(drawn.path, flips, strict=True))
    return Drawn(drawn.kind, f"{CASES.index(case)}/{path}", drawn.text, drawn.rule,
                 drawn.line)


@settings(max_examples=2, deadline=None, derandomize=True,
          phases=(Phase.explicit, Phase.generate),  # a review is not shrunk
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.tuples(*(recased(case) for case in CASES)))
def test_a_name_in_another_case_is_read_as_plain_checkov_reads_it_or_named(
        iac_env: Path, drawn: tuple[Drawn, ...]) -> None:
    files = {d.path: d.text for d in drawn}
    with tempfile.TemporaryDirectory() as scratch:
        for path, text in files.items():
            Path(scratch, path).parent.mkdir(parents=True, exist_ok=True)
            Path(scratch, path).write_text(text)
        plain = {(check["file_path"].lstrip("/"), check["check_id"])
                 for check in plain_checkov(iac_env, Path(scratch))}
    report = review_feature({path: text.encode() for path, text in files.items()})

    found = {(f["file"], f["rule"], f["start_line"]) for f in report["findings"]["remaining"]}
    rows = {row["path"]: row for row in report["health"]["files"]}
    for one in drawn:
        reported = (one.path, one.rule, one.line) in found
        named = any(why.startswith("checkov: ") for why in rows[one.path]["not_read"])
        if (one.path, one.rule) in plain:
            assert reported and not named, (one, rows[one.path])
        else:
            assert reported != named, (one, rows[one.path])
            assert (CHECKOV in rows[one.path]["analysed_by"]) == reported, rows[one.path]


COMPOSE = b"services:\n  web:\n    image: nginx:latest\n    privileged: true\n" \
          b"    network_mode: host\n"
PULUMI = b"name: site\nruntime: yaml\nresources:\n  bucket:\n    type: aws:s3:Bucket\n" \
         b"    properties:\n      acl: public-read-write\n"


def test_compose_and_pulumi_files_are_read_by_no_analyzer_and_are_no_gap(
        iac_env: Path) -> None:
    """As plain checkov, which has no Compose or Pulumi framework, the review gives them to
    no infrastructure analyzer; by the coverage matrix's rule a file of a kind no analyzer
    here reads is listed with the analyzers that read it (the secrets scan) and leaves the
    review complete (docs/findings.md)."""
    files = {"docker-compose.yml": COMPOSE, "app/compose.yaml": COMPOSE,
             "docker-compose.override.yml": COMPOSE, "infra/Pulumi.yaml": PULUMI,
             "infra/Pulumi.dev.yaml": b"config:\n  aws:region: us-east-1\n"}
    with tempfile.TemporaryDirectory() as scratch:
        for path, text in files.items():
            Path(scratch, path).parent.mkdir(parents=True, exist_ok=True)
            Path(scratch, path).write_bytes(text)
        assert plain_checkov(iac_env, Path(scratch)) == []
    report = review_feature(files)

    rows = {row["path"]: row for row in report["health"]["files"]}
    for path in files:
        assert rows[path]["analysed_by"] == ["secrets (review-security)"], rows[path]
        assert rows[path]["not_read"] == [], rows[path]
    assert report["health"]["complete"]
    checkov = next(a for a in report["health"]["analyzers"] if a["name"] == "checkov")
    assert checkov["status"] == "skipped" and checkov["files"] == []
