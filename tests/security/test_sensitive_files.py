"""Credential files in a manual change reach no reviewer prompt and no commit, whatever
their spelling (.envrc, .env-local, SSH keys, package-manager and cloud credentials)."""

from __future__ import annotations

from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewloop.policy.sensitive import DEFAULT_SENSITIVE, is_sensitive
from tests.support.chat import ScriptedChatModel, message_text
from tests.support.gitutil import git
from tests.support.runner import CALLED, clean_round, runner, start

CANARY = "CANARY-7f3a9c"
CREDENTIAL_FILES = (".envrc", ".env-local", ".env.production", "deploy/id_ed25519",
                    "deploy/id_ecdsa", ".npmrc", ".pypirc", ".netrc", ".git-credentials",
                    "infra/prod.tfvars", "kubeconfig", "ops/.kube/config", "certs/tls.pem")


def test_credential_files_in_a_manual_change_reach_no_prompt_and_no_commit(
        project: Path) -> None:
    (project / "calc.py").write_text("def add(a, b):\n    return a + b\n")
    for name in CREDENTIAL_FILES:
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(f"# {CANARY} {name}\n")
    model = ScriptedChatModel()
    clean_round(model)
    run = runner(project, model)

    result = start(run, project, "manual")
    prompts = [message_text(m) for h in model.history for m in h]
    final = run.resume(result.run_id, "approve")

    # every reviewer in scope ran once: asked together, in one call
    assert len(model.history) == 1
    assert f"agents: {', '.join(CALLED)}\n" in message_text(model.history[0][0])
    assert not [p for p in prompts if CANARY in p]
    assert not [n for n in CREDENTIAL_FILES if any(n in p for p in prompts)]
    for name in CREDENTIAL_FILES:
        assert f"sensitive file {name} changed: it is never committed" in \
            result.escalations
    committed = git(project, "show", "--name-only", "--format=", "HEAD").split()
    assert final.status == "committed" and "calc.py" in committed
    assert not set(committed) & set(CREDENTIAL_FILES)
    assert (project / ".envrc").read_text() == f"# {CANARY} .envrc\n"  # left as it was


@pytest.mark.parametrize("name", ["id_rsa.pub", "id_generator.py", "environment.py"])
def test_public_halves_and_lookalikes_are_not_sensitive(name: str) -> None:
    assert not is_sensitive(PurePosixPath(name))


_PARTS = st.sampled_from(["src", ".env", ".env.local", "x.pem", "id_rsa", "id_rsa.pub",
                          "Secret.txt", "my_credentials.json", "kubeconfig", ".kube", "config",
                          "prod.tfvars", "[x].py", "a?b", "KEY.KEY", "docs", "app.py"])
_PATTERNS = st.lists(st.sampled_from(["*.py", "docs/*.md", "/root/*.txt", "src/**", "[ab]*",
                                      "a?c", "*.kube/config", ".env*", "*SECRET*"]), max_size=4)


@settings(max_examples=400, deadline=None)
@given(parts=st.lists(_PARTS, min_size=1, max_size=4), absolute=st.booleans(),
       patterns=st.one_of(st.just(DEFAULT_SENSITIVE), _PATTERNS))
def test_the_sensitive_rule_is_fnmatch_pattern_by_pattern(parts, absolute, patterns):
    """`is_sensitive` asks one regex per path part; the rule is still gitignore-style
    fnmatch, one pattern at a time: with a slash against the path, without against a part."""
    rel = PurePosixPath("/" if absolute else ".", *parts)
    text, names = rel.as_posix().lower(), [p.lower() for p in rel.parts]
    expected = any(fnmatchcase(text, p.lower().lstrip("/")) if "/" in p
                   else any(fnmatchcase(name, p.lower()) for name in names)
                   for p in patterns)
    assert is_sensitive(rel, patterns) is expected


@given(st.lists(st.sampled_from([".env", "a", "ID_RSA", "x.pem", "", ".", "/", "secret_b.py",
                                 ".kube", "config", "app.py"]), min_size=1, max_size=4)
       .map("/".join))
def test_a_path_given_as_text_is_judged_as_its_pure_posix_path(path: str) -> None:
    """The changed files are asked as text (no PurePosixPath built for each of thousands):
    the answer is the one for the PurePosixPath of the same text."""
    for patterns in (DEFAULT_SENSITIVE, ("*.kube/config", "/a/*", "x*")):
        assert is_sensitive(path, patterns) == is_sensitive(PurePosixPath(path), patterns)


@settings(max_examples=400, deadline=None)
@given(path=st.text(st.sampled_from(["/", ".", "e", "N", "V", "İ", "K", "Σ", "ß", "*", "k"]),
                    min_size=1, max_size=12),
       patterns=st.one_of(st.just(DEFAULT_SENSITIVE),
                          st.lists(st.sampled_from(["*.env", ".ENV*", "i̇*", "*k*", "σ", "/.e*/*",
                                                    "*/n*", "ss"]), max_size=3)))
def test_a_path_given_as_text_is_lower_cased_as_its_parts_are(path: str, patterns) -> None:
    """A path given as text is lower-cased once, before it is split (no case maps to or
    from "/" or ".", even where lower-casing changes a name's length): the same answer as
    fnmatch on each lower-cased part of its PurePosixPath."""
    rel = PurePosixPath(path)
    text, names = rel.as_posix().lower(), [p.lower() for p in rel.parts]
    expected = any(fnmatchcase(text, p.lower().lstrip("/")) if "/" in p
                   else any(fnmatchcase(name, p.lower()) for name in names)
                   for p in patterns)
    assert is_sensitive(path, patterns) is expected


@settings(max_examples=400, deadline=None)
@given(path=st.lists(st.sampled_from(["src", "secre", "SECRETS", "x.PEM", "pem", ".kube", "kube",
                                      "config", "id_", "id_rsa", "deploy", "deployment", "a.c",
                                      "abc", "", "."]), min_size=1, max_size=4).map("/".join),
       patterns=st.lists(st.sampled_from(["*.pem", "id_*", "*SECRET*", "*.kube/config", "a?c",
                                          "*deploy*", "deployment", "/src/*", "*", "?"]),
                         max_size=5))
def test_a_path_holding_no_patterns_literal_part_is_not_sensitive(path: str, patterns) -> None:
    """Most changed files hold no literal part of any pattern (`.pem`, `secret`, `id_`) and
    are answered by one search for those: the answer is still fnmatch's, pattern by
    pattern, also where one literal holds another (`deploy`, `deployment`) or a pattern
    has none (`*`)."""
    rel = PurePosixPath(path)
    text, names = rel.as_posix().lower(), [p.lower() for p in rel.parts]
    expected = any(fnmatchcase(text, p.lower().lstrip("/")) if "/" in p
                   else any(fnmatchcase(name, p.lower()) for name in names)
                   for p in patterns)
    assert is_sensitive(path, tuple(patterns)) is expected
