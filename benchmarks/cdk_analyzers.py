"""Never worse than the plain tools: the CDK layer as a review reports it vs cdk synth + checkov
+ cdk-nag alone, per rule, and how many findings land on a line of the app's own source.

    python benchmarks/cdk_analyzers.py [--cache DIR]

Material: the stacks in `benchmarks/data/cdk_apps/` (public aws-cdk-examples apps, each file
names its source; `benchmarks/data/SOURCES.md`) and the test suite's fixture stack. Each
becomes `lib/app-stack.ts` of the fixture CDK app (tests/fixtures/node/cdk-app: aws-cdk-lib,
the CDK CLI and cdk-nag from its lockfile), added by one change to a real git repository:

* wrapped — what a review reports: the `cdk-checkov` and `cdk-nag` analyzers through
  `run_for_agent` (synth in the sandbox, findings mapped to source lines), on the changed
  lines and outside them (out-of-scope findings are still reported);
* plain — `cdk synth` as a user runs it with cdk-nag's `AwsSolutionsChecks` added the
  documented way (`Validations.of(app).addPlugins(...)`, its `validation-report.json`), and
  plain `checkov --framework cloudformation` on the templates.

A finding is (rule, construct path). Per rule: recall (plain findings the review reports too)
and precision (review findings the plain tools report too), and the share of the review's
findings placed on a line of `lib/app-stack.ts` (the rest fall back to `bin/app.ts`). A
violation the app acknowledges is left out of the comparison: plain cdk-nag drops it, the
review reports it marked, and the trust rules decide whether it counts. The apps
are split by a hash of their name into a tuning half and a report half (both printed).
Exit 1 when the wrapped layer is worse than the plain tools on a rule of the report half.
Needs npm (the fixture's packages, cached) and checkov (provisioned, or PyPI reachable).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

from reviewloop.checks.analyzers.provision import TOOLS, home, install  # noqa: E402
from reviewloop.checks.gates.commands import ProjectTests  # noqa: E402
from reviewloop.review.definitions import AgentDefinition  # noqa: E402
from reviewloop.review.evidence import run_for_agent  # noqa: E402
from reviewloop.sandbox.bubblewrap import Sandbox  # noqa: E402
from tests.support.cdk_app import CHANGED_STACK, STACK_FILE, cdk_repo  # noqa: E402

APPS = _HERE / "data" / "cdk_apps"
PATH = re.compile(r"construct (\S+?)[ :(]")
NAG_RULE = re.compile(r"AwsSolutions-[A-Za-z]+\d+(?:\[[^\]]*\])?")
Finding = tuple[str, str]  # (rule, construct path)
PLAIN_BIN = """#!/usr/bin/env node
import * as cdk from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { AppStack } from '../lib/app-stack';

const app = new cdk.App();
cdk.Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
new AppStack(app, 'AppStack');
"""
BIN = PLAIN_BIN.replace("import { AwsSolutionsChecks } from 'cdk-nag';\n", "").replace(
    "cdk.Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));\n", "")


def apps() -> dict[str, str]:
    found = {path.stem: path.read_text() for path in sorted(APPS.glob("*.ts"))}
    return {**found, "reviewloop-fixture": CHANGED_STACK}


def split(name: str) -> str:
    return "tune" if hashlib.sha256(name.encode()).digest()[0] % 2 else "report"


def wrapped(root: Path, diff: str) -> tuple[set[Finding], int, int]:
    """The review's findings (changed lines and outside them) but those the app acknowledges
    (reported and marked: whether an acknowledgement counts is the trust rules' call, and plain
    cdk-nag drops them), then how many findings there were and how many sit in the stack."""
    agent = AgentDefinition(name="bench-cdk", prompt="x", analyzers=("cdk-checkov", "cdk-nag"),
                            include=("lib/**",))
    report = run_for_agent(agent, root, diff, tests=ProjectTests(sandbox=Sandbox()))
    if report.errors or report.missing:
        raise SystemExit(f"the CDK analyzers did not run: {report.errors or report.missing}")
    found, on_stack = set(), 0
    every = (*report.findings, *report.outside)
    for finding in every:
        match = PATH.search(finding.rationale)
        if "acknowledges it" not in finding.rationale:
            found.add((finding.rule or "", match.group(1) if match else "?"))
        on_stack += finding.file == STACK_FILE
    return found, len(every), on_stack


def plain(root: Path) -> set[Finding]:
    """cdk synth with cdk-nag added as its README says, then checkov on the templates."""
    (root / "bin/app.ts").write_text(PLAIN_BIN)
    out = root / "plain.out"
    subprocess.run([str(root / "node_modules/.bin/cdk"), "synth", "--no-lookups", "--quiet",
                    "--no-notices", "--output", str(out)], cwd=root, capture_output=True,
                   text=True, check=False)
    found = set(_nag_report(out / "validation-report.json"))
    checkov = TOOLS["checkov"].command_in(home(TOOLS["checkov"]) or Path())
    done = subprocess.run([str(checkov), "-d", str(out), "--framework", "cloudformation",
                           "-o", "json", "--quiet", "--compact"], capture_output=True,
                          text=True, check=False)
    paths = _paths(out)
    for run in _as_list(json.loads(done.stdout or "[]")):
        for check in run.get("results", {}).get("failed_checks", []):
            logical = str(check.get("resource", "")).rsplit(".", 1)[-1]
            found.add((check["check_id"], paths.get(logical, logical)))
    return found


def _nag_report(report: Path) -> list[Finding]:
    try:
        data = json.loads(report.read_text())
    except (OSError, ValueError):
        raise SystemExit(f"plain cdk-nag wrote no report at {report}") from None
    # cdk-nag's rules only (the CDK's own template validation reports too), one finding per
    # rule and construct; a granular `AwsSolutions-IAM5[Resource::*]` is a finding of its own
    return [(rule[0], c.get("constructPath", ""))
            for plugin in data.get("pluginReports", [])
            for v in plugin.get("violations", [])
            if (rule := NAG_RULE.match(str(v.get("ruleName", "")))) is not None
            for c in v.get("violatingConstructs", [])]


def _paths(out: Path) -> dict[str, str]:
    """Logical id → construct path, from the templates' `aws:cdk:path` metadata."""
    paths = {}
    for template in out.glob("*.template.json"):
        for logical, resource in json.loads(template.read_text()).get("Resources", {}).items():
            path = (resource.get("Metadata") or {}).get("aws:cdk:path")
            if path:
                paths[logical] = path
    return paths


def _as_list(data: object) -> list[dict]:
    return data if isinstance(data, list) else [data] if isinstance(data, dict) else []


def measure(name: str, stack: str, folder: Path) -> dict[str, object]:
    root = cdk_repo(folder / name)
    (root / "bin/app.ts").write_text(BIN)  # env-agnostic, like the public apps
    subprocess.run(["git", "commit", "-qam", "env-agnostic"], cwd=root, check=True)
    (root / STACK_FILE).write_text(stack)
    diff = subprocess.run(["git", "diff"], cwd=root, capture_output=True, text=True,
                          check=True).stdout
    ours, total, on_stack = wrapped(root, diff)
    theirs = plain(root)
    shutil.rmtree(root / "node_modules", ignore_errors=True)  # the cache's hard links only
    return {"ours": ours, "theirs": theirs, "total": total, "on_stack": on_stack}


def table(results: dict[str, dict], half: str) -> list[str]:
    """Print one half's per-rule figures; return the rules where wrapped is worse."""
    ours: dict[str, set] = defaultdict(set)
    theirs: dict[str, set] = defaultdict(set)
    on_stack = total = 0
    for name, r in results.items():
        if split(name) != half:
            continue
        for rule, path in r["ours"]:
            ours[rule].add((name, path))
        for rule, path in r["theirs"]:
            theirs[rule].add((name, path))
        on_stack, total = on_stack + r["on_stack"], total + r["total"]
    print(f"\n{half} half ({', '.join(n for n in results if split(n) == half)}):")
    print(f"  {'rule':<26} {'plain':>5} {'wrapped':>7} {'recall':>6} {'precision':>9}")
    worse = []
    for rule in sorted(set(ours) | set(theirs)):
        both = len(ours[rule] & theirs[rule])
        recall = both / len(theirs[rule]) if theirs[rule] else 1.0
        precision = both / len(ours[rule]) if ours[rule] else 1.0
        print(f"  {rule:<26} {len(theirs[rule]):>5} {len(ours[rule]):>7} {recall:>6.2f} "
              f"{precision:>9.2f}")
        if recall < 1.0 or precision < 1.0:
            worse.append(rule)
    print(f"  on a line of the app's source: {on_stack}/{total}")
    return worse


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, help="a tools folder to use (else the default)")
    args = parser.parse_args()
    if args.cache:
        os.environ["REVIEWLOOP_TOOLS_DIR"] = str(args.cache)
    install(TOOLS["checkov"])
    with tempfile.TemporaryDirectory(prefix="reviewloop-cdk-bench-") as folder:
        results = {name: measure(name, stack, Path(folder)) for name, stack in apps().items()}
    table(results, "tune")
    worse = table(results, "report")
    print(f"\nnever worse than the plain tools on the report half: "
          f"{'yes' if not worse else 'NO: ' + ', '.join(worse)}")
    return 1 if worse else 0


if __name__ == "__main__":
    sys.exit(main())
