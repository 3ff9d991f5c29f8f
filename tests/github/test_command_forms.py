"""A `/reviewloop` line is executed only where Markdown shows it as plain text: an indented
code block, a quote and a fenced block all show an example, so none is executed; a list item
is not a command either. Generated bodies are checked against a CommonMark parser
(markdown-it-py, which rich already brings) as the oracle."""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from reviewloop.github.commands import Command, parse_command
from tests.support.github import GitHubFake
from tests.support.paths import ROOT

COMMANDS = ["/reviewloop fix", "/reviewloop review", "/reviewloop fix abcdef12",
            "/reviewloop ignore abcdef12 a constant"]
_MD = MarkdownIt("commonmark")


def _shown_as_text(body: str) -> bool:
    """Whether the body's first block is a paragraph whose first line is a `/reviewloop`
    line: what a reader sees as the command itself."""
    tokens = _MD.parse(body)
    return (len(tokens) > 1 and tokens[0].type == "paragraph_open"
            and tokens[1].content.split("\n")[0].startswith("/reviewloop"))


_spaces = st.integers(0, 3).map(" ".__mul__)
_indent = st.text(alphabet=" \t", max_size=8)  # any indentation: code from 4 columns
_quote = st.builds(lambda pad, marks: pad + "".join(marks), _spaces,
                   st.lists(st.sampled_from([">", "> ", ">\t", " >"]), min_size=1,
                            max_size=3))
_fence = st.builds(lambda pad, char, n, info, inner, close:
                   f"{pad}{char * n}{info}\n{inner}" + "{cmd}" + (f"\n{char * n}" if close
                                                                  else ""),
                   _spaces, st.sampled_from("`~"), st.integers(3, 5),
                   st.sampled_from(["", "text", " console"]), _indent, st.booleans())
_list = st.builds(lambda pad, mark, gap: pad + mark + gap, _spaces,
                  st.sampled_from(["-", "*", "+", "1.", "1)", "12."]),
                  st.sampled_from([" ", "  ", "   ", "\t"]))
_blank = st.text(alphabet=" \t", max_size=4)


@st.composite
def bodies(draw: st.DrawFn) -> str:
    """A comment: blank lines, the command in one of the forms, then ordinary text."""
    command = draw(st.sampled_from(COMMANDS))
    form = draw(st.sampled_from(["plain", "indented", "quote", "fence", "list"]))
    if form == "fence":
        line = draw(_fence).replace("{cmd}", command)
    else:
        prefix = {"plain": _spaces, "indented": _indent, "quote": _quote,
                  "list": _list}[form]
        line = draw(prefix) + command
    before = draw(st.lists(_blank, max_size=2))
    after = draw(st.sampled_from(["", "\nthanks", "\n\nplease look"]))
    return "\n".join([*before, line]) + after


@given(bodies())
def test_a_command_is_executed_exactly_when_markdown_shows_it_as_text(body: str) -> None:
    executed = isinstance(parse_command(body), Command)
    assert executed == _shown_as_text(body), repr(body)


@pytest.mark.parametrize("body", [
    "    /reviewloop fix",  # indented code
    "\t/reviewloop fix",  # a tab is four columns
    "  \t/reviewloop fix",
    " \n\n        /reviewloop fix\n",
    "> /reviewloop fix",  # quoted
    "> > /reviewloop fix",
    "   >/reviewloop fix",
    "```\n/reviewloop fix\n```",  # fenced
    "~~~ console\n/reviewloop fix",
    "- /reviewloop fix",  # a list item
    "1. /reviewloop fix",
])
def test_examples_are_not_commands(body: str) -> None:
    assert parse_command(body) is None


@pytest.mark.parametrize("body", ["/reviewloop fix", "   /reviewloop fix",
                                  "\n \t\n/reviewloop fix\nthanks"])
def test_a_plain_line_indented_less_than_a_code_block_is_a_command(body: str) -> None:
    assert parse_command(body) == Command("fix")


def _workflow(name: str) -> dict:
    return yaml.safe_load((ROOT / "workflows" / name).read_text(encoding="utf-8"))


def _gate(body: str) -> bool:
    """Whether the command workflow runs its command job for a comment's body, as GitHub
    evaluates it: the route job's condition (`startsWith` and `contains` ignore case), then
    its `Is it a command?` step, run here as the runner runs it (`shell: python`)."""
    text = (ROOT / "workflows/reviewloop-command.yml").read_text(encoding="utf-8")
    (function, word), = re.findall(
        r"(startsWith|contains)\(github\.event\.comment\.body, '([^']+)'\)", text)
    found = body.lower().startswith if function == "startsWith" else body.lower().__contains__
    if not found(word.lower()):
        return False
    step, = (s for s in _workflow("reviewloop-command.yml")["jobs"]["route"]["steps"]
             if s.get("id") == "command")
    assert step["shell"] == "python"
    with tempfile.TemporaryDirectory() as tmp:
        output = Path(tmp) / "output"
        output.touch()
        subprocess.run([sys.executable, "-c", step["run"]], check=True,
                       env={"BODY": body, "GITHUB_OUTPUT": str(output)})
        return output.read_text(encoding="utf-8") == "command=true\n"


@given(bodies(), st.sampled_from(["", "\n", "\r\n", "  ", "\u00a0", "\n\n"]))
def test_every_comment_the_parser_runs_starts_the_command_job(body: str, lead: str) -> None:
    """The workflow's gate lets through every comment the CLI would run as a command — a
    blank line or an indent first included — so no command is silently never run."""
    if isinstance(parse_command(lead + body), Command):
        assert _gate(lead + body), repr(lead + body)


@settings(max_examples=60)
@given(bodies(), st.sampled_from(["", "\n", "\r\n", "  ", "\n\n"]))
def test_a_comment_that_only_shows_a_command_starts_no_command_job(body: str,
                                                                    lead: str) -> None:
    """A quoted, fenced or indented example, or a list item, that the CLI ignores, never
    starts a command job: such a job would take a push's review's waiting place in the pull
    request's concurrency group (GitHub cancels the waiting run for the newer one)."""
    if parse_command(lead + body) is None:
        assert not _gate(lead + body), repr(lead + body)


@pytest.mark.parametrize("body", ["/reviewloop frobnicate", "/reviewloop fix zz",
                                  "/reviewloop ignore"])
def test_a_malformed_command_starts_the_job_that_answers_it(body: str) -> None:
    assert isinstance(parse_command(body), str)
    assert _gate(body)


_word = st.sampled_from(["/reviewloop", "/Reviewloop", "/ReviewLoop", "/REVIEWLOOP",
                         "/reviewloopx", "reviewloop", "/review loop", "x /reviewloop"])
_tail = st.sampled_from(["", " review", " fix abcdef", " is great, thanks", "-bot please",
                         " ignore abcdef12 why", "\tfix"])


@settings(max_examples=60)
@given(st.sampled_from(["", "\n", "  ", "\u00a0", "\t", "    "]), _word, _tail,
       st.sampled_from(["", "\nthanks"]))
def test_the_gate_and_the_parser_read_a_first_line_alike(lead: str, word: str, tail: str,
                                                          after: str) -> None:
    """The route step lets exactly the comments through that the CLI's parser answers (a
    command or a malformed one): `/Reviewloop …`, which the parser ignores, must not enter
    the pull request's concurrency group, where it would cancel a waiting review."""
    body = lead + word + tail + after
    assert _gate(body) == (parse_command(body) is not None), repr(body)


def _writer(github: GitHubFake, author: str) -> str:
    """The route job's `May the author command?` step, run as the runner runs it."""
    step, = (s for s in _workflow("reviewloop-command.yml")["jobs"]["route"]["steps"]
             if s.get("id") == "writer")
    assert step["shell"] == "python" and step["if"] == "steps.command.outputs.command == 'true'"
    with tempfile.TemporaryDirectory() as tmp:
        output = Path(tmp) / "output"
        output.touch()
        subprocess.run([sys.executable, "-c", step["run"]], check=True, timeout=120,
                       env={"GITHUB_API_URL": github.url, "GH_TOKEN": "ghs_test",
                            "REPO": "octo/tasks", "AUTHOR": author,
                            "GITHUB_OUTPUT": str(output)})
        return output.read_text(encoding="utf-8")


@pytest.mark.parametrize(("role", "outage", "writer"), [
    ("write", None, True), ("maintain", None, True), ("admin", None, True),
    ("triage", None, False), ("read", None, False), (None, None, False),
    (None, 404, False), ("write", 403, True), ("write", 502, True)])
def test_who_reaches_the_group_is_asked_of_the_permission_api(
        role: str | None, outage: int | None, writer: bool) -> None:
    """GitHub evaluates a job's `if:` before the job enters its concurrency group, and the
    route job, which every command job needs, lets a command through only when the
    permission API says its author writes — an organization member whose membership is
    private (`author_association` CONTRIBUTOR or NONE) included — so a stranger's
    `/reviewloop review` never cancels a waiting review. GitHub failing lets it through:
    the CLI's own check answers (exit 4)."""
    command = _workflow("reviewloop-command.yml")
    route = command["jobs"]["route"]
    assert "author_association" not in route["if"]
    assert route["outputs"]["command"] == ("${{ steps.command.outputs.command == 'true' && "
                                           "steps.writer.outputs.writer == 'true' }}")
    with GitHubFake() as github:
        if role is not None:
            github.permissions["private-member"] = role
        if outage is not None:
            github.outage(outage, match="/collaborators/")
        assert _writer(github, "private-member") == f"writer={str(writer).lower()}\n"
        assert github.violations == []
    for name in ("same-repo", "fork"):
        assert command["jobs"][name]["needs"] == "route"


def test_a_diff_line_command_runs_only_on_a_same_repository_pull_request() -> None:
    """GitHub runs a `pull_request_review_comment` workflow of a fork's pull request with a
    read-only token and no OIDC, and on the pull request's merge commit: such a command
    starts no job (docs/github.md, "Forks"), and every command job checks out the default
    branch whatever the event's ref."""
    command = _workflow("reviewloop-command.yml")
    gate = " ".join(command["jobs"]["route"]["if"].split())
    assert ("(github.event_name == 'issue_comment' || "
            "github.event.pull_request.head.repo.full_name == github.repository)") in gate
    for name in ("same-repo", "fork"):
        checkout, = (s for s in command["jobs"][name]["steps"]
                     if s.get("uses", "").startswith("actions/checkout@"))
        assert checkout["with"]["ref"] == "${{ github.event.repository.default_branch }}"
        assert checkout["with"]["persist-credentials"] is False


def test_a_command_and_a_pushs_review_share_one_group_and_neither_cancels_the_other() -> None:
    """docs/github-action.md, "Two runs at once": the command jobs and the PR workflow wait
    in the pull request's one group; none cancels a run in progress (a push would kill a
    running `/reviewloop fix`), and the route job, which only reads, is outside it."""
    pr, command = _workflow("reviewloop-pr.yml"), _workflow("reviewloop-command.yml")
    groups = {pr["concurrency"]["group"].replace("github.event.pull_request.number",
                                                 "NUMBER")}
    for name in ("same-repo", "fork"):
        job = command["jobs"][name]
        assert job["concurrency"]["cancel-in-progress"] is False
        assert "needs.route.outputs.command == 'true'" in job["if"]
        groups.add(job["concurrency"]["group"].replace(
            "github.event.issue.number || github.event.pull_request.number", "NUMBER"))
    assert groups == {"reviewloop-pr-${{ NUMBER }}"}
    assert pr["concurrency"]["cancel-in-progress"] is False
    assert "concurrency" not in command and "concurrency" not in command["jobs"]["route"]
