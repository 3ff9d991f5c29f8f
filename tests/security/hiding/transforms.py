"""Seeds and hiding transformations for the metamorphic test (`test_hiding.py`).

A `Seed` is one changed file carrying one finding an analyzer reports on its own. A
`Transform` rewrites the change — the file's bytes, its name or place, the files beside it —
the way an author hiding that finding would, and says whether the code still runs
afterwards (`runs`: a runtime executes it as it did) or is inert (the trick also broke the
code, so a review owes it nothing). The property: a change that still runs is never judged
better than its seed.

New tricks are added here, as one more `Transform`, never as a one-off test.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import PurePosixPath

PAD_LINES = 20_000  # ~1.1 MB of comment lines: over the old 1 MB limit
BIG_LINES = 60_000  # ~2.8 MB: over bandit's own limit


@dataclass(frozen=True)
class Seed:
    name: str
    path: str
    text: bytes
    comment: bytes  # how a line comment starts
    fail_on: str  # the severity the finding has: the review's --fail-on
    shebang: bytes | None = None  # the interpreter line a script without a suffix needs
    language: str = ""
    needs: str | None = None  # the test fixture that installs its analyzer
    # a finding on the content itself (a committed secret): it stands whether or not the
    # file still runs, so only a transform that re-encodes the bytes makes it inert
    leak: bool = False


@dataclass(frozen=True)
class Case:
    """The feature branch: files (path → bytes), symlinks (path → target), what the base
    has, and which file carries the seed's finding now."""

    main: str
    files: dict[str, bytes]
    links: dict[str, str] = field(default_factory=dict)
    base: dict[str, bytes] = field(default_factory=dict)
    runs: bool = True
    applied: tuple[str, ...] = ()
    # every trick applied declared the file still analysable: it must have its finding,
    # being named as not analysed is not enough
    read: bool = True

    def content(self) -> bytes:
        return self.files[self.main]

    def with_content(self, data: bytes) -> Case:
        return replace(self, files={**self.files, self.main: data})

    def moved(self, path: str) -> Case:
        files = {p: b for p, b in self.files.items() if p != self.main}
        return replace(self, main=path, files={**files, path: self.content()})

    def adding(self, extra: dict[str, bytes]) -> Case:
        return replace(self, files={**self.files, **extra})


Apply = Callable[[Seed, Case], Case]
_FS = ("utf-8", "surrogateescape")  # a name's bytes, whatever they are (a non-UTF-8 name)
_INTERPRETER = {"python": b"python3", "javascript": b"node", "shell": b"bash"}
_RUNNER = {"python": b"#!/usr/bin/env -S uv run --script",
           "javascript": b"#!/usr/bin/env -S npx node", "typescript": b"#!/usr/bin/env -S npx tsx"}


@dataclass(frozen=True)
class Transform:
    name: str
    apply: Apply
    runs: Callable[[Seed], bool] = lambda seed: True  # the code still runs afterwards
    applies: Callable[[Seed], bool] = lambda seed: True  # meaningful for this seed
    recodes: bool = False  # writes the content in another encoding (no longer its bytes)
    # the file can still be analysed (its finding is owed, not only its name as unread)
    read: Callable[[Seed], bool] = lambda seed: False

    def __call__(self, seed: Seed, case: Case) -> Case:
        out = self.apply(seed, case)
        stands = (seed.leak and not self.recodes) or self.runs(seed)
        return replace(out, runs=case.runs and stands, applied=(*case.applied, self.name),
                       read=case.read and self.read(seed))


def start(seed: Seed, folder: str = "") -> Case:
    """The seed's change as it is: its file at its path, under `folder` when one is given
    (a trick's own copy, beside the others in one review)."""
    path = f"{folder}/{seed.path}" if folder else seed.path
    return Case(main=path, files={path: seed.text})


def _lang(*names: str) -> Callable[[Seed], bool]:
    return lambda seed: seed.language in names


def _padded(lines: int, where: str = "after") -> Apply:
    def apply(seed: Seed, case: Case) -> Case:
        pad = (seed.comment + b" padding the change so no analyzer reads it\n") * lines
        text = case.content()
        return case.with_content(text + pad if where == "after" else _after_first(text, pad))
    return apply


def _after_first(text: bytes, extra: bytes) -> bytes:
    """`extra` after the first line (a shebang or a comment stays first)."""
    first, _, rest = text.partition(b"\n")
    return first + b"\n" + extra + rest


def _comment_line(data: bytes) -> Apply:
    def apply(seed: Seed, case: Case) -> Case:
        return case.with_content(_after_first(case.content(), seed.comment + b" " + data + b"\n"))
    return apply


def _rename(new: Callable[[str], str]) -> Apply:
    return lambda seed, case: case.moved(new(case.main))


def _in_folder(folder: str) -> Apply:
    return _rename(lambda p: f"{folder}/{p}")


def _with_stem(path: str, extra: str) -> str:
    """`path` with `extra` after its stem; a name without a suffix (a Dockerfile) gets it as
    one (`Dockerfile.\xff`: still a Dockerfile)."""
    name = PurePosixPath(path)
    if not name.suffix:
        return f"{path}.{extra.lstrip('_')}"
    return str(name.with_name(name.stem + extra + name.suffix)).removeprefix("./")


# node cannot open a file whose name is not UTF-8 (it reads argv as UTF-8): ESLint names
# such a JS/TS file as not analysed, and still reads the look-alike beside it; every other
# analyzer is given the name's bytes
_NAMES_READ = _lang("python", "", "shell", "terraform", "dockerfile")
_LOOKALIKE_READ = _lang("python", "", "shell", "terraform", "javascript", "typescript")


def _with_files(extra: Callable[[Case], dict[str, bytes]]) -> Apply:
    return lambda seed, case: case.adding(extra(case))


def _script(seed: Seed, case: Case) -> Case:
    assert seed.shebang is not None
    text = case.content()
    if not text.startswith(b"#!"):
        text = seed.shebang + b"\n" + text
    folder = str(PurePosixPath(case.main).parent)
    name = f"bin/{PurePosixPath(case.main).stem}-tool"
    return case.with_content(text).moved(name if folder == "." else f"{folder}/{name}")


def _shebang_only(shebang: bytes) -> Apply:
    def apply(seed: Seed, case: Case) -> Case:
        text = case.content()
        if text.startswith(b"#!"):
            text = text.partition(b"\n")[2]
        return case.with_content(shebang + b"\n" + text).moved(
            str(PurePosixPath(case.main).with_suffix("")) + "-run")
    return apply


def _symlinked(seed: Seed, case: Case) -> Case:
    real = f"impl/{case.main.replace('/', '_')}"
    moved = case.moved(real)
    return replace(moved, links={**moved.links, case.main: f"{'../' * case.main.count('/')}{real}"})


def _renamed_from_base(seed: Seed, case: Case) -> Case:
    """The base has a clean file; the change renames it and adds the finding."""
    old = f"old_{PurePosixPath(case.main).name}"
    clean = seed.comment + b" nothing here yet\n"
    return replace(case, base={**case.base, old: clean})


def _renamed_into_code(seed: Seed, case: Case) -> Case:
    """The base holds the code as a text file; the change only renames it (no line
    changes): data became code."""
    old = f"notes/{case.main.replace('/', '_')}.txt"
    return replace(case, base={**case.base, old: case.content()})


def _one_line(seed: Seed, case: Case) -> Case:
    if seed.language == "python":
        lines = [ln.strip() for ln in case.content().splitlines() if ln.strip()
                 and not ln.startswith(b"#")]
        body = b"import subprocess; run = lambda cmd: subprocess.call(cmd, shell=True)\n"
        return case.with_content(body) if lines else case
    text = b" ".join(ln.strip() for ln in case.content().splitlines() if ln.strip()
                     and not ln.strip().startswith(seed.comment))
    return case.with_content(text + b"\n")


def _parse_error_below(seed: Seed, case: Case) -> Case:
    broken = {"python": b"def broken(:\n", "javascript": b"function broken( {\n",
              "typescript": b"function broken( {\n", "shell": b"if then fi (\n"}
    return case.with_content(case.content() + broken.get(seed.language, b"}}}{{{\n"))


def _crlf(seed: Seed, case: Case) -> Case:
    return case.with_content(case.content().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))


def _bom(seed: Seed, case: Case) -> Case:
    return case.with_content(b"\xef\xbb\xbf" + case.content())


def _utf16(seed: Seed, case: Case) -> Case:
    return case.with_content(case.content().decode("utf-8").encode("utf-16"))


def _tabs(seed: Seed, case: Case) -> Case:
    return case.with_content(case.content().replace(b"    ", b"\t"))


def _no_final_newline(seed: Seed, case: Case) -> Case:
    return case.with_content(case.content().rstrip(b"\n"))


def _long_line(seed: Seed, case: Case) -> Case:
    return case.with_content(_after_first(case.content(), seed.comment + b" " + b"x" * 200_000
                                          + b"\n"))


def _notebook_with(magic: str, metadata: dict[str, str]) -> Apply:
    """The code as a Jupyter notebook's code cell under the cell magic `magic` (one that runs
    it as Python, or none), after a markdown cell and a cell with a line magic, in a notebook
    whose metadata is `metadata`: `jupyter nbconvert --execute` and papermill run it."""

    def apply(seed: Seed, case: Case) -> Case:
        code = {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": []}
        lines = case.content().decode(*_FS).splitlines(keepends=True)
        cells = [{"cell_type": "markdown", "metadata": {},
                  "source": ["# Notes\n", "\n", "Run me."]},
                 {**code, "source": ["%matplotlib inline\n", "!pip list\n"]},
                 {**code, "source": [magic, *lines] if magic else lines}]
        data = json.dumps({"cells": cells, "metadata": metadata, "nbformat": 4,
                           "nbformat_minor": 5}, indent=1)
        return case.with_content(data.encode()).moved(
            str(PurePosixPath(case.main).with_suffix(".ipynb")))

    return apply


def _many_files(case: Case) -> dict[str, bytes]:
    return {f"pkg/mod_{i:03d}.txt": f"note {i}\n".encode(*_FS) for i in range(300)}


def _attributes(line: str) -> Apply:
    return _with_files(lambda case: {".gitattributes": f"{case.main} {line}\n".encode(*_FS)
                                     + f"* {line}\n".encode(*_FS)})


def _tool_config(case: Case) -> dict[str, bytes]:
    """The change's own configuration for the tools, telling them to skip the file."""
    name = PurePosixPath(case.main).name
    return {".bandit": f"[bandit]\nexclude = ./{case.main}\nskips = B602,B404\n".encode(*_FS),
            "pyproject.toml": f'[tool.bandit]\nexclude_dirs = ["."]\nskips = ["B602"]\n'
                              f'[tool.ruff]\nexclude = ["{name}"]\n'.encode(*_FS),
            ".eslintignore": f"{case.main}\n".encode(*_FS),
            "eslint.config.js": b"export default [{ ignores: ['**/*'] }];\n",
            ".secretsignore": f"{case.main}\n".encode(*_FS),
            ".gitleaksignore": f"{case.main}\n".encode(*_FS)}


TRANSFORMS: tuple[Transform, ...] = (
    Transform("identity", lambda seed, case: case, read=lambda seed: True),
    Transform("pad-1.1MB", _padded(PAD_LINES)),
    Transform("pad-2.8MB", _padded(BIG_LINES)),
    Transform("pad-before", _padded(PAD_LINES, where="before")),
    Transform("nul-in-comment", _comment_line(b"\0"),
              runs=_lang("javascript", "typescript", "shell")),
    Transform("nul-after-8000", lambda seed, case: _comment_line(b"\0")(
        seed, _padded(200, "before")(seed, case)), runs=_lang("javascript", "typescript", "shell")),
    Transform("bom", _bom, runs=_lang("python", "javascript", "typescript")),
    Transform("utf-16", _utf16, runs=lambda seed: False, recodes=True),
    Transform("crlf", _crlf, runs=lambda seed: seed.language != "shell"),
    # HCL accepts UTF-8 only: terraform refuses the file (checkov says it could not parse it)
    Transform("latin1-comment", _comment_line(b"caf\xe9 \xff\xfe"),
              runs=lambda seed: seed.language != "terraform"),
    Transform("option-named-neighbour", _with_files(lambda case: {
        f"--exclude={case.main}": b"", "--skip=B602": b"", "-x": b""})),
    # a Dockerfile renamed is no Dockerfile: `docker build` reads it only when told to
    Transform("option-named-file", _rename(lambda p: str(PurePosixPath(p).parent / (
        "--exclude=" + PurePosixPath(p).name)).removeprefix("./")),
        applies=lambda seed: seed.language != "dockerfile"),
    # a name is bytes: one that is not UTF-8 is read under those bytes, and so is one whose
    # text form could be mistaken for it (a literal `\xff`) beside it
    Transform("non-utf8-name", _rename(lambda p: _with_stem(p, "_\udcff")), read=_NAMES_READ),
    Transform("non-utf8-folder", _in_folder("lib_\udcfe\udc80"), read=_NAMES_READ),
    Transform("escape-lookalike-name", lambda seed, case: _rename(
        lambda p: _with_stem(p, "\\xff"))(seed, case.adding(
            {_with_stem(case.main, "\udcff"): seed.comment + b" nothing here\n"})),
        read=_LOOKALIKE_READ, applies=lambda seed: seed.language != "dockerfile"),
    Transform("space-and-unicode-name", _rename(lambda p: str(PurePosixPath(p).with_name(
        "my äpp " + PurePosixPath(p).name)).removeprefix("./")),
        applies=lambda seed: seed.language != "dockerfile"),
    Transform("upper-case-suffix", _rename(lambda p: str(PurePosixPath(p).with_suffix(
        PurePosixPath(p).suffix.upper())).removeprefix("./")),
        applies=_lang("python", "javascript", "shell")),
    Transform("shebang-script", _script, applies=lambda seed: seed.shebang is not None),
    Transform("env-dash-S-shebang", lambda seed, case: _shebang_only(
        b"#!/usr/bin/env -S " + (seed.shebang or b"").rsplit(b" ", 1)[-1].rsplit(b"/", 1)[-1]
        + b" --")(seed, case), applies=lambda seed: seed.shebang is not None),
    Transform("versioned-interpreter", _shebang_only(b"#!/usr/bin/python3.12"),
              applies=_lang("python")),
    # a runner that takes the script after it: PEP 723's `uv run --script`, `npx tsx`
    Transform("runner-shebang", lambda seed, case: _shebang_only(_RUNNER[seed.language])(
        seed, case), applies=_lang(*_RUNNER)),
    Transform("quoted-characters-name", _rename(lambda p: str(PurePosixPath(p).with_name(
        f'a "q" \\ b\tc{PurePosixPath(p).stem}{PurePosixPath(p).suffix}')).removeprefix("./")),
        applies=lambda seed: seed.language != "dockerfile"),
    Transform("glob-characters-name", _rename(lambda p: str(PurePosixPath(p).with_name(
        f"[{PurePosixPath(p).stem}]{PurePosixPath(p).suffix}")).removeprefix("./")),
        applies=lambda seed: seed.language != "dockerfile"),
    Transform("shebang-script-with-nul", lambda seed, case: _comment_line(b"\0")(
        seed, _script(seed, case)), applies=lambda seed: seed.shebang is not None,
        runs=_lang("javascript", "typescript", "shell")),
    Transform("wrapper-shebang", lambda seed, case: _shebang_only(
        b"#!/usr/bin/env -S nice -n 5 timeout 60 " + _INTERPRETER[seed.language])(seed, case),
        applies=_lang(*_INTERPRETER)),
    # data renamed into code (a file of no language has no code to become)
    Transform("renamed-into-code", _renamed_into_code,
              applies=lambda seed: seed.language not in ("dockerfile", "")),
    Transform("latin1-coding-cookie", lambda seed, case: case.with_content(
        b"# -*- coding: latin-1 -*-\n# caf\xe9\n" + case.content()), applies=_lang("python")),
    # OpenTofu runs `.tofu` files; checkov skips that name (read under a `.tf` alias)
    Transform("opentofu-suffix", _rename(lambda p: str(PurePosixPath(p).with_suffix(".tofu"))),
              applies=_lang("terraform"), read=lambda seed: True),
    Transform("lower-case-dockerfile", _rename(lambda p: str(PurePosixPath(p).with_name(
        "dockerfile")).removeprefix("./")), applies=_lang("dockerfile")),
    Transform("parse-error-below", _parse_error_below, runs=lambda seed: False),
    Transform("node_modules", _in_folder("node_modules/dep")),
    Transform("vendor", _in_folder("vendor")),
    Transform("third_party", _in_folder("third_party/lib")),
    Transform("tox-and-egg", _in_folder(".tox/py311/x.egg")),
    Transform("build-dist-venv", _in_folder("build/dist/.venv/site-packages")),
    Transform("hidden-folder", _in_folder(".hidden")),
    Transform("deep-path", _in_folder("a/b/c/d/e/f/g/h")),
    Transform("generated-marker", _comment_line(b"@generated DO NOT EDIT")),
    Transform("attributes-binary", _attributes("binary")),
    Transform("attributes-generated", _attributes("linguist-generated=true linguist-vendored")),
    Transform("symlinked", _symlinked),
    Transform("renamed-from-base", _renamed_from_base),
    Transform("one-line", _one_line),
    Transform("tabs", _tabs, applies=_lang("python", "shell")),
    Transform("no-final-newline", _no_final_newline),
    Transform("long-line", _long_line),
    Transform("jupyter-notebook", _notebook_with("", {}), applies=_lang("python"),
              read=lambda seed: True),
    # a cell magic that runs the cell as Python; a "source" key that is no cell's, first
    Transform("jupyter-cell-magic", _notebook_with("%%capture out\n", {}),
              applies=_lang("python"), read=lambda seed: True),
    Transform("jupyter-metadata-source", _notebook_with("", {"source": "https://x/nb"}),
              applies=_lang("python"), read=lambda seed: True),
    Transform("many-files", _with_files(_many_files)),
    Transform("tool-config", _with_files(_tool_config)),
    Transform("gitignored", _with_files(
        lambda case: {".gitignore": f"{case.main}\n".encode(*_FS)})),
)
