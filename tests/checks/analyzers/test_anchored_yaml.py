"""A pre-commit config (and a YAML lint-staged config) is read as pre-commit reads it: anchors
and aliases expanded (`x-common: &common` merged into a hook with `<<: *common`), where they
had made the ESLint hook's `-c` config (and bandit's, ruff's) silently not read. A document
whose aliases stand for more than the budget is refused and named, never read as no hooks.
PyYAML's plain safe loader, pre-commit's own, is the oracle."""

from __future__ import annotations

from pathlib import Path

import yaml
from hypothesis import given
from hypothesis import strategies as st

from reviewloop.checks.analyzers import anchored_yaml
from reviewloop.checks.analyzers.bandit_config import malformed
from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.analyzers.eslint_named import NamedConfigs
from reviewloop.checks.analyzers.precommit_hooks import hook_config, hook_rev, hooks
from reviewloop.checks.analyzers.ruff_lookup import Lookup
from reviewloop.git.diff import parse_diff

HEAD = "repos:\n- repo: https://github.com/pre-commit/mirrors-eslint\n  rev: v9.0.0\n  hooks:\n"
# where a project puts the anchor: each form's text, with `{args}` the hook's args
FORMS = {
    "merged files": ("x-common: &common\n  files: \\.(js|ts)$\n" + HEAD
                     + "  - id: eslint\n    <<: *common\n    args: {args}\n"),
    "aliased args": ("x-args: &args {args}\n" + HEAD + "  - id: eslint\n    args: *args\n"),
    "aliased exclude": (HEAD + "  - id: prettier\n    exclude: &vendor ^vendor/\n"
                        "  - id: eslint\n    exclude: *vendor\n    args: {args}\n"),
    "merged hook": ("x-hook: &hook\n  id: eslint\n  args: {args}\n" + HEAD
                    + "  - <<: *hook\n    files: \\.js$\n"),
    "aliased repo": ("x-repo: &repo\n  repo: local\n  hooks:\n  - id: eslint\n    args: {args}\n"
                     "repos:\n- *repo\n"),
}
CONFIGS = st.from_regex(r"(tools|ci|config)/eslint\.[a-z]{1,6}\.m?js", fullmatch=True)


@given(st.sampled_from(sorted(FORMS)), CONFIGS, st.sampled_from(["-c", "--config"]))
def test_an_anchored_pre_commit_config_names_the_eslint_hooks_config(
        form: str, config: str, spelling: str) -> None:
    text = FORMS[form].format(args=f"[{spelling}, {config}]")
    assert anchored_yaml.load(text) == yaml.safe_load(text)  # pre-commit's own reading
    found = NamedConfigs({".pre-commit-config.yaml": text}.get).named("src/a.js")
    assert found is not None and (found.config, found.cwd) == (config, "."), found
    assert found.source == ".pre-commit-config.yaml hook `eslint`"


@given(st.sampled_from(sorted(FORMS)), st.sampled_from(["bandit", "ruff"]), CONFIGS)
def test_bandits_and_ruffs_hooks_read_an_anchored_config_too(
        tmp_path_factory: object, form: str, tool: str, config: str) -> None:
    root = Path(str(tmp_path_factory.mktemp("r")))  # type: ignore[attr-defined]
    text = FORMS[form].format(args=f"[-c, {config}]").replace("id: eslint", f"id: {tool}")
    (root / ".pre-commit-config.yaml").write_text(text, encoding="utf-8")
    ctx = AnalyzerContext(root=root, changes=parse_diff(""), diff_text="", agent="a")
    assert hook_config(ctx, frozenset({tool}), ("-c",)) == config
    revs = [h.rev for h in hooks(yaml.safe_load(text)) if h.id == tool]
    assert hook_rev(ctx, frozenset({tool})) == revs[0]


def _laughs(levels: int, width: int) -> str:
    lines = ['a0: &a0 ["lol"]']
    lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * width)}]" for n in range(1, levels)]
    return "\n".join(lines) + "\n" + HEAD + "  - id: eslint\n    args: [-c, x.mjs]\n"


@given(st.integers(7, 12), st.integers(8, 12))
def test_aliases_that_stand_for_too_much_are_refused_and_named_not_read(
        levels: int, width: int) -> None:
    text = _laughs(levels, width)
    assert anchored_yaml.load(text) is anchored_yaml.EXPANDS
    found = NamedConfigs({".pre-commit-config.yaml": text}.get).named("src/a.js")
    assert found is not None and found.problem(lambda _: "") == (
        ".pre-commit-config.yaml repeats its anchors (`*alias`) into more than 100,000 "
        "values, which reviewloop does not expand: the config it names for ESLint was not "
        "read, the project's rules were not run; fix: write the repeated values out")
    staged = NamedConfigs({"web/.lintstagedrc.yaml": text}.get).named("web/a.js")
    assert staged is not None and str(staged.problem(lambda _: "")).startswith(
        "web/.lintstagedrc.yaml repeats its anchors")


@given(st.integers(1, 4), st.integers(1, 6))
def test_aliases_within_the_budget_read_as_pre_commit_reads_them(
        levels: int, width: int) -> None:
    text = _laughs(levels, width)
    assert anchored_yaml.load(text) == yaml.safe_load(text)


def test_a_config_that_does_not_parse_is_none_and_no_text_is_none() -> None:
    assert anchored_yaml.load("a: [b\n") is None
    assert anchored_yaml.load("a: *undefined\n") is None
    assert anchored_yaml.load(None) is None


@given(st.integers(7, 9), st.sampled_from(["bandit", "ruff"]))
def test_bandits_and_ruffs_hooks_in_a_refused_config_are_said_not_read(
        tmp_path_factory: object, levels: int, tool: str) -> None:
    root = Path(str(tmp_path_factory.mktemp("r")))  # type: ignore[attr-defined]
    text = _laughs(levels, 9).replace("id: eslint", f"id: {tool}")
    (root / ".pre-commit-config.yaml").write_text(text, encoding="utf-8")
    ctx = AnalyzerContext(root=root, changes=parse_diff(""), diff_text="", agent="a")
    said = (malformed(ctx) if tool == "bandit" else [Lookup(ctx).of("src/a.py").problem])
    assert said == [anchored_yaml.REFUSED.format(path=".pre-commit-config.yaml", tool=tool)]
    (root / ".pre-commit-config.yaml").write_text(text.replace(tool, "other"), "utf-8")
    assert hook_config(ctx, frozenset({tool}), ("-c",)) is None  # names none: nothing said
    assert (malformed(ctx) if tool == "bandit" else [Lookup(ctx).of("src/a.py")]) in ([], [None])


def test_a_refused_package_yaml_without_lint_staged_is_passed_by() -> None:
    text = _laughs(8, 9).replace("repos:", "name: w\nrepos:")
    assert NamedConfigs({"web/package.yaml": text}.get).named("web/a.js") is None
    staged = NamedConfigs({"web/package.yaml": text + "lint-staged: {}\n"}.get).named("web/a.js")
    assert staged is not None and staged.unread.startswith("web/package.yaml repeats")
