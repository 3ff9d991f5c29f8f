"""A CDK app whose synth fails names each changed file it would have covered. cdk-checkov and
cdk-nag read no file as a linter does (their row of the coverage matrix was empty), so a
failed synth named the app's files only inside the analyzer's reason: `health.files` showed
`lib/stack.ts` with `not_read: []`. Now each changed source of the app is named per file as
not analysed by each CDK analyzer, with the failure's reason, and the review is incomplete.

Generated: the ways a synth fails before the app's templates are read — the CLI exits
non-zero (as it does when the app throws), or exits 0 with no cloud assembly, the project
has no CDK CLI, the change breaks `cdk.json`, a Python app's virtualenv has no aws-cdk-lib,
an app in a language reviewloop does not synthesize — one or two apps, at the root or in
folders, one to three changed sources of the language's kinds, beside changed files no app
covers (a handler of another language, a YAML file in the app's folder, Terraform
elsewhere), which must not be named. The CLIs are fakes: each fails at once, as the real
one does before any template is written (a real synth takes 20-50 s)."""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from reviewloop.checks.cdk.analyzers import CdkCheckov, CdkNag
from reviewloop.checks.gates.commands import project_tests
from reviewloop.config import Settings
from reviewloop.findings.ledger import Ledger
from reviewloop.review.definitions import load_agents
from reviewloop.review.evidence import run_for_agent
from reviewloop.review.matrix import matrix
from tests.support.gitutil import git
from tests.support.repos import init_repo, write_files
from tests.support.review_cli import review

pytestmark = [pytest.mark.pypi]  # checkov, provisioned (`iac_env`)

CDK = ("cdk-checkov", "cdk-nag")
NODE_APP = '{"app": "node bin/app.js"}\n'
CLI = "node_modules/.bin/cdk"
# each way to fail: the app's cdk.json, the files beside it (untracked: node_modules is
# ignored, as a project's is), and the kinds of its sources
MODES: dict[str, tuple[str, dict[str, str], tuple[str, ...]]] = {
    "the CLI exits 1": (NODE_APP, {CLI: "#!/bin/sh\necho 'Error: synth failed' >&2\nexit 1\n"},
                       (".ts", ".js")),
    "no cloud assembly": (NODE_APP, {CLI: "#!/bin/sh\nexit 0\n"}, (".ts", ".mjs")),
    "no CDK CLI": (NODE_APP, {}, (".ts", ".cts")),
    "cdk.json broken": ("{broken\n", {CLI: "#!/bin/sh\nexit 0\n"}, (".ts",)),
    "no aws-cdk-lib": ('{"app": "python3 app.py"}\n', {CLI: "#!/bin/sh\nexit 0\n",
                                                      ".venv/bin/python": ""}, (".py",)),
    "Java": ('{"app": "mvn -e -q compile exec:java"}\n', {}, (".java",)),
}
SAID = {  # what the reason says of each
    "the CLI exits 1": "exited with 1; its output ends:\nError: synth failed",
    "no cloud assembly": "wrote no cloud assembly",
    "no CDK CLI": "the project has no CDK CLI",
    "cdk.json broken": "cannot be read as JSON",
    "no aws-cdk-lib": "has no aws-cdk-lib",
    "Java": "is written in Java",
}
APP_JS = "require('../lib/part0');\n"  # bin/app.js, unchanged


@dataclass(frozen=True)
class App:
    folder: str
    mode: str
    sources: tuple[str, ...]  # the changed files it covers (repo paths)
    others: tuple[str, ...]  # changed files in its folder of no kind it is written in


@st.composite
def apps(draw: st.DrawFn, first: str) -> tuple[App, ...]:
    """An app failing by `first` (the one whose failure is said), and maybe another after
    it failing its own way."""
    others = st.sampled_from(sorted(set(MODES) - {first}))
    modes = [first, *draw(st.lists(others, max_size=1))]
    root_first = len(modes) == 1 and draw(st.booleans())
    drawn = []
    for i, mode in enumerate(modes):
        folder = "" if root_first else draw(st.sampled_from((f"infra{i}", f"apps/cdk{i}")))
        at = f"{folder}/" if folder else ""
        kinds = MODES[mode][2]
        count = draw(st.integers(1, 3))
        sources = [f"{at}lib/part{n}{draw(st.sampled_from(kinds))}" for n in range(count)]
        if mode == "cdk.json broken":
            sources.append(f"{at}cdk.json")
        other = ".py" if ".py" not in kinds else ".ts"
        drawn.append(App(folder, mode, tuple(sources), (f"{at}handlers/main{other}",
                                                          f"{at}config/params.yaml")))
    return tuple(drawn)


def _repo(root: Path, drawn: tuple[App, ...]) -> Path:
    base = {".gitignore": "node_modules/\n", "docs/notes.md": "notes\n", **_elsewhere(1)}
    for app in drawn:
        at = f"{app.folder}/" if app.folder else ""
        config = MODES[app.mode][0]
        base[f"{at}cdk.json"] = config if app.mode != "cdk.json broken" else NODE_APP
        base[f"{at}bin/app.js"] = APP_JS
        base |= {path: _text(path, 1) for path in (*app.sources, *app.others)
                 if not path.endswith("cdk.json")}
    init_repo(root, base)
    for app in drawn:  # what a project installs, and the change
        at = f"{app.folder}/" if app.folder else ""
        write_files(root, {f"{at}{name}": text for name, text in MODES[app.mode][1].items()})
        for name in MODES[app.mode][1]:
            (root / at / name).chmod(0o755)
        write_files(root, {path: "{broken\n" if path.endswith("cdk.json") else _text(path, 2)
                           for path in (*app.sources, *app.others)})
    write_files(root, {"docs/notes.md": "notes, changed\n", **_elsewhere(2)})
    git(root, "add", "-A")
    return root


def _elsewhere(value: int) -> dict[str, str]:
    """Infrastructure no app covers, in the infrastructure reviewer's scope."""
    return {"ops/main.tf": f"locals {{\n  value = {value}\n}}\n"}


def _text(path: str, value: int) -> str:
    """A line every language of the sources and handlers parses."""
    return f"VALUE = {value}\n" if path.endswith(".py") else f"value: {value}\n" \
        if path.endswith(".yaml") else f"export const value = {value};\n" \
        if path.endswith((".ts", ".mts", ".cts", ".mjs")) else \
        f"class Part {{ int value = {value}; }}\n" if path.endswith(".java") else \
        f"module.exports = {value};\n"


def _check(rows: dict[str, list[str]], drawn: tuple[App, ...]) -> None:
    """Each app's changed sources named per file by each CDK analyzer; nothing else."""
    for app in drawn:
        for path in app.sources:
            said = rows.get(path, [])
            for name in CDK:
                assert any(why.startswith(f"{name} failed: ") for why in said), (path, said)
    covered = {path for app in drawn for path in app.sources}
    for path, said in rows.items():
        if path not in covered:
            assert not [why for why in said if why.startswith(CDK)], (path, said)


@pytest.mark.timeout(120)
@pytest.mark.parametrize("mode", sorted(MODES))
def test_each_changed_file_a_failed_synth_would_have_covered_is_named(
        iac_env: Path, mode: str) -> None:
    @settings(max_examples=2, deadline=None, derandomize=True, database=None,
              phases=(Phase.explicit, Phase.generate))
    @given(apps(mode))
    def each(drawn: tuple[App, ...]) -> None:
        _analysed(drawn, mode)

    each()


def _analysed(drawn: tuple[App, ...], mode: str) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        root = _repo(Path(scratch) / "r", drawn)
        infra = next(a for a in load_agents(root).agents if a.name == "review-infrastructure")
        report = run_for_agent(infra, root, git(root, "diff", "--cached", "HEAD"),
                               registry={"cdk-checkov": CdkCheckov(), "cdk-nag": CdkNag()},
                               tests=project_tests(Settings()))
    cdk = [h for h in report.health if h.name in CDK]
    assert [h.status for h in cdk] == ["failed", "failed"], cdk
    assert all(SAID[mode] in str(h.reason) for h in cdk), cdk  # the first app's failure
    ledger = Ledger().with_health(cdk)
    assert not ledger.complete
    _check({row.path: row.not_read for row in matrix(ledger)}, drawn)


@pytest.mark.timeout(120)
@settings(max_examples=2, deadline=None, derandomize=True,
          phases=(Phase.explicit, Phase.generate),  # a failure's review is not shrunk
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(sorted(MODES)).flatmap(apps))
def test_the_review_names_them_under_health_files(iac_env: Path, drawn: tuple[App, ...]
                                                  ) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        root = _repo(Path(scratch) / "r", drawn)
        done = review(root, "--staged", "--tests", "--json", "--fail-on", "never")
    assert done.returncode == 0, done.stderr[-2000:]
    health = json.loads(done.stdout)["health"]
    assert health["complete"] is False
    _check({row["path"]: row["not_read"] for row in health["files"]}, drawn)
