"""An agent file that overrides a reviewer keeps every `reviewloop` setting it does not set,
and the analyzers it does turn off are said.

Before: a `.kiro/agents/review-security.json` that only reworded the prompt (a Kiro agent
file has no `reviewloop` block) ran no analyzer at all: bandit, the secrets scan,
eslint-security and shellcheck-security were gone, and a review of `shell=True` Python said
complete with no word of it. Generated: overrides of every built-in setting any subset of
the `reviewloop` keys (pure), then a real review of an override that lists fewer
analyzers."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.review.agent_scope import scope_of
from reviewloop.review.definitions import builtin_agents, load_agents
from reviewloop.review.evidence import run_for_agent
from tests.support.analyzers import FakeAnalyzer, Repo
from tests.support.repos import branch_repo
from tests.support.review_cli import review

BUILTINS = {agent.name: agent for agent in builtin_agents()}
ANALYZERS = sorted({name for agent in BUILTINS.values() for name in agent.analyzers})
GLOB = st.sampled_from(("src/**", "*.md", "tests/**", "**/*.py"))
KEYS = {
    "analyzers": st.lists(st.sampled_from(ANALYZERS), unique=True, max_size=4),
    "include": st.lists(GLOB, unique=True, max_size=2),
    "exclude": st.lists(GLOB, unique=True, max_size=2),
    "severity_floor": st.sampled_from(("must_fix", "should_fix", "nit")),
    "order": st.integers(-5, 99),
}


@st.composite
def overrides(draw: st.DrawFn) -> tuple[str, dict]:
    """A built-in's name and the `reviewloop` keys an override sets (maybe none, maybe no
    block at all)."""
    name = draw(st.sampled_from(sorted(BUILTINS)))
    chosen = draw(st.lists(st.sampled_from(sorted(KEYS)), unique=True))
    return name, {key: draw(KEYS[key]) for key in chosen}


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=overrides(), block=st.booleans())
def test_an_override_keeps_what_it_does_not_set_and_says_what_it_turns_off(
        tmp_path_factory, case, block):
    name, own = case
    root = tmp_path_factory.mktemp("repo")
    data: dict = {"name": name, "prompt": "Reworded."}
    if own or block:
        data["reviewloop"] = own
    folder = root / ".kiro" / "agents"
    folder.mkdir(parents=True)
    (folder / "mine.json").write_text(json.dumps(data))
    agent_set = load_agents(root)
    agent = next(a for a in agent_set.agents if a.name == name)
    old = BUILTINS[name]
    assert agent.prompt == "Reworded."
    for key in ("analyzers", "include", "exclude", "order"):
        expected = own[key] if key in own else getattr(old, key)
        assert list(getattr(agent, key)) == list(expected) if key != "order" \
            else agent.order == expected
    floor = agent.severity_floor.value if agent.severity_floor else None
    assert floor == own.get("severity_floor", old.severity_floor)
    off = [a for a in old.analyzers if a not in agent.analyzers]
    assert [n for n, _ in agent.turned_off] == off
    said = [n for n in agent_set.notes if "turns off" in n]
    assert bool(said) == bool(off)
    assert all(a in said[0] for a in off)


LAYER_KEYS = {**KEYS, "enabled": st.booleans()}


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(sorted(BUILTINS)),
       layers=st.lists(st.lists(st.sampled_from(sorted(LAYER_KEYS)), unique=True),
                       min_size=2, max_size=4), data=st.data())
def test_a_chain_of_overrides_says_all_it_narrowed_and_turned_off_against_the_builtin(
        tmp_path_factory, name, layers, data):
    """`.kiro/agents`, then `agents_dirs` folders, each overriding the one before: what the
    effective reviewer reads less than the built-in is said, whichever layer did it (a
    prompt-only override last erased an earlier one's narrowing and turned-off analyzers)."""
    root = tmp_path_factory.mktemp("repo")
    folders = [root / ".kiro" / "agents", *(root / f"ag{i}" for i in range(1, len(layers)))]
    for folder, keys in zip(folders, layers, strict=True):
        folder.mkdir(parents=True)
        own = {key: data.draw(LAYER_KEYS[key]) for key in keys}
        (folder / "mine.json").write_text(json.dumps({"name": name, "prompt": "Re.",
                                                      "reviewloop": own}))
    found = load_agents(root, folders[1:])
    agent = next(a for a in (*found.agents, *found.turned_off) if a.name == name)
    old = BUILTINS[name]
    scope = (old.include, old.exclude)
    assert agent.narrowed_from == (None if (agent.include, agent.exclude) == scope else scope)
    off = {n for n, _ in agent.turned_off}
    if agent.enabled:
        # the built-in's it does not run, and those an earlier layer added and it dropped
        assert off >= {a for a in old.analyzers if a not in agent.analyzers}
        assert not off & set(agent.analyzers)
        assert agent.turned_off_by is None
    else:  # turned off by some layer: said, with the analyzers it would run
        assert agent.turned_off_by and agent in found.turned_off
        assert off >= set(agent.analyzers)


def test_a_review_says_each_analyzer_an_override_turned_off(tmp_path):
    agent = {"name": "review-security", "prompt": "Be concise.",
             "reviewloop": {"analyzers": ["bandit"]}}
    root = branch_repo(tmp_path / "r", {".kiro/agents/review-security.json": json.dumps(agent)},
                       {"a.py": "import subprocess\n\n\ndef run(cmd):\n"
                                "    return subprocess.call(cmd, shell=True)\n"})
    done = review(root, "--base", "main", "--head", "feature", "--json")
    rows = {h["name"]: h for h in json.loads(done.stdout)["health"]["analyzers"]
            if h.get("agent") == "review-security"}
    assert rows["bandit"]["status"] == "ok"
    for name in ("secrets", "eslint-security", "shellcheck-security"):
        assert rows[name]["status"] == "skipped"
        assert ".kiro/agents/review-security.json" in rows[name]["reason"]


def test_an_override_of_the_prompt_alone_runs_the_builtin_analyzers(tmp_path: Path):
    agent = {"name": "review-security", "prompt": "Be concise."}
    root = branch_repo(tmp_path / "r", {".kiro/agents/review-security.json": json.dumps(agent)},
                       {"a.py": "import subprocess\n\n\ndef run(cmd):\n"
                                "    return subprocess.call(cmd, shell=True)\n"})
    done = review(root, "--base", "main", "--head", "feature", "--json")
    rules = {f["rule"] for f in json.loads(done.stdout)["findings"]["remaining"]}
    assert "B602" in rules


PATHS = st.lists(st.sampled_from(("a.py", "src/a.py", "src/lib/b.py", "tests/t.py",
                                  "docs/x.md", "deploy.sh")), unique=True, min_size=1)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(paths=PATHS, exclude=st.lists(GLOB, unique=True, max_size=2),
       include=st.lists(GLOB, unique=True, max_size=1))
def test_files_an_override_scopes_out_are_not_analysed(tmp_path_factory, paths, exclude,
                                                       include):
    """What the replaced definition's analyzers read and the override's scope leaves out is
    named as not read by each analyzer, with why: the coverage matrix lists it as not
    analysed (the review is incomplete), never as absent."""
    own = {"analyzers": ["fake"], "exclude": exclude, "include": include}
    repo = Repo(tmp_path_factory.mktemp("repo"), {".kiro/agents/review-security.json":
                json.dumps({"name": "review-security", "prompt": "x", "reviewloop": own})})
    diff = repo.change(dict.fromkeys(paths, "VALUE = 1\n"))
    agent = next(a for a in load_agents(repo.root).agents if a.name == "review-security")
    registry: dict[str, Any] = {"fake": FakeAnalyzer()}  # a test's analyzer, duck-typed
    row = run_for_agent(agent, repo.root, diff, registry=registry).health
    fake = next(h for h in row if h.name == "fake")
    out = {p for p in paths if not scope_of(include, exclude)(p)}
    assert set(fake.gaps()) == out
    assert all("review-security.json" in why for why in fake.unread.values())
    assert set(fake.files) == set(paths)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(st.sampled_from(sorted(BUILTINS)), unique=True, min_size=1),
       own=st.sampled_from(({}, {"analyzers": ["secrets"]}, {"include": ["src/**"]})),
       new=st.booleans())
def test_a_reviewer_an_override_disables_is_named_turned_off(tmp_path_factory, names, own,
                                                             new):
    """Before: an override `{"reviewloop": {"enabled": false}}` of a built-in dropped it (and
    its analyzers) from the review without a word. Now it is in `turned_off`, each analyzer
    it would have run with why; a disabled agent that overrides nothing never ran: not said."""
    root = tmp_path_factory.mktemp("repo")
    folder = root / ".kiro" / "agents"
    folder.mkdir(parents=True)
    for name in names:
        data = {"name": name, "prompt": "p", "reviewloop": {**own, "enabled": False}}
        (folder / f"{name}.json").write_text(json.dumps(data))
    if new:
        (folder / "review-mine.json").write_text(json.dumps(
            {"name": "review-mine", "prompt": "p", "reviewloop": {"enabled": False}}))
    agent_set = load_agents(root)
    assert sorted(a.name for a in agent_set.turned_off) == sorted(names)
    assert not set(names) & set(agent_set.names)
    for agent in agent_set.turned_off:
        why = agent.turned_off_by or ""
        assert why.startswith("turned off by ") and f".kiro/agents/{agent.name}.json" in why
        expected = own.get("analyzers", BUILTINS[agent.name].analyzers)
        # and those of the built-in it does not list: all it would run
        assert agent.turned_off == tuple(
            (a, why) for a in dict.fromkeys((*expected, *BUILTINS[agent.name].analyzers)))


def test_a_review_names_the_reviewer_an_override_turned_off(tmp_path):
    """The oracle: plain bandit reports B602 on the file; the review with review-security
    turned off does not, and says why, as a reviewer row and a row for each analyzer."""
    agent = {"name": "review-security", "prompt": "p", "reviewloop": {"enabled": False}}
    root = branch_repo(tmp_path / "r", {".kiro/agents/review-security.json": json.dumps(agent)},
                       {"a.py": "import subprocess\n\n\ndef run(cmd):\n"
                                "    return subprocess.call(cmd, shell=True)\n"})
    plain = subprocess.run([sys.executable, "-m", "bandit", "-q", "-f", "json", "a.py"],
                           cwd=root, capture_output=True, text=True, check=False)
    assert "B602" in {i["test_id"] for i in json.loads(plain.stdout)["results"]}
    report = json.loads(review(root, "--base", "main", "--head", "feature", "--json").stdout)
    reviewer = next(r for r in report["reviewers"] if r["agent"] == "review-security")
    assert reviewer["status"] == "skipped"
    assert reviewer["reason"].startswith("turned off by .kiro/agents/review-security.json")
    rows = {h["name"]: h for h in report["health"]["analyzers"]
            if h.get("agent") == "review-security"}
    assert sorted(rows) == sorted(BUILTINS["review-security"].analyzers)
    assert all(r["status"] == "skipped" and "review-security.json" in r["reason"]
               for r in rows.values())
    assert "no review ran" not in report["verdict"]  # the other reviewers did


def test_a_review_whose_every_reviewer_is_turned_off_says_no_review_ran(tmp_path):
    files = {f".kiro/agents/{name}.json": json.dumps(
        {"name": name, "prompt": "p", "reviewloop": {"enabled": False}}) for name in BUILTINS}
    root = branch_repo(tmp_path / "r", files, {"a.py": "VALUE = 1\n"})
    report = json.loads(review(root, "--base", "main", "--head", "feature", "--json").stdout)
    assert {r["status"] for r in report["reviewers"]} == {"skipped"}
    assert "no review ran" in report["verdict"]
