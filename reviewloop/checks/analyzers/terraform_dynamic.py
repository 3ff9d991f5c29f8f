"""Terraform resources holding a `dynamic` block: checks checkov does not run on them.

checkov (3.3) checks a resource's literal nested blocks; the blocks a `dynamic "ingress" {
for_each = …; content { … } }` generates it does not evaluate for its checks: a security
group opening port 22 to `0.0.0.0/0` through one passes CKV_AWS_24 in plain `checkov -d .`,
with the rules in a variable and with a literal `for_each = [{…}]` alike, where the same
rule written as an `ingress { … }` block fails it. So a Terraform file declaring such a
resource is named as not fully analysed, the resources and their `dynamic` blocks with
their lines (`unchecked`), as a Bicep resource in a loop is (`bicep_loops`). Read from the
text alone (comments, strings and heredocs masked), never by running Terraform.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from reviewloop.checks.analyzers.template_strings import string_end

# a block header's labels: quoted, or bare identifiers (HCL takes both)
_LABEL = r'(?:"[^"\n]*"|[A-Za-z_][\w-]*)'
_RESOURCE = re.compile(rf"(?m)^[ \t]*resource[ \t]*({_LABEL})[ \t]*({_LABEL})[ \t]*\{{")
_DYNAMIC = re.compile(rf"(?m)^[ \t]*dynamic[ \t]*({_LABEL})[ \t]*\{{")
_HEREDOC = re.compile(r"<<-?[ \t]*([A-Za-z_][\w-]*)[ \t]*\r?\n")
_SHOWN = 5  # resources named in the reason; the rest counted


def unchecked(text: str, touched: Callable[[int, int], bool] | None = None) -> str | None:
    """The resources of the Terraform `text` holding a `dynamic` block, with their lines,
    as a reason (None: none); with `touched` (whether lines start..end are the change's),
    only those the change wrote to or removed from: an unchanged one is not the review's."""
    found = [(address, line, blocks) for address, line, last, blocks in dynamic_blocks(text)
             if touched is None or touched(line, last)]
    if not found:
        return None
    where = "; ".join(f"`{address}` (line {line}: {', '.join(blocks)})"
                      for address, line, blocks in found[:_SHOWN])
    more = f" and {len(found) - _SHOWN} more" if len(found) > _SHOWN else ""
    return (f"checkov does not evaluate the blocks a Terraform `dynamic` block generates, "
            f"so its checks on them were not run: {where}{more}: not fully checked "
            f"(write the blocks out, or review them by hand)")


def dynamic_blocks(text: str) -> list[tuple[str, int, int, list[str]]]:
    """(the resource's address, its first and last lines, its `dynamic "…"` blocks at any
    depth with their lines) of each resource of `text` holding one, in order."""
    masked = _masked(text)
    out = []
    for resource in _RESOURCE.finditer(masked):
        end = _closing(masked, resource.end())
        blocks = [f'`dynamic "{_name(text, found, 1)}"` (line '
                  f'{masked.count(chr(10), 0, found.start(1)) + 1})'
                  for found in _DYNAMIC.finditer(masked, resource.end(), end)]
        if blocks:
            address = f"{_name(text, resource, 1)}.{_name(text, resource, 2)}"
            first = masked.count("\n", 0, resource.start(1)) + 1
            out.append((address, first, masked.count("\n", 0, end) + 1, blocks))
    return out


def _name(text: str, found: re.Match[str], group: int) -> str:
    """A label as the file writes it (the match is on the masked text: same offsets)."""
    label = text[found.start(group):found.end(group)]
    return label[1:-1] if label.startswith('"') else label


def _closing(masked: str, at: int) -> int:
    """Where the block whose inside starts at `at` closes (its end of text when it does
    not: Terraform refuses the file, and checkov says so)."""
    depth = 0
    for index in range(at, len(masked)):
        char = masked[index]
        if char == "{":
            depth += 1
        elif char == "}":
            if depth == 0:
                return index
            depth -= 1
    return len(masked)


def _masked(text: str) -> str:
    """`text` with comments blanked and the insides of strings (their interpolations too)
    and heredocs as `_`, line breaks kept: its braces and keywords are the code's."""
    out = list(text)
    at, size = 0, len(text)

    def fill(start: int, end: int, char: str) -> None:
        out[start:end] = [c if c in "\r\n" else char for c in text[start:end]]

    while at < size:
        char = text[at]
        if char == "#" or text.startswith("//", at):
            end = text.find("\n", at)
            end = size if end < 0 else end
            fill(at, end, " ")
            at = end
        elif text.startswith("/*", at):
            end = text.find("*/", at + 2)
            end = size if end < 0 else end + 2
            fill(at, end, " ")
            at = end
        elif char == '"':
            end = string_end(text, at + 1, '"', ("${", "%{"))
            fill(at + 1, end, "_")
            at = end + 1
        elif (heredoc := _HEREDOC.match(text, at)) is not None:
            closing = re.compile(rf"(?m)^[ \t]*{re.escape(heredoc[1])}[ \t]*\r?$")
            found = closing.search(text, heredoc.end())
            end = size if found is None else found.start()
            fill(heredoc.end(), end, "_")
            at = end if found is None else found.end()
        else:
            at += 1
    return "".join(out)
