"""Terraform resources holding a `dynamic` block, named as not fully checked by checkov.

Generated: resource types and names (quoted or bare labels), `dynamic` block names, nesting
(in the resource's body, inside a literal nested block, inside another `dynamic`'s
`content`), an `iterator`, whitespace (spaces, tabs, CRLF, blank lines, `dynamic"x"{`) and
decoys that hold the word without a block (a comment of each kind, a string, a heredoc, an
attribute named `dynamic`, a `data` or `variable` block): a resource is named exactly when
it holds a real `dynamic` block, on its own line and the block's.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.analyzers.checkov_reads import unread
from reviewloop.checks.analyzers.checkov_skips import skip
from reviewloop.checks.analyzers.terraform_dynamic import dynamic_blocks, unchecked
from reviewloop.git.diff import parse_diff
from tests.support.gitutil import git
from tests.support.repos import branch_repo

names = st.text("abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=10).map(lambda s: "r" + s)
blocks = st.sampled_from(["ingress", "egress", "setting", "rule", "statement", "x-y"])
nesting = st.sampled_from(["body", "nested", "in-dynamic"])
spacing = st.sampled_from(["  ", "\t", "    "])
breaks = st.sampled_from(["\n", "\r\n"])
decoys = st.sampled_from([
    '# dynamic "ingress" {\n', '// dynamic "ingress" {\n', '/* dynamic "ingress" {\n} */\n',
    'description = "dynamic \\"ingress\\" {"\n', 'policy = <<EOF\ndynamic "ingress" {\n}\nEOF\n',
    'dynamic = true\n', 'tags = { dynamic = "${var.x}" }\n',
])


def _dynamic(block: str, iterator: bool, pad: str, tight: bool) -> list[str]:
    head = f'dynamic"{block}"{{' if tight else f'dynamic "{block}" {{'
    return [head, f"{pad}for_each = var.rules",
            *([f"{pad}iterator = rule"] if iterator else []),
            f"{pad}content {{", f"{pad}{pad}from_port = 22", f"{pad}}}", "}"]


def _resource(kind: str, name: str, inner: list[str], pad: str, quoted: bool) -> list[str]:
    labels = f'"{kind}" "{name}"' if quoted else f"{kind} {name}"
    return [f"resource {labels} {{", *(pad + line for line in inner), "}"]


@settings(max_examples=120, deadline=None)
@given(name=names, block=blocks, where=nesting, iterator=st.booleans(), pad=spacing,
       newline=breaks, decoy=decoys, quoted=st.booleans(), tight=st.booleans(),
       blank=st.integers(0, 3))
def test_a_resource_with_a_dynamic_block_is_named_on_its_lines(
        name: str, block: str, where: str, iterator: bool, pad: str, newline: str, decoy: str,
        quoted: bool, tight: bool, blank: int) -> None:
    dynamic = _dynamic(block, iterator, pad, tight)
    if where == "nested":
        inner = ["lifecycle_rule {", *(pad + line for line in dynamic), "}"]
    elif where == "in-dynamic":
        inner = ['dynamic "outer" {', f"{pad}for_each = var.o", f"{pad}content {{",
                 *(pad * 2 + line for line in dynamic), f"{pad}}}", "}"]
    else:
        inner = dynamic
    plain = _resource("aws_s3_bucket", "plain", [*decoy.splitlines(), 'bucket = "b"'], pad,
                      quoted)
    lines = [*[""] * blank, *plain, 'data "aws_iam_policy_document" "d" {', *dynamic, "}",
             *_resource("aws_security_group", name, inner, pad, quoted)]
    text = newline.join(lines) + newline
    first = next(n for n, line in enumerate(lines) if "aws_security_group" in line)
    found = dynamic_blocks(text)
    assert [(address, line) for address, line, _, _ in found] == \
        [(f"aws_security_group.{name}", first + 1)]
    at = first + next(n for n, line in enumerate(lines[first:])
                      if f'"{block}"' in line and "dynamic" in line)
    assert f'`dynamic "{block}"` (line {at + 1})' in found[0][3]
    assert found[0][2] == len(lines)
    reason = unchecked(text)
    assert reason is not None and f"`aws_security_group.{name}`" in reason
    assert "aws_s3_bucket" not in reason
    assert skip("terraform", "main.tf", text) == reason
    # only a resource the change wrote to is the review's to name
    assert unchecked(text, lambda start, end: end < first + 1) is None
    assert unchecked(text, lambda start, end: start <= first + 2 <= end) == reason


@given(decoy=decoys, pad=spacing)
def test_the_word_alone_names_nothing(decoy: str, pad: str) -> None:
    text = "\n".join(_resource("aws_security_group", "web", decoy.splitlines(), pad, True))
    assert unchecked(text) is None
    assert skip("terraform", "main.tf", text) is None


def test_many_resources_are_counted_past_the_first_five() -> None:
    text = "\n".join(line for n in range(8) for line in _resource(
        "aws_security_group", f"g{n}", _dynamic("ingress", False, "  ", False), "  ", True))
    reason = unchecked(text)
    assert reason is not None and "`aws_security_group.g4`" in reason
    assert "g5" not in reason and "and 3 more" in reason


TF = """resource "aws_security_group" "web" {
  name = "web"
  dynamic "ingress" {
    for_each = var.rules
    content {
      from_port   = ingress.value.port
      cidr_blocks = [ingress.value.cidr]
    }
  }
}
resource "aws_security_group" "old" {
  dynamic "egress" {
    for_each = var.out
    content {
      from_port = 0
    }
  }
}
"""


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=4,
          deadline=None)
@given(edited=st.sampled_from(["web", "old", "neither"]))
def test_checkov_reads_names_the_file_by_the_resources_the_change_touched(
        tmp_path_factory: object, edited: str) -> None:
    """Through `checkov_reads.unread`, on a real branch's diff: a report of checks on the
    file (checkov read it) still leaves it named when a touched resource holds a `dynamic`
    block, and not when the change only wrote elsewhere."""
    root: Path = tmp_path_factory.mktemp("repo")  # type: ignore[attr-defined]
    head = TF.replace('name = "web"', 'name = "web2"') if edited == "web" else \
        TF.replace("from_port = 0", "from_port = 1") if edited == "old" else TF + "# note\n"
    branch_repo(root, {"main.tf": TF}, {"main.tf": head})
    diff = git(root, "diff", "main", "feature")
    ctx = AnalyzerContext(root=root, changes=parse_diff(diff), diff_text=diff, agent="a",
                          files=("main.tf",))
    report = {"check_type": "terraform", "summary": {"resource_count": 2},
              "results": {"failed_checks": [{"file_abs_path": "/r/main.tf"}]}}
    unread([report], {"main.tf": "terraform"}, lambda c: c["file_abs_path"][3:], ctx)
    if edited == "neither":
        assert ctx.unread == {}
    else:
        assert f"`aws_security_group.{edited}`" in ctx.unread["main.tf"]
        other = "old" if edited == "web" else "web"
        assert f"aws_security_group.{other}`" not in ctx.unread["main.tf"]
