"""An edit of an ESLint flat config's `rules` is a tightening (`tightens-config`, not
`adds-suppression`) when it switches rules on and loosens none for any file, as plain ESLint
merges the config (`eslint_rules_oracle`): no rule lowered, no options changed. Generated: a
fixed product of each way to write a rule's value (absent, `"off"`, `0`, `["off"]`, `'off'`,
`"warn"`, `1`, `"error"`, `2`, `["error"]`, with options) on the trusted side × on the
change's side × what an earlier config object set (nothing, options, `"warn"`, `"off"`), in
`eslint.config.mjs` or `eslint.config.js`."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from reviewloop.checks.suppressions.tightening import tightening
from tests.support.eslint_rules_oracle import loosens, merged_rules

VALUES = (None, '"off"', "0", '["off"]', "'off'", '"warn"', "1", '"error"', "2", '["error"]',
          '["error", { max: 3 }]', '["off", { max: 3 }]')
OFF = ('"off"', "0", '["off"]', "'off'")
ON = ('"warn"', "1", '"error"', "2", '["error"]')
EARLIER = ("", '"max-params": ["error", { max: 1 }]', '"max-params": "warn"',
           '"max-params": "off"')
NAMES = ("eslint.config.mjs", "eslint.config.js")


def _config(name: str, earlier: str, value: str | None) -> str:
    entry = "" if value is None else f", 'max-params': {value}"
    body = (f"[\n  {{ rules: {{ {earlier} }} }},\n"
            f"  {{ files: [\"**/*.js\"], rules: {{ \"no-eval\": \"error\"{entry} }} }},\n]")
    return f"export default {body};\n" if name.endswith("mjs") else f"module.exports = {body};\n"


CASES = [(NAMES[n % 2], earlier, old, new) for n, (earlier, old, new) in
         enumerate(itertools.product(EARLIER, VALUES, VALUES)) if old != new]


def _promised(old: str | None, new: str | None) -> bool:
    """The edits the label must call a tightening: an `"off"` dropped or raised to a bare
    severity, a bare `"error"` added."""
    return (old in OFF and (new is None or new in ON)) or (old is None and new in ('"error"', "2",
                                                                                   '["error"]'))


@pytest.mark.npm
def test_rule_edits_are_labelled_as_plain_eslint_merges_them(tmp_path: Path,
                                                             eslint_tools: Path) -> None:
    texts = sorted({_config(name, earlier, value) for name, earlier, _, _ in CASES
                    for value in VALUES})
    names = [NAMES[0] if t.startswith("export") else NAMES[1] for t in texts]
    rules = dict(zip(texts, merged_rules(tmp_path, list(zip(names, texts, strict=True))),
                     strict=True))
    wrong = []
    for name, earlier, old, new in CASES:
        trusted, mine = _config(name, earlier, old), _config(name, earlier, new)
        found = tightening(name, mine, trusted)
        if found is not None and loosens(rules[mine], rules[trusted]):  # it hides something
            wrong.append(("called a tightening", earlier, old, new, found))
        if found is None and _promised(old, new):
            wrong.append(("called a suppression", earlier, old, new))
    assert not wrong, wrong


@pytest.mark.parametrize(("old", "new", "said"), [
    ('"off"', None, "no longer turns max-params off"),
    ("0", '"warn"', "raises max-params from off to warn"),
    ('["off"]', "2", "raises max-params from off to error"),
    (None, '["error"]', "turns max-params on (error)")])
def test_the_tightening_says_what_it_switches_on(old: str | None, new: str | None,
                                                 said: str) -> None:
    trusted, mine = (_config(NAMES[0], "", value) for value in (old, new))
    assert tightening(NAMES[0], mine, trusted) == [said]


UNREAD = ("const re = /rules: {/;\n", "const t = `${x}`;\n", "const half = 1 / 2;\n")


@pytest.mark.parametrize("prefix", UNREAD)
def test_a_config_it_cannot_read_safely_is_no_tightening(prefix: str) -> None:
    trusted, mine = (prefix + _config(NAMES[0], "", value) for value in ('"off"', None))
    assert tightening(NAMES[0], mine, trusted) is None
