"""`reviewloop agents` and `agents validate` on agent files that cannot be read as agents,
on wrong value types, and on analyzers nothing provides: each named, with the fix."""

from __future__ import annotations

import itertools
import json
import logging

import pytest

from reviewloop.checks.analyzers.registry import analyzers
from reviewloop.cli.app import main
from reviewloop.review.definitions import load_agents

AGENT = {"name": "review-secrets2", "description": "d", "prompt": "p",
         "reviewloop": {"analyzers": ["secrets"]}}
VALID = json.dumps(AGENT)

# ways a file in `.kiro/agents` is not an agent file at all, each as bytes
BROKEN = {
    "trailing comma": VALID[:-1].encode() + b",}",
    "truncated": VALID[:40].encode(),
    "not UTF-8": VALID.replace('"d"', '"\xe9"').encode("latin-1"),
    "an array": json.dumps([AGENT]).encode(),
    "a string": b'"review-secrets2"',
    "empty": b"",
    "BOM then a comment": b"\xef\xbb\xbf// agent\n" + VALID.encode(),
}
STEMS = ("secrets-reviewer", "helper", "Review-x", "reviewer")


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".kiro/agents").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*argv: str) -> object:
    with pytest.raises(SystemExit) as info:
        main(list(argv))
    return info.value.code


def plain_reading(raw: bytes) -> str | None:
    """What Python's own json module says of the bytes, as `json.load` users see it: the
    `line L, column C` of a syntax error, else None (it decodes, or is not UTF-8 at all)."""
    try:
        json.loads(raw.decode("utf-8-sig"))
    except json.JSONDecodeError as exc:
        return f"line {exc.lineno}, column {exc.colno}"
    except UnicodeDecodeError:
        return None
    return None


@pytest.mark.parametrize(("kind", "stem"), list(itertools.product(BROKEN, STEMS)))
def test_an_unreadable_kiro_file_is_named_not_called_a_non_reviewer(project, capsys, caplog,
                                                                    kind, stem):
    raw = BROKEN[kind]
    (project / f".kiro/agents/{stem}.json").write_bytes(raw)
    shown = f".kiro/agents/{stem}.json"
    with caplog.at_level(logging.WARNING, logger="reviewloop.review.definitions"):
        assert run("agents") == 0  # Kiro's own agents share the folder: listed, not fatal
    out = capsys.readouterr().out
    assert f"skipped {shown} ({stem}): not read, so a reviewer it defines does not run" in out
    assert "does not start with" not in out
    assert shown in caplog.text  # a review warns too
    assert run("agents", "validate") == 2
    out = capsys.readouterr().out
    assert f"error: {shown} cannot be read as an agent file" in out
    if (position := plain_reading(raw)) is not None:
        assert f"fix: correct the JSON syntax at {position}" in out
    # the same agent written as valid JSON is the reviewer it names
    (project / f".kiro/agents/{stem}.json").write_text(VALID, encoding="utf-8")
    assert "review-secrets2" in load_agents(project).names
    assert run("agents", "validate") == 0


@pytest.mark.parametrize(("entry", "stem"), list(itertools.product(
    ("dangling symlink", "folder"), ("helper", "review-l"))))
def test_an_entry_that_is_not_a_file_is_named(project, capsys, entry, stem):
    path = project / f".kiro/agents/{stem}.json"
    if entry == "folder":
        path.mkdir()
        said = "a folder, not an agent file"
    else:
        path.symlink_to("../../shared/review-l.json")
        said = "a symlink to ../../shared/review-l.json, which does not exist"
    if stem.startswith("review-"):  # a reviewer by its file name: an error, as a broken one
        assert run("agents") == 2
        assert capsys.readouterr().err.startswith(f"error: {path}: {said}\n  fix: ")
        return
    assert run("agents") == 0
    assert f"({stem}): not read, so a reviewer it defines does not run: {path}: {said}" \
        in capsys.readouterr().out
    assert run("agents", "validate") == 2
    assert run("agents", "validate", ".kiro/agents") == 2
    assert capsys.readouterr().err.startswith(f"error: .kiro/agents/{stem}.json: {said}")


# every key of the agent schema with the kind of value it takes, and wrong values of others
SCHEMA = {
    ("name",): "string", ("description",): "string", ("prompt",): "string",
    ("model",): "string", ("tools",): "list", ("reviewloop",): "object",
    ("reviewloop", "analyzers"): "list", ("reviewloop", "include"): "list",
    ("reviewloop", "exclude"): "list", ("reviewloop", "severity_floor"): "severity",
    ("reviewloop", "enabled"): "bool", ("reviewloop", "order"): "integer",
}
WRONG = {"string": "x", "integer": 3, "float": 1.5, "bool": True, "list": ["x"],
         "object": {"a": 1}}
FIX_SAYS = {"string": "a string in double quotes", "integer": "an integer without quotes",
            "bool": "true or false", "list": "[", "object": "{", "severity": '"should_fix"'}
ACCEPTS = {"string": {"string"}, "integer": {"integer"}, "bool": {"bool"}, "list": {"list"},
           "object": {"object"}, "severity": set()}


def test_the_schema_table_covers_every_key():
    from reviewloop.review.definitions import AgentFile, ReviewloopKeys

    assert {k for k in SCHEMA if len(k) == 1} == {(k,) for k in AgentFile.model_fields}
    assert {k[1] for k in SCHEMA if len(k) == 2} == set(ReviewloopKeys.model_fields)


@pytest.mark.parametrize(("keys", "wrong"), [
    (keys, wrong) for keys, kind in SCHEMA.items() for wrong in WRONG
    if wrong not in ACCEPTS[kind] and not (kind == "severity" and wrong == "string")])
def test_a_wrong_type_gets_the_fix_for_the_type_the_key_takes(project, capsys, keys, wrong):
    data = json.loads(VALID)
    (data if len(keys) == 1 else data["reviewloop"])[keys[-1]] = WRONG[wrong]
    (project / "review-x.json").write_text(json.dumps(data), encoding="utf-8")
    assert run("agents", "validate", "review-x.json") == 2
    err = capsys.readouterr().err
    dotted = ".".join(keys)
    assert f'fix: write "{dotted}" as {FIX_SAYS[SCHEMA[keys]]}' in err


KNOWN = sorted(analyzers())
UNKNOWN = ("nope", "Bandit", "secrets ", "eslint")


@pytest.mark.parametrize(("known", "unknown", "at"), list(itertools.product(
    (KNOWN[:1], KNOWN[2:5]), UNKNOWN, (0, 1))))
def test_validate_names_an_analyzer_nothing_provides(project, capsys, known, unknown, at):
    names = [*known]
    names.insert(at, unknown)
    data = {**AGENT, "reviewloop": {"analyzers": names}}
    (project / ".kiro/agents/review-x.json").write_text(json.dumps(data), encoding="utf-8")
    assert run("agents", "validate") == 2
    err = capsys.readouterr().err
    assert (f'"reviewloop.analyzers" lists an unknown analyzer "{unknown}" (entry {at + 1}, '
            "in review-secrets2)") in err
    assert f"fix: use one of: {', '.join(KNOWN)}, or install the plugin" in err
    data["reviewloop"]["analyzers"] = known
    (project / ".kiro/agents/review-x.json").write_text(json.dumps(data), encoding="utf-8")
    assert run("agents", "validate") == 0
