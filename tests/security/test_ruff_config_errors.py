"""A trusted ruff config ruff refuses is named with ruff's own reason about the user's file
(the fuzzer's D7): the field or value it refuses, the file's repository path and line, never
reviewloop's layer file. The review quoted the tail of ruff's error (the field and line cut
away) and `/tmp/reviewloop-ruff-chain-…/layer0.toml`.

Explicit variants: a misspelt key, a value of the wrong type, a rule option of the wrong
type, each in the root's `ruff.toml`, a nested `api/ruff.toml`, or the `config/shared.toml`
the root's config extends.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.project_rules import reviewed

SELECT = '[lint]\nselect = ["E", "F", "PL"]\n'
# broken setting → (its text after SELECT, what ruff says of it)
BROKEN = {"typo": ('ignroe = ["E501"]\n', "unknown field `ignroe`"),
          "type": ('ignore = "E501"\n', 'invalid type: string "E501"'),
          "option": ('[lint.pylint]\nmax-args = "five"\n', 'invalid type: string "five"')}
# where → (the broken file, the base's other files, the changed file it governs)
WHERE = {"root": ("ruff.toml", {}, "app.py"),
         "nested": ("api/ruff.toml", {}, "api/app.py"),
         "extended": ("config/shared.toml", {"ruff.toml": 'extend = "config/shared.toml"\n'},
                      "app.py")}
CASES = [(b, w) for b in sorted(BROKEN) for w in sorted(WHERE)]


@pytest.fixture(scope="module")
def reviews(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], dict[str, Any]]:
    done = {}
    for broken, where in CASES:
        config, others, changed = WHERE[where]
        base = {**others, config: SELECT + BROKEN[broken][0]}
        done[(broken, where)] = reviewed(tmp_path_factory.mktemp("badcfg"), base,
                                         {changed: "import os\n"})
    return done


@pytest.mark.parametrize(("broken", "where"), CASES)
def test_ruffs_reason_names_the_users_file_and_line(
        reviews: dict[tuple[str, str], dict[str, Any]], broken: str, where: str) -> None:
    report = reviews[(broken, where)]
    config, _, changed = WHERE[where]
    rows = {r["path"]: r for r in report["health"]["files"]}
    said = " ".join(str(n) for n in rows[changed]["not_read"])
    line = 3 + (broken == "option")
    assert BROKEN[broken][1] in said, said
    assert f"Failed to parse {config}" in said and f"at line {line}" in said, said
    assert "reviewloop-ruff-chain" not in said and "layer0.toml" not in said, said
    assert report["health"]["complete"] is False
