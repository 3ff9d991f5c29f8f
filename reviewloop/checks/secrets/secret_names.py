"""Which names say their value is a secret, judged word by word (`dbPassword` → db,
password): for the keyword layer (`assignments`) and other layers' keyword rules."""

from __future__ import annotations

import re

# Names are judged word by word (`dbPassword` → db, password; `MaxKeyframe` → max,
# keyframe), so `keyframe`, `monkey` or `bypass` never count as a key or a password.
_PASSWORD_WORDS = frozenset({"password", "passwd", "passwort", "pwd", "pass", "passphrase"})
_SECRET_WORDS = _PASSWORD_WORDS | frozenset({
    "secret", "secrets", "token", "tokens", "key", "keys", "apikey", "auth", "credential",
    "credentials", "creds", "privatekey", "accesskey", "secretkey", "authtoken", "pat"})
_NOT_SECRET_LAST = frozenset({
    "id", "ids", "url", "uri", "urls", "endpoint", "path", "file", "dir", "name", "names",
    "type", "length", "len", "size", "count", "header", "field", "format", "env", "var",
    "prefix", "suffix", "hash", "sha", "checksum", "digest", "fingerprint", "pattern",
    "regex", "policy", "expiry", "expires", "expiration", "ttl", "timeout", "method", "mode",
    "scope", "label", "required", "enabled", "provider", "version", "style", "class",
    "index", "limit", "source", "location", "ref", "column", "param", "kind", "algorithm",
    "bits", "selector", "code", "store", "ring", "pair", "vault", "usage", "set", "event",
    "handler", "listener", "binding", "map", "mapping", "attribute", "attr"})
_NOT_SECRET_ANY = frozenset({
    "public", "pub", "publishable", "cache", "idempotency", "partition", "sort", "primary",
    "foreign", "lookup", "csrf", "xsrf", "max", "min", "hotkey", "placeholder", "num",
    # keyboard keys and key-derivation vocabulary, Azure Key Vault names
    "up", "down", "left", "right", "press", "pressed", "board", "stroke", "mesh", "meshing",
    "vault", "schema", "sequence", "natural", "bucket",
    # storage keys: an S3 object key or a CDK asset's key is a path (`<sha256>.zip`)
    "object", "asset", "assets"})


# an acronym glued to a lower-case secret word is two words (`SSHpassword`, `APIkey`), not
# `SS` and `Hpassword`; `MYPassword` is still `MY`, `Password`
_WORD = re.compile(r"[A-Z]{2,}(?=(?:password|passwd|pwd|pass|secret|token|key)s?(?![a-z]))"
                   r"|[A-Z]+(?![a-z])|[A-Z]?[a-z]+")


# A name written as one word (`dbpassword`, `PGPASSWORD`, `clientsecret`, `$dbpasswd`) holds
# its secret word inside, where detect-secrets' KeywordDetector finds it (`\w*password\w*`):
# an unmistakable word anywhere in it (`dbpasswordhash` → db, password, hash), `secret` and
# `pwd` at its end (not `secretary`), and `pass` at its end after a word that names what the
# password opens (`adminpass`, `dbpass`; not `bypass`, `compass`, `renderpass`).
_INSIDE = re.compile(r"(?P<head>[a-z0-9]*?)(?P<word>password|passwd|passwort|passphrase)"
                     r"(?P<tail>[a-z0-9]*)"
                     r"|(?!oldpwd$)(?P<head2>[a-z0-9]+?)(?P<word2>secrets?|pwd)"  # OLDPWD: a folder
                     r"|(?P<head3>db|database|admin|root|user|sql|mysql|pg|postgres|smtp|ftp|"
                     r"sftp|mail|key|master|app|login|redis|ldap|sa|mongo|rabbit|api|web|sys|"
                     r"vnc|wifi|proxy|email|ssh)(?P<word3>pass)")


def words(name: str) -> list[str]:
    """`name`'s words, lower-cased: `dbPassword` → db, password; `SSHpassword` → ssh, password;
    a word holding a secret word inside is split around it (`PGPASSWORD` → pg, password)."""
    found: list[str] = []
    for word in (w.lower() for w in _WORD.findall(name)):
        inside = None if word in _SECRET_WORDS else _INSIDE.fullmatch(word)
        if inside is None:
            found.append(word)
        else:
            found.extend(part for part in inside.groups() if part)
    return found


def names_a_secret(name: str) -> bool:
    """Whether `name` says its value is a secret (`db_password`, `apiKey`), not a setting
    about one (`token_url`, `publicKey`, `keyframe`)."""
    parts = words(name)
    return (bool(parts) and any(w in _SECRET_WORDS for w in parts)
            and parts[-1] not in _NOT_SECRET_LAST
            and not any(w in _NOT_SECRET_ANY for w in parts))


def names_no_secret(name: str) -> bool:
    """Whether a name says its value is no secret (`cache_key`, `publicKey`, `token_url`),
    whatever secret word it holds; for other layers' keyword rules."""
    parts = words(name)
    return bool(parts) and (parts[-1] in _NOT_SECRET_LAST
                            or any(w in _NOT_SECRET_ANY - {"vault"} for w in parts))


def names_a_password(name: str) -> bool:
    """Whether a word of `name` is a password word (`dbPass`, `PASSWD_FILE`)."""
    return any(w in _PASSWORD_WORDS for w in words(name))


def names_only_a_pat(name: str) -> bool:
    """Whether `pat` is the only secret word of `name` (`GITHUB_PAT`, `_IPV4_PAT`)."""
    return {w for w in words(name) if w in _SECRET_WORDS} == {"pat"}


def ends_in_a_password_word(name: str) -> bool:
    """Whether `name`'s last word is a password word (`REACT_APP_AUTH_PASSWORD`, `db_pass`)."""
    found = words(name)
    return bool(found) and found[-1] in _PASSWORD_WORDS


def generic_rule(name: str) -> str:
    """The keyword layer's rule for a value set to `name`."""
    return "generic-password" if names_a_password(name) else "generic-secret"
