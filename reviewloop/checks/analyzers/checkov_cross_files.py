"""The unchanged files checkov reads with a change because it relates files across the
tree: Kubernetes manifests its graph joins (`kubernetes_graph`), the `serverless.yml`
files whose `${file(…)}` reads a changed file (`serverless_files`) and the Kustomize builds
that read one (`kustomize_overlays`), each with the
`checkov_related.Related` that relates it and how its rationale says so. Found once per
analyzer context (`AnalyzerContext.once`): a run asks for them for its targets, its base
run, and each finding it shows on a changed file."""

from __future__ import annotations

from reviewloop.checks.analyzers import kubernetes_graph, kustomize_overlays, serverless_files
from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.analyzers.checkov_related import Related, merged


def relations(ctx: AnalyzerContext) -> tuple[tuple[Related, str], ...]:
    """Each kind of relation's `Related` for the change, with how it relates."""
    return ctx.once("checkov relations", lambda: (
        (kubernetes_graph.related(ctx.root, ctx.changes, ctx.files), kubernetes_graph.HOW),
        (serverless_files.related(ctx.root, ctx.changes, ctx.files), serverless_files.HOW),
        (kustomize_overlays.related(ctx.root, ctx.files), kustomize_overlays.HOW)))


def cross_files(ctx: AnalyzerContext) -> dict[str, tuple[Related, str]]:
    """Each unchanged file related to the change, with its `Related` and how it relates."""
    return ctx.once("checkov cross files", lambda: merged(*relations(ctx)))
