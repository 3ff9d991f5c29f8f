"""Bats tests reach shellcheck. A `.bats` file, or one with no suffix whose shebang runs
`bats`, is bash with `@test` blocks, which shellcheck (0.7 and later) reads as bash; it was
a file of no known language, read by the secrets scan alone, so `rm -rf "$TARGET/"*` in a
test's teardown passed unseen. Generated: each review (`reviewloop review`, LLM reviewers
off) holds a file of every naming — by suffix, with no shebang, a bats or a bash one; by a
shebang alone, direct, through `env`, `env -S` with bats' options — each in a drawn folder
with a drawn finding, which must be reported, and each file listed as read by both
shellcheck analyzers."""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.repos import feature_branch
from tests.support.review_cli import review

pytestmark = [pytest.mark.pypi, pytest.mark.timeout(900)]

BATS = ("#!/usr/bin/env bats", "#!/usr/local/bin/bats", "#!/usr/bin/bats",
        "#!/usr/bin/env -S bats --tap")
# (suffix, first line): a `.bats` file with no shebang, a bats one or a bash one; a file
# with no suffix and a bats shebang
NAMINGS = ((".bats", None), *((".bats", bang) for bang in (*BATS, "#!/usr/bin/env bash")),
           *(("", bang) for bang in BATS))
FOLDERS = ("", "test/", "tests/integration/")
# a test's body holding one finding: (lines, analyzer, rule, the finding's line in the body)
FINDINGS = {
    "rm -rf an empty folder's contents": (
        ['TARGET="$1"', 'rm -rf "$TARGET/"*'], "shellcheck-security", "SC2115", 2),
    "an unquoted argument": (['run ls $BATS_TEST_TMPDIR', '[ "$status" -eq 0 ]'],
                             "shellcheck-security", "SC2086", 1),
    # (not `cd` without `|| exit`: shellcheck knows a Bats test runs under `set -e`)
    "a masked exit code": (['local out=$(pwd)', '[ -n "$out" ]'], "shellcheck", "SC2155", 1),
    "read mangling backslashes": (['read -p name line < "$F"', 'echo "$line"'], "shellcheck",
                                  "SC2162", 1),
}


@dataclass(frozen=True)
class BatsFile:
    """A Bats test holding one finding, and where shellcheck reports it."""

    path: str
    text: str
    analyzer: str
    rule: str
    line: int


@st.composite
def bats_files(draw: st.DrawFn, suffix: str, shebang: str | None, index: int) -> BatsFile:
    """A Bats test named `*.bats` (a shebang or none) or with no suffix (a bats shebang),
    in a drawn folder, holding a drawn finding in its `@test` block."""
    stem = draw(st.sampled_from(("clean", "api-smoke", "run_all")))
    body, analyzer, rule, at = FINDINGS[draw(st.sampled_from(sorted(FINDINGS)))]
    head = [shebang] if shebang else []
    head += ["setup() {", "  load helper", "}", "", f'@test "{stem} works" {{']
    text = "\n".join([*head, *(f"  {line}" for line in body), "}"]) + "\n"
    path = f"{draw(st.sampled_from(FOLDERS))}{stem}{index}{suffix}"
    return BatsFile(path, text, analyzer, rule, len(head) + at)


# one file of each naming in every review
CHANGES = st.tuples(*(bats_files(suffix, shebang, index)
                      for index, (suffix, shebang) in enumerate(NAMINGS)))


@settings(max_examples=4, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # the same tools each
@given(CHANGES)
def test_bats_files_are_read_by_shellcheck_in_a_review(shellcheck_tools: Path,
                                                       files: tuple[BatsFile, ...]) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        root = feature_branch(Path(scratch) / "r", {f.path: f.text.encode() for f in files})
        done = review(root, "--base", "main", "--head", "feature", "--fail-on", "never",
                      "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    found = {(f["source"], f["rule"], f["file"], f["start_line"])
             for group in ("remaining", "nits", "out_of_scope")
             for f in report["findings"][group]}
    rows = {r["path"]: r for r in report["health"]["files"]}
    for file in files:
        assert (file.analyzer, file.rule, file.path, file.line) in found, (found, file)
        assert {"shellcheck (review-maintainability)", "shellcheck-security (review-security)"
                } <= set(rows[file.path]["analysed_by"]), rows[file.path]
        assert rows[file.path]["not_read"] == [], rows[file.path]
    assert report["health"]["complete"] is True, report["verdict"]
