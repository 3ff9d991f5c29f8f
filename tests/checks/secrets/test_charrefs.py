"""Secrets written with escapes only some languages decode (r21, D5): Python's
`\\N{LATIN SMALL LETTER G}` and HTML/XML character references (`&#103;`, `&#x67;`, `&amp;`).
`\\x`, `\\u`, octal, `$'…'` and percent-encoding were decoded and found; these were not, and a
GitHub token so written passed the gate. Generated: tokens the scan finds written plainly,
with a random share of their characters written each of these ways, in the carriers each
language reads them in: found under the plain token's rule, on the line they are written
on, the hit's span holding their whole spelling (what the review redacts). Each only where
its language decodes it: `\\N{…}` in a Python file's strings, references in HTML, JSX, XML
and SVG text and attributes (not in comments, CDATA or HTML's `<script>`), and HTML's names
other than XML's five never in XML."""

from __future__ import annotations

import ast
import random
import string
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.checks.secrets.charrefs import charrefs_decoded
from reviewloop.checks.secrets.references import Reference
from reviewloop.checks.secrets.scanner import scan_text

ALNUM = string.ascii_letters + string.digits
SETTINGS = settings(max_examples=120, deadline=None, derandomize=True)


def _random(size: int, alphabet: str = ALNUM) -> st.SearchStrategy[str]:
    return st.integers(0, 2**32).map(
        lambda seed: "".join(random.Random(seed).choices(alphabet, k=size)))


TOKENS = st.one_of(
    _random(36).map(lambda t: f"ghp_{t}"),
    _random(16, string.ascii_uppercase + "234567").map(lambda t: f"AKIA{t}"),
    _random(20).map(lambda t: f"glpat-{t}"),
    _random(36).map(lambda t: f"npm_{t}"),
)
# how a character is written as a reference: decimal, hex (either case, `;` left off as
# HTML allows), and by name where HTML or XML has one
NUMERIC = {
    "decimal": lambda c: f"&#{ord(c)};",
    "hex": lambda c: f"&#x{ord(c):x};",
    "HEX": lambda c: f"&#X{ord(c):04X};",
    "padded": lambda c: f"&#{ord(c):07d};",
}
NAMES = {"_": "&UnderBar;", ".": "&period;"}  # names HTML has and XML lacks
# (path, text before the value, text after it): a value where its reader decodes references
HTML_CARRIERS = [
    ("site/index.html", '<html>\n<meta name="token" content="', '">\n</html>\n'),
    ("site/page.htm", "<body>\n<p>deploy key: ", "</p>\n</body>\n"),
    ("src/Key.jsx", "export const Key = () => (\n  <code data-key=\"", "\" />\n);\n"),
    ("src/Key.tsx", "export const Key = () => (\n  <p>\n    ", "\n  </p>\n);\n"),
]
XML_CARRIERS = [
    ("conf/settings.xml", "<settings>\n  <token>", "</token>\n</settings>\n"),
    ("conf/app.xml", '<?xml version="1.0"?>\n<app key="', '"/>\n'),
    ("img/logo.svg", '<svg xmlns="http://www.w3.org/2000/svg">\n<desc>', "</desc>\n</svg>\n"),
]
NOT_DECODED = [  # a path whose reader leaves references as written, or where in the file
    ("notes/key.txt", "<p>", "</p>\n"),
    ("src/notes.py", 'LABEL = "', '"\n'),
    ("site/index.html", "<html>\n<!-- ", " -->\n</html>\n"),
    ("site/index.html", "<script>\nconst k = '", "';\n</script>\n"),
    ("site/index.html", "<style>\n.k::after { content: '", "' }\n</style>\n"),
    ("conf/settings.xml", "<settings>\n  <token><![CDATA[", "]]></token>\n</settings>\n"),
    ("conf/settings.xml", "<settings>\n<!--\n", "\n-->\n</settings>\n"),
]


def _written(token: str, write, seed: int) -> str:
    """`token` with a random third of its characters (its first always) written by `write`."""
    chosen = random.Random(seed)
    return "".join(write(c) if i == 0 or chosen.random() < 0.33 else c
                   for i, c in enumerate(token))


def _line_of(text: str, needle: str) -> int:
    return text[:text.index(needle)].count("\n") + 1


def _plain_rule(token: str) -> str:
    (hit,) = scan_text(f"value {token}\n")
    return hit.rule


def _assert_found(path: str, text: str, value: str, token: str) -> None:
    hits = scan_text(text, path=path)
    assert [(hit.rule, hit.line) for hit in hits] == [(_plain_rule(token), _line_of(text, value))]
    assert hits[0].description.endswith(("(character-reference-encoded)", "(escaped)"))
    # the characters it is written with, whole: what the review redacts, value by value
    assert value in text[hits[0].start:hits[0].end]


@SETTINGS
@given(TOKENS, st.sampled_from(sorted(NUMERIC)), st.sampled_from(HTML_CARRIERS + XML_CARRIERS),
       st.integers(0, 2**16))
def test_a_numeric_reference_is_decoded_where_markup_reads_it(
        token: str, form: str, carrier: tuple[str, str, str], seed: int) -> None:
    path, before, after = carrier
    value = _written(token, NUMERIC[form], seed)
    text = before + value + after
    _assert_found(path, text, value, token)


@SETTINGS
@given(TOKENS, st.sampled_from(HTML_CARRIERS), st.integers(0, 2**16))
def test_an_html_named_reference_is_decoded_in_html_and_jsx_only(
        token: str, carrier: tuple[str, str, str], seed: int) -> None:
    path, before, after = carrier
    value = "".join(NAMES.get(c, c) if i else f"&#{ord(c)};" for i, c in enumerate(token))
    _assert_found(path, before + value + after, value, token)
    # XML reads only its five names: `&lowbar;` is no character there, and the value is no
    # token (`&#…;` alone would not make it one)
    named = "".join(NAMES.get(c, c) for c in token)
    if named != token:
        assert scan_text(f"<settings>\n<t>{named}</t>\n</settings>\n",
                         path="conf/settings.xml") == []


@SETTINGS
@given(TOKENS, st.sampled_from(sorted(NUMERIC)), st.sampled_from(NOT_DECODED),
       st.integers(0, 2**16))
def test_a_reference_is_left_as_written_where_no_reader_decodes_it(
        token: str, form: str, carrier: tuple[str, str, str], seed: int) -> None:
    path, before, after = carrier
    value = _written(token, NUMERIC[form], seed)
    assert scan_text(before + value + after, path=path) == []


def test_a_line_of_syntax_references_alone_is_not_decoded_and_its_password_found_as_written(
        ) -> None:
    """`&amp;` and `&lt;` are how markup writes its own syntax (`?a=1&amp;b=2`): a line of
    them alone is not scanned a second time, and a password holding one is found as
    written; with a reference that hides a token's character beside them, all are read."""
    text = '<settings>\n  <db password="Xk9&amp;mP2qz&lt;Lw7"/>\n</settings>\n'
    assert charrefs_decoded(text, Reference.XML_CHARACTER) is None
    (hit,) = scan_text(text, path="conf/settings.xml")
    assert hit.line == 2 and text[hit.start:hit.end] == "Xk9&amp;mP2qz&lt;Lw7"
    mixed = text.replace("Xk9", "&#88;k9")
    decoded = charrefs_decoded(mixed, Reference.XML_CHARACTER)
    assert decoded is not None and decoded[0] == '  <db password="Xk9&mP2qz<Lw7"/>'


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(("&#103;", "&#x67;", "&amp;", "&lt;", "&nbsp;", "&#10;",
                                 "&#0;", "&#xD800;", "&#1114112;", "&bogus;", "a", " ", "\n",
                                 "<!--", "-->", "<![CDATA[", "]]>")), max_size=60).map("".join))
def test_decoded_text_maps_every_character_back_to_what_it_is_written_with(text: str) -> None:
    """Every decoded character sits at an offset of `text` it was written with: a decoded
    reference at its `&`, any other at itself; blanks, controls and surrogates stay as
    written, as does every reference in a comment or CDATA section."""
    decoded = charrefs_decoded(text, Reference.XML_CHARACTER)
    if decoded is None:
        return
    plain, origin, hidden = decoded
    assert len(origin) == len(plain) + 1
    for start, end in hidden:
        assert text[origin[start]] == "&" and plain[start:end].isprintable()
        assert not plain[start:end].isspace()
    for at, character in enumerate(plain):
        if not any(start <= at < end for start, end in hidden) and character != "\n":
            assert text[origin[at]] == character


PYTHON_CARRIERS = [
    ('import os\n\nTOKEN = "', '"\n'),
    ("def client():\n    return Client(token='", "')\n"),
    ('HEADERS = {\n    "Authorization": f"token ', '",\n}\n'),
]


@SETTINGS
@given(TOKENS, st.sampled_from(PYTHON_CARRIERS), st.sampled_from(("upper", "lower")),
       st.sampled_from(("app/settings.py", "stubs/settings.pyi", "gui/main.pyw")),
       st.integers(0, 2**16))
def test_a_python_named_escape_is_decoded_in_a_python_file(
        token: str, carrier: tuple[str, str], case: str, path: str, seed: int) -> None:
    before, after = carrier
    value = _written(token, lambda c: f"\\N{{{getattr(unicodedata.name(c), case)()}}}", seed)
    text = before + value + after
    assert ast.literal_eval(f'"{value}"') == token  # what Python builds
    _assert_found(path, text, value, token)
    # another language's `\N` is no escape: the text is what it reads
    assert scan_text(text, path=path.rpartition(".")[0] + ".js") == []


def test_an_unknown_name_is_kept_as_written() -> None:
    text = 'TOKEN = "\\N{NO SUCH CHARACTER}hp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"\n'
    assert scan_text(text, path="app/settings.py") == []
