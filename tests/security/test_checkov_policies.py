"""The project's own checkov policies (`.checkov.yaml`'s `external-checks-dir`) are reviewed, as
plain `checkov -d .` in the project runs them; what of them is not run is named.

* A hypothesis generator of projects (unit level, no checkov: `project_policies` on a real
  repository and a pull request's trust): the config's name, the folder's spelling (a string
  or a list, `./x`, `x/`, `a/../x`), the policy's suffix (`.yaml`, `.yml`, `.json`) and
  folder depth. The policies given to checkov are the base's, byte for byte, whatever the
  change does to them (edits one, adds one); Python checks in a package, a git source and
  a folder outside the tree are named; a `.py` file checkov would not import is not.
* Two real reviews (checkov run): a pull request that adds an untagged bucket and edits the
  policy to match nothing gets the policy's finding at its own severity (HIGH: must_fix),
  a tagged bucket none; a project whose checks include Python ones has its Terraform file
  named as not fully analysed (the verdict not complete), its built-in checks still run.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.analyzers.checkov_policies import project_policies
from reviewloop.git.diff import parse_diff
from reviewloop.policy.trust import Trust
from tests.support.gitutil import git
from tests.support.project_rules import found, reviewed
from tests.support.repos import commit, init_repo

OWNER = """metadata:
  id: "CKV2_CUSTOM_1"
  name: "S3 buckets must carry an owner tag"
  category: "GENERAL_SECURITY"
  severity: "HIGH"
definition:
  cond_type: "attribute"
  resource_types: ["aws_s3_bucket"]
  attribute: "tags.owner"
  operator: "exists"
"""
SWITCHED_OFF = OWNER.replace('["aws_s3_bucket"]', '["aws_nothing"]')
OWNER_JSON = json.dumps({"metadata": {"id": "CKV2_CUSTOM_2", "name": "owner",
                                      "category": "GENERAL_SECURITY"},
                         "definition": {"cond_type": "attribute",
                                        "resource_types": ["aws_s3_bucket"],
                                        "attribute": "tags.owner", "operator": "exists"}})
REJECTED = OWNER.replace("CKV2_CUSTOM_1", "CKV2_CUSTOM_9").replace('"exists"', '"no_such_op"')
PY_CHECK = "from checkov.common.models.enums import CheckResult\n"
UNTAGGED = 'resource "aws_s3_bucket" "b" {\n  bucket = "x"\n}\n'
TAGGED = 'resource "aws_s3_bucket" "t" {\n  bucket = "y"\n  tags = { owner = "me" }\n}\n'

SPELLINGS = ("{d}", "./{d}", "{d}/", "x/../{d}")


@st.composite
def projects(draw: st.DrawFn) -> tuple[dict[str, str], dict[str, str], str, set[str]]:
    """(base files, the change's files, the policy file whose base text must be given,
    what must be named as not run)."""
    folder = draw(st.sampled_from(("policies", "ci/checks", "a/b/c")))
    spelled = draw(st.sampled_from(SPELLINGS)).format(d=folder)
    listed = draw(st.booleans())
    suffix = draw(st.sampled_from((".yaml", ".yml", ".json")))
    nested = draw(st.sampled_from(("", "deep/")))
    policy = f"{folder}/{nested}owner{suffix}"
    extras = draw(st.sets(st.sampled_from(("python", "git", "outside", "loose-py", "broken",
                                           "no id", "not a policy"))))
    dirs = [spelled]
    base = {policy: OWNER_JSON if suffix == ".json" else OWNER}
    unrun: set[str] = set()
    if "python" in extras:
        base |= {f"{folder}/py/__init__.py": "", f"{folder}/py/tags.py": PY_CHECK}
        unrun.add("Python check")
    if "loose-py" in extras:  # no __init__.py beside it: checkov imports nothing
        base[f"{folder}/helpers/util.py"] = PY_CHECK
    if "broken" in extras:  # checkov would stop its whole run on it: left out, named
        base[f"{folder}/broken{suffix}"] = draw(st.sampled_from(
            ("metadata: [\n", "a: 1\n---\nb: 2\n", "{not json")))
        unrun.add("does not parse")
    if "no id" in extras:
        base[f"{folder}/noid.yaml"] = OWNER.replace('  id: "CKV2_CUSTOM_1"\n', "")
        unrun.add("has no metadata.id")
    if "not a policy" in extras:  # a manifest beside the policies: checkov passes it by
        base[f"{folder}/pod.yaml"] = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n"
    if "outside" in extras:
        dirs.append(draw(st.sampled_from(("/etc/policies", "~/policies", "../shared"))))
        unrun.add("outside the repository")
    config = "external-checks-dir:\n" + "".join(f"  - {d}\n" for d in dirs) \
        if listed or len(dirs) > 1 else f"external-checks-dir: {spelled}\n"
    if "git" in extras:
        config += "external-checks-git: https://example.com/policies.git\n"
        unrun.add("network")
    name = draw(st.sampled_from((".checkov.yaml", ".checkov.yml")))
    change = {policy: SWITCHED_OFF if suffix != ".json" else OWNER_JSON.replace(
        "aws_s3_bucket", "aws_nothing"), f"{folder}/added.yaml": SWITCHED_OFF,
              "main.tf": UNTAGGED}
    return {name: config, **base}, change, policy, unrun


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(project=projects())
def test_the_policies_given_are_the_bases_and_what_is_not_run_is_named(
        tmp_path_factory: pytest.TempPathFactory,
        project: tuple[dict[str, str], dict[str, str], str, set[str]]) -> None:
    base_files, change, policy, unrun = project
    root = init_repo(tmp_path_factory.mktemp("p") / "r", {"README.md": "x\n", **base_files})
    base = git(root, "rev-parse", "HEAD").strip()
    git(root, "checkout", "-qb", "feature")
    commit(root, change, "the change")
    diff = git(root, "diff", "main", "feature")
    changes = parse_diff(diff)
    ctx = AnalyzerContext(root, changes, diff, "review-infrastructure", files=("main.tf",),
                          trust=Trust.from_changes(changes, base=base))
    given_ = project_policies(ctx)
    assert dict(given_.files) == {policy: base_files[policy]}  # the base's, and only it
    for words in unrun:
        assert words in given_.unrun, (words, given_.unrun)
    assert ("fix:" in given_.unrun) == bool(unrun)
    assert ("Python" in given_.unrun) == ("Python check" in unrun)
    assert dict(given_.ids) == {"CKV2_CUSTOM_2" if policy.endswith(".json")
                                else "CKV2_CUSTOM_1": policy}


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory, iac_tools: Path
            ) -> dict[str, dict[str, Any]]:
    mp = pytest.MonkeyPatch()
    mp.setenv("REVIEWLOOP_TOOLS_DIR", str(iac_tools))
    try:
        config = ".checkov.yaml"
        return {
            "yaml": reviewed(tmp_path_factory.mktemp("yaml"),
                             {config: "external-checks-dir:\n  - policies\n",
                              "policies/owner.yaml": OWNER},
                             {"policies/owner.yaml": SWITCHED_OFF, "main.tf": UNTAGGED,
                              "tagged/main.tf": TAGGED}),
            "broken": reviewed(tmp_path_factory.mktemp("broken"),
                               {config: "external-checks-dir: policies\n",
                                "policies/owner.yaml": OWNER,
                                "policies/broken.yaml": "metadata: [\n"},
                               {"main.tf": UNTAGGED}),
            "rejected": reviewed(tmp_path_factory.mktemp("rejected"),
                                 {config: "external-checks-dir: policies\n",
                                  "policies/owner.yaml": OWNER,
                                  "policies/rejected.yaml": REJECTED},
                                 {"main.tf": UNTAGGED}),
            "python": reviewed(tmp_path_factory.mktemp("python"),
                               {config: "external-checks-dir: checks\n",
                                "checks/__init__.py": "", "checks/tags.py": PY_CHECK},
                               {"main.tf": UNTAGGED}),
        }
    finally:
        mp.undo()


@pytest.mark.pypi
def test_a_pull_request_meets_the_bases_policy_at_its_severity(
        reports: dict[str, dict[str, Any]]) -> None:
    report = reports["yaml"]
    assert found(report, "checkov", "main.tf").get(("CKV2_CUSTOM_1", 1)) == "remaining"
    assert not any(rule == "CKV2_CUSTOM_1" for rule, _ in found(report, "checkov",
                                                                "tagged/main.tf"))
    severities = {e["severity"] for e in report["findings"]["remaining"]
                  if e["rule"] == "CKV2_CUSTOM_1"}
    assert severities == {"must_fix"}
    assert report["health"]["complete"] is True


@pytest.mark.pypi
def test_python_checks_not_run_leave_the_file_named_and_the_rest_runs(
        reports: dict[str, dict[str, Any]]) -> None:
    report = reports["python"]
    (row,) = [r for r in report["health"]["files"] if r["path"] == "main.tf"]
    assert any("1 Python check(s) in checks (checks/tags.py)" in why
               for why in row["not_read"]), row
    assert report["health"]["complete"] is False
    assert found(report, "checkov", "main.tf")  # checkov's own checks still ran


@pytest.mark.pypi
def test_a_policy_checkov_cannot_load_is_named_and_stops_nothing_else(
        reports: dict[str, dict[str, Any]]) -> None:
    """One that does not parse (checkov would exit 2, losing every finding) is left out; one
    checkov skips (an operator it does not support) is named from checkov's own log."""
    for name, words in (("broken", "the policy policies/broken.yaml does not parse"),
                        ("rejected", "policy policies/rejected.yaml was not run: checkov "
                                     "skipped it")):
        report = reports[name]
        rules = {rule for rule, _ in found(report, "checkov", "main.tf")}
        assert "CKV2_CUSTOM_1" in rules and "CKV_AWS_18" in rules, (name, rules)
        (row,) = [r for r in report["health"]["files"] if r["path"] == "main.tf"]
        said = " ".join(row["not_read"])
        assert words in said, row
        assert "/tmp/" not in said  # named by its repository path, not a scratch folder's
        assert report["health"]["complete"] is False


def test_with_both_config_names_the_second_wins_as_in_checkov(tmp_path: Path) -> None:
    """checkov reads `.checkov.yaml` then `.checkov.yml`, the second's keys winning."""
    root = init_repo(tmp_path / "r", {
        ".checkov.yaml": "external-checks-dir: [one]\n",
        ".checkov.yml": "external-checks-dir: [two]\n",
        "one/a.yaml": OWNER, "two/b.yaml": OWNER.replace("CKV2_CUSTOM_1", "CKV2_CUSTOM_77"),
        "two/py/__init__.py": "", "two/py/.hidden.py": PY_CHECK, "two/py/__helpers.py": PY_CHECK})
    diff = git(root, "diff", "HEAD")
    ctx = AnalyzerContext(root, parse_diff(diff), diff, "review-infrastructure",
                          trust=Trust.everything())
    policies = project_policies(ctx)
    assert dict(policies.ids) == {"CKV2_CUSTOM_77": "two/b.yaml"}
    # checkov imports a hidden name, not one starting with `__`
    assert "1 Python check(s) in two (two/py/.hidden.py)" in policies.unrun
