"""A failed (or skipped) check of checkov's JSON report as a finding, on the file and
resource of the repository it names."""

from __future__ import annotations

from typing import Any

from reviewloop.checks.analyzers.base import AnalyzerContext, short_title
from reviewloop.checks.analyzers.iac_severity import severity_of
from reviewloop.checks.paths import repo_path
from reviewloop.findings.schema import Finding

NAME = "checkov"
CONFIDENCE = 0.7


def finding(check: dict[str, Any], ctx: AnalyzerContext) -> Finding:
    start, end = (check.get("file_line_range") or [1, 1])[:2]
    start = max(1, start)
    severity, rated = severity_of(check["check_id"], check.get("severity"))
    file = file_of(check, ctx)
    resource = resource_of(check, file)
    rationale = f"checkov {check['check_id']} failed for {resource or 'the file'}: " \
        f"{check['check_name']}. {rated}".rstrip()
    if check.get("guideline"):
        rationale += f" See {check['guideline']}"
    return Finding(
        severity=severity,
        file=file, start_line=start, end_line=max(start, end),
        title=short_title(check["check_name"]), rationale=rationale,
        confidence=CONFIDENCE, agent=ctx.agent, source=NAME, rule=check["check_id"],
        symbol=resource or None)


def resource_of(check: dict[str, Any], file: str) -> str:
    """What the check is about, by the file's name in the repository: checkov names a
    Dockerfile's instruction after the path it was given (`/tmp/x/Dockerfile.FROM`, and
    `/tmp/x/Dockerfile.` for the whole file; `/3/Dockerfile.FROM` in a folder it was given
    with `-d`), which is a temporary checkout's, the reviewer's machine's or a view's,
    never the reader's."""
    resource = str(check.get("resource") or "")
    for where in (str(check.get("file_abs_path") or ""), str(check.get("file_path") or "")):
        if where and resource.startswith(where):
            rest = resource[len(where):]
            return file + ("" if rest == "." else rest)
    return resource


def file_of(check: dict[str, Any], ctx: AnalyzerContext) -> str:
    """The scanned file the check names: checkov writes `file_path` as `/main.tf` for some
    frameworks and `main.tf` for others, so match it against the files it was given. A
    Kustomize build's graph check names the manifest checkov rendered in a temporary folder
    as `file_abs_path`, and the build's kustomization file, which it reports, as `file_path`."""
    rendered = str(check.get("file_path") or "")
    if rendered.startswith(f"{ctx.root}/") and not str(check.get("file_abs_path") or "") \
            .startswith(f"{ctx.root}/"):
        return repo_path(ctx.root, rendered)
    if check.get("file_abs_path"):
        return repo_path(ctx.root, check["file_abs_path"])
    named = str(check.get("file_path", "")).lstrip("/")
    return next((p for p in ctx.files if p == named or p.endswith("/" + named)), named)
