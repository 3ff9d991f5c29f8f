"""What a new spec is written against: the steering files and the specs that already exist."""

from __future__ import annotations

from pathlib import Path

from reviewloop.checks.secrets.scanner import redact
from reviewloop.policy.sensitive import is_sensitive
from reviewloop.spec.loader import confined
from reviewloop.spec.steering import Inclusion, load_steering
from reviewloop.spec.steering_set import check_steering, with_references

_SPEC_GLOBS = (".kiro/specs/*/requirements.md", "specs/*/spec.md", "docs/*-spec.md")
_BUDGET = 24_000  # characters of context per prompt; the rest is named, not quoted
_PER_FILE = 4_000


def gather(root: Path) -> str:
    """Steering bodies (not `manual` ones) and the heads of existing specs, redacted."""
    parts: list[str] = []
    folder = root / ".kiro" / "steering"
    steering = with_references(load_steering(folder), folder, is_sensitive)
    check_steering(steering)  # one linked out of the repository, or a broken front matter
    for item in steering:
        if item.inclusion is not Inclusion.MANUAL and item.body.strip():
            parts.append(f"### Steering: {item.name}\n\n{item.body.strip()[:_PER_FILE]}")
    for pattern in _SPEC_GLOBS:
        for path in sorted(root.glob(pattern)):
            text = confined(path, root).read_text(encoding="utf-8", errors="replace")
            parts.append(f"### Existing spec: {path.relative_to(root).as_posix()}\n\n"
                         f"{text.strip()[:_PER_FILE]}")
    return redact(_within_budget(parts))


def _within_budget(parts: list[str]) -> str:
    kept: list[str] = []
    used = 0
    for part in parts:
        if used + len(part) > _BUDGET:
            kept.append(f"(and {len(parts) - len(kept)} more context file(s), left out)")
            break
        kept.append(part)
        used += len(part)
    return "\n\n".join(kept)
