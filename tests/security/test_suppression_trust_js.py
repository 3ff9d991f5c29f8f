"""A pull request cannot suppress its own ESLint or shellcheck findings (issue #26, the class
of issue #22 for the JS/TS and shell analyzers).

One pull request hides an `eval` and a `child_process` call in TypeScript, and an unquoted
`rm -rf` in a script, with every `eslint-disable` form, a comment config, an edited
`eslint.config.js` / `.eslintignore` / `eslintConfig`, a `# shellcheck disable=` and a
`.shellcheckrc`; `reviewloop review --base main --head feature` must give it the same exit
code and open findings as the same pull request without the tricks, and report each trick
line and file. The base's own markers still count, listed as suppressed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.suppression_trust import Review, pr_repo, review

EVAL = "export const run{n} = (s: string) => eval(s);{mark}\n"
MARKS = {  # file: (the line above, the mark on the line)
    "line.ts": ("", " // eslint-disable-line"),
    "line_rule.ts": ("", " /* eslint-disable-line security/detect-eval-with-expression */"),
    "next.ts": ("// eslint-disable-next-line\n", ""),
    "next_rule.ts": ("// eslint-disable-next-line security/detect-eval-with-expression -- ok\n",
                     ""),
    "block.ts": ("/* eslint-disable */\n", ""),
    "block_rule.ts": ("/* eslint-disable security/detect-eval-with-expression */\n", ""),
    "config.ts": ('/* eslint security/detect-eval-with-expression: "off" */\n', ""),
    "star.ts": ("", " // reviewloop: ignore[*] reviewed"),
}
GAGS = {"eslint.config.js": "export default [{ ignores: ['**/*'] }];\n",
        ".eslintignore": "**/*.ts\n", ".shellcheckrc": "disable=all\n"}
SCRIPT = "#!/bin/sh\n{above}rm -rf $1\n"


def _files(tricked: bool) -> dict[str, str]:
    files = {name: (above if tricked else "") + EVAL.format(n=i, mark=mark if tricked else "")
             for i, (name, (above, mark)) in enumerate(MARKS.items())}
    files["clean.sh"] = SCRIPT.format(above="# shellcheck disable=SC2086\n" if tricked else "")
    return {**files, **(GAGS if tricked else {})}


def _verdict(result: Review) -> tuple[int, list[tuple[str, str, str]]]:
    return result.code, sorted((f["file"], f["rule"], f["severity"]) for f in
                               result.remaining() if f["rule"] != "adds-suppression")


@pytest.mark.npm
@pytest.mark.pypi
def test_eslint_and_shellcheck_markers_the_pr_adds_hide_nothing(
        tmp_path: Path, eslint_tools: Path, shellcheck_tools: Path) -> None:
    base = {"package.json": '{"name": "app", "private": true}\n'}
    trick_package = {"package.json": '{"name": "app", "private": true, "eslintConfig": '
                                     '{"ignorePatterns": ["**/*"]}}\n'}

    without = review(pr_repo(tmp_path / "clean", base, _files(tricked=False)))
    tricked = review(pr_repo(tmp_path / "tricked", base, {**_files(True), **trick_package}))

    assert _verdict(tricked) == _verdict(without), tricked.report["findings"]
    assert without.code == 1
    hidden = [f["file"] for f in tricked.remaining("security/detect-eval-with-expression")]
    assert sorted(hidden) == sorted(MARKS)  # every eval still open, whatever the mark
    assert [f["start_line"] for f in tricked.remaining("SC2086")] == [3]
    assert tricked.suppressed() == []
    assert tricked.tricks() == sorted(
        [(name, 1) for name in MARKS] + [("clean.sh", 2), (".eslintignore", 1),
                                         (".shellcheckrc", 1), ("eslint.config.js", 1),
                                         ("package.json", 1)])


@pytest.mark.npm
def test_the_base_s_own_eslint_markers_still_count_and_are_listed(
        tmp_path: Path, eslint_tools: Path) -> None:
    base = {"legacy.ts": "// eslint-disable-next-line security/detect-eval-with-expression\n"
                         "export const old = (s: string) => eval(s);\n"}
    touched = {"legacy.ts": base["legacy.ts"] + "export const more = (s: string) => eval(s);\n"}

    result = review(pr_repo(tmp_path / "repo", base, touched))

    assert [(f["file"], f["start_line"]) for f in
            result.remaining("security/detect-eval-with-expression")] == [("legacy.ts", 3)]
    (listed,) = result.suppressed()
    assert (listed["file"], listed["start_line"]) == ("legacy.ts", 2)


PROJECT_CONFIG = ('export default [{ ignores: ["legacy/**"] }, '
                  '{ rules: { "no-new-func": "off" } }];\n')
WIDER_CONFIG = ('export default [{ ignores: ["**"] }, '
                '{ rules: { "no-new-func": "off", "no-implied-eval": "off" } }];\n')
CODE = {"src/a.js": 'export const f = (s) => new Function(s);\nsetTimeout("tick()", 5);\n',
        "legacy/b.js": "export const g = (s) => eval(s);\n"}


@pytest.mark.npm
def test_the_project_s_eslint_config_counts_as_the_base_has_it(
        tmp_path: Path, eslint_tools: Path) -> None:
    """The base's eslint.config.mjs ignores legacy/ and turns no-new-func off: evaluated in
    the sandbox, it suppresses those (listed); the pull request's wider version of it does
    not count, and once the pull request touches package.json (plugins could change) the
    project's config is not read at all."""
    base = {"eslint.config.mjs": PROJECT_CONFIG, "package.json": '{"name": "app"}\n'}
    widened = review(pr_repo(tmp_path / "widened", base,
                             {**CODE, "eslint.config.mjs": WIDER_CONFIG}))
    repinned = review(pr_repo(tmp_path / "repinned", base,
                              {**CODE, "package.json": '{"name": "app", "version": "2"}\n'}))

    assert [(f["file"], f["rule"]) for f in widened.remaining()
            if f["source"].startswith("eslint")] == [("src/a.js", "no-implied-eval")]
    assert sorted((f["file"], f["rule"], f["suppression"]["where"]) for f in
                  widened.suppressed()) == [
        ("legacy/b.js", "no-eval", "eslint.config.mjs (the project's ESLint config)"),
        ("legacy/b.js", "security/detect-eval-with-expression",
         "eslint.config.mjs (the project's ESLint config)"),
        ("src/a.js", "no-new-func", "eslint.config.mjs (the project's ESLint config)")]
    assert widened.tricks() == [("eslint.config.mjs", 1)]
    assert repinned.suppressed() == []
    assert sorted(f["rule"] for f in repinned.remaining() if f["source"].startswith("eslint")) == [
        "no-eval", "no-implied-eval", "no-new-func", "security/detect-eval-with-expression"]
