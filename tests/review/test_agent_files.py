"""An agent file that cannot be read as one is an error naming it (exit 2), whatever it
holds: JSON nested past Python's recursion limit, a key twice in one object (the last
silently won and an analyzer list vanished), a `file://` prompt whose name holds a NUL,
a prompt under `.git/` (git's config may hold a token); and `FILE://` is a file, `.JSON`
a reviewer file. Generated where the space is open: depth, bracket kind, duplicated key and
its level, the scheme's letter case, the path into `.git`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.errors import AgentDefinitionError, ExitCode
from reviewloop.review.agent_files import entries
from reviewloop.review.definitions import load_agents, load_file
from tests.support.repos import init_repo

FUNCTION_SCOPED = [HealthCheck.function_scoped_fixture]


def refused(path: Path, root: Path | None = None) -> str:
    with pytest.raises(AgentDefinitionError) as caught:
        load_file(path, origin="kiro", root=root)
    assert caught.value.exit_code == ExitCode.USAGE
    assert str(path) in str(caught.value) and "fix: " in str(caught.value)
    return str(caught.value)


@settings(max_examples=12, deadline=None, suppress_health_check=FUNCTION_SCOPED)
@given(depth=st.sampled_from((5_000, 20_000, 100_000)), bracket=st.sampled_from("[{"),
       key=st.sampled_from(("hooks", "mcpServers", "resources")))
def test_json_nested_too_deeply_is_an_error_naming_the_file(tmp_path: Path, depth, bracket,
                                                            key):
    close = "]" if bracket == "[" else "}"
    inner = '"x": ' if bracket == "{" else ""
    nested = (bracket + inner) * (depth - 1) + bracket + close * depth
    path = tmp_path / f"review-{depth}{bracket == '['}{key}.json"
    path.write_text('{"name": "review-a", "prompt": "p", "' + key + '": ' + nested + "}")
    assert "nested too deeply" in refused(path)


@settings(max_examples=30, deadline=None, suppress_health_check=FUNCTION_SCOPED)
@given(key=st.sampled_from(("name", "prompt", "reviewloop", "analyzers", "include")),
       first=st.sampled_from(('"a"', '["bandit"]', "{}", "1")))
def test_a_key_twice_in_one_object_is_an_error_naming_it(tmp_path: Path, key, first):
    path = tmp_path / "review-a.json"
    if key in ("analyzers", "include"):  # inside the reviewloop block
        text = ('{"name": "review-a", "prompt": "p", "reviewloop": {'
                f'"{key}": {first}, "{key}": []' + "}}")
    else:
        last = json.dumps("review-a" if key == "name" else "p")
        text = '{"name": "review-a", "prompt": "p", ' + f'"{key}": {first}, "{key}": {last}' + "}"
    path.write_text(text)
    assert f'key "{key}" appears twice' in refused(path)


@settings(max_examples=20, deadline=None, suppress_health_check=FUNCTION_SCOPED)
@given(scheme=st.builds(
    lambda flips: "".join(c.upper() if f else c for c, f in zip("file://", flips, strict=True)),
    st.lists(st.booleans(), min_size=7, max_size=7)))
def test_any_letter_case_of_file_names_a_prompt_file(tmp_path: Path, scheme: str):
    folder = tmp_path / scheme.replace(":", "").replace("/", "")
    folder.mkdir(exist_ok=True)
    (folder / "persona.md").write_text("Review the change for unsafe input handling.\n")
    path = folder / "review-a.json"
    path.write_text(json.dumps({"name": "review-a", "prompt": f"{scheme}persona.md"}))
    agent = load_file(path, origin="kiro", root=folder)
    assert agent.prompt == "Review the change for unsafe input handling.\n"


@pytest.mark.parametrize("name", ["a\u0000b", "\u0000", "persona.md\u0000.txt"])
def test_a_nul_in_a_prompt_file_name_is_an_error_not_a_crash(tmp_path: Path, name: str):
    path = tmp_path / "review-a.json"
    path.write_text(json.dumps({"name": "review-a", "prompt": f"file://{name}"}))
    assert 'key "prompt"' in refused(path, tmp_path) and "NUL" in refused(path, tmp_path)


@pytest.mark.parametrize("prompt", ["file://../../.git/config", "file://../../.git/HEAD",
                                    "file://../../sub/.git/info/exclude"])
def test_a_prompt_under_a_git_folder_is_never_read(tmp_path: Path, prompt: str):
    root = init_repo(tmp_path / "r", {"README.md": "x\n"})
    (root / "sub" / ".git" / "info").mkdir(parents=True)
    (root / "sub" / ".git" / "info" / "exclude").write_text("*.log\n")
    folder = root / ".kiro" / "agents"
    folder.mkdir(parents=True)
    path = folder / "review-a.json"
    path.write_text(json.dumps({"name": "review-a", "prompt": prompt}))
    assert "inside a .git folder" in refused(path, root)


@pytest.mark.parametrize("name", ["review-a.JSON", "review-a.Json", "review-a.json"])
def test_a_reviewer_file_with_an_upper_case_extension_is_read(tmp_path: Path, name: str):
    root = init_repo(tmp_path / "r", {"README.md": "x\n"})
    folder = root / ".kiro" / "agents"
    folder.mkdir(parents=True)
    (folder / name).write_text(json.dumps({"name": "review-a", "prompt": "p"}))
    assert [p.name for p in entries(folder)] == [name]
    assert "review-a" in load_agents(root).names
