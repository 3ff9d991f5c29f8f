"""Governance policy: defaults, reviewloop's config, .kiro/config.yaml, and the checks."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from reviewloop.config import Commands, Governance, Settings, load_settings
from reviewloop.errors import ConfigError, ExitCode
from reviewloop.policy.approval import approval_reasons
from reviewloop.policy.commands import DEFAULT_ALLOW, DEFAULT_DENY
from reviewloop.policy.governance import (
    DEFAULT_APPROVAL_PATHS,
    Policy,
    command_policy,
    load_policy,
    protected_by,
    sensitive_in,
)
from reviewloop.policy.sensitive import DEFAULT_SENSITIVE
from tests.support.paths import FIXTURES as FIXTURES_ROOT

FIXTURES = FIXTURES_ROOT / "governance"


def kiro(root: Path, text: str) -> Path:
    path = root / ".kiro" / "config.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def kiro_fixture(root: Path, name: str) -> None:
    (root / ".kiro").mkdir()
    shutil.copy(FIXTURES / name, root / ".kiro" / "config.yaml")


def load_error(root: Path, text: str) -> ConfigError:
    kiro(root, text)
    with pytest.raises(ConfigError) as caught:
        load_policy(root, Settings())
    assert caught.value.exit_code == ExitCode.USAGE
    return caught.value


# ---------------------------------------------------------------- loading


def test_defaults_when_nothing_is_configured(tmp_path):
    policy = load_policy(tmp_path, Settings())
    assert policy.sensitive == DEFAULT_SENSITIVE
    assert policy.command_allow == DEFAULT_ALLOW
    assert policy.command_deny == DEFAULT_DENY
    assert (policy.max_files, policy.max_lines) == (20, 800)
    assert policy.approval_paths == DEFAULT_APPROVAL_PATHS
    assert policy.notes == ()
    assert policy.sources == (
        "sensitive files: built-in defaults",
        "trusted commands: built-in defaults",
        "denied commands: built-in defaults",
        "file limit: built-in default",
        "line limit: built-in default",
        "protected paths: built-in defaults",
    )
    assert policy == Policy(sources=policy.sources)


def test_reviewloop_config_replaces_defaults(tmp_path):
    (tmp_path / ".reviewloop.toml").write_text(
        'sensitive = ["*.p12"]\n'
        '[commands]\nallow = ["just"]\ndeny = ["git push"]\n'
        '[governance]\nmax_files = 5\nmax_lines = 100\napproval_paths = ["billing/**"]\n',
        encoding="utf-8",
    )
    policy = load_policy(tmp_path, load_settings(tmp_path, environ={}))
    assert policy.sensitive == ("*.p12",)
    assert policy.command_allow == ("just",)
    assert policy.command_deny == ("git push",)
    assert (policy.max_files, policy.max_lines) == (5, 100)
    assert policy.approval_paths == ("billing/**",)
    assert "file limit: reviewloop config (governance.max_files)" in policy.sources
    assert "sensitive files: reviewloop config (sensitive)" in policy.sources


@pytest.mark.parametrize("name", ["kiro-camel.yaml", "kiro-snake.yaml"])
def test_kiro_lists_are_added_to_the_defaults(tmp_path, name):
    kiro_fixture(tmp_path, name)
    policy = load_policy(tmp_path, Settings())
    assert policy.sensitive == tuple(dict.fromkeys((*DEFAULT_SENSITIVE, "*.p12", *(
        ("config/prod/*",) if name == "kiro-camel.yaml" else ()))))
    assert policy.command_deny == (*DEFAULT_DENY, "terraform apply")
    assert policy.command_allow == (*DEFAULT_ALLOW, "just test")
    assert policy.approval_paths == (*DEFAULT_APPROVAL_PATHS, "billing/**")
    assert policy.max_files == 10


def test_kiro_camel_case_scalars_and_sources(tmp_path):
    kiro_fixture(tmp_path, "kiro-camel.yaml")
    policy = load_policy(tmp_path, Settings())
    assert policy.max_lines == 300
    assert "denied commands: built-in defaults + .kiro/config.yaml (security.deniedCommands)" \
        in policy.sources
    assert "file limit: .kiro/config.yaml (governance.approval.maxFilesChanged)" \
        in policy.sources


def test_kiro_null_limit_means_no_limit(tmp_path):
    kiro_fixture(tmp_path, "kiro-snake.yaml")
    assert load_policy(tmp_path, Settings()).max_lines is None


def test_unknown_kiro_keys_are_ignored_with_a_note(tmp_path):
    kiro_fixture(tmp_path, "kiro-camel.yaml")
    assert load_policy(tmp_path, Settings()).notes == (
        "security.scanOnSave in .kiro/config.yaml is not a reviewloop setting and was ignored",
        "governance.reviewers in .kiro/config.yaml is not a reviewloop setting and was ignored",
        ("governance.approval.requireTicket in .kiro/config.yaml is not a reviewloop setting "
        "and was ignored"),
    )


def test_an_approval_key_one_level_too_high_gets_a_hint(tmp_path):
    kiro(tmp_path, "governance:\n  maxFilesChanged: 3\n")
    policy = load_policy(tmp_path, Settings())
    assert policy.max_files == 20
    assert policy.notes == (
        ("governance.maxFilesChanged in .kiro/config.yaml is not a reviewloop setting and was "
        "ignored; did you mean governance.require_approval.maxFilesChanged?"),
    )


def test_reviewloop_scalars_win_over_kiro_even_at_their_default_value(tmp_path):
    kiro_fixture(tmp_path, "kiro-camel.yaml")
    settings = Settings(governance=Governance(max_files=20))
    policy = load_policy(tmp_path, settings)
    assert policy.max_files == 20  # set explicitly, so Kiro's 10 does not apply
    assert policy.max_lines == 300  # not set in reviewloop's config


def test_kiro_extends_lists_set_in_reviewloop_config(tmp_path):
    kiro_fixture(tmp_path, "kiro-snake.yaml")
    settings = Settings(sensitive=(".env",), commands=Commands(allow=("pytest",), deny=("sudo",)))
    policy = load_policy(tmp_path, settings)
    assert policy.sensitive == (".env", "*.p12")
    assert policy.command_allow == ("pytest", "just test")
    assert policy.command_deny == ("sudo", "terraform apply")


def test_empty_allow_list_stays_open_to_anything_not_denied(tmp_path):
    kiro_fixture(tmp_path, "kiro-snake.yaml")
    policy = load_policy(tmp_path, Settings(commands=Commands(allow=())))
    assert policy.command_allow == ()
    assert command_policy(policy).check("cowsay hi") is None


def test_empty_kiro_file_and_other_sections_change_nothing(tmp_path):
    kiro(tmp_path, "")
    assert load_policy(tmp_path, Settings()).sensitive == DEFAULT_SENSITIVE
    kiro(tmp_path, "specs:\n  dir: .kiro/specs\nsecurity:\n")
    policy = load_policy(tmp_path, Settings())
    assert (policy.sensitive, policy.notes) == (DEFAULT_SENSITIVE, ())


# ---------------------------------------------------------------- errors


def test_malformed_yaml_names_file_line_and_fix(tmp_path):
    error = load_error(tmp_path, 'security:\n  sensitiveFiles: [".env"\ngovernance:\n')
    assert str(error) == (
        ".kiro/config.yaml:3: not valid YAML (expected ',' or ']', but got '<scalar>')\n"
        "  fix: correct the YAML syntax at line 3 of .kiro/config.yaml"
    )


def test_tab_indentation_is_a_yaml_error_on_its_line(tmp_path):
    error = load_error(tmp_path, "security:\n\tsensitiveFiles: []\n")
    assert error.where == ".kiro/config.yaml:2"


def test_wrong_list_type_names_the_key_path(tmp_path):
    error = load_error(tmp_path, "governance: {}\nsecurity:\n  deniedCommands: rm -rf\n")
    assert str(error) == (
        '.kiro/config.yaml:3: key "security.deniedCommands": expected a list of non-empty '
        "strings (got 'rm -rf')\n"
        '  fix: write it as a list, e.g. deniedCommands: ["first", "second"]'
    )


def test_a_protected_path_that_can_never_match_names_the_key_and_the_fix(tmp_path):
    error = load_error(tmp_path, "governance:\n  approval:\n    paths: ['db/[migrations']\n")
    assert str(error).startswith('.kiro/config.yaml:3: key "governance.approval.paths": '
                                 "invalid glob 'db/[migrations': an unclosed [ class")
    assert 'fix: use *, ** and ? wildcards, e.g. "db/migrations/**"' in str(error)


def test_a_reversed_range_is_a_config_error_naming_the_key(tmp_path):
    error = load_error(tmp_path, "governance:\n  approval:\n    paths: ['db/[z-a]*']\n")
    assert str(error).startswith('.kiro/config.yaml:3: key "governance.approval.paths": '
                                 "invalid glob 'db/[z-a]*': a [ ] class that cannot be read")


def test_wrong_number_type_names_the_key_path(tmp_path):
    error = load_error(tmp_path, "governance:\n  approval:\n    max_lines_changed: true\n")
    assert str(error) == (
        '.kiro/config.yaml:3: key "governance.approval.max_lines_changed": expected a whole '
        "number of at least 1, or null (got True)\n"
        "  fix: set max_lines_changed to a number such as 20, or null for no limit"
    )


@pytest.mark.parametrize("text, keypath", [
    ("security: [a]\n", "security"),
    ("governance:\n  approval: 3\n", "governance.approval"),
    ("security:\n  trustedCommands: [pytest, 3]\n", "security.trustedCommands"),
    ("governance:\n  approval:\n    maxFiles: 0\n", "governance.approval.maxFiles"),
])
def test_type_errors_name_the_key_path(tmp_path, text, keypath):
    assert f'key "{keypath}"' in str(load_error(tmp_path, text))


def test_one_setting_spelled_twice_is_an_error(tmp_path):
    error = load_error(tmp_path, "security:\n  sensitiveFiles: [a]\n  sensitive_files: [b]\n")
    assert str(error) == (
        '.kiro/config.yaml:3: key "security.sensitive_files": repeats '
        "security.sensitiveFiles (got ['b'])\n"
        "  fix: keep one of security.sensitiveFiles and security.sensitive_files"
    )


def test_top_level_must_be_a_mapping(tmp_path):
    error = load_error(tmp_path, "- security\n")
    assert str(error) == (
        ".kiro/config.yaml: the top level must be a mapping of sections (got ['security'])\n"
        "  fix: start the file with `security:` or `governance:`"
    )


def test_undecodable_file_is_a_config_error(tmp_path):
    path = kiro(tmp_path, "")
    path.write_bytes(b"security:\n  sensitiveFiles: [\xff]\n")
    with pytest.raises(ConfigError) as caught:
        load_policy(tmp_path, Settings())
    assert caught.value.where == ".kiro/config.yaml"


# ---------------------------------------------------------------- approval reasons


def test_small_ordinary_change_needs_no_approval():
    assert approval_reasons(Policy(), files=["src/app.py", "tests/test_app.py"],
                            added=40, removed=3) == []


def test_too_many_files_and_lines():
    files = [f"src/m{i}.py" for i in range(24)]
    assert approval_reasons(Policy(), files=files, added=900, removed=12) == [
        "24 files changed (limit 20, governance.max_files)",
        "912 lines changed (limit 800, governance.max_lines)",
    ]


def test_limits_are_inclusive_and_can_be_off():
    files = [f"src/m{i}.py" for i in range(20)]
    assert approval_reasons(Policy(), files=files, added=800, removed=0) == []
    off = Policy(max_files=None, max_lines=None)
    assert approval_reasons(off, files=files * 10, added=10_000, removed=0) == []


def test_one_protected_path():
    reasons = approval_reasons(Policy(), files=["src/app.py", "db/migrations/0003_add.sql"],
                               added=5, removed=0)
    assert reasons == [("touches a protected path: db/migrations/0003_add.sql "
                       "(matches **/migrations/**)")]


def test_many_protected_paths_list_five_then_count():
    files = [".github/workflows/ci.yml", "Dockerfile", "infra/main.tf", "api/openapi.yaml",
             "proto/user.proto", "deploy/k8s/app.yaml", "schema.sql"]
    assert approval_reasons(Policy(), files=files, added=1, removed=1) == [
        ("touches 7 protected paths: .github/workflows/ci.yml (matches .github/workflows/**), "
        "Dockerfile (matches **/Dockerfile*), infra/main.tf (matches **/*.tf), "
        "api/openapi.yaml (matches **/openapi*.y*ml), proto/user.proto (matches **/*.proto) "
        "and 2 more")
    ]


@pytest.mark.parametrize("path, pattern", [
    ("migrations/0001_initial.py", "**/migrations/**"),
    ("app/db/migrate/20240101_users.rb", "**/migrate/**"),
    ("sql/Report.SQL", "*.sql"),
    ("alembic/versions/abc.py", "**/alembic/**"),
    ("db/schema.rb", "db/schema.rb"),
    ("prisma/schema.prisma", "prisma/schema.prisma"),
    ("schemas/order.schema.json", "**/*.schema.json"),
    ("api/schema.graphql", "**/schema.graphql"),
    ("openapi.yml", "**/openapi*.y*ml"),
    (".gitlab-ci.yml", ".gitlab-ci.yml"),
    ("ci/Jenkinsfile", "Jenkinsfile"),
    (".circleci/config.yml", ".circleci/**"),
    ("services/api/Dockerfile.prod", "**/Dockerfile*"),
    ("docker-compose.override.yaml", "**/docker-compose*.y*ml"),
    ("charts/helm/values.yaml", "**/helm/**"),
    ("aws/iam-roles.json", "**/iam*.json"),
    ("s3/bucket-policy.json", "**/*policy*.json"),
])
def test_default_protected_paths(path, pattern):
    assert protected_by(Policy(), path) == pattern


@pytest.mark.parametrize("path", [
    "src/app.py", "requirements.txt", "package.json", "poetry.lock", "package-lock.json",
    "docs/migrations.md", "nested/db/schema.rb", "README.md",
])
def test_ordinary_paths_are_not_protected(path):
    assert protected_by(Policy(), path) is None


def test_kiro_paths_protect_too(tmp_path):
    kiro_fixture(tmp_path, "kiro-camel.yaml")
    policy = load_policy(tmp_path, Settings())
    assert protected_by(policy, "billing/invoice.py") == "billing/**"
    assert approval_reasons(policy, files=[f"f{i}" for i in range(11)], added=1, removed=0) \
        == ["11 files changed (limit 10, .kiro/config.yaml "
            "governance.approval.maxFilesChanged)"]


# ---------------------------------------------------------------- sensitive files


def test_sensitive_in_defaults():
    files = ["src/app.py", ".env", "config/.env.production", "certs/server.pem", "deploy.key",
             "home/id_rsa.pub", "home/id_rsa", "aws_credentials.json", "app/Secrets.yaml",
             "README.md", "id_generator.py"]
    assert sensitive_in(Policy(), files) == [
        ".env", "config/.env.production", "certs/server.pem", "deploy.key", "home/id_rsa",
        "aws_credentials.json", "app/Secrets.yaml",
    ]


def test_sensitive_in_uses_the_merged_globs(tmp_path):
    kiro_fixture(tmp_path, "kiro-camel.yaml")
    policy = load_policy(tmp_path, Settings())
    assert sensitive_in(policy, ["store.p12", "config/prod/db.yaml", "config/dev/db.yaml",
                                 "./.env"]) == ["store.p12", "config/prod/db.yaml", "./.env"]


def test_sensitive_in_a_folder_named_like_a_pattern():
    assert sensitive_in(Policy(), ["secrets/token.txt", "src/main.py"]) == ["secrets/token.txt"]


# ---------------------------------------------------------------- command policy


def test_command_policy_denies_the_union(tmp_path):
    kiro_fixture(tmp_path, "kiro-snake.yaml")
    commands = command_policy(load_policy(tmp_path, Settings()))
    assert commands.check("terraform apply -auto-approve") == \
        "matches the denied pattern 'terraform apply'"
    assert commands.check("git push origin main") == "matches the denied pattern 'git push'"
    assert commands.check("just test") is None
    assert commands.check("pytest -x") is None


def test_command_policy_from_defaults():
    commands = command_policy(Policy())
    assert commands.allow == DEFAULT_ALLOW
    assert commands.deny == DEFAULT_DENY
    assert "not in the allowed commands" in commands.check("terraform plan")


# ---------------------------------------------------------------- Kiro's require_approval


def test_kiro_require_approval_spelling_is_read_and_named_in_the_reason(tmp_path):
    kiro(tmp_path, "governance:\n  require_approval:\n    file_changes_over: 10\n"
                   "    lines_changed_over: 50\n    files_matching: [\"billing/**\"]\n")
    policy = load_policy(tmp_path, Settings())
    assert (policy.max_files, policy.max_lines) == (10, 50)
    assert policy.notes == ()
    reasons = approval_reasons(policy, files=[f"src/m{i}.py" for i in range(14)],
                               added=40, removed=20)
    assert reasons == [
        "14 files changed (limit 10, .kiro/config.yaml "
        "governance.require_approval.file_changes_over)",
        "60 lines changed (limit 50, .kiro/config.yaml "
        "governance.require_approval.lines_changed_over)"]
    assert protected_by(policy, "billing/x.py") == "billing/**"


def test_reviewloop_limit_wins_and_is_named(tmp_path):
    kiro(tmp_path, "governance:\n  require_approval:\n    file_changes_over: 10\n")
    policy = load_policy(tmp_path, Settings(governance=Governance(max_files=12)))
    assert approval_reasons(policy, files=[f"f{i}" for i in range(14)], added=1,
                            removed=0) == [
        "14 files changed (limit 12, reviewloop config governance.max_files)"]


def test_both_approval_spellings_at_once_is_an_error(tmp_path):
    error = load_error(tmp_path, "governance:\n  approval:\n    maxFiles: 3\n"
                                 "  require_approval:\n    file_changes_over: 4\n")
    assert error.where == ".kiro/config.yaml:4"
    assert 'key "governance.require_approval": repeats governance.approval' in str(error)
    assert error.fix == "keep one of approval and require_approval"


@pytest.mark.parametrize(("key", "field"), [("sensitiveFiles", "sensitive"),
                                            ("sensitive_paths", "sensitive"),
                                            ("files_matching", "approval_paths")])
@pytest.mark.parametrize("alternatives", [["prod", "dev"], ["prod", "dev", "qa"], ["a", "b-c"]])
def test_kiro_brace_alternatives_are_expanded_as_minimatch_does(tmp_path, key, field,
                                                                alternatives):
    """fz2 D10: Kiro matches with minimatch, where `conf/{prod,dev}.yaml` names both files;
    reviewloop took the braces literally and conf/prod.yaml was not sensitive."""
    pattern = "conf/{" + ",".join(alternatives) + "}.yaml"
    kiro(tmp_path, (f"security:\n  {key}" if field == "sensitive" else
                    f"governance:\n  approval:\n    {key}") + f': ["{pattern}"]\n')
    got = getattr(load_policy(tmp_path, Settings()), field)
    assert all(f"conf/{name}.yaml" in got for name in alternatives), got
    assert not any("{" in pattern for pattern in got)
