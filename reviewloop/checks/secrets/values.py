"""Value checks shared by every secrets layer: placeholders, plain fixtures, entropy."""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter

# what stands for a secret in a value: a template expression (`${VAR}`, `{{ .Values.x }}`,
# `$(cmd)`, `%(name)s`, `%DB_PASS%`, `$DB_PASS`), not a brace in a key; a mask or an elision
# at an end (`****`, `sk_live_xxxx`, `abc...`); a secret store's reference; AWS's documented
# `…EXAMPLE` keys. Each is the whole value or a delimited part of it, as the plain scanners
# judge it: a chosen password holds `***`, `$(`, `xxxx` or `vault:` by chance
# (`4dE***!oXNGwpQFm`, `UR1$(*9RKmXS6NE`, `N5Sxxxx$HhuDeQ2rm`, `am0vault:#D750OfIMP`).
_TEMPLATE = re.compile(
    r"(?i)\$\{[\w.:\-?|/ ]*\}|\{\{[^{}]*\}\}|\$\([^()]*(?:\([^()]*\)[^()]*)*\)|"
    r"%\(\w+\)[sd]|(?<![a-z0-9])%[sd](?![a-z0-9])|"
    r"^\$[A-Za-z_]\w*(?:$|[/.:@])|^\$\{|^\{\{|^%[A-Za-z_]+%$|"
    r"(?-i:(?<![$\w])\$[A-Z][A-Z0-9]*_[A-Z0-9_]+)|"
    r"^<.*>$|^&lt;.*&gt;$|^\[.*\]$|^\*+$|^\*{3,}|\*{3,}$|^#{4,}|#{4,}$|"
    r"^[\w-]*(?:\.\.\.|…)[\w-]*$|"
    r"process\.env|os\.environ|getenv|env\[|\benv\(|^secrets\.|^vault:|\bref\+|"
    r"(?<![a-z0-9])x{4,}(?![a-z0-9])|(?-i:EXAMPLE(?:KEY)?$)")
# a placeholder word. A word like `mock` or `todo` counts as a word of its own only (no
# letter before it, no lower-case letter after it: `mock-token`, `exampleKey`, `TODO`), or
# glued to what it stands for (`fakesecret`, `mydummypassword`): a chosen password holds such
# words by chance (`Mockingjay!88qz`, `Insertcoin#2024`, `9fTodo3kQ7…`); a camelCase part is
# a word of its own too (`apiKeyExample`)
# an instruction to replace the value: with a digit or a sign it is a weak password
# (`changeme123`), which a deployed config's reader logs in with
_CHANGE_ME = re.compile(
    r"(?i)change[_ .-]?me|changeit|replace[_ .-]?(?:me|with|this)|your[_ .-]|placeholder")
_PLACEHOLDER_WORD = re.compile(
    r"(?i)(?:(?<![a-z])|(?<=my)|(?<=the))"
    r"(?:example|sample|dumm(?:y|ie)|fake|mock|redacted|todo|fixme|insert)(?:e?s|ed)?"
    r"(?:(?-i:(?![a-z]))|(?=secret|pass|pw|token|key|api|cred|value|user))|"
    # or a camelCase word of its own: `secretExample`, `someDummyValue`, `xyzFakeKey` (not
    # before a digit: `9fTodo3kQ7…` is a random token)
    r"(?-i:(?<=[A-Za-z])(?:Example|Sample|Dumm(?:y|ie)|Fake|Mock|Redacted|Todo|Fixme|Insert)"
    r"(?=[A-Z]|[^A-Za-z0-9]|$))")
# what a value made of placeholder words and names may hold besides letters: separators,
# and after a placeholder word a number at the end (`xyzFakeKey123`, `someExample.1`). A
# sign or a digit inside beside the word is a chosen secret's (`Xy7#exampleCorp2024`,
# `MyDummyP4ss#88`): a word does not make it a stand-in.
_NAME_LIKE = re.compile(r"[A-Za-z_ .-]*")
_NAME_NUMBERED = re.compile(r"[A-Za-z_ .-]*\d{0,4}")
# a whole value that is a default word, not a chosen secret; one with digits added
# (`admin123`, `test1234`) is a weak password someone can log in with
_DEFAULT_WORD = re.compile(
    r"(?i)^(?:password|passwd|secret|token|test[a-z]{0,4}|admin[a-z]{0,3}|root|guest|user|"
    r"default|foo|bar|foobar|hunter2|letmein|qwerty|abc123|123456\d*|none|null|empty|pass|"
    r"api[_-]?key|secret[_-]?key|n/?a)$")


def looks_placeholder(value: str) -> bool:
    """A value that stands for a secret rather than being one: `${VAR}`, `<your-key>`,
    `dummy-api-key`, …; a placeholder word with a chosen password's digits or signs around
    it is none."""
    return bool(_TEMPLATE.search(value) or _DEFAULT_WORD.search(value)
                or _placeholder_words(value))


def _placeholder_words(value: str) -> bool:
    """A value made of placeholder words and names (`dummy-api-key`, `your_password`): one
    with a chosen password's digits or signs beside the word is none (`DAHDummy%wZY…`)."""
    rest = _PLACEHOLDER_WORD.sub("", _CHANGE_ME.sub("", value))
    if _CHANGE_ME.search(value):
        return _NAME_LIKE.fullmatch(rest) is not None
    return _PLACEHOLDER_WORD.search(value) is not None and \
        _NAME_NUMBERED.fullmatch(rest) is not None


def _stands_for(value: str) -> bool:
    """A template, mask or placeholder in `value` (a URL's password), judged as the keyword
    layer judges a value; a default word (`root`) is a password here."""
    return bool(_TEMPLATE.search(value) or _placeholder_words(value))


def looks_fake(value: str) -> bool:
    """A token-shaped value that is plainly a fixture: runs of x/0/*, one repeated char,
    an ascending alphabet."""
    body = _VENDOR_PREFIX.sub("", value)  # past a vendor prefix like ghp_
    # two characters (`abababab`, `x0x0x0`); three repeat as a unit (`_FIXTURE_RUN`): a word
    # doubled (`rootroot`) is a weak password, no fixture
    if len(set(body)) <= 2 and len(body) >= 6:
        return True
    if _FIXTURE_RUN.search(body):
        return True
    # an alphabet typed out is a fixture when it is most of the value; a random token may
    # hold a run of ten (`00QCjAl4MlV-WPXM-ABCDEFGHIJKL-0HmjFx`: an Okta key in a rule test)
    run = _ascending_run(body)
    return run >= 10 and (run >= 20 or run * 2 >= len(body))


def _ascending_run(value: str) -> int:
    """The length of the longest run of consecutive letters or digits (`abcd`, `6789`),
    case-insensitively; `9` followed by `0` continues a run of digits (`1234567890`)."""
    best = length = 1 if value else 0
    lowered = value.lower()
    for before, char in itertools.pairwise(lowered):
        step = ord(char) - ord(before)
        if char.isalnum() and (step == 1 or (before, char) == ("9", "0")):
            length += 1
            best = max(best, length)
        else:
            length = 1
    return best


def entropy(value: str) -> float:
    """Shannon entropy in bits per character."""
    if not value:
        return 0.0
    counts = Counter(value)
    return -sum(n / len(value) * math.log2(n / len(value)) for n in counts.values())


_VENDOR_PREFIX = re.compile(r"^[A-Za-z]{2,8}[_-]")
# runs of x, 0 or *, one character 8 times, or a unit of 2-4 characters 5 times
_FIXTURE_RUN = re.compile(r"(?i)x{6,}|0{8,}|\*{4,}|(.)\1{7,}|(..(?:.|..)?)\2{4,}")
_CLASSES = tuple(re.compile(p) for p in (r"[a-z]", r"[A-Z]", r"\d", r"[^A-Za-z0-9]"))


def char_classes(value: str) -> int:
    """How many of lower case, upper case, digits and other characters `value` uses."""
    return sum(bool(p.search(value)) for p in _CLASSES)


def weak_password(password: str) -> bool:
    """A URL or connection-string password that stands for one: a template (`${DB_PASS}`,
    `<password>`, `%s`), a mask or the word itself (`user:password@`, `:pass@`). A short or
    lower-case password is still a password (`user:secret@…`): it is what a reader of the
    repository would log in with."""
    return _stands_for(password) or password.lower() in _PASSWORD_WORDS


# Names that can never be a real service's (RFC 2606, RFC 6761): a URL's credentials for
# `example.org` or `db.test` are documentation or a test's, never a login anyone can use.
# `localhost` is not one of them: a developer's database password for it is real.
_DOCUMENTATION_NAME = re.compile(
    r"(?:[\w-]+\.)*(?:example\.(?:com|net|org)|[\w-]+\.(?:example|test|invalid))\.?",
    re.IGNORECASE)
_PORT = re.compile(r":\d*$")


def documentation_host(url: str) -> bool:
    """Whether every host the URL (or connection string) `url` logs in to is a reserved
    example name, the hosts read as the clients read them: after the authority's last `@`
    (urllib, WHATWG: `u:PW@api.example.com@registry.corp.io` logs in to the second), and
    each of a multi-host list (libpq, MongoDB: `@db0.example.com,db1.prod.corp.io`)."""
    authority = re.split(r"[/?#]", url.partition("://")[2] or url, maxsplit=1)[0]
    _, at, hosts = authority.rpartition("@")
    names = [_PORT.sub("", host).strip("[]") for host in hosts.split(",")]
    return bool(at) and all(_DOCUMENTATION_NAME.fullmatch(name) for name in names)


_PASSWORD_WORDS = frozenset({
    "pass", "password", "passwd", "pwd", "passw0rd", "changeme", "changeit", "x", "token",
    "secret_password", "yourpassword", "your_password", "mypassword"})


def about_passwords(value: str, *, word_is_setting: bool = True) -> bool:
    """A value code sets a password-named variable to that is no password: a word about
    passwords (`"current-password"`, `"Passwort"`, `"hidden"`), a selector, path, ARN, URL
    or a piece of code (`,rememberMeLabel:`). A single word holding a password word
    (`"newpassword"`) is one of those in code (`word_is_setting`), and a password people
    chose in a configuration file (`password = adminpass`); a separated one (`smtp_password`,
    `#add-password`) is a setting's name in both."""
    lowered = value.lower()
    return (lowered.strip("#.:-_") in _NOT_A_PASSWORD
            or (re.search(r"pass|pwd", lowered) is not None
                and _SEPARATED.fullmatch(value) is not None
                and (word_is_setting or re.search(r"[#._-]", value) is not None))
            or _NOT_A_PASSWORD_SHAPE.search(value) is not None)


# values a password field is set to in code and locale files, not passwords: input types,
# validation states, the word in other languages
_NOT_A_PASSWORD = frozenset({
    "hidden", "visible", "string", "boolean", "number", "undefined", "required",
    "optional", "disabled", "enabled", "invalid", "missing", "incorrect", "unknown",
    "forgot", "forgotten", "reset", "change", "confirm", "current", "encrypted", "hashed",
    "protected", "private", "secret", "sensitive", "masked", "passwort", "kennwort",
    "wachtwoord", "contrasena", "contraseña", "senha", "parola", "salasana", "passord",
    "losenord", "lösenord", "adgangskode", "heslo", "haslo", "hasło", "sifre", "şifre",
    "geslo", "lozinka", "jelszo", "jelszó", "motdepasse", "mot_de_passe"})
_SEPARATED = re.compile(r"[#.]?[A-Za-z]+(?:[_.-][A-Za-z]+)*")  # `smtp_password`, `#add-password`
_NOT_A_PASSWORD_SHAPE = re.compile(
    r"^(?:arn|https?|ftp|file):|://|^[#./~][\w-]+[/.]|:$|^[,;]")
