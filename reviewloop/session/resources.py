"""Deployed resources and live URLs for the handoff, read from the outputs files a deploy
leaves behind: `cdk deploy --outputs-file cdk-outputs.json`, a synthesized `cdk.out/`, and
`terraform output -json > terraform-outputs.json`. Which files is configurable
(`handoff_outputs`); none is ever run, only read, and only inside the repository."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from reviewloop.checks.secrets.scanner import redact

DEFAULT_SOURCES = ("cdk-outputs.json", "cdk.out", "terraform-outputs.json")
HIDDEN = "(sensitive: not shown)"
_URL = re.compile(r"^https?://\S+$")
_STACK = "aws:cloudformation:stack"


class Deployed(BaseModel):
    """One output: where it was read, what kind of file said so, its name and value."""

    model_config = ConfigDict(extra="ignore")

    source: str
    kind: str
    name: str
    value: str

    @property
    def is_url(self) -> bool:
        return bool(_URL.match(self.value))


def read_outputs(root: Path, sources: Iterable[str] = ()) -> tuple[list[Deployed], list[str]]:
    """(outputs, problems) from the configured sources, or the default ones when none is."""
    found: list[Deployed] = []
    problems: list[str] = []
    configured = tuple(sources)
    for source in configured or DEFAULT_SOURCES:
        path = root / source
        if not path.exists():
            if configured:
                problems.append(f"{source}: not found (configured in handoff_outputs)")
            continue
        if not path.resolve().is_relative_to(root.resolve()):
            problems.append(f"{source}: leads outside the repository; not read")
            continue
        try:
            found += _read(path, source)
        except (OSError, ValueError, AttributeError, TypeError) as exc:
            problems.append(f"{source}: not an outputs file reviewloop reads ({exc})")
    return found, problems


def _read(path: Path, source: str) -> list[Deployed]:
    if path.is_dir():
        return _cdk_out(path, source)
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError("expected a JSON object")
    if all(isinstance(v, dict) and "value" in v for v in data.values()):
        return [_item(source, "Terraform output", name, v["value"], v.get("sensitive"))
                for name, v in data.items()]
    return [_item(source, "CDK stack output", f"{stack}.{key}", value, False)
            for stack, outputs in data.items() for key, value in outputs.items()]


def _cdk_out(folder: Path, source: str) -> list[Deployed]:
    """Stacks a synthesized app would deploy, with the outputs they declare (values are
    known only after a deploy, so none is shown)."""
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    found = []
    for name, artifact in manifest.get("artifacts", {}).items():
        if artifact.get("type") != _STACK:
            continue
        template = folder / artifact.get("properties", {}).get("templateFile", "")
        declared: dict[str, Any] = {}
        if template.is_file() and template.resolve().is_relative_to(folder.resolve()):
            declared = json.loads(template.read_text(encoding="utf-8")).get("Outputs", {})
        where = artifact.get("environment", "unknown environment")
        outputs = ", ".join(declared) or "none declared"
        found.append(Deployed(source=source, kind="CDK stack (synthesized, not deployed)",
                              name=name, value=f"{where}; outputs: {outputs}"))
    return found


def _item(source: str, kind: str, name: str, value: Any, sensitive: Any) -> Deployed:
    shown = HIDDEN if sensitive else redact(value if isinstance(value, str)
                                            else json.dumps(value))
    return Deployed(source=source, kind=kind, name=name, value=shown)
