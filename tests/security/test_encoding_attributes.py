"""A repository's own `working-tree-encoding` attribute never stops its working-tree review.
`git add` refuses a file whose bytes are not in the encoding the attribute names (a UTF-8
file under `working-tree-encoding=UTF-16`): the snapshot failed and the review crashed
(exit 3). Whatever the attribute and the file's bytes, the review runs, and the risky call
in the file is reported or the file is named as not analysed."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.repos import init_repo
from tests.support.review_cli import review

RISKY = "import subprocess\n\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n"
WRITTEN = {"utf-8": RISKY.encode(), "utf-16 with its mark": RISKY.encode("utf-16"),
           "utf-16-le": RISKY.encode("utf-16-le"), "utf-16-be": RISKY.encode("utf-16-be")}


@settings(max_examples=8, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(attribute=st.sampled_from(["UTF-16", "UTF-16LE", "UTF-16BE", "UTF-32", "UTF-8"]),
       written=st.sampled_from(sorted(WRITTEN)), tracked=st.booleans())
def test_an_encoding_attribute_never_stops_the_review(
        tmp_path_factory: pytest.TempPathFactory, attribute: str, written: str,
        tracked: bool) -> None:
    attributes = f"*.py working-tree-encoding={attribute}\n"
    root = init_repo(tmp_path_factory.mktemp("attr") / "r", {"tool.py": "VALUE = 1\n"}
                     if tracked else {".gitattributes": attributes})
    (root / ".gitattributes").write_text(attributes)  # tracked: the attribute comes after
    (root / "tool.py").write_bytes(WRITTEN[written])
    done = review(root, "--json")
    assert done.returncode == 1, done.stderr[-2000:]
    report = json.loads(done.stdout)
    flagged = {f["file"] for f in report["findings"]["remaining"] if f["rule"] == "B602"}
    [row] = [r for r in report["health"]["files"] if r["path"] == "tool.py"]
    assert "tool.py" in flagged or (row["not_read"] and not report["health"]["complete"])


def test_a_file_git_refuses_is_reviewed_as_it_is_on_disk(tmp_path) -> None:
    """A UTF-8 file under a UTF-16 attribute: recorded as its bytes, and analysed."""
    root = init_repo(tmp_path / "r", {".gitattributes": "*.py working-tree-encoding=UTF-16\n"})
    (root / "tool.py").write_text(RISKY)
    done = review(root, "--json")
    report = json.loads(done.stdout)
    assert done.returncode == 1, done.stderr[-2000:]
    assert ("tool.py", 5) in {(f["file"], f["start_line"]) for f in report["findings"]["remaining"]
                              if f["rule"] == "B602"}
    assert report["health"]["complete"] is True


def test_a_file_in_the_attribute_s_encoding_is_reviewed(tmp_path) -> None:
    """A UTF-16 file with its mark under a UTF-16 attribute: git converts it, its lines are
    the diff's; Python's tools cannot read the UTF-16 file on disk and say so."""
    root = init_repo(tmp_path / "r", {".gitattributes": "*.py working-tree-encoding=UTF-16\n"})
    (root / "tool.py").write_bytes(RISKY.encode("utf-16"))
    done = review(root, "--json")
    report = json.loads(done.stdout)
    assert done.returncode == 1, done.stderr[-2000:]
    [row] = [r for r in report["health"]["files"] if r["path"] == "tool.py"]
    assert row["analysed_by"] == ["secrets (review-security)"]
    assert {why.split(":")[0] for why in row["not_read"]} == {
        "bandit", "ruff-maintainability", "ruff-performance"}
