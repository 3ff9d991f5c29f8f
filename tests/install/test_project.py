"""`init`'s plan on real folders: what it writes, what it leaves, and that a rerun is a no-op."""

from __future__ import annotations

import itertools
import json
import re
import tomllib
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.config import load_settings
from reviewloop.errors import ConfigError, UserInputError
from reviewloop.install import project

ENTRY_KEYS = {"repo": project.HOOK_REPO, "rev": "v1.2.3", "hooks": [{"id": "reviewloop"}]}


def _plan(root: Path, **kwargs) -> dict[str, project.Change]:
    return {c.path: c for c in project.plan(root, version="1.2.3", **kwargs)}


def test_detected_gates_are_written_and_load_as_settings(tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text("[tool.pytest.ini_options]\naddopts = '-q'\n")
    (tmp_path / "tests").mkdir()
    changes = _plan(tmp_path)
    settings = changes[project.SETTINGS]
    assert settings.action == "create" and "test" in settings.note
    project.apply(tmp_path, list(changes.values()))
    parsed = tomllib.loads((tmp_path / project.SETTINGS).read_text())
    assert parsed["gates"]["test"][0].endswith("-m pytest")
    loaded = load_settings(tmp_path, flags={})
    assert loaded.gates.test == tuple(parsed["gates"]["test"])
    assert loaded.gates.build is None  # not found: left to detection, not turned off


def test_nothing_detected_leaves_both_gates_to_detection(tmp_path: Path):
    project.apply(tmp_path, project.plan(tmp_path, version="1.2.3"))
    text = (tmp_path / project.SETTINGS).read_text()
    assert "no pytest, npm, go, cargo, maven, gradle or make project found" in text
    gates = load_settings(tmp_path, flags={}).gates
    assert gates.build is None and gates.test is None


def test_workflow_is_the_shipped_template(tmp_path: Path):
    project.apply(tmp_path, project.plan(tmp_path, version="1.2.3"))
    written = (tmp_path / project.WORKFLOW).read_text()
    repo_copy = Path(__file__).resolve().parents[2] / "workflows" / "reviewloop-pr.yml"
    assert written == repo_copy.read_text()
    assert yaml.safe_load(written)["jobs"]["review"]


def test_a_second_run_changes_nothing(tmp_path: Path):
    project.apply(tmp_path, project.plan(tmp_path, version="1.2.3", pre_commit=True))
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    again = project.plan(tmp_path, version="1.2.3", pre_commit=True)
    assert [c.action for c in again] == ["keep", "keep", "keep"]
    project.apply(tmp_path, again)
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before


def test_existing_files_are_never_overwritten(tmp_path: Path):
    (tmp_path / project.SETTINGS).write_text("max_rounds = 2\n")
    workflow = tmp_path / project.WORKFLOW
    workflow.parent.mkdir(parents=True)
    workflow.write_text("name: mine\n")
    changes = _plan(tmp_path)
    assert changes[project.SETTINGS].action == "keep"
    assert changes[project.WORKFLOW].action == "keep"
    assert "--force" in changes[project.WORKFLOW].note
    project.apply(tmp_path, list(changes.values()))
    assert (tmp_path / project.SETTINGS).read_text() == "max_rounds = 2\n"
    assert workflow.read_text() == "name: mine\n"
    forced = _plan(tmp_path, force=True)[project.WORKFLOW]
    assert forced.action == "update" and forced.text == project.workflow_template()


def test_pre_commit_entry_is_appended_in_the_files_own_layout(tmp_path: Path):
    config = tmp_path / project.PRE_COMMIT
    config.write_text("# our hooks\nrepos:\n- repo: https://github.com/astral-sh/ruff-pre-commit\n"
                      "  rev: v0.6.0\n  hooks:\n  - id: ruff\n")
    change = _plan(tmp_path, pre_commit=True)[project.PRE_COMMIT]
    assert change.action == "update"
    project.apply(tmp_path, [change])
    text = config.read_text()
    assert text.startswith("# our hooks\nrepos:\n- repo: https://github.com/astral-sh/ruff")
    repos = yaml.safe_load(text)["repos"]
    assert [r["repo"] for r in repos] == ["https://github.com/astral-sh/ruff-pre-commit",
                                          project.HOOK_REPO]
    assert repos[1] == ENTRY_KEYS


def test_pre_commit_config_that_cannot_be_extended_safely_is_left_alone(tmp_path: Path):
    config = tmp_path / project.PRE_COMMIT
    config.write_text("repos:\n  - repo: local\n    hooks: []\ndefault_stages: [pre-commit]\n")
    change = _plan(tmp_path, pre_commit=True)[project.PRE_COMMIT]
    assert change.action == "keep"
    assert "add this entry yourself" in change.note and "- id: reviewloop" in change.note


@pytest.mark.parametrize("text", ["repos: []\n", "repos: [{repo: local, hooks: []}]\n",
                                  "ci: {}\nrepos:  [ ]\n"])
def test_a_flow_style_repos_list_is_named_as_such(tmp_path: Path, text: str):
    """r17 fz1 D14 (minor): `repos: []` is the last key; the note says why it is kept."""
    (tmp_path / project.PRE_COMMIT).write_text(text)
    change = _plan(tmp_path, pre_commit=True)[project.PRE_COMMIT]
    assert change.action == "keep" and "flow-style list" in change.note
    assert "not the last key" not in change.note and "- id: reviewloop" in change.note


def test_pre_commit_config_without_repos_is_reported(tmp_path: Path):
    (tmp_path / project.PRE_COMMIT).write_text(": not yaml: [\n")
    change = _plan(tmp_path, pre_commit=True)[project.PRE_COMMIT]
    assert change.action == "keep" and "no readable `repos:` list" in change.note


def test_new_pre_commit_config_parses_to_the_entry(tmp_path: Path):
    change = _plan(tmp_path, pre_commit=True)[project.PRE_COMMIT]
    assert yaml.safe_load(change.text) == {"repos": [ENTRY_KEYS]}


def test_settings_in_pyproject_are_not_shadowed_by_a_new_file(tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text("[tool.reviewloop]\nmax_rounds = 2\n")
    change = _plan(tmp_path)[project.SETTINGS]
    assert change.action == "keep" and "[tool.reviewloop]" in change.note
    project.apply(tmp_path, [change])
    assert not (tmp_path / project.SETTINGS).exists()
    assert load_settings(tmp_path, flags={}).max_rounds == 2


def test_a_command_that_needs_this_clones_virtualenv_is_not_pinned(tmp_path: Path):
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    venv_python = tmp_path / ".venv" / "bin" / "python"
    venv_python.parent.mkdir(parents=True)
    venv_python.write_text("")
    text = project.settings_text(tmp_path)
    assert '# test = [".venv/bin/python -m pytest"]' in text
    (tmp_path / project.SETTINGS).write_text(text)
    assert load_settings(tmp_path, flags={}).gates.test is None


# -- the stack: TypeScript/JavaScript, CDK, Python, mixed ------------------------------------

def _node(root: Path, lockfile: str | None = "package-lock.json", *, typescript: bool = True,
          scripts: dict | None = None) -> None:
    dev = {"typescript": "5.9.3"} if typescript else {}
    (root / "package.json").write_text(json.dumps(
        {"name": "svc", "scripts": scripts or {"test": "vitest run"}, "devDependencies": dev}))
    if typescript:
        (root / "tsconfig.json").write_text("{}")
    if lockfile:
        (root / lockfile).write_text("{}" if lockfile.endswith(".json") else "")


def _gates(root: Path) -> dict:
    project.apply(root, project.plan(root, version="1.2.3", workflow=False))
    return tomllib.loads((root / project.SETTINGS).read_text())["gates"]


def test_a_typescript_service_gets_tsc_and_its_test_script(tmp_path: Path):
    _node(tmp_path)
    change = _plan(tmp_path)[project.SETTINGS]
    assert change.note == ("TypeScript (package.json, package-lock.json → npm); "
                           "gates: build, test detected")
    assert _gates(tmp_path) == {"build": ["npx --no -- tsc --noEmit"],
                                "test": ["npm test --silent"]}
    text = (tmp_path / project.SETTINGS).read_text()
    assert "# Stack: TypeScript (package.json, package-lock.json → npm)." in text
    assert "install them here first (npm ci, …)" in text


def test_a_pnpm_javascript_package_runs_its_scripts_with_pnpm(tmp_path: Path):
    _node(tmp_path, "pnpm-lock.yaml", typescript=False,
          scripts={"build": "vite build", "test": "jest"})
    assert _gates(tmp_path) == {"build": ["pnpm run --silent build"],
                                "test": ["pnpm run --silent test"]}
    assert "# Stack: JavaScript (package.json, pnpm-lock.yaml → pnpm)." in \
        (tmp_path / project.SETTINGS).read_text()


def test_a_cdk_app_is_named_beside_its_typescript(tmp_path: Path):
    _node(tmp_path, scripts={"build": "tsc", "test": "jest"})
    (tmp_path / "cdk.json").write_text('{"app": "npx ts-node bin/app.ts"}')
    assert "TypeScript (package.json, package-lock.json → npm), AWS CDK (cdk.json)" in \
        _plan(tmp_path)[project.SETTINGS].note


def test_a_mixed_repository_gets_both_test_suites(tmp_path: Path):
    _node(tmp_path, "yarn.lock")
    (tmp_path / "pyproject.toml").write_text("[tool.pytest.ini_options]\n")
    gates = _gates(tmp_path)
    assert gates["test"] == ["python -m pytest", "yarn --silent run test"]
    assert gates["build"] == ["yarn --silent run tsc --noEmit"]
    assert "TypeScript (package.json, yarn.lock → yarn), Python (pyproject.toml)" in \
        (tmp_path / project.SETTINGS).read_text()


def test_a_mixed_repository_names_every_stack_its_gates_come_from(tmp_path: Path):
    _node(tmp_path)
    (tmp_path / "pyproject.toml").write_text("[tool.pytest.ini_options]\n")
    (tmp_path / "go.mod").write_text("module example.com/x\n")
    (tmp_path / "pom.xml").write_text("<project/>\n")
    note = _plan(tmp_path)[project.SETTINGS].note
    assert "Python (pyproject.toml), Go (go.mod), Java (pom.xml)" in note
    assert "go test ./..." in _gates(tmp_path)["test"]


@pytest.mark.parametrize(("lockfile", "command"), [
    ("uv.lock", "uv run pytest"), ("poetry.lock", "poetry run pytest"),
    ("pdm.lock", "pdm run pytest"), ("Pipfile.lock", "pipenv run pytest")])
def test_a_python_managers_lockfile_is_named_with_the_command_to_set(tmp_path: Path, lockfile,
                                                                     command):
    """The gate stays `python -m pytest` (a manager's `run` would build an environment in a
    run's worktree, offline), and init says which interpreter that is and what to set."""
    (tmp_path / "pyproject.toml").write_text("[tool.pytest.ini_options]\n")
    (tmp_path / lockfile).write_text("")
    change = _plan(tmp_path)[project.SETTINGS]
    assert f"Python (pyproject.toml, {lockfile})" in change.note
    assert f'set test = ["{command}"]' in change.note
    text = change.text or ""
    assert "# NOTE: " + lockfile in text
    comments = " ".join(line.removeprefix("#").strip() for line in text.splitlines())
    assert f'set test = ["{command}"] when' in comments
    assert _gates(tmp_path)["test"] == ["python -m pytest"]


@pytest.mark.parametrize(("where", "text"), [
    (where, text) for where, text in itertools.product(
        (".reviewloop.toml", "pyproject.toml"),
        ("gates = [\n", "gates = 1\n", "colour = 'blue'\n", "[gates]\nbuild = 'make'\n",
         "max_rounds = 'many'\n"))])
def test_kept_settings_that_do_not_load_are_an_error_not_set_up(tmp_path: Path, where, text):
    """init keeps the user's settings; kept but unloadable they are the error every later
    command would give (exit 2 naming the file), not "already set up"."""
    if where == "pyproject.toml" and not text.startswith("gates = ["):
        text = "[tool.reviewloop]\n" + text.replace("[gates]", "[tool.reviewloop.gates]")
    (tmp_path / where).write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as expected:
        load_settings(tmp_path, environ={})
    with pytest.raises(ConfigError) as caught:
        project.plan(tmp_path, version="1.2.3")
    assert str(caught.value) == str(expected.value) and where in str(caught.value.where)


@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(st.text(st.characters(blacklist_categories=["Cs"]), min_size=1,
                              max_size=40), min_size=1, max_size=4),
       taken=st.sets(st.integers(1, 4), max_size=2))
def test_force_keeps_every_replaced_workflow_and_never_overwrites_a_backup(
        tmp_path_factory: pytest.TempPathFactory, texts: list[str], taken: set[int]):
    """Any number of forced replacements, with backup names already taken: each replaced
    file is kept byte for byte under a name nothing held, and the note names it."""
    root = tmp_path_factory.mktemp("force")
    workflow = root / project.WORKFLOW
    workflow.parent.mkdir(parents=True)
    suffix = {1: "", 2: ".2", 3: ".3", 4: ".4"}
    held = {}
    for number in taken:  # the user's files of those names stay as they are
        name = f"reviewloop-pr.yml.reviewloop-backup{suffix[number]}"
        held[name] = f"held {number}\n"
        (workflow.parent / name).write_text(held[name])
    replaced = []
    for text in texts:
        if text == project.workflow_template():
            continue
        workflow.write_text(text, encoding="utf-8")
        changed = _plan(root, force=True)[project.WORKFLOW]
        assert changed.backup is not None and not (root / changed.backup).exists()
        assert f"kept as {changed.backup}" in changed.note
        project.apply(root, [changed])
        replaced.append(text)
        assert workflow.read_text(encoding="utf-8") == project.workflow_template()
    kept = {p.name: p.read_bytes().decode() for p in workflow.parent.iterdir()  # a lone \r
            if p.name != "reviewloop-pr.yml"}                                 # stays one
    assert sorted(v for k, v in kept.items() if k not in held) == sorted(replaced)
    assert {k: kept[k] for k in held} == held


@pytest.mark.parametrize("where", ["conf/reviewloop.toml", "outside.toml"])
def test_a_config_named_by_path_is_written_there_and_loads(tmp_path: Path, where: str):
    root = tmp_path / "repo"
    root.mkdir()
    (root / "Makefile").write_text("build:\n\ttrue\ntest:\n\ttrue\n")
    config = root / where if where.startswith("conf") else tmp_path / where
    changes = project.plan(root, version="1.2.3", config=config)
    project.apply(root, changes)
    assert not (root / project.SETTINGS).exists()
    assert changes[0].path == project.shown_path(root, config)
    # named as given (`typed`), else absolute: right from any folder
    assert f"`--config {config}`" in changes[0].note
    assert "`--config ../x.toml`" in project.plan(
        root, version="1.2.3", config=config.with_name("x.toml"), typed="../x.toml")[0].note
    assert load_settings(root, environ={}, config_file=config).gates.test == ("make test",)
    again = project.plan(root, version="1.2.3", config=config)[0]
    assert again.action == "keep" and "the file --config names" in again.note


def test_a_config_named_by_path_must_load_or_be_a_new_toml(tmp_path: Path):
    (tmp_path / "mine.toml").write_text("max_round = 2\n")
    with pytest.raises(ConfigError, match="max_round"):
        project.plan(tmp_path, version="1.2.3", config=tmp_path / "mine.toml")
    with pytest.raises(UserInputError, match=r"pyproject\.toml that does not exist"):
        project.plan(tmp_path, version="1.2.3", config=tmp_path / "pyproject.toml")
    (tmp_path / project.SETTINGS).write_text("max_rounds = 2\n")  # not the file named
    fresh = project.plan(tmp_path, version="1.2.3", config=tmp_path / "ci.toml")[0]
    assert fresh.action == "create" and fresh.path == "ci.toml"


LOCKFILES = {"yarn.lock": ("yarn", "# yarn lockfile v1\n"),
             "yarn.lock (berry)": ("yarn", "__metadata:\n  version: 8\n"),
             "pnpm-lock.yaml": ("pnpm", "lockfileVersion: '9.0'\n"),
             "bun.lock": ("bun", "{}\n"), "package-lock.json": ("npm", "{}\n")}


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lockfile=st.sampled_from(sorted(LOCKFILES)),
       installed=st.sets(st.sampled_from(["yarn", "pnpm", "bun", "npm", "node"])),
       scripts=st.sets(st.sampled_from(["build", "test"]), min_size=1))
def test_a_lockfiles_package_manager_not_installed_is_said_and_the_gate_kept(
        tmp_path_factory: pytest.TempPathFactory, lockfile: str, installed: set[str],
        scripts: set[str]):
    """The lockfile decides the gates' package manager, whatever is installed; when that
    program is missing from the folders programs are looked for in, the note and the file
    say so with the fix (never for npm, which comes with Node.js)."""
    root = tmp_path_factory.mktemp("node")
    programs = tmp_path_factory.mktemp("bin")
    for name in installed:
        (programs / name).write_text("#!/bin/sh\n")
        (programs / name).chmod(0o755)
    program, text = LOCKFILES[lockfile]
    _node(root, None, typescript=False, scripts=dict.fromkeys(scripts, "true"))
    (root / lockfile.split(" ")[0]).write_text(text)
    change = project.settings_change(root, path=str(programs))
    gates = tomllib.loads(change.text or "")["gates"]
    assert all(cmd.split()[0] == ("npm" if program == "npm" else program)
               for cmd in gates.get("build", []) + gates.get("test", []))
    missing = program != "npm" and program not in installed
    said = f"{program} is not installed here, and {lockfile.split(' ')[0]} says the project uses it"
    assert (said in change.note) == missing
    assert ("corepack enable" in change.note) == (missing and program in ("yarn", "pnpm"))
    comment = " ".join(line.lstrip("# ").strip() for line in (change.text or "").splitlines()
                       if line.startswith("# "))
    assert (f"NOTE: {said}" in comment) == missing


# -- the template's commented settings: each uncommented where it stands loads ---------------

# the files of the project kinds `init` detects; a draw combines some (a mixed repository)
PROJECT_FILES = {
    "pytest": {"pyproject.toml": "[tool.pytest.ini_options]\n"},
    "pytest-venv": {"pytest.ini": "[pytest]\n", ".venv/bin/python": ""},
    "make": {"Makefile": "build:\n\ttrue\ntest:\n\ttrue\n"},
    "npm-ts": {"package.json": json.dumps({"scripts": {"test": "vitest run"},
                                           "devDependencies": {"typescript": "5"}}),
               "tsconfig.json": "{}", "package-lock.json": "{}"},
    "yarn": {"package.json": json.dumps({"scripts": {"build": "vite build", "test": "jest"}}),
             "yarn.lock": ""},
    "pnpm": {"package.json": json.dumps({"scripts": {"test": "jest"}}), "pnpm-lock.yaml": ""},
    "bun": {"package.json": json.dumps({"scripts": {"test": "bun test"}}), "bun.lock": ""},
    "cdk": {"package.json": json.dumps({"scripts": {"build": "tsc"}}), "cdk.json": "{}"},
}
_COMMENTED_KEY = re.compile(r"# (?P<key>[a-z_]+) = ")


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(st.sampled_from(sorted(PROJECT_FILES)), max_size=3, unique=True))
def test_every_commented_setting_of_the_template_loads_uncommented(
        tmp_path_factory: pytest.TempPathFactory, kinds: list[str]) -> None:
    """A user turns a setting on by deleting its `# `: each commented key line of the written
    file, alone and all together, loads where it stands (the `# model = …` line once sat
    after `[gates]`, so uncommenting it gave `unknown key "gates.model"`)."""
    root = tmp_path_factory.mktemp("project")
    for kind in kinds:
        for name, text in PROJECT_FILES[kind].items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(text)
    text = project.settings_text(root, path="")  # no program installed: every NOTE written
    lines = text.splitlines(keepends=True)
    commented = [i for i, line in enumerate(lines) if _COMMENTED_KEY.match(line)]
    assert any(_COMMENTED_KEY.match(lines[i])["key"] == "model" for i in commented)
    for chosen in [[i] for i in commented] + [commented]:
        (root / project.SETTINGS).write_text("".join(
            line[2:] if i in chosen else line for i, line in enumerate(lines)))
        loaded = load_settings(root, environ={})
        for i in chosen:
            key = _COMMENTED_KEY.match(lines[i])["key"]
            owner = loaded.gates if key in ("build", "test") else loaded
            assert getattr(owner, key) is not None, (key, kinds)
