"""A credential committed as a file's name is a committed credential. The scan read added
lines only, so a file named after a GitHub token passed the secrets gate ("no secret in
added lines", exit 0). Now the name a change gives a file (added or renamed) is scanned
like a line: whatever the scan finds in a line it finds in a name. Generated: tokens of
several providers placed anywhere in a path, added, renamed or only modified."""

from __future__ import annotations

import json
import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.checks.secrets.diff_scan import scan_changes
from reviewloop.checks.secrets.scanner import scan_text
from reviewloop.git.diff import parse_diff
from tests.support.repos import feature_branch
from tests.support.review_cli import review

ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def _random(size: int, alphabet: str = ALNUM) -> st.SearchStrategy[str]:
    """Strings that look random whatever hypothesis shrinks to (a secret's entropy is part
    of what the scan checks): drawn from a seed, not character by character."""
    return st.integers(0, 2**32).map(
        lambda seed: "".join(random.Random(seed).choices(alphabet, k=size)))


def _digits(text: str) -> str:
    return "".join(str(ord(c) % 10) for c in text)


TOKENS = st.one_of(
    _random(36).map(lambda t: f"ghp_{t}"),
    _random(24).map(lambda t: f"sk_live_{t}"),
    _random(32).map(lambda t: f"glpat-{t[:20]}"),
    _random(48).map(lambda t: f"xoxb-{_digits(t[:12])}-{_digits(t[12:24])}-{t[24:]}"),
)
PLACES = st.sampled_from(("{t}", "creds/{t}", "{t}.txt", "a/b/{t}/x.py", "key-{t}.json"))


def _diff(path: str, status: str) -> str:
    """A one-file diff giving `path` the `status`: added, renamed (from `old.txt`) or
    modified in place."""
    if status == "added":
        head = f"diff --git a/{path} b/{path}\nnew file mode 100644\n--- /dev/null\n"
    elif status == "renamed":
        head = (f"diff --git a/old.txt b/{path}\nsimilarity index 50%\nrename from old.txt\n"
                f"rename to {path}\n--- a/old.txt\n")
    else:
        head = f"diff --git a/{path} b/{path}\n--- a/{path}\n"
    return f"{head}+++ b/{path}\n@@ -0,0 +1 @@\n+VALUE = 1\n"


@settings(max_examples=300, deadline=None)
@given(token=TOKENS, place=PLACES, status=st.sampled_from(("added", "renamed", "modified")))
def test_what_a_line_would_give_away_a_name_does_too(token: str, place: str,
                                                     status: str) -> None:
    as_line = {h.rule for h in scan_text(f"{token}\n")}
    assert as_line, token  # the generator makes tokens the scan knows
    path = place.format(t=token)
    hits = [h for h in scan_changes(parse_diff(_diff(path, status))) if h.path == path]
    named = {h.rule for h in hits if h.description.endswith("in the file's name")}
    if status == "modified":  # the name was there before the change: not the change's
        assert named == set(), hits
    else:
        assert as_line <= named, (path, hits)
        assert all(h.line == 1 and token not in h.preview for h in hits)


@settings(max_examples=2, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(token=TOKENS, place=PLACES)
def test_a_review_fails_the_gate_on_a_name(tmp_path_factory, token: str, place: str) -> None:
    path = place.format(t=token)
    root = feature_branch(tmp_path_factory.mktemp("r") / "r", {path: b"nothing secret\n"})
    done = review(root, "--base", "main", "--head", "feature", "--json")
    assert done.returncode == 1, done.stderr[-2000:]
    report = json.loads(done.stdout)
    assert [g["passed"] for g in report["gates"] if g["name"] == "secrets"] == [False]
    assert any(f["file"] == path and f["title"].endswith("in the file's name")
               for f in report["findings"]["remaining"]), report["findings"]["remaining"]


@settings(max_examples=100, deadline=None)
@given(names=st.lists(st.one_of(TOKENS, st.text(ALNUM + "_-", min_size=1, max_size=30)),
                      min_size=1, max_size=8, unique=True),
       folders=st.lists(st.sampled_from(("", "a/", "deep/er/")), min_size=8, max_size=8))
def test_many_names_scanned_at_once_are_each_as_alone(names: list[str],
                                                      folders: list[str]) -> None:
    """A change's new names are scanned together (one scan, not one a file): each name's
    hits are those a scan of it alone gives, on it and on no neighbour."""
    paths = [f"{folder}{name}.txt" for folder, name in zip(folders, names, strict=False)]
    hits = scan_changes(parse_diff("".join(_diff(path, "added") for path in paths)))
    for path in paths:
        named = sorted(h.rule for h in hits if h.path == path)
        assert named == sorted(h.rule for h in scan_text(path)), path
