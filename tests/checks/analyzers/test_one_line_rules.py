"""Several findings of one rule on one line, as the plain tools report them (ruff, bandit,
ESLint: each one a message), against reviewloop's one finding of that identity: it says how
many the tool reported there and carries their distinct messages. Generated lines of 2–5."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from itertools import count
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.findings.grouping import group, representative
from reviewloop.findings.schema import Finding
from reviewloop.review.evidence import AnalyzerReport, run_for_agent
from tests.support.analyzers import Repo, agent
from tests.support.plain_eslint import plain_eslint

_NAMES = st.lists(st.sampled_from(["path", "sep", "loads", "dumps", "sub", "match", "pi"]),
                  min_size=2, max_size=5, unique=True)
_SECRETS = st.lists(st.sampled_from(["password", "passwd", "pwd", "secret", "token",
                                     "db_password"]), min_size=2, max_size=5, unique=True)
_VALUES = st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=4, max_size=10)
_RUNS = count()
_SETTINGS = settings(derandomize=True, max_examples=4, deadline=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture])


def kept_by_line(report: AnalyzerReport, rule: str) -> dict[int, Finding]:
    """reviewloop's one finding of `rule` on each line, as the ledger keeps it."""
    assert report.errors == [] and report.missing == []
    kept = [representative(g) for g in group(f for f in report.findings if f.rule == rule)]
    assert len({f.start_line for f in kept}) == len(kept)  # one identity a line
    return {f.start_line: f for f in kept}


def said(finding: Finding) -> Counter[str]:
    return Counter([finding.title, *finding.more_here])


def plain(tool: str, root: Path, *args: str) -> list[dict]:
    done = subprocess.run([sys.executable, "-m", tool, *args], cwd=root, capture_output=True,
                          text=True, check=False, timeout=120)
    return json.loads(done.stdout)


@_SETTINGS
@given(st.lists(_NAMES, min_size=1, max_size=3))
def test_ruff_s_unused_imports_on_one_line_are_one_finding_naming_each(tmp_path, lines) -> None:
    repo = Repo(tmp_path / f"r{next(_RUNS)}")
    text = "".join(f"from pkg import {', '.join(f'{name}{n}' for name in names)}\n"
                   for n, names in enumerate(lines))
    diff = repo.change({"app.py": text})

    report = run_for_agent(agent("review-maintainability", ("ruff-maintainability",)),
                           repo.root, diff)
    tool = plain("ruff", repo.root, "check", "--no-cache", "--isolated", "--select", "F401",
                 "--output-format", "json", "app.py")

    by_line = Counter[int]()
    messages: dict[int, Counter[str]] = {}
    for hit in tool:
        row = hit["location"]["row"]
        by_line[row] += 1
        messages.setdefault(row, Counter())[hit["message"]] += 1
    kept = kept_by_line(report, "F401")
    assert sorted(kept) == sorted(by_line) == list(range(1, len(lines) + 1))
    for row, finding in kept.items():
        assert said(finding) == messages[row]
        assert f"(and {by_line[row] - 1} more on this line: " in finding.headline


@_SETTINGS
@given(st.lists(st.tuples(_SECRETS, _VALUES), min_size=1, max_size=3))
def test_bandit_s_hard_coded_passwords_on_one_line_are_one_finding_counting_each(
        tmp_path, lines) -> None:
    repo = Repo(tmp_path / f"r{next(_RUNS)}")
    text = "".join("; ".join(f'{name} = "{value}{n}"' for n, name in enumerate(names)) + "\n"
                   for names, value in lines)
    diff = repo.change({"app.py": text})

    report = run_for_agent(agent("review-security", ("bandit",)), repo.root, diff)
    tool = plain("bandit", repo.root, "-q", "-f", "json", "-t", "B105", "app.py")["results"]

    by_line = Counter(hit["line_number"] for hit in tool)
    kept = kept_by_line(report, "B105")
    assert sorted(kept) == sorted(by_line) == list(range(1, len(lines) + 1))
    for row, finding in kept.items():
        # bandit's messages quote the value, which reviewloop redacts: the count is the same
        assert sum(said(finding).values()) == by_line[row] == len(lines[row - 1][0])
        assert finding.headline.startswith(
            f"{finding.title} (and {by_line[row] - 1} more on this line")


@pytest.mark.npm
@_SETTINGS
@given(st.lists(st.lists(st.sampled_from(list("abcdefgh")), min_size=2, max_size=5,
                         unique=True), min_size=1, max_size=3))
def test_eslint_s_unused_variables_on_one_line_are_one_finding_naming_each(
        tmp_path, eslint_tools, lines) -> None:
    repo = Repo(tmp_path / f"r{next(_RUNS)}")
    text = "".join(f"let {', '.join(f'{v}{n} = {n}' for v in names)};\n"
                   for n, names in enumerate(lines))
    diff = repo.change({"app.js": text, "eslint.config.js": "export default [{rules: {"
                        '"no-unused-vars": "error"}}];\n',
                        "package.json": '{"type": "module"}\n'})

    report = run_for_agent(agent("review-maintainability", ("eslint-maintainability",)),
                           repo.root, diff)
    tool = plain_eslint(repo.root)

    messages: dict[int, Counter[str]] = {}
    for result in tool:
        for hit in result["messages"]:
            if result["filePath"] == "app.js" and hit.get("ruleId") == "no-unused-vars":
                messages.setdefault(hit["line"], Counter())[hit["message"]] += 1
    kept = kept_by_line(report, "no-unused-vars")
    assert sorted(kept) == sorted(messages) == list(range(1, len(lines) + 1))
    for row, finding in kept.items():
        assert said(finding) == messages[row]
        assert f"(and {len(lines[row - 1]) - 1} more on this line: " in finding.headline
