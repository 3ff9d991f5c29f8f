"""The base comparison `run_for_agent` makes for an analyzer that asks for it (`base_folders`,
`review.introduced`), with a small analyzer of its own: a finding the change brings about
off its lines is in the change, one the base had stays out; and what leaves `analyze` is
redacted, a failed tool's reason included."""

from __future__ import annotations

import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewloop.checks.analyzers.base import AnalyzerContext, AnalyzerError
from reviewloop.checks.analyzers.registry import ANALYZERS
from reviewloop.findings.schema import Finding, Severity
from reviewloop.git.diff import parse_diff
from reviewloop.git.scratch import EXPORT_PREFIX
from reviewloop.review.evidence import analyze, run_for_agent
from reviewloop.review.introduced import BaseTrees
from tests.support.analyzers import FakeAnalyzer, Repo, agent
from tests.support.repos import init_repo, write_files

TOKEN = "ghp_" + "aB3dE5fG7hJ9kL1mN3pQ5rS7tV9wX1yZ3b5C"
GUARDED = "resource {\n  name = 1\n}\nguard = true\n"


class NeedsGuard(FakeAnalyzer):
    """Flags line 1 of a file with no `guard` line, naming the file as its subject."""

    name = "needs-guard"

    def __init__(self, compares: bool = True):
        self.runs: list[AnalyzerContext] = []
        self.texts: list[dict[str, str]] = []  # what each run read
        if compares:
            self.base_folders = lambda ctx: ()

    def run(self, ctx: AnalyzerContext) -> list[Finding]:
        self.runs.append(ctx)
        self.texts.append({p: (ctx.root / p).read_text() for p in ctx.files})
        return [Finding(severity=Severity.MUST_FIX, file=p, start_line=1, end_line=1,
                        title="no guard", rationale="no guard line.", confidence=1.0,
                        agent="x", source="needs-guard", rule="G1", symbol=p)
                for p, text in self.texts[-1].items() if "guard" not in text]


def _review(tmp_path, base: str, head: str, analyzer: NeedsGuard):
    repo = Repo(tmp_path, {"infra/main.tf": base})
    diff = repo.change({"infra/main.tf": head})
    return run_for_agent(agent("review-infrastructure", ("needs-guard",)), repo.root, diff,
                         registry={"needs-guard": analyzer})


def test_a_deleted_guard_line_brings_its_finding_into_the_change(tmp_path):
    analyzer = NeedsGuard()

    report = _review(tmp_path, GUARDED, GUARDED.replace("guard = true\n", ""), analyzer)

    (found,) = report.findings
    assert found.introduced and "change introduced it" in found.rationale
    assert len(analyzer.runs) == 2  # the head, then the base: its file as it was
    assert analyzer.texts[1] == {"infra/main.tf": GUARDED}
    assert not analyzer.runs[1].root.exists()  # the base tree is removed afterwards


def test_the_reviewers_of_one_review_share_one_base_tree(tmp_path):
    """Every reviewer's analyzers compare in the review's one copy of the base
    (`BaseTrees`), side by side; it stays until the review closes it, then none is made."""
    repo = Repo(tmp_path, {"infra/main.tf": GUARDED})
    diff = repo.change({"infra/main.tf": GUARDED.replace("guard = true\n", "")})
    analyzers = [NeedsGuard() for _ in range(3)]
    with BaseTrees() as bases, ThreadPoolExecutor(3) as pool:
        reports = list(pool.map(lambda a: run_for_agent(
            agent("review-infrastructure", ("needs-guard",)), repo.root, diff,
            registry={"needs-guard": a}, bases=bases), analyzers))
        roots = {a.runs[1].root for a in analyzers}
        assert len(roots) == 1 and next(iter(roots)).is_dir()  # shared, not yet removed
        tree = bases.of(repo.root, diff, parse_diff(diff))
    assert all(r.findings and r.findings[0].introduced for r in reports)
    assert not next(iter(roots)).exists()
    with pytest.raises(RuntimeError, match="removed"):
        tree.at(("infra/main.tf",), ())


def test_the_base_of_a_head_exported_in_memory_is_made_in_memory(tmp_path, monkeypatch):
    """A review's head exported to the memory folder has its base rebuilt beside it (each
    file created on a VM's ext4 /tmp cost ~0.8 ms of kernel CPU: 60 base files, a tenth of a
    20k-line round); a checkout's base goes to the temporary folder, as before."""
    memory = tmp_path / "shm"
    memory.mkdir()
    monkeypatch.setattr("reviewloop.git.scratch.MEMORY", memory)
    monkeypatch.setattr("reviewloop.git.scratch.SPARE", 0)  # whatever this disk has free
    monkeypatch.delenv("TMPDIR", raising=False)
    repo = Repo(tmp_path / "repo", {"infra/main.tf": GUARDED})
    diff = repo.change({"infra/main.tf": GUARDED.replace("guard = true\n", "")})
    head = memory / f"{EXPORT_PREFIX}t"
    subprocess.run(["cp", "-a", str(repo.root), str(head)], check=True)
    with BaseTrees() as bases:
        made = bases.of(head, diff, parse_diff(diff)).at(("infra/main.tf",), ())
        checkout = bases.of(repo.root, diff, parse_diff(diff)).at(("infra/main.tf",), ())

        assert made.parent == memory and (made / "infra/main.tf").read_text() == GUARDED
        assert checkout.parent != memory and (checkout / "infra/main.tf").read_text() == GUARDED


# every break `str.splitlines` knows, and the ones git knows (LF, CRLF)
BREAKS = ["\n", "\r\n", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028",
          "\u2029"]


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ends=st.lists(st.sampled_from(BREAKS), min_size=1, max_size=12),
       at=st.integers(0, 11), data=st.data())
def test_the_base_is_rebuilt_as_git_has_it_whatever_breaks_the_file_holds(
        tmp_path_factory, ends, at, data):
    """A lone CR (or any break but LF) above or below a hunk is inside one of git's lines:
    the base is rebuilt from the diff byte for byte, not with a hunk on the wrong lines (read
    as text, each lone CR was a line of its own and the change's base got a second copy of
    the code under the hunk)."""
    lines = [f"line{n}{end}" for n, end in enumerate(ends)]
    base = "".join(lines) + "tail\n"
    at = min(at, len(lines))
    added = data.draw(st.sampled_from(["new\n", "new\r", "new\r\n", "new\u2028x\n"]))
    head = "".join(lines[:at]) + added + "".join(lines[at:]) + "tail\nend\n"
    root = init_repo(tmp_path_factory.mktemp("base") / "r", {"a.js": base.encode()})
    write_files(root, {"a.js": head.encode()})
    diff = subprocess.run(["git", "diff", "HEAD"], cwd=root, check=True,
                          capture_output=True).stdout.decode("utf-8", "surrogateescape")
    with BaseTrees() as bases:
        where = bases.of(root, diff, parse_diff(diff)).at(("a.js",), ())
        assert (where / "a.js").read_bytes() == base.encode()


@pytest.mark.parametrize("compares", [True, False])
def test_what_the_base_already_had_or_an_analyzer_that_does_not_compare_stays_out(
        tmp_path, compares):
    unguarded = GUARDED.replace("guard = true\n", "")
    analyzer = NeedsGuard(compares)

    report = _review(tmp_path, unguarded, unguarded + "# a comment\n", analyzer)

    assert report.findings == []
    assert len(analyzer.runs) == (2 if compares else 1)


class Leaky(FakeAnalyzer):
    name = "leaky"

    def run(self, ctx: AnalyzerContext) -> list[Finding]:
        raise AnalyzerError(f"the app did not synthesize; its output ends:\nGITHUB_TOKEN={TOKEN}")


def test_a_failed_tools_reason_leaves_analyze_redacted(tmp_path, monkeypatch):
    monkeypatch.setitem(ANALYZERS, "leaky", Leaky())
    repo = Repo(tmp_path, {"a.txt": "1\n"})
    diff = repo.change({"a.txt": "2\n"})

    report = analyze(agent("review-x", ("leaky",)), diff, repo.root)

    (health,) = report.health
    assert health.status == "failed" and "did not synthesize" in (health.reason or "")
    assert TOKEN not in (health.reason or "")
