"""CDK apps in other languages than TypeScript, without an installed app: the language told by
the `cdk.json` command, which changed files are an app's sources (a generator of trees: the
app's language × where the changed file lies × what kind it is), what keeps a Python app from
synthesizing said with its fix, and a Java, C# or Go app's changed files named as not read,
never passed in silence."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from reviewloop.checks.analyzers.base import AnalyzerContext, AnalyzerError
from reviewloop.checks.cdk.analyzers import CdkCheckov, CdkNag
from reviewloop.checks.cdk.app import find_apps
from reviewloop.checks.cdk.gate import SynthGate
from reviewloop.checks.cdk.language import (
    LANGUAGES,
    PYTHON,
    UNKNOWN,
    language_of,
    python_env,
)
from reviewloop.checks.gates.base import GateContext
from reviewloop.checks.gates.commands import ProjectTests
from reviewloop.config import Settings
from reviewloop.git.diff import parse_diff
from tests.support.repos import run_worktree, write_files

COMMANDS = {  # what `cdk init` and the aws-cdk-examples write, per language
    "npx ts-node --prefer-ts-exts bin/app.ts": "TypeScript/JavaScript",
    "node bin/app.js": "TypeScript/JavaScript",
    "npx tsx bin/app.ts": "TypeScript/JavaScript",
    "python3 app.py": "Python",
    "python app.py": "Python",
    "python3.11 app.py": "Python",
    ".venv/bin/python app.py": "Python",
    "poetry run python app.py": "Python",
    "mvn -e -q compile exec:java": "Java",
    "./gradlew run": "Java",
    "dotnet run -p src/App.csproj": "C#",
    "go mod download && go run app.go": "Go",
    "some-script": UNKNOWN.name,  # no language names it: not taken for TypeScript
}
# Rewrites of a command that leave its language as it was.
SAME: tuple[Callable[[str], str], ...] = (
    lambda c: c, lambda c: f"CDK_DEFAULT_REGION=eu-west-1 {c}", lambda c: f"  {c}  ",
    lambda c: f"cd . && {c}", lambda c: f"LAUNCHER=/usr/bin/mvn {c}")
ENTRY = {"TypeScript/JavaScript": "bin/app.ts", "Python": "app.py", "Java": "src/App.java",
         "C#": "src/Program.cs", "Go": "app.go"}
STACK = {"TypeScript/JavaScript": "lib/stack.ts", "Python": "stacks/storage.py",
         "Java": "src/Stack.java", "C#": "src/Stack.cs", "Go": "stack.go"}
COMMAND = {language: next(c for c, lang in COMMANDS.items() if lang == language)
           for language in ENTRY}


@pytest.mark.parametrize(("command", "rewrite"), list(itertools.product(COMMANDS, SAME)))
def test_the_language_is_told_by_the_program_that_starts_the_app(
        command: str, rewrite: Callable[[str], str]) -> None:
    assert language_of(rewrite(command)).name == COMMANDS[command]


def _app(root: Path, language: str, folder: str = "infra") -> None:
    at = f"{folder}/" if folder else ""
    write_files(root, {f"{at}cdk.json": json.dumps({"app": COMMAND[language]}),
                       f"{at}node_modules/.bin/cdk": "#!/bin/sh\n"})


# (where the changed file lies, relative to the app, and whether it is the app's source)
KINDS = (("entry", True), ("stack", True), ("cdk.context.json", True), ("README.md", False),
         ("other-language", False), ("outside", False), ("cdk.out", False))


def _changed(language: str, kind: str) -> str:
    other = "lambda/handler.py" if language != "Python" else "lambda/handler.ts"
    return {"entry": f"infra/{ENTRY[language]}", "stack": f"infra/{STACK[language]}",
            "cdk.context.json": "infra/cdk.context.json", "README.md": "infra/README.md",
            "other-language": f"infra/{other}", "outside": f"web/{STACK[language]}",
            "cdk.out": "infra/cdk.out/x.template.json"}[kind]


@pytest.mark.parametrize(("language", "kind"), list(itertools.product(ENTRY, KINDS)))
def test_a_changed_file_is_an_apps_source_when_its_language_writes_the_app(
        tmp_path: Path, language: str, kind: tuple[str, bool]) -> None:
    _app(tmp_path, language)
    path = _changed(language, kind[0])
    write_files(tmp_path, {path: ""})

    app = next((a for a in find_apps(tmp_path, [path]) if a.folder == "infra"), None)

    assert app is None if kind[0] == "outside" else app is not None
    assert bool(app and app.relevant([path])) is kind[1]
    assert CdkNag().claims(tmp_path, path) is kind[1]  # the infrastructure reviewer's file


def test_a_python_file_outside_any_cdk_app_stays_ordinary_python(tmp_path: Path) -> None:
    write_files(tmp_path, {"src/app.py": "print(1)\n", "stacks/storage.py": ""})

    assert find_apps(tmp_path, ["src/app.py", "stacks/storage.py"]) == []
    assert not CdkCheckov().claims(tmp_path, "src/app.py")


def test_a_python_app_without_a_cdk_cli_says_how_to_get_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    write_files(tmp_path, {"cdk.json": '{"app": "python3 app.py"}', "app.py": ""})

    (app,) = find_apps(tmp_path, ["app.py"])

    assert app.language is PYTHON
    assert "no CDK CLI for this Python app" in str(app.problem)
    assert "npm install -g aws-cdk" in str(app.problem)
    with pytest.raises(AnalyzerError, match=r"npm install -g aws-cdk.*\n\(not read: app\.py\)"):
        CdkCheckov().run(_ctx(tmp_path, ("app.py", "README.md")))


def test_a_python_app_finds_the_cdk_on_path(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    write_files(tmp_path, {"bin/cdk": "#!/bin/sh\n", "app/cdk.json": '{"app": "python3 app.py"}'})
    (tmp_path / "bin/cdk").chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))

    (app,) = [a for a in find_apps(tmp_path, ["app/app.py"]) if a.folder == "app"]

    assert app.problem is None and app.venv is None  # python3 on PATH is asked at synth


def _venv(root: Path, with_cdk: bool) -> None:
    write_files(root, {".venv/bin/python": "", ".venv/pyvenv.cfg": "home = /usr/bin\n"})
    if with_cdk:
        write_files(root, {".venv/lib/python3.11/site-packages/aws_cdk/__init__.py": ""})


@pytest.mark.parametrize("with_cdk", [True, False])
def test_a_python_apps_virtualenv_must_have_aws_cdk_lib(tmp_path: Path, with_cdk: bool) -> None:
    _app(tmp_path, "Python", folder="")
    _venv(tmp_path, with_cdk)

    (app,) = find_apps(tmp_path, ["app.py"])

    assert app.venv == (tmp_path / ".venv").resolve()
    if with_cdk:
        assert app.problem is None
    else:
        assert "has no aws-cdk-lib" in str(app.problem)
        assert "pip install -r requirements.txt" in str(app.problem)


def test_a_worktree_borrows_its_checkouts_virtualenv(tmp_path: Path) -> None:
    checkout = tmp_path / "checkout"
    _venv(checkout, with_cdk=True)
    _venv(tmp_path, with_cdk=True)  # above the checkout: no project's
    tree = run_worktree(checkout)
    _app(tree, "Python", folder="")

    assert python_env(tree) == (checkout / ".venv").resolve()
    assert python_env(tmp_path / "elsewhere") is None


def test_an_exports_app_uses_the_checkouts_virtualenv(tmp_path: Path) -> None:
    checkout, export = tmp_path / "checkout", tmp_path / "export"
    _venv(checkout / "infra", with_cdk=True)
    _app(export, "Python")

    (alone,) = [a for a in find_apps(export, ["infra/app.py"]) if a.folder == "infra"]
    (app,) = [a for a in find_apps(export, ["infra/app.py"], checkout) if a.folder == "infra"]

    assert alone.venv is None
    assert app.venv == (checkout / "infra/.venv").resolve() and app.problem is None


def _ctx(root: Path, files: tuple[str, ...]) -> AnalyzerContext:
    return AnalyzerContext(root=root, changes=parse_diff(""), diff_text="",
                           agent="review-infrastructure", files=files, tests=ProjectTests())


@pytest.mark.parametrize("language", ["Java", "C#", "Go"])
def test_an_app_reviewloop_cannot_synthesize_names_its_changed_files_as_not_read(
        tmp_path: Path, language: str) -> None:
    _app(tmp_path, language, folder="")  # the root's app: found without the diff's files
    changed = (STACK[language], ENTRY[language])
    write_files(tmp_path, dict.fromkeys(changed, ""))

    for analyzer in (CdkCheckov(), CdkNag()):
        with pytest.raises(AnalyzerError) as raised:
            analyzer.run(_ctx(tmp_path, changed))
        said = str(raised.value)
        assert f"written in {language}" in said and "not read" in said and "fix:" in said
        assert all(path in said for path in changed), said
    gate = SynthGate().run(GateContext(
        root=tmp_path, settings=Settings(), changed_files=changed, diff_text="", branch="w",
        default_branch="main", phase="implement"))
    assert gate.skipped and f"written in {language}" in gate.summary


def test_every_language_is_told_and_none_is_the_default() -> None:
    assert {lang.name for lang in LANGUAGES} == set(ENTRY)
    assert {lang.name for lang in LANGUAGES if lang.synthesized} == {"TypeScript/JavaScript",
                                                                     "Python"}
    assert language_of("") is UNKNOWN and not UNKNOWN.synthesized
