"""`bandit_config`: bandit's defaults as the installed bandit has them, joined only wider."""

from __future__ import annotations

import importlib

from bandit.core import extension_loader

from reviewloop.checks.analyzers.bandit_config import WIDENING, _widened


def test_the_defaults_are_bandits() -> None:
    defaults = {}
    for plugin in extension_loader.MANAGER.plugins:
        name = getattr(plugin.plugin, "_takes_config", None)
        if name in WIDENING:
            defaults[name] = importlib.import_module(plugin.plugin.__module__).gen_config(name)
    assert defaults == WIDENING


def test_a_setting_only_widens() -> None:
    assert _widened(["/tmp"], ["/data"]) == ["/tmp", "/data"]
    assert _widened(False, True) is True and _widened(True, False) is True
    assert _widened(2048, 4096) == 4096 and _widened(2048, 512) == 2048
    assert _widened(2048, True) == 2048 and _widened(["/tmp"], "/data") == ["/tmp"]
