"""The kinds of change `.kiro/governance.yaml` can ask a human about (`change_types`), and how
each is recognised in a diff: by the paths it touches or by what its added lines say.

    database_schema        migrations, schema files, SQL; added DDL (CREATE/ALTER/DROP TABLE…)
                           or Alembic/Django schema operations in any file
    security_config        IAM and policy documents, CODEOWNERS, auth/security/CORS config;
                           added lines that switch TLS verification off or widen CORS/hosts
    ci_cd_pipeline         GitHub/GitLab/CircleCI/Azure/Bitbucket/Buildkite/Travis/Jenkins/
                           CodeBuild/Cloud Build pipelines
    environment_variables  `.env` files (`.env.example` too), `etc/environment` (its
                           backups, `environment.d/*.conf`) and `.pam_environment`; added
                           lines that read or set environment variables (os.environ,
                           os.getenv, process.env, System.getenv, std::env::var,
                           Dockerfile ENV, compose environment:)
    api_contract           OpenAPI/Swagger, AsyncAPI, protobuf, GraphQL, Avro, Thrift and
                           JSON Schema documents: what other programs are written against
    dependencies           dependency manifests and lockfiles
    infrastructure         Terraform, CloudFormation/CDK/SAM, Kubernetes, Helm, Dockerfiles

Names are compared in snake_case with "/", "-" and spaces as "_", so "CI/CD pipeline",
"ci-cd-pipeline" and "ci_cd" name the same type. The rules are deliberately a little wide:
an extra approval question costs a human a look, a missed one lets a change through.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from reviewloop.git.diff import ChangeSet
from reviewloop.memo import compiled_on_first_use
from reviewloop.policy import globs


@dataclass(frozen=True)
class ChangeType:
    """One kind of change: its name, the paths that are it, the added lines that are it (an
    expression compiled when a policy first asks: most runs never do)."""

    name: str
    paths: tuple[str, ...]
    content: Callable[[], re.Pattern[str]] | None = None


def _content(*patterns: str) -> Callable[[], re.Pattern[str]]:
    return compiled_on_first_use("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


TYPES: tuple[ChangeType, ...] = (
    ChangeType("database_schema", (
        "**/migrations/**", "**/migrate/**", "**/alembic/**", "*.sql", "**/schema.rb",
        "**/*.prisma", "**/schema.graphql", "**/liquibase/**", "**/flyway/**"),
        _content(r"\b(create|alter|drop|rename)\s+(table|index|column|schema|view)\b",
                 r"\bop\.(create|drop|alter|add|rename)_\w+\(",
                 r"\bmigrations\.(AddField|RemoveField|AlterField|CreateModel|DeleteModel)\b")),
    ChangeType("security_config", (
        "**/iam*.json", "**/iam*.y*ml", "**/*policy*.json", "**/*policy*.y*ml", "**/*.rego",
        "CODEOWNERS", ".github/CODEOWNERS", "docs/CODEOWNERS", "**/security*.y*ml",
        "**/security*.json", "**/security*.toml", "**/auth*.y*ml", "**/auth*.json",
        "**/cors*.json", "**/cors*.y*ml", "**/.htaccess", "**/nginx*.conf"),
        _content(r"\bverify\s*=\s*False\b", r"rejectUnauthorized\s*:\s*false",
                 r"\bInsecureSkipVerify\s*:\s*true", r"Access-Control-Allow-Origin",
                 r"\bALLOWED_HOSTS\b", r"\bCORS_\w+", r"\"Effect\"\s*:\s*\"Allow\"")),
    ChangeType("ci_cd_pipeline", (
        ".github/workflows/**", ".github/actions/**", ".gitlab-ci.yml", ".gitlab/ci/**",
        ".circleci/**", "azure-pipelines*.y*ml", "bitbucket-pipelines.yml", ".buildkite/**",
        ".travis.yml", "Jenkinsfile", "**/Jenkinsfile*", "buildspec*.y*ml",
        "cloudbuild*.y*ml", ".drone.yml", ".woodpecker.yml", ".woodpecker/**", "action.yml",
        "action.yaml")),
    ChangeType("environment_variables", ("**/.env", "**/.env.*", "**/*.env",
                                          "**/etc/environment", "**/etc/environment.*",
                                          "**/etc/environment~", "**/.pam_environment",
                                          "**/.pam_environment.*", "**/.pam_environment~"),
               _content(r"\bos\.environ\b", r"\bos\.getenv\(", r"\bprocess\.env\b",
                        r"\bSystem\.getenv\(", r"\benv::var\(", r"^\s*ENV\s+\w+",
                        r"^\s*environment\s*:\s*$", r"\bgetenv\(")),
    ChangeType("api_contract", (
        "**/openapi*.y*ml", "**/openapi*.json", "**/swagger*.y*ml", "**/swagger*.json",
        "**/asyncapi*.y*ml", "**/asyncapi*.json", "**/*.proto", "**/*.graphql",
        "**/*.graphqls", "**/*.avsc", "**/*.avdl", "**/*.thrift", "**/*.schema.json")),
    ChangeType("dependencies", (
        "**/requirements*.txt", "**/requirements/*.txt", "**/pyproject.toml", "**/setup.py",
        "**/setup.cfg", "**/Pipfile", "**/Pipfile.lock", "**/poetry.lock", "**/uv.lock",
        "**/package.json", "**/package-lock.json", "**/yarn.lock", "**/pnpm-lock.yaml",
        "**/go.mod", "**/go.sum", "**/Cargo.toml", "**/Cargo.lock", "**/Gemfile",
        "**/Gemfile.lock", "**/pom.xml", "**/build.gradle*", "**/composer.json")),
    ChangeType("infrastructure", (
        "**/*.tf", "**/*.tfvars", "**/*.hcl", "**/cdk.json", "**/template.y*ml",
        "**/*cloudformation*", "**/k8s/**", "**/kubernetes/**", "**/helm/**",
        "**/charts/**", "**/Dockerfile*", "**/docker-compose*.y*ml", "**/serverless.y*ml")),
)
_BY_NAME = {t.name: t for t in TYPES}
# other names people give the same types
_ALIASES = {"db_schema": "database_schema", "schema": "database_schema",
            "database": "database_schema", "database_migration": "database_schema",
            "database_migrations": "database_schema", "migrations": "database_schema",
            "security": "security_config", "security_configuration": "security_config",
            "ci_cd": "ci_cd_pipeline", "cicd": "ci_cd_pipeline", "ci": "ci_cd_pipeline",
            "cicd_pipeline": "ci_cd_pipeline", "pipeline": "ci_cd_pipeline",
            "ci_cd_pipelines": "ci_cd_pipeline", "env": "environment_variables",
            "env_vars": "environment_variables", "environment": "environment_variables",
            "environment_variable": "environment_variables", "dependency": "dependencies",
            "api": "api_contract", "api_contracts": "api_contract",
            "api_schema": "api_contract", "api_change": "api_contract",
            "api_changes": "api_contract", "public_api": "api_contract",
            "infra": "infrastructure", "infrastructure_as_code": "infrastructure",
            "iac": "infrastructure"}


def label(name: str) -> str:
    """How a reason names a type: "CI/CD pipeline", "database schema"."""
    return "CI/CD pipeline" if name == "ci_cd_pipeline" else name.replace("_", " ")


def known(name: str) -> str | None:
    """The canonical type a written name means, or None."""
    key = re.sub(r"[^a-z0-9]+", "_", re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower())
    key = key.strip("_")
    key = _ALIASES.get(key, key)
    return key if key in _BY_NAME else None


def detect(names: Iterable[str], changes: ChangeSet) -> list[tuple[str, str]]:
    """(type, evidence) for each of `names` the change is an instance of: the first path
    that matches, else the first added line that does."""
    found = []
    for name in names:
        kind = _BY_NAME[name]
        evidence = _by_path(kind, changes) or _by_content(kind, changes)
        if evidence is not None:
            found.append((name, evidence))
    return found


def _by_path(kind: ChangeType, changes: ChangeSet) -> str | None:
    for path in changes.paths:
        pattern = next((p for p in kind.paths if globs.matches(p, path, ignore_case=True)),
                       None)
        if pattern is not None:
            return f"{path} (matches {pattern})"
    return None


def _by_content(kind: ChangeType, changes: ChangeSet) -> str | None:
    if kind.content is None:
        return None
    content = kind.content()
    for diff in changes.files:
        for added in diff.added:
            if content.search(added.text):
                return f"{diff.path}:{added.line} adds {added.text.strip()[:60]!r}"
    return None
