"""Helpers shared by several test modules (from test_checkov.py)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

DOCKERFILE = "FROM python:latest\nRUN pip install flask\nADD app.py /app.py\n" \
             'CMD ["python", "/app.py"]\n'


BUCKET = 'resource "aws_s3_bucket" "{name}" {{\n  bucket = "{name}"\n  acl    = "public-read"\n}}\n'
# a pull_request_target workflow that checks out and echoes the PR's own text
WORKFLOW = """on: pull_request_target
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          ref: ${{ github.event.pull_request.head.sha }}
      - run: echo "${{ github.event.pull_request.title }}"
"""


def plain_checkov(tools: Path, folder: Path, *args: str) -> list[dict[str, Any]]:
    """The failed checks of plain `checkov -d .` run in `folder` as its users run it (the
    cached checkov of `tools`, the `iac_env` folder; offline, JSON out), each report's
    `check_type` added to its checks: the oracle a review is compared with."""
    from reviewloop.checks.analyzers.checkov import QUIET_ENV
    from reviewloop.checks.analyzers.provision import TOOLS

    tool = TOOLS["checkov"]
    done = subprocess.run(
        [str(tool.command_in(tools / tool.folder)), "-d", ".", "--compact", "--skip-download",
         "-o", "json", *args],
        cwd=folder, capture_output=True, text=True, timeout=600, check=False,
        env={**os.environ, **QUIET_ENV})
    assert done.returncode in (0, 1), done.stderr[-2000:]
    reports = json.loads(done.stdout or "[]")
    return [{**check, "check_type": report.get("check_type")}
            for report in (reports if isinstance(reports, list) else [reports])
            for check in (report.get("results") or {}).get("failed_checks") or []]
