"""Real reviews of a change in a project whose own tool config (ruff, shellcheck, hadolint)
switches rules on: the base holds the config, the change adds or edits the files it judges
(and, for the twins, the config itself)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from tests.support.gitutil import git
from tests.support.repos import commit, init_repo
from tests.support.review_cli import review

BUCKETS = ("remaining", "nits", "out_of_scope", "suppressed")


def reviewed(root: Path, base: Mapping[str, str], change: Mapping[str, str], *,
             local: bool = False) -> dict[str, Any]:
    """The JSON report of the change `change` on `base`: a pull request (`--base main
    --head feature`), or with `local` the user's own uncommitted change."""
    init_repo(root, {"README.md": "base\n", **base})
    git(root, "checkout", "-qb", "feature")
    if local:
        for path, text in change.items():
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_text(text, encoding="utf-8")
        git(root, "add", "-A")  # the user's own change, staged (new files are seen)
        done = review(root, "--fail-on", "never", "--json")
    else:
        commit(root, dict(change), "the change")
        done = review(root, "--base", "main", "--head", "feature", "--fail-on", "never",
                      "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    return dict(json.loads(done.stdout))


def found(report: dict[str, Any], source: str, path: str) -> dict[tuple[str, int], str]:
    """{(rule, line): bucket} of the findings of the sources starting with `source` on
    `path` (the first bucket that has it)."""
    rules: dict[tuple[str, int], str] = {}
    for bucket in BUCKETS:
        for entry in report["findings"].get(bucket, []):
            finding = entry.get("finding", entry)
            if finding["file"] == path and str(finding["source"]).startswith(source):
                rules.setdefault((finding["rule"], finding["start_line"]), bucket)
    return rules


def shown(report: dict[str, Any], source: str, path: str) -> set[str]:
    """The rules of `source` reported on `path` for the author to act on (remaining, nits)."""
    return {rule for (rule, _), bucket in found(report, source, path).items()
            if bucket in ("remaining", "nits")}


def severity(report: dict[str, Any], rule: str, path: str) -> str | None:
    """The severity of the first finding of `rule` on `path`."""
    for bucket in BUCKETS:
        for entry in report["findings"].get(bucket, []):
            finding = entry.get("finding", entry)
            if finding["file"] == path and finding["rule"] == rule:
                return str(finding["severity"])
    return None
