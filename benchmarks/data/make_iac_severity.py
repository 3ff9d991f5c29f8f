"""Build reviewloop/checks/data/iac_severity.json: a published severity for each checkov check
id, with where it comes from.

checkov without a Prisma Cloud key reports no severity, so reviewloop reads a severity table
a user can look up:

1. **trivy-checks** (aquasecurity/trivy-checks, MIT) for cloud and Kubernetes checks: every
   check states its severity in its METADATA (`severity: HIGH`), published on
   https://avd.aquasec.com/misconfig/<id>, and ships `bad` and `good` examples (Terraform,
   CloudFormation, Kubernetes). trivy-checks names no checkov id, so the cross-walk is
   measured: checkov runs on every example, and a check id that fails on one of a trivy
   check's `bad` examples and on none of its `good` ones is that check's misconfiguration.
   Where several trivy checks claim a check id, the most specific one (fewest check ids
   claimed) gives the severity, ties going to the milder (`BY_TITLE` adds the rows a trivy
   check's title names but its examples do not exercise). Its Dockerfile checks are left out:
   they grade build hygiene as high as exposure (a deprecated MAINTAINER is HIGH, two
   ENTRYPOINTs CRITICAL), and measured against hadolint's rules the cross-walk is noisy.
2. **Prisma Cloud's policy reference** (the severity the same checkov id carries in Palo Alto
   Networks' published docs, hlxsites/prisma-cloud-docs
   `docs/en/enterprise-edition/policy-reference`), as extracted by
   webmutation/checkov-oss-severity-mappings (`mappings/checkov_severity_mapping_detailed.json`,
   which names the source page of every row): used for a checkov id trivy-checks has no
   counterpart for. Not the first source because it rates exposure below hygiene: a
   security group open to the world on SSH (CKV_AWS_24) is INFO there, as is VPC flow logging.

Each row: [severity, source, reference, prisma severity or null]. The review maps
CRITICAL/HIGH to must_fix and everything else to should_fix
(`reviewloop.checks.analyzers.iac_severity`).

    python benchmarks/data/make_iac_severity.py --trivy-checks DIR --prisma FILE

DIR is a clone of aquasecurity/trivy-checks (a bare one will do: files are read with
`git show`), FILE the mapping JSON above. Needs checkov (`reviewloop tools install
checkov`). No network.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent.parent))

from reviewloop.checks.analyzers.provision import TOOLS, locate  # noqa: E402

OUT = _HERE.parent.parent / "reviewloop" / "checks" / "data" / "iac_severity.json"
# trivy example framework → (checkov framework, file name of an example)
FRAMEWORKS = {"terraform": ("terraform", "main.tf"),
              "cloudformation": ("cloudformation", "template.yaml"),
              "kubernetes": ("kubernetes", "manifest.yaml")}
_METADATA = re.compile(r"^# METADATA\n((?:#.*\n)+)", re.MULTILINE)
LEVELS = ("CRITICAL", "HIGH", "MEDIUM", "LOW", "INFO")
# Cross-walk rows the examples cannot measure, each from the trivy check's own title: its
# examples open SSH only, and its title is "Security groups should not allow unrestricted
# ingress to SSH or RDP from any IP address".
BY_TITLE = {"CKV_AWS_25": "AWS-0107"}
# checkov ids of frameworks reviewloop's checkov does not run (secrets, SAST, OpenAPI)
_ELSEWHERE = re.compile(r"^CKV\d?_(SECRET|SAST|OPENAPI)_")


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True,
                          check=True).stdout


def trivy_checks(repo: Path) -> dict[str, dict[str, Any]]:
    """id → {severity, title, examples (framework → {bad, good})} of every trivy check with
    examples."""
    found = {}
    for path in git(repo, "ls-tree", "-r", "--name-only", "HEAD", "checks").splitlines():
        if not path.endswith(".rego") or path.endswith("_test.rego"):
            continue
        match = _METADATA.search(git(repo, "show", f"HEAD:{path}"))
        if match is None:
            continue
        meta = yaml.safe_load("\n".join(line[2:] for line in match[1].splitlines()))
        custom = meta.get("custom") or {}
        examples = custom.get("examples")
        if not examples or not custom.get("id") or custom.get("deprecated"):
            continue
        try:
            data = yaml.safe_load(git(repo, "show", f"HEAD:{examples}")) or {}
        except subprocess.CalledProcessError:
            continue
        found[str(custom["id"])] = {"severity": str(custom.get("severity", "")).upper(),
                                    "title": meta.get("title", ""), "rule": path,
                                    "examples": {k: v for k, v in data.items()
                                                 if k in FRAMEWORKS and isinstance(v, dict)}}
    return found


def write_examples(checks: dict[str, dict[str, Any]], root: Path) -> dict[Path, tuple]:
    """Each example in a folder of its own: folder → (trivy id, framework, bad|good)."""
    where = {}
    for check_id, check in checks.items():
        for framework, sides in check["examples"].items():
            for side in ("bad", "good"):
                for n, text in enumerate(sides.get(side) or []):
                    folder = root / check_id / framework / f"{side}{n}"
                    folder.mkdir(parents=True)
                    (folder / FRAMEWORKS[framework][1]).write_text(str(text) + "\n")
                    where[folder] = (check_id, framework, side)
    return where


def checkov_fails(root: Path) -> dict[Path, set[str]]:
    """folder → the checkov ids that fail there (one run over all the examples)."""
    executable = locate(TOOLS["checkov"])
    if executable is None:
        raise SystemExit("checkov is not installed: reviewloop tools install checkov")
    frameworks = sorted({f for f, _ in FRAMEWORKS.values()})
    done = subprocess.run([str(executable), "-d", str(root), "--framework", *frameworks,
                           "-o", "json", "--quiet", "--compact", "--skip-download"],
                          capture_output=True, text=True, check=False,
                          env={"BC_SKIP_MAPPING": "TRUE", "PATH": "/usr/bin:/bin",
                               "CKV_SKIP_PACKAGE_UPDATE_CHECK": "true"})
    report = json.loads(done.stdout or "[]")
    fails: dict[Path, set[str]] = defaultdict(set)
    for run in report if isinstance(report, list) else [report]:
        for check in (run.get("results") or {}).get("failed_checks") or []:
            path = Path(check.get("file_abs_path") or root / check["file_path"].lstrip("/"))
            fails[path.parent].add(check["check_id"])
    return fails


def crosswalk(where: dict[Path, tuple], fails: dict[Path, set[str]]) -> dict[str, set[str]]:
    """trivy id → the check ids failing on one of its bad examples and none of its good."""
    bad: dict[str, set[str]] = defaultdict(set)
    good: dict[str, set[str]] = defaultdict(set)
    for folder, (check_id, _, side) in where.items():
        (bad if side == "bad" else good)[check_id] |= fails.get(folder, set())
    return {t: bad[t] - good[t] for t in bad if bad[t] - good[t]}


def choose(claims: dict[str, set[str]], checks: dict[str, dict[str, Any]]
           ) -> dict[str, tuple[str, str]]:
    """check id → (severity, trivy id): the most specific claim, ties to the milder."""
    by_check: dict[str, list[str]] = defaultdict(list)
    for trivy_id, ids in claims.items():
        for check_id in ids:
            by_check[check_id].append(trivy_id)
    chosen = {}
    for check_id, candidates in by_check.items():
        best = min(candidates, key=lambda t: (len(claims[t]),
                                              -LEVELS.index(checks[t]["severity"])
                                              if checks[t]["severity"] in LEVELS else 0, t))
        chosen[check_id] = (checks[best]["severity"], best)
    return chosen


def prisma(path: Path) -> dict[str, tuple[str, str]]:
    rows = json.loads(path.read_text())
    out = {}
    for row in rows:
        level = str(row.get("severity") or "").upper()
        if level in LEVELS and row.get("checkov_id"):
            out.setdefault(row["checkov_id"], (level, str(row.get("source_file", ""))))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trivy-checks", type=Path, required=True)
    parser.add_argument("--prisma", type=Path, required=True)
    parser.add_argument("--prisma-commit", default="", help="the mapping repository's commit")
    args = parser.parse_args()
    checks = trivy_checks(args.trivy_checks)
    with tempfile.TemporaryDirectory(prefix="iac-severity-") as tmp:
        where = write_examples(checks, Path(tmp))
        fails = checkov_fails(Path(tmp))
        where = {f.resolve(): v for f, v in where.items()}
        fails = {f.resolve(): v for f, v in fails.items()}
        claims = crosswalk(where, fails)
    trivy = choose(claims, checks)
    trivy.update({c: (checks[t]["severity"], t) for c, t in BY_TITLE.items() if t in checks})
    published = prisma(args.prisma)
    rows = {}
    for check_id in sorted(c for c in set(trivy) | set(published) if not _ELSEWHERE.match(c)):
        from_prisma = published.get(check_id)
        if check_id in trivy:
            level, ref = trivy[check_id]
            rows[check_id] = [level, "trivy-checks", f"AVD-{ref}",
                              from_prisma[0] if from_prisma else None]
        elif from_prisma is not None:
            rows[check_id] = [from_prisma[0], "prisma-cloud-docs",
                              from_prisma[1].rsplit("/", 1)[-1], from_prisma[0]]
    commit = git(args.trivy_checks, "rev-parse", "HEAD").strip()
    table = {
        "about": "A published severity per check id: [severity, source, reference, Prisma "
                 "Cloud's severity or null]. Built by benchmarks/data/make_iac_severity.py; "
                 "see its docstring for how.",
        "sources": {
            "trivy-checks": f"https://github.com/aquasecurity/trivy-checks at {commit} (MIT); "
                            "a reference AVD-<id> is https://avd.aquasec.com/misconfig/<id>",
            "prisma-cloud-docs": "https://github.com/hlxsites/prisma-cloud-docs "
                                 "docs/en/enterprise-edition/policy-reference/**/<reference>, "
                                 "via webmutation/checkov-oss-severity-mappings "
                                 f"{args.prisma_commit}".rstrip()},
        "checks": rows,
    }
    lines = [f"  {json.dumps(k)}: {json.dumps(v)}" for k, v in rows.items()]
    head = json.dumps({k: v for k, v in table.items() if k != "checks"}, indent=1)[:-2]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(head + ',\n "checks": {\n' + ",\n".join(lines) + "\n }\n}\n")
    print(f"{len(rows)} check ids: {sum(r[1] == 'trivy-checks' for r in rows.values())} from "
          f"trivy-checks ({len(claims)} trivy checks matched), the rest from Prisma Cloud")
    return 0


if __name__ == "__main__":
    sys.exit(main())
