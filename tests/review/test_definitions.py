"""Agent definitions: the file format, Kiro compatibility, tool mapping, sources and overrides."""

from __future__ import annotations

import json
import logging
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.errors import AgentDefinitionError, ExitCode
from reviewloop.findings.schema import Severity
from reviewloop.policy import globs
from reviewloop.review.definitions import (
    AgentDefinition,
    builtin_agents,
    builtin_dir,
    builtin_names,
    load_agents,
    load_file,
    validate_file,
)
from reviewloop.review.kiro_tools import READ_ONLY_TOOLS, map_tools
from tests.support.paths import FIXTURES as FIXTURES_ROOT
from tests.support.paths import ROOT

FIXTURES = FIXTURES_ROOT / "agents"
KIRO = FIXTURES / "kiro"
MALFORMED = FIXTURES / "malformed"


def write_agent(folder: Path, filename: str, data: dict | str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / filename
    path.write_text(data if isinstance(data, str) else json.dumps(data, indent=2),
                    encoding="utf-8")
    return path


def error_text(path: Path) -> str:
    with pytest.raises(AgentDefinitionError) as info:
        load_file(path)
    assert info.value.exit_code == ExitCode.USAGE
    return str(info.value)


# --- built-ins ---------------------------------------------------------------------------


def test_the_builtins_load_in_their_declared_order_with_their_analyzers():
    agents = builtin_agents()
    assert [a.name for a in agents] == list(builtin_names())
    assert all(a.order is not None for a in agents)  # each declares its place
    assert [a.order for a in agents] == sorted(a.order or 0 for a in agents)
    analyzers = {a.name: a.analyzers for a in agents}
    assert analyzers == analyzers | {  # the shipped five (a new built-in adds its own)
        "review-security": ("bandit", "secrets", "eslint-security", "shellcheck-security"),
        "review-infrastructure": ("checkov", "hadolint", "zizmor", "cdk-checkov", "cdk-nag"),
        "review-maintainability": ("ruff-maintainability", "eslint-maintainability",
                                   "shellcheck"),
        "review-performance": ("ruff-performance", "eslint-performance"),
        "review-test-quality": ("coverage", "test-changes", "failing-tests"),
    }
    for agent in agents:
        assert agent.origin == "built-in"
        assert agent.tools == READ_ONLY_TOOLS
        assert agent.notes == ()
        assert agent.description


@pytest.mark.parametrize("name", builtin_names())
def test_builtin_prompt_states_severity_location_fix_and_distrust(name):
    agent = validate_file(builtin_dir() / f"{name}.json")
    prompt = agent.prompt
    for marker in ("🔴 `must_fix`", "🟡 `should_fix`", "🟢 `nit`", "line range",
                   "suggested fix", "changed lines", "Never", "instructions"):
        assert marker in prompt, f"{name} prompt lacks {marker!r}"


@pytest.mark.parametrize("name, focus", [
    ("review-security", ["injection", "Secrets", "IAM", "Encryption", "dependencies"]),
    ("review-infrastructure", ["CDK", "Terraform", "3 AM", "Tagging", "alarms"]),
    ("review-maintainability", ["Naming", "Duplication", "Testability", "public APIs"]),
    ("review-performance", ["N+1", "pagination", "async", "10×", "100×"]),
    ("review-test-quality", ["Edge cases", "Negative tests", "Mocking", "no test changes"]),
])
def test_builtin_prompt_covers_its_focus(name, focus):
    prompt = validate_file(builtin_dir() / f"{name}.json").prompt
    for word in focus:
        assert word in prompt


def test_builtins_are_found_in_the_repository_folder():
    assert (builtin_dir() / "prompts" / "review-security.md").is_file()
    assert (ROOT / "agents" / "__init__.py").is_file()


# --- Kiro agent files from real repositories ---------------------------------------------


def test_kiro_security_reviewer_with_read_and_thinking():
    agent = validate_file(KIRO / "voc-datalake/.kiro/agents/security-reviewer.json")
    assert agent.name == "security-reviewer"
    assert agent.origin == "kiro"
    assert agent.model == "claude-opus-4.6"
    assert agent.tools == ("fs_read",)
    assert agent.prompt.startswith("# Security reviewer (test stand-in)")
    assert agent.notes == (
        'ignored Kiro key "allowedTools": reviewloop does not use it',
        'ignored Kiro key "resources": reviewloop does not use it',
        'ignored Kiro key "permissions": reviewloop does not use it',
        'ignored tool "thinking": not available to reviewers',
    )


def test_kiro_agent_with_mcp_servers_and_star_tools():
    agent = validate_file(KIRO / "hallway-track/.kiro/agents/security-reviewer.json")
    assert agent.name == "Security Reviewer"
    assert agent.tools == READ_ONLY_TOOLS
    assert agent.notes == (
        'ignored Kiro key "allowedTools": reviewloop does not use it',
        'ignored Kiro key "toolsSettings": reviewloop does not use it',
        'ignored Kiro key "resources": reviewloop does not use it',
        'ignored Kiro key "useLegacyMcpJson": reviewloop does not use it',
        'ignored Kiro key "mcpServers": reviewloop does not use it',
        'tool "*" grants only the read-only tools fs_read, code, grep, glob',
    )


def test_kiro_general_purpose_agent_with_hooks_loads():
    agent = validate_file(KIRO / "autonomous-dev-team/.kiro/agents/default.json")
    assert agent.name == "autonomous-dev-team"
    assert agent.prompt.startswith("# Project instructions")
    assert agent.notes == (
        'ignored Kiro key "resources": reviewloop does not use it',
        'ignored Kiro key "hooks": reviewloop does not use it',
    )


@pytest.mark.parametrize("key", ["$schema", "toolAliases", "keyboardShortcut", "welcomeMessage",
                                 "includeMcpJson", "excludedTools", "includePowers"])
def test_other_kiro_keys_are_ignored_with_a_note(tmp_path, key):
    path = write_agent(tmp_path, "a.json", {"name": "review-x", "prompt": "p", key: "value"})
    assert load_file(path).notes == (f'ignored Kiro key "{key}": reviewloop does not use it',)


def test_name_defaults_to_the_file_name_like_kiro(tmp_path):
    path = write_agent(tmp_path, "review-naming.json", {"prompt": "Check names."})
    assert load_file(path).name == "review-naming"


def test_reviewloop_settings_are_read(tmp_path):
    agent = validate_file(FIXTURES / "custom" / "review-docs.json")
    assert agent.tools == ("fs_read", "grep")
    assert agent.include == ("**/*.py", "docs/")
    assert agent.exclude == ("tests/**",)
    assert agent.severity_floor is Severity.SHOULD_FIX
    assert agent.prompt == "Report public functions without a docstring.\n"


def test_inline_prompt_and_absolute_file_prompt(tmp_path):
    prompt = tmp_path / "elsewhere" / "p.md"
    prompt.parent.mkdir()
    prompt.write_text("From an absolute path.", encoding="utf-8")
    inline = write_agent(tmp_path, "a.json", {"name": "review-a", "prompt": "Inline."})
    absolute = write_agent(tmp_path, "b.json", {"name": "review-b", "prompt": f"file://{prompt}"})
    assert load_file(inline).prompt == "Inline."
    assert load_file(absolute).prompt == "From an absolute path."


# --- malformed files: exact messages -----------------------------------------------------


def test_bad_json_names_line_and_column():
    assert error_text(MALFORMED / "bad-json.json") == (
        f"{MALFORMED / 'bad-json.json'}:4:3: not valid JSON: Expecting ',' delimiter\n"
        "  fix: correct the JSON syntax at line 4, column 3")


def test_unknown_key_names_file_line_and_suggestion():
    assert error_text(MALFORMED / "unknown-key.json") == (
        f'{MALFORMED / "unknown-key.json"}:4: unknown key "promt"\n'
        '  fix: did you mean "prompt"?')


def test_unknown_nested_key_names_key_path():
    assert error_text(MALFORMED / "unknown-nested-key.json") == (
        f'{MALFORMED / "unknown-nested-key.json"}:5: unknown key "reviewloop.analysers"\n'
        '  fix: did you mean "reviewloop.analyzers"?')


def test_unknown_key_without_close_match_lists_known_keys(tmp_path):
    path = write_agent(tmp_path, "a.json", {"name": "review-a", "prompt": "p", "zzz": 1})
    assert error_text(path) == (
        f'{path}:4: unknown key "zzz"\n'
        "  fix: known keys here: name, description, prompt, tools, model, reviewloop; "
        "reviewloop's own settings go under \"reviewloop\"")


def test_wrong_type_names_key_and_value():
    assert error_text(MALFORMED / "wrong-type.json") == (
        f'{MALFORMED / "wrong-type.json"}:4: key "tools": must be a list of strings '
        '(got "read")\n'
        '  fix: write "tools" as ["fs_read", "code", "grep", "glob"]')


def test_bad_severity_floor_lists_the_levels():
    assert error_text(MALFORMED / "bad-severity.json") == (
        f'{MALFORMED / "bad-severity.json"}:5: key "reviewloop.severity_floor": must be one of '
        'must_fix, should_fix, nit (got "critical")\n'
        '  fix: write "reviewloop.severity_floor" as "should_fix"')


def test_wrong_type_in_a_list_item_names_the_index(tmp_path):
    path = write_agent(tmp_path, "a.json",
                       {"name": "review-a", "prompt": "p", "reviewloop": {"include": ["a", 3]}})
    assert error_text(path) == (
        f'{path}:5: key "reviewloop.include[1]": must be a string (got 3)\n'
        '  fix: write "reviewloop.include[1]" as a string in double quotes')


def test_string_for_boolean_is_refused(tmp_path):
    path = write_agent(tmp_path, "a.json",
                       {"name": "review-a", "prompt": "p", "reviewloop": {"enabled": "yes"}})
    assert error_text(path) == (
        f'{path}:5: key "reviewloop.enabled": must be true or false (got "yes")\n'
        '  fix: write "reviewloop.enabled" as true or false')


def test_missing_prompt_file_names_the_resolved_path():
    path = MALFORMED / "missing-prompt-file.json"
    assert error_text(path) == (
        f'{path}:3: key "prompt": prompt file not found: {MALFORMED / "prompts/nowhere.md"}\n'
        f'  fix: create it, or point "prompt" at a file relative to {MALFORMED}')


def test_empty_name_is_refused():
    assert error_text(MALFORMED / "empty-name.json") == (
        f'{MALFORMED / "empty-name.json"}:2: key "name": must not be empty\n'
        '  fix: give the agent a name, e.g. "review-security"')


def test_missing_prompt_key(tmp_path):
    path = write_agent(tmp_path, "a.json", {"name": "review-a"})
    assert error_text(path) == (
        f'{path}: missing required key "prompt"\n  fix: add "prompt" to the agent file')


@pytest.mark.parametrize("prompt", ["", "   \n"])
def test_empty_inline_prompt_is_refused(tmp_path, prompt):
    path = write_agent(tmp_path, "a.json", {"name": "review-a", "prompt": prompt})
    assert error_text(path) == (
        f'{path}:3: key "prompt": must not be empty\n'
        '  fix: write the prompt inline or as "file://<path>"')


def test_empty_prompt_file_is_refused(tmp_path):
    (tmp_path / "p.md").write_text("\n", encoding="utf-8")
    path = write_agent(tmp_path, "a.json", {"name": "review-a", "prompt": "file://p.md"})
    assert error_text(path) == (
        f'{path}:3: key "prompt": prompt file is empty: {tmp_path / "p.md"}\n'
        "  fix: write the reviewer's instructions into it")


def test_top_level_array_is_refused():
    assert error_text(MALFORMED / "not-an-object.json") == (
        f"{MALFORMED / 'not-an-object.json'}: expected a JSON object at the top level, "
        "got an array\n"
        '  fix: write the agent as {"name": ..., "description": ..., "prompt": ...}')


def test_missing_agent_file(tmp_path):
    assert error_text(tmp_path / "nope.json") == (
        f"{tmp_path / 'nope.json'}: agent file not found\n  fix: check the path")


def test_empty_analyzer_name_is_refused(tmp_path):
    path = write_agent(tmp_path, "a.json",
                       {"name": "review-a", "prompt": "p", "reviewloop": {"analyzers": [" "]}})
    assert error_text(path) == (
        f'{path}:5: key "reviewloop.analyzers[0]": must not be empty\n'
        "  fix: remove the empty entry")


# --- tools -------------------------------------------------------------------------------


def test_no_tools_key_grants_the_read_only_set_and_empty_list_grants_nothing():
    assert map_tools(None).tools == READ_ONLY_TOOLS
    assert map_tools([]).tools == ()


def test_kiro_tool_names_map_onto_the_read_only_set():
    grant = map_tools(["read", "grep", "@builtin/glob", "code", "fs_read"])
    assert grant.tools == READ_ONLY_TOOLS
    assert grant.notes == ()


def test_write_shell_and_mcp_tools_are_never_granted():
    grant = map_tools(["write", "fs_write", "shell", "execute_bash", "use_aws",
                       "@github", "@github/create_issue", "web_fetch"])
    assert grant.tools == ()
    assert grant.notes == (
        'ignored tool "write": reviewers never get write, shell or AWS tools',
        'ignored tool "fs_write": reviewers never get write, shell or AWS tools',
        'ignored tool "shell": reviewers never get write, shell or AWS tools',
        'ignored tool "execute_bash": reviewers never get write, shell or AWS tools',
        'ignored tool "use_aws": reviewers never get write, shell or AWS tools',
        'ignored tool "@github": reviewers never get MCP server tools',
        'ignored tool "@github/create_issue": reviewers never get MCP server tools',
        'ignored tool "web_fetch": not available to reviewers',
    )


def test_everything_selectors_grant_only_read_only_tools():
    for selector in ("*", "@builtin"):
        grant = map_tools([selector, "write"])
        assert grant.tools == READ_ONLY_TOOLS
        assert "write" not in grant.tools and "shell" not in grant.tools


# --- scope globs -------------------------------------------------------------------------


@pytest.mark.parametrize("include, exclude, path, expected", [
    ((), (), "anything/at/all.txt", True),
    (("*.py",), (), "src/deep/mod.py", True),
    (("*.py",), (), "src/mod.ts", False),
    (("**/*.py",), (), "top.py", True),
    (("src/*.py",), (), "src/a.py", True),
    (("src/*.py",), (), "src/pkg/a.py", False),
    (("src/**/*.py",), (), "src/pkg/a.py", True),
    (("infra/",), (), "infra/stack/main.tf", True),
    (("infra",), (), "app/infra/main.tf", True),
    (("/infra",), (), "app/infra/main.tf", False),
    (("*.tf",), ("modules/legacy/**",), "modules/legacy/x.tf", False),
    ((), ("tests/**",), "tests/test_a.py", False),
    ((), ("tests/**",), "src/tests.py", True),
    (("Dockerfile",), (), "./Dockerfile", True),
    (("file?.[ch]",), (), "lib/file1.c", True),
    (("file[!0-9].c",), (), "file1.c", False),
])
def test_applies_to(include, exclude, path, expected):
    agent = AgentDefinition(name="review-x", prompt="p", include=include, exclude=exclude)
    assert agent.applies_to(path) is expected


_SCOPES = st.lists(st.sampled_from(["*.py", "src/", "/infra", "tests/**", "**/*.tf",
                                     "Dockerfile", "a?.[ch]"]), max_size=2).map(tuple)
_SCOPED_PATHS = st.lists(st.sampled_from(["top.py", "src/a.py", "src/m.ts", "infra/main.tf",
                                          "app/infra/x.tf", "tests/test_a.py", "Dockerfile",
                                          "lib/a1.c", "docs/a.md"]), max_size=8)


@given(include=_SCOPES, exclude=_SCOPES, paths=_SCOPED_PATHS)
def test_in_scope_is_applies_to_of_each_path_in_order(include, exclude, paths):
    agent = AgentDefinition(name="review-x", prompt="p", include=include, exclude=exclude)
    assert agent.in_scope(paths) == tuple(p for p in paths if agent.applies_to(p))


def test_applies_to_accepts_path_objects():
    agent = AgentDefinition(name="review-x", prompt="p", include=("*.md",))
    assert agent.applies_to(Path("docs/a.md"))


# --- sources, overrides and selection ----------------------------------------------------


def test_project_without_agents_gets_the_builtins(tmp_path):
    agent_set = load_agents(tmp_path)
    assert agent_set.names == builtin_names()
    assert agent_set.skipped == () and agent_set.notes == ()


def test_kiro_file_named_like_a_builtin_overrides_it_in_place(tmp_path):
    kiro = tmp_path / ".kiro" / "agents"
    write_agent(kiro, "perf.json", {"name": "review-performance", "prompt": "Only latency.",
                                   "model": "haiku", "mcpServers": {}})
    agent_set = load_agents(tmp_path)
    assert agent_set.names == builtin_names()
    perf = agent_set.agents[builtin_names().index("review-performance")]
    assert (perf.origin, perf.prompt, perf.model) == ("kiro", "Only latency.", "haiku")
    assert agent_set.notes == (
        "review-performance: .kiro/agents/perf.json overrides the built-in definition "
        f"({builtin_dir() / 'review-performance.json'})",
        "review-performance (.kiro/agents/perf.json): "
        'ignored Kiro key "mcpServers": reviewloop does not use it',
    )


def test_general_purpose_kiro_agents_are_not_reviewers(tmp_path):
    shutil.copytree(KIRO / "autonomous-dev-team", tmp_path, dirs_exist_ok=True)
    shutil.copy(KIRO / "voc-datalake/.kiro/agents/security-reviewer.json",
                tmp_path / ".kiro/agents/")
    agent_set = load_agents(tmp_path)
    assert agent_set.names == builtin_names()
    reason = ('not a reviewer: the name does not start with "review-" and "reviewers" '
              "does not list it")
    assert [(s.source.name, s.name, s.reason) for s in agent_set.skipped] == [
        ("default.json", "autonomous-dev-team", reason),
        ("security-reviewer.json", "security-reviewer", reason),
    ]


def test_unused_kiro_agents_are_not_even_validated(tmp_path):
    write_agent(tmp_path / ".kiro/agents", "helper.json", '{"name": "helper", "oops": ')
    agent_set = load_agents(tmp_path)
    assert [s.name for s in agent_set.skipped] == ["helper"]


def test_kiro_agent_listed_in_reviewers_becomes_a_reviewer(tmp_path):
    shutil.copytree(KIRO / "voc-datalake", tmp_path, dirs_exist_ok=True)
    agent_set = load_agents(tmp_path, reviewers=["security-reviewer"])
    assert agent_set.names == (*builtin_names(), "security-reviewer")
    assert agent_set.agents[-1].origin == "kiro"
    assert agent_set.skipped == ()
    assert 'security-reviewer (.kiro/agents/security-reviewer.json): ignored tool "thinking": ' \
           "not available to reviewers" in agent_set.notes


def test_kiro_agent_named_review_star_becomes_a_reviewer(tmp_path):
    write_agent(tmp_path / ".kiro/agents", "a11y.json",
                {"name": "review-accessibility", "prompt": "Check ARIA."})
    agent_set = load_agents(tmp_path)
    assert agent_set.names == (*builtin_names(), "review-accessibility")


def test_broken_kiro_reviewer_is_an_error(tmp_path):
    path = write_agent(tmp_path / ".kiro/agents", "review-x.json", '{"name": "review-x",}')
    with pytest.raises(AgentDefinitionError) as info:
        load_agents(tmp_path)
    assert str(info.value) == (
        f"{path}:1:21: not valid JSON: Expecting property name enclosed in double quotes\n"
        "  fix: correct the JSON syntax at line 1, column 21")


def test_every_file_of_a_configured_directory_is_a_reviewer(tmp_path):
    shutil.copytree(FIXTURES / "custom", tmp_path / "reviewers")
    agent_set = load_agents(tmp_path, agent_dirs=[Path("reviewers")])
    assert agent_set.names == (*builtin_names(), "licence-check", "review-docs")
    assert {a.origin for a in agent_set.agents[len(builtin_names()):]} == {"config dir"}


def test_configured_directory_overrides_kiro_and_builtin(tmp_path):
    write_agent(tmp_path / ".kiro/agents", "sec.json",
                {"name": "review-security", "prompt": "kiro"})
    write_agent(tmp_path / "team", "sec.json", {"name": "review-security", "prompt": "team"})
    agent_set = load_agents(tmp_path, agent_dirs=[tmp_path / "team"])
    security = agent_set.agents[0]
    assert (security.name, security.origin, security.prompt) == \
        ("review-security", "config dir", "team")
    assert agent_set.notes[-1] == ("review-security: team/sec.json overrides the kiro "
                                   "definition (.kiro/agents/sec.json)")


def test_disabled_agent_is_skipped(tmp_path):
    write_agent(tmp_path / ".kiro/agents", "perf.json",
                {"name": "review-performance", "prompt": "p",
                 "reviewloop": {"enabled": False}})
    agent_set = load_agents(tmp_path)
    assert "review-performance" not in agent_set.names
    assert [(s.name, s.reason) for s in agent_set.skipped] == [
        ("review-performance", 'disabled ("reviewloop.enabled" is false)')]


def test_two_files_with_one_name_in_one_folder_is_an_error(tmp_path):
    write_agent(tmp_path / "team", "a.json", {"name": "review-dup", "prompt": "p"})
    second = write_agent(tmp_path / "team", "b.json", {"name": "review-dup", "prompt": "p"})
    with pytest.raises(AgentDefinitionError) as info:
        load_agents(tmp_path, agent_dirs=[Path("team")])
    assert str(info.value) == (
        f'{second}: agent "review-dup" is also defined in {tmp_path / "team" / "a.json"}\n'
        "  fix: rename one of the two agents or delete one file")


def test_missing_configured_directory_is_an_error(tmp_path):
    with pytest.raises(AgentDefinitionError) as info:
        load_agents(tmp_path, agent_dirs=[Path("nope")])
    assert str(info.value) == (f"{tmp_path / 'nope'}: agents directory not found\n"
                               '  fix: create it or remove it from "agents_dirs"')


def test_unknown_reviewer_name_lists_the_known_ones(tmp_path):
    with pytest.raises(AgentDefinitionError) as info:
        load_agents(tmp_path, reviewers=["review-secruity"])
    assert str(info.value) == (
        'reviewers setting: "reviewers" lists an agent that is not defined: review-secruity\n'
        f"  fix: use one of: {', '.join(builtin_names())}, or add its file to .kiro/agents/ "
        "or an agents directory")


def test_definitions_are_frozen():
    agent = builtin_agents()[0]
    with pytest.raises(AttributeError):
        agent.name = "other"  # type: ignore[misc]


def test_byte_order_mark_and_null_description_are_tolerated(tmp_path):
    path = tmp_path / "review-bom.json"
    path.write_text('\ufeff{"name": "review-bom", "description": null, "prompt": "p"}',
                    encoding="utf-8")
    agent = load_file(path)
    assert (agent.name, agent.description) == ("review-bom", "")


def test_a_reviewer_s_scope_answers_are_its_globs_answers_asked_once() -> None:
    """A reviewer keeps its scope's answers by path (a round asks each changed file's many
    times): the same answers as its globs give, and a copy with other globs has its own."""
    agent = AgentDefinition(name="docs", prompt="p", include=("*.md", "docs/**"),
                            exclude=("docs/private/**",))
    paths = ["README.md", "src/a.py", "docs/x.txt", "docs/private/y.md", "a/b/c.md"]
    expected = [True, False, True, False, True]
    assert [agent.applies_to(p) for p in paths] == expected
    assert [agent.applies_to(p) for p in reversed(paths)] == expected[::-1]
    narrower = replace(agent, include=("docs/**",))
    assert [narrower.applies_to(p) for p in paths] == [False, False, True, False, False]
    assert [agent.applies_to(p) for p in paths] == expected
    assert narrower == replace(agent, include=("docs/**",))  # its answers are no field


_SCOPE_GLOBS = ["*.md", "docs/**", "*.py", "src/", "/a", "b/*", "**/x.py", "[ab].md", "!c",
                "a*b", "d/**/e"]
_SCOPE_NAMES = ["a", "b", "ab", "x.py", "docs", "src", "c.md", "a.md", "!c", "d", "e", ""]


@settings(max_examples=300, deadline=None)
@given(include=st.lists(st.sampled_from(_SCOPE_GLOBS), max_size=5),
       exclude=st.lists(st.sampled_from(_SCOPE_GLOBS), max_size=3),
       paths=st.lists(st.lists(st.sampled_from(_SCOPE_NAMES), min_size=1, max_size=4)
                      .map("/".join), min_size=1, max_size=6))
def test_a_reviewer_s_scope_is_its_include_less_its_exclude(include, exclude, paths) -> None:
    """A reviewer's scope, asked once per path: in one of `include` (or `include` empty) and
    in none of `exclude`, as each glob asked in turn says."""
    agent = AgentDefinition(name="r", prompt="p", include=tuple(include),
                            exclude=tuple(exclude))
    for path in paths:
        expected = (not include or any(globs.matches(g, path) for g in include)) \
            and not any(globs.matches(g, path) for g in exclude)
        assert agent.applies_to(path) is expected
        assert agent.applies_to(path) is expected  # the answer kept


@pytest.mark.parametrize("stem,name", [("review-x", "x-security"), ("review-sec", "sec"),
                                       ("review-", "reviewer-api"), ("review-a.b", "Review-a")])
def test_a_kiro_file_named_as_a_reviewer_whose_agent_is_not_one_is_warned(
        tmp_path: Path, caplog: pytest.LogCaptureFixture, stem: str, name: str) -> None:
    """`.kiro/agents/review-x.json` defining `x-security` (a typo, a renamed agent) did not
    run, and nothing in a review said so (only `reviewloop agents` listed it): now every
    load warns, naming the file, its agent and the name that would make it a reviewer."""
    write_agent(tmp_path / ".kiro/agents", f"{stem}.json", {"name": name, "prompt": "Look."})
    with caplog.at_level(logging.WARNING, logger="reviewloop.review.definitions"):
        agent_set = load_agents(tmp_path)
    assert agent_set.names == builtin_names()
    [skipped] = agent_set.skipped
    assert skipped.name == name and f'name it "{stem}"' in skipped.reason
    [warned] = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert f"{stem}.json" in warned and repr(name) in warned and f'name it "{stem}"' in warned


@settings(max_examples=40, deadline=None)
@given(groups=st.lists(st.lists(st.sampled_from(["py", "js", "ts", "src", "docs"]),
                                min_size=2, max_size=3, unique=True), min_size=1, max_size=2),
       key=st.sampled_from(["include", "exclude"]))
def test_brace_alternatives_in_a_scope_are_expanded(tmp_path_factory, groups, key):
    """fz2 D10: `{a,b}` in every path-glob setting is read as a shell or Kiro's minimatch
    reads it (it was refused here, and silently never matched elsewhere)."""
    pattern = "/".join("{" + ",".join(g) + "}" for g in groups) + "/*.x"
    expected: list[str] = [""]
    for group in groups:
        expected = [f"{e}/{w}" if e else w for e in expected for w in group]
    folder = tmp_path_factory.mktemp("agents")
    path = write_agent(folder, "review-scope.json", {
        "name": "review-scope", "prompt": "Review.", "reviewloop": {key: [pattern, "x/**"]}})
    agent = validate_file(path)
    assert getattr(agent, key) == (*(f"{e}/*.x" for e in expected), "x/**")
    assert agent.applies_to(f"{expected[0]}/a.x") is (key == "include")


@pytest.mark.parametrize("pattern", ["{,a}", "{a,b,c,d,e,f,g,h,i}/{a,b,c,d,e,f,g,h,i}"])
def test_a_scope_brace_that_names_nothing_or_too_much_is_refused(tmp_path, pattern):
    path = write_agent(tmp_path, "review-scope.json", {
        "name": "review-scope", "prompt": "Review.", "reviewloop": {"include": [pattern]}})
    text = error_text(path)
    assert 'key "reviewloop.include"' in text and "review-scope.json:" in text, text
