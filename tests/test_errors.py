"""The exception tree in reviewloop/errors.py is complete: every exception reviewloop defines
descends from ReviewloopError (so it has an exit code) and is drawn in the module docstring."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import reviewloop
from reviewloop import errors
from reviewloop.errors import ExitCode, ReviewloopError


def _exceptions() -> dict[str, type[BaseException]]:
    found: dict[str, type[BaseException]] = {}
    for info in pkgutil.walk_packages(reviewloop.__path__, "reviewloop."):
        if ".examples" in info.name:
            continue
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if (inspect.isclass(value) and issubclass(value, BaseException)
                    and value.__module__ == module.__name__ and not name.startswith("_")):
                found[f"{info.name}.{name}"] = value
    return found


def test_every_exception_has_an_exit_code_and_is_drawn_in_the_tree():
    exceptions = _exceptions()
    assert len(exceptions) > 10
    tree = errors.__doc__ or ""
    for path, cls in exceptions.items():
        assert issubclass(cls, ReviewloopError), f"{path} is not a ReviewloopError"
        assert isinstance(cls.exit_code, ExitCode)
        assert f" {cls.__name__} " in tree, f"{path} is not drawn in reviewloop/errors.py"


def test_an_empty_review_is_a_result_not_an_error():
    from reviewloop.runs.review import NothingToReview

    assert not issubclass(NothingToReview, BaseException)
