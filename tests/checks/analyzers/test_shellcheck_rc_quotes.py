"""The checks a `.shellcheckrc` enables are the ones plain shellcheck 0.11 enables with it.
Before, `enable="require-variable-braces"` (shellcheck takes a quoted value) was passed on as
`--enable="require-variable-braces"`, a name shellcheck does not know: SC2250 was lost.

Generated: a fixed product of the checks × how the line writes them (plain, quoted, a list,
a trailing comment, leading blanks). The oracle is plain shellcheck with the rc against
reviewloop's reading of it given to `shellcheck --norc`."""

from __future__ import annotations

import itertools
import subprocess
from pathlib import Path

import pytest

from reviewloop.checks.analyzers.provision import TOOLS
from reviewloop.checks.analyzers.shellcheck_rc import parse
from tests.support.js_tools import shellcheck_tools as shellcheck_tools  # the fixture

SCRIPT = "#!/bin/sh\necho $1\nwhich ls\nx=$(cat `ls`)\necho \"$x\"\n"
CHECKS = ("require-variable-braces", "deprecate-which", "require-variable-braces,deprecate-which")
FORMS = ("enable={}", 'enable="{}"', "enable={} # note", '  enable="{}"\t', "enable={}\n# end")


def _codes(binary: Path, folder: Path, *args: str) -> set[str]:
    done = subprocess.run([binary, "-f", "gcc", *args, "run.sh"], cwd=folder,
                          capture_output=True, text=True, check=False, env={"HOME": str(folder)})
    return {line.rsplit("[", 1)[-1] for line in done.stdout.splitlines()}


@pytest.mark.pypi
def test_the_review_enables_what_plain_shellcheck_enables(shellcheck_tools: Path,
                                                          tmp_path: Path) -> None:
    binary = shellcheck_tools / TOOLS["shellcheck"].folder / "bin" / "shellcheck"
    wrong = []
    for at, (checks, form) in enumerate(itertools.product(CHECKS, FORMS)):
        folder = tmp_path / str(at)
        folder.mkdir()
        rc = form.format(checks) + "\n"
        (folder / ".shellcheckrc").write_text(rc)
        (folder / "run.sh").write_text(SCRIPT)
        enabled = parse(rc)
        assert enabled is not None, rc
        plain, review = _codes(binary, folder), _codes(binary, folder, "--norc",
                                                       enabled.argument())
        if plain != review:
            wrong.append((rc, plain, review))
    assert not wrong, wrong
