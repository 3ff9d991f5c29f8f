"""`reviewloop.cli.memory`: the process's garbage collection, set at the CLI's edge."""

from __future__ import annotations

import gc

import pytest

from reviewloop.cli import app
from reviewloop.cli.memory import THRESHOLDS, tune_collector


@pytest.fixture
def thresholds():
    before = gc.get_threshold()
    yield
    gc.set_threshold(*before)


def test_the_collector_stays_on_and_collects_less_often(thresholds) -> None:
    gc.set_threshold(700, 10, 10)
    tune_collector()
    assert gc.get_threshold() == THRESHOLDS
    assert gc.isenabled()
    assert THRESHOLDS[0] > 700


def test_the_cli_tunes_the_collector_before_any_command(thresholds, capsys) -> None:
    gc.set_threshold(700, 10, 10)
    with pytest.raises(SystemExit) as exit_:
        app.main(["--version"])
    assert exit_.value.code == 0
    assert gc.get_threshold() == THRESHOLDS
