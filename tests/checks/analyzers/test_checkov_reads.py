"""A file checkov was given and its report shows it did not read is named as not read:
a Dockerfile with no result, a Terraform file whose resources checkov did not count."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.analyzers.checkov_reads import unread
from reviewloop.git.diff import parse_diff

SG = 'resource "aws_security_group" "ssh" {\n  name = "x"\n}\n'
FILES = {"ok.tf": SG, "rand.tf": 'resource "random_id" "x" {\n  byte_length = 8\n}\n',
         "vars.tf": 'variable "v" {}\n', "quiet.tf": SG + SG,
         "vars.tf.json": '{"resource": {"aws_s3_bucket": {"a": {}, "b": {}}}}',
         "Dockerfile": "FROM ubuntu:24.04\nUSER app\n", "latin.Dockerfile": "FROM x\n# caf\n",
         "empty.Dockerfile": "# nothing to build\n", "broken.tf": "resource {\n"}
KINDS = {p: "dockerfile" if "Dockerfile" in p else "terraform_json" if p.endswith(".json")
         else "terraform" for p in FILES}


def _report(kind: str, read: list[str], resources: int, errors: list[str] = ()) -> dict[str, Any]:
    return {"check_type": kind, "summary": {"resource_count": resources},
            "results": {"passed_checks": [{"file_abs_path": f"/r/{p}"} for p in read],
                        "failed_checks": [], "parsing_errors": [f"/r/{p}" for p in errors]}}


def _unread(tmp_path: Path, reports: list[dict[str, Any]]) -> dict[str, str]:
    for path, text in FILES.items():
        (tmp_path / path).write_text(text)
    ctx = AnalyzerContext(root=tmp_path, changes=parse_diff(""), diff_text="", agent="a",
                          files=tuple(FILES))
    unread(reports, KINDS, lambda check: check["file_abs_path"].removeprefix("/r/"), ctx)
    return ctx.unread


def test_every_resource_counted_means_every_file_was_read(tmp_path: Path) -> None:
    """A file of check-less resources (random_id) or of none (variables) has no result; the
    count says it was read all the same."""
    found = _unread(tmp_path, [
        _report("terraform", ["ok.tf", "quiet.tf"], resources=4, errors=["broken.tf"]),
        _report("terraform_json", ["vars.tf.json"], resources=2),
        _report("dockerfile", ["Dockerfile", "latin.Dockerfile"], resources=2)])
    assert found == {}


def test_resources_checkov_did_not_count_name_the_files_with_no_result(tmp_path: Path) -> None:
    """Short of a count, every file with resources and no result is named: which of them
    went unread the report cannot tell (rand.tf's resource has no check either)."""
    found = _unread(tmp_path, [
        _report("terraform", ["ok.tf"], resources=2, errors=["broken.tf"]),
        _report("dockerfile", ["Dockerfile"], resources=1)])
    assert set(found) == {"rand.tf", "quiet.tf", "vars.tf.json", "latin.Dockerfile"}
    assert found["quiet.tf"].startswith("checkov reported nothing on its 2 resource(s)")
    assert "Dockerfile checks" in found["latin.Dockerfile"]


def test_a_report_of_nothing_scanned_reads_nothing(tmp_path: Path) -> None:
    found = _unread(tmp_path, [{"passed": 0, "failed": 0, "resource_count": 0}])
    assert set(found) == {"ok.tf", "rand.tf", "quiet.tf", "vars.tf.json",
                          "Dockerfile", "latin.Dockerfile"}


def test_the_unchanged_files_of_a_module_count_with_it(tmp_path: Path) -> None:
    """Checkov reads a changed Terraform file with its module's other files: their
    resources are in the count, so they cannot hide a changed file it did not read."""
    (tmp_path / "old.tf").write_text(SG + SG)
    ctx = AnalyzerContext(root=tmp_path, changes=parse_diff(""), diff_text="", agent="a",
                          files=("quiet.tf",))
    (tmp_path / "quiet.tf").write_text(SG + SG)

    unread([_report("terraform", ["old.tf"], resources=2)], {"quiet.tf": "terraform"},
           lambda check: check["file_abs_path"].removeprefix("/r/"), ctx, {"old.tf": "terraform"})

    assert set(ctx.unread) == {"quiet.tf"}


ROLE = 'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n' \
       '  name: {name}\nrules: []\n'


def test_a_skip_of_checkovs_own_is_named_whatever_the_kind(tmp_path: Path) -> None:
    """A ClusterRole (no workload, of which checkov's silence said nothing) holding a Helm
    placeholder is named; the same role read is not; a `.tf.json` with a repeated key is
    named though checkov reported on the block it kept."""
    files = {"helm.yaml": ROLE.format(name="{{ .Release.Name }}-admin"),
             "read.yaml": ROLE.format(name="admin"),
             "dup.tf.json": '{"resource": {"aws_s3_bucket": {"a": {}}}, '
                            '"resource": {"aws_s3_bucket": {"b": {}}}}'}
    for path, text in files.items():
        (tmp_path / path).write_text(text)
    ctx = AnalyzerContext(root=tmp_path, changes=parse_diff(""), diff_text="", agent="a",
                          files=tuple(files))
    kinds = {"helm.yaml": "kubernetes", "read.yaml": "kubernetes",
             "dup.tf.json": "terraform_json"}

    unread([_report("kubernetes", ["read.yaml"], resources=1),
            _report("terraform_json", ["dup.tf.json"], resources=1)], kinds,
           lambda check: check["file_abs_path"].removeprefix("/r/"), ctx)

    assert set(ctx.unread) == {"helm.yaml", "dup.tf.json"}
    assert "Helm placeholder" in ctx.unread["helm.yaml"]
    assert "repeats the key 'resource'" in ctx.unread["dup.tf.json"]
