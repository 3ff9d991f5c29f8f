"""A changed file of no language that the repository itself runs or loads as one is read by
that language's analyzers (`git.run_by`, `review.evidence`): a shell library a script
sources, a suffix-less script a Makefile, package.json, workflow or Dockerfile runs with an
interpreter, a file JavaScript requires. The same bytes with no caller are no one's code; a
language no analyzer here reads is named with its caller."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.review.evidence import run_for_agent
from tests.support.analyzers import Repo, agent

SHELL_BODY = 'cleanup() {\n  eval "$1"\n  rm -rf $2/*\n}\n'
PYTHON_BODY = "import subprocess\n\n\ndef run(x):\n    return subprocess.call(x, shell=True)\n"
JS_BODY = "module.exports = (req, res) => { res.send(String(eval(req.query.x))); };\n"
# (caller's path, its text) running `{p}` as shell
SHELL_CALLERS = (("run.sh", "#!/bin/sh\n. ./{p}\ncleanup \"$@\"\n"),
                 ("run.sh", '#!/bin/bash\nDIR=$(dirname "$0")\nsource "$DIR"/{p}\n'),
                 ("Makefile", "build:\n\tbash {p}\n"),
                 ("package.json", '{{"scripts": {{"deploy": "sh {p}"}}}}\n'),
                 (".github/workflows/ci.yml",
                  "on: push\njobs:\n  b:\n    runs-on: x\n    steps:\n      - run: bash {p}\n"),
                 ("Dockerfile", "FROM alpine:3.19\nCOPY {p} /setup\nRUN sh /setup\n"),
                 ("ci/run", "#!/bin/sh\n./{p} --all\n"))


@pytest.mark.pypi
@settings(max_examples=7, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(SHELL_CALLERS), st.sampled_from(("lib/helpers", "lib/env.conf")))
def test_a_file_a_shell_runs_is_read_by_shellcheck(shellcheck_tools, caller, target):
    path, text = caller
    with tempfile.TemporaryDirectory() as scratch:
        repo = Repo(Path(scratch), {path: text.format(p=target), target: "x=1\n"})
        diff = repo.change({target: SHELL_BODY})
        report = run_for_agent(agent("a", ("shellcheck-security", "shellcheck")), repo.root,
                               diff)
    found = {(f.file, f.rule) for f in report.findings}
    assert {(target, "SC2086"), (target, "SC2115")} <= found, (caller, found)
    # the caller named the shell: no "add a shebang" on a file run by one
    assert (target, "SC2148") not in found
    assert all(target in h.files and not h.unread for h in report.health), report.health


def test_without_a_caller_the_same_bytes_are_no_shell_script(shellcheck_tools, tmp_path):
    repo = Repo(tmp_path, {"run.sh": "#!/bin/sh\necho lib/helpers\n", "lib/helpers": "x=1\n"})
    diff = repo.change({"lib/helpers": SHELL_BODY})
    report = run_for_agent(agent("a", ("shellcheck-security",)), repo.root, diff)
    assert report.findings == [] and report.health[0].files == ()


@pytest.mark.parametrize("caller", [
    ("Makefile", "migrate:\n\tpython3 {p}\n"),
    ("package.json", '{{"scripts": {{"gen": "poetry run python {p} --all"}}}}\n'),
    ("deploy.sh", "#!/bin/sh\nset -e\nenv PYTHONPATH=. python3 -u {p}\n"),
    ("tools/x", "# vim: ft=python\n")])
def test_a_file_python_runs_is_read_by_bandit_and_ruff(caller, tmp_path):
    path, text = caller
    target = "tools/x" if path == "tools/x" else "scripts/migrate"
    files = {target: "x = 1\n"} if path == "tools/x" else {path: text.format(p=target),
                                                             target: "x = 1\n"}
    repo = Repo(tmp_path, files)
    diff = repo.change({target: text + PYTHON_BODY if path == "tools/x" else PYTHON_BODY})
    report = run_for_agent(agent("a", ("bandit", "ruff-maintainability")), repo.root, diff)
    assert (target, "B602") in {(f.file, f.rule) for f in report.findings}
    assert all(target in h.files and not h.unread for h in report.health), report.health


@pytest.mark.parametrize(("program", "analyzer", "said"), [
    ("zsh", "shellcheck", "a zsh script"), ("python2", "bandit", "Python 2")])
def test_a_language_no_analyzer_reads_is_named_with_its_caller(
        shellcheck_tools, program, analyzer, said, tmp_path):
    repo = Repo(tmp_path, {"Makefile": f"all:\n\t{program} tools/old\n", "tools/old": "x\n"})
    diff = repo.change({"tools/old": "print 'x'\n"})
    report = run_for_agent(agent("a", (analyzer,)), repo.root, diff)
    unread = report.health[0].unread["tools/old"]
    assert said in unread and unread.endswith(f"; run as {program} by Makefile:2"), unread


@pytest.mark.npm
@pytest.mark.parametrize("target", ["lib/handler", "lib/handler.es6"])
def test_a_file_javascript_requires_is_read_by_eslint(eslint_tools, target, tmp_path):
    name = target.removeprefix("lib/")
    repo = Repo(tmp_path, {"lib/server.js": f"const h = require('./{name}');\nmodule.exports"
                                            " = h;\n", target: "module.exports = 1;\n"})
    diff = repo.change({target: JS_BODY})
    report = run_for_agent(agent("a", ("eslint-security",)), repo.root, diff)
    assert (target, "no-eval") in {(f.file, f.rule) for f in report.findings}
    assert target in report.health[0].files and not report.health[0].unread
