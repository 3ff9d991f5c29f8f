"""What a new spec is written against: the steering files and the specs that already exist."""

from __future__ import annotations

from fnmatch import fnmatchcase
from pathlib import Path

from reviewloop.checks.secrets.scanner import redact
from reviewloop.policy.sensitive import is_sensitive
from reviewloop.spec.loader import confined, read_document, read_text
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
    for path in _existing_specs(root):
        text = _spec_text(path, root)
        parts.append(f"### Existing spec: {path.relative_to(root).as_posix()}\n\n"
                     f"{text.strip()[:_PER_FILE]}")
    return redact(_within_budget(parts))


def _existing_specs(root: Path) -> list[Path]:
    """The specs `_SPEC_GLOBS` name, a dangling link among them too (a glob's literal last
    name skips one, as if the spec were not there)."""
    found: list[Path] = []
    for pattern in _SPEC_GLOBS:
        folders, _, name = pattern.rpartition("/")
        found += sorted(p for p in root.glob(f"{folders}/*") if fnmatchcase(p.name, name))
    return found


def _spec_text(path: Path, root: Path) -> str:
    """An existing spec's text: a Kiro or Spec Kit document as a run reads it (one that is a
    dangling link, a folder, a FIFO or not UTF-8 is refused by name, never opened or sent
    altered), a single-document spec as its tasks are read (a Latin-1 byte shows as `�`)."""
    if path.name.endswith("-spec.md"):
        return read_text(confined(path, root))
    return read_document(path, root) or ""


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
