"""A report path naming a file of the repository that is not a report is refused before the
review (fz2 D11: `review --output app.py` replaced the uncommitted app.py with the report);
a report reviewloop wrote before, an empty file, a new path or one outside the repository
is written as before."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.cli.report_targets import holds_report, refuse_overwrite
from reviewloop.errors import ExitCode, UserInputError
from tests.support.gitutil import git
from tests.support.review_cli import repo, review

# How the user's file stands in git: each is work a report would have replaced.
STATES = ("tracked", "modified", "staged", "untracked", "ignored", "in a folder")
CODE = st.binary(min_size=1, max_size=300).filter(lambda b: b.strip() and not holds_report(b))


def _placed(root: Path, state: str, data: bytes) -> Path:
    name = "keep/app.py" if state == "in a folder" else "app.py"
    path = root / name
    path.parent.mkdir(exist_ok=True)
    if state == "ignored":
        (root / ".gitignore").write_text("app.py\n")
    path.write_bytes(b"old\n" if state in ("tracked", "modified") else data)
    if state in ("tracked", "modified", "staged"):
        git(root, "add", "-f", name)
    if state in ("tracked", "modified"):
        git(root, "commit", "-qm", "app")
    if state in ("tracked", "modified"):
        path.write_bytes(data if state == "modified" else b"old\n")
    return path


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(state=st.sampled_from(STATES), data=CODE,
       flag=st.sampled_from(["--output", "--sarif"]), via=st.sampled_from(["path", "link"]))
def test_a_file_of_the_repository_is_never_written_over(tmp_path_factory, state, data, flag,
                                                        via):
    root = repo(tmp_path_factory.mktemp("t"))
    path = _placed(root, state, data)
    before = path.read_bytes()
    given_path = path
    if via == "link":  # a link elsewhere in the repository leads to the same file
        given_path = root / "report-link.md"
        os.symlink(path, given_path)
    with pytest.raises(UserInputError) as refused:
        refuse_overwrite(flag, given_path, root, ".sarif")
    said = str(refused.value)
    assert refused.value.exit_code == ExitCode.USAGE
    assert flag in said and path.relative_to(root).as_posix() in said
    assert "give " + flag + " another path" in said
    assert path.read_bytes() == before


@pytest.mark.parametrize("where", ["outside", "new", "empty"])
def test_outside_new_or_empty_targets_are_written(tmp_path: Path, where: str) -> None:
    root = repo(tmp_path)
    target = {"outside": tmp_path / "mine.py", "new": root / "out" / "r.md",
              "empty": root / "empty.md"}[where]
    if where != "new":
        target.write_bytes(b"" if where == "empty" else b"print(1)\n")
    refuse_overwrite("--output", target, root)  # no error


@pytest.mark.parametrize("fmt", ["text", "markdown", "json", "sarif", "ruff", "github"])
def test_a_report_written_before_is_written_again(tmp_path: Path, fmt: str) -> None:
    """Running the same `review --output FILE` twice (the file untracked, not ignored) is
    what users do: a report reviewloop wrote is recognised and replaced."""
    root = repo(tmp_path)
    (root / "app.py").write_text("VALUE = eval(input())\n")
    for attempt in (1, 2):
        done = review(root, "--format", fmt, "--output", "review.out", "--fail-on", "never",
                      "-q")
        assert done.returncode == 0, (attempt, done.stdout + done.stderr)
    assert holds_report((root / "review.out").read_bytes())


@pytest.mark.parametrize("flag", ["--output", "--sarif"])
def test_review_refuses_before_the_review_and_keeps_the_change(tmp_path: Path,
                                                               flag: str) -> None:
    """The report's repro: the change's own new file named as the report's path."""
    root = repo(tmp_path)
    (root / "app.py").write_text("VALUE = 1\n")
    (root / "new.py").write_text("def important():\n    return 42\n")
    done = review(root, flag, "new.py")
    assert done.returncode == 2, done.stdout + done.stderr
    said = " ".join(done.stderr.split())
    assert f"{flag} new.py would overwrite new.py" in said and "nothing was written" in said
    assert (root / "new.py").read_text() == "def important():\n    return 42\n"
    assert done.stdout == ""
