"""`NAME:=value` (a Makefile's, Go's `:=`) is one operator on a line of data. Read as `:`,
its `=` was the value's first character: `PASSWORD:='your-password-here'` and
`db_pass:=<password>` were reported as secrets (`='your-password-here'` is no stand-in),
and a real password's span began at the `=` (fuzz round 13, against detect-secrets, which
reports none of the stand-ins after `:=`), while detect-secrets' own labelled secret
`apikey:= m{{h}o)p${e]nob(…` went unreported (benchmarks/data/secrets_public.jsonl row 388;
a first fix, 146bc25, was reverted for losing it: `test_big_inputs` holds that hit now).

Generated (the product): names × `:=` with and without blanks × quoting × stand-ins and
chosen passwords."""

from __future__ import annotations

import itertools

import pytest

from reviewloop.checks.secrets.scanner import scan_text

NAMES = ("PASSWORD", "db_pass", "secret_key", "DB_SECRET")
OPERATORS = (":=", " := ", ":= ")
QUOTES = ("", "'", '"')
STAND_INS = ("changeme", "your-password-here", "<password>", "xxxxxxxx", "${DB_PASSWORD}")
CHOSEN = ("Xk9#mQ2vL8pZ", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzz",
          "m{{h}o)p${e]nob(ody[finds>-_$#thisone}}")


@pytest.mark.parametrize(("name", "op", "q", "value"),
                         list(itertools.product(NAMES, OPERATORS, QUOTES, STAND_INS)))
def test_a_stand_in_after_colon_equals_is_not_reported(name: str, op: str, q: str,
                                                       value: str) -> None:
    assert scan_text(f"{name}{op}{q}{value}{q}\n") == []


@pytest.mark.parametrize(("name", "op", "q", "value"),
                         list(itertools.product(NAMES, OPERATORS, QUOTES, CHOSEN)))
def test_a_password_after_colon_equals_is_reported_as_written(name: str, op: str, q: str,
                                                              value: str) -> None:
    line = f"{name}{op}{q}{value}{q}"
    assert [line[h.column - 1:h.end_column - 1] for h in scan_text(line + "\n")] == [value]
