"""Task lists and IAM statements checkov's parsers skip are checked all the same, on the
file's own lines.

checkov's Ansible runner checks a play's `tasks` only: a `get_url` with `validate_certs:
false` under `pre_tasks:`, `post_tasks:` or `handlers:` passes plain `checkov -d .`. Its
Serverless checks read `iamRoleStatements` only: `Action: "*"` under Serverless v3's
`provider.iam.role.statements` passes it too. The review gives checkov a same-lines copy of
each file in the form it reads (`ansible_sections`, `serverless_iam`), so each is checked.

Generated: playbooks of drawn sections and tasks, and v3 services of drawn statements and
functions. The oracle is plain checkov on the same tasks, each alone in a task file, and on
the same service in the form it reads (`provider.iamRoleStatements`): the review reports what
plain checkov reports there, on the line of the task or function in the reviewed file, and
the file is read whole, managed policies or not (checkov has no check of them, which leaves
nothing unread)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.support.checkov import plain_checkov
from tests.support.review_cli import review_feature

pytestmark = [pytest.mark.pypi, pytest.mark.timeout(900)]

SECTIONS = ("pre_tasks", "tasks", "post_tasks", "handlers")
TASKS = {  # a task's body under its `- name:` line, indented for a play's list
    "get_url": "      ansible.builtin.get_url:\n        url: https://example.com/x\n"
               "        dest: /tmp/x\n        validate_certs: false\n",
    "uri": "      uri:\n        url: https://example.com/api\n        validate_certs: no\n",
    "ping": "      ping:\n",
}
STATEMENTS = st.fixed_dictionaries({
    "Effect": st.sampled_from(("Allow", "Deny")),
    "Action": st.sampled_from(('"*"', '["*"]', '"s3:GetObject"', '["s3:*", "sqs:*"]')),
    "Resource": st.sampled_from(('"*"', '"arn:aws:s3:::b/*"'))})
SETTINGS = settings(max_examples=3, deadline=None, derandomize=True,
                    phases=(Phase.explicit, Phase.generate),  # a review is not shrunk
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


@st.composite
def playbooks(draw: st.DrawFn) -> tuple[str, dict[str, str]]:
    """(a playbook of one or two plays, {task name: its module}), each task named `tN`."""
    text, tasks = "", {}
    for play in range(draw(st.integers(1, 2))):
        text += f"- name: play{play}\n  hosts: all\n"
        for section in draw(st.lists(st.sampled_from(SECTIONS), min_size=1, unique=True)):
            quote = draw(st.sampled_from(("", '"')))
            text += f"  {quote}{section}{quote}:\n"
            for module in draw(st.lists(st.sampled_from(sorted(TASKS)), min_size=1, max_size=2)):
                name = f"t{len(tasks)}"
                tasks[name] = module
                text += f"    - name: {name}\n{TASKS[module]}"
                text += draw(st.sampled_from(("", "    # a note\n")))
    return text, tasks


@SETTINGS
@given(playbooks())
def test_every_task_of_a_play_is_checked_as_plain_checkov_checks_a_task_list(
        iac_env: Path, drawn: tuple[str, dict[str, str]]) -> None:
    text, tasks = drawn
    with tempfile.TemporaryDirectory() as scratch:
        for name, module in tasks.items():  # each task alone: a list checkov always reads
            body = "".join(line[4:] + "\n" for line in TASKS[module].splitlines())
            Path(scratch, f"{name}.yml").write_text(f"- name: {name}\n{body}")
        plain = {(check["check_id"], Path(check["file_path"]).stem)
                 for check in plain_checkov(iac_env, Path(scratch), "--framework", "ansible")}
    report = review_feature({"site/play.yml": text.encode()})

    lines = {text.splitlines().index(f"    - name: {name}") + 1: name for name in tasks}
    found = {(f["rule"], lines.get(f["start_line"], f"line {f['start_line']}"))
             for f in report["findings"]["remaining"] if f["source"] == "checkov"}
    assert found == plain, (text, found, plain)
    row = next(r for r in report["health"]["files"] if r["path"] == "site/play.yml")
    assert row["not_read"] == [] and report["health"]["complete"], row


def _service(statements: list[dict[str, str]], functions: int, v3: bool, managed: bool,
             after: bool) -> str:
    """A service with `statements` under v3's `provider.iam.role.statements` (`v3`) or the
    old `provider.iamRoleStatements`, and `functions` functions `f0`…"""
    listed = "".join(f"{{pad}}- Effect: {s['Effect']}\n{{pad}}  Action: {s['Action']}\n"
                     f"{{pad}}  Resource: {s['Resource']}\n" for s in statements)
    text = "service: svc\nprovider:\n  name: aws\n"
    if v3:
        text += "  iam:\n    role:\n      name: svc-role\n      statements:\n" + \
            listed.format(pad="        ")
        if managed:
            text += "      managedPolicies:\n" \
                "        - arn:aws:iam::aws:policy/AdministratorAccess\n"
    else:
        text += "  iamRoleStatements:\n" + listed.format(pad="    ")
    text += "  runtime: python3.12\n" if after else ""
    return text + "functions:\n" + "".join(
        f"  f{n}:\n    handler: handler.f{n}\n" for n in range(functions))


@SETTINGS
@given(st.lists(STATEMENTS, min_size=1, max_size=3), st.integers(1, 2), st.booleans(),
       st.booleans())
def test_v3_iam_statements_are_checked_as_checkov_checks_iam_role_statements(
        iac_env: Path, statements: list[dict[str, str]], functions: int, managed: bool,
        after: bool) -> None:
    v3 = _service(statements, functions, True, managed, after)
    with tempfile.TemporaryDirectory() as scratch:
        Path(scratch, "serverless.yml").write_text(_service(statements, functions, False,
                                                            False, after))
        plain = {(check["check_id"], check["resource"])
                 for check in plain_checkov(iac_env, Path(scratch), "--framework", "serverless")}
    report = review_feature({"api/serverless.yml": v3.encode()})

    lines = {v3.splitlines().index(f"  f{n}:") + 1: f"f{n}" for n in range(functions)}
    found = {(f["rule"], lines.get(f["start_line"], f"line {f['start_line']}"))
             for f in report["findings"]["remaining"] if f["source"] == "checkov"}
    assert found == plain, (v3, found, plain)
    row = next(r for r in report["health"]["files"] if r["path"] == "api/serverless.yml")
    assert row["not_read"] == [] and report["health"]["complete"], row


RESCUED = """- name: site
  hosts: all
  tasks:
    - name: try
      block:
        - name: ping
          ping:
      rescue:
        - name: fetch
          get_url:
            url: https://example.com/key
            dest: /tmp/key
            validate_certs: false
"""


def test_a_blocks_rescue_tasks_which_checkov_never_checks_are_named(iac_env: Path) -> None:
    """No same-lines copy gives checkov a `rescue` list without the block's other tasks
    twice: the file is named, with the list's line, and the review is incomplete."""
    with tempfile.TemporaryDirectory() as scratch:
        Path(scratch, "play.yml").write_text(RESCUED)
        plain = {check["check_id"] for check in plain_checkov(iac_env, Path(scratch))}
    assert "CKV_ANSIBLE_2" not in plain  # the gap: plain checkov passes it
    report = review_feature({"site/play.yml": RESCUED.encode()})

    row = next(r for r in report["health"]["files"] if r["path"] == "site/play.yml")
    assert row["not_read"] == ["checkov: checkov checks a block's `block` tasks only: the "
                               "tasks under `rescue` (line 9) were not checked"], row
    assert not report["health"]["complete"]
