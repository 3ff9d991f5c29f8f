"""A rule a file's own trusted comment switches on (`/* eslint no-console: "error" */`) is run
by the project's run, as plain `eslint .` runs it. Before, that run had inline configuration
off (which `eslint-disable` comments count is reviewloop's to decide), so a change breaking a
rule the file itself asked for was silent and complete (fuzz round 11, D16).

Generated: a rule (severity only; with options; a core rule's options in place of the
config's) × the comment's form (one line, a justification, spanning lines), each in its own
file of one repository, every file one twin: the comment the base has; the comment the
change writes (it may replace the project's options with its own: never run); a later
trusted comment switching the rule off (ESLint ignores it: a rule's first comment counts).
Plain `eslint .` at the head is the oracle, with the comments the change writes blanked: they
are never run."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from tests.support.gitutil import git
from tests.support.plain_eslint import plain_eslint, rule_hits
from tests.support.repos import init_repo, write_files
from tests.support.review_cli import reviewed_in

pytestmark = [pytest.mark.npm, pytest.mark.timeout(600)]

CONFIG = 'export default [{ files: ["**/*.js"], rules: { eqeqeq: "error" } }];\n'
# rule → (its comment config, the code the change adds that breaks it, or not)
RULES = {
    "no-console": ('no-console: "error"', "  console.log(sql);\n"),
    "no-restricted-syntax": ("no-restricted-syntax: [2, \"CallExpression[callee.property."
                             "name='exec']\"]", "  db.exec(sql);\n"),
    "no-restricted-imports": ('"no-restricted-imports": ["warn", "node:child_process"]',
                              ""),
    # the file's options in place of the config's: `== null` is allowed ("smart")
    "eqeqeq": ('eqeqeq: ["error", "smart"]', "  if (sql == null) return 0;\n  if (sql == 1) "
                                              "return 1;\n"),
}
IMPORT = 'import { exec } from "node:child_process";\n'
FORMS = {"line": "/* eslint {config} */\n", "justified": "/* eslint {config} -- why */\n",
         "spanning": "/*\n  eslint {config}\n*/\n"}
TWINS = ("trusted", "written by the change", "switched off")
BODY = "export function run(db, sql) {{\n{code}  return db.query(sql);\n}}\n"


def _variants() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """(base files, head files, the head's files with the comments the change writes blanked:
    plain `eslint .` on those is the oracle for them)."""
    base: dict[str, str] = {}
    head: dict[str, str] = {}
    untrusted: dict[str, str] = {}
    for n, (rule, form) in enumerate(itertools.product(RULES, FORMS)):
        twin = TWINS[(n + n // len(FORMS)) % len(TWINS)]  # each twin in each form
        config, code = RULES[rule]
        comment = FORMS[form].format(config=config)
        if twin == "switched off":
            comment += f"/* eslint {config.split(':')[0]}: \"off\" */\n"
        name = f"src/v{n}.js"
        imports = IMPORT if rule == "no-restricted-imports" else ""
        base[name] = ("" if twin == "written by the change" else comment) + BODY.format(code="")
        head[name] = comment + imports + BODY.format(code=code)
        if twin == "written by the change":
            untrusted[name] = "\n" * comment.count("\n") + imports + BODY.format(code=code)
    return base, head, untrusted


def test_the_rules_a_trusted_comment_switches_on_are_run(tmp_path: Path,
                                                          eslint_tools: Path) -> None:
    base, head, untrusted = _variants()
    root = init_repo(tmp_path / "r", {"package.json": '{"name": "x", "type": "module"}\n',
                                      "eslint.config.js": CONFIG, **base})
    git(root, "checkout", "-qb", "feature")
    write_files(root, untrusted)
    blanked = {hit for hit in rule_hits(plain_eslint(root)) if hit[0] in untrusted}
    write_files(root, head)
    plain = {hit for hit in rule_hits(plain_eslint(root)) if hit[1] in RULES}
    assert {hit[1] for hit in plain if hit[0] not in untrusted} == set(RULES), plain
    expected = {hit for hit in plain if hit[0] not in untrusted} | {
        hit for hit in blanked if hit[1] in RULES}
    report = reviewed_in(root, "head")
    unread = {row["path"]: row["not_read"] for row in report["health"]["files"]
              if row["not_read"]}
    assert not unread, unread
    reported = {(f["file"], f["rule"], f["start_line"])
                for bucket in ("remaining", "nits", "out_of_scope")
                for f in report["findings"][bucket] if f["rule"] in RULES}
    assert reported == expected, (sorted(reported - expected), sorted(expected - reported))
