"""Find a spec from a path or a repository, detect its format, and read it."""

from __future__ import annotations

import fnmatch
import os
import re
from pathlib import Path
from typing import NoReturn

from reviewloop.errors import SpecError
from reviewloop.spec import docspec, documents, kiro, speckit
from reviewloop.spec.context import undefined_requirements
from reviewloop.spec.model import Diagnostic, Spec, SpecFormat, TaskList
from reviewloop.spec.steering import constitution_in

_SPECKIT_ID = re.compile(r"^\s*[-*]\s+\[[ xX]\]\s+(\*\*)?T\d{3}[a-z]?\b",
                         re.MULTILINE | re.IGNORECASE)
_SEARCH = (
    ".kiro/specs/*/tasks.md",
    ".kiro/specs/*/*/tasks.md",
    "specs/*/tasks.md",
    "docs/*-spec.md",
)


def load_spec(root: Path, spec: Path | None = None) -> Spec:
    """Locate and read one spec. `spec` may be a tasks file, a spec folder, or None."""
    tasks_file = confined(_locate(root, spec), root)
    text = read_text(tasks_file)
    fmt = detect_format(tasks_file, text)
    shown = _display(tasks_file, root)
    parsed = _parse(fmt, text, shown, cc_sdd=_has_cc_sdd_metadata(tasks_file) or None)
    return _assemble(root, fmt, tasks_file, text, parsed)


# What a task line looks like in each format, for a spec none of whose lines could be read
TASK_LINE = {
    SpecFormat.KIRO: "`- [ ] 1. Title` (a sub-task `  - [ ] 1.1 Title`)",
    SpecFormat.SPECKIT: "`- [ ] T001 Title` (`- [ ] T002 [P] [US1] Title`)",
    SpecFormat.DOCS: "`- [ ] T1 Title` under a `## Tasks` heading",
}


def require_tasks(spec: Spec) -> None:
    """Refuse a spec of which no task could be read although lines of it were meant as
    tasks (each one a diagnostic): with no task read, "every task is done" and an empty
    plan would call a spec finished that was never started (exit 2, naming the lines)."""
    if spec.tasks or not spec.diagnostics:
        return
    first = spec.diagnostics[0]
    more = f" (and {len(spec.diagnostics) - 1} more line(s))" if len(spec.diagnostics) > 1 \
        else ""
    raise SpecError(
        f"no task of this {spec.format.value} spec could be read: {first}{more}",
        where=first.file,
        fix=f"write each task on its own line as {TASK_LINE[spec.format]} (lines ending in "
            "LF or CRLF); `reviewloop tasks` lists every line that could not be read")


def parse_tasks(root: Path, tasks_file: Path, text: str) -> TaskList:
    """Read the tasks in `text` as if it were `tasks_file` (e.g. that file at another commit)."""
    fmt = detect_format(tasks_file, text)
    cc_sdd = _has_cc_sdd_metadata(tasks_file) or None
    return _parse(fmt, text, _display(tasks_file, root), cc_sdd=cc_sdd)


def read_text(path: Path) -> str:
    """Decode a tasks file tolerantly (a Latin-1 byte in a title; its tick writes the other
    bytes back as they were); line numbers stay those of the file. UTF-16, whose every
    character would read as two, is refused by name, as a folder or a FIFO there is."""
    data = _read_bytes(path)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        _refuse_text(path, documents.not_text(data, 0))
    return data.decode("utf-8-sig", errors="replace")


def read_document(path: Path, root: Path) -> str | None:
    """A spec's requirements or design document (Kiro's, Spec Kit's) as UTF-8 text, None
    when nothing stands at `path`. What the implementer and the reviewers judge against is
    never altered nor taken for absent: a link out of the repository (`confined`), a
    dangling link, a folder, a FIFO or bytes that are not UTF-8 are refused by name."""
    if not os.path.lexists(path):
        return None
    text = documents.decode(_read_bytes(confined(path, root)))
    if isinstance(text, documents.NotText):
        _refuse_text(path, text)
    return text


def _read_bytes(path: Path) -> bytes:
    kind = documents.unreadable(path)  # looked at first: a FIFO is never opened
    if kind is not None:
        raise SpecError(f"this spec file {kind}: it cannot be read", where=str(path),
                        fix=documents.ENTRY_FIX)
    try:
        return path.read_bytes()
    except OSError as exc:
        raise SpecError(f"cannot read spec file ({exc.strerror})", where=str(path)) from None


def _refuse_text(path: Path, problem: documents.NotText) -> NoReturn:
    raise SpecError(f"this spec file {problem.message.removeprefix('the file ')}",
                    where=f"{path}:{problem.line}",
                    fix=problem.fix)


def confined(path: Path, root: Path) -> Path:
    """`path` if it resolves, symlinks followed, inside the repository at `root`: a spec's
    text goes into the implementing model's prompt (and its tasks file is written back),
    so a link out of the repository must not bring another file's text into it."""
    real = path.resolve()
    if real.is_relative_to(root.resolve()):
        return path
    via = " (through a symlink)" if real != Path(os.path.abspath(path)) else ""
    raise SpecError(
        f"this spec file resolves outside the repository{via}: {real}", where=str(path),
        fix="make it a real file inside the repository (not a symlink out of it), or pass "
            "--spec a spec inside the repository")


def detect_format(path: Path, text: str) -> SpecFormat:
    parts = path.parts
    if path.name == "tasks.md":
        if ".kiro" in parts:
            return SpecFormat.KIRO
        if _SPECKIT_ID.search(text) or (len(parts) > 2 and parts[-3] == "specs"):
            return SpecFormat.SPECKIT
        return SpecFormat.KIRO
    return SpecFormat.DOCS


# A spec folder's other documents (Kiro's, Spec Kit's): `--spec` at one means its tasks.md
_SIBLINGS = ("requirements.md", "design.md", "bugfix.md", "spec.md", "plan.md",
             "data-model.md", "research.md", "quickstart.md")
# Inside a folder given to --spec (`.kiro/specs`, `specs`, `docs`): where its specs are
_INSIDE = ("*/tasks.md", "*/*/tasks.md", "*-spec.md")


def _locate(root: Path, spec: Path | None) -> Path:
    if spec is not None:
        spec = spec if spec.is_absolute() else Path.cwd() / spec
        if spec.is_file():
            return _tasks_beside(spec)
        if spec.is_dir() and spec.name in ("tasks.md", *_SIBLINGS):
            return spec  # a folder by a spec file's name: named by `_read_bytes`
        if spec.is_dir():
            if os.path.lexists(spec / "tasks.md"):
                return spec / "tasks.md"  # named when it cannot be read (`_read_bytes`)
            return _single(find_specs(spec) or _found_inside(spec), spec)
        if os.path.lexists(spec):
            return spec  # a dangling link, a FIFO: named by `_read_bytes`
        raise SpecError(
            "no such file or folder", where=str(spec),
            fix="pass --spec with a tasks.md, a docs/<feature>-spec.md, or a spec folder")
    return _single(find_specs(root), root)


def _tasks_beside(path: Path) -> Path:
    """A spec folder's requirements, design (…) document given for its spec: the tasks.md
    beside it, which holds the tasks (read as a one-document spec it would have none)."""
    if path.name not in _SIBLINGS or not (".kiro" in path.parts or "specs" in path.parts):
        return path
    tasks = path.parent / "tasks.md"
    if os.path.lexists(tasks):
        return tasks
    raise SpecError(
        f"{path.name} is a document of the spec in {path.parent.name}/, which has no "
        "tasks.md: its tasks are read from there", where=str(path),
        fix=f"write the tasks in {tasks} (or pass --spec the tasks file)")


def _found_inside(folder: Path) -> list[Path]:
    """The specs right inside `folder` (a `.kiro/specs` or `specs` folder given itself)."""
    found: list[Path] = []
    for pattern in _INSIDE:
        found.extend(_standing(folder, pattern))
    return found


def find_specs(base: Path) -> list[Path]:
    """Every spec file under `base` in the places the three formats keep them."""
    found: list[Path] = []
    for pattern in _SEARCH:
        found.extend(_standing(base, pattern))
    return found


def _standing(base: Path, pattern: str) -> list[Path]:
    """What stands at `pattern` below `base`: a file, or a dangling link, a folder or a FIFO
    by a spec file's name, which `_read_bytes` names (a glob's literal last name would skip
    a dangling link, as if the spec were not there)."""
    folders, _, name = pattern.rpartition("/")
    return sorted(p for p in base.glob(f"{folders}/*" if folders else "*")
                  if fnmatch.fnmatchcase(p.name, name))


_LISTED = 8  # specs named in the "which one?" error; the count says how many more


def _single(found: list[Path], base: Path) -> Path:
    if len(found) == 1:
        return found[0]
    if not found:
        raise SpecError(
            "no spec found (looked for .kiro/specs/*/tasks.md, specs/*/tasks.md, docs/*-spec.md)",
            where=str(base), fix="pass --spec PATH, or set `spec` in .reviewloop.toml")
    listing = ", ".join(_display(p, base) for p in found[:_LISTED])
    more = f" and {len(found) - _LISTED} more" if len(found) > _LISTED else ""
    raise SpecError(f"{len(found)} specs found: {listing}{more}", where=str(base),
                    fix="choose one with --spec PATH, or set `spec` in .reviewloop.toml")


def _display(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def _has_cc_sdd_metadata(tasks_file: Path) -> bool:
    """cc-sdd keeps its phase approvals in `spec.json` beside `tasks.md`; Kiro does not."""
    return (tasks_file.parent / "spec.json").is_file()


def _parse(fmt: SpecFormat, text: str, shown: str, *, cc_sdd: bool | None = None) -> TaskList:
    if fmt is SpecFormat.KIRO:
        return kiro.parse(text, shown, cc_sdd=cc_sdd)
    if fmt is SpecFormat.SPECKIT:
        return speckit.parse(text, shown)
    return docspec.parse(text, shown)


def _assemble(root: Path, fmt: SpecFormat, tasks_file: Path, text: str, parsed: TaskList) -> Spec:
    req_file = design_file = None
    req_text = design_text = None
    if fmt is SpecFormat.DOCS:
        sections = docspec.sections(text)
        req_text, design_text = sections.requirements, sections.design
    else:
        names = ("requirements.md", "bugfix.md") if fmt is SpecFormat.KIRO else ("spec.md",)
        req_file = _first_file(tasks_file.parent, names)
        req_text = read_document(req_file, root) if req_file else None
        if fmt is SpecFormat.KIRO:
            design_file = _first_file(tasks_file.parent, ("design.md",))
            design_text = read_document(design_file, root) if design_file else None
        else:
            design_file, design_text = _speckit_design(tasks_file.parent, root)
    diagnostics = parsed.diagnostics
    if fmt is SpecFormat.KIRO and req_file is not None and req_text is not None:
        diagnostics += tuple(Diagnostic(
            file=t.file, line=t.line, message=f"{t.id} names requirement {ref}, which "
            f"{req_file.name} does not define") for t, ref in undefined_requirements(
                req_text, parsed.tasks))
    return Spec(
        format=fmt, root=root, tasks_file=tasks_file, tasks=parsed.tasks,
        diagnostics=diagnostics, requirements_file=req_file, design_file=design_file,
        requirements_text=req_text, design_text=design_text,
        steering_dir=_steering_dir(root, tasks_file), dialect=parsed.dialect,
        constitution_file=_constitution(root, tasks_file),
    )


# what Spec Kit's `/speckit.implement` reads beside the tasks: the plan, then the data
# model, the research and each contract, in this order, as one design document
_SPECKIT_DESIGN = ("plan.md", "data-model.md", "research.md", "quickstart.md")
# a contract is an API's schema in text: OpenAPI/AsyncAPI, JSON Schema, GraphQL, protobuf
_CONTRACT_SUFFIXES = frozenset({".md", ".yaml", ".yml", ".json", ".graphql", ".gql",
                                ".proto", ".txt", ".avsc", ".xsd", ".wsdl", ".raml"})
MAX_CONTRACT_CHARS = 60_000  # the contracts a design carries, together


def _speckit_design(folder: Path, root: Path) -> tuple[Path | None, str | None]:
    """The first of Spec Kit's design documents that stands in `folder`, and all of them
    together under a heading each, `contracts/` last (`_contracts`); (None, None) when the
    feature has none. A design document is read whole or refused by name (`read_document`)."""
    found = [folder / name for name in _SPECKIT_DESIGN if os.path.lexists(folder / name)]
    parts = []
    for path in found:
        text = read_document(path, root)
        if text is not None and text.strip():
            parts.append(text if path.name == "plan.md" else f"# {path.name}\n\n{text}")
    parts += _contracts(folder / "contracts", folder, root)
    return (found[0] if found else None), ("\n\n".join(parts) if parts else None)


def _contracts(contracts: Path, folder: Path, root: Path) -> list[str]:
    """Each text contract under `contracts/` under its path, up to `MAX_CONTRACT_CHARS`
    together; what is not read (a diagram, a file that is not UTF-8 text or links out of the
    repository, one past the cap) is listed by name with the reason, in the design the
    agents read — never a refusal of the whole spec, never dropped unsaid."""
    if not contracts.is_dir() or contracts.is_symlink():
        return []
    parts, left_out, used = [], [], 0
    for path in sorted(p for p in contracts.rglob("*") if p.is_file() or p.is_symlink()):
        shown = path.relative_to(folder).as_posix()
        if path.suffix.lower() not in _CONTRACT_SUFFIXES:
            left_out.append(f"{shown} (not a text contract)")
            continue
        try:
            text = read_document(path, root) or ""
        except SpecError as exc:
            left_out.append(f"{shown} ({exc.args[0]})")
            continue
        if used + len(text) > MAX_CONTRACT_CHARS:
            left_out.append(f"{shown} (past the {MAX_CONTRACT_CHARS:,} characters of "
                            "contracts a design carries)")
            continue
        used += len(text)
        parts.append(f"# {shown}\n\n{text}")
    if left_out:
        listed = "\n".join(f"- {item}" for item in left_out[:50])
        more = f"\n- … and {len(left_out) - 50} more" if len(left_out) > 50 else ""
        parts.append(f"# contracts not read\n\n{listed}{more}")
    return parts


def _constitution(root: Path, tasks_file: Path) -> Path | None:
    """Spec Kit's constitution (`steering.constitution_in`) in the nearest folder above the
    spec that has one, not looking past its repository: whatever the spec's format, as a
    review (which has no spec) reads the repository's own."""
    for base in tasks_file.parents:
        found = constitution_in(base)
        if found is not None or (base / ".git").exists() or base == root:
            return found
    return None


def _first_file(folder: Path, names: tuple[str, ...]) -> Path | None:
    """The first of `names` that stands in `folder` (a file, or a link or folder that
    `read_document` refuses: never taken for absent)."""
    return next((folder / n for n in names if os.path.lexists(folder / n)), None)


def _steering_dir(root: Path, tasks_file: Path) -> Path | None:
    """The nearest `.kiro/steering` above the spec, not looking past its repository."""
    for base in tasks_file.parents:
        candidate = base / ".kiro" / "steering"
        if candidate.is_dir():
            return candidate
        if (base / ".git").exists():
            break
    candidate = root / ".kiro" / "steering"
    return candidate if candidate.is_dir() else None
