"""`etc/environment` (pam_env's KEY=VALUE file, in any folder) is read as a dotenv file is:
sensitive (never read by a model nor committed by a run), an `environment_variables` change
for governance, and scanned for secrets line by line exactly as `.env` is. Generated: its
KEY=VALUE lines (quoted or not, `export` or not, comments) scanned under both names give the
same findings. Its siblings of the same format are sensitive and such a change too: its
backups (`.bak`, `.orig`, `~`), systemd's `etc/environment.d/*.conf` and pam_env's per-user
`.pam_environment`; the names around it (`environment` elsewhere, `environment.py`,
`etc/environments`) are none of these."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.checks.secrets.scanner import scan_text
from reviewloop.git.diff import parse_diff
from reviewloop.policy.change_types import detect
from reviewloop.policy.sensitive import is_sensitive


def added_file(path: str, text: str) -> str:
    return (f"diff --git a/{path} b/{path}\nnew file mode 100644\n--- /dev/null\n"
            f"+++ b/{path}\n@@ -0,0 +1 @@\n+{text}")


ENVIRONMENT = ("etc/environment", "deploy/rootfs/etc/environment", "ETC/Environment")
SIBLINGS = ("etc/environment.d/10-path.conf", "rootfs/etc/environment.d/app.conf",
            "etc/environment.bak", "etc/environment.orig", "etc/environment~",
            ".pam_environment", "home/u/.pam_environment", "home/u/.pam_environment.bak")
LOOKALIKES = ("environment", "src/environment.py", "myetc/environment", "etc/environments",
              "etc/environmental.md", "pam_environment.md", "docs/etc/environment_notes.md")

_NAMES = st.sampled_from(("PATH", "DB_PASSWORD", "API_TOKEN", "LANG", "AWS_SECRET_ACCESS_KEY",
                          "SECRET_KEY", "JAVA_HOME"))
_VALUES = st.sampled_from(("/usr/local/bin:/usr/bin", "Zq8vN3rT6wLp2Kx9", "en_US.UTF-8",
                           "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY1",
                           "ghp_8s7d6f5g4h3j2k1l0z9x8c7v6b5n4m3q2w1e", "${HOME}/bin", ""))


@st.composite
def _line(draw: st.DrawFn) -> str:
    if draw(st.integers(0, 5)) == 0:
        return "# " + draw(_VALUES)
    quote = draw(st.sampled_from(("", '"', "'")))
    export = draw(st.sampled_from(("", "export ")))
    return f"{export}{draw(_NAMES)}={quote}{draw(_VALUES)}{quote}"


@settings(max_examples=80, deadline=None)
@given(lines=st.lists(_line(), min_size=1, max_size=6), where=st.sampled_from(ENVIRONMENT))
def test_etc_environment_is_scanned_as_a_dotenv_file(lines: list[str], where: str) -> None:
    text = "\n".join(lines) + "\n"
    found = [(h.rule, h.line, h.column) for h in scan_text(text, path=where)]
    assert found == [(h.rule, h.line, h.column) for h in scan_text(text, path="app/.env")]


@pytest.mark.parametrize("path", ENVIRONMENT + SIBLINGS)
def test_etc_environment_is_sensitive_and_an_environment_variables_change(path: str) -> None:
    assert is_sensitive(path)
    changes = parse_diff(added_file(path, "LANG=C\n"))
    assert [kind for kind, _ in detect(["environment_variables"], changes)] == [
        "environment_variables"]


@pytest.mark.parametrize("path", LOOKALIKES)
def test_names_around_it_are_not_an_environment_file(path: str) -> None:
    assert not is_sensitive(path)
    changes = parse_diff(added_file(path, "x = 1\n"))
    assert detect(["environment_variables"], changes) == []
