"""`reviewloop report --html` of a real review, opened in a real headless Chromium (Debian's
`chromium`, driven by playwright without its own browser download): it renders with no
console message, every finding's title is on the page as text — a hostile title as written,
never as markup — and its screenshot is not blank.

Skipped, saying why, where Chromium or the `playwright` package is missing; `.ci/run`
installs both, so CI runs it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.support import warm_cli
from tests.support.bedrock import BedrockFake, tool_use
from tests.support.gitutil import git
from tests.support.loop_cli import CALLED, MODEL, fake_env
from tests.support.png import ink
from tests.support.repos import init_repo

CHROMIUM = os.environ.get("REVIEWLOOP_CHROMIUM") or shutil.which("chromium") or \
    shutil.which("chromium-browser")
sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not "
                               "installed (pip install -e '.[dev]')")
pytestmark = [pytest.mark.timeout(600),
              pytest.mark.skipif(CHROMIUM is None, reason="no Chromium: apt-get install -y "
                                 "chromium (or set REVIEWLOOP_CHROMIUM to its path)")]
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
HOSTILE = "<img src=x onerror=\"console.error('xss')\"><script>console.error(1)</script>shell"
SHELL = "import subprocess\n\n\ndef run(cmd):\n    return subprocess.call(cmd, shell=True)\n"


def reviewed(tmp_path: Path) -> Path:
    """A review of a real change with a model (the loopback Bedrock fake behind the real
    client): bandit's findings, and the security reviewer's own with a hostile title."""
    root = init_repo(tmp_path / "r", {"README.md": "demo\n"})
    (root / "runner.py").write_text(SHELL)
    git(root, "add", "runner.py")
    finding = {"severity": "should_fix", "file": "runner.py", "start_line": 4, "end_line": 4,
               "title": HOSTILE, "rationale": "</pre><b>bold?</b> runs any command",
               "suggestion": "pass a list", "confidence": 0.9}
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "AWS_"))}
    with BedrockFake() as fake:
        env.update(fake_env(fake))
        for name in CALLED:
            answer = [finding] if name == "review-security" else []
            fake.script(f"agent: {name}", [tool_use("submit_findings", {"findings": answer},
                                                    input_tokens=2400, output_tokens=180)])
        done = warm_cli.run(["review", "--staged", "--model", MODEL], root, env=env,
                            timeout=300)
    assert done.returncode == 1, done.stdout + done.stderr  # the findings block
    page = warm_cli.run(["report", "--html", "--output", str(tmp_path / "report.html")],
                        root, env=env, timeout=120)
    assert page.returncode == 0, page.stdout + page.stderr
    return tmp_path / "report.html"


def test_the_report_of_a_real_review_renders_in_chromium_with_every_title(tmp_path: Path):
    report = reviewed(tmp_path)
    messages: list[str] = []
    with sync_api.sync_playwright() as play:
        # playwright gives the browser a fresh profile of its own for each launch
        browser = play.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("console", lambda m: messages.append(f"{m.type}: {m.text}"))
            page.on("pageerror", lambda e: messages.append(f"pageerror: {e}"))
            page.on("request", lambda r: messages.append(f"request: {r.url}")
                    if not r.url.startswith("file:") else None)
            page.goto(report.as_uri(), wait_until="load")
            findings = page.inner_text("#findings")
            body = page.inner_text("body")
            shot = page.screenshot(full_page=True)
            images = page.locator("img").count() + page.locator("script").count()
            bars = page.locator(".tl-bar").count()
            titles = page.locator(".finding h3 .title")
            shown = {t.inner_text(): t.bounding_box() for t in titles.all()}
        finally:
            browser.close()
    assert messages == []  # no console error, no script ran, nothing fetched
    assert images == 0
    for title in (HOSTILE, "subprocess call with shell=True identified, security issue."):
        assert title in findings, title
    assert all(box and box["width"] > 0 and box["height"] > 0 for box in shown.values())
    assert HOSTILE in shown  # a title element holding the hostile title as its text
    assert "Verdict: not clean" in body and "Coverage matrix" in body
    # a bar per reviewer call with its tokens: the reviewers asked in one call, 2,580 each
    assert bars >= 5 and f"{len(CALLED) * 2580:,} tok" in body
    assert " + ".join(CALLED) in body  # that call's bar names them all
    assert ink(shot) > 0.02  # the screenshot is a rendered page, not a blank one
