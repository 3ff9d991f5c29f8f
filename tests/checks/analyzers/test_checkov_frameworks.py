"""Which files go to checkov under its Azure, Ansible, Serverless and CI-pipeline frameworks,
where the one-run view puts them, and checkov's own gates that make it read none of a file
(the real tool: tests/security/test_iac_frameworks.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.checks.analyzers.checkov import MODULES, Checkov, framework
from reviewloop.checks.analyzers.checkov_frameworks import load_all_as_checkov, skipped, view_path
from tests.support.iac_frameworks import GET_URL, PLAY, Drawn, misconfigured, terraform_plan

ARM_SCHEMA = "https://schema.management.azure.com/schemas/{date}/{kind}.json#"
PLAYBOOK = PLAY.format(task=GET_URL)


def _arm(kind: str = "deploymentTemplate", **more: object) -> str:
    return json.dumps({"$schema": ARM_SCHEMA.format(date="2019-04-01", kind=kind),
                       "contentVersion": "1.0.0.0", **more})


@settings(max_examples=200, derandomize=True)
@given(misconfigured())
def test_every_drawn_file_goes_to_checkov_under_its_framework(drawn: Drawn) -> None:
    assert framework(drawn.path, drawn.text) == drawn.kind


@pytest.mark.parametrize("kind", ("deploymentTemplate", "subscriptionDeploymentTemplate",
                                  "managementGroupDeploymentTemplate",
                                  "tenantDeploymentTemplate"))
def test_an_arm_template_of_every_scope_is_arm(kind: str) -> None:
    assert framework("infra/azuredeploy.json", _arm(kind)) == "arm"


def test_an_arm_template_with_a_storage_account_is_not_a_kubernetes_manifest() -> None:
    """An ARM resource has an `apiVersion` and, for a storage account, a `kind`."""
    text = _arm(resources=[{"type": "Microsoft.Storage/storageAccounts", "kind": "StorageV2",
                            "apiVersion": "2023-01-01", "name": "s"}])
    assert framework("azuredeploy.json", text) == "arm"


@pytest.mark.parametrize(("path", "text"), [
    ("azuredeploy.parameters.json", _arm("deploymentParameters")),
    ("schema.json", json.dumps({"$schema": "http://json-schema.org/draft-07/schema#"})),
    ("notes.json", json.dumps({"url": ARM_SCHEMA.format(date="2019-04-01",
                                                        kind="deploymentTemplate")})),
    ("azuredeploy.yaml", f"$schema: {ARM_SCHEMA}\n"),  # checkov reads ARM from .json only
])
def test_json_that_is_not_an_arm_template_is_not_arm(path: str, text: str) -> None:
    assert framework(path, text) is None


@pytest.mark.parametrize("text", [
    PLAYBOOK,
    f"---\n{PLAYBOOK}",
    "- hosts: all\n  roles:\n    - web\n",
    "- import_playbook: base.yml\n- hosts: db\n  tasks:\n    - name: x\n      ping:\n",
    "[{hosts: all, tasks: [{name: x, ping: null}]}]\n",
    "- hosts: all\n  vars:\n    pw: !vault |\n      $ANSIBLE_VAULT;1.1;AES256\n  tasks: []\n",
])
def test_a_playbook_is_ansible(text: str) -> None:
    assert framework("site.yml", text) == "ansible"


@pytest.mark.parametrize("path", ["roles/web/tasks/main.yml", "ops/roles/db/handlers/x.yaml",
                                  # checkov reads any list with a `- name:` line as tasks
                                  "tasks/setup.yml", "roles/web/tasks/sub/x.yml",
                                  "playbooks/tasks/x.yaml", "list.yml"])
def test_a_roles_task_list_is_ansible(path: str) -> None:
    assert framework(path, "- name: restart\n  ansible.builtin.service:\n    name: db\n") \
        == "ansible"


@pytest.mark.parametrize(("path", "text"), [
    ("list.yml", "- id: a\n  name: x\n- id: b\n"),  # a list, no `- name:` line
    ("hosts.yml", "- hosts: all\n  vars:\n    x: 1\n"),  # no tasks or roles
    ("inventory.yml", "all:\n  hosts:\n    web:\n  tasks: 1\n"),  # a mapping, not a list
    ("broken.yml", "- hosts: all\n  tasks: [\n"),  # not YAML
    ("mixed.yml", f"{PLAYBOOK}---\nkey: value\n"),  # a document that is no list
    ("roles/web/tasks/main.yml", "key: value\n"),
    ("roles/web/defaults/main.yml", "- vars: x\n"),
    ("site.json", json.dumps([{"hosts": "all", "tasks": []}])),
])
def test_yaml_that_is_not_a_playbook_is_not_ansible(path: str, text: str) -> None:
    assert framework(path, text) is None


@pytest.mark.parametrize(("path", "kind"), [
    ("main.bicep", "bicep"), ("infra/modules/net.bicep", "bicep"),
    ("serverless.yml", "serverless"), ("api/serverless.yaml", "serverless"),
    ("azure-pipelines.yml", "azure_pipelines"), ("ci/build-azure-pipelines.yaml",
                                                 "azure_pipelines"),
    (".gitlab-ci.yml", "gitlab_ci"), ("ci/deploy.gitlab-ci.yaml", "gitlab_ci"),
    ("bitbucket-pipelines.yml", "bitbucket_pipelines"),
    (".circleci/config.yml", "circleci_pipelines"), ("app/.circleci/config.yaml",
                                                     "circleci_pipelines"),
    # checkov's own test: "circleci" in the path, a name ending config.yml (the fuzzer's D5)
    (".circleci/continue_config.yml", "circleci_pipelines"),
    (".circleci/release-config.yaml", "circleci_pipelines"),
    (".circleci/sub/config.yml", "circleci_pipelines"), ("circleci/config.yml",
                                                         "circleci_pipelines"),
])
def test_a_file_checkov_knows_by_its_name(path: str, kind: str) -> None:
    assert framework(path, "anything: 1\n") == kind


@pytest.mark.parametrize("path", ["serverless-prod.yml", "my-serverless.yml",
                                  ".circleci/other.yml", ".circleci/config.yml.bak",
                                  ".gitlab-ci.yml.bak", "main.bicepparam",
                                  "azure-pipelines.md"])
def test_a_name_checkov_does_not_know(path: str) -> None:
    assert framework(path, "anything: 1\n") is None


@pytest.mark.parametrize(("kind", "name", "placed"), [
    ("github_actions", "ci.yml", ".github/workflows/ci.yml"),
    ("circleci_pipelines", "config.yml", ".circleci/config.yml"),
    ("gitlab_ci", ".gitlab-ci.yml", ".gitlab-ci.yml"),
    ("azure_pipelines", ".azure-pipelines.yml", "_.azure-pipelines.yml"),
    ("ansible", ".deploy.yml", "_.deploy.yml"),
    ("arm", "azuredeploy.json", "azuredeploy.json"),
])
def test_each_file_is_placed_where_a_walk_of_the_view_finds_it(kind: str, name: str,
                                                                placed: str) -> None:
    """Walking a folder, checkov looks for a workflow and a CircleCI config in their own
    folders only, and skips a hidden name (but `.gitlab-ci.yml`)."""
    assert view_path(kind, name) == placed


def test_the_new_kinds_go_into_the_one_run_view(tmp_path: Path) -> None:
    tree, scratch = tmp_path / "tree", tmp_path / "view"
    targets = {"infra/main.tf": "terraform", "app/.circleci/config.yml": "circleci_pipelines",
               "ops/.deploy.yml": "ansible", ".gitlab-ci.yml": "gitlab_ci",
               "az/azuredeploy.json": "arm", "az/main.bicep": "bicep"}
    for name in targets:
        (tree / name).parent.mkdir(parents=True, exist_ok=True)
        (tree / name).write_text(name)

    given, aliases = Checkov().staged(targets, tree, scratch)
    argv = Checkov().command(Path("/tools/checkov"), given, tree)

    assert given[str(scratch)] == MODULES and "-f" not in argv
    assert {"ansible", "arm", "bicep", "circleci_pipelines", "gitlab_ci"} <= set(argv)
    view = {Path(alias).relative_to(scratch).as_posix(): Path(real).relative_to(tree).as_posix()
            for alias, real in aliases.items()}
    assert view == {"tf/infra/main.tf": "infra/main.tf",
                    "1/.circleci/config.yml": "app/.circleci/config.yml",
                    "2/_.deploy.yml": "ops/.deploy.yml", "3/.gitlab-ci.yml": ".gitlab-ci.yml",
                    "4/azuredeploy.json": "az/azuredeploy.json", "5/main.bicep": "az/main.bicep"}


@pytest.mark.parametrize(("kind", "text", "said"), [
    ("arm", json.dumps({"$schema": ARM_SCHEMA, "resources": []}), "`contentVersion`"),
    ("ansible", "- hosts: all\n  tasks:\n    - ping:\n", "`- name: …`"),
    ("ansible", "- hosts: all\n  vars:\n    pw: !vault |\n      x\n  tasks:\n    - name: p\n",
     "tag '!vault'"),
    ("gitlab_ci", "job:\n  script: !reference [.setup, script]\n", "tag '!reference'"),
    ("azure_pipelines", "jobs:\n- job: a\n\tsteps: []\n", "line 3"),
])
def test_a_gate_checkov_stops_at_is_named(kind: str, text: str, said: str) -> None:
    why = skipped(kind, text)
    assert why is not None and said in why


@pytest.mark.parametrize(("kind", "text"), [
    ("arm", _arm()), ("ansible", PLAYBOOK), ("gitlab_ci", "job:\n  script: [echo]\n"),
    ("bicep", "resource x 'y@1' = {\n"), ("serverless", "service: !Ref x\n"),
    ("kubernetes", "kind: Pod\n\tx"),
])
def test_no_gate_stops_checkov(kind: str, text: str) -> None:
    assert skipped(kind, text) is None


@pytest.mark.parametrize(("path", "plan"), [
    ("tsconfig.json", terraform_plan(22)),  # checkov's plan runner skips the name
    ("tfplan.yaml", terraform_plan(22)),  # and reads `.json` only
    ("tfplan.json", {**terraform_plan(22), "terraform_version": ""}),
    ("state.json", {"version": 4, "resources": [], "note": "terraform_version"}),
])
def test_json_that_checkov_reads_as_no_terraform_plan(path: str, plan: dict) -> None:
    assert framework(path, json.dumps(plan)) != "terraform_plan"


def test_a_plan_whose_key_is_escaped_is_a_plan() -> None:
    """checkov's plan runner loads the JSON, escapes and all: `terraform\\u005fversion`."""
    text = json.dumps(terraform_plan(22)).replace("terraform_version", "terraform\\u005fversion")
    assert "terraform_version" not in text
    assert framework("plan.json", text) == "terraform_plan"


_PIECES = st.sampled_from(["a: 1\n", "b: v\t\n", "c:\tv\n", '"e": "\\ud83d\\ude80"\n',
                           'n: "\\ud83d"\n', "- x\n", "---\n", "k: [1, 2]\n", "\t- y\n",
                           "d: 'q'  \n", "f: {g: 1}\n", "# \U0001F680\n"])


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(_PIECES, max_size=8).map("".join))
def test_yaml_is_loaded_as_checkov_s_pure_python_loader_loads_it(text: str) -> None:
    """libyaml and PyYAML's pure loader (checkov's) differ: libyaml refuses a surrogate
    pair's escape (`json.dumps` of an emoji) and takes a tab after a value; the answer is
    always the pure loader's."""
    import yaml

    try:
        expected: object = list(yaml.load_all(text, Loader=yaml.SafeLoader))
    except yaml.YAMLError:
        expected = yaml.YAMLError
    try:
        got: object = load_all_as_checkov(text)
    except yaml.YAMLError:
        got = yaml.YAMLError
    assert got == expected, text
