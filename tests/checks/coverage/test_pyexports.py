"""Python public API the underscore rule alone misses (`__all__`, public aliases of private
classes and functions, methods set on a class, lambdas) and decorators named like the stubs
it skips over real bodies: a generator composes modules from a library of forms whose truth
each form states, and a real pytest run checks the measured ones as coverage.py sees them."""

from __future__ import annotations

import textwrap
from collections.abc import Callable

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.checks.coverage.check import new_code_coverage
from reviewloop.checks.coverage.newcode import new_public_functions
from reviewloop.checks.coverage.pyexports import ONE_LINE_LAMBDA
from reviewloop.checks.gates.commands import ProjectTests
from reviewloop.git.diff import parse_diff
from tests.support.analyzers import Repo

# A form: name → (its source, the functions it adds: (qualname, not checked?) in order,
# the private names it asks `__all__` to export).
Form = Callable[[str], tuple[str, list[tuple[str, bool]], list[str]]]

FORMS: dict[str, Form] = {
    "def": lambda n: (f"def {n}(v):\n    return v\n", [(n, False)], []),
    "private def": lambda n: (f"def _{n}(v):\n    return v\n", [], []),
    "exported private def": lambda n: (f"def _{n}(v):\n    return v\n", [(f"_{n}", False)],
                                       [f"_{n}"]),
    "one-line lambda": lambda n: (f"{n} = lambda v: v * 2\n", [(n, True)], []),
    "annotated lambda": lambda n: (f"{n}: object = lambda v: v\n", [(n, True)], []),
    "multi-line lambda": lambda n: (f"{n} = (\n    lambda v:\n    v * 2\n)\n", [(n, False)], []),
    "private lambda": lambda n: (f"_{n} = lambda v: v\n", [], []),
    "class lambda": lambda n: (f"class {n}:\n    f = lambda self: 1\n", [(f"{n}.f", True)], []),
    "lambda set on a class": lambda n: (f"class {n}:\n    pass\n\n\n{n}.g = lambda self: 2\n",
                                        [(f"{n}.g", True)], []),
    "aliased private class": lambda n: (f"class _{n}:\n    def run(self):\n        return 1\n"
                                        f"\n\n{n} = _{n}\n", [(f"_{n}.run", False)], []),
    "private class": lambda n: (f"class _{n}:\n    def run(self):\n        return 1\n", [], []),
    "exported private class": lambda n: (f"class _{n}:\n    def run(self):\n        return 1\n",
                                         [(f"_{n}.run", False)], [f"_{n}"]),
    "method set on a class": lambda n: (f"class {n}:\n    pass\n\n\ndef _{n}_impl(self):\n"
                                        f"    return 1\n\n\n{n}.run = _{n}_impl\n",
                                        [(f"_{n}_impl", False)], []),
    "public alias of a private def": lambda n: (f"def _{n}(v):\n    return v\n\n\n"
                                                f"api_{n} = _{n}\n", [(f"_{n}", False)], []),
    "typing overload stub": lambda n: (f"@typing.overload\ndef {n}(v: int) -> int: ...\n", [],
                                       []),
    "own decorator named overload": lambda n: (f"@helpers.overload\ndef {n}(v):\n"
                                               "    return v * 2\n", [(n, False)], []),
    "abstract stub": lambda n: (f"class {n}:\n    @abstractmethod\n    def run(self):\n"
                                '        """Docs."""\n        raise NotImplementedError\n',
                                [], []),
    "abstract method with a body": lambda n: (f"class {n}:\n    @abc.abstractmethod\n"
                                              "    def run(self):\n        return 1\n",
                                              [(f"{n}.run", False)], []),
}
ALL_FORMS = ("__all__ = [{names}]\n", "__all__ = ['x']\n__all__ += ({names},)\n",
             "__all__ = []\n__all__.extend([{names}])\n")


@st.composite
def modules(draw: st.DrawFn) -> tuple[str, list[tuple[str, bool]]]:
    """(a module composed of forms, the public functions it holds in source order)."""
    chosen = draw(st.lists(st.sampled_from(sorted(FORMS)), min_size=1, max_size=6))
    parts, expected, exported = ["import abc\nimport typing\n"], [], []
    for number, form in enumerate(chosen):
        source, functions, names = FORMS[form](f"f{number}")
        parts.append(source)
        expected += functions
        exported += names
    if exported:
        parts.append(draw(st.sampled_from(ALL_FORMS)).format(
            names=", ".join(repr(n) for n in exported)))
    return "\n\n".join(parts), expected


@settings(max_examples=300, deadline=None)
@given(modules())
def test_each_form_is_found_as_public_or_not_and_checked_or_not(module):
    source, expected = module
    lines = range(1, source.count("\n") + 2)

    found = new_public_functions("mod.py", source, lines)

    assert [(f.qualname, f.not_checked is not None) for f in found] == expected, source
    assert all(f.not_checked in (None, ONE_LINE_LAMBDA) for f in found)


MODULE = textwrap.dedent('''
    __all__ = ["_exported", "twice", "once", "K"]


    def _exported(v):
        return v


    class _K:
        def run(self):
            return 1


    K = _K


    class C:
        pass


    def _impl(self):
        return 2


    C.run = _impl

    twice = (
        lambda v:
        v * 2
    )
    once = lambda v: v
''').lstrip()
TEST = ("from mod import K, twice\n\n\ndef test_some():\n"
        "    assert K().run() == 1 and twice(2) == 4\n")


def test_exported_forms_are_measured_as_coverage_py_sees_them(tmp_path):
    repo = Repo(tmp_path, {"pyproject.toml": '[tool.pytest.ini_options]\npythonpath = ["."]\n',
                           "tests/test_none.py": "def test_nothing():\n    assert True\n"})
    diff = repo.change({"mod.py": MODULE, "tests/test_mod.py": TEST})

    check = new_code_coverage(repo.root, parse_diff(diff), ProjectTests())

    assert check.checked
    assert [f.qualname for f in check.functions] == ["_exported", "_K.run", "_impl", "twice",
                                                     "once"]
    assert [f.qualname for f in check.untested] == ["_exported", "_impl"]
    assert check.notes == (f"python: 1 function(s) not checked (mod.py: once): "
                           f"{ONE_LINE_LAMBDA}",)
