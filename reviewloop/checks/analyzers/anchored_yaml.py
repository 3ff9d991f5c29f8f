"""A hook config's YAML read as its own tool reads it: pre-commit (`yaml.load` with PyYAML's
safe loader) and lint-staged (the `yaml` package) expand anchors and aliases (`x-common:
&common` merged into a hook with `<<: *common`, common in pre-commit configs), where
reviewloop's own files refuse them (`config.load_yaml`).

An alias is a reference, not a copy, so what costs is what a reader walks: the nodes each
alias stands for are counted, and a document whose aliases stand for more than `BUDGET` nodes
(a few hundred bytes of nested aliases, a "billion laughs") is refused with `EXPANDS`, which
its callers name as not read, never as a config that names nothing.
"""

from __future__ import annotations

from functools import cache
from typing import Any

BUDGET = 100_000  # the nodes the aliases of one document may stand for
REFUSED = ("{path} repeats its anchors (`*alias`) into more than 100,000 values, which "
           "reviewloop does not expand: the config it names for {tool} was not read, the "
           "project's rules were not run; fix: write the repeated values out")


class Expands:
    """What `load` gives for a document whose aliases stand for more than `BUDGET` nodes."""

    def __repr__(self) -> str:
        return "EXPANDS"


EXPANDS = Expands()


def load(text: str | None) -> object:
    """The YAML (or JSON) document `text` holds, its aliases expanded; None for no text or
    one that does not parse, `EXPANDS` for one whose aliases stand for too much."""
    if text is None:
        return None
    from yaml import YAMLError

    loader = _loader()(text)
    try:
        return loader.get_single_data()
    except (YAMLError, RecursionError):
        return EXPANDS if loader.over else None
    finally:
        loader.dispose()


@cache
def _loader() -> Any:
    """PyYAML's safe loader (no objects), counting what each alias stands for."""
    import yaml
    from yaml.composer import ComposerError

    class Budgeted(yaml.SafeLoader):
        def __init__(self, stream: str) -> None:
            super().__init__(stream)
            self.left = BUDGET
            self.sizes: dict[int, int] = {}
            self.over = False

        def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
            if self.check_event(yaml.AliasEvent):
                event = self.peek_event()
                node = self.anchors.get(event.anchor)
                self.left -= 0 if node is None else _size(node, self.sizes)
                if self.left < 0:
                    self.over = True
                    raise ComposerError(None, None, "aliases stand for too many values",
                                        event.start_mark)
            return super().compose_node(parent, index)

    return Budgeted


def _size(node: Any, sizes: dict[int, int]) -> int:
    """The nodes `node` stands for, itself included (each node counted once in `sizes`)."""
    if id(node) not in sizes:
        value = node.value
        if isinstance(value, list):
            children = [n for item in value
                        for n in (item if isinstance(item, tuple) else (item,))]
            sizes[id(node)] = 1 + sum(_size(child, sizes) for child in children)
        else:
            sizes[id(node)] = 1
    return sizes[id(node)]
