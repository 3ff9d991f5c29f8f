"""gitleaks compatibility: its rule ids for reviewloop's secret rules, and `.gitleaksignore`.

A `.gitleaksignore` line is a gitleaks finding fingerprint: `file:rule-id:line` when gitleaks
scanned a directory, `commit:file:rule-id:line` when it scanned git history (the commit
that introduced the secret, the file and line as that commit has them). Both name
gitleaks' rule ids (its `config/gitleaks.toml`), which differ from reviewloop's: `RULE_IDS`
maps each reviewloop rule to the gitleaks rules that find the same kind of secret, so an
entry gitleaks wrote matches the same secret here. Whether a commit-scoped entry matches
is for the caller to judge from git (`reviewloop.checks.suppressions`): it covers only the
secret that commit introduced, never the same file and line elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass

IGNORE_FILE = ".gitleaksignore"

# reviewloop rule → gitleaks rule ids (gitleaks' default config); a rule missing here matches
# entries that name it by reviewloop's own id only.
RULE_IDS: dict[str, tuple[str, ...]] = {
    "aws-access-key-id": ("aws-access-token",),
    "aws-secret-access-key": ("generic-api-key",),
    "gcp-api-key": ("gcp-api-key",),
    "azure-ad-client-secret": ("azure-ad-client-secret",),
    "github-token": ("github-pat", "github-oauth", "github-app-token", "github-refresh-token"),
    "github-fine-grained-pat": ("github-fine-grained-pat",),
    "gitlab-token": ("gitlab-pat", "gitlab-pat-routable", "gitlab-deploy-token",
                     "gitlab-runner-authentication-token",
                     "gitlab-runner-authentication-token-routable", "gitlab-cicd-job-token",
                     "gitlab-ptt", "gitlab-scim-token", "gitlab-feature-flag-client-token",
                     "gitlab-incoming-mail-token", "gitlab-kubernetes-agent-token",
                     "gitlab-oauth-app-secret", "gitlab-feed-token"),
    "gitlab-runner-registration-token": ("gitlab-rrt",),
    "gitlab-session-cookie": ("gitlab-session-cookie",),
    "bitbucket-app-password": ("atlassian-api-token",),
    "npm-token": ("npm-access-token",),
    "pypi-token": ("pypi-upload-token",),
    "rubygems-token": ("rubygems-api-token",),
    "hashicorp-vault-token": ("vault-service-token", "vault-batch-token"),
    "terraform-cloud-token": ("hashicorp-tf-api-token",),
    "pulumi-token": ("pulumi-api-token",),
    "slack-token": ("slack-bot-token", "slack-user-token", "slack-app-token",
                    "slack-legacy-token", "slack-legacy-bot-token",
                    "slack-legacy-workspace-token", "slack-config-access-token",
                    "slack-config-refresh-token"),
    "slack-webhook": ("slack-webhook-url",),
    "telegram-bot-token": ("telegram-bot-api-token",),
    "twilio-api-key": ("twilio-api-key",),
    "sendgrid-api-key": ("sendgrid-api-token",),
    "mailgun-api-key": ("mailgun-private-api-token", "mailgun-signing-key"),
    "mailchimp-api-key": ("mailchimp-api-key",),
    "stripe-key": ("stripe-access-token",),
    "square-token": ("square-access-token",),
    "shopify-token": ("shopify-access-token", "shopify-custom-access-token",
                      "shopify-private-app-access-token", "shopify-shared-secret"),
    "flutterwave-key": ("flutterwave-secret-key", "flutterwave-encryption-key"),
    "shippo-token": ("shippo-api-token",),
    "anthropic-api-key": ("anthropic-api-key", "anthropic-admin-api-key"),
    "openai-api-key": ("openai-api-key",),
    "huggingface-token": ("huggingface-access-token", "huggingface-organization-api-token"),
    "perplexity-api-key": ("perplexity-api-key",),
    "heroku-api-key": ("heroku-api-key", "heroku-api-key-v2"),
    "digitalocean-token": ("digitalocean-pat", "digitalocean-access-token",
                           "digitalocean-refresh-token"),
    "databricks-token": ("databricks-api-token",),
    "doppler-token": ("doppler-api-token",),
    "grafana-token": ("grafana-api-key", "grafana-cloud-api-token",
                      "grafana-service-account-token"),
    "new-relic-key": ("new-relic-user-api-key", "new-relic-insert-key",
                      "new-relic-browser-api-token"),
    "sentry-token": ("sentry-org-token", "sentry-user-token", "sentry-access-token"),
    "datadog-api-key": ("datadog-access-token",),
    "linear-api-key": ("linear-api-key",),
    "postman-api-key": ("postman-api-token",),
    "notion-token": ("notion-api-token",),
    "planetscale-token": ("planetscale-api-token", "planetscale-password",
                          "planetscale-oauth-token"),
    "dynatrace-token": ("dynatrace-api-token",),
    "alibaba-access-key-id": ("alibaba-access-key-id",),
    "mapbox-token": ("mapbox-api-token",),
    "facebook-access-token": ("facebook-access-token", "facebook-page-access-token"),
    "jfrog-token": ("jfrog-api-key", "jfrog-identity-token"),
    "okta-token": ("okta-access-token",),
    "cloudflare-api-token": ("cloudflare-api-key", "cloudflare-global-api-key"),
    "1password-token": ("1password-secret-key", "1password-service-account-token"),
    "jwt": ("jwt", "jwt-base64"),
    "kubernetes-secret": ("kubernetes-secret-yaml",),
    "private-key": ("private-key",),
    "age-secret-key": ("age-secret-key",),
    "curl-credentials": ("curl-auth-user",),
    "http-auth-header": ("curl-auth-header",),
    "connection-string-password": ("database-password",),
    "generic-password": ("generic-api-key", "database-password", "hashicorp-tf-password"),
    "generic-secret": ("generic-api-key",),
    "ds-artifactory-credentials": ("artifactory-api-key", "artifactory-reference-token"),
}


def rule_ids(rule: str | None) -> frozenset[str]:
    """The ids an ignore entry may name a finding of reviewloop's `rule` by: its own and
    gitleaks' (case as written; gitleaks ids are lower case)."""
    if not rule:
        return frozenset()
    return frozenset((rule, *RULE_IDS.get(rule, ())))


@dataclass(frozen=True)
class IgnoreEntry:
    """One `.gitleaksignore` line: a gitleaks fingerprint."""

    file: str
    rule: str
    line: int | None
    commit: str | None = None  # git mode: the commit that introduced the secret
    where: str = IGNORE_FILE  # `.gitleaksignore:3`: the file and line it came from


def parse_ignore(text: str, source: str = IGNORE_FILE) -> list[IgnoreEntry]:
    """The fingerprints of a `.gitleaksignore` (blank lines and `#` comments skipped; a line
    that is no fingerprint is skipped too, as gitleaks does). Its lines end at LF only, as
    gitleaks' line scanner ends them: a file name holding U+2028 or a form feed is one
    fingerprint, and `where` names git's line."""
    entries = []
    for number, raw in enumerate(text.split("\n"), start=1):
        entry = _entry(raw.strip(), f"{source}:{number}")
        if entry is not None:
            entries.append(entry)
    return entries


def _entry(text: str, where: str) -> IgnoreEntry | None:
    if not text or text.startswith("#"):
        return None
    head, _, line = text.rpartition(":")
    head, _, rule = head.rpartition(":")
    if not head or not rule:
        return None
    commit, _, file = head.partition(":")
    if not file or not _looks_like_commit(commit):  # dir mode: the file holds the colons
        commit, file = "", head
    return IgnoreEntry(file=file.removeprefix("./"), rule=rule,
                       line=int(line) if line.isdigit() else None, commit=commit or None,
                       where=where)


def _looks_like_commit(text: str) -> bool:
    return 7 <= len(text) <= 64 and all(c in "0123456789abcdef" for c in text.lower())
