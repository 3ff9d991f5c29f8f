"""A Bicep resource declared in a loop or under a condition is checked by checkov, on its own
lines.

checkov reads `= [for x in xs: {…}]` and `= if (c) {…}` as a wrapper around the resource and
passes CKV_AZURE_3 on it whatever its body says (plain `checkov -d .` too). Generated Bicep
files — resources plain, looped over an array (with an index or not), over a range, under a
condition, both; a child resource nested in one, looped or not (pycep cannot parse a looped
child: checkov read nothing of the file); their bodies with a property's own loop and strings
and comments holding
`[for`, `if (`, `{` and `]` — are given to checkov unwrapped (`bicep_loops.unwrapped`): every
line where it was, each head blanked, each body the resource. A review reports CKV_AZURE_3 on
exactly the insecure resources' lines; a head the copy cannot take apart is named, with its
line."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import NamedTuple

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from reviewloop.checks.analyzers.bicep_loops import unchecked, unwrapped, unwrapped_files
from tests.support.repos import feature_branch
from tests.support.review_cli import review

HEADS = {"plain": ("", ""), "array": ("[for name in names: ", "]"),
         "indexed": ("[for (name, i) in names: ", "]"),
         "range": ("[for i in range(0, 2): ", "]"), "condition": ("if (deploy) ", ""),
         "looped condition": ("[for name in names: if (deploy && !empty(name)) ", "]")}
PARAMS = "param names array = [\n  'a'\n  'b'\n]\nparam deploy bool = true\n"
# what a body may hold besides the checked property: a property's own loop, strings and a
# comment that look like a head or a bracket
EXTRAS = ("", "    ipRules: [for ip in ['10.0.0.1']: {\n      value: ip\n    }]\n",
          "    note: 'a [for x in y: { in a string'\n", "    // if (x) { [for\n",
          "    tag: '${name}-}]'\n", "    text: '''\n  ] } [for\n'''\n")


class Resource(NamedTuple):
    name: str
    head: str
    insecure: bool
    extra: str
    child: str | None = None  # the head of a child resource nested in it (None: none)

    def text(self, blank: bool = False) -> str:
        """Its declaration; `blank`: as the copy given to checkov has it, every head's loop
        and condition and every loop's closing `]` blanks."""
        opening, closing = _head(self.head, blank)
        nested = ""
        if self.child is not None:  # pycep cannot parse a looped one: the whole file unread
            inner, shut = _head(self.child, blank)
            nested = (f"  resource blobs{self.name} 'blobServices' = {inner}{{\n"
                      f"    name: 'default'\n  }}{shut}\n")
        return (f"resource {self.name} 'Microsoft.Storage/storageAccounts@2021-02-01' = "
                f"{opening}{{\n  name: 'x{self.name}'\n  location: 'westeurope'\n"
                f"  kind: 'StorageV2'\n  sku: {{\n    name: 'Standard_LRS'\n  }}\n"
                f"  properties: {{\n{self.extra}    supportsHttpsTrafficOnly: "
                f"{str(not self.insecure).lower()}\n  }}\n{nested}}}{closing}\n")


def _head(kind: str, blank: bool) -> tuple[str, str]:
    opening, closing = HEADS[kind]
    return (" " * len(opening), " " * len(closing)) if blank else (opening, closing)


SEPARATORS = ("\n", "\n// [for a in b: {\n", "\n/* if (c) {\n ] */\n")
# (a Bicep file, the copy checkov is to be given, each resource with its first and last line)
Drawn = tuple[str, str, list[tuple[Resource, int, int]]]


def laid_out(resources: list[tuple[str, Resource]]) -> Drawn:
    """The Bicep file of the (separator, resource) pairs (`Drawn`)."""
    text, copy, placed = PARAMS, PARAMS, []
    for separator, resource in resources:
        text += separator
        copy += separator
        first = text.count("\n") + 1
        text += resource.text()
        copy += resource.text(blank=True)
        placed.append((resource, first, text.count("\n")))
    return text, copy, placed


@st.composite
def files(draw: st.DrawFn) -> Drawn:
    """A Bicep file of 1–4 resources (`laid_out`)."""
    return laid_out([(draw(st.sampled_from(SEPARATORS)),
                      Resource(f"sa{n}", draw(st.sampled_from(list(HEADS))), draw(st.booleans()),
                               draw(st.sampled_from(EXTRAS)),
                               draw(st.one_of(st.none(), st.sampled_from(list(HEADS))))))
                     for n in range(draw(st.integers(1, 4)))])


# every head, insecure, beside a secure looped one: what plain checkov passes
EVERY_HEAD = laid_out([("\n", Resource(f"sa{n}", head, True, EXTRAS[n % len(EXTRAS)]))
                       for n, head in enumerate(HEADS)]
                      + [("\n", Resource("ok", "looped condition", False, EXTRAS[1])),
                         ("\n", Resource("parent", "plain", True, "", child="array"))])


@given(files())
def test_each_head_is_blanked_and_every_line_kept(drawn: Drawn) -> None:
    text, copy, _ = drawn
    made = unwrapped(text)
    if copy == text:  # plain resources only
        assert made is None
        return
    assert made == copy
    assert made.count("\n") == text.count("\n")
    assert unchecked(text) is None


@given(st.sampled_from(("[for x in (a ? b : c): {", "[for x in xs {", "if (deploy {")))
def test_a_head_that_does_not_take_apart_is_named_with_its_line(head: str) -> None:
    text = f"{PARAMS}\nresource bad 'Microsoft.Storage/storageAccounts@2021-02-01' = {head}\n" \
           "  name: 'x'\n}]\n"
    taken = unwrapped(text)
    if head.startswith("[for x in (a"):  # parenthesised: its `?:` is inside a bracket
        assert taken is not None and unchecked(text) is None
        return
    assert taken is None
    assert unchecked(text) == ("checkov checks a Bicep resource declared in a loop or under a "
                               "condition as its wrapper, not its body, and the review could "
                               "not unwrap `bad` (line 7): not checked")


def test_the_copy_is_given_in_place_of_the_file(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    (tree / "infra").mkdir(parents=True)
    (tree / "infra/main.bicep").write_text(Resource("a", "array", True, "").text())
    (tree / "infra/plain.bicep").write_text(Resource("b", "plain", True, "").text())
    targets = {"infra/main.bicep": "bicep", "infra/plain.bicep": "bicep", "x.yaml": "k8s"}
    given_, links = unwrapped_files(dict(targets), {}, targets, tree, tmp_path / "view")
    made = next(p for p in given_ if p.endswith("main.bicep"))
    assert set(given_) == {made, "infra/plain.bicep", "x.yaml"}
    assert links == {made: str(tree / "infra/main.bicep")}
    assert Path(made).read_text() == unwrapped((tree / "infra/main.bicep").read_text())


@pytest.mark.pypi
@pytest.mark.timeout(900)
@settings(max_examples=3, deadline=None, derandomize=True,
          phases=(Phase.explicit, Phase.generate),  # a failure's review is not shrunk
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(files())
@example(EVERY_HEAD)
def test_a_review_reports_every_insecure_resource_on_its_lines(
        iac_env: Path, drawn: Drawn) -> None:
    text, _, placed = drawn
    with tempfile.TemporaryDirectory() as scratch:
        root = feature_branch(Path(scratch) / "r", {"main.bicep": text.encode()})
        done = review(root, "--base", "main", "--head", "feature", "--fail-on", "never",
                      "--json")
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)
    found = {(f["start_line"], f["end_line"])
             for kind in ("remaining", "nits") for f in report["findings"][kind]
             if f["source"] == "checkov" and f["rule"] == "CKV_AZURE_3"}
    assert found == {(first, last) for r, first, last in placed if r.insecure}, (found, placed)
    assert report["health"]["complete"] is True, report["health"]
