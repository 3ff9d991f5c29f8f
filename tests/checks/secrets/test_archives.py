"""A secret inside an archive the change adds or changes is found: the files inside it.

Generated: member paths × archive kinds (zip deflated/bzip2/lzma/stored, gzip, bzip2, xz,
tar plain and compressed) × the key's line among filler × archives nested up to two deep,
on a real branch's diff through the secrets gate (a deflated `conf.zip` and a
`conf.json.gz` passed it, "no secret", before). A key the base's copy of the archive held is
not the change's. A bomb (past the ratio, the bytes or the member count), an archive nested
too deep, an encrypted or a broken one is named as not scanned for secrets, and a review
counts it as incomplete; random bytes behind an archive's magic end the reading, named.
"""

from __future__ import annotations

import bz2
import gzip
import io
import json
import lzma
import tarfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.checks.gates.base import GateContext, GateResult
from reviewloop.checks.secrets import archive_members
from reviewloop.checks.secrets.archive_members import Budget, leaves
from reviewloop.checks.secrets.gate import SecretsGate
from reviewloop.config import Settings
from tests.support.gitutil import git
from tests.support.repos import branch_repo, feature_branch
from tests.support.review_cli import review

# built at run time so this file carries no credential
KEY_ID = "AKIA" + "QX7ZP3LM2KD8RT4W"
SECRET = "AWS_ACCESS_KEY_ID = \"" + KEY_ID + "\"\nAWS_SECRET_ACCESS_KEY = \"" \
    + "wJalrXUtnFEMI9K7MDENGbPxRfiCYq3Lz8vN2sQ1" + "\"\n"
ZIPS = {"zip": zipfile.ZIP_DEFLATED, "zip-bzip2": zipfile.ZIP_BZIP2,
        "zip-lzma": zipfile.ZIP_LZMA, "zip-stored": zipfile.ZIP_STORED}
STREAMS = {"gz": gzip.compress, "bz2": bz2.compress, "xz": lzma.compress}
KINDS = [*ZIPS, *STREAMS, "tar", "tar.gz", "tar.bz2", "tar.xz"]
SUFFIX = {"zip-bzip2": "jar", "zip-lzma": "whl", "zip-stored": "docx"}


def pack(form: str, files: dict[str, bytes]) -> bytes:
    """`files` (name → bytes) as an archive of `form` (one of `KINDS`; a bare stream holds
    the first file only)."""
    if form in ZIPS:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", ZIPS[form]) as archive:
            for name, data in files.items():
                archive.writestr(name, data)
        return out.getvalue()
    if form in STREAMS:
        return STREAMS[form](next(iter(files.values())))
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    tar = out.getvalue()
    return STREAMS[form.split(".")[1]](tar) if "." in form else tar


def suffix(form: str) -> str:
    return SUFFIX.get(form, form)


def _gate(root: Path, *paths: str) -> GateResult:
    return SecretsGate().run(GateContext(
        root=root, settings=Settings(), changed_files=paths,
        diff_text=git(root, "diff", "main", "feature"), branch="feature",
        default_branch="main", phase="implement"))


_segment = st.text("abcdefghijklmnopqrstuvwxyz0123456789_-", min_size=1, max_size=8)
_member = st.tuples(st.lists(_segment, max_size=3),
                    st.sampled_from(["settings.py", ".env", "config.json", "app.yaml",
                                     "deploy.sh", "notes"])).map(lambda t: "/".join([*t[0], t[1]]))


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=15,
          deadline=None)
@given(member=_member, forms=st.lists(st.sampled_from(KINDS), min_size=1, max_size=3),
       before=st.integers(0, 300), after=st.integers(0, 50))
def test_a_key_inside_an_archive_fails_the_gate_naming_the_member(
        tmp_path_factory: pytest.TempPathFactory, member: str, forms: list[str],
        before: int, after: int) -> None:
    root = tmp_path_factory.mktemp("repo")
    filler = [f"option_{n} = {n}\n" for n in range(before + after)]
    text = "".join(filler[:before]) + SECRET + "".join(filler[before:])
    data, name, inner = text.encode(), member, ""
    for depth, form in enumerate(forms):  # the first is innermost, the last the file
        name = f"layer{depth}.{suffix(form)}"
        data = pack(form, {member if depth == 0 else f"inner/{inner}": data,
                           "README.txt": b"nothing here\n"})
        inner = name
    branch_repo(root, {"README.md": "x\n"}, {name: data})
    result = _gate(root, name)
    assert not result.passed, (forms, result.output_tail)
    assert f"{name}:1: " in result.output_tail
    assert "not fully scanned" not in result.output_tail
    if not any(form in ("zip-stored", "tar") for form in forms):  # found in its members
        assert f", line {before + 2})" in result.output_tail, result.output_tail
    assert KEY_ID not in result.output_tail + result.summary


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=6,
          deadline=None)
@given(form=st.sampled_from([k for k in KINDS if k not in STREAMS]))
def test_a_key_the_base_archive_held_is_not_the_changes(
        tmp_path_factory: pytest.TempPathFactory, form: str) -> None:
    root = tmp_path_factory.mktemp("repo")
    name = f"conf.{suffix(form)}"
    base = pack(form, {"settings.py": SECRET.encode()})
    head = pack(form, {"settings.py": SECRET.encode(), "more.txt": b"more\n"})
    branch_repo(root, {name: base}, {name: head})
    assert _gate(root, name).passed


def _encrypted() -> bytes:
    """A zip whose member says it is encrypted (the standard library writes none)."""
    data = bytearray(pack("zip", {"settings.py": SECRET.encode()}))
    for header, flags in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.index(header) + flags
        data[at] |= 1
    return bytes(data)


def _nested(levels: int) -> bytes:
    data = SECRET.encode()
    for level in range(levels):
        data = pack("zip", {f"level{level}.zip" if level else "settings.py": data})
    return data


BAD = {  # name → (bytes, what the gate names)
    "bomb.bz2": (bz2.compress(b"\0" * (8 << 20)), "a compression bomb"),
    "bomb.zip": (pack("zip", {"zeros.bin": b"\0" * (4 << 20)}), "a compression bomb"),
    "locked.zip": (_encrypted(), "locked.zip!settings.py is encrypted"),
    "cut.zip": (pack("zip", {"settings.py": SECRET.encode()})[:-30],
                "cut.zip does not read as a zip archive"),
    "cut.tar.gz": (pack("tar.gz", {"settings.py": SECRET.encode() * 50})[:-40],
                   "cut.tar.gz does not read as a gzip archive"),
    "deep.zip": (_nested(4), "is an archive nested more than 2 deep"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_an_archive_not_read_whole_is_named_as_not_scanned(tmp_path: Path, name: str) -> None:
    data, why = BAD[name]
    branch_repo(tmp_path, {"README.md": "x\n"}, {name: data})
    result = _gate(tmp_path, name)
    assert "not fully scanned: an archive not scanned for secrets: " in result.output_tail
    assert why in result.output_tail, result.output_tail


def test_an_archive_past_the_member_count_or_the_bytes_is_named(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archive_members, "MAX_MEMBERS", 20)
    many, budget = pack("zip", {f"f{n}.txt": b"x" for n in range(30)}), Budget()
    assert len(list(leaves("many.zip", many, budget))) == 20  # the 21st is one too many
    assert budget.unread == "many.zip!f20.txt: over 20 members"
    monkeypatch.setattr(archive_members, "MAX_INFLATED", 1000)
    budget = Budget()
    assert list(leaves("big.tar.xz", pack("tar.xz", {"a.txt": b"abc" * 600}), budget)) == []
    assert budget.unread == "big.tar.xz inflates past 0 MiB in all"


@settings(max_examples=200, deadline=None)
@given(magic=st.sampled_from([b"PK\x03\x04", b"PK\x05\x06", b"\x1f\x8b", b"BZh",
                              b"\xfd7zXZ\x00"]),
       rest=st.binary(max_size=600))
def test_random_bytes_behind_an_archive_magic_stop_the_reading_named(
        magic: bytes, rest: bytes) -> None:
    budget = Budget()
    read = list(leaves("x", magic + rest, budget))  # never raises
    assert budget.unread == "" or budget.unread.startswith("x!") or budget.unread.startswith(
        "x "), (read, budget.unread)


def test_a_review_counts_the_key_in_a_zip_and_an_unread_bomb(tmp_path: Path) -> None:
    """Through `reviewloop review`: the key in a deflated zip is a must-fix of the change
    (exit 1; it passed, exit 0, before), and the bomb beside it leaves the review
    incomplete, named."""
    root = feature_branch(tmp_path / "r", {
        "conf.zip": pack("zip", {"settings.py": SECRET.encode()}),
        "bomb.bz2": BAD["bomb.bz2"][0]})
    done = review(root, "--base", "main", "--head", "feature", "--json")
    report = json.loads(done.stdout)
    found = [(f["file"], f["start_line"], f["severity"])
             for f in report["findings"]["remaining"]]
    assert ("conf.zip", 1, "must_fix") in found, report["verdict"]
    assert done.returncode == 1
    assert KEY_ID not in done.stdout
    assert not report["health"]["complete"]
    assert "bomb.bz2" in json.dumps(report["health"])
