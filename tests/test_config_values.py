"""Values a settings file may hold, by generator: a context window a call fits in, price
tables with known keys and prices of 0 or more, and no true/false for a number (or the
other way round). Each of these was accepted and silently turned a guard-rail off: every
reviewer "out of scope" and a clean verdict, a model priced at $0, `max_rounds = true`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from reviewloop.config import MIN_CONTEXT_WINDOW, PRICE_KEYS, Settings, load_settings
from reviewloop.errors import ConfigError, ExitCode

MODEL = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
FUNCTION_SCOPED = [HealthCheck.function_scoped_fixture]


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if not isinstance(value, str) else f'"{value}"'


def loaded(tmp_path: Path, text: str) -> Settings:
    (tmp_path / ".reviewloop.toml").write_text(text, encoding="utf-8")
    return load_settings(tmp_path, environ={})


def refused(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        loaded(tmp_path, text)
    assert caught.value.exit_code == ExitCode.USAGE
    message = str(caught.value)
    assert str(tmp_path / ".reviewloop.toml") in message and "fix: " in message
    return message


@settings(max_examples=40, deadline=None, suppress_health_check=FUNCTION_SCOPED)
@given(window=st.one_of(st.integers(-10**9, 10**9), st.sampled_from(
    (0, 1, 128, 200, MIN_CONTEXT_WINDOW - 1, MIN_CONTEXT_WINDOW, 128_000))))
def test_a_context_window_is_a_number_of_tokens_a_call_fits_in(tmp_path: Path, window: int):
    text = f'[review]\ncontext_windows = {{ "{MODEL}" = {window} }}\n'
    if window >= MIN_CONTEXT_WINDOW:
        assert loaded(tmp_path, text).review.context_windows == {MODEL: window}
        return
    message = refused(tmp_path, text)
    assert 'key "review.context_windows"' in message and f'"{MODEL}" = {window}' in message
    assert "128k is 128000" in message


# a price key as a user may type it: right, misspelt, capitalised, or another word
KEY = st.one_of(st.sampled_from(PRICE_KEYS),
                st.sampled_from(("inptu", "Input", "OUTPUT", "outptu", "cache-read",
                                 "cached", "prompt", "completion")))
PRICE = st.one_of(st.floats(-1e6, 1e6, allow_nan=False), st.integers(-100, 100),
                  st.booleans())


@settings(max_examples=80, deadline=None, suppress_health_check=FUNCTION_SCOPED)
@given(table=st.dictionaries(KEY, PRICE, max_size=5))
def test_a_price_table_is_known_keys_with_both_prices_at_zero_or_more(tmp_path: Path,
                                                                      table: dict):
    text = f'[prices."{MODEL}"]\n' + "".join(f"{k} = {toml_value(v)}\n"
                                             for k, v in table.items())
    good = (set(table) <= set(PRICE_KEYS) and {"input", "output"} <= set(table)
            and all(not isinstance(v, bool) and v >= 0 for v in table.values()))
    if good:
        assert loaded(tmp_path, text).prices == {MODEL: table}
        return
    message = refused(tmp_path, text)
    assert f'prices."{MODEL}"' in message
    unknown = [k for k in table if k not in PRICE_KEYS]
    if unknown:
        assert f'unknown key "prices."{MODEL}".{unknown[0]}"' in message


def scalar_keys(model: type[BaseModel] = Settings, path: tuple[str, ...] = ()
                ) -> list[tuple[tuple[str, ...], type]]:
    """(key path, int/float/bool) of every scalar number or boolean setting, from the model."""
    found = []
    for name, info in model.model_fields.items():
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            found += scalar_keys(annotation, (*path, name))
            continue
        kinds = {a for a in (getattr(annotation, "__args__", None) or (annotation,))
                 if a in (int, float, bool)}
        if len(kinds) == 1:
            found.append(((*path, name), kinds.pop()))
    return found


SCALARS = scalar_keys()


@settings(max_examples=60, deadline=None, suppress_health_check=FUNCTION_SCOPED)
@given(case=st.sampled_from(SCALARS), flag=st.booleans(), number=st.integers(0, 3))
def test_a_number_is_never_a_boolean_nor_a_boolean_a_number(tmp_path: Path, case, flag,
                                                            number):
    path, kind = case
    value = number if kind is bool else flag
    table, key = ".".join(path[:-1]), path[-1]
    text = (f"[{table}]\n" if table else "") + f"{key} = {toml_value(value)}\n"
    message = refused(tmp_path, text)
    assert f'key "{".".join(path)}"' in message
    assert ("true or false, not a number" if kind is bool else "a number, not true or false") \
        in message


def test_every_kind_of_scalar_setting_is_generated():
    kinds = {kind for _, kind in SCALARS}
    assert kinds == {int, float, bool}
    assert (("max_rounds",), int) in SCALARS and (("sandbox_network",), bool) in SCALARS


@settings(max_examples=60, deadline=None, suppress_health_check=FUNCTION_SCOPED)
@given(key=st.sampled_from(["build", "test"]),
       command=st.text(st.characters(exclude_categories=("Cs",)), max_size=30))
def test_one_command_where_a_list_goes_gets_the_list_it_should_be_as_the_fix(
        tmp_path: Path, key, command):
    """`[gates] test = "pytest"` (any text at all): the fix line is the setting as a list,
    and that line, pasted back into the file, is accepted with the same command."""
    escaped = json.dumps(command, ensure_ascii=False).replace("\x7f", "\\u007f")
    message = refused(tmp_path, f"[gates]\n{key} = {escaped}\n")
    fix = message.split("fix: ", 1)[1].strip()
    assert fix.startswith(f'make "gates.{key}" a list: {key} = [')
    pasted = loaded(tmp_path, f"[gates]\n{fix.split(': ', 1)[1]}\n")
    assert getattr(pasted.gates, key) == (command,)


WORDS = st.text("abcxyz", min_size=1, max_size=3)
GROUPS = st.lists(st.lists(WORDS, min_size=2, max_size=3, unique=True), min_size=1, max_size=3)


def _braced(groups: list[list[str]]) -> tuple[str, list[str]]:
    """A glob of `dir/<g1>-<g2>…yaml` written with {a,b} groups, and the files it names (the
    product of the groups, in order): the oracle for its expansion."""
    pattern = "conf/" + "-".join("{" + ",".join(g) + "}" for g in groups) + ".yaml"
    names: list[str] = [""]
    for group in groups:
        names = [f"{n}-{w}" if n else w for n in names for w in group]
    return pattern, [f"conf/{n}.yaml" for n in dict.fromkeys(names)]


@settings(max_examples=60, deadline=None, suppress_health_check=FUNCTION_SCOPED)
@given(groups=GROUPS, key=st.sampled_from(["sensitive", "governance.approval_paths",
                                            "review.executed_files"]))
def test_brace_alternatives_in_every_glob_setting_are_expanded(tmp_path: Path, groups, key):
    """fz2 D10: `sensitive = ["conf/{prod,dev}.yaml"]` never matched (git's globs take the
    braces as characters): conf/prod.yaml was committed. Every path-glob setting expands
    them, as a shell or minimatch (Kiro) does."""
    from reviewloop.policy.sensitive import is_sensitive

    pattern, files = _braced(groups)
    table, _, name = key.rpartition(".")
    text = (f"[{table}]\n" if table else "") + f'{name} = ["{pattern}", "other/*.yaml"]\n'
    got = loaded(tmp_path, text)
    value = getattr(getattr(got, table) if table else got, name)
    assert value == (*files, "other/*.yaml")
    if key == "sensitive":
        assert all(is_sensitive(f, value) for f in files)
        assert not is_sensitive("conf/" + pattern[5:], value)  # the braces are not a name


@pytest.mark.parametrize(("pattern", "expected"), [
    ("a{b,c{d,e}}f", ("abf", "acdf", "acef")), ("{a}", ("{a}",)), ("x{a,b", ("x{a,b",)),
    ("\\{a,b}", ("\\{a,b}",)), ("*.{js,ts,}", ("*.js", "*.ts", "*.")), ("{a,a}", ("a",)),
    ("src/**/*.{py,pyi}", ("src/**/*.py", "src/**/*.pyi"))])
def test_braces_read_as_a_shell_reads_them(pattern: str, expected: tuple[str, ...]):
    from reviewloop.config_values import expand_braces
    assert expand_braces(pattern) == expected


@pytest.mark.parametrize("key", ["sensitive", "governance.approval_paths",
                                 "review.executed_files"])
def test_too_many_brace_alternatives_name_the_key(tmp_path: Path, key: str):
    table, _, name = key.rpartition(".")
    group = "{" + ",".join("abcdefghi") + "}"
    text = (f"[{table}]\n" if table else "") + f'{name} = ["{group}/{group}/x"]\n'
    message = refused(tmp_path, text)
    assert f'key "{key}' in message and "more than 64 patterns" in message, message


@settings(max_examples=20, deadline=None, derandomize=True)
@given(unit=st.sampled_from(["{a,b}", "{a}", "{", "x{", "{a,{b,c}}"]),
       count=st.integers(65, 3000))
def test_a_pattern_of_many_braces_is_refused_at_once(unit: str, count: int) -> None:
    """A review found `"{a,b}" * 1000` ending `reviewloop agents` in a RecursionError (exit 3)
    and 20,000 unclosed `{` taking 20 s: past MAX_ALTERNATIVES braces the pattern is refused
    before it is read, a ValueError (exit 2 naming the key, as the count past 64 patterns)."""
    from reviewloop.config_values import MAX_ALTERNATIVES, expand_braces
    pattern = unit * max(1, count // len(unit))
    assume(pattern.count("{") > MAX_ALTERNATIVES)
    with pytest.raises(ValueError, match=f"more than {MAX_ALTERNATIVES} '{{'"):
        expand_braces(pattern)
