"""Code as a bundler, a minifier and a source map write it (a published package's `dist/`,
benchmarks/releases.py's axios release): a name holding a secret word next to another name,
an expression or a list of names is no secret, and a real one in the same places still is."""

from __future__ import annotations

import json

import pytest

from reviewloop.checks.secrets.scanner import scan_text

# the shapes axios 1.7.9's dist/ holds, rewritten small
BUNDLE = """var mergeMap = {
    timeoutMessage: defaultToConfig2,
    withCredentials: defaultToConfig2,
    cancelToken: defaultToConfig2,
    socketPath: defaultToConfig2
};
if (!utils.isUndefined(_config.withCredentials)) {
    request.withCredentials = !!_config.withCredentials;
}
"""
MINIFIED = 'ye.isUndefined(s.withCredentials)||(v.withCredentials=!!s.withCredentials),l&&(v.r=l)'
SOURCE_MAP = json.dumps({
    "version": 3, "file": "axios.js", "sources": ["../lib/core/mergeConfig.js"],
    "sourcesContent": [BUNDLE],
    "names": ["resolveConfig", "newConfig", "auth", "btoa", "username", "password",
              "unescape", "Boolean", "paramsSerializer", "timeoutMessage", "withCredentials",
              "withXSRFToken", "onUploadProgress"],
    "mappings": "AAAA,SAASA,aAAa"}, separators=(",", ":"))


@pytest.mark.parametrize("text", [BUNDLE, MINIFIED, SOURCE_MAP],
                         ids=["bundle", "minified", "source map"])
def test_names_and_expressions_in_built_code_are_no_secrets(text: str) -> None:
    assert scan_text(text) == []


KEY = "k9Xq2Vb7RmT4zLp8WcN3"


@pytest.mark.parametrize("text", [
    f'var c = {{apiKey: "{KEY}", withCredentials: defaultToConfig2}};',
    f'os.environ.setdefault("API_TOKEN", "{KEY}")',
    "config.set('password', 'whiteduke')",
    f"API_TOKEN={KEY}",
    f"token: {KEY}",
])
def test_a_real_value_next_to_them_is_still_found(text: str) -> None:
    assert len(scan_text(text)) == 1, text
