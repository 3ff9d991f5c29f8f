"""Which changed files the model reviewers skip, decided from the trusted side only, and what
the untrusted change does to hide a file, reported as a 🟡 `hides-from-review` finding.

The rules (`reviewloop.policy.classification`) only ever keep a file from a model; analyzers
read every changed text file regardless. Who may classify:

* a local review of the user's own change (`TrustedSide.local()`): the checkout — its
  `.gitattributes`, markers and paths count as they are;
* `review --base/--head` and PR mode (`TrustedSide.base(commit, change)`): the base commit's
  `.gitattributes`, a marker the base version of the file already carried, a vendored or
  generated path the base already had, built output its ecosystem marks on the base
  (`policy.built_output`: the base's package.json and tsconfig.json, a `.d.ts` beside the
  base's compiled `.js`, a `.js` beside the base's source map, the CDK's `cdk.out/`);
* a task run (`TrustedSide()`): the run's baseline snapshot, the same way.

What the change adds itself — a marker in a file the base had without it (or a new file),
a `.gitattributes` line that marks files binary, generated or vendored, a new file with a
generated or lock-file name, a vendored folder the base does not have — is reported and not
honoured: the file is analysed and sent to the model reviewers like any other. A new file
in a vendored folder the base already has (a dependency update) is classified by the base,
as a changed file there is; a new vendored folder is reported once, not once per file.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

from reviewloop.checks.analyzers.base import short_title
from reviewloop.findings.schema import Finding, Severity
from reviewloop.git import trees
from reviewloop.git.diff import ChangeSet, FileDiff, FileStatus
from reviewloop.git.names import posix_name
from reviewloop.git.repository import Repository
from reviewloop.git.reverse import git_lines
from reviewloop.git.sizes import MAX_FILE_BYTES
from reviewloop.policy import built_output
from reviewloop.policy import classification as rules
from reviewloop.policy.trust import Trust
from reviewloop.review.readable import Readability

RULE = "hides-from-review"
NOT_SENT = "analysed, not sent to a model"
_GITATTRIBUTES = ".gitattributes"
_HEAD_CHARS = 4096  # of a file, enough for its first lines
_WHOLE = MAX_FILE_BYTES  # of a .gitattributes: the one size limit (git.sizes)
_MAX_LISTED = 5


@dataclass(frozen=True)
class TrustedSide:
    """Whose file classification a review honours (the run context carries one)."""

    tree: str | None = None  # the base commit (review --head, PR mode)
    trust: Trust = field(default_factory=Trust)  # with `tree`: what the change after it wrote
    everything: bool = False  # a local review: the change is the user's own
    # neither: a task run, whose baseline snapshot is trusted and the model's change is not

    @classmethod
    def local(cls) -> TrustedSide:
        return cls(everything=True)

    @classmethod
    def base(cls, commit: str, change: ChangeSet) -> TrustedSide:
        """`commit` is trusted; `change` is everything from it to the reviewed head."""
        return cls(tree=commit, trust=Trust.from_changes(change))

    def resolved(self, baseline: str, whole: Callable[[], ChangeSet]
                 ) -> tuple[str | None, Trust]:
        """(trusted tree, Trust) for a round: a run's own `baseline` tree and `whole()`, the
        change since it, when no base commit was named."""
        if self.everything:
            return None, Trust.everything()
        if self.tree is not None:
            return self.tree, self.trust
        return baseline, Trust.from_changes(whole())

    def for_analyzers(self, baseline: str, whole: Callable[[], ChangeSet],
                      checkout: Path) -> Trust:
        """The `Trust` an analyzer reads the project's own config by: `resolved`, with the
        trusted tree as its `base` (where a touched file's trusted version is read) in the
        repository at `checkout` (the analyzed files may be an export of a head commit)."""
        tree, trust = self.resolved(baseline, whole)
        if tree is None:
            return trust
        return replace(trust, base=trust.base or tree, checkout=str(checkout))


@dataclass(frozen=True)
class Classification:
    skipped: Mapping[str, str] = field(default_factory=dict)  # path → why no model reads it
    flags: tuple[Finding, ...] = ()  # what the change does to hide a file


def classify(repo: Repository, changes: ChangeSet, root: Path, tree: str | None,
             trust: Trust) -> Classification:
    """Classify the changed files whose content is in `root`; `tree` is the trusted side
    (None: the checkout, which is then trusted as a whole)."""
    files = [f for f in changes.files if f.status is not FileStatus.DELETED]
    paths = [f.path for f in files]
    readable = Readability.of(root)  # each file asked once
    if tree is None or trust.trusted_all:
        attrs = trees.attributes(repo, None, paths)
        built = _built(lambda p: (root / p).is_file(), lambda p: _head(readable, p, _WHOLE))
        return Classification(skipped={p: f"{r}; {NOT_SENT}" for p in paths if (
            r := rules.attribute_reason(attrs[p]) or rules.path_reason(p) or built(p)
            or _marked(_head(readable, p)))})
    attrs = trees.attributes(repo, tree, paths)
    asked = trees.present(repo, tree, {c for p in paths if built_output.asks(p)
                                       for c in built_output.candidates(p)})
    built = _built(asked.__contains__, lambda p: trees.file_start(repo, tree, p, _WHOLE))
    in_base = trees.present(repo, tree, paths)
    placed = in_base | _vendored_in_base(repo, tree, paths)  # where the base puts such files
    skipped: dict[str, str] = {}
    flags: list[Finding] = []
    new_paths: dict[str, list[FileDiff]] = {}
    for diff in files:
        path = diff.path
        head = rules.marker(_head(readable, path, newlines=False))  # on git's lines
        trusted = rules.attribute_reason(attrs[path]) or (
            rules.path_reason(path) if path in placed else None) or built(path) or (
            _marked(trees.file_start(repo, tree, path, _HEAD_CHARS) or "")
            if head is not None and path in in_base else None)
        if trusted is not None:
            skipped[path] = f"{trusted}, in the base; {NOT_SENT}"
        elif head is not None:  # named by its line, not quoted: the file may hold secrets
            flags.append(_flag(path, head[0], path, f"a generated-code marker to the first "
                               f"lines of {path} (line {head[0]})"))
        elif rules.path_reason(path) is not None:
            new_paths.setdefault(rules.vendored_root(path) or path, []).append(diff)
    flags += [_path_flag(key, group) for key, group in sorted(new_paths.items())]
    flags += _attribute_flags(repo, changes, readable, tree, trust)
    return Classification(skipped=skipped, flags=tuple(flags))


def _built(present: Callable[[str], bool], text: Callable[[str], str | None]
           ) -> Callable[[str], str | None]:
    """`built_output.built_reason` on one side's files, each package.json read once."""
    read = cache(text)
    return lambda path: built_output.built_reason(path, present, read)


def _vendored_in_base(repo: Repository, tree: str, paths: Sequence[str]) -> set[str]:
    """Paths in a vendored folder the base already has: adding a file there is like changing
    one that is there (a dependency update), so the base's folder classifies it."""
    roots = {p: root for p in paths if (root := rules.vendored_root(p)) is not None}
    known = trees.folders(repo, tree, {root.rstrip("/") for root in roots.values()})
    return {p for p, root in roots.items() if root.rstrip("/") in known}


def _marked(text: str) -> str | None:
    return "generated code (marked so in its first lines)" if rules.marker(text) else None


def _head(readable: Readability, path: str, limit: int = _HEAD_CHARS, *,
          newlines: bool = True) -> str:
    """The start of the changed file as the change leaves it ("" when it may not be read)."""
    return readable.text_start(path, limit, newlines=newlines)


def _lines(text: str) -> list[str]:
    """`text`'s lines as git reads `.gitattributes`: at LF, a CRLF's CR dropped."""
    return [line.removesuffix("\n").removesuffix("\r") for line in git_lines(text)]


def _path_flag(key: str, group: Sequence[FileDiff]) -> Finding:
    first = min(group, key=lambda d: d.path)
    reason = rules.path_reason(first.path) or "hidden by its path"
    what = first.path if len(group) == 1 and key == first.path else \
        f"{len(group)} new file(s) under {key}"
    line = first.added_lines[0] if first.added_lines else 1
    return _flag(first.path, line, what, f"a new path that reads as {reason} "
                 f"({_listed([d.path for d in group])})")


def _attribute_flags(repo: Repository, changes: ChangeSet, readable: Readability, tree: str,
                     trust: Trust) -> list[Finding]:
    """One finding per changed `.gitattributes` with lines the untrusted change wrote (in any
    round: the whole file is read, not only this round's diff) that mark files binary,
    generated, vendored or with an unknown diff driver (macros of either side expanded)."""
    touched = [d.path for d in changes.files if posix_name(d.path) == _GITATTRIBUTES]
    if not touched:
        return []
    defined = {**rules.macros(_lines(trees.file_start(repo, tree, _GITATTRIBUTES, _WHOLE)
                                     or "")),
               **rules.macros(_lines(_head(readable, _GITATTRIBUTES, _WHOLE, newlines=False)))}
    flags = []
    for path in touched:
        # git's lines, as git reads the file and as `trust` and the finding number them (a
        # lone CR or a form feed is inside one)
        hiding = [(number, parsed[0], reason) for number, text in enumerate(
                      _lines(_head(readable, path, _WHOLE, newlines=False)), 1)
                  if not trust.line(path, number)
                  and (parsed := rules.attribute_line(text)) is not None
                  and (reason := rules.tokens_reason(parsed[1], defined)) is not None]
        if hiding:
            line, pattern, reason = hiding[0]
            what = "files matching " + ", ".join(f"`{p}`" for _, p, _ in hiding[:_MAX_LISTED])
            flags.append(_flag(path, line, what, f"{_GITATTRIBUTES} lines that make files "
                               f"{reason.split(' by ', 1)[0]} (line {line}: `{pattern}`)"))
    return flags


def _listed(paths: Sequence[str]) -> str:
    shown = ", ".join(sorted(paths)[:_MAX_LISTED])
    return shown + (f" and {len(paths) - _MAX_LISTED} more" if len(paths) > _MAX_LISTED else "")


def _flag(path: str, line: int, what: str, how: str) -> Finding:
    return Finding(
        severity=Severity.SHOULD_FIX, file=path, start_line=line, end_line=line,
        title=short_title(f"this change hides {what} from review"), confidence=1.0,
        agent="review-security", source="reviewloop", rule=RULE,
        rationale=(f"The change adds {how}. reviewloop keeps files classified as generated, "
                   "vendored, lock files or binary away from its model reviewers, but only "
                   "when the trusted side (the base commit, or the run's starting point) "
                   "classifies them; this classification comes from the change itself, so "
                   "this review analysed the files and sent them to the reviewers anyway. "
                   "Once merged, later changes to them would reach no model reviewer "
                   "(analyzers still read them)."),
        suggestion=("If the files really are generated or vendored, have a maintainer "
                    "confirm it, ideally in a change of its own; otherwise drop the marker, "
                    "attribute or path."))
