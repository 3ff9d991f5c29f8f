"""The dataclass methods compiled once (`reviewloop.cli.dataclass_cache`): a class made with
the cache, cold or warm, is the class `dataclasses` makes without it."""

from __future__ import annotations

import dataclasses
import importlib.util
import inspect
import marshal
import os
import subprocess
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.cli import dataclass_cache
from reviewloop.cli.dataclass_cache import MAGIC, Methods, cache_file, forget, remember

_METHODS = ("__init__", "__repr__", "__eq__", "__lt__", "__le__", "__gt__", "__ge__",
            "__hash__", "__setattr__", "__delattr__", "__getstate__", "__setstate__")


@pytest.fixture
def package(tmp_path: Path) -> Iterator[Path]:
    """A package folder whose cache `remember` uses; `dataclasses` restored after."""
    (tmp_path / "__init__.py").write_text("")
    forget()  # the test process's own, if any
    yield tmp_path
    forget()


def _spec() -> st.SearchStrategy[dict]:
    field = st.fixed_dictionaries({
        "type": st.sampled_from([int, str, "list[int]", "int | None", object]),
        "default": st.sampled_from(["none", "value", "factory"]),
        "init": st.booleans(), "repr": st.booleans(), "compare": st.booleans(),
        "kw_only": st.booleans()})
    return st.fixed_dictionaries({
        "names": st.lists(st.sampled_from(["a", "b", "self_", "value", "x1", "_y", "cls"]),
                          unique=True, max_size=5),
        "fields": st.lists(field, min_size=5, max_size=5),
        "options": st.fixed_dictionaries({
            "frozen": st.booleans(), "eq": st.booleans(), "order": st.booleans(),
            "unsafe_hash": st.booleans(), "slots": st.booleans(), "kw_only": st.booleans(),
            "repr": st.booleans(), "match_args": st.booleans()})})


def _make(spec: dict) -> type | str:
    """The class the spec describes, or the error `dataclasses` raises for it."""
    fields = []
    for name, f in zip(spec["names"], spec["fields"], strict=False):
        default = {"none": {}, "value": {"default": 3},
                   "factory": {"default_factory": list}}[f["default"]]
        if not f["init"] and not default:
            default = {"default": None}
        fields.append((name, f["type"], dataclasses.field(
            init=f["init"], repr=f["repr"], compare=f["compare"], kw_only=f["kw_only"],
            **default)))
    try:
        return dataclasses.make_dataclass("Made", fields, **spec["options"])
    except (TypeError, ValueError) as exc:
        return f"{type(exc).__name__}: {exc}"


def _shape(made: type | str) -> object:
    """What a class's generated methods are: their code, annotations and defaults."""
    if isinstance(made, str):
        return made
    shape = {"signature": str(inspect.signature(made)), "slots": getattr(made, "__slots__", None),
             "match_args": getattr(made, "__match_args__", None)}
    for name in _METHODS:
        method = vars(made).get(name)
        if inspect.isfunction(method):
            method = getattr(method, "__wrapped__", method)  # __repr__'s recursion guard
            shape[name] = (method.__code__, method.__qualname__, method.__defaults__,
                           method.__kwdefaults__, method.__annotations__)
        else:
            shape[name] = method
    return shape


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spec=_spec())
def test_a_class_made_cold_or_warm_is_the_class_dataclasses_makes(package: Path,
                                                                    spec: dict) -> None:
    forget()
    path = cache_file(package)
    assert path is not None
    path.unlink(missing_ok=True)
    plain = _shape(_make(spec))
    cold = remember(package)
    assert cold is not None and not cold.known
    assert _shape(_make(spec)) == plain
    cold.save()
    forget()
    warm = remember(package)
    assert warm is not None
    assert _shape(_make(spec)) == plain
    assert not warm.new  # every text came from the file
    forget()


def test_the_generated_code_is_compiled_without_the_callers_future_flags(package: Path
                                                                          ) -> None:
    # `reviewloop.cli.dataclass_cache` (like this module) has `from __future__ import
    # annotations`: its compile must not inherit it, or every generated method's
    # annotations would be compiled as strings
    @dataclasses.dataclass
    class Plain:
        a: int = 1

    remember(package)

    @dataclasses.dataclass
    class Cached:
        a: int = 1

    assert Cached.__init__.__annotations__ == Plain.__init__.__annotations__ == {
        "a": "int", "return": None}
    assert Cached.__init__.__code__.co_flags == Plain.__init__.__code__.co_flags


def _cached_class() -> type:
    @dataclasses.dataclass(frozen=True)
    class Point:
        x: int
        y: int = 0

    return Point


def test_the_file_is_written_once_and_read_back(package: Path) -> None:
    methods = remember(package)
    assert methods is not None and remember(package) is methods  # once per process
    _cached_class()
    methods.save()
    path = cache_file(package)
    # beside the package's own bytecode (`__pycache__`, or under `sys.pycache_prefix`)
    bytecode = Path(importlib.util.cache_from_source(str(package / "__init__.py")))
    assert path is not None and path.parent == bytecode.parent and path.exists()
    written = path.stat()
    forget()
    again = remember(package)
    assert again is not None and again.known and not again.new
    _cached_class()
    again.save()  # nothing new: not rewritten
    assert path.stat().st_mtime_ns == written.st_mtime_ns
    # as importlib writes the package's bytecode: the source's mode, writable by its owner,
    # under the umask
    umask = os.umask(0)
    os.umask(umask)
    source = (package / "__init__.py").stat().st_mode
    assert path.stat().st_mode & 0o777 == (source | 0o200) & 0o666 & ~umask


def test_the_file_is_written_under_the_umask_whatever_the_source_allows(package: Path
                                                                         ) -> None:
    (package / "__init__.py").chmod(0o666)
    old = os.umask(0o022)
    try:
        methods = remember(package)
        assert methods is not None
        _cached_class()
        methods.save()
    finally:
        os.umask(old)
    path = cache_file(package)
    assert path is not None and path.stat().st_mode & 0o777 == 0o644


def _broken_code() -> bytes:
    data = marshal.dumps(compile("def f(a, b=1):\n return a\n", "<string>", "exec"))
    broken = data[:4] + b"\xe9" + data[5:]
    with pytest.raises(SystemError):
        marshal.loads(broken)
    return broken


def _sealed(payload: bytes) -> bytes:
    """`payload` with the file's header: magic number and checksum."""
    return MAGIC + zlib.crc32(payload).to_bytes(4, "little") + payload


@pytest.mark.parametrize("damage", [
    lambda data: data[:len(MAGIC) + 7],  # cut short
    lambda data: data[:-40],  # cut short, past the header
    lambda data: b"\0\0\0\0" + data[len(MAGIC):],  # another interpreter's
    lambda data: data[:-100] + bytes([data[-100] ^ 0x20]) + data[-99:],  # a byte changed
    lambda data: _sealed(b"not marshal data at all"),
    lambda data: _sealed(marshal.dumps({"text": "not code"})),
    lambda data: _sealed(marshal.dumps(["a list"])),
    # a code object's argument count turned into a list: SystemError, not ValueError
    lambda data: _sealed(_broken_code()),
])
def test_a_damaged_or_foreign_file_is_compiled_around(package: Path, damage) -> None:
    methods = remember(package)
    assert methods is not None
    plain = _cached_class()
    methods.save()
    forget()
    path = cache_file(package)
    assert path is not None
    path.write_bytes(damage(path.read_bytes()))
    again = remember(package)
    assert again is not None and not again.known
    made = _cached_class()
    assert made(1, 2) == made(1, 2) and repr(made(1)).endswith("Point(x=1, y=0)")
    assert made.__init__.__code__ == plain.__init__.__code__
    again.save()  # and the file is whole again
    forget()
    assert Methods(path).known


def test_no_file_when_python_writes_no_bytecode(package: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    methods = remember(package)
    assert methods is not None
    _cached_class()
    methods.save()
    path = cache_file(package)
    assert path is not None and not path.exists()


def test_a_folder_it_cannot_write_is_left_alone(package: Path) -> None:
    # `__pycache__` a file: no folder can be made there, whoever runs the test (as a
    # read-only install refuses it to a user)
    (package / "__pycache__").write_text("in the way")
    methods = remember(package)
    assert methods is not None
    _cached_class()
    methods.save()  # no error, no file
    assert (package / "__pycache__").read_text() == "in the way"
    assert sorted(p.name for p in package.iterdir()) == ["__init__.py", "__pycache__"]


def test_a_process_making_classes_by_the_thousand_keeps_none(
        package: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dataclass_cache, "MAX_ENTRIES", 10)
    methods = remember(package)
    assert methods is not None
    for n in range(5):  # each class five or six methods: more than ten texts
        dataclasses.make_dataclass(f"Many{n}", [(f"f{n}", int)], frozen=True)
    methods.save()
    path = cache_file(package)
    assert path is not None and not path.exists()


def test_the_command_keeps_its_classes_methods(tmp_path: Path) -> None:
    """`reviewloop` as a user starts it: the first run writes the file (under
    PYTHONPYCACHEPREFIX here, so the checkout is not touched), the next reads every text from
    it and writes nothing."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(tmp_path / "prefix")

    def run() -> None:
        subprocess.run([sys.executable, "-m", "reviewloop", "--help"], env=env, check=True,
                       capture_output=True)

    run()
    found = list((tmp_path / "prefix").rglob("dataclass_methods.*.marshal"))
    assert len(found) == 1
    first = found[0].stat().st_mtime_ns
    assert len(Methods(found[0]).known) > 20
    run()
    assert found[0].stat().st_mtime_ns == first
