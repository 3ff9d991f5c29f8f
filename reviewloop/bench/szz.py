"""Cases from the history, as the SZZ approach finds them: commits that fix bugs, the lines
each fix removed or changed traced back (blame of the fix's parent) to the commits that
wrote them; each such commit is a case, labelled with the lines the later fix touched.

The labels are noisy by nature (a fix may touch a line that was not the bug, a bug may be
fixed by adding lines only, which SZZ cannot trace): docs/bench.md says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from reviewloop.bench.cases import Case, Label
from reviewloop.bench.noise import comment_only
from reviewloop.git.ancestry import newest_first
from reviewloop.git.history import (
    Commit,
    Origin,
    blame,
    commit,
    file_text,
    fix_lines,
    log,
    shallow_cut,
)
from reviewloop.git.repository import Repository

# Conventional commits' `fix:`/`fix(scope):`, "fixes a crash", "bug", "regression",
# "hotfix", and the issue-closing keywords GitHub and GitLab know ("closes #12").
FIX_PATTERNS = (
    r"\bfix(e[sd]|ing)?\b",
    r"\bbug(fix)?s?\b",
    r"\bregressions?\b",
    r"\bhotfix(es)?\b",
    r"\b(close[sd]?|resolve[sd]?)\s+#\d+",
)
_ISSUE = re.compile(r"#(\d+)\b")
# a commit a shallow clone holds without its parents: not a root, the history is cut there
_CUT = "the shallow clone's cut (its parents were not fetched)"


@dataclass(frozen=True)
class FixRule:
    """Which commits fix bugs: the given ones (`commits`, None when none were given: an
    empty tuple is a list that names none, not "use the patterns"), else those whose message
    matches a pattern or names one of `issues` (`#N`, issues known to be bugs)."""

    patterns: tuple[str, ...] = FIX_PATTERNS
    issues: frozenset[int] = frozenset()
    commits: tuple[str, ...] | None = None

    def compiled(self) -> list[re.Pattern[str]]:
        return [re.compile(p, re.IGNORECASE) for p in self.patterns]

    def fixes(self, message: str, compiled: Iterable[re.Pattern[str]]) -> bool:
        if any(int(n) in self.issues for n in _ISSUE.findall(message)):
            return True
        return any(p.search(message) for p in compiled)


@dataclass
class Mined:
    """The cases found, and why each fix or line that gave none was left out."""

    cases: list[Case] = field(default_factory=list)
    fixes: int = 0
    skipped: list[str] = field(default_factory=list)
    shallow: bool = False  # a shallow clone: its cut hides what lies before it


def mine(repo: Repository, rule: FixRule, rev: str = "HEAD") -> Mined:
    """The cases the fix commits in `rev` (or the given ones) trace back to, newest
    introducing commit first."""
    history = log(repo, rev)
    cut = shallow_cut(repo)
    if rule.commits is not None:  # one commit given twice (or by a short id) is one fix
        fixes = list({c.sha: c for c in (commit(repo, rev) for rev in rule.commits)}.values())
    else:
        patterns = rule.compiled()
        fixes = [c for c in history if rule.fixes(c.message, patterns)]
    mined = Mined(fixes=len(fixes), shallow=cut is not None)
    traced: dict[str, dict[Label, None]] = {}
    fixed_by: dict[str, list[str]] = {}
    for fix in fixes:
        for origin in _origins(repo, fix, mined.skipped, cut or frozenset()):
            traced.setdefault(origin.commit, {})[Label(path=origin.path, line=origin.line)] = None
            fixed_by.setdefault(origin.commit, [])
            if fix.sha not in fixed_by[origin.commit]:
                fixed_by[origin.commit].append(fix.sha)
    # newest first in the whole history: a commit before `--rev`'s range is placed by it too
    for sha in newest_first(repo, traced):
        introducing = commit(repo, sha)
        if not introducing.parents:
            mined.skipped.append(f"{sha[:12]} {introducing.subject}: " + (
                _CUT if sha in (cut or ()) else "the root commit") + ", no parent to review "
                "it against")
            continue
        labels = sorted(traced[sha], key=lambda label: (label.path, label.line))
        mined.cases.append(Case(id=sha, source="history", base=introducing.parents[0],
                                head=sha, labels=labels, fixes=fixed_by[sha],
                                description=introducing.subject))
    return mined


def _origins(repo: Repository, fix: Commit, skipped: list[str], cut: frozenset[str]
             ) -> list[Origin]:
    """Where the lines `fix` removed or changed were written (blank and comment-only lines,
    and lines from a root or boundary commit, left out). What cannot be traced (a deleted
    file, a file replaced by another kind, a submodule) is named in `skipped`; the rest of
    the fix still gives its cases. `cut`: a shallow clone's commits held without parents."""
    what = f"fix {fix.sha[:12]} {fix.subject}"
    if not fix.parents:
        skipped.append(f"{what}: {_CUT if fix.sha in cut else 'a root commit'}, nothing "
                       "before it to blame")
        return []
    parent = fix.parents[0]
    changed = fix_lines(repo, parent, fix.sha)
    skipped += [f"{what}: {why}" for why in changed.untraced]
    removed: dict[str, list[int]] = {}
    for line in changed.removed:
        removed.setdefault(line.path, []).append(line.line)
    by_path: dict[str, list[int]] = {}
    for path, lines in removed.items():  # blank and comment-only lines, as its language says
        noise = comment_only(path, file_text(repo, parent, path), lines)
        if code := [n for n in lines if n not in noise]:
            by_path[path] = code
    if not by_path:
        if not changed.untraced:
            skipped.append(f"{what}: removes or changes no code line (SZZ cannot trace a "
                           "fix that only adds lines)")
        return []
    found = [o for path, lines in by_path.items() for o in blame(repo, parent, path, lines)]
    if rooted := sum(o.boundary for o in found):
        where = "the shallow clone's cut or a root commit" if cut else "a root or boundary commit"
        skipped.append(f"{what}: {rooted} line(s) written by {where} (no parent to review "
                       "them against)")
    return [o for o in found if not o.boundary]
