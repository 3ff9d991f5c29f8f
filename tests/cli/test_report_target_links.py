"""A report is never written through a symlink of the repository (`cli.report_targets`): the
change under review can commit `reviewloop-report.md` (or a `reports/` folder) as a link to
`../outside/victim`, whose real path is outside the repository; `write_bytes` would follow
it. Refused, exit 2, naming the link and the fix, nothing written. And a report is
recognised by the exact shape reviewloop writes, so a user's YAML or notes file that merely
ends `verdict: …` or holds a `**Verdict:**` line is never written over. Generated
(hypothesis) over link shapes and over user files built around the old loose markers."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.cli.report_targets import holds_report, refuse_overwrite
from reviewloop.errors import ExitCode, UserInputError
from tests.support.gitutil import git
from tests.support.review_cli import repo, review

VICTIM = b"the user's file outside the repository\n"
# (the path given, the link in the repository, where the link points): the file itself a
# link, or a folder on the way, to the victim outside, to a file inside, or dangling
LINKS = [
    ("reviewloop-report.md", "reviewloop-report.md", "../outside/victim"),
    ("reviewloop-report.md", "reviewloop-report.md", "../outside/missing"),
    ("reviewloop-report.md", "reviewloop-report.md", "docs/notes.md"),
    ("reports/review.md", "reports", "../outside"),
    ("reports/deep/review.sarif", "reports", "../outside"),
    ("reports/deep/review.json", "reports/deep", "../../outside"),
    ("out.md", "out.md", "/nonexistent/abs/target"),
]


def _linked(base: Path, given: str, link: str, target: str) -> tuple[Path, Path]:
    """A repository at `base/r` whose commit holds `link` → `target`; (root, victim)."""
    root = repo(base)
    outside = base / "outside"
    outside.mkdir()
    (outside / "victim").write_bytes(VICTIM)
    (root / "docs").mkdir()
    (root / "docs" / "notes.md").write_text("# notes\n")
    (root / link).parent.mkdir(parents=True, exist_ok=True)
    os.symlink(target, root / link)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "the change under review")
    return root, outside / "victim"


@settings(max_examples=30, derandomize=True, deadline=None)
@given(shape=st.sampled_from(LINKS), flag=st.sampled_from(["--output", "--sarif"]),
       relative=st.booleans())
def test_a_report_path_through_a_link_of_the_repository_is_refused(
        shape: tuple[str, str, str], flag: str, relative: bool) -> None:
    given, link, target = shape
    with tempfile.TemporaryDirectory() as tmp:
        root, victim = _linked(Path(tmp), given, link, target)
        before = sorted(p.name for p in victim.parent.iterdir())
        path = root / given
        if relative:  # as typed from the repository's folder
            path = Path(os.path.relpath(path, Path.cwd()))
        with pytest.raises(UserInputError) as refused:
            refuse_overwrite(flag, path, root)
        said = str(refused.value)
        assert refused.value.exit_code == ExitCode.USAGE
        assert f"leads through {link}, a symlink in the repository (to {target})" in said
        assert f"give {flag} another path" in said and f"remove the link {link}" in said
        assert victim.read_bytes() == VICTIM
        assert sorted(p.name for p in victim.parent.iterdir()) == before


def test_review_refuses_the_committed_link_and_leaves_the_victim(tmp_path: Path) -> None:
    """The defect's repro, end to end: exit 2 before the review, the victim unchanged."""
    root, victim = _linked(tmp_path, "reviewloop-report.md", "reviewloop-report.md",
                           "../outside/victim")
    done = review(root, "--output", "reviewloop-report.md", "--format", "markdown")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "a symlink in the repository" in " ".join(done.stderr.split())
    assert victim.read_bytes() == VICTIM


def test_a_link_outside_the_repository_is_the_users_own(tmp_path: Path) -> None:
    root = repo(tmp_path / "in")
    (tmp_path / "real").mkdir()
    os.symlink(tmp_path / "real", tmp_path / "via")
    refuse_overwrite("--output", tmp_path / "via" / "report.md", root)  # no error
    os.symlink(tmp_path, tmp_path / "up")  # the repository reached through a link outside
    refuse_overwrite("--output", tmp_path / "up" / "in" / "r" / "new.md", root)


REPORTS = {
    "markdown": b"## Review of feature\n\n**Verdict:** clean\n\n- Files: 1 modified\n"
                b"- Tests passing: 3\n- Review rounds: 1\n",
    "markdown, LLM off": b"## Review\n\n**Verdict:** no review\n\n> \xe2\x9a\xa0\xef\xb8\x8f "
                         b"LLM off\n\n- Files: 2\n- Tests passing: not run\n",
    "json": json.dumps({"verdict": 'say "hi"', "task": {"id": "t1", "title": "x"}},
                       indent=2).encode() + b"\n",
    "sarif": b'{\n  "$schema": "https://json.schemastore.org/sarif-2.1.0.json",\n  "version": '
             b'"2.1.0",\n  "runs": [\n    {\n      "tool": {\n        "driver": {\n          '
             b'"name": "reviewloop"}}}]}\n',
    "html": b"<!DOCTYPE html>\n<html>\n<body>\n<footer>Written by reviewloop 1.0. This file "
            b"loads nothing from anywhere.</footer>\n</body>\n</html>\n",
    "ruff": b"app.py:1:1: B307 [blocking] eval\nsrc/a b.py:9:1: S101 assert\n"
            b"Found 2 findings (1 blocking: must_fix or worse).\nverdict: findings remain\n",
    "ruff, clean": b"All checks passed!\n",
    "ruff, none open": b"No open findings.\nverdict: no review\n",
    "github": b"::error file=app.py,line=1,endLine=1,title=reviewloop bandit B307::x\n"
              b"::notice::reviewloop: nothing to review\n",
}
# what users keep: each ends or starts the way the old loose check took for a report
USER_FILES = st.sampled_from([
    b"name: ci\non: push\nverdict: yes\n",
    b"# notes\n\nverdict: ship it",
    b"## Notes\n\n**Verdict:** looks fine\n\n- todo\n",
    b'{"verdict": "mine", "notes": []}\n',
    b"::error::my own annotation\n",
    b"::warning::reviewloop is great\nplain line\n",
    b"<html><footer>Written by reviewloop fans</footer></html>\n",
    b"app.py:1:1: X y\nverdict: whatever\n",
])


@pytest.mark.parametrize("fmt", sorted(REPORTS))
def test_each_format_as_reviewloop_writes_it_is_recognised(fmt: str) -> None:
    assert holds_report(REPORTS[fmt])


@settings(max_examples=200, derandomize=True, deadline=None)
@given(user=USER_FILES, extra=st.sampled_from([b"", b"more: 1\n", b"verdict: clean\n",
                                                b"\n**Verdict:** clean\n"]),
       report=st.sampled_from(sorted(REPORTS)), where=st.sampled_from(["before", "after"]))
def test_a_users_file_is_never_taken_for_a_report(user: bytes, extra: bytes, report: str,
                                                  where: str) -> None:
    """A user's file, alone, with a verdict-like line added, or with a report's text put
    into it (a notes file quoting one): none is a report."""
    assert not holds_report(user + extra)
    quoted = REPORTS[report]
    mixed = user + quoted if where == "after" else quoted + user
    if report in ("json", "sarif", "markdown", "markdown, LLM off", "html") \
            and where == "before":
        return  # a file that opens as the report does is one (notes appended to a report)
    assert not holds_report(mixed)


def test_a_links_target_is_shown_printable(tmp_path: Path) -> None:
    """The target is the repository's text: an ESC in it would recolour the terminal."""
    root, _ = _linked(tmp_path, "r.md", "r.md", "../outside/\x1b[31mred")
    with pytest.raises(UserInputError) as refused:
        refuse_overwrite("--output", root / "r.md", root)
    assert "\x1b" not in str(refused.value) and "red" in str(refused.value)
