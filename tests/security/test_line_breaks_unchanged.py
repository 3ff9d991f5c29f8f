"""A line break git does not count, in a part of a changed file the change did not touch,
moves no finding off git's lines. A lone CR in a docstring forty lines above an added
`subprocess.call(x, shell=True)` put bandit's B602 one line below the one git shows, outside
the change, and a U+2028 in a JavaScript comment did the same to ESLint's `no-eval`: the
review passed, complete (the fuzzer's D28). Only the diff's hunks were searched for such
breaks. Now each changed file's whole text is, and the findings of an analyzer that
declares the breaks its tool counts are put on git's lines.

Generated: each file holds, far above the change, any mix of the breaks `str.splitlines`
knows — those its tool counts and those it does not — with a few plain lines between; a
flagged call that was there at the base sits below them (the base run compares it in the
tool's own numbering, so it stays the base's), and the change appends the flagged call at
the end. The finding must be on the exact git line of the appended call."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from tests.support.repos import branch_repo
from tests.support.review_cli import review

pytestmark = pytest.mark.npm

BREAKS = ["\r", "\r\n", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]
FILLER = 40  # lines between the breaks and the change: more than a hunk's context
CONFIG = 'export default [{ files: ["**/*.js"], rules: { "no-eval": "error" } }];\n'
PACKAGE = '{"name": "x", "version": "1.0.0", "type": "module"}\n'
# (the text the breaks go in: before, after; the base's flagged code; the change's)
LANGUAGES = {
    "py": ('import subprocess\n\nDOC = """', '"""\n',
           "\n\ndef twin(cmd):\n    return subprocess.call(cmd, shell=True)\n",
           "\n\ndef run(x):\n    return subprocess.call(x, shell=True)\n"),
    "js": ("/* ", " */\n", "export function twin(c) { return eval(c); }\n",
           "export function run(x) { return eval(x); }\n"),
}
RULES = {"py": {"B602"}, "js": {"no-eval", "security/detect-eval-with-expression"}}

breaks = st.lists(st.tuples(st.sampled_from(BREAKS), st.integers(0, 2)), min_size=1,
                  max_size=5)


def _file(suffix: str, parts: list[tuple[str, int]]) -> tuple[str, str, int]:
    """(base text, head text, the git line of the flagged call the change appends)."""
    before, after, twin, added = LANGUAGES[suffix]
    text = before + "".join(f"a{brk}b" + "\n" * lfs for brk, lfs in parts) + after
    base = text + "".join(f"v{n} = {n}\n" if suffix == "py" else f"export const v{n} = {n};\n"
                          for n in range(FILLER)) + twin
    return base, base + added, base.count("\n") + added.count("\n")


# fewer reviews of more files: each file is asserted on its own, and a review's cost is
# mostly its runs of the tools, not its files (5 reviews of 2-6 files before)
@settings(max_examples=2, deadline=None, derandomize=True,
          phases=[Phase.explicit, Phase.generate],  # a shrink reruns minute-long reviews
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(files=st.lists(st.tuples(st.sampled_from(sorted(LANGUAGES)), breaks), min_size=6,
                      max_size=14))
# a NEL and a group separator ESLint does not count, then lone CRs it does: the base's eval
# was read on the wrong line of the base and shown as the change's (found by the generator)
@example(files=[("js", [("\r\n", 1), ("\x85", 1), ("\x1d", 1), ("\r", 0), ("\r", 0)]),
                ("py", [("\x1d", 2)])])
def test_a_break_above_the_change_moves_no_finding_off_it(
        tmp_path_factory: pytest.TempPathFactory, eslint_tools: Path,
        files: list[tuple[str, list]]) -> None:
    base, head, expected = {"eslint.config.mjs": CONFIG, "package.json": PACKAGE}, {}, {}
    for n, (suffix, parts) in enumerate(files):
        path = f"f{n}.{suffix}"
        base[path], head[path], line = _file(suffix, parts)
        expected[path] = (suffix, line)
    root = branch_repo(tmp_path_factory.mktemp("breaks") / "r", base, head)
    done = review(root, "--base", "main", "--head", "feature", "--json", "--fail-on", "never")
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    assert report["health"]["complete"], report["health"]
    found: dict[str, set[tuple[str, int]]] = {}
    for finding in report["findings"]["remaining"]:
        found.setdefault(finding["file"], set()).add((finding["rule"], finding["start_line"]))
    for path, (suffix, line) in expected.items():
        assert {(rule, line) for rule in RULES[suffix]} & found.get(path, set()), (
            path, line, found.get(path), files)
        # the call the base had is the base's: not shown as the change's, on any line
        assert {r for r, _ in found.get(path, set()) if r in RULES[suffix]} and not any(
            r in RULES[suffix] and n != line for r, n in found[path]), (path, found[path])


def test_a_file_without_odd_breaks_is_read_as_it_is(tmp_path: Path) -> None:
    """The twin with no break at all: the same lines, nothing named, nothing moved."""
    base, head, line = _file("py", [("\n", 0)])
    root = branch_repo(tmp_path / "r", {"a.py": base}, {"a.py": head})
    done = review(root, "--base", "main", "--head", "feature", "--json", "--fail-on", "never")
    report = json.loads(done.stdout)
    assert report["health"]["complete"]
    assert {(f["rule"], f["start_line"]) for f in report["findings"]["remaining"]
            if f["rule"] == "B602"} == {("B602", line)}
