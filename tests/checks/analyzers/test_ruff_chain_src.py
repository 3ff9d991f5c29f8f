"""The project's run, with its chain written to a scratch folder (`ruff_chain.written`), finds
the project's first-party modules where ruff does: `src` from the folder of the config that
sets it, ruff's default `[".", "src"]` from the governing config's folder. From the scratch
folder, `import mypkg` read as a third-party module and isort's I001 was lost.

Generated: a fixed product of where the package lives, which config (if any) sets `src`,
and whether the nested config extends the root's; oracle: plain `ruff check` on the file."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

from tests.support.ruff_chain import chain_config, ruff_report

PACKAGES = ("mypkg", "api/mypkg", "api/src/mypkg", "src/mypkg", "lib/mypkg")
SRC = ("", 'src = ["lib"]\n', 'src = ["."]\n')  # set by no config, in the root's, or nested's
WHERE = ("root", "nested")
CODE = "import mypkg\nimport requests\n"  # I001 only when mypkg is first-party


def _codes(root: Path, *arguments: str) -> set[str]:
    return {f["code"] for f in ruff_report(root, *arguments)}


def test_first_party_modules_are_found_where_ruff_finds_them(tmp_path: Path) -> None:
    wrong = []
    for n, (package, src, where) in enumerate(itertools.product(PACKAGES, SRC, WHERE)):
        root = Path(os.path.realpath(tmp_path)) / str(n)
        (root / package).mkdir(parents=True)
        (root / "api").mkdir(exist_ok=True)
        (root / package / "__init__.py").write_text("")
        (root / "ruff.toml").write_text(("" if where == "nested" else src) +
                                        '[lint]\nselect = ["I"]\n')
        (root / "api" / "ruff.toml").write_text('extend = "../ruff.toml"\n' +
                                                (src if where == "nested" else ""))
        (root / "api" / "x.py").write_text(CODE)
        config = chain_config(root, "api/x.py", tmp_path / f"scratch{n}")
        plain = _codes(root, "api/x.py")
        ours = _codes(root, "--config", str(config), str(root / "api" / "x.py"))
        if plain != ours:
            wrong.append((package, src, where, plain, ours))
    assert not wrong, wrong
