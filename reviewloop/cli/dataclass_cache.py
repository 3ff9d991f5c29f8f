"""The methods `dataclasses` writes for each class, compiled once and kept with the bytecode.

Python 3.11 and 3.12 write a dataclass's `__init__`, `__repr__`, `__eq__`, `__hash__` and,
when frozen, `__setattr__` and `__delattr__` as source text and compile each with `exec`
(3.13: one `exec` a class). That compiling is ~70 % of creating a class, about 1 ms, and an
offline review's start-up creates ~115 of them: ~0.1 s of CPU, the same in every run. The
text depends only on the class's fields and options, so the code it compiles to can be kept
the way Python keeps a module's: `remember` gives `dataclasses` an `exec` that looks the text
up in a file beside the package's bytecode (`importlib.util.cache_from_source`: the
`__pycache__` folder or `sys.pycache_prefix`, named with the interpreter's cache tag, checked
against its magic number and a checksum of its entries) and compiles only what it does not
hold, exactly as `exec` would (no `__future__` flag inherited). What was compiled is added to
the file at exit, unless Python writes no bytecode (`PYTHONDONTWRITEBYTECODE`, `-B`); a file
that is missing, damaged or another interpreter's is compiled around, never a failure. The
file is written as importlib writes bytecode (the source's mode, the umask applied) and
trusted as the bytecode beside it is: whoever can write one can write the other.

Set once, at the CLI's edge (`reviewloop.__main__`), like the collector (`cli.memory`).
"""

from __future__ import annotations

import atexit
import builtins
import dataclasses
import importlib.util
import marshal
import os
import sys
import zlib
from pathlib import Path
from types import CodeType
from typing import Any

MAGIC = importlib.util.MAGIC_NUMBER
# Entries kept when the file is rewritten: this process's, plus the others while they fit
# (other commands' classes, older versions' after an upgrade); a process that makes more
# classes than that on its own (made in a loop, not written) keeps none.
MAX_ENTRIES = 4_000


class Methods:
    """The texts compiled so far, by text; `exec` is the drop-in `dataclasses` calls."""

    def __init__(self, path: Path, mode: int = 0o644):
        self.path, self.mode = path, mode  # the file's mode: its bytecode's
        self.known = _load(path)
        self.new: dict[str, CodeType] = {}
        self.used: set[str] = set()

    def exec(self, source: Any, /, *args: Any, **kwargs: Any) -> None:
        if isinstance(source, str):
            code = self.known.get(source)
            if code is None:
                code = self.new.get(source)
                if code is None:
                    code = self.new[source] = compile(source, "<string>", "exec",
                                                      dont_inherit=True)
            else:
                self.used.add(source)
            source = code
        builtins.exec(source, *args, **kwargs)

    def save(self) -> None:
        """Add what this process compiled to the file (atomically; another process writing
        at the same time loses at most its own additions)."""
        if not self.new or sys.dont_write_bytecode:
            return
        kept = {**self.known, **self.new}
        if len(kept) > MAX_ENTRIES:
            kept = {**{text: self.known[text] for text in self.used}, **self.new}
        if len(kept) > MAX_ENTRIES:
            return
        payload = marshal.dumps(kept)
        data = MAGIC + zlib.crc32(payload).to_bytes(4, "little") + payload
        temp = f"{self.path}.{os.getpid()}"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # as importlib writes bytecode: created afresh, its mode under the umask
            fd = os.open(temp, os.O_EXCL | os.O_CREAT | os.O_WRONLY, self.mode & 0o666)
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(data)
                os.replace(temp, self.path)
            except BaseException:
                os.unlink(temp)
                raise
        except OSError:  # a read-only install: no file, as no bytecode is written there
            return
        self.known, self.new = kept, {}


def _load(path: Path) -> dict[str, CodeType]:
    """The file's entries; none when it is missing, for another interpreter, or damaged."""
    try:
        data = path.read_bytes()
    except OSError:
        return {}
    start = len(MAGIC) + 4
    if not data.startswith(MAGIC) or \
            zlib.crc32(data[start:]).to_bytes(4, "little") != data[len(MAGIC):start]:
        return {}
    try:
        entries = marshal.loads(data[start:])
    except Exception:  # noqa: BLE001  (damaged data raises SystemError too: compile afresh)
        return {}
    if not isinstance(entries, dict) or not all(
            type(k) is str and type(v) is CodeType for k, v in entries.items()):
        return {}
    return entries


def cache_file(package: Path) -> Path | None:
    """Where the package's compiled methods live; None when Python keeps no bytecode
    (`sys.implementation.cache_tag` is None)."""
    try:
        pyc = importlib.util.cache_from_source(os.fspath(package / "dataclass_methods.py"))
    except NotImplementedError:
        return None
    return Path(pyc).with_suffix(".marshal")


def remember(package: Path) -> Methods | None:
    """Give `dataclasses` the caching `exec` for this process (once; not when something else
    already replaced its `exec`), saved at exit."""
    current = vars(dataclasses).get("exec")
    if current is not None:
        owner = getattr(current, "__self__", None)
        return owner if isinstance(owner, Methods) else None
    path = cache_file(package)
    if path is None:
        return None
    try:  # readable by whoever can read the package's bytecode, as importlib writes it
        mode = (package / "__init__.py").stat().st_mode & 0o666 | 0o200
    except OSError:
        mode = 0o644
    methods = Methods(path, mode)
    dataclasses.exec = methods.exec  # type: ignore[attr-defined]
    atexit.register(methods.save)
    return methods


def forget() -> None:
    """`dataclasses` back to the built-in `exec` (what `remember` changed), without saving."""
    current = vars(dataclasses).get("exec")
    if current is None:
        return
    delattr(dataclasses, "exec")
    methods = getattr(current, "__self__", None)
    if isinstance(methods, Methods):
        atexit.unregister(methods.save)
