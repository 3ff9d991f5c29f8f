"""A CDK analyzer's claim on a change's files: asked of all of them at once (`claimed`), the
apps above them looked for once, it gives exactly the files it claims one by one — a source
of an app, of the app's language, in the app's folder, outside its `node_modules`."""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Collection, Sequence
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.checks.cdk.analyzers import CdkCheckov, CdkNag
from reviewloop.checks.cdk.app import find_apps
from reviewloop.review.definitions import load_agents
from reviewloop.review.evidence import run_for_agent
from tests.support.repos import write_files

_APPS = {"ts": '{"app": "npx ts-node --prefer-ts-exts bin/app.ts"}\n',
         "py": '{"app": "python3 app.py"}\n'}
_FOLDERS = ["", "infra", "infra/lib", "web", "infra/node_modules/x"]
_NAMES = ["stack.ts", "handler.py", "cdk.json", "README.md", "app.js", "x.tsx", "a.pyi"]


def _one_by_one(root: Path, paths: Collection[str]) -> set[str]:
    """The definition, file by file: a file is claimed when an app whose folder is above it
    (`find_apps` of that file alone) counts it among its sources."""
    return {p for p in paths if any(app.relevant((p,)) for app in find_apps(root, (p,)))}


@settings(max_examples=60, deadline=None, derandomize=True)
@given(apps=st.dictionaries(st.sampled_from(_FOLDERS), st.sampled_from(sorted(_APPS)),
                            max_size=3),
       changed=st.lists(st.tuples(st.sampled_from(_FOLDERS), st.sampled_from(_NAMES)),
                        max_size=8, unique=True))
def test_the_files_claimed_at_once_are_those_claimed_one_by_one(
        apps: dict[str, str], changed: list[tuple[str, str]]) -> None:
    paths = [f"{folder}/{name}" if folder else name for folder, name in changed]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_files(root, {(f"{folder}/cdk.json" if folder else "cdk.json"): _APPS[kind]
                           for folder, kind in apps.items()})
        write_files(root, {"node_modules/.bin/cdk": "#!/bin/sh\n"})
        for analyzer in (CdkNag(), CdkCheckov()):
            claimed = analyzer.claimed(root, paths)
            assert claimed == _one_by_one(root, paths)
            assert claimed == {p for p in paths if analyzer.claims(root, p)}


class _Counted(CdkNag):
    """cdk-nag, counting how it is asked to claim files."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, ...]] = []

    def claimed(self, root: Path, paths: Sequence[str]) -> set[str]:
        self.asked.append(tuple(paths))
        return super().claimed(root, paths)

    def run(self, ctx):  # type: ignore[no-untyped-def]
        return []


def test_a_reviewer_asks_its_cdk_analyzer_once_for_the_files_its_globs_leave_out(
        tmp_path: Path) -> None:
    """The infrastructure reviewer's scope globs leave out `lib/uploads.ts`; its CDK
    analyzer claims it, asked once with every file the globs left out, not once a file."""
    sources = [f"app/lib/part_{i}/uploads_{j}.ts" for i, j in itertools.product(range(3),
                                                                                 range(4))]
    others = [f"web/src/page_{i}.ts" for i in range(5)]
    write_files(tmp_path, {"app/cdk.json": _APPS["ts"], "app/node_modules/.bin/cdk": "",
                           **dict.fromkeys([*sources, *others], "export {}\n")})
    infra = next(a for a in load_agents(tmp_path).agents if a.name == "review-infrastructure")
    diff = "".join(f"diff --git a/{p} b/{p}\nnew file mode 100644\n--- /dev/null\n+++ b/{p}\n"
                   "@@ -0,0 +1 @@\n+export {}\n" for p in [*sources, *others])
    counted = _Counted()

    run_for_agent(infra, tmp_path, diff, registry={"cdk-nag": counted})

    assert [sorted(asked) for asked in counted.asked] == [sorted([*sources, *others])]
    assert counted.claimed(tmp_path, [*sources, *others]) == set(sources)
