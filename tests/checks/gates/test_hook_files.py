"""Kiro hook files read into hooks: both documented forms, as JSON and as YAML; which change
fires which hook; and a malformed file as an error naming it."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reviewloop.checks.gates import hook_files
from reviewloop.checks.gates.hook_files import (
    Event,
    FileEvents,
    load_hooks,
    parse_hook_file,
)
from reviewloop.errors import ConfigError, ExitCode
from reviewloop.git.diff import parse_diff
from reviewloop.git.repository import open_repository
from tests.support.minimatch_oracle import PATHS, REFUSED, minimatch_grid, pattern_grid
from tests.support.repos import init_repo

IDE_HOOK = {"enabled": True, "name": "lint", "description": "ruff on save", "version": "1",
            "when": {"type": "fileEdited", "patterns": ["*.py"]},
            "then": {"type": "runCommand", "command": "ruff check .", "timeout": 60}}
V1_FILE = {"version": "v1", "hooks": [
    {"name": "ts-lint", "trigger": "PostFileSave", "matcher": r"\.ts$",
     "action": {"type": "command", "command": "npm run lint"}, "timeout": 30},
    {"name": "remind", "trigger": "PreToolUse", "matcher": "fs_write",
     "action": {"type": "agent", "prompt": "Update the tests"}}]}
YAML_HOOK = """\
name: docs
when:
  type: fileCreated
  patterns: ["src/**/*.py"]
then:
  type: askAgent
  prompt: Document the new module in docs/modules.md
"""
DIFF = """\
diff --git a/app.py b/app.py
--- a/app.py
+++ b/app.py
@@ -1 +1 @@
-x = 1
+x = 2
diff --git a/src/new.py b/src/new.py
new file mode 100644
--- /dev/null
+++ b/src/new.py
@@ -0,0 +1 @@
+y = 1
diff --git a/old.ts b/old.ts
deleted file mode 100644
--- a/old.ts
+++ /dev/null
@@ -1 +0,0 @@
-z
"""


def one(path: str, document: object) -> list:
    return parse_hook_file(path, json.dumps(document).encode())


def test_the_ide_form_is_read_with_the_fields_kiro_documents():
    (hook,) = one(".kiro/hooks/lint.kiro.hook", IDE_HOOK)

    assert (hook.name, hook.trigger, hook.event, hook.action) == \
        ("lint", "fileEdited", Event.SAVED, "command")
    assert (hook.command, hook.patterns, hook.timeout) == ("ruff check .", ("*.py",), 60)


def test_the_v1_form_gives_one_hook_per_entry():
    lint, remind = one(".kiro/hooks/team.json", V1_FILE)

    assert (lint.event, lint.action, lint.matcher) == (Event.SAVED, "command", r"\.ts$")
    assert (remind.event, remind.action, remind.prompt) == (None, "agent", "Update the tests")


def test_the_yaml_form_has_the_same_keys():
    (hook,) = parse_hook_file(".kiro/hooks/docs.yaml", YAML_HOOK.encode())

    assert (hook.event, hook.action, hook.patterns) == (Event.CREATED, "agent",
                                                         ("src/**/*.py",))
    assert hook.prompt == "Document the new module in docs/modules.md"


def test_file_events_come_from_the_diff_and_fire_the_hooks_that_match():
    events = FileEvents.of(parse_diff(DIFF))
    (saved,) = one("a.kiro.hook", IDE_HOOK)
    (created,) = parse_hook_file("b.yaml", YAML_HOOK.encode())
    (deleted,) = one("c.kiro.hook", {**IDE_HOOK, "when": {"type": "fileDeleted",
                                                          "patterns": ["*.ts"]}})
    (stop,) = one("d.kiro.hook", {**IDE_HOOK, "when": {"type": "agentStop"}})
    (manual,) = one("e.kiro.hook", {**IDE_HOOK, "when": {"type": "userTriggered"}})
    (off,) = one("f.kiro.hook", {**IDE_HOOK, "enabled": False})

    # a new file is written, i.e. saved, as well as created
    assert saved.triggered_by(events) == ("app.py", "src/new.py")
    assert created.triggered_by(events) == ("src/new.py",)
    assert deleted.triggered_by(events) == ("old.ts",)
    assert [h.fires(events) for h in (saved, created, deleted, stop, manual, off)] == \
        [True, True, True, True, False, False]
    assert not saved.fires(FileEvents(saved=frozenset({"README.md"})))


@pytest.mark.parametrize(("path", "data", "message"), [
    (".kiro/hooks/a.kiro.hook", b'{"name": "a", "when": ', "not valid JSON"),
    (".kiro/hooks/b.yaml", b"when: [unclosed", "not valid YAML"),
    (".kiro/hooks/c.kiro.hook", b'["a list"]', "a hook file holds one object"),
    (".kiro/hooks/d.kiro.hook", b'{"name": "d", "then": {"type": "runCommand", '
                                b'"command": "x"}}', 'key "when": Field required'),
    (".kiro/hooks/e.kiro.hook", json.dumps({**IDE_HOOK, "then": {"type": "runCommand"}})
     .encode(), "`then.command` is missing or empty"),
    (".kiro/hooks/f.kiro.hook", json.dumps({**IDE_HOOK, "when": {"type": "fileEdited"}})
     .encode(), "a fileEdited hook needs `when.patterns`"),
    (".kiro/hooks/g.json", json.dumps({"version": "v1", "hooks": [{
        "name": "g", "trigger": "Stop", "matcher": "(", "action": {
            "type": "command", "command": "x"}}]}).encode(), "is not a regular expression"),
])
def test_a_malformed_hook_file_is_an_error_naming_it(path: str, data: bytes, message: str):
    with pytest.raises(ConfigError) as caught:
        parse_hook_file(path, data)

    assert message in str(caught.value)
    assert caught.value.where == path and caught.value.exit_code == ExitCode.USAGE
    assert caught.value.fix  # what to do about it


def test_hooks_are_read_from_the_commit_not_the_working_tree(tmp_path):
    root = init_repo(tmp_path / "r", {".kiro/hooks/lint.kiro.hook": json.dumps(IDE_HOOK),
                                      ".kiro/hooks/README.md": "not a hook\n"}, message="hooks")
    (root / ".kiro/hooks/planted.kiro.hook").write_text(json.dumps({**IDE_HOOK, "name": "x"}))
    (root / ".kiro/hooks/lint.kiro.hook").write_text("{broken")

    hooks = load_hooks(open_repository(root))

    assert [(h.name, h.file) for h in hooks] == [("lint", ".kiro/hooks/lint.kiro.hook")]


def _hook_watching(pattern: str) -> bytes:
    hook = {**IDE_HOOK, "when": {"type": "fileEdited", "patterns": [pattern]}}
    return json.dumps(hook, indent=1).encode()


@pytest.mark.npm
def test_a_hook_fires_for_exactly_the_files_kiros_minimatch_matches() -> None:
    """`**/*.{py,pyi}` (braces), `[a-z]` classes, extglobs, `!`: read as .gitignore lines,
    a brace pattern never fired and the gate said ✓ skipped."""
    patterns = pattern_grid()
    oracle = minimatch_grid(patterns, PATHS)
    events = FileEvents(saved=frozenset(PATHS))
    differ = []
    for pattern in patterns:
        (hook,) = parse_hook_file(".kiro/hooks/x.kiro.hook", _hook_watching(pattern))
        expected = tuple(sorted(f for f in PATHS if oracle[(pattern, f)]))
        if hook.triggered_by(events) != expected:
            differ.append(pattern)
    assert differ == []


@pytest.mark.parametrize("pattern", REFUSED)
def test_a_hook_pattern_kiro_would_never_fire_is_refused_naming_its_line(pattern: str) -> None:
    text = _hook_watching(pattern)
    line = next(n for n, row in enumerate(text.decode().splitlines(), start=1)
                if row.strip() == json.dumps(pattern))
    with pytest.raises(ConfigError) as caught:
        parse_hook_file(".kiro/hooks/x.kiro.hook", text)
    assert caught.value.where == f".kiro/hooks/x.kiro.hook:{line}"
    assert "never fire" in str(caught.value) and caught.value.fix


# lists of a hook's patterns: positives × `!` exclusions (`!!` is a positive, as minimatch
# reads it), every list of up to one of each from these, in a fixed product
LIST_POSITIVES = ("src/**/*.ts", "*.py", "**", "!!src/*.ts", "{src,lib}/**")
LIST_NEGATIVES = ("!**/*.test.ts", "!lib/**", "!*.py", "!!!src/b.ts", "!src/*.{ts,tsx}")


@pytest.mark.npm
def test_a_hook_with_negated_patterns_fires_for_its_files_but_the_excluded() -> None:
    """A `!` pattern in `when.patterns` excludes (wcmatch's NEGATE | NEGATEALL, globby):
    asked alone, `["src/**/*.ts", "!**/*.test.ts"]` fired for README.md (not a test) and for
    src/a.test.ts (a src .ts). Each pattern's own answer is npm minimatch's."""
    bodies = sorted({p.lstrip("!") for p in (*LIST_POSITIVES, *LIST_NEGATIVES)})
    oracle = minimatch_grid(bodies, PATHS)
    lists = [[*pos, *neg] for pos in ([], *([p] for p in LIST_POSITIVES), list(LIST_POSITIVES[:2]))
             for neg in ([], *([n] for n in LIST_NEGATIVES), list(LIST_NEGATIVES[:2]))
             if pos or neg]
    events = FileEvents(saved=frozenset(PATHS))
    differ = []
    for patterns in lists:
        hook = {**IDE_HOOK, "when": {"type": "fileEdited", "patterns": patterns}}
        (read,) = parse_hook_file(".kiro/hooks/x.kiro.hook", json.dumps(hook).encode())
        wanted = [p.lstrip("!") for p in patterns if (len(p) - len(p.lstrip("!"))) % 2 == 0]
        unwanted = [p.lstrip("!") for p in patterns if (len(p) - len(p.lstrip("!"))) % 2]
        expected = tuple(sorted(
            f for f in PATHS if (not wanted or any(oracle[(b, f)] for b in wanted))
            and not any(oracle[(b, f)] for b in unwanted)))
        if read.triggered_by(events) != expected:
            differ.append(patterns)
    assert differ == []


_TYPO = st.text(st.characters(whitelist_categories=("Lu", "Ll")), min_size=1, max_size=20)


@given(name=_TYPO, form=st.sampled_from(["ide trigger", "ide action", "v1 trigger",
                                         "v1 action"]))
def test_a_trigger_or_action_that_is_none_of_kiros_names_is_refused(name: str, form: str):
    """r17 fz1 D9: `fileEditd`, `runComand` are malformed files (exit 2 naming the key),
    not hooks skipped as "not run here"; Kiro's own names are read."""
    known = {*hook_files._TRIGGERS, *hook_files._NOT_RUN, *hook_files._ACTIONS}
    ide, v1 = json.loads(json.dumps(IDE_HOOK)), json.loads(json.dumps(V1_FILE))
    {"ide trigger": lambda: ide["when"].update(type=name),
     "ide action": lambda: ide["then"].update(type=name),
     "v1 trigger": lambda: v1["hooks"][0].update(trigger=name),
     "v1 action": lambda: v1["hooks"][0]["action"].update(type=name)}[form]()
    path = ".kiro/hooks/a.kiro.hook" if form.startswith("ide") else ".kiro/hooks/a.json"
    data = json.dumps(ide if form.startswith("ide") else v1).encode()
    if name in known:
        return
    with pytest.raises(ConfigError) as caught:
        parse_hook_file(path, data)
    key = {"ide trigger": "when.type", "ide action": "then.type", "v1 trigger": "trigger",
           "v1 action": "action.type"}[form]
    assert f"`{key}` {name!r} is not one of Kiro's" in str(caught.value)
    assert caught.value.where == path and caught.value.exit_code == ExitCode.USAGE


def test_a_misspelt_name_is_named_with_the_closest_one():
    with pytest.raises(ConfigError) as caught:
        one("a.kiro.hook", {**IDE_HOOK, "when": {"type": "fileEditd", "patterns": ["*.py"]}})
    assert "did you mean 'fileEdited'?" in caught.value.fix


def test_a_versioned_file_of_another_version_is_refused():
    with pytest.raises(ConfigError) as caught:
        parse_hook_file(".kiro/hooks/v.json", b'{"version": "v2", "hooks": []}')
    assert "'v2' is not a hook file version" in str(caught.value)


def test_a_hook_file_with_a_bom_is_read():
    (hook,) = parse_hook_file(".kiro/hooks/a.kiro.hook",
                              b"\xef\xbb\xbf" + json.dumps(IDE_HOOK).encode())
    assert hook.name == IDE_HOOK["name"]
