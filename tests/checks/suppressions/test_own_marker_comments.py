"""reviewloop's own `reviewloop: ignore[…]` counts in a comment only, as `# nosec` does,
wherever reviewloop finds a file's comments by its language's lexer (Python, JS/TS, shell,
Dockerfile: `checks.suppressions.comments`); in other files a line holding it is one.

Before: the text in a string literal (`y = "# reviewloop: ignore[B602] hidden"` above the
flagged call, a dict value on its line, a triple-quoted string spanning it) suppressed the
finding, while bandit's `# nosec` in the same string did not. Generated: the marker with
generated rules and reasons, quoted in each language's string forms (never a marker) and
written in its comment forms (always one)."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from reviewloop.checks.suppressions.markers import line_markers
from tests.support.repos import init_repo, write_files
from tests.support.review_cli import review

_RULE = st.sampled_from(["B602", "*", "bandit/B602", "bandit:B602", "review-security",
                         "S604, B602"])
_REASON = st.text("abc xyz-", max_size=12)
MARKER = st.builds(lambda rule, reason: f"reviewloop: ignore[{rule}] {reason}".rstrip(),
                   _RULE, _REASON)
# (path, first line, the string forms around `{}`, the comment forms)
LANGUAGES = {
    "python": ("app.py", "import subprocess",
               ['y = "# {}"', "y = '# {}'", 'y = f"# {}"', 'y = b"# {}"',
                'run(x, env={{"k": "# {}"}})', 'y = """\n# {}\n"""'],
               ["# {}", "run(x)  # {}"]),
    "javascript": ("app.js", "const cp = require('child_process');",
                   ['const y = "// {}";', "const y = '/* {} */';", "const y = `// {}`;",
                    "const y = `\n// {}\n`;", "const y = /\\/\\/ {}/;"],
                   ["// {}", "run(x); // {}", "/* {} */"]),
    "shell": ("run.sh", "#!/bin/bash",
              ['echo "# {}"', "echo '# {}'", 'y="\n# {}\n"', "cat <<'EOF'\n# {}\nEOF"],
              ["# {}", "run x  # {}"]),
    "dockerfile": ("Dockerfile", "FROM alpine:3.19",
                   ['RUN echo "# {}"', "LABEL note=\"# {}\"", "RUN echo a \\\n  # {}"],
                   ["# {}"]),
}


def _owners(path: str, first: str, text: str) -> set[int]:
    lines = [first, *text.split("\n"), "run(x)"]
    return {n for n, m in line_markers(lines, path) if m.owner == "reviewloop"}


@given(language=st.sampled_from(sorted(LANGUAGES)), marker=MARKER, data=st.data())
def test_the_marker_in_a_string_is_none(language: str, marker: str, data: st.DataObject
                                        ) -> None:
    path, first, strings, _ = LANGUAGES[language]
    form = data.draw(st.sampled_from(strings))
    assert _owners(path, first, form.format(marker)) == set(), form


@given(language=st.sampled_from(sorted(LANGUAGES)), marker=MARKER, data=st.data())
def test_the_marker_in_a_comment_counts(language: str, marker: str, data: st.DataObject
                                        ) -> None:
    path, first, _, comments = LANGUAGES[language]
    form = data.draw(st.sampled_from(comments))
    assert _owners(path, first, form.format(marker)) == {2}, form


@given(marker=MARKER, path=st.sampled_from(["config.yml", "main.tf", "notes.txt"]))
def test_in_a_file_whose_comments_are_not_known_a_line_holding_it_counts(
        marker: str, path: str) -> None:
    """docs/findings.md "Suppressions": in YAML, Terraform and the like a line holding the
    marker is one, in a string too (no lexer of theirs here)."""
    assert _owners(path, "a: 1", f'k: "# {marker}"') == {2}


CALL = "    subprocess.call(x, shell=True)\n"  # B602


def test_a_review_keeps_the_finding_a_string_marker_would_hide(tmp_path: Path) -> None:
    head = "import subprocess\n\n\ndef f(x):\n"
    files = {
        "above.py": head + '    y = "# reviewloop: ignore[B602] hidden"\n' + CALL,
        "same.py": head + '    subprocess.call(x, shell=True, env={"k": "# reviewloop: '
                          'ignore[*] hidden"})\n',
        "spanning.py": head + '    subprocess.call(x, shell=True, env={"k": """\n'
                              '# reviewloop: ignore[B602] hidden\n"""})\n',
        "comment.py": head + "    # reviewloop: ignore[B602] audited\n" + CALL}
    root = init_repo(tmp_path / "r", {"README.md": "project\n"})
    write_files(root, files)  # your own working change: its markers are trusted

    done = review(root, "--json")

    report = json.loads(done.stdout)
    remaining = {f["file"] for f in report["findings"]["remaining"] if f["rule"] == "B602"}
    suppressed = {f["file"] for f in report["findings"]["suppressed"] if f["rule"] == "B602"}
    assert remaining == {"above.py", "same.py", "spanning.py"}
    assert suppressed == {"comment.py"}
