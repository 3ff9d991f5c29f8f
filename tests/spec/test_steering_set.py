"""The run's steering: the user's global steering beneath the project's (a project file of
the same name wins, $HOME honoured), saved once and asked for the files an agent sees."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reviewloop.errors import ConfigError, ExitCode
from reviewloop.spec.steering import global_steering_dir, load_layered
from reviewloop.spec.steering_set import (
    MAX_STEERING_CHARS,
    SteeringSet,
    cut_notices,
    render_steering,
)


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


@pytest.mark.parametrize("text, line, problem, fix", [
    ("---\ninclusion: manual\nPrivate notes, for #notes only.\n", 1,
     "front matter opened with --- is never closed",
     "close the front matter with a line holding only `---`"),
    ("---\ninclusion: sometimes\n---\nbody\n", 2, "unknown inclusion 'sometimes'",
     "correct the front matter: `inclusion: always`"),
])
def test_a_front_matter_that_cannot_be_used_is_refused_with_file_line_and_fix(
        tmp_path: Path, home: Path, text: str, line: int, problem: str, fix: str) -> None:
    project = write(tmp_path / "p/.kiro/steering", {"notes.md": text, "ok.md": "OK\n"})
    with pytest.raises(ConfigError) as caught:
        SteeringSet.collect(project)
    assert caught.value.exit_code == ExitCode.USAGE
    assert caught.value.where == f"{project / 'notes.md'}:{line}"
    assert f"steering file: {problem}" in str(caught.value)
    assert "included as" not in str(caught.value)
    assert (caught.value.fix or "").startswith(fix)


def test_a_broken_global_steering_file_is_refused_too(tmp_path: Path, home: Path) -> None:
    write(home / ".kiro/steering", {"mine.md": "---\ninclusion: always\n"})
    with pytest.raises(ConfigError) as caught:
        SteeringSet.collect(write(tmp_path / "p/.kiro/steering", {"ok.md": "OK\n"}))
    assert caught.value.where == f"{home / '.kiro/steering/mine.md'}:1"


_LINES = ("filler line", "a much longer line of rules " * 30, "x" * 9000, "")


@pytest.mark.parametrize("line", _LINES, ids=["short", "long", "one-huge-line", "empty"])
@pytest.mark.parametrize("count", [1, 200, 266, 267, 400, 900])
def test_a_steering_file_past_the_cap_is_named_with_what_is_left_out(
        tmp_path: Path, line: str, count: int) -> None:
    """A file over MAX_STEERING_CHARS was cut with a bare `…` and nothing said (fuzz12b D3):
    the run names it with the counts, and the prompt says how much is missing; what the
    prompt keeps plus what it says is left out is the whole body."""
    body = "\n".join([line] * count + ["RULE-AT-END"]).strip()
    folder = write(tmp_path / "steering", {"long.md": f"---\ninclusion: always\n---\n{body}\n"})
    files = load_layered(folder, tmp_path / "nohome")
    notices = cut_notices(files)
    block = render_steering(files)
    if len(body) <= MAX_STEERING_CHARS:
        assert notices == [] and "RULE-AT-END" in block and "left out" not in block
        return
    (notice,) = notices
    found = re.search(r"\n… \(([\d,]+) more characters of this file left out", block)
    assert found is not None
    left = int(found.group(1).replace(",", ""))
    kept = block.split("\n\n", 2)[2].rsplit("\n… (", 1)[0]
    assert len(kept) + left == len(body) and body.startswith(kept)
    assert f"long.md: {len(body):,} characters" in notice
    assert f"the last {left:,} are left out" in notice
