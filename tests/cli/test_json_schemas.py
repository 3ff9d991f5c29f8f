"""Every command's --json output validates against its JSON Schema under docs/schemas/.

The commands run for real (a subprocess in a temporary git repository with a spec and a
change), and their whole stdout must parse as the JSON: messages belong on stderr.
"""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path

import click
import jsonschema
import pytest

from reviewloop.cli.app import cli
from tests.support import warm_cli
from tests.support.gitutil import git
from tests.support.paths import ROOT
from tests.support.repos import init_repo

SCHEMAS = ROOT / "docs" / "schemas"
TASKS = """\
# Implementation Plan

- [x] 1. Catalogue
  - _Requirements: 1.1_
- [ ] 2. Basket
  - _Depends: 1_
- [ ] 3. Checkout
  - _Depends: 2, 9_
- [ ] 4. Search
- [ ] Unnumbered thing
"""


def schema(name: str) -> dict:
    return json.loads((SCHEMAS / name).read_text(encoding="utf-8"))


def json_commands(group: click.Group = cli, prefix: tuple[str, ...] = ()) -> list[str]:
    """`tasks`, `tools-list`, …: every command with a --json option, named as its schema."""
    found = []
    ctx = click.Context(group)  # the group's commands as click lists them, lazy ones too
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None, name
        path = (*prefix, name)
        if any("--json" in getattr(p, "opts", ()) for p in command.params):
            found.append("-".join(path))
        if isinstance(command, click.Group):
            found += json_commands(command, path)
    return found


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = init_repo(tmp_path_factory.mktemp("schemas") / "repo", {
        ".kiro/specs/shop/tasks.md": TASKS, "app.py": "VALUE = 1\n"})
    (root / "run.py").write_text("import subprocess\nimport sys\n\n\ndef run():\n"
                                 "    return subprocess.call(sys.argv[1], shell=True)\n")
    git(root, "add", "run.py")  # staged, so --staged has something to review too
    return root


def output(root: Path, *argv: str) -> object:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}
    done = warm_cli.run(argv, root, env=env, timeout=180)
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)  # the whole stdout: nothing but the JSON


@pytest.mark.parametrize("name, argv", [
    ("tasks", ["tasks", "--json"]),
    ("plan", ["plan", "--json"]),
    ("plan", ["plan", "--format", "json", "--max", "1", "--ref", "HEAD"]),
    ("agents", ["agents", "--json"]),
    ("review", ["review", "--json"]),
    ("review", ["review", "--format", "json", "--staged"]),
    ("tools-list", ["tools", "list", "--json"]),
    ("handoff", ["handoff", "--json"]),
    ("stats", ["stats", "--json"]),
])
def test_real_output_validates_against_the_commands_schema(project: Path, name, argv):
    data = output(project, *argv)
    jsonschema.validate(data, schema(f"{name}.schema.json"),
                        cls=jsonschema.Draft202012Validator)


def test_the_outputs_carry_what_the_fixture_holds(project: Path):
    tasks = output(project, "tasks", "--json")
    assert [t["id"] for t in tasks["tasks"]] == ["1", "2", "3", "4"]
    assert any("unknown task 9" in d["message"] for d in tasks["diagnostics"])
    assert [t["task"] for t in output(project, "plan", "--json")["tasks"]] == ["2", "4"]
    review = output(project, "review", "--json")
    assert review["findings"]["remaining"] and review["llm"] is False


def test_pickup_output_validates_after_a_handoff(project: Path):
    output(project, "handoff", "--json")
    jsonschema.validate(output(project, "pickup", "--json"), schema("pickup.schema.json"),
                        cls=jsonschema.Draft202012Validator)


def test_a_schema_that_does_not_match_is_caught(project: Path):
    """The schemas are strict enough to say no: an unknown key or a wrong type fails."""
    data = output(project, "agents", "--json")
    data["agents"][0]["colour"] = "red"
    with pytest.raises(jsonschema.ValidationError, match="colour"):
        jsonschema.validate(data, schema("agents.schema.json"))
    review = output(project, "review", "--json")
    review["findings"]["remaining"][0]["severity"] = "blocker"
    with pytest.raises(jsonschema.ValidationError, match="blocker"):
        jsonschema.validate(review, schema("review.schema.json"))


def test_every_command_with_json_has_a_schema():
    commands = json_commands()
    assert {"agents", "handoff", "pickup", "plan", "review", "stats", "tasks",
            "tools-list"} <= set(commands)
    missing = [c for c in commands if not (SCHEMAS / f"{c}.schema.json").is_file()]
    assert missing == [], f"write docs/schemas/<command>.schema.json for {missing}"


@pytest.mark.parametrize("path", sorted(SCHEMAS.glob("*.schema.json")), ids=lambda p: p.name)
def test_each_schema_is_draft_2020_12_and_names_itself(path: Path):
    data = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(data)
    assert data["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert data["$id"].endswith(f"/docs/schemas/{path.name}") and data["title"]


def test_schemas_of_model_dumps_are_generated_from_the_models():
    spec = importlib.util.spec_from_file_location("schema_defs", SCHEMAS / "defs.py")
    defs = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(defs)
    assert defs.stale() == [], "run `python docs/schemas/defs.py` to regenerate them"
