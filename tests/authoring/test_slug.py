"""A spec's name from its description: accents dropped, and a description with no Latin
letter or digit named by a hash of it, never the shared "feature"."""

from __future__ import annotations

import itertools
import unicodedata

import pytest

from reviewloop.authoring.sessions import check_name, slug

_SCRIPTS = ("ユーザー認証", "支払い処理", "Платежи", "مدفوعات", "결제 처리", "🙂🚀", "Ωμέγα")
_LATIN = ("Ünïcödé façade", "crème brûlée API", "Ærø ñandú", "straße")


@pytest.mark.parametrize(("a", "b"), list(itertools.combinations(_SCRIPTS, 2)))
def test_descriptions_in_other_scripts_get_distinct_valid_names(a: str, b: str):
    assert slug(a) != slug(b)
    for text in (a, b):
        assert check_name(slug(text)) == slug(text) != "feature"
        assert slug(f"  {text}\n") == slug(text)  # the same description, the same name


@pytest.mark.parametrize("text", _LATIN)
def test_accented_latin_keeps_its_words(text: str):
    # the oracle: Unicode's own decomposition with the marks left out
    plain = "".join(c for c in unicodedata.normalize("NFKD", text.lower())
                    if c.isascii() and (c.isalnum() or c == " "))
    assert slug(text) == "-".join(plain.split())
