"""`dropped_ignores`: an ESLint config edit is a tightening only when all it does is drop global
ignores patterns. Generated: each way to write a global ignore (an object, a named one,
`globalIgnores()`, quotes) × each edit (an entry dropped, the whole construct dropped, an entry
added, a negation dropped, the rules changed beside the drop, an `ignores` that scopes a
`files` object dropped); the expected answer follows from the edit alone."""

from __future__ import annotations

import itertools

import pytest

from reviewloop.checks.analyzers.eslint_tightening import dropped_ignores

SHAPES = {"object": "{{ ignores: [{}] }}", "named": '{{ name: "skip", ignores: [{}] }}',
          "globalIgnores": "globalIgnores([{}])",
          "scoped": '{{ files: ["**/*.js"], ignores: [{}] }}'}
QUOTES = ('"', "'")
RULES = '{ rules: { "no-eval": "error" } }'


def _config(shape: str, entries: list[str], rules: str = RULES) -> str:
    construct = SHAPES[shape].format(", ".join(entries))
    return f"export default [\n  {construct},\n  {rules}\n];\n"


EDITS = ("entry dropped", "construct dropped", "entry added", "negation dropped",
         "rules changed too")


@pytest.mark.parametrize(("shape", "quote", "edit"),
                         list(itertools.product(SHAPES, QUOTES, EDITS)))
def test_only_dropped_global_ignores_tighten(shape: str, quote: str, edit: str) -> None:
    legacy, gen, keep = (f"{quote}{p}{quote}" for p in ("legacy/**", "gen/**", "!gen/keep.js"))
    trusted = _config(shape, [legacy, gen, keep] if edit == "negation dropped" else [legacy, gen])
    mine = {"entry dropped": _config(shape, [gen]),
            "construct dropped": f"export default [\n  {RULES}\n];\n",
            "entry added": _config(shape, [legacy, gen, f"{quote}new/**{quote}"]),
            "negation dropped": _config(shape, [legacy, gen]),
            "rules changed too": _config(shape, [gen], RULES.replace("error", "off"))}[edit]
    tightens = shape != "scoped" and edit in ("entry dropped", "construct dropped")
    found = dropped_ignores(mine, trusted)
    assert (found is not None) == tightens, (trusted, mine, found)
    if found is not None:
        assert f"no longer ignores {legacy}" in found
