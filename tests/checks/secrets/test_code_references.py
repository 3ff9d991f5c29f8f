"""A secret name set to code that reads the secret from somewhere else is no hard-coded
secret, whatever accessor the code writes: JavaScript's optional chaining
(`req.headers?.authorization`, `a?.b?.c`, `f?.()`, `o?.["k"]`), TypeScript's non-null
(`obj!.token`), a private field (`this.#secret`), a template literal's interpolation
(`` `Bearer ${session.token}` ``), `process.env.X ?? ''`, PHP's `$this->x` / `?->`, Ruby's
`@x` and Go's `cfg.Token`.

Before, `assignments._CODE_REF` knew `.`, `::` and `->` between names only, so clean
code with `?.` was a must-fix "Hard-coded secret" (the secrets gate failed; found on
eslint/eslint's `lib/`), and a quoted span in a template literal or a word before a code
span in Markdown prose (`pass `ecmaVersion``) was a value.

Generated (hypothesis, derandomize=True): batches of name × language × reference shape,
each line a file of its own in one change; the oracle is plain `detect-secrets scan
--all-files` once a batch: where it reports nothing, the scan reports nothing. A literal
under the same names is still reported.
"""

from __future__ import annotations

import ast
import random
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from reviewloop.checks.secrets.diff_scan import scan_added_lines
from reviewloop.checks.secrets.scanner import scan_text
from reviewloop.checks.secrets.secret_names import generic_rule
from tests.support.analyzers import Repo
from tests.support.detect_secrets import plain_scan

NAMES = ("token", "apiKey", "password", "secret", "accessToken", "clientSecret", "authToken",
         "sessionKey", "nodeTypeKey", "dbPassword")
# segment names of high entropy enough to pass for a key were they a literal
SEGMENTS = ("headers", "authorization", "esqueryOptions", "accessToken", "clientSecret",
            "credentials", "apiKey", "settings", "session", "data", "Token", "x9Config")
JS_KINDS = ("a.js", "a.ts", "a.jsx", "a.tsx", "a.mjs", "a.cjs")
# JavaScript's and TypeScript's accessors between two names
JS_ACCESSORS = (".", "?.", "!.", "?.#")
JS_TAILS = ("", "?.()", '?.["k"]', "!", "?.[0]", "()")


@st.composite
def js_reference(draw: st.DrawFn) -> str:
    """A member expression with optional chaining, non-null assertions and private fields,
    alone, defaulted (`?? ''`, `|| "type"`) or interpolated in a template literal."""
    head = draw(st.sampled_from(("req", "options", "this", "config", "ctx", "cfg")))
    parts = draw(st.lists(st.tuples(st.sampled_from(JS_ACCESSORS), st.sampled_from(SEGMENTS)),
                          min_size=1, max_size=3))
    ref = head + "".join(a + s for a, s in parts) + draw(st.sampled_from(JS_TAILS))
    return draw(st.sampled_from((
        "{r}", "{r} ?? ''", '{r} || "type"', "{r} ?? process.env.API_KEY",
        "process.env.API_KEY ?? {r}", "`Bearer ${{{r}}}`", "`${{{r}}}`",
        "`'${{getName({r})}}'`"))).format(r=ref)


@st.composite
def code_line(draw: st.DrawFn) -> tuple[str, str]:
    """(file name, line): a secret name set to a reference in one language's syntax."""
    name = draw(st.sampled_from(NAMES))
    language = draw(st.sampled_from(("js", "php", "ruby", "go")))
    segment = draw(st.sampled_from(SEGMENTS))
    if language == "js":
        kind = draw(st.sampled_from(JS_KINDS))
        line = draw(st.sampled_from(("const {n} = {r};", "this.{n} = {r};", "{n}: {r},",
                                     "let {n} = {r}")))
        return kind, line.format(n=name, r=draw(js_reference()))
    if language == "php":
        ref = draw(st.sampled_from(("$this->{s}", "$this?->{s}", "$this->{s}->{n}",
                                    "$config?->{s}", "self::{s}")))
        return "a.php", f"${name} = {ref.format(s=segment, n=name)};"
    if language == "ruby":
        ref = draw(st.sampled_from(("@{l}", "@@{l}", "@{l}.{s}", "@config.{l}")))
        lower = draw(st.sampled_from(("password", "token", "db_password", "api_key")))
        return "a.rb", f"{name.lower()} = {ref.format(l=lower, s=segment)}"
    ref = draw(st.sampled_from(("cfg.{s}", "c.Auth.{s}", "opts.{s}")))
    return "a.go", draw(st.sampled_from(("{n} := {r}", "{N}: {r},"))).format(
        n=name, N=name[0].upper() + name[1:], r=ref.format(s=segment))


def _layout(batch: list[tuple[str, str]]) -> dict[str, str]:
    return {f"v{i:03d}/{kind}": f"{line}\n" for i, (kind, line) in enumerate(batch)}


_BATCH = settings(max_examples=3, deadline=None, derandomize=True, phases=[Phase.generate],
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# a batch is one run of detect-secrets: no shrinking (the failures are listed whole instead)
@_BATCH
@given(st.lists(code_line(), min_size=150, max_size=150))
def test_a_reference_in_code_is_no_secret_where_detect_secrets_reports_none(
        tmp_path_factory: pytest.TempPathFactory, batch: list[tuple[str, str]]) -> None:
    layout = _layout(batch)
    repo = Repo(tmp_path_factory.mktemp("repo"))
    ours = {hit.path for hit in scan_added_lines(repo.change(layout))}
    plain = {path for path, _ in plain_scan(repo.root)}
    quiet = [path for path in layout if path not in plain]
    assert [(path, layout[path]) for path in quiet if path in ours] == []
    assert len(quiet) >= 120  # detect-secrets is quiet on nearly all: each is held to it


def test_a_literal_under_the_same_names_is_still_reported(tmp_path: Path) -> None:
    literal = "Xk9mQ2vLp7wRt4Zs"
    layout = {"a.ts": f'const token = "{literal}";\n', "b.js": f"const apiKey = `{literal}`;\n",
              "c.php": f"$password = '{literal}';\n", "d.rb": f'password = "{literal}"\n',
              "e.go": f'token := "{literal}"\n', "f.js": f"const key = `sk_${{env}}{literal}`;\n"}
    found = {hit.path for hit in scan_added_lines(Repo(tmp_path).change(layout))}
    assert found == set(layout)


@pytest.mark.parametrize("value", ["@dminpass", "@@dminpass", "@secret_2024"])
def test_a_value_starting_with_at_is_a_value_on_a_data_line_and_a_variable_in_ruby(
        tmp_path: Path, value: str) -> None:
    """Ruby's `@password` is code only in code: in a `.env` or a properties file a password
    may start with `@` (it was taken for a Ruby variable there and missed)."""
    layout = {".env": f"DB_PASSWORD={value}\n", "app.properties": f"db.password={value}\n",
              "a.rb": f"password = {value}\n"}
    found = {hit.path for hit in scan_added_lines(Repo(tmp_path).change(layout))}
    assert found == {".env", "app.properties"}


# values with other languages' accessors in them (`?.`, `!.`, a leading `@`): code only in a
# program; in data, a shell script or a flag each is a password (a `$` is left out: a shell,
# a Dockerfile expand it)
_ACCESSOR_VALUES = ("Summer2024!.Pass", "Xy7?.Zz8Qw", "@dminpass", "Zq8!?.kLm2xP", "Hunter2!.word9")
_DATA_KINDS = (("conf/.env", "DB_PASSWORD={v}\n"), ("conf/app.ini", "[db]\npassword = {v}\n"),
               ("conf/app.properties", "db.password: {v}\n"),
               ("conf/setup.cfg", "[db]\npassword = {v}\n"),
               ("conf/deploy.sh", "export DB_PASSWORD={v}\n"),
               ("conf/Dockerfile", "ENV DB_PASSWORD={v}\n"),
               ("conf/app.xml", "<password>{v}</password>\n"),
               ("conf/run.sh", "mysql --password={v} -h db\n"))


@pytest.mark.parametrize("value", _ACCESSOR_VALUES)
def test_a_value_with_another_languages_accessors_is_a_password_in_data(
        tmp_path: Path, value: str) -> None:
    """r19-sec's accessors (`?.`, `!.`, `$` in a name, a Ruby `@x`) made these values code in
    every file, and 2,173 of 6,262 generated secrets in data files were lost; a review of the
    merge found it."""
    layout = {path: shape.format(v=value) for path, shape in _DATA_KINDS}
    found = {hit.path for hit in scan_added_lines(Repo(tmp_path).change(layout))}
    assert found == set(layout)


@pytest.mark.parametrize("name", ["passwordIcon", "showPasswordImg", "tokenIcon", "SECRET_LOGO"])
def test_an_inline_image_is_no_credential(tmp_path: Path, name: str) -> None:
    data = "data:image/png;base64," + "iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAYAAAAf8" * 12
    layout = {"a.ts": f'const {name} = "{data}";\n', "b.json": f'{{"{name}": "{data}"}}\n'}
    assert scan_added_lines(Repo(tmp_path).change(layout)) == []


# a strong segment, shaped as a key: a letter first (a member's name in any language), then
# distinct letters and digits
_SEGMENTS = st.integers(0, 2**32).map(random.Random).map(
    lambda rng: rng.choice("KQXZkqxz") + "".join(rng.sample("ABCDEFGHJKLMNPQRSTUVWXYZ", 2)
                                                 + rng.sample("abcdefghjkmnpqrstuvwxyz", 3)
                                                 + rng.sample("23456789", 2)))


@st.composite
def accessor_value(draw: st.DrawFn) -> str:
    """A value shaped as a member reference in some language: segments joined by one
    language's accessors (Python's `.`, JavaScript's `?.`, TypeScript's `!.`, PHP's and
    C++'s `::`), after a prefix some language has (`@`, `!!`) or none (a `$` first is a
    stand-in's, `$DB_PASSWORD`, in any file)."""
    segments = draw(st.lists(_SEGMENTS, min_size=2, max_size=3, unique=True))
    joined = segments[0] + "".join(draw(st.sampled_from((".", ".", "?.", "!.", "::"))) + s
                                   for s in segments[1:])
    return draw(st.sampled_from(("", "", "@", "!!"))) + joined


KEYWORD_RULES = {"generic-password", "generic-secret"}  # the keyword layer's (`generic_rule`)


def _python(value: str) -> bool:
    try:
        ast.parse(value, mode="eval")
    except SyntaxError:
        return False
    return True


@settings(max_examples=60, deadline=None, derandomize=True)
@given(value=accessor_value(), name=st.sampled_from(("PASSWORD", "db_password", "api_token",
                                                     "client_secret")))
def test_in_python_only_what_python_parses_is_code(value: str, name: str) -> None:
    """`PASSWORD = Summer2024!.Pass` is no Python expression: in a `.py` file a value Python
    cannot parse is the value set (it was taken for JavaScript's or PHP's member access),
    reported whole; `a.b` is code there. In the other programs every accessor stays code."""
    line = f"{name} = {value}\n"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the parse of a reference warns of nothing
        ours = {(h.rule, line[h.start:h.end]) for h in scan_text(line, path="src/settings.py")}
    # gitleaks' own rules read no accessor: what they report, they report in any file
    elsewhere = {kind: {(h.rule, line[h.start:h.end]) for h in scan_text(line, path=kind)}
                 for kind in ("a.js", "a.ts", "a.php", "a.rb")}
    for kind, hits in elsewhere.items():
        assert not {rule for rule, _ in hits} & KEYWORD_RULES, (kind, line, hits)
    if _python(value):
        assert ours == elsewhere["a.js"], (line, ours)
    else:
        assert (generic_rule(name), value) in ours, (line, ours)
