"""`reviewloop agents` and `reviewloop agents validate`: exit codes and the exact text shown."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from reviewloop.cli.app import main
from reviewloop.review.definitions import builtin_names
from tests.support.paths import FIXTURES as FIXTURES_ROOT
from tests.support.paths import ROOT

FIXTURES = FIXTURES_ROOT / "agents"
NOT_A_REVIEWER = ('not a reviewer: the name does not start with "review-" and "reviewers" '
                  "does not list it")


@pytest.fixture
def project(tmp_path, monkeypatch):
    """An empty project (its own root) as the working directory."""
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*argv: str) -> int:
    with pytest.raises(SystemExit) as info:
        main(list(argv))
    return info.value.code


def lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.splitlines()]


def table_rows(text: str) -> dict[str, list[str]]:
    """Table cells by agent name, with cells that rich wrapped onto more lines joined up."""
    rows: dict[str, list[str]] = {}
    last: list[str] = []
    for line in lines(text):
        if not line.startswith("│"):
            continue
        cells = [cell.strip() for cell in line.split("│")[1:-1]]
        if cells[0]:
            last = rows.setdefault(cells[0], cells)
        else:
            # The source column folds mid-word; the others wrap at spaces.
            last[:] = [a + ("" if i == 2 else " ") + b if b else a
                       for i, (a, b) in enumerate(zip(last, cells, strict=False))]
    return rows


def test_agents_lists_the_builtins_with_origin(project, capsys):
    assert run("agents") == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{len(builtin_names())} reviewer(s)")
    rows = table_rows(out)
    assert list(rows) == list(builtin_names())
    assert rows["review-security"] == ["review-security", "built-in", "review-security.json",
                                       "all read-only", "default",
                                       "bandit, secrets, eslint-security, shellcheck-security"]
    assert {row[1] for row in rows.values()} == {"built-in"}
    assert rows["review-test-quality"][5] == "coverage, test-changes, failing-tests"
    assert "skipped" not in out and "note:" not in out


def test_agents_shows_overrides_skipped_kiro_agents_and_notes(project, capsys):
    shutil.copytree(FIXTURES / "kiro" / "autonomous-dev-team", project, dirs_exist_ok=True)
    (project / ".kiro/agents/sec.json").write_text(
        '{"name": "review-security", "prompt": "Ours.", "tools": ["read", "shell"]}',
        encoding="utf-8")
    assert run("agents") == 0
    text = capsys.readouterr().out
    out = lines(text)
    security = table_rows(text)["review-security"]
    # no `reviewloop` block: the built-in's analyzers are kept
    assert security == ["review-security", "kiro", ".kiro/agents/sec.json", "fs_read",
                        "default", "bandit, secrets, eslint-security, shellcheck-security"]
    assert (f"skipped .kiro/agents/default.json (autonomous-dev-team): {NOT_A_REVIEWER}"
            in out)
    assert out[-1] == ('note: review-security (.kiro/agents/sec.json): ignored tool "shell": '
                       "reviewers never get write, shell or AWS tools")


def test_reviewers_setting_turns_a_kiro_agent_into_a_reviewer(project, capsys):
    shutil.copytree(FIXTURES / "kiro" / "voc-datalake", project, dirs_exist_ok=True)
    (project / ".reviewloop.toml").write_text('reviewers = ["security-reviewer"]\n',
                                              encoding="utf-8")
    assert run("agents") == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{len(builtin_names()) + 1} reviewer(s)")
    row = table_rows(out)["security-reviewer"]
    assert row == ["security-reviewer", "kiro", ".kiro/agents/security-reviewer.json",
                   "fs_read", "claude-opus-4.6", ""]


def test_configured_agents_dir_files_are_all_reviewers(project, capsys):
    shutil.copytree(FIXTURES / "custom", project / "reviewers")
    (project / ".reviewloop.toml").write_text('agents_dirs = ["reviewers"]\n', encoding="utf-8")
    assert run("agents") == 0
    rows = table_rows(capsys.readouterr().out)
    assert list(rows) == [*builtin_names(), "licence-check", "review-docs"]
    assert rows["licence-check"][1:3] == ["config dir", "reviewers/licence-check.json"]
    assert rows["review-docs"][1:4] == ["config dir", "reviewers/review-docs.json",
                                        "fs_read, grep"]


def test_unknown_reviewer_in_config_exits_2(project, capsys):
    (project / ".reviewloop.toml").write_text('reviewers = ["nobody"]\n', encoding="utf-8")
    assert run("agents") == 2
    err = capsys.readouterr().err
    assert err.startswith('error: reviewers setting: "reviewers" lists an agent that is not '
                          "defined: nobody\n  fix: use one of: review-security, ")


def test_validate_without_paths_checks_the_effective_set(project, capsys):
    shutil.copytree(FIXTURES / "kiro" / "autonomous-dev-team", project, dirs_exist_ok=True)
    assert run("agents", "validate") == 0
    out, count = lines(capsys.readouterr().out), len(builtin_names())
    assert [line.split("/")[-1] for line in out[:count]] == [f"{n}.json" for n in builtin_names()]
    assert all(line.startswith("ok ") for line in out[:count])
    assert out[count:] == [
        f"skipped .kiro/agents/default.json (autonomous-dev-team): {NOT_A_REVIEWER}"]


def test_validate_kiro_files_prints_ok_and_ignored_notes(project, capsys):
    shutil.copytree(FIXTURES / "kiro", project / "kiro")
    assert run("agents", "validate", "kiro/voc-datalake/.kiro/agents/security-reviewer.json",
               "kiro/autonomous-dev-team/.kiro/agents") == 0
    assert lines(capsys.readouterr().out) == [
        "ok kiro/voc-datalake/.kiro/agents/security-reviewer.json",
        '  note: ignored Kiro key "allowedTools": reviewloop does not use it',
        '  note: ignored Kiro key "resources": reviewloop does not use it',
        '  note: ignored Kiro key "permissions": reviewloop does not use it',
        '  note: ignored tool "thinking": not available to reviewers',
        "ok kiro/autonomous-dev-team/.kiro/agents/default.json",
        '  note: ignored Kiro key "resources": reviewloop does not use it',
        '  note: ignored Kiro key "hooks": reviewloop does not use it',
    ]


def test_validate_a_folder_checks_every_json_file(project, capsys):
    shutil.copytree(FIXTURES / "custom", project / "team")
    assert run("agents", "validate", "team") == 0
    assert lines(capsys.readouterr().out) == ["ok team/licence-check.json",
                                              "ok team/review-docs.json"]


def test_validate_the_shipped_builtins_folder(project, capsys):
    builtins = ROOT / "agents"
    assert run("agents", "validate", str(builtins)) == 0
    out = lines(capsys.readouterr().out)
    assert out == [f"ok {builtins / name}.json" for name in sorted(builtin_names())]


@pytest.mark.parametrize("name, message", [
    ("bad-json.json", "bad/bad-json.json:4:3: not valid JSON: Expecting ',' delimiter\n"
                      "  fix: correct the JSON syntax at line 4, column 3"),
    ("unknown-key.json", 'bad/unknown-key.json:4: unknown key "promt"\n'
                         '  fix: did you mean "prompt"?'),
    ("unknown-nested-key.json", 'bad/unknown-nested-key.json:5: unknown key '
                                '"reviewloop.analysers"\n'
                                '  fix: did you mean "reviewloop.analyzers"?'),
    ("wrong-type.json", 'bad/wrong-type.json:4: key "tools": must be a list of strings '
                        '(got "read")\n'
                        '  fix: write "tools" as ["fs_read", "code", "grep", "glob"]'),
    ("bad-severity.json", 'bad/bad-severity.json:5: key "reviewloop.severity_floor": must be '
                          'one of must_fix, should_fix, nit (got "critical")\n'
                          '  fix: write "reviewloop.severity_floor" as "should_fix"'),
    ("missing-prompt-file.json", 'bad/missing-prompt-file.json:3: key "prompt": prompt file '
                                 "not found: bad/prompts/nowhere.md\n"
                                 '  fix: create it, or point "prompt" at a file relative to '
                                 "bad"),
    ("empty-name.json", 'bad/empty-name.json:2: key "name": must not be empty\n'
                        '  fix: give the agent a name, e.g. "review-security"'),
    ("not-an-object.json", "bad/not-an-object.json: expected a JSON object at the top level, "
                           "got an array\n"
                           '  fix: write the agent as {"name": ..., "description": ..., '
                           '"prompt": ...}'),
])
def test_validate_malformed_file_exits_2_naming_file_and_key(project, capsys, name, message):
    (project / "bad").mkdir()
    shutil.copy(FIXTURES / "malformed" / name, project / "bad" / name)
    assert run("agents", "validate", f"bad/{name}") == 2
    captured = capsys.readouterr()
    assert captured.err == f"error: {message}\n"
    assert captured.out == ""


def test_validate_stops_at_the_first_broken_file(project, capsys):
    shutil.copytree(FIXTURES / "custom", project / "team")
    shutil.copy(FIXTURES / "malformed" / "empty-name.json", project / "team" / "a-broken.json")
    assert run("agents", "validate", "team") == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith('error: team/a-broken.json:2: key "name": must not be empty')


def test_validate_a_missing_path_exits_2(project, capsys):
    assert run("agents", "validate", "nowhere.json") == 2
    assert capsys.readouterr().err == ("error: nowhere.json: no such file or folder\n"
                                       "  fix: check the path\n")


def test_validate_a_folder_without_agent_files_exits_2(project, capsys):
    (project / "empty").mkdir()
    assert run("agents", "validate", "empty") == 2
    assert capsys.readouterr().err == (
        "error: empty: no agent files (*.json) in this folder\n"
        "  fix: pass a folder that holds agent JSON files\n")


def test_broken_kiro_reviewer_breaks_the_listing_with_exit_2(project, capsys):
    (project / ".kiro/agents").mkdir(parents=True)
    (project / ".kiro/agents/review-x.json").write_text('{"name": "review-x", "tols": []}\n',
                                                         encoding="utf-8")
    assert run("agents") == 2
    assert capsys.readouterr().err == (
        'error: .kiro/agents/review-x.json:1: unknown key "tols"\n'
        '  fix: did you mean "tools"?\n').replace(".kiro", f"{project}/.kiro", 1)


def test_python_dash_m_entry_point(project):
    (project / "bad.json").write_text('{"name": "review-a", "prompt": "p", "zz": 1}',
                                      encoding="utf-8")
    ok = subprocess.run([sys.executable, "-m", "reviewloop", "agents", "validate"],
                        capture_output=True, text=True, cwd=project, timeout=60)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.count("ok ") == len(builtin_names())
    bad = subprocess.run([sys.executable, "-m", "reviewloop", "agents", "validate", "bad.json"],
                         capture_output=True, text=True, cwd=project, timeout=60)
    assert bad.returncode == 2
    assert bad.stderr.startswith('error: bad.json:1: unknown key "zz"\n')
