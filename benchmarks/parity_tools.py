"""The three tools of `benchmarks/parity.py`: how a row of `data/parity/<tool>.jsonl` becomes
files, how the plain tool is run as its documentation says, how reviewloop's layer is run as
a review runs it, and how each side's output counts for a row.

A side's output for one row is a `Score` (positives, flagged, hits): for shellcheck and
checkov each case is one label (flagged: the check's code, or its id on that resource, is
reported); for bandit a row is an example file whose label is bandit's own functional test:
how many issues, by confidence — flagged is every issue on the file, hits the expected
ones found (per confidence, at most the expected count).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reviewloop.checks.analyzers.checkov import QUIET_ENV
from reviewloop.checks.analyzers.provision import TOOLS, install, locate
from reviewloop.findings.schema import Finding
from reviewloop.review.definitions import AgentDefinition
from reviewloop.review.evidence import run_for_agent

Hits = set[tuple[str, ...]]  # what a side reported: (file, rule[, resource]) or bandit's below
CONFIDENCES = {0.9: "HIGH", 0.6: "MEDIUM", 0.3: "LOW"}  # reviewloop's bandit confidence back


@dataclass(frozen=True)
class Score:
    positives: int = 0
    flagged: int = 0
    hits: int = 0

    def __add__(self, other: Score) -> Score:
        return Score(self.positives + other.positives, self.flagged + other.flagged,
                     self.hits + other.hits)

    @property
    def recall(self) -> float:
        return self.hits / self.positives if self.positives else 1.0

    @property
    def precision(self) -> float | None:
        return self.hits / self.flagged if self.flagged else None

    def cell(self) -> str:
        p = "  —  " if self.precision is None else f"{self.precision:.3f}"
        return f"{self.recall:.3f}/{p}"


@dataclass(frozen=True)
class Tool:
    name: str
    analyzers: tuple[str, ...]  # reviewloop's, as the reviewers list them
    files: Callable[[dict[str, Any]], dict[str, str]]  # a row's files: name -> text
    plain: Callable[[Path, list[str]], Hits]  # (repository, case files) -> what it reports
    ours: Callable[[list[Finding]], Hits]
    score: Callable[[dict[str, Any], str, Hits], Score]  # (row, its folder, hits)
    provisioned: tuple[str, ...] = field(default=())


def folder(row: dict[str, Any]) -> str:
    return "cases/" + row["rule"].replace(".", "_")


def materialise(root: Path, rows: Iterable[dict[str, Any]], tool: Tool) -> list[str]:
    """Write every row's files under `cases/<rule>/`; the repository paths, in order."""
    written = []
    for row in rows:
        for name, text in tool.files(row).items():
            path = root / folder(row) / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            written.append(f"{folder(row)}/{name}")
    return written


def reviewloop_hits(tool: Tool, root: Path, diff: str) -> Hits:
    agent = AgentDefinition(name=f"parity-{tool.name}", prompt="x", analyzers=tool.analyzers)
    report = run_for_agent(agent, root, diff)
    if report.errors or report.missing:
        raise SystemExit(f"{tool.name} did not run: {report.errors or report.missing}")
    return tool.ours(report.findings)


def _run(argv: list[str], root: Path, ok: tuple[int, ...], env: dict[str, str] | None = None
         ) -> str:
    import os

    done = subprocess.run(argv, cwd=root, capture_output=True, text=True, check=False,
                          env={**os.environ, **(env or {})})
    if done.returncode not in ok:
        raise SystemExit(f"{argv[0]} failed ({done.returncode}): {done.stderr[-2000:]}")
    return done.stdout


def _executable(name: str) -> str:
    install(TOOLS[name])
    found = locate(TOOLS[name])
    if found is None:
        raise SystemExit(f"{name} is not installed: reviewloop tools install {name}")
    return str(found)


# bandit: `bandit -r .` (its README), JSON for reading ------------------------------------

def _bandit_plain(root: Path, _files: list[str]) -> Hits:
    report = json.loads(_run([sys.executable, "-m", "bandit", "-r", "cases", "-f", "json",
                              "-q"], root, (0, 1)))
    return {(str(Path(i["filename"])), i["test_id"], i["issue_confidence"], str(n))
            for n, i in enumerate(report["results"])}


def _bandit_ours(findings: list[Finding]) -> Hits:
    return {(f.file, f.rule or "", CONFIDENCES.get(f.confidence, "?"), str(n))
            for n, f in enumerate(findings)}


def _bandit_score(row: dict[str, Any], where: str, hits: Hits) -> Score:
    name = f"{where}/{next(iter(row['files']))}"
    found = Counter(confidence for file, _rule, confidence, _n in hits if file == name)
    expect = row["expect"]
    return Score(sum(expect.values()), sum(found.values()),
                 sum(min(n, found[c]) for c, n in expect.items()))


# shellcheck: `shellcheck script.sh` -----------------------------------------------------

def _shell_files(row: dict[str, Any]) -> dict[str, str]:
    return {f"c{i:03d}.sh": script + "\n" for i, (script, _label) in enumerate(row["cases"])}


def _shell_plain(root: Path, files: list[str]) -> Hits:
    report = json.loads(_run([_executable("shellcheck"), "-f", "json1", *files], root,
                             (0, 1)))
    return {(c["file"], f"SC{c['code']}") for c in report["comments"]}


def _shell_score(row: dict[str, Any], where: str, hits: Hits) -> Score:
    total = Score()
    for index, (_script, label) in enumerate(row["cases"]):
        flagged = any((f"{where}/c{index:03d}.sh", code) in hits for code in row["codes"])
        total += Score(int(label), int(flagged), int(label and flagged))
    return total


# checkov: `checkov -d .` -----------------------------------------------------------------

def _checkov_plain(root: Path, _files: list[str]) -> Hits:
    out = _run([_executable("checkov"), "-d", ".", "-o", "json"], root, (0, 1), QUIET_ENV)
    reports = json.loads(out)
    hits: Hits = set()
    for report in reports if isinstance(reports, list) else [reports]:
        results = report.get("results") or {}
        for check in [*(results.get("failed_checks") or []),
                      *(results.get("skipped_checks") or [])]:
            file = str(check.get("file_path", "")).lstrip("/")
            hits.add((str(Path(file).parent), check["check_id"], check["resource"]))
    return hits


def _checkov_ours(findings: list[Finding]) -> Hits:
    return {(str(Path(f.file).parent), f.rule or "", f.symbol or "") for f in findings}


def _checkov_score(row: dict[str, Any], where: str, hits: Hits) -> Score:
    total = Score()
    for resource, label in row["cases"]:
        flagged = (where, row["rule"], resource) in hits
        total += Score(int(label), int(flagged), int(label and flagged))
    return total


TOOLS_COMPARED = {
    "bandit": Tool("bandit", ("bandit",), lambda row: row["files"], _bandit_plain,
                   _bandit_ours, _bandit_score),
    "shellcheck": Tool("shellcheck", ("shellcheck-security", "shellcheck"), _shell_files,
                       _shell_plain, lambda fs: {(f.file, f.rule or "") for f in fs},
                       _shell_score, ("shellcheck",)),
    "checkov": Tool("checkov", ("checkov",), lambda row: row["files"], _checkov_plain,
                    _checkov_ours, _checkov_score, ("checkov",)),
}
