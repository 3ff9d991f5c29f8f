"""A change's file names cannot put links, images, HTML or emphasis into the Markdown report,
the job summary or the pull request's summary comment. The lines that quote a name as plain
text (the verdict, "Not read by a model", escalations, gates, suppressions' places) let a
file named `www.evil.example/[Fix here](https:/evil.example).env` render as links in the
bot's own comment. GitHub's renderer itself (cmark-gfm, with GitHub's extensions) is the
judge: over generated names made of Markdown's and GitHub's link syntax, the rendered line
holds no link to a web address, no image, HTML or emphasis, reads as the name, and has no
mention, e-mail address or issue reference outside code: each word GitHub would make one of
is a code span of its own (a PR's author names its files: `@team.py` must ping no one)."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import cmarkgfm
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.git.names import printable
from reviewloop.github.markers import repository_key
from reviewloop.github.render import summary_body
from reviewloop.reports.render import plain_text
from tests.support.repos import init_repo
from tests.support.review_cli import review

PIECES = ["www.", "WWW.", "http://", "https:", "//", "ftp://", "mailto:", "xmpp:", "[", "]",
          "(", ")", "![", "<", ">", "img src=x", "a", "b", ".", "/", "*", "**", "_", "~~",
          "`", "&", "lt;", "#60;", "|", "\\", ":", " ", "evil.example", "@", "x@y.z", "#1",
          "<!--", "-->", "\n", "\u202e", "@victim", "GH-12", "gh-7", "&#64;", "#"]
# a link off the page (what phishing needs), an image (a tracking pixel), markup
LINKS = re.compile(r"<a href=\"(?:[a-z]+:/|/)|<img|<em>|<strong>|<del>|<!--|<[a-z]+ src")
# what GitHub makes a mention, an e-mail link or an issue reference of, in text
REFERENCE = re.compile(r"@\w|#\d|(?i:gh-\d)")


def gfm(markdown: str) -> str:
    return cmarkgfm.github_flavored_markdown_to_html(markdown)


def shown(rendered: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", rendered)).split())


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=12).map("".join))
def test_a_name_quoted_as_plain_text_renders_as_itself(name: str) -> None:
    rendered = gfm(f"- x {plain_text(name)} y\n")
    assert not LINKS.search(rendered), (name, rendered)
    assert shown(rendered) == " ".join(f"x {printable(name)} y".split()), (name, rendered)
    outside = html.unescape(re.sub(r"<code>.*?</code>|<[^>]+>", " ", rendered, flags=re.S))
    assert not REFERENCE.search(outside), (name, rendered)


def test_a_hostile_file_name_makes_no_link_in_the_markdown_report(tmp_path: Path) -> None:
    """A sensitive file (never sent to a model, so listed by name) in folders named as a
    link: the report, as GitHub renders it, holds no link."""
    root = init_repo(tmp_path / "r", {"README.md": "x\n"})
    name = "www.evil.example/[Fix it here](https:/evil.example)/![x](https:/t.example/p)/.env"
    (root / name).parent.mkdir(parents=True)
    (root / name).write_text("TOKEN=placeholder\n")

    done = review(root, "--format", "markdown", "--fail-on", "never")

    assert done.returncode == 0, done.stderr[-2000:]
    assert "evil.example" in done.stdout
    rendered = gfm(done.stdout)  # the report's own code spans and bold stay
    assert not re.search(r"<a href=\"(?:[a-z]+:/|/)|<img", rendered), rendered
    report = review(root, "--json", "--fail-on", "never")
    assert any(name in s for s in json.loads(report.stdout)["skipped"])  # JSON: the name


def test_a_pr_s_file_names_mention_no_one_in_the_summary_comment(tmp_path: Path) -> None:
    """A PR's author names its files: one the analyzers could not parse (the verdict's
    "not analysed" list) and one never sent to a model ("Not read by a model"), named after
    a user and an issue, ping and cross-reference no one from the summary comment."""
    root = init_repo(tmp_path / "r", {"README.md": "x\n"})
    (root / "@victim.py").write_text("def broken(:\n")
    (root / "GH-12.env").write_text("TOKEN=placeholder\n")
    (root / "@team.env").write_text("TOKEN=placeholder\n")

    done = review(root, "--format", "markdown", "--fail-on", "never")

    assert done.returncode == 0, done.stderr[-2000:]
    assert "@victim.py" in done.stdout and "GH-12.env" in done.stdout
    body = summary_body(done.stdout, "a" * 40, repository_key(1), open_counts={},
                        fixed_count=0)
    outside = html.unescape(re.sub(r"<code>.*?</code>|<pre.*?</pre>|<[^>]+>", " ",
                                   gfm(body), flags=re.S))
    assert not REFERENCE.search(outside), outside
