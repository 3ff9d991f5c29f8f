"""A Serverless service whose `${file(…)}` references reach more files than reviewloop follows
(`serverless_files.MAX_FOLLOWED`) names the changed files it may not have read in full:
before, the references past the bound were dropped and the review said complete.

Generated (hypothesis, `serverless_files.related` on a real tree, no checkov): the number of
files reached around the bound (one under it, at it, one and several past it), their shape (a
chain, each file referencing the next, or a fan-out from the service file), which file the
change touches (the service file itself, or a referenced file read by an unchanged service)
and where (the first file or the last). A changed service file is named exactly when it
reaches more than the bound, and a changed referenced file exactly when it is past the bound
(a file the service does read is not, nor is a file of another service). One real review
shows the name in the verdict.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.checks.analyzers.serverless_files import MAX_FOLLOWED, related
from reviewloop.git.diff import parse_diff
from tests.support.gitutil import git
from tests.support.repos import commit, init_repo
from tests.support.review_cli import review

STATEMENT = "- Effect: Allow\n  Action: ['s3:GetObject']\n  Resource: '*'\n"


def _tree(count: int, chain: bool) -> dict[str, str]:
    """A service file whose references reach `count` files under conf/ (a reference in a
    referenced file is resolved from the service file's folder, as checkov resolves it)."""
    refs = [f"conf/f{i}.yml" for i in range(count)]
    head = refs[:1] if chain else refs
    files = {"serverless.yml": "service: s\nprovider:\n  name: aws\n  runtime: python3.11\n"
             + "".join(f"  x{i}: ${{file(./{r})}}\n" for i, r in enumerate(head))
             + "functions:\n  f:\n    handler: h.main\n"}
    for i, ref in enumerate(refs):
        after = f"next: ${{file(./conf/f{i + 1}.yml)}}\n" if chain and i + 1 < count else ""
        files[ref] = f"statements:\n{STATEMENT}{after}".replace("- Effect", "  - Effect")
    return files


@settings(max_examples=24, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(count=st.sampled_from((MAX_FOLLOWED - 1, MAX_FOLLOWED, MAX_FOLLOWED + 1,
                              MAX_FOLLOWED + 5)),
       chain=st.booleans(), touched=st.sampled_from(("service", "first", "last")))
def test_a_changed_file_past_the_bound_is_named(tmp_path_factory: pytest.TempPathFactory,
                                                count: int, chain: bool, touched: str) -> None:
    files = _tree(count, chain)
    root = init_repo(tmp_path_factory.mktemp("s") / "r", files)
    path = {"service": "serverless.yml", "first": "conf/f0.yml",
            "last": f"conf/f{count - 1}.yml"}[touched]
    git(root, "checkout", "-qb", "feature")
    commit(root, {path: files[path] + "# changed\n"}, "the change")
    found = related(root, parse_diff(git(root, "diff", "main", "feature")), [path])
    # the service itself past the bound, or a file it reaches past the bound; never one of
    # the files it does read
    past = count > MAX_FOLLOWED and touched != "first"
    assert (path in found.partial) == past, (count, chain, touched, found.partial)
    if past:
        assert f"more than {MAX_FOLLOWED} files" in found.partial[path]
        assert "serverless.yml" in found.partial[path]


@pytest.mark.pypi
def test_the_review_names_a_service_file_whose_references_pass_the_bound(
        tmp_path: Path, iac_env: Path) -> None:
    files = _tree(MAX_FOLLOWED + 2, chain=False)
    root = init_repo(tmp_path / "r", files)
    git(root, "checkout", "-qb", "feature")
    commit(root, {"serverless.yml": files["serverless.yml"] + "# changed\n"}, "the change")
    done = review(root, "--base", "main", "--head", "feature", "--fail-on", "never", "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    (row,) = [r for r in report["health"]["files"] if r["path"] == "serverless.yml"]
    assert any(f"more than {MAX_FOLLOWED} files" in why for why in row["not_read"]), row
    assert report["health"]["complete"] is False


def test_a_service_past_the_bound_names_only_what_it_reads_past_it(tmp_path: Path) -> None:
    """Another service's files, and the files a big service does read, are not named."""
    count = MAX_FOLLOWED + 6
    big = {f"big/{p}": t for p, t in _tree(count, chain=False).items()}
    small = {"small/serverless.yml": "service: s\nprovider:\n  name: aws\n"
             "  x: ${file(./a.yml)}\n", "small/a.yml": "a: 1\n"}
    root = init_repo(tmp_path / "r", {**big, **small})
    git(root, "checkout", "-qb", "feature")
    edits = ("small/a.yml", "big/conf/f1.yml", f"big/conf/f{count - 1}.yml")
    commit(root, {p: (big | small)[p] + "# changed\n" for p in edits}, "the change")
    found = related(root, parse_diff(git(root, "diff", "main", "feature")), list(edits))
    assert set(found.partial) == {f"big/conf/f{count - 1}.yml"}, found.partial
    assert "big/serverless.yml" in found.partial[f"big/conf/f{count - 1}.yml"]
