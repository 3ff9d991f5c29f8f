"""A Python file whose PEP 263 cookie names a codec that reads ASCII as something else
(`# coding: utf-7`, `unicode_escape`, ISO-2022, HZ) runs code its bytes do not show: in
UTF-7 `+AAo-` is a line break, so a comment can hold `import subprocess` and a call. Python
runs it; the analyzers read the bytes and found nothing (a complete review, exit 0). Such a
file is now named as not analysed; a cookie for a codec that keeps ASCII (UTF-8, Latin-1,
cp1252, EUC-JP) changes nothing. Generated over codecs, cookie spellings and places."""

from __future__ import annotations

import codecs
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.git.encodings import opaque_source_encoding
from tests.support.repos import feature_branch
from tests.support.review_cli import review

# codecs Python accepts for source that read ASCII as other text, and some that keep it
OPAQUE = ("utf-7", "unicode_escape", "raw_unicode_escape", "iso2022_jp", "iso2022_kr", "hz",
          "utf-16", "utf-32", "cp037")
CLEAR = ("utf-8", "latin-1", "cp1252", "ascii", "euc_jp", "gb18030", "iso8859_15", "koi8_r")
COOKIES = ("# -*- coding: {} -*-", "# coding={}", "# vim: set fileencoding={} :",
           "#coding:{}")
PAYLOAD = "import subprocess\nsubprocess.call(input(), shell=True)\n"


@st.composite
def cookied(draw: st.DrawFn, codecs_: tuple[str, ...]) -> tuple[bytes, str]:
    """A file's start with a cookie for one of `codecs_`, on line 1 or after a shebang or a
    blank line (where PEP 263 also looks)."""
    codec = draw(st.sampled_from(codecs_))
    cookie = draw(st.sampled_from(COOKIES)).format(draw(st.sampled_from(
        (codec, codec.upper(), codec.replace("_", "-")))))
    before = draw(st.sampled_from(("", "#!/usr/bin/env python3\n", "\n")))
    return f"{before}{cookie}\nx = 1\n".encode("ascii"), codecs.lookup(codec).name


@settings(max_examples=300, deadline=None)
@given(start=cookied(OPAQUE))
def test_a_codec_that_reads_ascii_otherwise_is_named(start: tuple[bytes, str]) -> None:
    text, codec = start
    named = opaque_source_encoding(text)
    assert named is not None and codecs.lookup(named).name == codec, text


@settings(max_examples=300, deadline=None)
@given(start=cookied(CLEAR), ascii_text=st.binary().map(lambda b: bytes(c & 0x7F for c in b)))
def test_a_codec_that_keeps_ascii_is_not(start: tuple[bytes, str], ascii_text: bytes) -> None:
    text, codec = start
    assert opaque_source_encoding(text) is None, text
    # the claim itself, on ASCII the generator makes: it decodes in the codec to itself
    assert codecs.decode(ascii_text, codec) == ascii_text.decode("ascii")


@settings(max_examples=200, deadline=None)
@given(line=st.text(st.characters(min_codepoint=32, max_codepoint=126), max_size=60))
def test_a_cookie_past_the_second_line_or_in_code_is_none(line: str) -> None:
    """PEP 263 reads the first two lines only, and a comment's only."""
    assert opaque_source_encoding(f"x = 1\n{line}\n# coding: utf-7\n".encode()) is None
    assert opaque_source_encoding(f"x = 'coding: utf-7'  # {line}\n".encode()) is None


@settings(max_examples=3, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(hidden=st.sampled_from(("utf-7", "raw_unicode_escape", "unicode_escape")),
       clear=st.sampled_from(("latin-1", "cp1252", "utf-8")))
def test_a_review_names_the_hidden_code_and_reads_the_clear(
        tmp_path_factory, hidden: str, clear: str) -> None:
    body = PAYLOAD.replace("\n", "+AAo-" if hidden == "utf-7" else "\\u000a")
    body = body.replace("=", "+AD0-") if hidden == "utf-7" else body
    files = {"pkg/hidden.py": f"# coding: {hidden}\n# note {body}\nprint(1)\n".encode(),
             "pkg/clear.py": f"# coding: {clear}\n{PAYLOAD}".encode(clear)}
    root = feature_branch(tmp_path_factory.mktemp("r") / "r", files)
    done = review(root, "--base", "main", "--head", "feature", "--fail-on", "never", "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    rows = {row["path"]: row for row in report["health"]["files"]}
    named = [why.split("source encoding ")[1].split()[0]
             for why in rows["pkg/hidden.py"]["not_read"] if "source encoding " in why]
    assert [codecs.lookup(n).name for n in named] == [codecs.lookup(hidden).name], rows
    assert report["health"]["complete"] is False
    found = {(e["finding"]["file"], e["finding"]["rule"]) for e in report["ledger"]["entries"]}
    assert ("pkg/clear.py", "B602") in found, found
    assert rows["pkg/clear.py"]["not_read"] == []
