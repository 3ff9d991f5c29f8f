"""A YAML or JSON file's checkov framework is told from its parsed documents: a variant of a
template, manifest, spec or workflow (escapes, `!!str` tags, comments naming other kinds,
key order, JSON or YAML) is routed as the plain one is, a config that only mentions `AWS::`
or `kind:` is not, and what checkov drops of a routed file without a word is named."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.analyzers.checkov import framework
from reviewloop.checks.analyzers.checkov_reads import unread
from reviewloop.git.diff import parse_diff
from tests.support.iac_variants import DECOYS, Variant, variants


@settings(max_examples=150, deadline=None, derandomize=True)
@given(variants())
def test_a_variant_is_routed_as_its_kind(variant: Variant) -> None:
    assert framework(f"deploy/x{variant.suffix}", variant.text) == variant.kind, variant.text


@st.composite
def configs(draw: st.DrawFn) -> tuple[str, str]:
    """A plain config whose comments and string values say what templates and manifests
    say (`Type: AWS::S3::Bucket`, `kind: Pod`, `Resources:`, `openapi: 3.0.0`)."""
    keys = draw(st.lists(st.sampled_from(("name", "image", "replicas", "description", "owner",
                                          "notes", "resources", "kind", "Type")),
                         min_size=1, max_size=5, unique=True))
    config = {key: " ".join(draw(st.lists(st.sampled_from(DECOYS), min_size=1, max_size=3)))
              for key in keys}
    if draw(st.booleans()):
        return ".json", json.dumps(config)
    lines = [f"{key}: {json.dumps(value)}" for key, value in config.items()]
    for decoy in draw(st.lists(st.sampled_from(DECOYS), max_size=3)):
        lines.insert(draw(st.integers(0, len(lines))), f"# {decoy}")
    return ".yaml", "\n".join(lines) + "\n"


@settings(max_examples=100, deadline=None, derandomize=True)
@given(configs())
def test_a_config_that_mentions_templates_is_not_routed(config: tuple[str, str]) -> None:
    suffix, text = config
    assert framework(f"config{suffix}", text) is None, text


def test_a_file_that_does_not_parse_is_told_by_its_text() -> None:
    """As before: checkov's report, or `checkov_reads`, then says what it made of it."""
    assert framework("pod.yaml", "apiVersion: v1\nkind: Pod\n\tspec: [\n") == "kubernetes"
    assert framework("t.json", '{"Resources": {"B": {"Type": "AWS::S3::Bucket"}') \
        == "cloudformation"


def test_an_argo_kind_checkovs_runner_does_not_find_is_kubernetes() -> None:
    """checkov's Argo runner reads a file only with lines starting `apiVersion: argoproj.io/`
    and `kind: Workflow`: a CronWorkflow's is neither, and Kubernetes reads it as before."""
    workflow = "apiVersion: argoproj.io/v1alpha1\nkind: {kind}\nspec: {{}}\n"
    assert framework("w.yaml", workflow.format(kind="WorkflowTemplate")) == "argo_workflows"
    assert framework("w.yaml", workflow.format(kind="CronWorkflow")) == "kubernetes"
    assert framework("w.yaml", workflow.format(kind='"Workflow"')) == "kubernetes"


def _unread(tmp_path: Path, files: dict[str, tuple[str, str]]) -> dict[str, str]:
    for path, (_, text) in files.items():
        (tmp_path / path).write_text(text)
    ctx = AnalyzerContext(root=tmp_path, changes=parse_diff(""), diff_text="", agent="a",
                          files=tuple(files))
    unread([], {path: kind for path, (kind, _) in files.items()}, lambda check: "", ctx)
    return ctx.unread


def test_what_checkov_drops_without_a_word_is_named(tmp_path: Path) -> None:
    """A template whose escaped bucket type checkov's loader refuses for a null value, an
    OpenAPI document with no `info` mapping, a workflow with a `spec`, a Pod behind an escaped
    `kind` whose tag checkov's loader does not know: each has checks
    checkov always runs, and no result. A workflow with no `spec` has nothing to check."""
    found = _unread(tmp_path, {
        "stack.json": ("cloudformation", '{"Resources": {"B": {"Type": "\\u0041WS::S3::Bucket",'
                                         ' "Properties": {"BucketName": null}}}}'),
        "api.yaml": ("openapi", "openapi: 3.0.0\ninfo: none\npaths: {}\n"),
        "flow.yaml": ("argo_workflows", "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\n"
                                        "spec: {entrypoint: main}\n"),
        "bare.yaml": ("argo_workflows", "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\n"),
        "pod.yaml": ("kubernetes", '# kind\napiVersion: v1\n"\\x6bind": Pod\n'
                                   'metadata: {name: p, annotations: {a: !custom x}}\n')})
    assert sorted(found) == ["api.yaml", "flow.yaml", "pod.yaml", "stack.json"], found
    assert "AWS::S3::Bucket" in found["stack.json"]
