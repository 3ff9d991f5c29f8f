"""reviewloop.checks.secrets.diff_scan: a file the change adds whole is scanned as one text
(`_whole_hits`), with the very hits the general path gives it (its lines as one run of added
lines, `_file_hits`) — on generated new files of secrets, key blocks, names that are secrets
or a key bundle's, empty and blank lines — and any other file takes the general path."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.checks.secrets.diff_scan import (
    _file_hits,
    _shown,
    _whole,
    _whole_hits,
    file_hits,
)
from reviewloop.git.diff import FileDiff, FileStatus, parse_diff

_TOKEN = "ghp_" + "aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dE3fG5"
_KEY = ["-----BEGIN RSA PRIVATE KEY-----", "MIIEowIBAAKCAQEA7b9Kx2m4nQ8vR3tY6uW1zA5cE9gI2kM",
        "0pS4wU8yB3dF7hJ1lN5qT9vX2zC6eG0iK4mO8rV2tX6zA1bD", "-----END RSA PRIVATE KEY-----"]
_LINES = st.sampled_from([
    "def f():", "    return 1", "", " ", "\t", "# a comment", f'token = "{_TOKEN}"',
    'aws_access_key_id = "AKIAIOSFODNN7EXAMPLF"', 'password = "hunter2-but-longer-9"',
    "password = os.environ['DB_PASSWORD']", *_KEY, "x = 'ghp_'", "café = 1",
])
_NAMES = st.sampled_from(["app.py", "keys/id_rsa", "cert.p12", "conf/.env", "a b.py",
                          f"{_TOKEN}.txt", "deep/dir/settings.yaml"])


def _new_file(path: str, lines: list[str], newline: bool) -> FileDiff:
    body = "".join(f"+{line}\n" for line in lines)
    if lines and not newline:
        body += "\\ No newline at end of file\n"
    hunk = f"@@ -0,0 +1,{len(lines)} @@\n{body}" if lines else ""
    text = (f"diff --git a/{path} b/{path}\nnew file mode 100644\nindex 0000000..1111111\n"
            f"--- /dev/null\n+++ b/{path}\n{hunk}")
    return parse_diff(text).files[0]


@settings(max_examples=200, deadline=None)
@given(_NAMES, st.lists(_LINES, max_size=12), st.booleans())
def test_a_new_file_is_scanned_whole_with_the_general_paths_hits(
        path: str, lines: list[str], newline: bool) -> None:
    file = _new_file(path, lines, newline)
    texts = _whole(file)
    assert texts == [a.text for a in file.added]
    general = _file_hits(file, _shown(file))
    assert _whole_hits(file, texts) == general
    assert file_hits(file) == general
    if f'token = "{_TOKEN}"' in lines and _KEY[0] not in lines:  # (a key block may claim it)
        assert any(h.rule == "github-token" for h in general)


def test_any_other_file_takes_the_general_path() -> None:
    new = _new_file("app.py", [f'token = "{_TOKEN}"', "x = 1"], True)
    gapped = new.model_copy(update={"added": (new.added[0], new.added[1]._replace(line=3))})
    backwards = new.model_copy(update={"added": tuple(reversed(new.added))})
    edited = new.model_copy(update={"status": FileStatus.MODIFIED})
    assert [_whole(f) for f in (gapped, backwards, edited)] == [None, None, None]
    assert [h.line for h in file_hits(gapped)] == [h.line for h in _file_hits(
        gapped, _shown(gapped))] == [1]


def test_an_empty_new_file_and_one_of_an_empty_line_are_told_apart() -> None:
    one_line, empty = _new_file("cert.p12", [""], True), _new_file("cert.p12", [], True)
    assert [h.rule for h in file_hits(one_line)] == ["pkcs12-file"]
    assert file_hits(empty) == _file_hits(empty, _shown(empty)) == []


def test_a_binary_new_file_is_not_taken_for_an_empty_one_of_its_name() -> None:
    empty = _new_file("cert.p12", [], True)
    binary = empty.model_copy(update={"binary": True})
    modified = binary.model_copy(update={"status": FileStatus.MODIFIED})
    assert file_hits(empty) == []
    assert [h.rule for h in file_hits(binary)] == [h.rule for h in file_hits(modified)] \
        == ["pkcs12-file"]
