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
leaves alone, and the order of the caller's imports: a fixed-seed sample of the product, and
the cases every run holds (every module made async, one alone, none), each case in its own
folder of one repository under one tsconfig, so one review (one typed lint at the head and
one at the base) answers for all of them.
"""

from __future__ import annotations

import itertools
import json
import random
from pathlib import Path

import pytest

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


def _cases() -> list[tuple[tuple[str, ...], tuple[int, ...]]]:
    """(each module's state, the caller's import order) per folder: a fixed sample of the
    states × orders product, and every module made async, one alone, and none (edits only)."""
    rng = random.Random(4)
    states = [s for s in itertools.product(STATES, repeat=MODULES)
              if s.count("unchanged") < MODULES]
    orders = list(itertools.permutations(range(MODULES)))
    drawn: list[tuple[tuple[str, ...], tuple[int, ...]]] = [
        (s, rng.choice(orders)) for s in rng.sample(states, 6)]
    fixed = [(("async",) * MODULES, (3, 1, 0, 2)),
             (("unchanged", "unchanged", "async", "unchanged"), (0, 1, 2, 3)),
             (("edited", "unchanged", "edited", "edited"), (2, 0, 3, 1))]
    return drawn + fixed


def _folder(folder: str, states: tuple[str, ...], order: tuple[int, ...]
            ) -> tuple[dict[str, str], dict[str, str]]:
    """(the base's files, the change's) of one case in `folder`."""
    imports = "".join(f'import {{ save{n} }} from "./m{n}";\n' for n in order)
    calls = "".join(f"  save{n}();\n" for n in range(MODULES))
    caller = imports + "export function run(): void {\n" + calls + "}\n"
    base = {f"{folder}/caller.ts": caller,
            **{f"{folder}/m{n}.ts": _module(n, "unchanged") for n in range(MODULES)}}
    return base, {f"{folder}/m{n}.ts": _module(n, s) for n, s in enumerate(states)
                  if s != "unchanged"}


def test_each_changed_module_the_importer_imports_shows_it(
        tmp_path: Path, eslint_tools: Path) -> None:
    cases = _cases()
    base = {"tsconfig.json": json.dumps({"compilerOptions": OPTIONS}),
            "package.json": '{"name": "x", "type": "module"}\n'}
    change: dict[str, str] = {}
    for i, (states, order) in enumerate(cases):
        before, after = _folder(f"c{i}", states, order)
        base |= before
        change |= after
    root = init_repo(tmp_path / "r", base)
    git(root, "checkout", "-qb", "feature")
    commit(root, change, "the change")
    done = review(root, "--base", "main", "--head", "feature", "--fail-on", "never", "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    floating: dict[str, list[str]] = {}
    for bucket in ("remaining", "nits"):
        for f in report["findings"][bucket]:
            if f["rule"] == FLOATING:
                floating.setdefault(f["file"], []).append(f["rationale"])
    line = {n: MODULES + 2 + n for n in range(MODULES)}  # each call's line in caller.ts
    for i, (states, order) in enumerate(cases):
        folder = f"c{i}/"
        here = {path: said for path, said in floating.items() if path.startswith(folder)}
        made = [n for n, s in enumerate(states) if s == "async"]
        changed = {f"{folder}m{n}.ts" for n, s in enumerate(states) if s != "unchanged"}
        assert set(here) == (changed if made else set()), (states, order, sorted(here))
        calls_made = {f"It is on {folder}caller.ts line {line[n]}," for n in made}
        for module, rationales in here.items():  # naming a call the change left floating
            # (the review keeps one finding of a rule on one place: the calls' messages are one)
            assert all(any(call in r for call in calls_made) for r in rationales), (
                module, made, rationales)
    assert set(floating) <= {f"c{i}/m{n}.ts" for i in range(len(cases)) for n in range(MODULES)}
