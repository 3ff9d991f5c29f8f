"""A Kubernetes manifest or a CloudFormation template under a suffix checkov's runners never
open: named, not silent (`unopened`).

checkov opens a manifest or a template only by its suffix, `.yaml`, `.yml`, `.json` (and
`.template`, CloudFormation's; a manifest named so is `checkov_skips`'): `kubectl apply -f
k8s/pod.manifest` applies any name, and `aws cloudformation deploy --template-file
stack.cfn` deploys one, and a template (`pod.yaml.j2`, `pod.yml.tpl`, `.gotmpl`) becomes one.
A changed file of no language (`git.languages.by_name`) whose text is one — its first line
of content a top-level key (or JSON's `{`), with `apiVersion:` and `kind:` at the top level,
or `AWSTemplateFormatVersion`, or `Resources:` holding an `AWS::` type — is claimed by
checkov and named as not read by it, the review incomplete. Documentation (`.md`, `.rst`…)
is not a manifest whatever it quotes, a `Kustomization` is rendered, not named, and a file
parked under a suffix that switches it off (`deny.yaml.off`, `pod.yaml.bak`, `~`) is no
manifest anything applies.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from reviewloop.checks.analyzers.checkov_skips import SUFFIXES
from reviewloop.checks.analyzers.dockerfile_builds import BuiltDockerfiles
from reviewloop.checks.analyzers.kustomize_render import NAMES as KUSTOMIZATIONS
from reviewloop.git.languages import by_name
from reviewloop.git.names import name_suffix, posix_name, under
from reviewloop.git.reads import derived

_MAX_READ = 1_000_000  # a larger file is not looked at
_DOCUMENTS = (".md", ".markdown", ".rst", ".adoc", ".html", ".htm", ".tex", ".org")
# a suffix that parks a file (switched off, kept aside, an example to copy): nothing deploys
# `deny.yaml.off` or `pod.yaml.bak`, so checkov not reading it leaves nothing unchecked
PARKED = (".off", ".disabled", ".disable", ".bak", ".backup", ".orig", ".old", ".save",
          ".rej", ".tmp", ".swp", ".example", ".sample", ".dist")
# a line that holds no content: blank, a comment, a document marker, a template's tag
_NO_CONTENT = re.compile(r"^\s*(?:#.*|---.*|\.\.\.|\{\{.*|\{%.*|\{#.*)?$")
_TOP_KEY = re.compile(r"^(?:[A-Za-z_][\w.-]*|\"[^\"]+\"|'[^']+')[ \t]*:(?:[ \t]|$)|^\{")
# a top-level key: unindented in YAML, quoted anywhere in JSON
_K8S = tuple(re.compile(rf"^(?:[\"']?{key}[\"']?|[ \t{{]*\"{key}\")[ \t]*:", re.MULTILINE)
             for key in ("apiVersion", "kind"))
_CFN_VERSION = re.compile(r"^[\s{]*\"?AWSTemplateFormatVersion\"?\s*:", re.MULTILINE)
_CFN_RESOURCES = re.compile(r"^[\s{]*\"?Resources\"?\s*:", re.MULTILINE)
_CFN_TYPE = re.compile(r"\"?Type\"?\s*:\s*[\"']?AWS::")
WHY = ("it holds a {kind}, but checkov's runners open only {suffixes} files and this one "
       "{ends}: checkov never read it; fix: name it with one of those suffixes (a template: "
       "review its rendered form)")


def unopened(root: Path, paths: Sequence[str]) -> dict[str, str]:
    """{path: why} for each of the changed `paths` that is a manifest or a template under a
    suffix checkov's runners never open (in a review's batch, found once)."""
    if not paths:
        return {}
    return dict(derived(root, (__name__, tuple(paths)), lambda: tuple(
        (path, why) for path in paths if (why := _unopened(root, path)) is not None)))


def _unopened(root: Path, path: str) -> str | None:
    name = posix_name(path)  # no `PurePosixPath` a changed file (two each: 10,000 at 5,000)
    suffix = name_suffix(name)
    if suffix.lower() in SUFFIXES or suffix.lower() in _DOCUMENTS or by_name(name) is not None \
            or name in KUSTOMIZATIONS:  # `Kustomization`: rendered (`kustomize_render`)
        return None
    if suffix.lower() in PARKED or name.endswith("~"):
        return None
    try:
        with under(root, path).open("rb") as handle:
            raw = handle.read(_MAX_READ)
    except OSError:
        return None
    if b"\0" in raw:
        return None
    text = raw.decode("utf-8", "replace")
    kind = _kind(text)
    if kind is None:
        return None
    quoted = [f"`{s}`" for s in SUFFIXES]
    ends = f"ends `{suffix}`" if suffix else "has no suffix"
    return WHY.format(kind=kind, suffixes=f"{', '.join(quoted[:-1])} and {quoted[-1]}",
                      ends=ends)


def _kind(text: str) -> str | None:
    """`Kubernetes manifest`, `CloudFormation template` or None by the text."""
    first = next((line for line in text.splitlines() if not _NO_CONTENT.match(line)), "")
    if not _TOP_KEY.match(first):
        return None
    if all(pattern.search(text) for pattern in _K8S):
        return "Kubernetes manifest"
    if _CFN_VERSION.search(text) or (_CFN_RESOURCES.search(text) and _CFN_TYPE.search(text)):
        return "CloudFormation template"
    return None


class CheckovClaims(BuiltDockerfiles):
    """checkov's claims: the Dockerfiles the repository builds, and the manifests and
    templates under a suffix its runners never open (named as not read)."""

    def claims(self, root: Path, path: str) -> bool:
        return super().claims(root, path) or path in unopened(root, [path])

    def claimed(self, root: Path, paths: Sequence[str]) -> list[str]:
        return list(dict.fromkeys([*super().claimed(root, paths), *unopened(root, paths)]))
