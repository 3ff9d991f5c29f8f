"""Does a pull request converge? A scripted 10-push PR history against the loopback GitHub
fake, with GitHub answering 502 after carrying out every Nth write, and the time to rebuild
the PR's findings from its comments.

    python benchmarks/ledger.py [--every 3] [--findings 500] [--runs 5]

Each push edits two files (moves lines, fixes findings, brings one back, adds a line next
to an open one, a force-push reviewed in full, …). The "analysis" at each head reports a
finding for every line holding a `BAD` marker; an incremental push reports only those on
lines it added (as an incremental review does) and says which part it re-read. After every
push the PR, as rebuilt from the bot's markers, is compared with the truth (the markers in
the content at that head):

* duplicate comments: inline comments for a finding already commented on, extra reviews for
  one head, extra summary comments — must be 0;
* false resolved: findings the PR shows fixed that the content still has — must be 0;
* false open: findings the PR shows open that the content no longer has (reported too).

Then it posts `--findings` inline comments on one PR and times rebuilding the PR's `Ledger`
from them (verifying every marker; target <= 1 s), and, for information, reading them over
loopback HTTP from the fake (REST pages of 100 and the GraphQL threads). Exit 1 when a
target is missed.
"""

from __future__ import annotations

import argparse
import difflib
import statistics
import sys
import time
from pathlib import Path

_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

from reviewloop.findings.schema import Finding, Severity  # noqa: E402
from reviewloop.git.diff import parse_diff  # noqa: E402
from reviewloop.github.client import GitHubClient  # noqa: E402
from reviewloop.github.converge import posted_ledger  # noqa: E402
from reviewloop.github.markers import read_marker, repository_key  # noqa: E402
from reviewloop.github.posted import fetch_state, read_state  # noqa: E402
from reviewloop.github.publish import Target, publish  # noqa: E402
from reviewloop.github.render import comment_body  # noqa: E402
from tests.support.github import GitHubFake, _public  # noqa: E402

REPO, PR = "octo/bench", 1
KEY = repository_key(4242)
Files = dict[str, list[str]]


def bad(n: int) -> str:
    return f"    value_{n} = eval(request_argument_{n})  # BAD{n}\n"


def filler(tag: str, count: int) -> list[str]:
    return [f"    x_{tag}_{i} = {i}\n" for i in range(count)]


def history() -> list[tuple[Files, bool]]:
    """(content, force-pushed) per push."""
    app = ["def app():\n", *filler("a", 4)]
    for n in range(1, 6):
        app += [bad(n), *filler(f"a{n}", 4)]
    lib = ["def lib():\n", *filler("l", 6), bad(6), *filler("m", 3), bad(7), *filler("n", 5)]
    steps: list[tuple[Files, bool]] = [({"app.py": app, "lib.py": lib}, False)]

    def step(change, force: bool = False) -> None:
        files = {k: list(v) for k, v in steps[-1][0].items()}
        change(files)
        steps.append((files, force))

    step(lambda f: f["app.py"].__setitem__(slice(1, 1), filler("top", 3)))  # 2: moves
    step(lambda f: (f["app.py"].remove(bad(2)), f["lib.py"].insert(3, bad(8))))  # 3: fix
    step(lambda f: f["app.py"].insert(30, bad(2)))  # 4: the fixed one comes back
    step(lambda f: f["app.py"].insert(f["app.py"].index(bad(1)) + 1,  # 5: next to an open
                                      "    log('near')\n"))
    step(lambda f: f["app.py"].__setitem__(f["app.py"].index(bad(3)), bad(9)))  # 6
    step(lambda f: (f["lib.py"].remove(bad(6)), f["lib.py"].remove(bad(7))))  # 7: two fixed
    step(lambda f: f["lib.py"].append("    pass\n"), force=True)  # 8: force-push
    step(lambda f: (f["lib.py"].__setitem__(slice(0, 0), filler("head", 2)),  # 9: moves, and
                    f["lib.py"].insert(9, bad(6))))  # a returning finding
    step(lambda f: f.__setitem__("app.py", [x for x in f["app.py"]  # 10: all but BAD1 fixed
                                            if "BAD" not in x or x == bad(1)]))
    return steps


def diff(old: Files, new: Files) -> str:
    out = []
    for path in sorted(set(old) | set(new)):
        before, after = old.get(path, []), new.get(path, [])
        if before == after:
            continue
        out.append(f"diff --git a/{path} b/{path}\n")
        out += difflib.unified_diff(before, after, "/dev/null" if not before else f"a/{path}",
                                    f"b/{path}")
    return "".join(out)


def analysis(files: Files, added: dict[str, set[int]] | None) -> list[Finding]:
    """A finding per BAD line; with `added`, only on those lines (an incremental review)."""
    found = []
    for path, lines in files.items():
        for number, text in enumerate(lines, 1):
            if "BAD" in text and (added is None or number in added.get(path, set())):
                rule = text.rsplit("BAD", 1)[1].strip()
                found.append(Finding(
                    agent="review-security", source="bench", rule=f"E{rule}", file=path,
                    start_line=number, end_line=number, title=f"eval of input {rule}",
                    rationale="eval runs what the caller sends.", confidence=0.9,
                    severity=Severity.MUST_FIX if int(rule) % 2 else Severity.SHOULD_FIX,
                ).with_code(lines))
    return found


def pr_findings(fake: GitHubFake):
    def plain(items):
        return [_public(i) for i in items]
    return read_state(plain(fake.state.review_comments), plain(fake.state.reviews),
                      plain(fake.state.issue_comments), KEY)


def read_open(fake: GitHubFake) -> dict[str, int]:
    """Open findings per severity as the summary comment's marker states them."""
    (summary,) = [m for m in (read_marker(c["body"], KEY, "summary")
                              for c in fake.state.issue_comments) if m]
    return summary.data["open"]


def duplicates(fake: GitHubFake) -> int:
    def marked(items, kind, pick):
        return [pick(m.data) for m in (read_marker(i["body"], KEY, kind) for i in items) if m]
    fps = marked(fake.state.review_comments, "finding", lambda d: d["f"]["fp"])
    heads = marked(fake.state.reviews, "review", lambda d: d["head"])
    summaries = marked(fake.state.issue_comments, "summary", lambda d: d["head"])
    return (len(fps) - len(set(fps))) + (len(heads) - len(set(heads))) + \
        max(len(summaries) - 1, 0)


def converge_history(every: int) -> tuple[int, int, int, int]:
    """(duplicates, false resolved, false open, faults) over the scripted history."""
    steps = history()
    dup = false_resolved = false_open = mismatched = 0
    with GitHubFake() as fake, GitHubClient("t", base_url=fake.url,
                                            sleep=lambda s: None) as client:
        fake.fail_after_writes(every)
        previous: Files = {}
        for n, (files, force) in enumerate(steps):
            head = f"{n + 1:040x}"
            full = diff({}, files)
            step = diff(previous, files)
            if n == 0:
                fake.open_pr(REPO, PR, full, head_sha=head)
            else:
                fake.push(REPO, PR, full, head_sha=head, force=force, moved_by=step)
            incremental = n > 0 and not force
            reviewed = parse_diff(step) if incremental else None
            added = {p: reviewed.changed_lines(p) for p in reviewed.paths} if reviewed else None
            result = publish(Target(client, REPO, PR, head, KEY), analysis(files, added),
                             parse_diff(full), f"push {n + 1}\n", reviewed=reviewed,
                             code=files.get)
            truth = {f.fingerprint for f in analysis(files, None)}
            posted = pr_findings(fake).findings
            dup += duplicates(fake)
            mismatched += result.open_counts != read_open(fake)
            false_resolved += sum(1 for fp in truth if posted.get(fp) is None
                                  or posted[fp].state != "open")
            false_open += sum(1 for fp, p in posted.items()
                              if p.state == "open" and fp not in truth)
            previous = files
        faults = len(fake.faults_after_write)
    assert mismatched == 0, "the summary's counts differ from the rebuilt PR ledger"
    return dup, false_resolved, false_open, faults


def rebuild_times(count: int, runs: int) -> tuple[float, float]:
    """Median seconds to rebuild `count` posted findings into the PR's `Ledger` from the
    comments' bodies, and to read them over HTTP from the fake (whose Python server and
    GraphQL executor dominate that figure; GitHub answers pages in its own time)."""
    lines = [f"    line_{i} = {i}\n" for i in range(count + 10)]
    with GitHubFake() as fake, GitHubClient("t", base_url=fake.url) as client:
        fake.open_pr(REPO, PR, diff({}, {"big.py": lines}), head_sha="a" * 40)
        for i in range(count):
            finding = Finding(agent="review-security", source="bench", rule=f"R{i}",
                              file="big.py", start_line=i + 1, end_line=i + 1,
                              title=f"problem {i}", rationale="because", confidence=0.5,
                              severity=Severity.SHOULD_FIX).with_code(lines)
            fake.add_review_comment(REPO, PR, path="big.py", line=i + 1,
                                    body=comment_body(finding, KEY))
        comments = [_public(c) for c in fake.state.review_comments]
        parse, fetch = [], []
        for _ in range(runs):
            start = time.perf_counter()
            ledger = posted_ledger(read_state(comments, [], [], KEY))
            parse.append(time.perf_counter() - start)
            assert len(ledger.unresolved) == count
            start = time.perf_counter()
            state = fetch_state(client, REPO, PR, KEY)
            fetch.append(time.perf_counter() - start)
            assert len(state.findings) == count and all(p.thread for p in
                                                        state.findings.values())
    return statistics.median(parse), statistics.median(fetch)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--every", type=int, default=3,
                        help="502 after carrying out every Nth write (default 3)")
    parser.add_argument("--findings", type=int, default=500)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    dup, false_resolved, false_open, faults = converge_history(args.every)
    parse_s, fetch_s = rebuild_times(args.findings, args.runs)
    print(f"10-push PR history, 502 after every {args.every}rd write ({faults} faults):")
    print(f"  duplicate comments: {dup}")
    print(f"  false resolved:     {false_resolved}")
    print(f"  false open:         {false_open}")
    print(f"rebuilding {args.findings} findings from the PR's comments (median of "
          f"{args.runs}):")
    print(f"  ledger from the comments:   {parse_s * 1000:.1f} ms  (target <= 1000 ms)")
    print(f"  reading them over HTTP:     {fetch_s * 1000:.1f} ms  (loopback fake, 5 REST "
          "pages + 5 GraphQL pages; informational)")
    ok = dup == 0 and false_resolved == 0 and parse_s <= 1.0
    print("targets met" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
