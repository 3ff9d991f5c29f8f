"""An infrastructure file checkov's own gate skips — its key words escaped (`"\\u0061piVersion"`,
`"\\x6bind"`, `"R\\u0065sources"`, `"\\u0024schema"`, `"\\x6fpenapi"`), or the whole file in
UTF-16 or UTF-32 with a byte-order mark, as PowerShell's `>` writes it — is never silently
unread. An escaped one is analysed: the review reports on its own lines what plain checkov
reports on the copy with its keys spelled plainly (the oracle). A wide one is named as not
read, and the review is incomplete, whenever plain checkov finds something in its decoded
text. `reviewloop review --base main --head feature` as a user runs it, with the suite's
checkov (`iac_env`); marked `pypi` (CI sets REVIEWLOOP_PYPI=1)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from reviewloop.checks.analyzers.checkov_keys import plain
from tests.support.checkov import plain_checkov
from tests.support.iac_escapes import Escaped, escaped
from tests.support.review_cli import review_feature

pytestmark = [pytest.mark.usefixtures("iac_env"), pytest.mark.pypi, pytest.mark.timeout(900)]

REVIEWED = ("cloudformation", "kubernetes", "arm", "openapi")
ANALYSED = "checkov (review-infrastructure)"
WIDE = ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")
MARKS = {"utf-16-le": b"\xff\xfe", "utf-16-be": b"\xfe\xff",
         "utf-32-le": b"\xff\xfe\x00\x00", "utf-32-be": b"\x00\x00\xfe\xff"}


def _oracle(iac_tools: Path, name: str, text: str) -> set[tuple[str, int]]:
    """(check, first line) of each failed check plain `checkov -d .` reports on `text`."""
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / name).write_text(text, encoding="utf-8")
        return {(check["check_id"], check["file_line_range"][0])
                for check in plain_checkov(iac_tools, Path(folder))}


@settings(max_examples=4, deadline=None, derandomize=True, phases=[Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(drawn=escaped(REVIEWED))
def test_a_file_with_escaped_key_words_is_analysed_as_its_plain_copy(
        iac_tools: Path, drawn: Escaped) -> None:
    path = f"deploy/x{drawn.suffix}"
    expected = _oracle(iac_tools, f"x{drawn.suffix}", plain(path, drawn.text))
    assert expected, drawn.text  # the plain spelling is misconfigured
    report = review_feature({path: drawn.text.encode()})
    assert _found(report, path) == expected, drawn.text
    row = next(row for row in report["health"]["files"] if row["path"] == path)
    assert ANALYSED in row["analysed_by"] and row["not_read"] == []


@settings(max_examples=4, deadline=None, derandomize=True, phases=[Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(drawn=escaped(REVIEWED), encoding=st.sampled_from(WIDE), escape=st.booleans())
def test_a_wide_manifest_or_template_is_named_as_not_read(
        iac_tools: Path, drawn: Escaped, encoding: str, escape: bool) -> None:
    """Told by its decoded text (its keys escaped or not), it is named as checkov's unread
    file and the review is incomplete, findings or not (checkov decodes some of them itself,
    and a finding on text it half read would not say it read the rest)."""
    path = f"deploy/x{drawn.suffix}"
    text = drawn.text if escape else plain(path, drawn.text)
    assert _oracle(iac_tools, f"x{drawn.suffix}", plain(path, text))  # checkov would report
    report = review_feature({path: MARKS[encoding] + text.encode(encoding)})
    row = next(row for row in report["health"]["files"] if row["path"] == path)
    # as UTF-16 text, or by a skip of checkov's own its text tells (an ARM `contentVersion`)
    assert any(why.startswith("checkov: ") for why in row["not_read"]), (row, text)
    assert not report["health"]["complete"]


def _found(report: dict[str, Any], path: str) -> set[tuple[str, int]]:
    return {(f["rule"], f["start_line"]) for bucket in ("remaining", "nits", "out_of_scope")
            for f in report["findings"][bucket] if f["file"] == path
            and f["rule"].startswith("CKV")}
