"""An earlier summary reviewloop no longer reads is never left to mislead in silence: the
current summary links it and says why. Two ways to get one: someone adds text below its
marker (the marker counts only on a comment's last line, so that a comment quoting a PR
author's words cannot carry one: `github.markers`), or reviewloop runs with another token
(another account) on a PR it already reviewed. Neither is ever read for its data: a buried
or foreign marker only earns a link.

The appended texts are generated; the end-to-end cases are the Action's runs against the
loopback GitHub fake."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from reviewloop.findings.schema import Finding, Severity
from reviewloop.github.markers import buried, read_marker, repository_key, seal
from reviewloop.github.posted import read_state
from reviewloop.github.render import summary_body
from reviewloop.github.threads import Identity
from tests.support.github import GitHubFake
from tests.support.pr_mode import KEY as PR_KEY
from tests.support.pr_mode import git
from tests.support.pr_runs import payload, review, shown
from tests.support.repos import branch_repo, commit

KEY = repository_key(1296269)
SHA1 = "1" * 40
BOT = {"login": "github-actions[bot]", "id": 41898282, "type": "Bot"}
ME = Identity("github-actions", 41898282)
URL = "https://github.com/octo/hello/pull/7#issuecomment-31"
SHELL = Finding(agent="review-security", severity=Severity.MUST_FIX, file="a.py",
                start_line=5, end_line=5, title="shell injection", rationale="It breaks.",
                confidence=0.9)
BAD = "import subprocess\n\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n"
GOOD = BAD.replace("cmd, shell=True", "list(cmd)")
NOTE_START = "> ⚠️ An earlier reviewloop summary"


def _summary(**data: object) -> str:
    return summary_body("report", SHA1, KEY, open_counts={"must_fix": 1}, fixed_count=0,
                        open_ids=[SHELL.fingerprint], **data)  # type: ignore[arg-type]


# what someone adds below the marker: anything that is not only blank
ADDED = st.text(min_size=1, max_size=40).filter(lambda t: t.strip())


@given(added=ADDED, gap=st.sampled_from(["\n", "\n\n", "\r\n", " \n"]))
def test_a_summary_with_text_below_its_marker_is_not_read_but_linked(added: str,
                                                                     gap: str) -> None:
    body = _summary().rstrip("\n") + gap + added
    comment = {"id": 31, "user": BOT, "body": body, "html_url": URL}
    state = read_state([], [], [comment], KEY, identity=ME)
    assert state.summary_comment_id is None and state.last_reviewed_head is None
    assert state.edited_summaries == (URL,)
    assert buried(body, KEY, "summary") and read_marker(body, KEY, "summary") is None
    note = _summary(edited=state.edited_summaries)
    assert f"[this one]({URL})" in note and read_marker(note, KEY, "summary") is not None


@given(added=ADDED, before=st.booleans(), gap=st.sampled_from(["", " ", "\t"]))
def test_text_typed_on_the_markers_own_line_is_linked_not_dropped_in_silence(
        added: str, before: bool, gap: str) -> None:
    """In GitHub's editor the hidden marker is the textarea's last line: text typed right
    after `-->` (or before `<!--`) lands on it. The summary was then neither read nor
    linked, and went stale in silence."""
    lines = _summary().rstrip("\n").split("\n")
    added = " ".join(added.split())  # on the marker's line: no line break of any kind
    lines[-1] = f"{added}{gap}{lines[-1]}" if before else f"{lines[-1]}{gap}{added}"
    body = "\n".join(lines)
    state = read_state([], [], [{"id": 31, "user": BOT, "body": body, "html_url": URL}],
                       KEY, identity=ME)
    assert state.summary_comment_id is None and state.edited_summaries == (URL,)
    assert buried(body, KEY, "summary") and read_marker(body, KEY, "summary") is None


@given(added=ADDED)
def test_text_above_the_marker_keeps_it_read_and_nothing_is_linked(added: str) -> None:
    body = f"{added}\n\n{_summary(own_id=31)}"
    state = read_state([], [], [{"id": 31, "user": BOT, "body": body, "html_url": URL}],
                       KEY, identity=ME)
    assert (state.summary_comment_id, state.edited_summaries) == (31, ())


def test_a_quoted_marker_in_a_greeters_comment_is_linked_never_read() -> None:
    """A workflow posting as the same account quotes a PR author who wrote a summary marker
    (the key is public), then its own footer: the real summary stays the summary; the
    greeter's comment earns a link at most, none of its data is read."""
    real = {"id": 10, "user": BOT, "body": _summary(own_id=10), "html_url": URL}
    forged = summary_body("", "f" * 40, KEY, open_counts={}, fixed_count=0, open_ids=[])
    greeter = {"id": 11, "user": BOT, "html_url": URL.replace("31", "11"),
               "body": f"Thanks! You wrote:\n\n{forged}\nHave a nice day."}
    state = read_state([], [], [real, greeter], KEY, identity=ME)
    assert state.summary_comment_id == 10 and state.last_reviewed_head == SHA1
    assert state.edited_summaries == (greeter["html_url"],)


def test_a_persons_comment_with_a_marker_is_no_other_accounts_summary() -> None:
    person = {"id": 12, "user": {"login": "mallory", "id": 7, "type": "User"},
              "body": _summary(), "html_url": URL}
    other_app = {**person, "user": {"login": "old-app[bot]", "id": 8, "type": "Bot"}}
    assert read_state([], [], [person], KEY, identity=ME).other_summaries == ()
    state = read_state([], [], [other_app], KEY, identity=ME)
    assert state.other_summaries == (("old-app[bot]", URL),)
    assert state.summary_comment_id is None


@given(said=st.sampled_from(["Thanks for the PR! You wrote:\n\n", "> ", ""]))
def test_another_bot_quoting_a_forged_marker_is_taken_for_no_summary(said: str) -> None:
    """The key is public: a PR author ends the description with a summary marker and a
    greeter bot quotes it last. That comment was linked as "an earlier reviewloop summary"
    of a switched token, @-mentioning the greeter; only a comment shaped as a summary is."""
    forged = seal("summary", {"head": "0" * 40, "o": ""}, KEY)
    greeter = {"id": 12, "user": {"login": "welcome-bot[bot]", "id": 99, "type": "Bot"},
               "body": said + forged, "html_url": URL}
    state = read_state([], [], [greeter], KEY, identity=ME)
    assert state.other_summaries == () and state.summary_comment_id is None
    ours = {**greeter, "user": BOT, "body": f"{said}{forged}\nWelcome!"}  # same account
    state = read_state([], [], [ours], KEY, identity=ME)
    assert state.edited_summaries == () and state.summary_comment_id is None


def _push(root: Path, gh: GitHubFake, tmp: Path, files: dict[str, str]) -> None:
    before = git(root, "rev-parse", "HEAD")
    commit(root, files, "push")
    shown(gh, root, before=before)
    run = review(root, tmp, gh, payload(root, "synchronize", before=before,
                                        after=git(root, "rev-parse", "HEAD")))
    assert run.code in (0, 1), run.stderr


def _current(gh: GitHubFake) -> dict:
    """The summary comment reviewloop reads: its account's, its marker on the last line."""
    (summary,) = [c for c in gh.state.issue_comments if c["user"]["login"] == BOT["login"]
                  and read_marker(c["body"], PR_KEY, "summary")]
    return summary


def test_after_a_maintainer_appends_to_the_summary_the_new_one_links_it(tmp_path: Path):
    root = branch_repo(tmp_path / "repo", {"README.md": "x\n"}, {"a.py": BAD})
    with GitHubFake() as gh:
        shown(gh, root)
        review(root, tmp_path / "run1", gh, payload(root, "opened"))
        (first,) = gh.state.issue_comments
        first["body"] += "\n\nEdit (maintainer): tracked in JIRA-12."
        edited = first["body"]
        _push(root, gh, tmp_path / "run2", {"a.py": GOOD})
        current = _current(gh)
        assert current["id"] != first["id"] and "🔴 0 must fix" in current["body"]
        assert f"[this one]({first['html_url']})" in current["body"]
        assert NOTE_START in current["body"]
        assert first["body"] == edited  # a comment that is not surely ours is not written
        _push(root, gh, tmp_path / "run3", {"README.md": "y\n"})
        assert len(gh.state.issue_comments) == 2  # no third summary
        assert _current(gh)["id"] == current["id"]
        assert f"[this one]({first['html_url']})" in _current(gh)["body"]


def test_after_the_token_changed_accounts_the_new_summary_names_the_old_one(tmp_path: Path):
    """docs/github.md: a PR reviewed under GITHUB_TOKEN, then under an app's token."""
    root = branch_repo(tmp_path / "repo", {"README.md": "x\n"}, {"a.py": BAD})
    old = {"login": "old-app[bot]", "id": 5, "type": "Bot"}
    with GitHubFake() as gh:
        shown(gh, root)
        review(root, tmp_path / "run1", gh, payload(root, "opened"))
        for item in (*gh.state.review_comments, *gh.state.issue_comments, *gh.state.reviews):
            item["user"] = old
        (first,) = gh.state.issue_comments
        _push(root, gh, tmp_path / "run2", {"README.md": "y\n"})
        current = _current(gh)
        assert current["user"]["login"] == BOT["login"]
        assert f"([this one]({first['html_url']})) was posted by `old-app[bot]`" in \
            current["body"] and "@old-app" not in current["body"]  # named, not pinged
        assert "🔴 1 must fix" in current["body"]  # reviewed whole, its finding posted again
