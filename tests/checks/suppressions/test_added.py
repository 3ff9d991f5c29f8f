"""What the untrusted change adds to silence findings becomes a 🟡 `adds-suppression` finding
on its line or file; a trusted change adds none."""

from __future__ import annotations

from pathlib import Path

from reviewloop.checks.suppressions.added import RULE, added_suppressions
from reviewloop.checks.suppressions.files import TrustedFiles
from reviewloop.findings.schema import Severity
from reviewloop.git.repository import open_repository
from reviewloop.policy.trust import Trust
from tests.support.suppression_trust import pr_repo

FILES = {
    "app.py": "import os  # noqa: F401\nrun(x)  # nosec B602\nplain = 1\n",
    "web/app.ts": "// @ts-ignore\nx()\n",
    ".gitleaksignore": "app.py:generic-api-key:3\n",
    "svc/.checkov.yaml": "skip-check: [CKV_AWS_20]\n",
}


def _files(tmp_path: Path, trust: Trust) -> TrustedFiles:
    root = pr_repo(tmp_path / "repo", FILES)
    (root / "svc/.checkov.yaml").unlink()  # the change deleted it: that suppresses nothing
    return TrustedFiles(open_repository(root), root, trust)


def test_each_marker_line_and_suppression_file_of_the_change_is_a_finding(
        tmp_path: Path) -> None:
    trust = Trust(added={"app.py": frozenset({1, 2, 3}), "web/app.ts": frozenset({1, 2}),
                         ".gitleaksignore": frozenset({1})},
                  touched=frozenset({*FILES}))

    found = added_suppressions(_files(tmp_path, trust))

    assert [(f.file, f.start_line, f.level) for f in found] == [
        (".gitleaksignore", 1, "file"), ("app.py", 1, "line"), ("app.py", 2, "line"),
        ("web/app.ts", 1, "line")]
    assert {(f.rule, f.severity, f.source) for f in found} == {
        (RULE, Severity.SHOULD_FIX, "reviewloop")}
    assert found[2].title == "this change suppresses findings: # nosec B602"
    assert "`# nosec B602` (bandit)" in found[2].rationale
    assert "gitleaks reads it" in found[0].rationale


def test_the_same_marker_keeps_its_identity_when_lines_move(tmp_path: Path) -> None:
    files = _files(tmp_path, Trust(added={"app.py": frozenset({2})}))
    (first,) = added_suppressions(files)
    (files.root / "app.py").write_text("# header\n" + FILES["app.py"])
    moved = TrustedFiles(files.repo, files.root, Trust(added={"app.py": frozenset({3})}))
    (second,) = added_suppressions(moved)
    assert second.start_line == 3 and second.fingerprint == first.fingerprint


def test_a_trusted_change_adds_nothing(tmp_path: Path) -> None:
    assert added_suppressions(_files(tmp_path, Trust.everything())) == []


def test_a_package_json_counts_only_when_its_eslint_config_changes(tmp_path: Path) -> None:
    """package.json is no suppression file, but its `eslintConfig` key is ESLint's config:
    a change to that key is reported, a dependency bump is not."""
    root = tmp_path / "repo"
    pr_repo(root, {"a/package.json": '{"dependencies": {"x": "1.0.0"}}\n',
                   "b/package.json": '{"eslintConfig": {"rules": {}}}\n'})
    (root / "a/package.json").write_text('{"dependencies": {"x": "1.0.1"}}\n')
    (root / "b/package.json").write_text('{"eslintConfig": {"ignorePatterns": ["**"]}}\n')
    trust = Trust(added={"a/package.json": frozenset({1}), "b/package.json": frozenset({1})},
                  touched=frozenset({"a/package.json", "b/package.json"}), base="main")

    found = added_suppressions(TrustedFiles(open_repository(root), root, trust))

    assert [(f.file, f.level) for f in found] == [("b/package.json", "file")]
    assert "its eslintConfig table configures eslint" in found[0].rationale


def test_the_markers_of_many_files_are_each_file_s_own(tmp_path: Path) -> None:
    """The added lines of all files are searched together, by language (`_marked`): each
    file still gets the markers its own lines hold in its own language, in line order, and
    a marker of one language is not read in a file of another."""
    files = {
        **{f"pkg/mod_{i}.py": f"x = {i}\nrun(x)  # nosec B60{i}\n" for i in range(3)},
        "web/a.ts": "// @ts-ignore\nx()  # nosec\n",  # `# nosec` is no TypeScript marker
        "tools/run": "#!/usr/bin/env python3\nrun()  # NOQA: E501\n",  # by its shebang
        "pkg/ünï.py": "név = 1  # noqa: F841\nplain = 2\n",  # a line beyond ASCII
        "notes.md": "# noqa\n",
    }
    root = pr_repo(tmp_path / "repo", files)
    trust = Trust(added={path: frozenset({1, 2}) for path in files}, touched=frozenset(files))

    found = added_suppressions(TrustedFiles(open_repository(root), root, trust))

    assert [(f.file, f.start_line, f.title.removeprefix("this change suppresses findings: "))
            for f in found] == [
        ("pkg/mod_0.py", 2, "# nosec B600"), ("pkg/mod_1.py", 2, "# nosec B601"),
        ("pkg/mod_2.py", 2, "# nosec B602"), ("pkg/ünï.py", 1, "# noqa: F841"),
        ("tools/run", 2, "# NOQA: E501"), ("web/a.ts", 1, "@ts-ignore")]
