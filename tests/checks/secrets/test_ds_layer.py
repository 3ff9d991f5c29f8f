"""The detect-secrets layer's line filter skips work only: every line it keeps from
detect-secrets is one none of the plugins it runs could report (generated lines, built from the
plugins' own names, separators, values and URLs)."""

from __future__ import annotations

import random
import re
import string

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from reviewloop.checks.secrets.ds_layer import (
    _has_a_literal,
    _with_a_literal,
    detect_secrets,
    worth_a_look,
)
from reviewloop.checks.secrets.scanner import redact

_HEX = "0123456789abcdef"
_LETTERS = string.ascii_letters
_ALNUM = string.ascii_letters + string.digits
# the pieces the plugins' patterns are made of, and look-alikes: Unicode letters that fold to
# `k` and `s` (KELVIN SIGN, LONG S), a bandit message's long snake_case name
_NAMES = ["key", "KEY", "api_key", "apikey", "pwd", "pw", "PW", "password", "pass", "token",
          "Token", "secret_access_key", "secret-key", "\u212aey", "pa\u017f\u017f", "ke",
          "tok", "secret", "user"]
_PREFIXES = ["", "ibm_cloud_iam_", "ibm-", "iam", "cloud_", "cloudant_", "cl_", "clou",
             "softlayer_", "sl-", "sl_api_", "cos_hmac_", "ibm_cos_", "my_"]
_SEPARATORS = ["=", ": ", ":=", " => ", "  ", "::", '"="', "']=", "", " "]
_QUOTES = ["", '"', "'"]
_WORDS = ["See", "https://bandit.readthedocs.io/en/1.9.4/plugins/", "b602_subprocess_popen_"
          "with_shell_equals_true.html", "def run(cmd):", "#", "ibm", "IAM", "cos", "hmac"]
_URLS = ["https://acct:{}@acct.cloudant.com", "http://u-1:{}@x.CLOUDANT.COM",
         "https://api.softlayer.com/soap/v3/{}", "HTTP://api.SoftLayer.com/soap/v3.1/{}",
         "https://api.softlayer.com/{}", "{}@cloudant.com"]


def _body(alphabet: str, n: int, seed: int = 0) -> str:
    """`n` random characters of `alphabet` (a random value, not a fixture's `aaaa`)."""
    pick = random.Random(seed)
    return "".join(pick.choice(alphabet) for _ in range(n))


def _run(alphabet: str, sizes: tuple[int, ...]) -> st.SearchStrategy[str]:
    return st.builds(lambda n, seed: _body(alphabet, n, seed), st.sampled_from(sizes),
                     st.integers(0, 10_000))


_VALUES = st.one_of(
    _run(_LETTERS.lower(), (23, 24, 30)), _run(_LETTERS, (24,)), _run(_HEX, (31, 32, 48, 64)),
    _run(_HEX.upper(), (48,)), _run(_ALNUM + "_-", (43, 44, 50)), _run(_ALNUM.lower(), (64,)),
    st.sampled_from(["AKC", "AP", "APB", "AP7"]).flatmap(
        lambda head: _run(_ALNUM, (7, 8, 10, 12)).map(lambda tail: head + tail)),
    _run(_LETTERS + "\u212a\u017f", (24, 44)))
_ASSIGNMENT = st.builds(lambda p, n, q, s, v: f"{q}{p}{n}{q}{s}{q}{v}{q}",
                       st.sampled_from(_PREFIXES), st.sampled_from(_NAMES),
                       st.sampled_from(_QUOTES), st.sampled_from(_SEPARATORS), _VALUES)
_URL = st.builds(str.format, st.sampled_from(_URLS), _VALUES)
_PIECE = st.one_of(st.sampled_from(_WORDS), _ASSIGNMENT, _URL, _VALUES)
_LINE = st.builds(lambda pieces, glue: glue.join(pieces),
                  st.lists(_PIECE, min_size=1, max_size=4), st.sampled_from([" ", "", "\t", ", "]))
_LINES = st.lists(_LINE, min_size=1, max_size=4).map("\n".join)
# a line each plugin reports
_REPORTED = [
    f"repo: AKCp8{_body(_ALNUM, 69)}",  # Artifactory
    f"cloudant_password = '{_body(_HEX, 64)}'",
    f"cl_pw: {_body(_LETTERS.lower(), 24)}",
    f"ibm_cloud_iam_token = {_body(_ALNUM + '_-', 44)}",
    f"secret_access_key: {_body(_HEX, 48)}  # ibm cos hmac",
    f"softlayer_api_key = {_body(_ALNUM.lower(), 64)}",
    f"https://api.softlayer.com/soap/v3/{_body(_ALNUM.lower(), 64)}",
    f"https://acct:{_body(_LETTERS.lower(), 24)}@acct.cloudant.com",
]

_BANDIT = ("bandit B602 (subprocess_popen_with_shell_equals_true): subprocess call with "
           "shell=True identified, security issue. CWE-78. See https://bandit.readthedocs.io/"
           "en/1.9.4/plugins/b602_subprocess_popen_with_shell_equals_true.html")


@settings(max_examples=500, deadline=None)
@given(text=_LINES)
@example(text="\n".join(_REPORTED))
def test_the_line_filter_keeps_every_line_a_plugin_could_report(text: str) -> None:
    assert list(detect_secrets(text)) == list(detect_secrets(text, prefilter=False))


@pytest.mark.parametrize("line", _REPORTED)
def test_a_line_each_plugin_reports_passes_the_filter(line: str) -> None:
    assert worth_a_look(line)
    assert list(detect_secrets(line)), line  # the generator's pieces do reach the plugins


def test_a_findings_text_without_a_secret_name_is_not_handed_to_detect_secrets() -> None:
    """A bandit message's documentation URL holds a 44-character snake_case name: no plugin
    reports it without a key/password/token name before it, so redacting the finding does not
    load detect-secrets."""
    assert not worth_a_look(_BANDIT)
    assert redact(_BANDIT) == _BANDIT


def test_redacting_an_analyzers_finding_does_not_load_detect_secrets() -> None:
    """What a review of bandit's findings paid: ~0.1 s of CPU importing detect-secrets (and
    requests, urllib3) to scan one URL no plugin could report."""
    import subprocess
    import sys

    code = ("import sys; from reviewloop.checks.secrets.scanner import redact; "
            f"redact({_BANDIT!r}); print('detect_secrets' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "False"


# The filter's patterns as written before its literal pre-check: the pre-check may only skip
# lines none of them matches.
_ALONE = re.compile(r"A(?:KC|P[\dA-F])[a-zA-Z0-9]{8}|(?i:cloudant\.com|softlayer)")
_NAME = re.compile(r"(?i:key|pw|pass|token)")
_VALUE = re.compile(r"(?i:[a-z]{24}|[a-z0-9_-]{44})")
# every character the engine's ignore-case equates with a letter of the patterns' words, and
# characters whose case folding grows (ß, ŉ, İ) or shrinks nothing
_FOLDS = "keyKEY\u212apwPWasAS\u017ftTokOnN.cloudantCLOUDANTsoftlayerSOFTLAYER\u00df\u0149\u0130"


@settings(max_examples=2000, deadline=None)
@given(st.one_of(_LINE, st.text(alphabet=st.sampled_from(_FOLDS + "_-=: 0123456789AKCP"),
                                 max_size=80), st.text(max_size=60)))
def test_the_literal_pre_check_skips_only_lines_the_patterns_do_not_match(line: str) -> None:
    expected = (_ALONE.search(line) is not None
                or (_NAME.search(line) is not None and _VALUE.search(line) is not None))
    assert worth_a_look(line) == expected


def _each_line(text: str) -> list[tuple[int, str]]:
    starts = [0]
    for line in text.split("\n")[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    return list(zip(starts, text.split("\n"), strict=True))


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.one_of(_LINE, st.text(alphabet=st.sampled_from(_FOLDS + "_-=: AKCP\n"),
                                         max_size=40), st.text(max_size=30)),
                max_size=6).map("\n".join))
def test_the_whole_text_search_finds_the_lines_a_look_at_each_would(text: str) -> None:
    """Searched as one text (folded whole, `ß` growing it or not), the lines kept are those
    the literal pre-check passes one by one, at their places."""
    assert _with_a_literal(text) == [(start, line) for start, line in _each_line(text)
                                     if _has_a_literal(line)]
