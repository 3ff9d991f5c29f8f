"""The unchanged Kubernetes manifests checkov's graph checks relate to a changed one.

checkov builds one graph of every manifest it reads in a run — with `checkov -d .`, the
whole tree, folders apart or not (`kubernetes/graph_builder/local_graph.py`) — and its
graph checks (CKV2_K8S_1-6) fail a RoleBinding or ClusterRoleBinding by the Role or
ClusterRole its `roleRef` names (by kind and name, any namespace) and a Pod, or the pod of
a Deployment's, StatefulSet's… template, that no NetworkPolicy's `podSelector` selects. So
widening a Role, or editing or deleting a NetworkPolicy, fails a binding or a pod in a file
the change did not touch, and a changed binding or pod is judged by a Role or a policy
elsewhere. The manifests a change relates to (`related`): for each manifest it writes,
deletes or renames (its documents as they are and as they were), the tree's other
manifests holding a binding of one of its roles, a role one of its bindings names, a pod
one of its policies selects or a policy selecting one of its pods; then the policies
selecting a pod found so (without them a pod another policy still covers would look bare).
A policy selects as checkov's edge builder has it (checked with checkov 3.3.30): by its
`matchLabels`, every pod when it has none (`podSelector: {}`, or `matchExpressions` only),
and none without a `podSelector` mapping. At most `MAX_RELATED` files: past it,
the changed manifests are named as not fully read.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reviewloop.checks.analyzers.checkov_related import Related, Source, walk
from reviewloop.git.diff import ChangeSet, FileDiff, FileStatus
from reviewloop.git.names import under
from reviewloop.git.reverse import base_text
from reviewloop.git.sizes import MAX_DIFFED_BYTES
from reviewloop.memo import compiled_on_first_use

MAX_RELATED = 200  # related manifests given to checkov with one change (see docs/analyzers.md)
KIND = "kubernetes"
ROLES = frozenset({"Role", "ClusterRole"})
BINDINGS = frozenset({"RoleBinding", "ClusterRoleBinding"})
POLICY = "NetworkPolicy"
# checkov's SUPPORTED_POD_CONTAINERS_TYPES: a pod is made of their `spec.template`
POD_MAKERS = frozenset({"Deployment", "DeploymentConfig", "DaemonSet", "Job", "ReplicaSet",
                        "ReplicationController", "StatefulSet"})
_SUFFIXES = (".yaml", ".yml", ".json")
# the prefilter: a file naming none of the kinds the graph checks relate is never parsed
_GRAPH_KIND = (rb"kind[\"']?\s*:\s*[\"']?(?:Pod|Deployment|DeploymentConfig|DaemonSet|Job|"
               rb"ReplicaSet|ReplicationController|StatefulSet|NetworkPolicy|Role|ClusterRole|"
               rb"RoleBinding|ClusterRoleBinding|List)\b")
_helm = compiled_on_first_use(r"\{\{-?\s*\.(?:Release|Values)\.")
EVERY = frozenset({("", "")})  # a selector that selects every pod
# a pod with no `labels` at all (not `labels: {}`): checkov's edge builder then connects it
# to every policy whose `podSelector` is not empty, `matchLabels` or not
UNLABELLED = frozenset({("\0", "\0")})
HOW = "related by checkov's Kubernetes graph to"  # a related finding's rationale says


@dataclass(frozen=True)
class Node:
    """What one document is to the graph checks: a role (`role`: its kind and name), a
    binding (`role_ref`), a pod (`labels`) or a policy (`selects`: its matchLabels, or
    `EVERY`)."""

    role: tuple[str, str] | None = None
    role_ref: tuple[str, str] | None = None
    labels: frozenset[tuple[str, str]] | None = None
    selects: frozenset[tuple[str, str]] | None = None

    def relates(self, other: Node) -> bool:
        return (self.role_ref is not None and self.role_ref == other.role) \
            or (other.role_ref is not None and other.role_ref == self.role) \
            or _selects(self, other) or _selects(other, self)


def related(root: Path, changes: ChangeSet, files: Iterable[str]) -> Related:
    """The unchanged manifests of the tree at `root` that the changed manifests among
    `files` (those the analyzer reads) and the ones `changes` deleted or renamed relate to
    (see the module docstring), each with the changed files it is reached through."""
    found = Related(bound=MAX_RELATED)
    seeds = _seeds(root, changes, set(files))
    if not seeds:
        return found
    touched = {p for diff in changes.files for p in (diff.path, diff.old_path) if p}
    tree = {path: nodes for path, nodes in _manifests(root) if path not in touched}
    for path, nodes in sorted(tree.items()):
        for source, changed in seeds:
            if any(a.relates(b) for a in changed for b in nodes):
                found.add(path, KIND, source)
    policies = [(path, node) for path, nodes in sorted(tree.items()) for node in nodes
                if node.selects is not None]
    for pod_path in list(found.files):
        for pod in tree[pod_path]:
            for path, policy in policies:
                if path != pod_path and _selects(policy, pod):
                    for source in found.reached[pod_path]:
                        found.add(path, KIND, source)
    if len(found.files) > MAX_RELATED:
        kept = sorted(found.files)[:MAX_RELATED]
        found.left_out = len(found.files) - MAX_RELATED
        found.files = dict.fromkeys(kept, KIND)
    found.taken = tuple(sorted(diff.old_path for diff in _taken(changes) if diff.old_path))
    return found


def _seeds(root: Path, changes: ChangeSet, files: set[str]
           ) -> list[tuple[Source, tuple[Node, ...]]]:
    """Each changed manifest with its documents' nodes as the change leaves them and as they
    were; a deleted one, or one renamed to a name checkov does not read, as taken."""
    taken = {id(diff) for diff in _taken(changes)}
    seeds = []
    for diff in changes.files:
        read = diff.path in files  # a file checkov reads for the change
        if not read and id(diff) not in taken:
            continue
        head = _text(under(root, diff.path)) if diff.status is not FileStatus.DELETED else None
        was = base_text(head, diff) if diff.old_path and diff.old_path.endswith(_SUFFIXES) \
            else None
        nodes = (*_nodes(diff.path, head or "" if read else ""),
                 *_nodes(diff.old_path or "", was or ""))
        if nodes:
            seeds.append((Source(diff.path, id(diff) in taken), nodes))
    return seeds


def _taken(changes: ChangeSet) -> list[FileDiff]:
    """The manifests the change deleted, or renamed to a name checkov reads no manifest by."""
    return [diff for diff in changes.files if diff.old_path and diff.old_path.endswith(_SUFFIXES)
            and (diff.status is FileStatus.DELETED or not diff.path.endswith(_SUFFIXES))]


def _manifests(root: Path) -> Iterator[tuple[str, tuple[Node, ...]]]:
    """Each manifest of the tree that holds a node, as `checkov -d` walks it (`walk`)."""
    for path, entry in walk(root, lambda name: name.endswith(_SUFFIXES)):
        stat = entry.stat()
        nodes = _file_nodes(entry.path, stat.st_mtime_ns, stat.st_size)
        if nodes:
            yield path, nodes


@functools.lru_cache(maxsize=16_384)
def _file_nodes(file: str, mtime_ns: int, size: int) -> tuple[Node, ...]:
    """The nodes of `file` as it is at `mtime_ns` and `size`, parsed only when its bytes
    name a kind the graph checks relate."""
    try:
        with open(file, "rb") as handle:
            data = handle.read(MAX_DIFFED_BYTES)
    except OSError:
        return ()
    if not _graph_kind().search(data):
        return ()
    return _nodes(file, data.decode("utf-8", errors="replace"))


def _nodes(path: str, text: str) -> tuple[Node, ...]:
    """The nodes of a manifest's documents (a `List`'s items too); none for a file checkov
    skips (a Helm placeholder) or that does not parse."""
    if not path.endswith(_SUFFIXES) or not text or _helm().search(text):
        return ()
    import yaml  # ~13 ms, and only for a file naming a graph kind

    try:
        documents = list(yaml.load_all(text, Loader=getattr(yaml, "CSafeLoader",
                                                            yaml.SafeLoader)))
    except (yaml.YAMLError, RecursionError, ValueError):
        return ()
    items = [item for doc in documents if isinstance(doc, dict)
             for item in (doc["items"] if isinstance(doc.get("items"), list) else [doc])]
    return tuple(node for item in items if isinstance(item, dict)
                 and (node := _node(item)) is not None)


def _node(document: dict[str, Any]) -> Node | None:
    kind, meta = document.get("kind"), _mapping(document.get("metadata"))
    spec = _mapping(document.get("spec"))
    if kind in ROLES:
        return Node(role=(str(kind), str(meta.get("name"))))
    if kind in BINDINGS:
        ref = _mapping(document.get("roleRef"))
        return Node(role_ref=(str(ref.get("kind")), str(ref.get("name"))))
    if kind == "Pod":
        return Node(labels=_labels(meta))
    if kind in POD_MAKERS:
        return Node(labels=_labels(_mapping(_mapping(spec.get("template")).get("metadata"))))
    if kind == POLICY:  # as checkov's NetworkPolicyEdgeBuilder (see the module docstring)
        selector = spec.get("podSelector")
        labels = selector.get("matchLabels") if isinstance(selector, dict) else None
        return Node(selects=None if not isinstance(selector, dict) else _pairs(labels)
                    if isinstance(labels, dict) and labels else EVERY)
    return None


@functools.cache
def _graph_kind() -> re.Pattern[bytes]:
    return re.compile(_GRAPH_KIND)


def _selects(policy: Node, pod: Node) -> bool:
    return policy.selects is not None and pod.labels is not None and (
        policy.selects == EVERY or pod.labels == UNLABELLED or policy.selects <= pod.labels)


def _labels(metadata: dict[str, Any]) -> frozenset[tuple[str, str]]:
    """A pod's labels, `UNLABELLED` when it has none at all."""
    labels = metadata.get("labels")
    return UNLABELLED if labels is None else _pairs(labels)


def _mapping(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _pairs(labels: object) -> frozenset[tuple[str, str]]:
    return frozenset((str(k), str(v)) for k, v in _mapping(labels).items())


def _text(path: Path) -> str | None:
    try:
        with path.open("rb") as handle:
            return handle.read(MAX_DIFFED_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return None

