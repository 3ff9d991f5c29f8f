"""Writing a commit's files into a folder from `git ls-tree -r -l` output, content as git
stores it: no filter, textconv or attribute of the tree applies (`git archive` would honour
the tree's own `export-ignore`, which a change could use to hide a file from its review).

A file the reviewed diff adds whole is in the diff already: its content is taken from there
when it hashes to the very blob the listing names (the same object id, so the same bytes),
and read from git otherwise (`from_diff`). A link is written only when it leads to a regular
file of the same commit (through any chain of such links), as that link (a Terraform
module's shared `locals.tf`, read with the module as in a checkout); submodules and other
links are left out (`left_out`)."""

from __future__ import annotations

import hashlib
import os
import posixpath
import re
import subprocess
import threading
import weakref
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO

from reviewloop.errors import ReviewloopError
from reviewloop.git import neutral
from reviewloop.git.command import GitCommand
from reviewloop.git.deep_folders import make_folders
from reviewloop.git.diff import ChangeSet, FileStatus
from reviewloop.git.failures import failed
from reviewloop.git.names import fits, folder_of, joined, shown
from reviewloop.git.reads import wrote
from reviewloop.git.sizes import MAX_FILE_BYTES

# A file's content as another source has it, by name (`names.shown`); None: it has none.
Claimed = Callable[[str], bytes | None]


def left_out(listing: str) -> dict[str, str]:
    """The entries of `listing` (`ls-tree -r -z -l`) `write_blobs` does not write, by name
    (`names.shown`): their mode, `120000` a symlink, `160000` a submodule."""
    out: dict[str, str] = {}
    for meta, _, path in (record.partition("\t") for record in listing.split("\0") if record):
        mode = meta.split(" ", 1)[0]
        if mode in ("120000", "160000"):
            out[shown(path)] = mode
    return out


def write_blobs(cmd: GitCommand, listing: str, dest: Path, options: Sequence[str],
                claimed: Claimed | None = None) -> list[str]:
    """Write the regular files of `listing` (`ls-tree -r -z -l`) under `dest`, an
    executable one (`100755`) executable; their paths. Submodules and links are left out,
    but for a link to a regular file of the listing, written as that link (`_write_links`);
    `options` go before every git command. A file whose `claimed` content is its blob is
    written from it, the others as git has them."""
    files: list[tuple[str, str, int]] = []
    links: list[tuple[str, str]] = []
    executable: list[str] = []
    for meta, _, path in (record.partition("\t") for record in listing.split("\0") if record):
        mode, kind, sha, length = meta.split()
        if not fits(dest, path):  # a name no file system here holds: not there, as no
            continue  # checkout has it (`review.matrix` names it)
        if kind == "blob" and mode in ("100644", "100755"):
            files.append((path, sha, int(length)))
            if mode == "100755":
                executable.append(path)
        elif kind == "blob" and mode == "120000":
            links.append((path, sha))
    base = os.fspath(dest)  # names as strings: two `Path`s a file were a third of the export
    for folder in sorted({folder_of(joined(base, path)) for path, _, _ in files}):
        make_folders(folder)  # no recursion a level: a file 1,000 folders deep
    small = [(path, sha) for path, sha, size in files if size <= MAX_FILE_BYTES]
    if claimed is not None:
        small = _write_claimed(small, claimed, base)
    if small:
        _batch(cmd, options, small, dest)
    for path, sha, size in files:
        if size > MAX_FILE_BYTES:  # never whole in this process: git writes the file
            with (dest / path).open("wb") as fh:
                cmd.run(["git", *options, "cat-file", "blob", sha], output=fh)
    for path in executable:  # as a checkout has it: ruff's EXE rules read the mode
        at = os.path.join(base, path)
        os.chmod(at, os.stat(at).st_mode | 0o111)
    if links:
        _write_links(cmd, options, links, {path for path, _, _ in files}, base)
    return [path for path, _, _ in files]


def _write_links(cmd: GitCommand, options: Sequence[str], links: Sequence[tuple[str, str]],
                 written: set[str], base: str) -> None:
    """Each of `links` (path, blob) whose relative target names a regular file of the same
    commit (`written`), or a link written so, as that link: a folder's shared
    `locals.tf -> ../shared/locals.tf` is read as the checkout has it, and so is
    `k8s/pod.yaml -> mid -> pod.txt` (the plain tools follow the chain). A link out of the
    tree, to a folder or to nothing, or absolute is left out, as a submodule is
    (`left_out`)."""
    targets = link_texts(cmd, options, sorted({sha for _, sha in links}))
    reached, pending = set(written), list(links)
    while pending:  # a round a link of the chain: each round writes those it reaches
        later = []
        for path, sha in pending:
            text = targets[sha]
            led = posixpath.normpath(posixpath.join(posixpath.dirname(path), text))
            if not text or text.startswith("/") or led not in reached:
                later.append((path, sha))
                continue
            at = os.path.join(base, path)
            make_folders(os.path.dirname(at))
            os.symlink(text, at)
            if os.path.isfile(at):
                reached.add(path)
            else:  # through a folder the commit does not have
                os.unlink(at)
        if len(later) == len(pending):
            return
        pending = later


def link_texts(cmd: GitCommand, options: Sequence[str], shas: Sequence[str]
                ) -> dict[str, str]:
    """Each link blob's text (where it leads), from one `git cat-file --batch`; "" for one
    git does not have."""
    done = subprocess.run(neutral.argv(["git", *options, "cat-file", "--batch"]),
                          cwd=cmd.working_dir, env=neutral.environment(os.environ),
                          input="".join(f"{sha}\n" for sha in shas).encode(),
                          capture_output=True, check=False)
    texts, out = {}, done.stdout
    for sha in shas:
        line, _, out = out.partition(b"\n")
        header = line.split()
        size = int(header[2]) if len(header) == 3 and header[2].isdigit() else 0
        texts[sha] = out[:size].decode("utf-8", "surrogateescape") if size else ""
        out = out[size + 1:] if size else out
    return texts


def from_diff(changes: ChangeSet) -> Claimed:
    """The content of each file `changes` adds whole, as its one hunk shows it (its lines
    without their `+`; the last without its line end after git's no-newline marker), for
    `write_blobs` to check against the blob: reading every new file from git again was
    most of a head commit's export (5,000 added files). Decoded text that lost a byte, a
    file shown as binary or in parts: no content, or not the blob's, and git is asked."""
    known: dict[str, bytes | None] = {}  # asked when sizing the files, then when writing

    def content(path: str) -> bytes | None:
        if path not in known:
            known[path] = _content(path)
        return known[path]

    def _content(path: str) -> bytes | None:
        diff = changes.file(path)
        if diff is None or diff.status is not FileStatus.ADDED or diff.binary:
            return None
        hunk = _WHOLE_FILE.search(diff.text)
        if hunk is None:
            return None
        body = diff.text[hunk.end():]
        if body.endswith(_NO_NEWLINE):
            body = body[:-len(_NO_NEWLINE)]
        return unmarked(body).encode("utf-8", "surrogateescape")

    return content


_WHOLE_FILE = re.compile(r"^@@ -0,0 \+1(?:,\d+)? @@[^\n]*\n", re.MULTILINE)
_NO_NEWLINE = "\n\\ No newline at end of file\n"


def unmarked(body: str) -> str:
    """A hunk's lines without the `+` that begins each (a regex's `^\\+` under MULTILINE,
    searched for at every character, took as long as the rest of a new file's reading)."""
    return body[body.startswith("+"):].replace("\n+", "\n")


def listing(git: Callable[..., str], cmd: GitCommand, options: Sequence[str], commit: str,
            claimed: Claimed | None = None) -> str:
    """`git ls-tree -r -z -l --full-tree <commit> -- .`'s output (`git` runs git). With
    `claimed`, git reads no blob the diff adds whole only to print its size: a blob whose
    claimed content is the very blob has that content's size, and git sizes the others
    (`cat-file --batch-check`), or lists them all with their sizes itself when they are
    most of the tree (a small change to a large one). The same text either way: at 5,000
    added files, `-l` opened every new blob (0.03-0.05 s of git's CPU)."""
    args = ("-r", "-z", "--full-tree", commit, "--", ".")
    if claimed is None:
        return git("ls-tree", "-l", *args)
    records = []  # (its mode, type and id as git prints them, type, id, path)
    for record in git("ls-tree", *args).split("\0"):
        if record:
            meta, _, path = record.partition("\t")
            _, kind, sha = meta.split()
            records.append((meta, kind, sha, path))
    sizes: dict[str, str] = {}  # blob id -> its size as `-l` prints it
    unsized = []
    blob = _judged(claimed)
    for _, kind, sha, path in records:
        if kind != "blob" or sha in sizes:
            continue
        data = blob(path, sha)
        if data is not None:
            sizes[sha] = str(len(data))
        else:
            unsized.append(sha)
    if len(unsized) > len(sizes):
        return git("ls-tree", "-l", *args)
    sizes.update(_sizes(cmd, options, unsized))
    return "".join(f"{meta} {sizes[sha] if kind == 'blob' else '-':>7}\t{path}\0"
                   for meta, kind, sha, path in records)


def _sizes(cmd: GitCommand, options: Sequence[str], shas: Sequence[str]) -> dict[str, str]:
    """Each object's size as `ls-tree -l` prints a blob's (`BAD`: git has no such object)."""
    if not shas:
        return {}
    done = subprocess.run(neutral.argv(["git", *options, "cat-file", "--batch-check"]),
                          cwd=cmd.working_dir, env=neutral.environment(os.environ),
                          input="".join(f"{sha}\n" for sha in shas),
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise failed("git cat-file --batch-check", cmd.working_dir, done.returncode,
                     done.stderr)
    answers = [line.split() for line in done.stdout.splitlines()]
    return {sha: answer[2] if len(answer) == 3 else "BAD"  # `<id> missing`: none
            for sha, answer in zip(shas, answers, strict=True)}


def _write_claimed(files: Sequence[tuple[str, str]], claimed: Claimed, base: str
                   ) -> list[tuple[str, str]]:
    """Write each of `files` whose claimed content has its blob's object id; the others,
    for git to write."""
    rest = []
    blob = _judged(claimed)
    for path, sha in files:
        data = blob(path, sha)
        if data is not None:
            _write(base, joined(base, path), data)
        else:
            rest.append((path, sha))
    return rest


def _write(base: str, full: str, data: bytes) -> None:
    """A new file at `full` holding `data`, as `open(full, "wb")` makes it (its mode 0o666
    less the umask), without the buffered file object (a 5,000-file export made one a
    file); a review reading the export shares the bytes (`git.reads.wrote`)."""
    handle = os.open(full, _NEW_FILE, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(handle, view):]
    finally:
        os.close(handle)
    wrote(base, full, data)


_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0)


def _judged(claimed: Claimed) -> Callable[[str, str], bytes | None]:
    """For a listed path (as git prints it) and its blob id, the content `claimed` has for
    it when that content is the very blob, else None: judged once for each `claimed` (the
    listing sizes a new file by it, the export then writes it: its id was hashed twice)."""
    with _JUDGING:
        judged = _JUDGED.setdefault(claimed, {})

    def blob(path: str, sha: str) -> bytes | None:
        key = (path, sha)
        if key not in judged:
            data = claimed(shown(path))
            judged[key] = data if data is not None and _object_id(data, len(sha)) == sha \
                else None
        return judged[key]
    return blob


# each claimed source's judged blobs, kept while it lives (a head's export: its listing, then
# its files)
_JUDGED: weakref.WeakKeyDictionary[Claimed, dict[tuple[str, str], bytes | None]] = \
    weakref.WeakKeyDictionary()
_JUDGING = threading.Lock()


def _object_id(data: bytes, width: int) -> str:
    """git's id of a blob holding `data`: SHA-1, or SHA-256 in a repository of 64-digit
    ids."""
    digest = hashlib.sha256() if width == 64 else hashlib.sha1()  # noqa: S324 - git's id
    digest.update(b"blob %d\0" % len(data))
    digest.update(data)
    return digest.hexdigest()


def _batch(cmd: GitCommand, options: Sequence[str], files: Sequence[tuple[str, str]],
           dest: Path) -> None:
    """Every blob of `files` from one `git cat-file --batch`: the ids are written from a
    thread while the answers are read, so neither pipe fills up and waits on the other."""
    with subprocess.Popen(neutral.argv(["git", *options, "cat-file", "--batch"]),
                          cwd=cmd.working_dir, env=neutral.environment(os.environ),
                          stdin=subprocess.PIPE,
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) as proc:
        assert proc.stdin is not None and proc.stdout is not None
        writer = threading.Thread(target=_ask, args=(proc.stdin, [sha for _, sha in files]),
                                  daemon=True)
        writer.start()
        try:
            base = os.fspath(dest)
            for path, sha in files:
                _write(base, joined(base, path), _answer(proc.stdout, sha))
        except BaseException:
            proc.kill()  # git may be blocked on a full pipe, and the writer behind it
            raise
        finally:
            writer.join()
    if proc.returncode != 0:
        raise ReviewloopError(f"git cat-file --batch failed in {cmd.working_dir} "
                              f"(exit {proc.returncode})")


def _ask(stdin: IO[bytes], shas: Sequence[str]) -> None:
    try:
        stdin.write("".join(f"{sha}\n" for sha in shas).encode())
    except BrokenPipeError:  # git stopped early; the reader says why
        pass
    finally:
        stdin.close()


def _answer(stdout: IO[bytes], sha: str) -> bytes:
    """One object's content from `cat-file --batch` output (`<id> <type> <size>\\n`, the
    content, a newline)."""
    header = stdout.readline().split()
    if len(header) != 3 or header[0].decode() != sha:
        raise ReviewloopError(f"git cat-file --batch has no blob {sha}: "
                              f"{b' '.join(header).decode(errors='replace')}")
    data = stdout.read(int(header[2]) + 1)
    return data[:-1]
