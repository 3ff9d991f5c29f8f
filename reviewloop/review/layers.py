"""Which files of a chunk go into the reviewers' shared, cached prefix, and which a reviewer
is sent after it, when the reviewers' scopes (`include`/`exclude`) differ.

A file every *sharing* reviewer of the chunk covers is in the prefix: written once, read by
the others at 0.1×. A file only some of them cover is sent, after the prefix, to those whose
scope holds it (uncached, and only to them). A reviewer shares the prefix when its scope
holds at least half the chunk's diff; one whose scope holds less (the infrastructure
reviewer on a change that is mostly code) gets a prefix of its own files instead, so that a
small scope never takes the common files out of everyone's prefix.

A change to code and its documentation is the usual case: the performance and test-quality
reviewers leave `*.md` out, so the code is the prefix of all four and the documentation is
sent to the security and maintainability reviewers alone (before, the two that leave it out
each had a prefix of their own: the code written to the cache twice).

The files after the prefix are a cached part of their own, right after it, when another
sharing reviewer is sent the very same files (`Layers.after_cached`): the first of them
writes the part (1.25×) and the others read it (0.1× each) instead of each paying for it
(1× each). Bedrock caches per model: only reviewers on the same model count as "another".
A part shorter than the model's minimum for a cache checkpoint
(`cache_gate.cache_min_tokens`) cannot be cached and stays in the reviewer's own text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from reviewloop.agent.models import estimate_tokens
from reviewloop.git.diff import parse_diff
from reviewloop.review.chunks import Chunk
from reviewloop.review.definitions import AgentDefinition


@dataclass(frozen=True)
class Layers:
    """The chunk's files in the shared prefix, and the reviewers that read it."""

    common: tuple[str, ...]
    sharing: frozenset[str]
    # each sharing reviewer's files outside `common`, sent after the prefix, and how many
    # calls on its model send those same files (reviewers asked in one call count once)
    rests: tuple[tuple[str, tuple[str, ...], int], ...] = ()

    def rest(self, name: str) -> tuple[str, ...]:
        return next((paths for who, paths, _ in self.rests if who == name), ())

    def after_cached(self, name: str, tokens: int, minimum: int) -> bool:
        """Whether reviewer `name`'s files after the prefix (`tokens` of them as sent) are a
        cached part: another call sends the same files, and the part holds the `minimum` a
        cache checkpoint needs."""
        return next((bool(paths) and calls > 1 and tokens >= minimum
                     for who, paths, calls in self.rests if who == name), False)


def layers(chunk: Chunk, reviewers: Sequence[AgentDefinition],
           together: Sequence[Sequence[str]] = (),
           models: Mapping[str, str] | None = None) -> Layers | None:
    """None when every reviewer of the chunk covers all its files (the whole chunk is the
    prefix, as it always was) or when no set of files is shared by the reviewers that cover
    most of it. `together`: the groups of the chunk's reviewers asked in one call; `models`:
    each reviewer's model (a cached part is read only by calls on the model that wrote it)."""
    mine = [r for r in reviewers if any(r.applies_to(p) for p in chunk.paths)]
    if all(r.applies_to(p) for r in mine for p in chunk.paths):
        return None
    sizes = {f.path: len(f.text) for f in parse_diff(chunk.diff, source=f"chunk {chunk.index}"
                                                     ).files}
    whole = sum(sizes.values())
    sharing = [r for r in mine
               if 2 * sum(n for p, n in sizes.items() if r.applies_to(p)) >= whole]
    common = tuple(p for p in chunk.paths if all(r.applies_to(p) for r in sharing))
    if len(sharing) < 2 or not common:
        return None
    call = {name: names[0] for names in together for name in names}
    rest = {r.name: tuple(p for p in chunk.paths if r.applies_to(p) and p not in common)
            for r in sharing}
    model = dict(models or {})
    rests = tuple((name, paths, len({call.get(who, who) for who, same in rest.items()
                                     if same == paths and model.get(who) == model.get(name)}))
                  for name, paths in rest.items())
    return Layers(common=common, sharing=frozenset(r.name for r in sharing), rests=rests)


def part(chunk: Chunk, paths: Sequence[str]) -> Chunk:
    """The chunk with only `paths`' diff."""
    files = parse_diff(chunk.diff, source=f"chunk {chunk.index}").files
    diff = "".join(f.text for f in files if f.path in paths)
    return chunk.model_copy(update={"paths": tuple(p for p in chunk.paths if p in paths),
                                    "diff": diff, "tokens": estimate_tokens(diff)})
