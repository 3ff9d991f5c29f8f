"""A change with Terraform and other infrastructure files is read by one checkov run, and
that run says what two did (Terraform as its modules with `-d`, the rest with `-f`): the
same findings, on the same lines and resources, and the same files named as not read.
The suite's checkov (`iac_env`); marked `pypi` (CI sets REVIEWLOOP_PYPI=1)."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.checks.analyzers.checkov import MODULES, TERRAFORM, Checkov
from reviewloop.review.evidence import AnalyzerReport, run_for_agent
from tests.support.analyzers import Repo, agent
from tests.support.checkov import BUCKET, DOCKERFILE, WORKFLOW
from tests.support.iac_shapes import UNREADABLE, WORKLOADS, iac_files, render, unreadable, workload

pytestmark = [pytest.mark.usefixtures("iac_env"), pytest.mark.pypi, pytest.mark.timeout(900)]

OPEN_PORT = """resource "aws_security_group" "{name}" {{
  ingress {{
    from_port   = {port}
    to_port     = {port}
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }}
}}
"""
BROKEN_TF = 'resource "aws_s3_bucket" "c" {\n  bucket = \n'

terraform_texts = st.one_of(
    st.builds(OPEN_PORT.format, name=st.sampled_from(("ssh", "rdp")),
              port=st.sampled_from((22, 3389, 443))),
    st.builds(BUCKET.format, name=st.sampled_from(("logs", "data"))),
    st.just(BROKEN_TF))
terraform_files = st.dictionaries(
    st.tuples(st.sampled_from(("infra", "infra/net", "modules/db")),
              st.sampled_from(("main.tf", "extra.tf", "net.tofu"))
              ).map(lambda where: "/".join(where)),
    terraform_texts, min_size=1, max_size=3)
dockerfiles = st.tuples(
    st.sampled_from(("Dockerfile", "svc/Containerfile", "svc/api.Dockerfile",
                     "deploy/Dockerfile-prod")),
    st.sampled_from((DOCKERFILE, "FROM python\nUSER root\n",
                     "FROM python\n# caf\N{LATIN SMALL LETTER E WITH ACUTE}\nUSER root\n")))
workflows = st.tuples(st.sampled_from((".github/workflows/ci.yml", "app/.github/workflows/x.yaml")),
                      st.just(WORKFLOW))
templates = st.builds(lambda file, n: (f"k8s/t{n}{file.suffix}", file.text),
                      iac_files(), st.integers(0, 3))
manifests = st.builds(lambda kind, how, n: (f"k8s/m{n}.yaml", unreadable(kind, how)
                                            if how else render(workload(kind), "block")),
                      st.sampled_from(WORKLOADS), st.sampled_from((None, *UNREADABLE)),
                      st.integers(0, 3))
other_files = st.lists(st.one_of(dockerfiles, workflows, templates, manifests),
                       min_size=1, max_size=4, unique_by=lambda file: file[0]).map(dict)


def _latin1(files: dict[str, str]) -> dict[str, bytes]:
    """Dockerfiles as Latin-1 bytes (docker builds one; checkov drops it quietly)."""
    return {path: text.encode("latin-1" if "Dockerfile" in path or "Containerfile" in path
                              else "utf-8") for path, text in files.items()}


def _review(files: dict[str, str]) -> AnalyzerReport:
    with tempfile.TemporaryDirectory() as scratch:
        repo = Repo(Path(scratch))
        repo.write(_latin1(files))  # type: ignore[arg-type]
        repo.git("add", "-A")
        diff = subprocess.run(["git", "diff", "--cached", "HEAD"], cwd=repo.root, check=True,
                              capture_output=True).stdout.decode("utf-8", "surrogateescape")
        return run_for_agent(agent("review-infrastructure", ("checkov",)), repo.root, diff)


def _said(report: AnalyzerReport) -> tuple[set[tuple[Any, ...]], dict[str, str], list[str]]:
    found = {(f.file, f.rule, f.start_line, f.end_line, f.symbol, f.rationale, f.severity)
             for f in [*report.findings, *report.outside]}
    unread = {path: why for h in report.health for path, why in h.unread.items()}
    return found, unread, report.errors


@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(terraform_files, other_files)
def test_one_run_says_what_terraform_and_the_rest_read_apart_say(
        terraform: dict[str, str], others: dict[str, str]) -> None:
    together = _said(_review({**terraform, **others}))
    apart = [_said(_review(files)) for files in (terraform, others)]

    assert together[2] == [] and apart[0][2] == apart[1][2] == []
    assert together[0] == apart[0][0] | apart[1][0]
    assert together[1] == {**apart[0][1], **apart[1][1]}


def test_terraform_and_the_rest_go_to_checkov_as_one_view(tmp_path: Path) -> None:
    """One `-d` of a view: the Terraform files' modules, then each other file alone in a
    folder, a workflow where checkov looks for one, a Dockerfile under the name it reads."""
    tree, scratch = tmp_path / "tree", tmp_path / "view"
    targets = {"infra/main.tf": "terraform", "svc/Containerfile": "dockerfile",
               "k8s/pod.yaml": "kubernetes", "app/.github/workflows/ci.yml": "github_actions",
               "cfn/stack.json": "cloudformation"}
    for name in (*targets, "infra/vars.tf"):
        (tree / name).parent.mkdir(parents=True, exist_ok=True)
        (tree / name).write_text(name)

    given, aliases = Checkov().staged(targets, tree, scratch)
    argv = Checkov().command(Path("/tools/checkov"), given, tree)

    assert given[str(scratch)] == MODULES
    assert argv.count("-d") == 1 and argv[argv.index("-d") + 1] == str(scratch)
    assert "-f" not in argv
    frameworks = argv[argv.index("--framework") + 1:argv.index("-d")]
    assert frameworks == sorted({*TERRAFORM, *targets.values()})
    view = {Path(alias).relative_to(scratch).as_posix(): Path(real).relative_to(tree).as_posix()
            for alias, real in aliases.items()}
    assert view == {"tf/infra/main.tf": "infra/main.tf", "tf/infra/vars.tf": "infra/vars.tf",
                    "1/Dockerfile": "svc/Containerfile", "2/pod.yaml": "k8s/pod.yaml",
                    "3/.github/workflows/ci.yml": "app/.github/workflows/ci.yml",
                    "4/stack.json": "cfn/stack.json"}
    assert all((scratch / alias).read_text() == real for alias, real in view.items())
