"""Third-party extensions: the entry-point groups reviewloop reads, each loaded once, lazily.

A package adds to a registry the way llm and pytest plugins do, by declaring an entry point
in one of `GROUPS` (see docs/plugins.md); the registry that owns the group asks `load` for
its objects the first time it is used, never at import. A plugin that fails to import, or
gives something its group does not take, stops the command with exit 2 and names the
package to fix or uninstall: a half-loaded registry would silently review less.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from importlib.metadata import EntryPoint, EntryPoints, entry_points
from typing import Generic, Protocol, TypeVar

from reviewloop.errors import PluginError, ReviewloopError
from reviewloop.memo import shared_cache

ANALYZERS = "reviewloop.analyzers"
FORMATS = "reviewloop.formats"
LAND_MODES = "reviewloop.land_modes"
IMPLEMENTERS = "reviewloop.implementers"
GROUPS = (ANALYZERS, FORMATS, LAND_MODES, IMPLEMENTERS)

T = TypeVar("T")
R = TypeVar("R")


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
    if isinstance(exc, SystemExit):
        code = exc.code
        text = said(exc, lambda _: f"it called sys.exit({code!r})")
        return text if text is not None else "SystemExit (its message could not be read)"
    text = said(exc)
    if text is None:
        return f"{type(exc).__name__} (its message could not be read)"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def said(exc: BaseException, say: Callable[[BaseException], str] = str) -> str | None:
    """`say(exc)` (its message) as a plain str, or None when that runs plugin code that
    fails: its `__str__` (or a sys.exit code's `__repr__`) raising, exiting, or giving no
    str. Ctrl-C while it runs is ours, raised again."""
    try:
        return str.__str__(say(exc))
    except KeyboardInterrupt:
        raise
    except BaseException:  # noqa: BLE001 - plugin code (its __str__, even a sys.exit there)
        return None


def forget() -> None:
    """Read the installed packages afresh at the next `load` (a test installs a plugin)."""
    declared.cache_clear()
    load.cache_clear()


def objects(group: str, kind: type[T] | Callable[[object], bool], what: str
            ) -> dict[str, tuple[T, str]]:
    """`{name: (object, distribution)}` of `group`, each checked to be `kind` (a class, or a
    predicate for a Protocol); `what` names the kind in the error. Two plugins of one name
    (or of names that differ only by case) stop the command naming both packages: one
    would silently replace the other."""
    checked: dict[str, tuple[T, str]] = {}
    seen: dict[str, Plugin] = {}
    for plugin in load(group):
        other = seen.setdefault(same(plugin.name), plugin)
        if other is not plugin:
            raise PluginError(
                f'the plugins "{other.name}" of {other.distribution} and "{plugin.name}" of '
                f"{plugin.distribution} ({group}) have one name",
                where=f"entry points {other.name} in {other.distribution}, {plugin.name} in "
                      f"{plugin.distribution}",
                fix=f"pip uninstall {plugin.distribution} (or {other.distribution}), or ask "
                    "their authors to rename one")
        try:  # a predicate reads its attributes: a property is plugin code
            ok = isinstance(plugin.value, kind) if isinstance(kind, type) \
                else kind(plugin.value)
            got = type(plugin.value).__name__
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # noqa: BLE001 - plugin code, as in `Boundary.call`
            ok, got = False, f"{type(plugin.value).__name__}, and reading it raised " \
                             f"{raised(exc)}"
        if not ok:
            raise PluginError(
                f'the plugin "{plugin.name}" ({group}) of {plugin.distribution} is not a '
                f"valid {what} (got {got})",
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
           what: str, reserved: Collection[str] = ()) -> dict[str, T]:
    """The built-ins, then the plugins of `group`; a plugin may add a name, never take one a
    built-in has (which would change what a user's configuration means without a word), nor
    one of `reserved`: a built-in served outside the registry (`report`'s `html` page).
    Replacing a built-in is refused, never done: its package is told to use a name of its
    own, which users then choose."""
    added = objects(group, kind, what)
    taken = {same(name): name for name in (*builtins, *reserved)}
    for name, (_, dist) in added.items():
        if same(name) in taken:
            raise PluginError(f'the plugin "{name}" ({group}) of {dist} has the name of a '
                              f'built-in {what} ("{taken[same(name)]}") of reviewloop; a '
                              "plugin cannot replace a built-in",
                              where=f"entry point {name} in {dist}",
                              fix=f"pip uninstall {dist}, or ask its authors to declare it "
                                  "under a name of its own (then choose it by that name)")
    return {**builtins, **{name: value for name, (value, _) in added.items()}}


def same(name: str) -> str:
    """The name two plugins must not share: `JSON` beside `json` is one name to a user."""
    return name.casefold()


@dataclass(frozen=True)
class Wrong:
    """What a plugin's call gave that its group does not take, said in its error."""

    why: str


def flag(value: object) -> bool | Wrong:
    """A plugin's answer that must be True or False (a land mode's `needs_remote`, an
    implementer's `uses_model`), checked for `Boundary.call`."""
    return value if isinstance(value, bool) else \
        Wrong(f"gave {type(value).__name__}, not True or False")


@dataclass(frozen=True)
class Boundary(Generic[T]):
    """Where reviewloop calls one plugin's code (a format's render, a land mode's `land`, an
    implementer's `implement`): whatever that code raises — sys.exit() and GeneratorExit
    too, anything but Ctrl-C — or gives that its group does not take is its package's
    error, exit 2, naming the plugin, the package and `pip uninstall`: never a reviewloop
    bug report (exit 3), never reviewloop's own exit code. reviewloop's own errors (missing
    credentials, a full disk), raised by reviewloop code the plugin called, stay ours, with
    their own fix."""

    value: T  # the plugin's object
    name: str
    distribution: str
    what: str  # "output format", "land mode", "implementer"

    def call(self, run: Callable[[T], object], take: Callable[[object], R | Wrong],
             after: str = "") -> R:
        """`take(run(plugin))` inside the boundary; `take` checks (and copies to a plain
        type) what the plugin gave. `after` ends the fix (what stays, what to do next)."""
        try:
            got = take(run(self.value))
        except (KeyboardInterrupt, ReviewloopError):  # Ctrl-C (SIGTERM, SIGHUP) while it
            raise  # runs, or reviewloop's own error from reviewloop code it called: ours
        except BaseException as exc:  # the plugin's code: anything
            raise self.error(f"failed: {raised(exc)}", after) from exc
        if isinstance(got, Wrong):
            raise self.error(got.why, after)
        return got

    def error(self, why: str, after: str = "") -> PluginError:
        return blamed(self.what, self.name, self.distribution, why, after)


def blamed(what: str, name: str, distribution: str, why: str, after: str = "") -> PluginError:
    """The error of the plugin `name` (a `what`) of the package `distribution`: `why`, its
    package and the fix; `after` ends the fix. `Boundary` raises it; an analyzer's failed
    row says it (`checks.analyzers.failure`)."""
    return PluginError(f'the {what} "{name}" of {distribution} {why}',
                       where=f"entry point {name} in {distribution}",
                       fix=f"pip uninstall {distribution}, or upgrade it to a version made "
                           f"for this reviewloop{after}")


def guarded(builtins: dict[str, T], group: str, kind: type[T] | Callable[[object], bool],
            what: str, wrap: Callable[[Boundary[T]], T], reserved: Collection[str] = ()
            ) -> dict[str, T]:
    """`extend`, each plugin's object behind its `Boundary` (`wrap` makes the object of the
    registry's own kind that calls the plugin through it)."""
    extend(builtins, group, kind, what, reserved)  # the names checked
    short = what.partition(" (")[0]  # "land mode (an object with …)": "land mode"
    return {**builtins, **{name: wrap(Boundary(value, name, dist, short))
                           for name, (value, dist) in objects(group, kind, what).items()}}
