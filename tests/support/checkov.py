"""Helpers shared by several test modules (from test_checkov.py)."""

from __future__ import annotations

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
