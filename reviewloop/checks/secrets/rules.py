"""The secret rule table: documented token formats as compiled regexes, one row per kind.

Written from the providers' published token formats and from the formats gitleaks and
GitHub secret scanning document. Each rule names the capture group that holds the secret
itself (what is redacted and previewed) and a confidence: 0.95 for a vendor prefix that is
practically unique (`ghp_`, `glpat-`, `sk-ant-`), lower where the shape is shared with other
data and a keyword or context has to vouch for it.

Keyword-anchored "generic" assignments (`password = "…"`) are not here: they need entropy
and placeholder checks, which live in `reviewloop.checks.secrets.scanner`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from reviewloop.checks.secrets.keywords import exact_literals, required_literals

# Token boundaries: not inside a longer run of the token's own alphabet.
_L = r"(?<![A-Za-z0-9_])"
_R = r"(?![A-Za-z0-9_])"
_RD = r"(?![A-Za-z0-9_-])"  # for alphabets that include '-'
_B64 = r"A-Za-z0-9+/"
_URL = r"A-Za-z0-9_-"


@dataclass(frozen=True)
class Rule:
    id: str
    description: str
    pattern: re.Pattern[str]
    confidence: float = 0.9
    group: str = "secret"  # the named group holding the secret; the whole match if absent
    min_entropy: float = 0.0  # Shannon bits per character of the secret, when worth checking
    # lower-case text of which every match holds one (see keywords.py); None: always run
    literals: tuple[str, ...] | None = None
    # the same in their own case, from the case-sensitive parts only; None: no such filter
    exact: tuple[str, ...] | None = None
    # for a rule with no literal to filter on: a part of every match, searched first (it
    # starts with a literal, which the regex engine skips to; the rule's regex does not)
    hint: re.Pattern[str] | None = None


def _rule(id: str, description: str, regex: str, confidence: float = 0.9, *,
          flags: int = 0, min_entropy: float = 0.0, hint: str | None = None) -> Rule:
    return Rule(id, description, re.compile(_literal_first(regex), flags), confidence,
                min_entropy=min_entropy, literals=required_literals(regex),
                exact=exact_literals(regex, flags),
                hint=re.compile(hint) if hint is not None else None)


_OPEN = _L + "(?P<secret>"
_FIRST = re.compile(r"[A-Za-z0-9_](?![?*+{])")


def _literal_first(regex: str) -> str:
    """`_L(?P<secret>g…` as `(?P<secret>g(?<![A-Za-z0-9_]g)…`: the same matches (the
    character before the `g` is checked once the `g` is matched), but the regex starts with
    a literal, which the regex engine skips to; a look-behind first is tried at every
    position. Other regexes are returned as they are."""
    first = _FIRST.match(regex, len(_OPEN)) if regex.startswith(_OPEN) else None
    if first is None:
        return regex
    char = first.group()
    return f"(?P<secret>{char}(?<![A-Za-z0-9_]{char}){regex[first.end():]}"


_ADO_KEY = "(?:server|data source|host|uid|user id|initial catalog|database)"


def _kw(keywords: str, value: str) -> str:
    """`<keyword…> [=:] <value>`: a value that only counts next to its vendor's name."""
    return (rf"(?i:{keywords})[\w.-]{{0,25}}[\"'\]]?\s*(?:=>|:=|==?|:|,|\s)\s*[\"'`]?"
            rf"(?P<secret>{value})(?![A-Za-z0-9_+/=-])")


RULES: tuple[Rule, ...] = (
    # --- private keys ---------------------------------------------------------------------
    # PEM, OpenSSH and PGP armor has five dashes; SSH.com's (RFC 4716, PuTTYgen's "export
    # ssh.com key") four and a space: `---- BEGIN SSH2 ENCRYPTED PRIVATE KEY ----`
    _rule("private-key", "Private key block (PEM, OpenSSH, PGP, SSH.com, PuTTY)",
          r"(?P<secret>-{4,5} ?BEGIN[ A-Z0-9]{0,30}PRIVATE KEY(?: BLOCK)? ?-{4,5}"
          r"(?:[\s\S]{0,8000}?-{4,5} ?END[ A-Z0-9]{0,30}PRIVATE KEY(?: BLOCK)? ?-{4,5}"
          r"|(?:(?:\n|\\n)[ \t]*[A-Za-z0-9+/=:-]{16,})*))", 0.95),
    _rule("putty-private-key", "PuTTY private key file",
          r"(?P<secret>PuTTY-User-Key-File-[23]: [\w-]+)", 0.9),
    _rule("age-secret-key", "age encryption secret key",
          r"(?P<secret>AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58})", 0.95),
    # --- AWS --------------------------------------------------------------------------------
    _rule("aws-access-key-id", "AWS access key id",
          _L + r"(?P<secret>(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z2-7]{16})" + _R, 0.9),
    _rule("aws-secret-access-key", "AWS secret access key",
          _kw(r"aws|secret[_ -]?access[_ -]?key", rf"[{_B64}]{{40}}"), 0.85, min_entropy=3.5),
    _rule("aws-session-token", "AWS session token",
          _kw(r"aws[_-]?session[_-]?token|x-amz-security-token", rf"[{_B64}]{{100,}}={{0,2}}"),
          0.85),
    # STS tokens open with a fixed protobuf header, so a bare one (quoted in an HTTP error,
    # a log line) is recognisable without its variable name
    _rule("aws-session-token", "AWS STS session token",
          _L + r"(?P<secret>(?:IQoJb3JpZ2luX2Vj|FwoGZXIvYXdz|FQoGZXIvYXdz)"
          rf"[{_B64}]{{80,}}={{0,2}})", 0.9),
    # --- Google / GCP ---------------------------------------------------------------------
    _rule("gcp-api-key", "Google API key",
          _L + r"(?P<secret>AIza[0-9A-Za-z_-]{35})" + _RD, 0.9),
    _rule("gcp-service-account-key", "GCP service-account key id",
          r"\"private_key_id\"\s*:\s*\"(?P<secret>[a-f0-9]{40})\"", 0.9),
    _rule("google-oauth-client-secret", "Google OAuth client secret",
          _L + r"(?P<secret>GOCSPX-[A-Za-z0-9_-]{28})" + _RD, 0.95),
    _rule("google-oauth-access-token", "Google OAuth access token",
          _L + r"(?P<secret>ya29\.[0-9A-Za-z_-]{30,})", 0.85),
    # --- Azure ------------------------------------------------------------------------------
    _rule("azure-storage-key", "Azure storage / Cosmos DB account key",
          r"(?i:AccountKey|PrimaryKey|SharedAccessKey)\s*=\s*(?P<secret>[A-Za-z0-9+/]{43,86}={1,2})",
          0.95),
    _rule("azure-storage-key", "Azure storage account key",
          _kw(r"azure|storage[_-]?(?:account)?[_-]?key|cosmos",
              rf"[{_B64}]{{86}}=="), 0.9),
    _rule("azure-storage-key", "64-byte base64 key (Azure storage key shape)",
          r"(?<![A-Za-z0-9+/=:-])(?P<secret>[A-Za-z0-9+/]{86}==)(?![A-Za-z0-9+/=])", 0.7,
          min_entropy=4.8),
    _rule("azure-sas-token", "Azure shared access signature",
          r"[?&]sig=(?P<secret>[A-Za-z0-9%+/]{40,}(?:%3D|=){0,2})", 0.85),
    _rule("azure-ad-client-secret", "Azure AD (Entra) client secret",
          r"(?<![A-Za-z0-9_~.-])(?P<secret>[A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.-]{31,34})"
          r"(?![A-Za-z0-9_~.-])", 0.9),
    _rule("azure-devops-pat", "Azure DevOps personal access token",
          _kw(r"azure[_-]?devops|ado[_-]?pat|azdo|vsts", r"[a-z2-7]{52}|[A-Za-z0-9]{84}"), 0.85),
    # --- source forges and CI -------------------------------------------------------------
    _rule("github-token", "GitHub token",
          _L + r"(?P<secret>gh[pousr]_[A-Za-z0-9]{36,255})" + _R, 0.95),
    _rule("github-fine-grained-pat", "GitHub fine-grained personal access token",
          _L + r"(?P<secret>github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})" + _R, 0.95),
    _rule("gitlab-token", "GitLab token",
          _L + r"(?P<secret>(?:glpat|gldt|glrt|glcbt|glptt|glsoat|glffct|glimt|glagent|gloas)-"
          r"[A-Za-z0-9_-]{20,64})" + _RD, 0.95),
    _rule("gitlab-runner-registration-token", "GitLab runner registration token",
          _L + r"(?P<secret>GR1348941[A-Za-z0-9_-]{20})" + _RD, 0.95, min_entropy=3.0),
    _rule("gitlab-session-cookie", "GitLab session cookie",
          r"_gitlab_session=(?P<secret>[0-9a-z]{32})" + _R, 0.9),
    _rule("bitbucket-app-password", "Bitbucket / Atlassian API token",
          _L + r"(?P<secret>(?:ATBB|ATATT3)[A-Za-z0-9_=-]{28,200})" + _RD, 0.9),
    _rule("npm-token", "npm access token",
          _L + r"(?P<secret>npm_[A-Za-z0-9]{36})" + _R, 0.95),
    # `.npmrc`'s own key (`_auth=`, `//host/:_authToken=`), a whole value: not a name
    # ending in `_auth` (`_digest_auth = self.build_digest_header(` in Python)
    _rule("npm-token", "npm auth token in .npmrc",
          r"(?<![\w$.-])_auth(?:Token)?\s*=\s*(?P<secret>[A-Za-z0-9+/=._-]{20,})(?![\w(+/=.-])",
          0.85,
          min_entropy=3.0),
    _rule("pypi-token", "PyPI upload token",
          _L + r"(?P<secret>pypi-AgE[A-Za-z0-9_-]{50,})", 0.95),
    _rule("rubygems-token", "RubyGems API key",
          _L + r"(?P<secret>rubygems_[a-f0-9]{48})" + _R, 0.95),
    _rule("docker-hub-pat", "Docker Hub personal access token",
          _L + r"(?P<secret>dckr_pat_[A-Za-z0-9_-]{27})" + _RD, 0.95),
    _rule("hashicorp-vault-token", "HashiCorp Vault token",
          _L + r"(?P<secret>hv[sbr]\.[A-Za-z0-9_-]{24,})" + _RD, 0.9),
    _rule("hashicorp-vault-token", "HashiCorp Vault service token (legacy s. form)",
          # digits and both cases: `s.AcceptanceTimeoutSeconds` is a member access
          _L + r"(?P<secret>s\.(?=[A-Za-z]{0,23}\d)(?=[a-z0-9]{0,23}[A-Z])(?=[A-Z0-9]{0,23}[a-z])"
          r"[A-Za-z0-9]{24})" + _R, 0.8, min_entropy=3.5),
    _rule("terraform-cloud-token", "Terraform Cloud / HCP token",
          r"(?P<secret>[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,70})", 0.95),
    _rule("pulumi-token", "Pulumi access token",
          _L + r"(?P<secret>pul-[a-f0-9]{40})" + _R, 0.95),
    # --- chat and messaging ---------------------------------------------------------------
    # a Slack token has a numeric team or user id after its prefix; `xoxb-my-bot-token`,
    # `xoxb-12345-abcd234` and `…-####` are placeholders
    _rule("slack-token", "Slack token",
          _L + r"(?P<secret>xox[abposre]-(?:\d-)?\d{6,}-[A-Za-z0-9-]{8,})(?![A-Za-z0-9#*-])",
          0.95),
    _rule("slack-token", "Slack legacy workspace token",
          _L + r"(?P<secret>xox[ar]-(?:\d-)?(?=[a-z]{0,47}\d)[0-9a-zA-Z]{8,48})" + _R, 0.8,
          min_entropy=3.0),
    _rule("slack-token", "Slack app-level, configuration or refresh token",
          _L + r"(?P<secret>(?:xapp-\d-[A-Z0-9]+-\d+-[a-z0-9]{20,}"
          r"|xoxe\.xox[bp]-\d-[A-Za-z0-9]{100,}|xoxe-\d-[A-Za-z0-9]{100,}))",
          0.95),
    _rule("slack-webhook", "Slack incoming webhook URL",
          r"(?P<secret>hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/]{30,})",
          0.9),
    _rule("discord-webhook", "Discord webhook URL",
          r"discord(?:app)?\.com/api/webhooks/\d+/(?P<secret>[A-Za-z0-9_-]{60,70})", 0.9),
    _rule("discord-bot-token", "Discord bot token",
          _L + r"(?P<secret>[MNO][A-Za-z0-9_-]{23,25}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,38})"
          + _RD, 0.85, hint=r"\.[A-Za-z0-9_-]{6}\."),
    _rule("telegram-bot-token", "Telegram bot token",
          r"(?<![\w:])(?P<secret>\d{5,16}:A[A-Za-z0-9_-]{34})" + _RD, 0.9),
    _rule("twilio-api-key", "Twilio API key SID",
          _L + r"(?P<secret>SK[0-9a-f]{32})" + _R, 0.8),
    _rule("twilio-auth-token", "Twilio auth token",
          _kw(r"twilio", r"[0-9a-f]{32}"), 0.85),
    _rule("sendgrid-api-key", "SendGrid API key",
          _L + r"(?P<secret>SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43})" + _RD, 0.95),
    _rule("mailgun-api-key", "Mailgun API key",
          _L + r"(?P<secret>key-[0-9a-f]{32})" + _R, 0.85),
    _rule("mailgun-api-key", "Mailgun private API key",
          _L + r"(?P<secret>[0-9a-f]{32}-[0-9a-f]{8}-[0-9a-f]{8})" + _R, 0.8,
          hint=r"-[0-9a-f]{8}-"),
    _rule("mailgun-api-key", "Mailgun API key",
          _kw(r"mailgun", r"[0-9a-f]{32}"), 0.85),
    _rule("mailchimp-api-key", "Mailchimp API key",
          _L + r"(?P<secret>[0-9a-f]{32}-us\d{1,2})" + _R, 0.9),
    # --- payments and commerce ------------------------------------------------------------
    _rule("stripe-key", "Stripe secret or restricted key",
          _L + r"(?P<secret>(?:sk|rk)_(?:live|test|prod)_[A-Za-z0-9]{20,247})" + _R, 0.95),
    _rule("stripe-webhook-secret", "Stripe webhook signing secret",
          _L + r"(?P<secret>whsec_[A-Za-z0-9+/]{32,})" + _R, 0.9),
    _rule("square-token", "Square access token or OAuth secret",
          _L + r"(?P<secret>(?:EAAA[A-Za-z0-9_-]{60}|sq0atp-[A-Za-z0-9_-]{22}"
          r"|sq0csp-[A-Za-z0-9_-]{43}))" + _RD, 0.9),
    _rule("shopify-token", "Shopify access token or shared secret",
          _L + r"(?P<secret>shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32})" + _R, 0.95),
    _rule("paypal-braintree-token", "PayPal Braintree access token",
          r"(?P<secret>access_token\$production\$[a-z0-9]{16}\$[a-f0-9]{32})", 0.95),
    _rule("flutterwave-key", "Flutterwave secret key",
          r"(?P<secret>FLWSECK(?:_TEST)?-[a-h0-9]{32}-X)", 0.95),
    _rule("shippo-token", "Shippo API token",
          _L + r"(?P<secret>shippo_(?:live|test)_[a-f0-9]{40})" + _R, 0.95),
    # --- AI providers ---------------------------------------------------------------------
    _rule("anthropic-api-key", "Anthropic API key",
          _L + r"(?P<secret>sk-ant-(?:api|admin|sid)\d\d-[A-Za-z0-9_-]{80,120})" + _RD, 0.95),
    _rule("openai-api-key", "OpenAI API key",
          _L + r"(?P<secret>sk-(?:(?:proj|svcacct|admin|None)-)?[A-Za-z0-9_-]{20,200}"
          r"T3BlbkFJ[A-Za-z0-9_-]{20,200})" + _RD, 0.95),
    _rule("openai-api-key", "OpenAI project or service-account key",
          _L + r"(?P<secret>sk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,200})" + _RD, 0.9),
    _rule("openai-api-key", "OpenAI legacy API key",
          _L + r"(?P<secret>sk-[A-Za-z0-9]{48})" + _R, 0.85, min_entropy=3.5),
    _rule("huggingface-token", "Hugging Face access token",
          _L + r"(?P<secret>(?:hf_|api_org_)[A-Za-z0-9]{34})" + _R, 0.9),
    _rule("groq-api-key", "Groq API key", _L + r"(?P<secret>gsk_[A-Za-z0-9]{52})" + _R, 0.95),
    _rule("replicate-token", "Replicate API token",
          _L + r"(?P<secret>r8_[A-Za-z0-9]{37})" + _R, 0.9),
    _rule("xai-api-key", "xAI API key", _L + r"(?P<secret>xai-[A-Za-z0-9]{80})" + _R, 0.9),
    _rule("perplexity-api-key", "Perplexity API key",
          _L + r"(?P<secret>pplx-[A-Za-z0-9]{48})" + _R, 0.9),
    # --- SaaS and infrastructure ----------------------------------------------------------
    _rule("heroku-api-key", "Heroku API key",
          _L + r"(?P<secret>HRKU-[A-Za-z0-9_-]{58,60})" + _RD, 0.95),
    _rule("heroku-api-key", "Heroku API key (UUID form)",
          _kw(r"heroku", r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}"
              r"-[0-9a-fA-F]{12}"), 0.85),
    _rule("digitalocean-token", "DigitalOcean token",
          _L + r"(?P<secret>do[opr]_v1_[a-f0-9]{64})" + _R, 0.95),
    _rule("databricks-token", "Databricks access token",
          _L + r"(?P<secret>dapi[a-f0-9]{32}(?:-\d)?)" + _R, 0.9),
    _rule("doppler-token", "Doppler token",
          _L + r"(?P<secret>dp\.(?:pt|st|sa|ct|scim|audit)\.[A-Za-z0-9]{40,44})" + _R, 0.95),
    _rule("grafana-token", "Grafana token",
          _L + r"(?P<secret>(?:glc_[A-Za-z0-9+/]{32,400}={0,2}"
          r"|glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}))",
          0.9),
    _rule("new-relic-key", "New Relic key",
          _L + r"(?P<secret>NR(?:AK|II|JS|RA)-[A-Za-z0-9]{19,32})" + _R, 0.9),
    _rule("sentry-token", "Sentry auth token",
          _L + r"(?P<secret>(?:sntrys_eyJ[A-Za-z0-9+/=_-]{60,}|sntryu_[a-f0-9]{64}))", 0.95),
    _rule("datadog-api-key", "Datadog API or application key",
          _kw(r"datadog|dd[_-]?(?:api|app)", r"[a-f0-9]{32}|[a-f0-9]{40}"), 0.85),
    _rule("linear-api-key", "Linear API key",
          _L + r"(?P<secret>lin_api_[A-Za-z0-9]{40})" + _R, 0.95),
    _rule("postman-api-key", "Postman API key",
          _L + r"(?P<secret>PMAK-[a-f0-9]{24}-[a-f0-9]{34})" + _R, 0.95),
    _rule("notion-token", "Notion integration token",
          _L + r"(?P<secret>(?:secret_[A-Za-z0-9]{43}|ntn_\d{11}[A-Za-z0-9]{35}))" + _R, 0.85),
    _rule("airtable-pat", "Airtable personal access token",
          _L + r"(?P<secret>pat[A-Za-z0-9]{14}\.[a-f0-9]{64})" + _R, 0.95),
    _rule("figma-token", "Figma personal access token",
          _L + r"(?P<secret>figd_[A-Za-z0-9_-]{40,})" + _RD, 0.9),
    _rule("supabase-token", "Supabase access or service key",
          _L + r"(?P<secret>sb(?:p|_secret)_[A-Za-z0-9_-]{32,})" + _RD, 0.9),
    _rule("planetscale-token", "PlanetScale token or password",
          _L + r"(?P<secret>pscale_(?:tkn|pw|oauth)_[A-Za-z0-9_.=-]{32,64})", 0.95),
    _rule("dynatrace-token", "Dynatrace API token",
          _L + r"(?P<secret>dt0c01\.[A-Z0-9]{24}\.[A-Z0-9]{64})" + _R, 0.95),
    _rule("alibaba-access-key-id", "Alibaba Cloud access key id",
          _L + r"(?P<secret>LTAI[A-Za-z0-9]{17,21})" + _R, 0.85),
    _rule("mapbox-token", "Mapbox secret token",
          _L + r"(?P<secret>sk\.eyJ[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{20,})", 0.9),
    _rule("facebook-access-token", "Facebook / Meta access token",
          _L + r"(?P<secret>EAA[CDM][A-Za-z0-9]{60,})" + _R, 0.85),
    _rule("facebook-access-token", "Facebook app access token (app id|secret)",
          r"(?<![\w|])\d{15,16}(?:\||%7C)(?P<secret>[0-9A-Za-z_-]{27,40})" + _RD, 0.85,
          min_entropy=3.5, hint=r"\||%7C"),
    _rule("jfrog-token", "JFrog / Artifactory API key or identity token",
          _kw(r"jfrog|artifactory|bintray", r"[A-Za-z0-9]{64}|[A-Za-z0-9]{73}"), 0.85,
          min_entropy=3.5),
    _rule("okta-token", "Okta API token",
          _kw(r"okta", r"00[A-Za-z0-9_-]{40}"), 0.85),
    _rule("cloudflare-api-token", "Cloudflare API token or key",
          _kw(r"cloudflare|cf[_-]?api", r"[A-Za-z0-9_-]{40}|[a-f0-9]{37}"), 0.85,
          min_entropy=3.0),
    _rule("1password-token", "1Password secret key or service-account token",
          r"(?P<secret>A3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})"
          r"-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}|ops_eyJ[A-Za-z0-9+/]{250,}={0,3})", 0.95),
    # --- generic structures ---------------------------------------------------------------
    _rule("jwt", "JSON Web Token",
          # the signature is optional: an unsigned token (alg none) still authenticates
          _L + r"(?P<secret>eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}(?:\.[A-Za-z0-9_-]{16,})?)"
          + _RD, 0.8),
    # a Kubernetes Secret manifest: `kind: Secret` and a base64 value under `data:`, in
    # either order, never across a `---` document break
    _rule("kubernetes-secret", "Kubernetes Secret manifest with data",
          r"(?is)\bkind:[ \t]*[\"']?secret\b[\"']?(?:(?!\n---).){0,200}?\bdata:"
          r"(?:(?!\n---).){0,100}?\n[ \t]+[\w.-]+:[ \t]*(?:[|>][-+]?\s+)?[\"']?"
          r"(?P<secret>[A-Za-z0-9+/]{10,}={0,3})(?![A-Za-z0-9+/=])", 0.8),
    _rule("kubernetes-secret", "Kubernetes Secret manifest with data",
          r"(?is)\bdata:(?:(?!\n---).){0,100}?\n[ \t]+[\w.-]+:[ \t]*(?:[|>][-+]?\s+)?[\"']?"
          r"(?P<secret>[A-Za-z0-9+/]{10,}={0,3})(?![A-Za-z0-9+/=])"
          r"(?=(?:(?!\n---).){0,200}?\bkind:[ \t]*[\"']?secret\b)", 0.8),
    _rule("connection-string-password", "Connection string with a password",
          r"(?i:\b(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|redis|rediss|amqps?|"
          r"mssql|sqlserver|oracle|cockroachdb|clickhouse|couchdb|neo4j(?:\+s)?|bolt|"
          r"memcached|ldaps?|smtps?|nats|kafka|jdbc:[a-z0-9]+)(?:\+[a-z0-9]+)?://)"
          r"[^\s:/@\"'`]{1,128}:(?P<secret>[^\s@/\"'`]{1,256})@[\w.\[\]-]+", 0.9),
    # Linear: the lazy run after a `jdbc:` or an ADO.NET key stops where the next one
    # starts (at the next `jdbc:`'s colon, before the next `key=`), which the attempt from
    # there reads on: the same secrets, where a line of `jdbc:x;` was read once per start.
    _rule("connection-string-password", "JDBC / ADO.NET connection string password",
          r"(?i:(?:jdbc:(?:[^\s\"':]|(?<!jdbc):)*?[;?&:]|" + _ADO_KEY + r"\s*=(?:(?!"
          + _ADO_KEY + r"\s*=)[^\"'\n])*?;\s*)(?:password|pwd)\s*=\s*)"
          r"(?P<secret>[^;&\s\"'`]{3,128})", 0.85),
    _rule("connection-string-password", "Oracle JDBC thin URL with a password",
          r"jdbc:oracle:thin:[^/\s\"'@]{1,64}/(?P<secret>[^@\s\"']{1,128})@", 0.9),
    _rule("basic-auth-url", "URL with embedded credentials",
          r"(?i:\b(?:https?|ftps?|sftp|ssh|git|svn|s3|wss?)://)[^\s:/@\"'`]{1,128}:"
          r"(?P<secret>[^\s@/\"'`]{1,256})@[\w.\[\]-]+", 0.8),
    _rule("curl-credentials", "Credentials on a curl command line (-u / --user)",
          r"\bcurl\b[^\n]*?(?:\\\n[^\n]*?){0,6}[ \t](?:-u|--user)(?:=|[ \t]{1,5})"
          r"(?P<secret>\"[^\"\s]{3,}\"|'[^'\s]{3,}'|[\w$@.{}-]+:(?:\"[^\"]+\"|'[^']+'|\S+))",
          0.8),
    _rule("http-auth-header", "Credentials in an HTTP header",
          r"(?i:[\"']\s*(?:authorization:[ \t]*(?:(?:basic|bearer|token|api-token)[ \t]+)?"
          r"|(?:x-[a-z]+-)?(?:api-?)?(?:key|token):[ \t]*))"
          r"(?P<secret>[\w=~@.+/-]{8,})(?=\s*[\"'])", 0.75, min_entropy=2.75),
    _rule("http-auth-header", "HTTP Basic or Bearer credentials",
          r"(?i:\bAuthorization\b[\"']?\s*[:=,]\s*[\"']?(?:Basic|Bearer|token)\s+)"
          r"(?P<secret>[A-Za-z0-9._~+/=-]{16,})", 0.8, min_entropy=3.0),
    _rule("http-auth-header", "Bearer token",
          r"(?i:\bBearer\s+)(?P<secret>[A-Za-z0-9._~+/-]{24,}=*)", 0.7, min_entropy=3.5),
    # PowerShell's and .NET's own ways to hold a password given in the source: a literal
    # made a SecureString (`-AsPlainText`, as an argument, `-String`'s or piped in), or a
    # NetworkCredential's second argument
    _rule("powershell-plaintext-password", "Password literal made a SecureString",
          r"(?i:convertto-securestring(?=[^\n]*[ \t]-as)(?:[ \t]+-(?!s\w*\b)\w+(?::\$?\w+)?)*"
          r"[ \t]+"
          r"(?:-s\w*:?[ \t]*)?)(?P<q>[\"'])(?P<secret>[^\"'\n]{1,200})(?P=q)", 0.8),
    _rule("powershell-plaintext-password", "Password literal piped into a SecureString",
          r"(?P<q>[\"'])(?P<secret>[^\"'\n]{1,200})(?P=q)[ \t]*\|[ \t]*"
          r"(?i:convertto-securestring(?=[^\n]*[ \t]-as))", 0.8),
    _rule("network-credential-password", "Password literal given to a NetworkCredential",
          r"(?i:networkcredential\]?(?:::new)?[ \t]*(?:\(|[ \t]-argumentlist[ \t]+))[ \t]*"
          r"(?P<q1>[\"'])[^\"'\n]{0,100}(?P=q1)[ \t]*,[ \t]*"
          r"(?P<q>[\"'])(?P<secret>[^\"'\n]{1,200})(?P=q)", 0.8),
)
