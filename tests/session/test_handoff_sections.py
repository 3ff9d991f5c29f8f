"""The handoff's key files grouped by area, its deployed resources and live URLs read from
outputs files, and `handoff --learn` keeping the session's learnings in steering."""

from __future__ import annotations

import json

import pytest

from reviewloop.session import memory
from reviewloop.spec.steering import Inclusion, load_steering
from tests.support.cli_main import run_cli
from tests.support.repos import commit, init_repo

API_URL = "https://abc123.execute-api.us-east-1.amazonaws.com/prod/"
TOKEN = "ghp_" + "Z" * 6 + "k3Jq9vX2mN8pL4rT7wY1bC5dF0gH6s"  # a GitHub token's shape


@pytest.fixture
def repo(tmp_path, monkeypatch):
    root = init_repo(tmp_path / "repo", {"README.md": "# app\n"})
    monkeypatch.chdir(root)
    return root.resolve()


def _section(text: str, title: str) -> list[str]:
    body = text.split(f"## {title}\n\n", 1)[1].split("\n## ", 1)[0]
    return body.rstrip("\n").splitlines()


def test_key_files_are_grouped_by_area_root_last(repo, capsys):
    commit(repo, {"src/api/routes/todos.py": "x = 1\n", "src/api/app.py": "y = 2\n",
                  "tests/test_todos.py": "z = 3\n", "pyproject.toml": "[project]\n"}, "work")
    (repo / "docs").mkdir()
    (repo / "docs/api.md").write_text("draft\n")  # uncommitted: touched all the same
    assert run_cli(capsys, "handoff")[0] == 0
    lines = _section((repo / ".reviewloop/handoff.md").read_text(), "Key files touched")
    assert lines[lines.index("- **docs**") + 1] == "  - `docs/api.md`"
    api = lines.index("- **src/api**")
    assert sorted(lines[api + 1:api + 3]) == ["  - `src/api/app.py`",
                                               "  - `src/api/routes/todos.py`"]
    assert "- **tests**" in lines
    assert lines[lines.index("- **project root**"):] == [
        "- **project root**", "  - `pyproject.toml`", "  - `README.md`"]


def _cdk_out(root) -> None:
    folder = root / "cdk.out"
    folder.mkdir()
    (folder / "manifest.json").write_text(json.dumps({"version": "36.0.0", "artifacts": {
        "TodoStack": {"type": "aws:cloudformation:stack",
                      "environment": "aws://123456789012/us-east-1",
                      "properties": {"templateFile": "TodoStack.template.json"}},
        "Tree": {"type": "cdk:tree", "properties": {"file": "tree.json"}}}}))
    (folder / "TodoStack.template.json").write_text(json.dumps(
        {"Resources": {}, "Outputs": {"ApiUrl": {"Value": {"Ref": "Api"}}}}))


def test_deployed_resources_and_live_urls_from_cdk_and_terraform(repo, capsys):
    (repo / "cdk-outputs.json").write_text(json.dumps(
        {"TodoStack": {"ApiUrl": API_URL, "TableName": "todo-table", "Token": TOKEN}}))
    (repo / "terraform-outputs.json").write_text(json.dumps({
        "site_url": {"sensitive": False, "type": "string", "value": "https://todo.example.com"},
        "db_password": {"sensitive": True, "type": "string", "value": "hunter2-secret"},
        "subnets": {"sensitive": False, "type": ["list", "string"], "value": ["a", "b"]}}))
    _cdk_out(repo)
    code, out, _ = run_cli(capsys, "handoff", "--json")
    assert code == 0 and "hunter2" not in out and TOKEN not in out
    text = (repo / ".reviewloop/handoff.md").read_text()
    lines = _section(text, "Deployed resources and live URLs")
    assert "- TodoStack.TableName = todo-table (CDK stack output, `cdk-outputs.json`)" in lines
    assert ("- TodoStack = aws://123456789012/us-east-1; outputs: ApiUrl "
            "(CDK stack (synthesized, not deployed), `cdk.out`)") in lines
    assert ("- db_password = (sensitive: not shown) (Terraform output, "
            "`terraform-outputs.json`)") in lines
    assert '- subnets = ["a", "b"] (Terraform output, `terraform-outputs.json`)' in lines
    urls = lines[lines.index("Live URLs:") + 2:]
    assert urls == [f"- TodoStack.ApiUrl: <{API_URL}> (`cdk-outputs.json`)",
                    "- site_url: <https://todo.example.com> (`terraform-outputs.json`)"]
    token_line = next(line for line in lines if line.startswith("- TodoStack.Token = "))
    assert "REDACTED" in token_line
    assert "hunter2" not in text and TOKEN not in text


def test_the_source_is_configurable_and_a_missing_one_is_named(repo, capsys):
    (repo / "infra").mkdir()
    (repo / "infra/tf.json").write_text(json.dumps(
        {"url": {"sensitive": False, "value": "https://staging.example.com"}}))
    (repo / "cdk-outputs.json").write_text(json.dumps({"Other": {"Url": "https://x.example"}}))
    (repo / ".reviewloop.toml").write_text('handoff_outputs = ["infra/tf.json", "gone.json"]\n')
    assert run_cli(capsys, "handoff")[0] == 0
    lines = _section((repo / ".reviewloop/handoff.md").read_text(),
                     "Deployed resources and live URLs")
    assert lines == ["Live URLs:", "", "- url: <https://staging.example.com> (`infra/tf.json`)",
                     "- could not read gone.json: not found (configured in handoff_outputs)"]
    assert run_cli(capsys, "handoff", "--outputs", "cdk-outputs.json")[0] == 0  # the flag wins
    text = (repo / ".reviewloop/handoff.md").read_text()
    assert "- Other.Url: <https://x.example> (`cdk-outputs.json`)" in text
    assert "staging" not in text


def test_no_outputs_says_where_it_looked(repo, capsys):
    assert run_cli(capsys, "handoff")[0] == 0
    lines = _section((repo / ".reviewloop/handoff.md").read_text(),
                     "Deployed resources and live URLs")
    assert lines[0].startswith("- none found (outputs files read: `handoff_outputs`")


def test_an_outputs_file_that_is_not_one_is_reported_not_fatal(repo, capsys):
    (repo / "cdk-outputs.json").write_text("[1, 2]")
    assert run_cli(capsys, "handoff")[0] == 0
    text = (repo / ".reviewloop/handoff.md").read_text()
    assert "- could not read cdk-outputs.json: not an outputs file reviewloop reads" in text


def test_learn_appends_decisions_and_preferences_to_steering_memory_once(repo, capsys):
    run_cli(capsys, "note", "chose SQLite over Postgres: one user, no server")
    run_cli(capsys, "note", "--preference", "small commits")
    code, _, err = run_cli(capsys, "handoff")
    assert code == 0 and not (repo / memory.MEMORY_MD).exists()  # only when asked
    code, _, err = run_cli(capsys, "handoff", "--learn")
    assert code == 0 and f"learned: 2 new line(s) in {memory.MEMORY_MD}" in err
    text = (repo / memory.MEMORY_MD).read_text()
    assert text.startswith("---\ninclusion: always\n---\n")
    assert text.endswith(": chose SQLite over Postgres: one user, no server\n"
                         "- Preference: small commits\n")
    code, out, _ = run_cli(capsys, "handoff", "--learn", "--json")
    assert json.loads(out)["learned"] == []  # the preference again: already there
    assert (repo / memory.MEMORY_MD).read_text() == text
    steering = {s.name: s for s in load_steering(repo / ".kiro/steering")}
    assert steering["memory"].inclusion is Inclusion.ALWAYS
    assert "small commits" in steering["memory"].body


def test_learn_keeps_what_memory_already_says(repo, capsys):
    (repo / ".kiro/steering").mkdir(parents=True)
    (repo / memory.MEMORY_MD).write_text("# Memory\n\n- 2026-01-02: chose a dict")
    run_cli(capsys, "note", "chose a dict")
    run_cli(capsys, "note", "tests first")
    assert run_cli(capsys, "handoff", "--learn")[0] == 0
    lines = (repo / memory.MEMORY_MD).read_text().splitlines()
    assert lines[:3] == ["# Memory", "", "- 2026-01-02: chose a dict"]
    assert len(lines) == 4 and lines[3].endswith(": tests first")


def test_learn_refuses_a_symlinked_steering_folder(repo, capsys, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (repo / ".kiro").mkdir()
    (repo / ".kiro/steering").symlink_to(outside)
    run_cli(capsys, "note", "chose a dict")
    code, _, err = run_cli(capsys, "handoff", "--learn")
    assert code == 2 and ".kiro/steering" in err
    assert list(outside.iterdir()) == []
