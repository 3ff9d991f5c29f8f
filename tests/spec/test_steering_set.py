"""The run's steering: the user's global steering beneath the project's (a project file of
the same name wins, $HOME honoured), saved once and asked for the files an agent sees."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewloop.spec.steering import global_steering_dir, load_layered
from reviewloop.spec.steering_set import SteeringSet


def write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text)
    return folder


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    write(home / ".kiro/steering", {
        "global.md": "GLOBAL\n", "style.md": "GLOBAL STYLE\n",
        "tests.md": '---\ninclusion: fileMatch\nfileMatchPattern: "tests/**/*.py"\n---\nTESTS\n'})
    monkeypatch.setenv("HOME", str(home))
    return home


def test_global_steering_lies_beneath_the_project_and_the_project_wins(
        tmp_path: Path, home: Path) -> None:
    project = write(tmp_path / "p/.kiro/steering", {"style.md": "PROJECT STYLE\n",
                                                    "api.md": "API\n"})
    assert global_steering_dir() == home / ".kiro/steering"
    files = load_layered(project)
    assert [(f.path.name, f.body.strip()) for f in files] == [
        ("api.md", "API"), ("global.md", "GLOBAL"), ("style.md", "PROJECT STYLE"),
        ("tests.md", "TESTS")]
    assert {f.path.parent for f in files} == {project, home / ".kiro/steering"}


def test_without_a_project_folder_or_a_global_one(tmp_path: Path, home: Path) -> None:
    assert [f.name for f in load_layered(None)] == ["global", "style", "tests"]
    assert load_layered(None, home=tmp_path / "nobody") == []


def test_the_saved_set_applies_file_match_to_the_files_an_agent_sees(
        tmp_path: Path, home: Path) -> None:
    project = write(tmp_path / "p/.kiro/steering", {
        "deploy.md": "---\ninclusion: manual\n---\nDEPLOY\n"})
    saved = SteeringSet.collect(project, text="ship it, see #deploy", manual=["deploy"])
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    saved.write(run_dir)
    write(project, {"deploy.md": "CHANGED LATER\n"})  # what is saved is what the run started with

    again = SteeringSet.load(run_dir)
    assert again == saved
    assert [f.name for f in again.applicable()] == ["deploy", "global", "style"]
    block = again.block(["tests/test_x.py"])
    assert block.startswith("## Steering") and "### tests.md (fileMatch)\n\nTESTS" in block
    assert "DEPLOY" in block and "CHANGED LATER" not in block
    assert SteeringSet.load(tmp_path / "older-run") == SteeringSet()  # no file: no steering
