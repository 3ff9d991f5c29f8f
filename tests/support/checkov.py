"""Helpers shared by several test modules (from test_checkov.py)."""

from __future__ import annotations

DOCKERFILE = "FROM python:latest\nRUN pip install flask\nADD app.py /app.py\n" \
             'CMD ["python", "/app.py"]\n'


BUCKET = 'resource "aws_s3_bucket" "{name}" {{\n  bucket = "{name}"\n  acl    = "public-read"\n}}\n'
