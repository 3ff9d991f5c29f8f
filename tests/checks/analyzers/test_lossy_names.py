"""reviewloop.checks.analyzers.lossy_names: a name spelled as a tool printing it lossily as
UTF-8 spells it — an ASCII name as it is, without encoding it — on generated names: ASCII,
any Unicode, and bytes that are not UTF-8 (a Latin-1 name, as the file system hands it)."""

from __future__ import annotations

import os

from hypothesis import given
from hypothesis import strategies as st

from reviewloop.checks.analyzers.lossy_names import lossy

_NAMES = st.one_of(
    st.text(st.characters(max_codepoint=127), max_size=30),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=30),
    st.binary(max_size=30).map(os.fsdecode))


@given(_NAMES)
def test_a_name_is_spelled_as_its_bytes_decoded_lossily(name: str) -> None:
    assert lossy(name) == os.fsencode(name).decode("utf-8", "replace")


def test_a_latin1_name_is_spelled_with_the_replacement_character() -> None:
    assert lossy(os.fsdecode("dé/m.py".encode("latin-1"))) == "d\ufffd/m.py"
    assert lossy("dé/m.py") == "dé/m.py"
