"""Sensitive files: the paths that may hold secrets, never read by a model, sent or committed."""

from __future__ import annotations

from collections.abc import Iterable
from fnmatch import fnmatchcase
from pathlib import PurePath

# What the README promises (`.env*`, key files, `*secret*`, `*credentials*`) plus the usual
# credential files of package managers, git, Terraform and Kubernetes. SSH keys are named
# exactly: a glob such as `id_*` would also hide `id_generator.py`, and `.pub` halves are public.
DEFAULT_SENSITIVE = (
    ".env*", "*.env",                                          # .env, .env.local, .envrc, …
    "*.pem", "*.key", "*.p12", "*.pfx", "*.ppk", "*.jks", "*.keystore",
    "id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", "id_ecdsa_sk", "id_ed25519_sk",
    ".npmrc", ".pypirc", ".netrc", "_netrc", ".git-credentials", ".pgpass",
    "*.tfvars", "*.tfvars.json", "*.tfstate", "*.tfstate.backup",
    "kubeconfig*", "*.kubeconfig", "*.kube/config",
    "*secret*", "*credentials*",
)


def is_sensitive(rel: PurePath, patterns: Iterable[str] = DEFAULT_SENSITIVE) -> bool:
    """gitignore-style: a pattern with a slash matches the path, one without any part."""
    text = rel.as_posix().lower()
    parts = [p.lower() for p in rel.parts]
    for pattern in (p.lower() for p in patterns):
        if "/" in pattern:
            if fnmatchcase(text, pattern.lstrip("/")):
                return True
        elif any(fnmatchcase(part, pattern) for part in parts):
            return True
    return False
