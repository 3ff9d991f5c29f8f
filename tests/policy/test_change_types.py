"""Change types: the names people write, and recognising each in a real diff."""

from __future__ import annotations

import pytest

from reviewloop.git.diff import parse_diff
from reviewloop.policy import globs
from reviewloop.policy.change_types import TYPES, detect, known


def added_file(path: str, *lines: str) -> str:
    body = "".join(f"+{line}\n" for line in lines)
    return (f"diff --git a/{path} b/{path}\nnew file mode 100644\n--- /dev/null\n"
            f"+++ b/{path}\n@@ -0,0 +1,{len(lines)} @@\n{body}")


@pytest.mark.parametrize("written, name", [
    ("database schema", "database_schema"), ("Database-Schema", "database_schema"),
    ("db_schema", "database_schema"), ("CI/CD pipeline", "ci_cd_pipeline"),
    ("cicd", "ci_cd_pipeline"), ("securityConfig", "security_config"),
    ("env vars", "environment_variables"), ("iac", "infrastructure"),
])
def test_written_names_map_to_the_canonical_type(written: str, name: str) -> None:
    assert known(written) == name


def test_an_unknown_name_is_none() -> None:
    assert known("vibes") is None


@pytest.mark.parametrize("path, name", [
    ("db/migrations/0002_add.py", "database_schema"), ("schema.sql", "database_schema"),
    (".github/workflows/ci.yml", "ci_cd_pipeline"), ("Jenkinsfile", "ci_cd_pipeline"),
    ("deploy/iam-role.json", "security_config"), (".github/CODEOWNERS", "security_config"),
    ("config/.env.production", "environment_variables"), ("package.json", "dependencies"),
    ("infra/main.tf", "infrastructure"),
])
def test_a_type_is_recognised_by_path(path: str, name: str) -> None:
    changes = parse_diff(added_file(path, "x"))
    assert detect([name], changes) == [(name, f"{path} (matches "
                                        f"{_pattern(name, path)})")]


@pytest.mark.parametrize("line, name", [
    ('cursor.execute("ALTER TABLE todo ADD COLUMN due DATE")', "database_schema"),
    ("    op.add_column('todo', sa.Column('due'))", "database_schema"),
    ('TOKEN = os.environ["API_TOKEN"]', "environment_variables"),
    ("const url = process.env.API_URL;", "environment_variables"),
    ("requests.get(url, verify=False)", "security_config"),
])
def test_a_type_is_recognised_by_an_added_line(line: str, name: str) -> None:
    changes = parse_diff(added_file("app/service.py", "import os", line))
    assert detect([name], changes) == [(name, f"app/service.py:2 adds {line.strip()[:60]!r}")]


def test_an_ordinary_change_is_none_of_them() -> None:
    changes = parse_diff(added_file("src/app.py", "def add(a, b):", "    return a + b"))
    assert detect([t.name for t in TYPES], changes) == []


def _pattern(name: str, path: str) -> str:
    kind = next(t for t in TYPES if t.name == name)
    return next(p for p in kind.paths if globs.matches(p, path, ignore_case=True))
