"""A YAML or JSON file whose key words are escaped (`"\\u0061piVersion"`, `"\\x6bind"`,
`"R\\u0065sources"`, `"\\u0024schema"`, `"\\x6fpenapi"`) is routed as its plain spelling is,
and checkov is given a copy with its escaped keys spelled as they parse, on the same lines
(`checkov_keys`): every key word of every content-detected kind, in each escape form its
format decodes (`tests/support/iac_escapes.py`)."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.checks.analyzers.checkov import framework
from reviewloop.checks.analyzers.checkov_documents import unescaped
from reviewloop.checks.analyzers.checkov_keys import plain
from tests.support.iac_escapes import Escaped, escaped


def _parsed(suffix: str, text: str) -> object:
    return json.loads(text) if suffix == ".json" else yaml.safe_load(text)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(escaped())
def test_an_escaped_key_word_routes_the_file_as_its_plain_spelling(drawn: Escaped) -> None:
    path = f"deploy/x{drawn.suffix}"
    assert _parsed(drawn.suffix, drawn.text) == drawn.document  # the escapes are real
    assert not all(word in drawn.text for word in drawn.words)  # and hide a gate word
    assert framework(path, drawn.text) == drawn.kind


@settings(max_examples=300, deadline=None, derandomize=True)
@given(escaped())
def test_the_copy_spells_the_keys_plainly_on_the_same_lines(drawn: Escaped) -> None:
    copy = plain(f"x{drawn.suffix}", drawn.text)
    assert _parsed(drawn.suffix, copy) == drawn.document
    assert all(word in copy for word in drawn.words)
    assert "\\" not in copy
    lines, copied = drawn.text.splitlines(), copy.splitlines()
    assert len(lines) == len(copied)
    assert [a for a, b in zip(lines, copied, strict=True) if "\\" not in a] == \
        [b for a, b in zip(lines, copied, strict=True) if "\\" not in a]


values = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=8)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.dictionaries(st.sampled_from(("name", "image", "note")), values, min_size=1))
def test_an_escaped_value_and_a_plain_file_are_left_as_they_are(values: dict[str, str]) -> None:
    """Only keys are respelled: a value's escapes stay (a secret scan reads them as written)."""
    text = json.dumps(values)
    assert plain("v.json", text) == text
    spelled = yaml.safe_dump(values, default_style='"')
    assert yaml.safe_load(plain("v.yaml", spelled)) == values


def test_a_bad_escape_and_a_key_holding_a_line_break_stay_as_written() -> None:
    assert plain("x.json", '{"\\u00zz": 1}') == '{"\\u00zz": 1}'
    assert plain("x.yaml", '"a\\nb": 1\n') == '"a\\nb": 1\n'


def test_only_a_respelled_file_is_given_as_a_copy(tmp_path: Path) -> None:
    (tmp_path / "pod.json").write_text('{"\\u0061piVersion": "v1", "kind": "Pod"}')
    (tmp_path / "svc.yaml").write_text("apiVersion: v1\nkind: Service\n")
    targets = {"pod.json": "kubernetes", "svc.yaml": "kubernetes", "main.tf": "terraform"}
    given_, links = unescaped(dict(targets), {}, targets, tmp_path, tmp_path / "view")
    copy = next(p for p in given_ if p.endswith("pod.json"))
    assert set(given_) == {copy, "svc.yaml", "main.tf"}
    assert links == {copy: str(tmp_path / "pod.json")}
    assert Path(copy).read_text() == '{"apiVersion": "v1", "kind": "Pod"}'
