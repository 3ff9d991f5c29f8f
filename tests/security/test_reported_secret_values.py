"""A value the secrets analyzer reports never reaches a model as it is: not in a reviewer's
prompt (the diff), not in what `fs_read` of its file returns, not in a finding's text, not
in the fixer's prompt. Redaction ran the scanner's own layers only; the layers that read the
project's own config (the project's `.secrets.baseline`, its `.gitleaks.toml` rules)
reported values it passed on (`acme_live_…`, a hex id under a lowered entropy limit).

Generated: a fixed-seed sample of file kinds × key spellings × word-like values the scanner
does not report (none of its layers does: planted, not required), a project gitleaks rule's
tokens, and a baseline whose settings report what the default scan does not. The oracle is
the analyzer's own report (its findings on the ledger): each value on a line it reports is
a secret that must not be sent. A reviewer quotes each value back in a finding, so the
fixer is handed it too."""

from __future__ import annotations

import itertools
import json
import random
from pathlib import Path

import pytest

from reviewloop.checks.secrets.scanner import scan_text
from reviewloop.reports.report import RunSummary
from reviewloop.runs.review import DiffSource, review_change
from tests.support.chat import ScriptedChatModel, message_text, tool_call
from tests.support.repos import init_repo
from tests.support.runner import FIXER, REVIEWERS, review, settings

KINDS = ("app.yaml", ".env", "run.sh", "settings.py", "config.json", "app.ini", "settings")
KEYS = ("PASSWORD", "db_pass", "DB_SECRET", "api_key", "client_secret")
SEPARATORS = (": ", "=", " = ")
QUOTES = ("", '"', "'")
VALUES = ("correcthorsebatterystaple", "hunter22", "correct horse battery staple",
          "Zm9vYmFyYmF6cXV4", "tr0ub4dor")
# a project's own token format, which only its .gitleaks.toml knows
GITLEAKS = ('[[rules]]\nid = "acme-live-token"\ndescription = "ACME live token"\n'
            'regex = \'\'\'acme_live_[0-9a-f]{24}\'\'\'\n')
ACME = tuple(f"acme_live_{n:024x}" for n in (0x5eed0c0ffee1, 0xbadc0de42f00d, 0x7e57ab1e9d))
# a baseline whose settings lower the hex entropy limit: `c0ffee42d00d` is a secret here
BASELINE = json.dumps({"version": "1.5.0", "plugins_used": [
    {"name": "HexHighEntropyString", "limit": 2.0}, {"name": "KeywordDetector"}],
    "filters_used": [], "results": {}})
HEX = ("c0ffee42d00d", "deadbeef4242", "a1b2c3d4e5f6")


def _variants(seed: int, count: int) -> list[tuple[str, str, str, str, str]]:
    """(kind, key, separator, quote, value): a sample of the product whose line the
    scanner's own layers pass (what redaction already hid is no test of this)."""
    kept = []
    for kind, key, sep, quote, value in random.Random(seed).sample(
            list(itertools.product(KINDS, KEYS, SEPARATORS, QUOTES, VALUES)), count):
        if not scan_text(f"{key}{sep}{quote}{value}{quote}\n"):
            kept.append((kind, key, sep, quote, value))
    return kept


def _project(root: Path, base: dict[str, str], seed: int) -> dict[tuple[str, int], str]:
    """The repository, with its change in the working tree: (file, line) → planted value."""
    init_repo(root, {**base, "README.md": "a project\n"}, message="start")
    planted: dict[tuple[str, int], str] = {}
    for at, (kind, key, sep, quote, value) in enumerate(_variants(seed, 40)):
        path = f"v{at:02d}/{kind}"
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(f"# settings\n{key}{sep}{quote}{value}{quote}\n")
        planted[(path, 2)] = value
    (root / "tokens.py").write_text("".join(f'TOKEN_{i} = "{t}"\n' for i, t in enumerate(ACME)))
    planted |= {("tokens.py", i + 1): t for i, t in enumerate(ACME)}
    (root / "ids.py").write_text("".join(f'build_id = "{h}"\n' for h in HEX))
    planted |= {("ids.py", i + 1): h for i, h in enumerate(HEX)}
    return planted


def _script(model: ScriptedChatModel, planted: dict[tuple[str, int], str]) -> None:
    """The security reviewer reads every file holding a planted value and quotes each value
    in a finding's title and rationale (what a model may well do); the fixer answers."""
    files = sorted({path for path, _ in planted})[::4]  # within a reviewer's model calls
    quoted = [{"severity": "must_fix", "file": path, "start_line": line, "end_line": line,
               "title": f"Hard-coded {value}", "confidence": 0.9,
               "rationale": f"the value {value} is committed"}
              for (path, line), value in sorted(planted.items())]
    model.script("agent: review-security", [
        *(tool_call("fs_read", {"path": path}) for path in files), review(quoted),
        *[review()] * 3])
    for name in REVIEWERS:
        if name != "review-security":
            model.script(f"agent: {name}", [review()] * 4)
    # asked with the others in one call (`[review] combined_review`): the same reads
    model.script("agents: ", [
        *(tool_call("fs_read", {"path": path}) for path in files),
        review([{**q, "agent": "review-security"} for q in quoted]), *[review()] * 3])
    model.script(FIXER, ["nothing to change"] * 200)


def _sent(model: ScriptedChatModel) -> str:
    return "\n".join(message_text(m) + json.dumps(getattr(m, "tool_calls", []))
                     for h in model.history for m in h)


@pytest.mark.parametrize("base", [{".gitleaks.toml": GITLEAKS},
                                  {".gitleaks.toml": GITLEAKS, ".secrets.baseline": BASELINE}],
                         ids=["project-rules", "baseline"])
def test_no_value_the_secrets_analyzer_reports_is_sent_to_a_model(
        tmp_path: Path, base: dict[str, str]) -> None:
    planted = _project(tmp_path / "repo", base, seed=len(base))
    model = ScriptedChatModel()
    _script(model, planted)

    summary = review_change(tmp_path / "repo", settings(max_rounds=2), DiffSource(),
                            model_factory=lambda name: model, llm=True, fix=True)

    assert isinstance(summary, RunSummary)
    reported = {(e.finding.file, e.finding.start_line) for e in summary.ledger.entries
                if e.finding.source == "secrets"}
    secrets = {value for place, value in planted.items() if place in reported}
    rules = {e.finding.rule for e in summary.ledger.entries if e.finding.source == "secrets"}
    # the oracle found each kind of layer's secrets on the lines planted
    assert "acme-live-token" in rules and set(ACME) <= secrets
    if ".secrets.baseline" in base:
        assert set(HEX) <= secrets
    sent = _sent(model)
    fixer = [m for h in model.history if FIXER in message_text(h[0]) for m in h]
    assert fixer, "the fixer was asked"
    reads = [m for h in model.history for m in h if m.type == "tool"]
    assert len(reads) >= len({p for p, _ in planted}) // 4
    assert sorted(v for v in secrets if v in sent) == []
