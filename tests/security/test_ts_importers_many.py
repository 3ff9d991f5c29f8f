"""An unchanged TypeScript file importing several modules the change touched has what the
change brought about there shown on each of them.

`caller.ts` imports `m0.ts` … `m3.ts`, and calls each one's `save()`. A change that makes
`save()` async in some of them leaves each such call a floating promise
(`@typescript-eslint/no-floating-promises`), which plain `eslint` over the project reports on
`caller.ts`. The review showed them on the first changed module the caller imports only:
the others' diffs held nothing, and a review of one of them alone (a fix round's files) lost
them. Which module's change brought a message about the lint cannot tell, so each is shown
on every changed module the caller imports.

Generated: which modules the change makes async, which it edits without effect, which it
leaves alone, and the order of the caller's imports.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.support.gitutil import git
from tests.support.repos import commit, init_repo
from tests.support.review_cli import review

pytestmark = [pytest.mark.npm, pytest.mark.timeout(900)]

FLOATING = "@typescript-eslint/no-floating-promises"
MODULES = 4
STATES = ("unchanged", "async", "edited")
OPTIONS = {"strict": True, "module": "ES2022", "moduleResolution": "bundler",
           "target": "ES2022"}


def _module(n: int, state: str) -> str:
    if state == "async":
        return f"export async function save{n}(): Promise<void> {{}}\n"
    more = "export const more = 2;\n" if state == "edited" else ""
    return f"export function save{n}(): void {{}}\n{more}"


@settings(max_examples=3, deadline=None, derandomize=True, phases=[Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(states=st.lists(st.sampled_from(STATES), min_size=MODULES, max_size=MODULES)
       .filter(lambda s: s.count("unchanged") < MODULES),
       order=st.permutations(range(MODULES)))
def test_each_changed_module_the_importer_imports_shows_it(
        tmp_path_factory: pytest.TempPathFactory, eslint_tools: Path, states: list[str],
        order: list[int]) -> None:
    imports = "".join(f'import {{ save{n} }} from "./m{n}";\n' for n in order)
    calls = "".join(f"  save{n}();\n" for n in range(MODULES))
    caller = imports + "export function run(): void {\n" + calls + "}\n"
    line = {n: MODULES + 2 + n for n in range(MODULES)}  # each call's line in caller.ts
    base = {"tsconfig.json": json.dumps({"compilerOptions": OPTIONS}),
            "package.json": '{"name": "x", "type": "module"}\n', "caller.ts": caller,
            **{f"m{n}.ts": _module(n, "unchanged") for n in range(MODULES)}}
    root = init_repo(tmp_path_factory.mktemp("many") / "r", base)
    git(root, "checkout", "-qb", "feature")
    commit(root, {f"m{n}.ts": _module(n, s) for n, s in enumerate(states) if s != "unchanged"},
           "the change")
    done = review(root, "--base", "main", "--head", "feature", "--fail-on", "never", "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    floating: dict[str, list[str]] = {}
    for bucket in ("remaining", "nits"):
        for f in report["findings"][bucket]:
            if f["rule"] == FLOATING:
                floating.setdefault(f["file"], []).append(f["rationale"])
    made = [n for n, s in enumerate(states) if s == "async"]
    changed = {f"m{n}.ts" for n, s in enumerate(states) if s != "unchanged"}
    assert set(floating) == (changed if made else set()), (states, sorted(floating))
    calls_made = {f"It is on caller.ts line {line[n]}," for n in made}
    for module, rationales in floating.items():  # naming a call the change left floating
        # (the review keeps one finding of a rule on one place: the calls' messages are one)
        assert all(any(call in r for call in calls_made) for r in rationales), (
            module, made, rationales)
