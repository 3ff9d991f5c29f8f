"""A value the scan finds only by reading a file as YAML (after an anchor or a string tag, in
a flow mapping, under a block scalar's header) is redacted in every text that leaves the
machine, not only in the prompt's copy of the file's diff: `redact` reads text of no kind,
so the file as a tool sends it to the model, the fixer's prompt quoting it and a pull
request comment quoting its line held the value as it is. A round with a model holds the
scan's values (`analyzer.hold_reported`), and `redact` — which the tool loop's messages and
tool results, the comments and the reports all go through — replaces them. Generated: the
placement × the key × the value."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from langchain_core.messages import HumanMessage

from reviewloop.agent.tool_loop import redacted
from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.secrets.analyzer import change_hits, hold_reported
from reviewloop.checks.secrets.known_values import hold
from reviewloop.checks.secrets.scanner import redact
from reviewloop.findings.schema import Finding, Severity
from reviewloop.fixes.fixer import fix_prompt
from reviewloop.git.diff import parse_diff
from reviewloop.github.render import safe
from tests.support.analyzers import Repo

PLACES = ["{k}: &pw {v}\n", "{k}: !!str {v}\n", "db: {{user: app, {k}: {v}}}\n",
          "db:\n  {k}: &a {v}\n  other: *a\n", "{k}: !<tag:yaml.org,2002:str> {v}\n",
          "list: [{{{k}: {v}}}]\n", "{k}: |2\n    {v}\n", "{k}: &x\n  {v}\n"]
KEYS = ["password", "api_key", "client_secret", "db_password", "token"]
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"
values = st.permutations(ALPHABET).map(lambda chars: "".join(chars[:24]) + "#9!x")


@pytest.fixture(autouse=True)
def _nothing_held():
    hold((), new_review=True)
    yield
    hold((), new_review=True)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(place=st.sampled_from(PLACES), key=st.sampled_from(KEYS), value=values)
def test_a_yaml_value_the_scan_found_is_redacted_in_every_outgoing_text(
        tmp_path_factory: pytest.TempPathFactory, place: str, key: str, value: str) -> None:
    text = "service: api\n" + place.format(k=key, v=value)
    repo = Repo(tmp_path_factory.mktemp("r"), {"app/other.txt": "x\n"})
    diff = repo.change({"config/app.yaml": text})
    ctx = AnalyzerContext(root=repo.root, changes=parse_diff(diff), diff_text=diff,
                          agent="review-security", files=("config/app.yaml",))
    assert change_hits(ctx), (place, key)  # the scan finds it: what is to be redacted

    hold_reported(ctx, new_review=True)

    finding = Finding(severity=Severity.SHOULD_FIX, file="config/app.yaml", start_line=2,
                      end_line=2, title="inline credential", confidence=0.9, agent="x",
                      rationale=f"The line `{text.splitlines()[1]}` holds it.",
                      source="llm", rule="X1")
    outgoing = {
        "file as a tool reads it": redact(text),
        "fixer prompt": str(redacted(HumanMessage(fix_prompt([finding], None, text))).content),
        "comment": safe(f"{finding.rationale}\n```yaml\n{text}```"),
    }
    assert {name: sent for name, sent in outgoing.items() if value in sent} == {}, place


@settings(max_examples=10, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(word=st.sampled_from(["postgres", "development", "administrator", "rabbitmq", "keycloak"]),
       key=st.sampled_from(["POSTGRES_PASSWORD", "password", "DB_PASS", "admin_password"]))
def test_a_value_redact_finds_on_its_line_is_not_held_for_other_texts(
        tmp_path_factory: pytest.TempPathFactory, word: str, key: str) -> None:
    """A value `redact` finds by itself (`POSTGRES_PASSWORD: postgres`) is replaced on its
    line, where its name is; held, the word was replaced in every other text too: the
    image `postgres:16`, a `postgresql://` URL, another service's user."""
    compose = (f"services:\n  db:\n    image: {word}:16\n    environment:\n"
               f"      USER: {word}\n      {key}: {word}\n")
    other = f"DATABASE_URL = '{word}ql://app@localhost/app'  # {word} user\n"
    repo = Repo(tmp_path_factory.mktemp("r"), {"x.txt": "x\n"})
    diff = repo.change({"docker-compose.yml": compose, "app/db.py": other})
    ctx = AnalyzerContext(root=repo.root, changes=parse_diff(diff), diff_text=diff,
                          agent="review-security", files=("docker-compose.yml", "app/db.py"))
    assert change_hits(ctx), (word, key)

    hold_reported(ctx, new_review=True)

    assert redact(other) == other
    assert f"image: {word}:16" in redact(compose)
    assert f"{key}: [REDACTED:" in redact(compose)
