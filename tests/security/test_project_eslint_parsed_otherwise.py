"""A `.js` file the project's own config reads with a parser of its own (typescript-eslint's,
for decorators and type annotations) or through a processor (the code blocks of Markdown, an
HTML page's inline script) does not parse as plain JavaScript, so reviewloop's own rules (its
security rules among them) cannot run on it. It was named "could not parse it", as if the
code had a syntax error, while the project's own `eslint` read it fine (fuzz round 21, D6): it
is now named with the true reason — the project's parser or processor — and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewloop.policy.trust import Trust
from reviewloop.review.evidence import run_for_agent
from tests.support.analyzers import Repo, agent

pytestmark = [pytest.mark.npm]

# an inline parser (no package to install) that reads any text as an empty program
PARSER = """{ meta: { name: "any-text" }, parse: (text) => ({ type: "Program", body: [],
  sourceType: "module", range: [0, text.length], tokens: [], comments: [],
  loc: { start: { line: 1, column: 0 }, end: { line: 1, column: 0 } } }) }"""
# an inline processor that drops the decorator lines before ESLint parses the rest
PROCESSOR = """{ meta: { name: "no-decorators" },
  preprocess: (text) => [text.replace(/^@\\w+$/gm, "")], postprocess: (lists) => lists.flat() }"""
CONFIGS = {"the parser any-text": f"languageOptions: {{ parser: {PARSER} }}",
           "the processor no-decorators": f"processor: {PROCESSOR}"}
CODE = "@sealed\nexport class Runner { run(code) { return eval(code); } }\n"
VIEWS = ("eslint-security", "eslint-maintainability", "eslint-performance")


@pytest.mark.parametrize("reads", CONFIGS)
def test_a_file_only_the_projects_parser_or_processor_reads_is_named_with_that_reason(
        tmp_path: Path, eslint_tools: Path, reads: str) -> None:
    config = f'export default [{{ files: ["**/*.js"], {CONFIGS[reads]} }}];\n'
    repo = Repo(tmp_path / "repo", {"eslint.config.mjs": config,
                                    "package.json": '{"type": "module"}\n'})
    diff = repo.change({"src/runner.js": CODE, "src/broken.js": "export const = ;\n"})

    for view in VIEWS:
        report = run_for_agent(agent(view, (view,)), repo.root, diff, trust=Trust.everything())
        unread = {p: why for h in report.health for p, why in h.unread.items()}
        why = unread["src/runner.js"]
        assert why.startswith("reviewloop's own ESLint rules (its security rules among them) "
                              "could not parse it (line 1: Parsing error"), why
        assert f"while the project's ESLint config reads it with {reads}, " in why
        fix = "TypeScript suffix" if "parser" in reads else "by hand, or move that code"
        assert fix in why
        if "processor" in reads:  # the project's run fails it too: a true syntax error
            assert unread["src/broken.js"].startswith("could not parse it (line 1: Parsing")
        else:  # the project's parser reads anything
            assert unread["src/broken.js"].startswith("reviewloop's own ESLint rules")
