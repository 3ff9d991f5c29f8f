"""What the implementer is told about a task: its text, requirements, design and steering.

Requirement references are looked up by shape: `2.3` is acceptance criterion 3 of the
`### Requirement 2` section (Kiro, any language), `2` the whole section; `US1` is the
`User Story 1` section (Spec Kit); anything else (`FR-1`, `NFR-2`, `FR-001`) is the heading
or list item that starts with that label. Design sections are chosen by the requirement
ids and key words they share with the task, bounded in number and size.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from reviewloop.spec import markdown as md
from reviewloop.spec import steering as steering_files
from reviewloop.spec.model import Diagnostic, Spec, Task
from reviewloop.spec.steering import SteeringFile
from reviewloop.spec.steering_set import render_steering

MAX_DESIGN_SECTIONS = 4
MAX_DESIGN_CHARS = 6000
MAX_SECTION_CHARS = 2500
MAX_REQUIREMENT_CHARS = 3000

_REQ_WORD = re.compile(r"requirement|validates|\breq\b|需求|要件|要求|요구", re.IGNORECASE)
_NUMBER = re.compile(r"\d+(?:\.\d+)*")
_KIRO_REF = re.compile(r"\d+(?:\.\d+)?")
_STORY_REF = re.compile(r"US-?0*(\d+)", re.IGNORECASE)
_STORY_HEADING = re.compile(r"user\s+story\s+0*(\d+)\b", re.IGNORECASE)
_LABEL = re.compile(r"(?<![A-Za-z0-9])([A-Za-z]{1,6})-?0*(\d+(?:\.\d+)*)(?![\w]|\.\d)")
_ITEM = re.compile(r"^ {0,3}(\d+)[.)]\s+")
_CRITERIA_HEADING = re.compile(r"acceptance|criteria|scenario|验收|受け入れ|수락",
                               re.IGNORECASE)
_IDENT = re.compile(r"`([^`\n]{2,80})`")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]{3,}")
_CJK = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]{2,}")
_MANUAL = re.compile(r"(?<![\w&#])#([A-Za-z0-9][\w.-]*)")
_STOP = frozenset(
    "with that this from into when then than have must should each also only more "
    "implement implementation create write tests test task tasks using update make add "
    "ensure support handle based data file files code system will their there".split())


@dataclass(frozen=True)
class Excerpt:
    """A piece of a requirements or design document, with the refs that led to it."""

    heading: str
    text: str
    refs: tuple[str, ...] = ()


@dataclass(frozen=True)
class TaskContext:
    task: Task
    parent_title: str | None = None
    requirements: tuple[Excerpt, ...] = ()
    missing_requirements: tuple[str, ...] = ()  # refs not found in the document
    design: tuple[Excerpt, ...] = ()
    steering: tuple[SteeringFile, ...] = ()
    paths: tuple[str, ...] = ()  # paths the task touches or mentions
    diagnostics: tuple[Diagnostic, ...] = ()  # from steering front matter


def task_context(spec: Spec, task: Task, *, paths: Sequence[str] = ()) -> TaskContext:
    parent = spec.task(task.parent) if task.parent else None
    text = task_text(task)
    found, missing = requirement_excerpts(spec.requirements_text or "", task.requirements) \
        if spec.requirements_text else ((), ())
    design = design_excerpts(spec.design_text or "", task) if spec.design_text else ()
    all_paths = tuple(dict.fromkeys([*paths, *mentioned_paths(text)]))
    files = steering_files.load_layered(spec.steering_dir, constitution=spec.constitution_file)
    chosen = steering_files.applicable(files, all_paths, manual_names(text), text=text)
    return TaskContext(
        task=task, parent_title=parent.title if parent else None, requirements=tuple(found),
        missing_requirements=tuple(missing), design=tuple(design), steering=tuple(chosen),
        paths=all_paths,
        diagnostics=tuple(f.diagnostic for f in files if f.diagnostic is not None),
    )


def task_text(task: Task) -> str:
    return "\n".join([task.title, *task.details])


def manual_names(text: str) -> list[str]:
    """The steering files task text names (`#api-standards`, `#2fa-rules`): a name ends at
    its last letter or digit, so a sentence's full stop (`… follow #api-standards.`) is
    not part of it."""
    return [name.rstrip(".-") for name in _MANUAL.findall(text) if name.rstrip(".-")]


def mentioned_paths(text: str) -> list[str]:
    """Paths named in task text: back-ticked ones, and bare words holding a `/.ext` path."""
    found: list[str] = []
    quoted = _IDENT.findall(text)
    for raw in [*quoted, *text.split()]:
        word = raw.strip("`'\"()[]{},;:").removesuffix(".")
        if " " in word or "://" in word:
            continue
        looks_like_file = re.search(r"[\w-]\.[A-Za-z][A-Za-z0-9]{0,7}$", word) is not None
        if looks_like_file and ("/" in word or raw in quoted) and word not in found:
            found.append(word)
    return found


# ---- requirements ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Section:
    level: int
    heading: str
    start: int  # index of the heading line
    body_end: int  # next heading of any level
    end: int  # next heading of the same or a higher level


def _sections(lines: list[md.Line]) -> list[_Section]:
    heads = [(i, line.heading_level, line.heading or "") for i, line in enumerate(lines)
             if line.is_heading]
    found = []
    for n, (index, level, heading) in enumerate(heads):
        later = heads[n + 1:]
        body_end = later[0][0] if later else len(lines)
        end = next((i for i, lv, _ in later if lv <= level), len(lines))
        found.append(_Section(level, md.strip_emphasis(heading), index, body_end, end))
    return found


def requirement_excerpts(text: str, refs: Iterable[str]) -> tuple[list[Excerpt], list[str]]:
    """Excerpts for `refs`, grouped by requirement section, and the refs not found."""
    lines = list(md.iter_lines(text))
    sections = _sections(lines)
    groups: dict[str, tuple[_Section | None, list[str], str]] = {}
    missing: list[str] = []
    for ref in refs:
        hit = _locate(ref, lines, sections)
        if hit is None:
            missing.append(ref)
            continue
        key, section, item = hit
        groups.setdefault(key, (section, [], item))[1].append(ref)
    excerpts = [_excerpt(lines, section, group_refs, item)
                for section, group_refs, item in groups.values()]
    return [e for e in excerpts if e is not None], missing


def undefined_requirements(text: str, tasks: Iterable[Task]) -> list[tuple[Task, str]]:
    """(task, ref) for each Kiro criterion (`3.4`) or requirement (`3`) a task names that
    `text` (requirements.md) does not hold: its implementer would get no text for it. Only
    when some ref does resolve, so a file numbered another way is not flagged line by line."""
    lines = list(md.iter_lines(text))
    sections = _sections(lines)

    def defined(ref: str) -> bool:
        section = _requirement_section(sections, ref.split(".")[0])
        if section is None or "." not in ref:
            return section is not None
        numbered = any(_ITEM.match(line.text) for line in lines[section.start + 1:section.end])
        return not numbered or bool(_criterion(lines, section, ref.split(".", 1)[1]))

    named = [(t, r) for t in tasks for r in t.requirements if _KIRO_REF.fullmatch(r)]
    found = {ref: defined(ref) for _, ref in named}
    return [(t, r) for t, r in named if not found[r]] if any(found.values()) else []


def _locate(ref: str, lines: list[md.Line],
            sections: list[_Section]) -> tuple[str, _Section | None, str] | None:
    """(group key, section or None, the item text when the ref names one line)."""
    if _KIRO_REF.fullmatch(ref):
        major = ref.split(".")[0]
        section = _requirement_section(sections, major)
        return (f"req:{major}", section, "") if section else None
    story = _STORY_REF.fullmatch(ref)
    if story:
        section = next((s for s in sections if (m := _STORY_HEADING.search(s.heading))
                        and m[1] == story[1]), None)
        if section:
            return f"story:{story[1]}", section, ""
    key = _label_key(ref)
    if key is None:
        return None
    section = next((s for s in sections if _first_label(s.heading) == key), None)
    if section:
        return f"label:{key}", section, ""
    item = _label_item(lines, key)
    return (f"label:{key}", None, item) if item else None


def _requirement_section(sections: list[_Section], number: str) -> _Section | None:
    candidates = [s for s in sections if (m := _NUMBER.search(s.heading)) and m[0] == number]
    preferred = [s for s in candidates if _REQ_WORD.search(s.heading)]
    found = preferred or candidates
    return found[0] if found else None


def _label_key(ref: str) -> tuple[str, str] | None:
    match = _LABEL.fullmatch(ref.strip())
    return (match[1].upper(), match[2]) if match else None


def _first_label(text: str) -> tuple[str, str] | None:
    match = _LABEL.search(text)
    return (match[1].upper(), match[2]) if match else None


def _label_item(lines: list[md.Line], key: tuple[str, str]) -> str:
    """The list item or line that starts with the label, with its indented continuation."""
    for index, line in enumerate(lines):
        if line.in_fence or line.is_blank:
            continue
        start = md.strip_bullet(line.text) if md.is_bullet(line.text) else line.text.strip()
        if _first_label(start[:24]) != key or not start.lstrip("*_`").upper().startswith(key[0]):
            continue
        block = [line.text.strip()]
        for follow in lines[index + 1:]:
            if follow.is_blank or follow.indent <= line.indent or follow.is_heading:
                break
            block.append(follow.text.rstrip())
        return "\n".join(block)
    return ""


def _excerpt(lines: list[md.Line], section: _Section | None, refs: list[str],
             item: str) -> Excerpt | None:
    if section is None:
        return Excerpt(heading=refs[0], text=item, refs=tuple(refs))
    whole = not all("." in r and _KIRO_REF.fullmatch(r) for r in refs)
    if whole:
        body = _join(lines[section.start + 1:section.end])
    else:
        criteria = [_criterion(lines, section, r.split(".", 1)[1]) for r in refs]
        body = "\n".join(filter(None, [_preamble(lines, section), *filter(None, criteria)]))
    return Excerpt(heading=section.heading, text=_cap(body, MAX_REQUIREMENT_CHARS),
                   refs=tuple(refs))


def _preamble(lines: list[md.Line], section: _Section) -> str:
    """The lines before a requirement's criteria: usually its user story."""
    kept = []
    for line in lines[section.start + 1:section.end]:
        if line.is_heading or (not line.in_fence and _ITEM.match(line.text)):
            break
        kept.append(line)
    return _cap(_join(kept), 600)


def _criterion(lines: list[md.Line], section: _Section, number: str) -> str:
    body = lines[section.start + 1:section.end]
    after = next((i for i, line in enumerate(body)
                  if line.is_heading and _CRITERIA_HEADING.search(line.heading or "")), None)
    for scope in ([body[after:]] if after is not None else []) + [body]:
        for index, line in enumerate(scope):
            match = None if line.in_fence else _ITEM.match(line.text)
            if match and match[1] == number:
                block = [line.text.strip()]
                for follow in scope[index + 1:]:
                    if follow.is_blank or follow.is_heading or _ITEM.match(follow.text) \
                            or follow.indent == 0:
                        break
                    block.append(follow.text.rstrip())
                return "\n".join(block)
    return ""


# ---- design ----------------------------------------------------------------------------


def design_excerpts(text: str, task: Task) -> list[Excerpt]:
    """The few design sections that share the most requirement ids and key words."""
    lines = list(md.iter_lines(text))
    wording = task_text(task)
    idents = {i.casefold() for i in _IDENT.findall(wording)}
    words = _keywords(wording)
    scored = []
    for order, section in enumerate(_sections(lines)):
        body = _join(lines[section.start + 1:section.body_end])
        if not body:
            continue
        score = _score(section.heading, body, task.requirements, idents, words)
        if score >= 3:
            scored.append((score, order, section, body))
    ranked = sorted(scored, key=lambda item: (-item[0], item[1]))[:MAX_DESIGN_SECTIONS]
    chosen, used = [], 0
    for _, order, section, body in ranked:
        piece = _cap(body, MAX_SECTION_CHARS)
        if used + len(piece) > MAX_DESIGN_CHARS:
            continue
        used += len(piece)
        chosen.append((order, Excerpt(heading=section.heading, text=piece)))
    return [excerpt for _, excerpt in sorted(chosen, key=lambda item: item[0])]


def _score(heading: str, body: str, refs: Sequence[str], idents: set[str],
           words: set[str]) -> int:
    """6 per requirement id cited, 3 per `identifier`, 2 per key word in the heading, 1 in
    the body: enough to rank a handful of sections, not a search engine."""
    score = 6 * sum(1 for ref in refs if _mentions_ref(body, ref))
    lowered_heading, lowered_body = heading.casefold(), body.casefold()
    for ident in idents:
        score += 3 if ident in lowered_body or ident in lowered_heading else 0
    for word in words:
        score += 2 if word in lowered_heading else (1 if word in lowered_body else 0)
    return score


def _keywords(text: str) -> set[str]:
    words = {w.casefold() for w in _WORD.findall(_IDENT.sub(" ", text))} - _STOP
    for run in _CJK.findall(text):
        words.update(run[i:i + 2] for i in range(len(run) - 1))
    return words


def _mentions_ref(body: str, ref: str) -> bool:
    if _KIRO_REF.fullmatch(ref):
        tail = r"(?:\.\d+)?" if "." not in ref else ""
        token = re.compile(rf"(?<![\d.]){re.escape(ref)}{tail}(?!\d|\.\d)")
        return any(_REQ_WORD.search(line) and token.search(line) for line in body.split("\n"))
    key = _label_key(ref)
    return key is not None and any(
        (m[1].upper(), m[2]) == key for m in _LABEL.finditer(body))


# ---- rendering -------------------------------------------------------------------------


def render(ctx: TaskContext) -> str:
    """The Markdown block handed to the implementer: Task, Requirements, Design, Steering."""
    parts = [_render_task(ctx)]
    if ctx.requirements or ctx.missing_requirements:
        block = ["## Requirements"]
        for item in ctx.requirements:
            block.append(f"### {item.heading} ({', '.join(item.refs)})\n\n{item.text}")
        if ctx.missing_requirements:
            block.append("Not found in the requirements document: "
                         + ", ".join(ctx.missing_requirements))
        parts.append("\n\n".join(block))
    if ctx.design:
        parts.append("\n\n".join(["## Design",
                                  *(f"### {d.heading}\n\n{d.text}" for d in ctx.design)]))
    steering = render_steering(ctx.steering)
    if steering:
        parts.append(steering)
    return "\n\n".join(parts) + "\n"


def _render_task(ctx: TaskContext) -> str:
    task = ctx.task
    lines = [f"## Task {task.id}: {task.title}", ""]
    if ctx.parent_title and task.parent:
        lines.append(f"Part of task {task.parent}: {ctx.parent_title}")
    if task.optional:
        lines.append("This task is marked optional.")
    if task.requirements:
        lines.append(f"Requirements: {', '.join(task.requirements)}")
    if ctx.paths:
        lines.append(f"Files: {', '.join(ctx.paths)}")
    if task.details:
        lines.extend(["", *(f"- {d}" for d in task.details)])
    return "\n".join(lines).rstrip()


def _join(lines: Sequence[md.Line]) -> str:
    return "\n".join(line.text.rstrip() for line in lines).strip("\n")


def _cap(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text.rfind("\n", 0, limit)
    return text[:cut if cut > limit // 2 else limit].rstrip() + "\n…"
