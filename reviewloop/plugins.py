"""Third-party extensions: the entry-point groups reviewloop reads, each loaded once, lazily.

A package adds to a registry the way llm and pytest plugins do, by declaring an entry point
in one of `GROUPS` (see docs/plugins.md); the registry that owns the group asks `load` for
its objects the first time it is used, never at import. A plugin that fails to import, or
gives something its group does not take, stops the command with exit 2 and names the
package to fix or uninstall: a half-loaded registry would silently review less.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import EntryPoint, EntryPoints, entry_points
from typing import Protocol, TypeVar

from reviewloop.errors import PluginError
from reviewloop.memo import shared_cache

ANALYZERS = "reviewloop.analyzers"
FORMATS = "reviewloop.formats"
LAND_MODES = "reviewloop.land_modes"
IMPLEMENTERS = "reviewloop.implementers"
GROUPS = (ANALYZERS, FORMATS, LAND_MODES, IMPLEMENTERS)

T = TypeVar("T")


class Declared(Protocol):
    """Entry points of every group (Python 3.11 holds them by group, later ones in a list)."""

    def select(self, *, group: str) -> EntryPoints: ...


@dataclass(frozen=True)
class Plugin:
    """One loaded entry point: its name, the object it names, and the package it came from."""

    name: str
    value: object
    distribution: str


@shared_cache  # one read of every installed package's metadata serves every group
def declared() -> Declared:
    """The entry points every installed package declares, of any group."""
    return entry_points()


@shared_cache  # asked by the analyzers of every reviewer at once: loaded once
def load(group: str) -> tuple[Plugin, ...]:
    """Every entry point of `group`, imported (once per process), by name."""
    found = []
    for point in sorted(declared().select(group=group), key=lambda p: p.name):
        try:
            value = point.load()
        # a plugin's import may raise anything, sys.exit() too (which would end reviewloop
        # with the plugin's code and no report): it is theirs. Ctrl-C stays Ctrl-C.
        except (Exception, SystemExit) as exc:
            raise _error(point, group, f"failed to import: {raised(exc)}") from exc
        found.append(Plugin(point.name, value, distribution(point)))
    return tuple(found)


def raised(exc: BaseException) -> str:
    """What plugin code raised, for its error: `SystemExit(0)` says it called sys.exit. An
    exception whose own `__str__` fails (raises, or returns no str) is named by its type:
    formatting plugin code's error never runs more of its code out of the boundary."""
    try:
        if isinstance(exc, SystemExit):
            return f"it called sys.exit({exc.code!r})"
        text = str(exc)
    except Exception:  # noqa: BLE001 - plugin code (its __str__), at the plugin boundary
        return f"{type(exc).__name__} (its message could not be read)"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def forget() -> None:
    """Read the installed packages afresh at the next `load` (a test installs a plugin)."""
    declared.cache_clear()
    load.cache_clear()


def objects(group: str, kind: type[T] | Callable[[object], bool], what: str
            ) -> dict[str, tuple[T, str]]:
    """`{name: (object, distribution)}` of `group`, each checked to be `kind` (a class, or a
    predicate for a Protocol); `what` names the kind in the error."""
    checked: dict[str, tuple[T, str]] = {}
    for plugin in load(group):
        ok = isinstance(plugin.value, kind) if isinstance(kind, type) else kind(plugin.value)
        if not ok:
            raise PluginError(
                f'the plugin "{plugin.name}" ({group}) of {plugin.distribution} is not a '
                f"valid {what} (got {type(plugin.value).__name__})",
                where=f"entry point {plugin.name} in {plugin.distribution}",
                fix=f"pip uninstall {plugin.distribution}, or upgrade it to a version made "
                    f"for this reviewloop")
        checked[plugin.name] = (plugin.value, plugin.distribution)  # type: ignore[assignment]
    return checked


def distribution(point: EntryPoint) -> str:
    """The installed package that declares the entry point (its module when unknown)."""
    dist = getattr(point, "dist", None)
    return dist.name if dist is not None else point.value.split(":")[0]


def _error(point: EntryPoint, group: str, why: str) -> PluginError:
    dist = distribution(point)
    return PluginError(f'the plugin "{point.name}" ({group}) of {dist} {why}',
                       where=f"entry point {point.name} = {point.value}",
                       fix=f"pip uninstall {dist}, or upgrade it to a version that imports")


def extend(builtins: dict[str, T], group: str, kind: type[T] | Callable[[object], bool],
           what: str) -> dict[str, T]:
    """The built-ins, then the plugins of `group`; a plugin may add a name, never take one a
    built-in has (which would change what a user's configuration means without a word)."""
    added = objects(group, kind, what)
    for name, (_, dist) in added.items():
        if name in builtins:
            raise PluginError(f'the plugin "{name}" ({group}) of {dist} has the name of a '
                              f"built-in {what}", where=f"entry point {name} in {dist}",
                              fix=f"pip uninstall {dist}, or ask its authors to rename it")
    return {**builtins, **{name: value for name, (value, _) in added.items()}}
