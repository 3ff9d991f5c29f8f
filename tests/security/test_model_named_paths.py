"""A reviewer model names any path it likes in a finding: a NUL byte, a folder that is a
link out of the checkout, a directory, an absolute path, a way up. The review finishes, and
no file outside the checkout is read for it: a suppression marker out there suppresses
nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewloop.app.review import analyzers_for
from reviewloop.config import Settings
from reviewloop.findings.ledger import Status
from reviewloop.reports.report import RunSummary
from reviewloop.runs.review import DiffSource, review_change
from tests.support.chat import ScriptedChatModel, tool_call
from tests.support.review_cli import repo

APP = "import subprocess\n\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n"
# outside the checkout, reached through `out/`: a marker that would cover line 2
OUTSIDE = "# reviewloop: ignore[*] audited\nx = 1\n"


@pytest.mark.parametrize("named", ["app\x00.py", "out/secret.py", "out", "/etc/passwd",
                                   "../outside/secret.py", "app.py\x00/../out/secret.py"])
def test_a_path_a_model_names_is_never_read_outside_the_checkout(tmp_path: Path,
                                                                  named: str) -> None:
    root = repo(tmp_path)
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.py").write_text(OUTSIDE)
    (root / "out").symlink_to(tmp_path / "outside")
    (root / "app.py").write_text(APP)
    finding = {"severity": "should_fix", "file": named, "start_line": 2, "end_line": 2,
               "title": "named by the model", "rationale": "because", "confidence": 0.9}
    settings = Settings(model="scripted")
    model = ScriptedChatModel().enqueue(*(
        tool_call("submit_findings", {"findings": [finding], "summary": "x"})
        for _ in range(6)))

    summary = review_change(root, settings, DiffSource(), model_factory=lambda _: model,
                            llm=True, analyze=analyzers_for(settings))

    assert isinstance(summary, RunSummary)
    assert not summary.ledger.with_status(Status.SUPPRESSED)
    named_entries = [e for e in summary.ledger.entries if e.finding.title == "named by the model"]
    # recorded as outside the change, or refused where the reply is checked: never read
    assert all(e.status is Status.OUT_OF_SCOPE for e in named_entries), named_entries
    assert any(e.finding.file == "app.py" and e.finding.source == "bandit"
               for e in summary.ledger.entries)
