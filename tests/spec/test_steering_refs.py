"""Kiro's `#[[file:…]]` references in steering (fuzz12b D2: the literal reference reached
the prompts, the file never did). Over a fixed product of reference spellings × targets:
a file inside the repository is included whole (the oracle: its own bytes, as `cat` shows
them), anything else — missing, outside, a symlink out, sensitive, not text, a folder — is
refused naming the steering file's line, and its content never reaches the set."""

from __future__ import annotations

import itertools
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.errors import ConfigError
from reviewloop.policy.sensitive import is_sensitive
from reviewloop.spec.steering_set import SteeringSet

SECRET = "TOP-SECRET-VALUE"
INCLUDED = {
    "api/openapi.yaml": "paths:\n  /users: {get: {summary: RULE-FROM-FILE}}\n",
    "docs/deep/schema.json": '{"type": "object"}\n',
    "docs/fenced.md": "```python\nprint('RULE-IN-FENCE')\n```\n",
    "docs/bom.md": "\ufeffRULE-AFTER-BOM\n",
}
REFUSED = {
    "api/missing.yaml": "no such file",
    "../outside.md": "outside the repository",
    "/etc/hostname": "not a path from the repository's root",
    "docs/link-out.md": "outside the repository",
    ".env": "sensitive file",
    "config/credentials.json": "sensitive file",
    "docs/binary.bin": "not UTF-8 text",
    "docs/deep": "docs/deep is a folder",
    "": "not a path from the repository's root",
}
SPELLINGS = ["#[[file:{}]]", "#[[file: {} ]]", "See #[[file:{}]] for the contract."]


def _repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    for name, text in INCLUDED.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    (tmp_path / "outside.md").write_text(SECRET)
    os.symlink(tmp_path / "outside.md", root / "docs/link-out.md")
    (root / ".env").write_text(f"KEY={SECRET}\n")
    (root / "config").mkdir()
    (root / "config/credentials.json").write_text(SECRET)
    (root / "docs/binary.bin").write_bytes(b"\xff\xfe" + SECRET.encode("utf-16-le"))
    return root


def _steering(root: Path, reference: str) -> Path:
    folder = root / ".kiro/steering"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "api.md"
    path.write_text(f"---\ninclusion: always\n---\nFollow the contract:\n{reference}\nEND\n")
    return path


@pytest.mark.parametrize("target, spelling", list(itertools.product(INCLUDED, SPELLINGS)))
def test_a_referenced_repository_file_is_included_whole(
        tmp_path: Path, target: str, spelling: str) -> None:
    root = _repo(tmp_path)
    _steering(root, spelling.format(target))
    block = SteeringSet.collect(root / ".kiro/steering", home=tmp_path / "nohome",
                                sensitive=is_sensitive).block()
    content = (root / target).read_bytes().decode("utf-8-sig").rstrip()
    assert content in block
    assert block.index("Follow the contract:") < block.index(content) < block.index("END")


@pytest.mark.parametrize("target, spelling", list(itertools.product(REFUSED, SPELLINGS)))
def test_a_reference_that_cannot_be_included_is_refused_naming_its_line(
        tmp_path: Path, target: str, spelling: str) -> None:
    root = _repo(tmp_path)
    path = _steering(root, spelling.format(target))
    with pytest.raises(ConfigError) as caught:
        SteeringSet.collect(root / ".kiro/steering", home=tmp_path / "nohome",
                            sensitive=is_sensitive)
    assert caught.value.where == f"{path}:5"
    assert REFUSED[target] in str(caught.value) and caught.value.fix
    assert SECRET not in str(caught.value)


def test_without_a_sensitive_rule_nothing_is_read(tmp_path: Path) -> None:
    """Readers that do not say what is sensitive (a task's context preview) include nothing."""
    root = _repo(tmp_path)
    _steering(root, "#[[file:.env]]")
    block = SteeringSet.collect(root / ".kiro/steering", home=tmp_path / "nohome").block()
    assert SECRET not in block and "#[[file:.env]]" in block


NAME_PART = st.text("abcxyz-_.[] ", min_size=1, max_size=10).map(str.strip).filter(
    lambda s: "]]" not in s and s.strip(".") and not s.endswith("]"))


@settings(max_examples=30, deadline=None, derandomize=True)
@given(parts=st.lists(NAME_PART, min_size=1, max_size=3))
def test_a_path_holding_brackets_is_read_up_to_the_first_closing_pair(parts) -> None:
    """Kiro's reference ends at the first `]]`, so `api/a]b.md` is a path (f_a D11: it stayed
    in the prompt as literal text); generated names with `[`, `]` and spaces inside."""
    rel = "/".join(parts)
    with tempfile.TemporaryDirectory(prefix="refs-") as name:
        root = Path(name) / "repo"
        (root / ".git").mkdir(parents=True)
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("RULE-FROM-BRACKETED-NAME\n")
        _steering(root, f"#[[file:{rel}]]")
        block = SteeringSet.collect(root / ".kiro/steering", home=Path(name) / "nohome",
                                    sensitive=is_sensitive).block()
        assert "RULE-FROM-BRACKETED-NAME" in block


@pytest.mark.parametrize("reference", ["#[[file:api/openapi.yaml", "#[[file:api/openapi.yaml]",
                                       "See #[[file:api/openapi.yaml] for it"])
def test_a_reference_never_closed_is_refused_naming_its_line(tmp_path, reference) -> None:
    root = _repo(tmp_path)
    path = _steering(root, reference)
    with pytest.raises(ConfigError) as caught:
        SteeringSet.collect(root / ".kiro/steering", home=tmp_path / "nohome",
                            sensitive=is_sensitive)
    assert caught.value.where == f"{path}:5"
    assert "never closed with `]]`" in str(caught.value)
