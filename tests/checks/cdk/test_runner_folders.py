"""A CDK app started through a package runner's script in another folder (`npm --prefix infra
run synth`, `yarn --cwd infra synth`, `pnpm -C infra run synth`, `bun --cwd infra run synth`):
the runner runs that folder's package.json script, so the app's language is that script's.

Before, any folder option but `.` left the language untold (`UNKNOWN`): a TypeScript app
started from the project root through its `infra` folder's script was not synthesized, its
changed files named as not read. Now the named folder's package.json is read (relative to the
app's folder, inside the tree) and its script classified; only a folder that cannot be told
(a variable, `~`, an absolute path, one outside the tree, one with no package.json) leaves it
untold.

Generated: each runner × each spelling of its folder option × where the folder is (the app's
own, a folder under it, the project root above it, a spelled-out path) and what cannot be
resolved × the script's language; the app folder's own package.json has a script of the same
name in the other language, so reading the wrong package.json is caught."""

from __future__ import annotations

import json
from pathlib import Path

from reviewloop.checks.cdk.app import find_apps
from reviewloop.checks.cdk.language import UNKNOWN, folder_scripts, language_of

SPELLINGS = {"npm": ("--prefix {}", "--prefix={}", "-C {}"),
             "yarn": ("--cwd {}", "--cwd={}"),
             "pnpm": ("-C {}", "--dir {}", "--dir={}"),
             "bun": ("--cwd {}",)}
FORMS = {"npm": "{runner} {option} run synth", "yarn": "{runner} {option} synth",
         "pnpm": "{runner} {option} run synth", "bun": "{runner} {option} run synth"}
SCRIPTS = {"Python": "python3 app.py", "TypeScript/JavaScript": "npx ts-node bin/app.ts"}
# (the app's folder in the tree, the folder option's value, the folder it names or None when
# it cannot be told which)
PLACES = (("", "infra", "infra"), ("", "./infra/", "infra"), ("", ".", ""),
          ("infra", "..", ""), ("infra", ".", "infra"), ("infra", "../infra", "infra"),
          ("infra", "lib", "infra/lib"),
          ("", "$INFRA", None), ("", "~/infra", None), ("", "/infra", None),
          ("infra", "../..", None), ("", "missing", None))


def _tree(root: Path, app: str, named: str | None, language: str) -> None:
    """Every folder with a package.json whose `synth` script is of the other language, but
    the one the option names: of `language`."""
    other = next(lang for lang in SCRIPTS if lang != language)
    for folder in ("", "infra", "infra/lib"):
        (root / folder).mkdir(parents=True, exist_ok=True)
        script = SCRIPTS[language if folder == named else other]
        (root / folder / "package.json").write_text(json.dumps({"scripts": {"synth": script}}))
    (root / "missing").mkdir()  # a folder with no package.json
    (root / app / "cdk.json").write_text("{}")


def test_a_runners_folder_option_tells_the_script_of_that_folders_package_json(
        tmp_path: Path) -> None:
    wrong = []
    cases = [(runner, spelling, place, language) for runner, spellings in SPELLINGS.items()
             for spelling in spellings for place in PLACES for language in SCRIPTS]
    for n, (runner, spelling, (app, value, named), language) in enumerate(cases):
        root = tmp_path / str(n) / "repo"
        _tree(root, app, named, language)
        command = FORMS[runner].format(runner=runner, option=spelling.format(value))
        app_dir = root / app
        said = language_of(command, json.loads((app_dir / "package.json").read_text())
                           ["scripts"], folders=folder_scripts(app_dir, root)).name
        want = UNKNOWN.name if named is None else language
        if said != want:
            wrong.append((app, command, said, want))
    assert len(cases) > 200 and not wrong, wrong


def test_a_script_in_another_folder_runs_there_for_its_own_folder_options(
        tmp_path: Path) -> None:
    """infra's script runs in infra: its own `--prefix lib` names infra/lib."""
    for language in SCRIPTS:
        root = tmp_path / language.split("/")[0] / "repo"
        _tree(root, "", "infra/lib", language)
        (root / "infra" / "package.json").write_text(json.dumps(
            {"scripts": {"synth": "npm --prefix lib run synth"}}))
        said = language_of("yarn --cwd infra synth", {"synth": "node x.js"},
                           folders=folder_scripts(root, root)).name
        assert said == language


def test_find_apps_reads_the_named_folders_script(tmp_path: Path) -> None:
    """Through `find_apps`, as a review finds the app: cdk.json at the root runs infra's."""
    root = tmp_path / "repo"
    _tree(root, "", "infra", "Python")
    (root / "cdk.json").write_text(json.dumps({"app": "npm --prefix infra run synth"}))
    (app,) = find_apps(root, ["infra/app.py"])
    assert app.language is not None and app.language.name == "Python"
