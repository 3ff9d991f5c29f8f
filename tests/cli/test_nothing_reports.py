"""An empty change still gives the report asked for: every --output and --sarif file exists
and a machine format's document is printed, saying "nothing to review" (exit 0). A CI step
that uploads the SARIF or reads the JSON finds the answer, not a missing file or an empty
stream. Generated over formats × where the report goes × the ways a change can be empty."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.reports.formats import formats
from tests.support.repos import git, init_repo
from tests.support.review_cli import SARIF_SCHEMA, review

NOTHING = "nothing to review"
# how a change comes to hold nothing (`_empty_change`)
EMPTY_WAYS = ("clean", "outside-scope", "untracked-venv", "staged-none", "same-commit")


def _empty_change(root: Path, way: str) -> list[str]:
    """Make the repository's change empty in `way`; the `review` arguments that see it so."""
    if way == "outside-scope":  # a change, but none under the path reviewed
        (root / "other").mkdir()
        (root / "other" / "b.py").write_text("import os\nos.system(input())\n")
        return ["src"]
    if way == "untracked-venv":  # only a folder the working tree leaves out
        (root / ".venv").mkdir()
        (root / ".venv" / "pyvenv.cfg").write_text("home = /usr/bin\n")
        return []
    if way == "staged-none":  # edits on disk, nothing in the index
        (root / "src" / "a.py").write_text("A = 2\n")
        return ["--staged"]
    if way == "same-commit":
        return ["--base", "HEAD", "--head", "HEAD"]
    return []


def _check_document(fmt: str, text: str) -> None:
    """`text` is `fmt`'s own report of an empty change."""
    if fmt == "json":
        doc = json.loads(text)
        assert doc["verdict"] == NOTHING and doc["health"]["complete"] is True, doc
        assert doc["findings"]["remaining"] == [] and doc["task"]["title"].startswith(NOTHING)
    elif fmt == "sarif":
        _check_sarif(text)
    elif fmt == "markdown" or fmt == "text":  # text into a file is Markdown
        assert f"**Verdict:** {NOTHING}" in text and "LLM reviewers off" not in text, text
    elif fmt == "ruff":
        assert text.splitlines()[-1] == f"verdict: {NOTHING}", text
    elif fmt == "github":
        assert text == f"::notice::reviewloop: {NOTHING}\n", text  # no "not a full review"
    else:  # a plugin's format: something, at least
        assert text


def _check_sarif(text: str) -> None:
    log = json.loads(text)
    jsonschema.validate(log, json.loads(SARIF_SCHEMA.read_text()))
    assert [run["results"] for run in log["runs"]] == [[]], log


@settings(max_examples=10, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(fmt=st.sampled_from(sorted(formats())), to_file=st.booleans(), sarif=st.booleans(),
       way=st.sampled_from(EMPTY_WAYS))
def test_an_empty_change_writes_every_report_asked_for(tmp_path: Path, fmt: str,
                                                        to_file: bool, sarif: bool,
                                                        way: str) -> None:
    case = tmp_path / "case"
    shutil.rmtree(case, ignore_errors=True)
    root = init_repo(case / "repo", {"src/a.py": "A = 1\n"})
    reports = case / "reports"  # beside the repository: a report is not part of the change
    args = _empty_change(root, way)
    output, sarif_path = reports / f"out.{fmt}", reports / "sub" / "r.sarif"
    flags = ["--format", fmt, *(["--output", str(output)] if to_file else []),
             *(["--sarif", str(sarif_path)] if sarif else [])]
    done = review(root, *flags, *args)
    assert done.returncode == 0, done.stdout + done.stderr
    said = done.stdout if fmt == "text" and not to_file else done.stderr
    assert NOTHING in said, (done.stdout, done.stderr)
    if to_file:
        _check_document(fmt, output.read_text(encoding="utf-8"))
    elif fmt != "text":  # on standard output, alone: the message goes to standard error
        _check_document(fmt, done.stdout)
    if sarif:
        _check_sarif(sarif_path.read_text(encoding="utf-8"))
    if way == "untracked-venv" and fmt == "json":  # what was left out is still said
        doc = json.loads(output.read_text() if to_file else done.stdout)
        assert [s.split(":")[0] for s in doc["skipped"]] == [".venv/"], doc["skipped"]
    assert git(root, "status", "--porcelain", "--untracked-files=all").count("reports") == 0
