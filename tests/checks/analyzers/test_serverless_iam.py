"""Serverless v3's IAM statements re-keyed as checkov reads them, on the same lines; what
checkov checks nothing of, named.

Generated services (statements of drawn shapes, with `${…}` variables and block scalars,
the `iam` mapping first, in the middle or last of the provider, a role name and managed
policies beside the statements, CRLF line ends): the copy keeps every line outside the `iam`
mapping where it is, and its `provider.iamRoleStatements` is the v3 statements."""

from __future__ import annotations

from pathlib import Path

import yaml
from hypothesis import given
from hypothesis import strategies as st

from reviewloop.checks.analyzers.serverless_iam import rekeyed, rekeyed_services, unchecked

VALUES = st.sampled_from(('"*"', "s3:GetObject", "${self:custom.arn}", "'arn:aws:s3:::b/*'",
                          "[s3:*, 'sqs:*']", "|\n            arn:aws:s3:::multi"))


@st.composite
def services(draw: st.DrawFn) -> tuple[str, list[object]]:
    """(a v3 service's text, its statements as YAML reads them)."""
    statements = "".join(
        f"        - Effect: {draw(st.sampled_from(('Allow', 'Deny')))}\n"
        f"          Action: {draw(VALUES)}\n          Resource: {draw(VALUES)}\n"
        for _ in range(draw(st.integers(1, 3))))
    iam = "  iam:\n    role:\n" + draw(st.sampled_from(("", "      name: r\n"))) + \
        "      statements:\n" + statements + draw(st.sampled_from((
            "", "      managedPolicies:\n        - arn:aws:iam::aws:policy/ReadOnlyAccess\n",
            "    # a note\n")))
    others = ["  name: aws\n", "  runtime: python3.12\n", "  stage: ${opt:stage, 'dev'}\n"]
    at = draw(st.integers(0, len(others)))
    text = "service: svc\nprovider:\n" + "".join(others[:at]) + iam + "".join(others[at:]) + \
        "functions:\n  f0:\n    handler: h.f0\n"
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    return text, yaml.safe_load(text)["provider"]["iam"]["role"]["statements"]


@given(services())
def test_the_copy_holds_the_statements_where_checkov_reads_them_on_the_same_lines(
        drawn: tuple[str, list[object]]) -> None:
    text, statements = drawn
    copy = rekeyed(text)

    assert copy is not None
    assert len(copy.splitlines()) == len(text.splitlines())
    loaded = yaml.safe_load(copy)
    assert loaded["provider"]["iamRoleStatements"] == statements
    assert "iam" not in loaded["provider"]
    iam = next(n for n, line in enumerate(text.splitlines()) if line.startswith("  iam:"))
    for n, (before, after) in enumerate(zip(text.splitlines(), copy.splitlines(), strict=True)):
        if n < iam or not before.startswith((" " * 4, "  iam:")):
            assert before == after, (n, before, after)


@given(st.sampled_from((
    "service: s\nprovider:\n  name: aws\n  iamRoleStatements:\n    - Effect: Allow\n",
    "service: s\nprovider:\n  name: aws\n  iam:\n    role: arn:aws:iam::1:role/x\n",
    "service: s\nprovider: aws\n", "service: s\nprovider: [\n", "")))
def test_no_copy_without_v3_statements(text: str) -> None:
    assert rekeyed(text) is None


def test_both_forms_are_named_and_not_re_keyed_and_managed_policies_are_no_gap() -> None:
    both = ("service: s\nprovider:\n  name: aws\n  iamRoleStatements:\n    - Effect: Allow\n"
            "  iam:\n    role:\n      statements:\n        - Effect: Allow\n"
            "      managedPolicies:\n        - arn:aws:iam::aws:policy/AdministratorAccess\n")
    said = unchecked(both) or ""

    assert rekeyed(both) is None
    assert "checkov checks only `provider.iamRoleStatements` (line 5)" in said
    assert "managedPolicies" not in said
    assert unchecked("provider:\n  iamManagedPolicies:\n    - arn:x\n") is None
    assert unchecked("provider:\n  iamManagedPolicies: []\n  name: aws\n") is None


def test_a_service_is_given_as_its_copy_beside_the_files_it_reads(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    (tree / "api").mkdir(parents=True)
    (tree / "api" / "serverless.yml").write_text(
        "service: s\nprovider:\n  name: aws\n  iam:\n    role:\n      statements: "
        "${file(./iam.yml)}\nfunctions:\n  f:\n    handler: h\n")
    (tree / "api" / "iam.yml").write_text("- Effect: Allow\n  Action: '*'\n")
    view = tmp_path / "view"

    given_, links = rekeyed_services({"api/serverless.yml": "serverless", "x.tf": "terraform"},
                                     {}, {"api/serverless.yml": "serverless"}, tree, view)

    made = view / "api" / "serverless.yml"
    assert given_ == {"x.tf": "terraform", str(made): "serverless"}
    assert links[str(made)] == str(tree / "api" / "serverless.yml")
    assert (view / "api" / "iam.yml").resolve() == (tree / "api" / "iam.yml").resolve()
    copy = made.read_text()
    assert yaml.safe_load(copy)["provider"] == {"name": "aws",
                                                "iamRoleStatements": "${file(./iam.yml)}"}
    assert copy.splitlines()[6:] == ["functions:", "  f:", "    handler: h"]
