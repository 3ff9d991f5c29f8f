"""The value an analyzer's hard-coded-password finding quotes in its message (bandit's B105,
B106, B107: `Possible hardcoded password: '…'`), replaced whatever it is: the rule reports
it as a secret, so its text is one, whether the secrets scan recognised the value or not (a
value it misses, or one bandit cut at 100 characters, which no scan of the message can
match to the whole value)."""

from __future__ import annotations

import re

# bandit's rule ids and test names for a hard-coded password (`bandit_nosec` maps the two)
PASSWORD_RULES = frozenset({"B105", "B106", "B107", "hardcoded_password_string",
                            "hardcoded_password_funcarg", "hardcoded_password_default"})
# the quoted value: bandit's message ends with it, so everything from its opening quote to
# the end of the text (a value may hold quotes, blanks, line breaks and `…`: no closing quote
# can be told from one inside it; what follows in a text is dropped with it, never shown)
# (a value the scan already redacted whole, `'[REDACTED:github-token]'`, is left as it is)
_QUOTED = re.compile(r"(?P<head>hardcoded password: )(?!'\[REDACTED:[\w.-]+\]'\Z)'.*",
                     re.IGNORECASE | re.DOTALL)


def redact_quoted(rule: str | None, text: str) -> str:
    """`text` with the value a hard-coded-password finding of `rule` quotes replaced by
    `[REDACTED:<rule>]`; any other rule's text as it is."""
    if rule not in PASSWORD_RULES:
        return text
    return _QUOTED.sub(lambda m: f"{m.group('head')}'[REDACTED:{rule}]'", text)
