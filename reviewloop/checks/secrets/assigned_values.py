"""Whether a value assigned to a secret name looks like a real credential: the keyword
layer's judgement (`assignments`, and the YAML readers' values it is given), after the
placeholder, shape and entropy checks of `values` and the name's words (`secret_names`).
"""

from __future__ import annotations

import re

from reviewloop.checks.secrets.code_refs import DATA_URI, code_reference
from reviewloop.checks.secrets.references import NONE, Reference, filled_in
from reviewloop.checks.secrets.secret_names import (
    ends_in_a_password_word,
    names_a_password,
    names_a_secret,
    names_only_a_pat,
)
from reviewloop.checks.secrets.syntax import Syntax
from reviewloop.checks.secrets.values import (
    about_passwords,
    char_classes,
    entropy,
    looks_fake,
    looks_placeholder,
)

_BLANK = re.compile(r"\s")
_HEX = re.compile(r"[0-9a-fA-F]{16,}")
_KEYWORD_ARGUMENT = re.compile(r"[A-Za-z_]\w*=[^=]")  # `key_size=2048`: code, not a value


def secret_value(name: str, value: str, *, bare: bool, plain: bool = False,
                 config: bool = False, syntax: Syntax = Syntax.LINES,
                 references: frozenset[Reference] = NONE) -> bool:
    """Whether `value`, assigned to `name`, looks like a real credential. A `plain` value
    is delimited as data (a string literal, an XML element, a dotenv line), where a
    password may be short and lower case; in a configuration format's file (`config`) one
    that holds a password word (`adminpass`, `supersecretpass`) is still a password. A
    reference the file's kind fills in (`@db.password@`) is none, unless what it wraps
    is judged a key itself (by a key's measure: a name is no chosen password). A `bare`
    value is none when it is code in the file's `syntax` (`code_reference`), a call or a
    keyword argument."""
    if not names_a_secret(name) or (names_only_a_pat(name) and not _TOKEN.fullmatch(value)):
        return False
    names = filled_in(value, references)
    if names is not None:
        return any(secret_value("secret", inside, bare=False) for inside in names)
    if looks_placeholder(value) or looks_fake(value) or _BLANK.search(value) \
            or _FILE_PATH.fullmatch(value):
        return False  # a key has no blank in it; a quoted phrase is a message; a key's file
    if DATA_URI.match(value) or (bare and (
            code_reference(value, syntax) or value.endswith(("(", ")"))
            or _KEYWORD_ARGUMENT.match(value))):
        return False  # an inline image's data; code: a reference, a call, an argument
    if names_a_password(name) and about_passwords(value, word_is_setting=not config):
        return False
    if plain and _chosen_password(name, value):
        return True
    if _WORDY.fullmatch(_INDEX.sub("", value)) or _FILE_NAME.search(value):
        return False  # words: a label, a setting, a key path (`a.b[0]`) or a file name
    # keys: gitleaks' generic threshold (3.5 bits). Passwords are short, so entropy is
    # capped by their length; a word-then-digits shape (`Comp4567@@`) is a sample instead.
    if names_a_password(name):
        return (len(value) >= 8 and char_classes(value) >= 2 and entropy(value) >= 2.8
                and not _HUMAN.fullmatch(value))
    if _HEX.fullmatch(value):  # hex tops out at 4 bits a character
        return char_classes(value) >= 2 and entropy(value) >= 3.0
    return len(value) >= 10 and char_classes(value) >= 2 and entropy(value) >= 3.5


# a personal access token's characters (`ghp_…`, `github_pat_…`, `glpat-…`): a `*_PAT`
# named regex (`_IPV4_PAT = r"(?:[0-9]{1,3}\.){3}"`, urllib3) is a pattern, not a token
_TOKEN = re.compile(r"[A-Za-z0-9_.=-]+")


def _chosen_password(name: str, value: str) -> bool:
    """A password a person chose, set as data to a name that ends in a password word
    (`REACT_APP_AUTH_PASSWORD=whiteduke`, `db_pass: "u;UWtZ"`): any case and entropy."""
    return ends_in_a_password_word(name) and len(value) >= 6


_FILE_NAME = re.compile(r"\.(?:zip|json|ya?ml|tar|t?gz|js|py|txt|png|jpe?g|svg|html?|css|map|"
                        r"whl|jar|pem|crt|pub)$", re.IGNORECASE)
# a file's path (`/etc/ssl/private/server.key`, `./secrets/key.pem`, `~/.ssh/id_rsa`,
# `C:\\certs\\tls.pfx`, `/run/secrets/api_key`) or a key file's name (`server.key`): where a
# secret is kept, not the secret. An absolute path's parts are lower-case words, so a base64
# key that happens to start with `/` (`/K7MDENG/bPxRfiCY…`) is none.
_FILE_PATH = re.compile(
    r"(?:\.{1,2}/|~/|[A-Za-z]:[\\/])[\w.@+-]+(?:[\\/][\w.@+-]*)*"
    r"|(?-i:(?:/[a-z0-9_.-]+){2,}/?)"
    r"|[\\/]?(?:[\w@+-]+[\\/])*[\w.@+-]+\.(?:pem|key|crt|cer|der|p12|pfx|jks|keystore|"
    r"truststore|kdbx|asc|gpg|pub|json|ya?ml|txt|conf|env)", re.IGNORECASE)
_INDEX = re.compile(r"\[\d{1,6}\]")  # a list index in a key path: `reviewloop.analyzers[0]`
_HUMAN = re.compile(r"[A-Za-z]{2,12}\d{1,6}[\W_]{0,3}")
# `DOC_Vector_5_32`, `SalesResults-1.2`, `app-decryption-secret`, `MyServiceName`, a
# bundler's renamed identifier (`defaultToConfig2`, `withXSRFToken`), and
# namespaced names: an IAM action (`comprehend:BatchDetectKeyPhrases`), a CDK tag key
# (`aws-cdk:subnet-name`), an XML or URN name (`xs:string`)
_WORDY = re.compile(r"[A-Za-z]+\d{0,2}(?:[_ .:-](?:[A-Za-z]+\d{0,2}|\d{1,4}))+"
                    r"|[A-Z]?[a-z]+(?:[A-Z][a-z]+|[A-Z]{2,4}(?=[A-Z][a-z]))+\d{0,2}|[a-z]+")
