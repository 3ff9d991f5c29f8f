"""What each linted JS/TS file is, as reviewloop's ESLint config reads it: its language, the
environment it runs in (which globals exist, script or module), and whether TypeScript's type
information is asked for. Decided here, once, and handed to the config
(`node/eslint/reviewloop.config.mjs`) as a JSON file named by `REVIEWLOOP_ESLINT_FILES`.

The environment follows Node's own rules for telling CommonJS from ES modules
(https://nodejs.org/api/packages.html#determining-module-system):

* `commonjs` — `.cjs`/`.cts`, or a `.js` (or suffix-less script) under a `package.json` whose
  `"type"` is `"commonjs"`: Node's globals with the module wrapper's (`require`, `module`,
  `__dirname`…), parsed as CommonJS.
* `module` — `.mjs`/`.mts`, or a `.js` under `"type": "module"`: Node's built-in globals and
  the browser's (a `"type": "module"` package is as often a Vite front-end as a Node program),
  parsed as a module.
* `unknown` — everything else (`.ts`/`.tsx`/`.jsx`, and a `.js` under a `package.json`
  without `"type"` or none at all, which is every webpack front-end as well as Node's default):
  the browser's globals and all of Node's. A JavaScript file there is parsed as a module when
  it has ES module syntax, else as CommonJS: Node's own syntax detection for such
  "ambiguous" files (Node 22.7+, https://nodejs.org/api/packages.html#syntax-detection), as
  Babel's `sourceType: "unambiguous"` does. A line-start `import`/`export` is seen here; any
  other (after a BOM, a comment or a statement on its line, minified output, top-level
  `await`) the config finds by parsing a file marked `detect`: as CommonJS, then as a
  module when only that reads it, as Node does.

The `package.json` read is the reviewed tree's own: only its `"type"` field, which decides
nothing but the globals and the parse goal (what Node itself reads it for).

Globals a file declares itself: the names of its `/* global a, b: writable */` comments
(ESLint's syntax), read here because reviewloop's run ignores inline configuration — none
where the project's ESLint reads no inline configuration either (`--no-inline-config`,
`noInlineConfig: true`: `inline_off`), and only those the trusted side wrote: a comment on
a line the change added silences no-undef as an `eslint-disable` would, so it declares
nothing and is reported (`eslint_directives`); a test file (`checks.paths.looks_like_test`)
also has the globals of jest, mocha and vitest.

Type information (typescript-eslint's type-aware rules, through its project service) is asked
for on a TypeScript file when a `tsconfig.json` lies in its folder or above it, inside the
repository; a file no tsconfig includes is linted again without types (`eslint.py`).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, replace
from functools import cache
from pathlib import Path, PurePosixPath

from reviewloop.checks.analyzers import eslint_directives as directives
from reviewloop.checks.analyzers.base import AnalyzerContext
from reviewloop.checks.json_files import json_object
from reviewloop.checks.paths import looks_like_test
from reviewloop.checks.suppressions.js_lexer import js_comments
from reviewloop.git.commit_files import CommitFiles
from reviewloop.git.languages import TYPESCRIPT
from reviewloop.git.names import under
from reviewloop.git.repository import open_repository
from reviewloop.memo import compiled_on_first_use

COMMONJS, MODULE, UNKNOWN = "commonjs", "module", "unknown"
_FIXED = {".cjs": COMMONJS, ".cts": COMMONJS, ".mjs": MODULE, ".mts": MODULE}
_AMBIGUOUS = frozenset({".js", ""})  # what `"type"` decides (a script named by its shebang)
# an import or export statement at the start of a line, or `import.meta` (not `import(`)
_esm = compiled_on_first_use(
    r"^[ \t]*(?:import(?:[ \t]+[\w$*{\"']|[ \t]*[{*\"'])|export(?:[ \t]+|[ \t]*[{*]))"
    r"|\bimport\s*\.\s*meta\b", re.MULTILINE)
_READ = 200_000  # the head of a file looked at for module syntax and global comments
# what every `/* global a */` or `/*globals a*/` comment holds: a file without it declares none
_global_word = compiled_on_first_use(rf"/\*{directives.SPACE}*globals?(?:{directives.SPACE}|\*/)")
# a global's setting as ESLint's `normalizeConfigGlobal` reads it (case and all); any other
# is an error ESLint reports, and declares nothing
_SETTINGS = {None: "readonly", "readonly": "readonly", "readable": "readonly",
             "false": "readonly", "true": "writable", "writable": "writable",
             "writeable": "writable", "off": "off"}


@dataclass(frozen=True)
class FileFacts:
    """One linted file as the config reads it."""

    lang: str  # "js" | "ts"
    env: str  # COMMONJS | MODULE | UNKNOWN
    source_type: str  # "commonjs" | "module": ESLint's parse goal
    typed: bool  # run typescript-eslint's type-aware rules on it
    tests: bool = False  # a test file: the test frameworks' globals
    declared: tuple[tuple[str, str], ...] = ()  # (name, "readonly"|"writable"|"off")
    ts_comment: bool = False  # holds `@ts-`: typescript-eslint's ban-ts-comment may report
    # CommonJS by the look of its lines only: the config parses it as a module when only a
    # module parse reads it (Node's syntax detection; `reviewloop.config.mjs`)
    detect: bool = False


def environment(suffix: str, package_type: str | None) -> str:
    """The environment of a file by its suffix and the `"type"` of its nearest
    `package.json` (None: no such field, or no package.json)."""
    if suffix in _FIXED:
        return _FIXED[suffix]
    if suffix in _AMBIGUOUS and package_type in (COMMONJS, MODULE):
        return package_type
    return UNKNOWN


def source_type(env: str, lang: str, text: str) -> str:
    if env != UNKNOWN:
        return env
    if lang == "ts":
        return MODULE
    return MODULE if has_module_syntax(text) else COMMONJS


def has_module_syntax(text: str) -> bool:
    """Whether `text` holds an ES module statement (`import x from`, `export`, `import.meta`)."""
    return _esm().search(text) is not None


def _every_comment(line: int, comment: str) -> bool:
    return True


def declared_globals(text: str, trusted: Callable[[int, str], bool] = _every_comment
                     ) -> tuple[tuple[str, str], ...]:
    """The names `text`'s `/* global */` comments declare, as ESLint reads them: `name`,
    `name:writable` (or `true`), `name:readonly` (or `false`), `name:off`; a comment
    `trusted(first line, text)` refuses (one the change wrote or made: `trusted_comments`)
    declares nothing.

    Only a comment declares (`js_lexer.js_comments`): `"/* global compute */"` in a
    string, a template or a regular expression, or after prose in another comment, declares
    nothing to ESLint, which then reports no-undef on `compute`; read in the whole text it
    declared the name here and the finding went unreported."""
    found: dict[str, str] = {}
    if not _global_word().search(text):
        return ()
    for start, end in js_comments(text):
        body = directives.block_body(text, start, end)
        directive = directives.parse(body) if body is not None else None
        if directive is None or directive[0] not in ("global", "globals"):
            continue
        if not trusted(text.count("\n", 0, start) + 1, text[start:end]):
            continue
        for name, setting in directives.string_config(directive[1]).items():
            if setting in _SETTINGS:
                found[name] = _SETTINGS[setting]
    return tuple(found.items())


def package_type(root: Path, path: str) -> str | None:
    """The `"type"` of the `package.json` nearest `path` (a repo path) inside `root`."""
    for folder in _folders(path):
        manifest = root / folder / "package.json"
        if manifest.is_file():
            # unreadable: as Node, which then fails to load the package
            kind = json_object(manifest).get("type")
            return kind if kind in (COMMONJS, MODULE) else None
    return None


def has_tsconfig(root: Path, path: str) -> bool:
    """Whether a `tsconfig.json` lies in the folder of `path` or above it, inside `root`."""
    return any((root / folder / "tsconfig.json").is_file() for folder in _folders(path))


def tsconfig_folder(root: Path, path: str) -> str | None:
    """The folder of the `tsconfig.json` nearest `path` (its TypeScript project), inside
    `root`; None when there is none."""
    for folder in _folders(path):
        if (root / folder / "tsconfig.json").is_file():
            return "" if str(folder) == "." else folder.as_posix()
    return None


def _folders(path: str) -> list[PurePosixPath]:
    return list(PurePosixPath(path).parents)


def facts(ctx: AnalyzerContext, files: list[str],
          typescript: frozenset[str] = frozenset()) -> dict[str, FileFacts]:
    """Each of `files` (repo paths), keyed by its absolute path (what the config's matchers
    are given); `typescript`: files TypeScript whatever their suffix (the project's config
    parses them with typescript-eslint's parser: `eslint_files`)."""
    found, declaring = {}, {}
    for name in files:
        lang = "ts" if ctx.language(name) == TYPESCRIPT or name in typescript else "js"
        suffix = PurePosixPath(name).suffix
        env = environment(suffix, package_type(ctx.root, name) if suffix in _AMBIGUOUS
                          else None)
        text = _head(under(ctx.root, name))
        key = str(under(ctx.root, name).absolute())
        kind = source_type(env, lang, text)
        found[key] = FileFacts(lang, env, kind,
                               lang == "ts" and has_tsconfig(ctx.root, name),
                               looks_like_test(name),
                               ts_comment=lang == "js" and _has_ts_comment(under(ctx.root, name)),
                               detect=env == UNKNOWN and kind == COMMONJS)
        if _global_word().search(text):  # the few that may declare: after, their bases together
            declaring[name] = (key, text)
    want_base_copies(ctx, declaring)
    off = inline_off(ctx) if declaring else None
    for name, (key, text) in declaring.items():
        if off is not None and off(name) is not None:
            continue  # the project's ESLint reads no `/* global */` there: nor does ours
        found[key] = replace(found[key], declared=declared_globals(text,
                                                                   trusted_comments(ctx, name)))
    return found


def inline_off(ctx: AnalyzerContext) -> Callable[[str], str | None] | None:
    """Why the project's ESLint reads no inline configuration in a file (None: it does), as
    the suppressions ask it (`eslint_inline_config`: its lint commands, its eslintrc, its
    flat config as written); None without the change's trust to read them from."""
    if ctx.trust is None:
        return None
    from reviewloop.checks.suppressions.eslint_inline_config import InlineConfig
    from reviewloop.checks.suppressions.files import TrustedFiles

    trust = ctx.trust
    repo = open_repository(Path(trust.checkout) if trust.checkout else ctx.reviewed)
    return InlineConfig(TrustedFiles(repo, ctx.reviewed, trust)).off


def trusted_comments(ctx: AnalyzerContext, path: str) -> Callable[[int, str], bool]:
    """Whether a comment (its first line, its text) of `path` is the trusted side's: each of
    its lines one the change left alone, and the base's copy of the file holding the very
    same comment there — not string text the change unwrapped by deleting the lines around
    it (`base_markers`), nor a spanning one a deleted line inside pulled the next line into.
    Every comment of a base copy is (a `tree` named: `eslint_base.at_base`, which imports
    this module), and of a file the change did not touch."""
    trust = ctx.trust
    if trust is None or ctx.tree is not None or trust.file(path):
        return _every_comment
    if trust.base is None:  # no base to read (a `Trust` built by hand): its lines alone
        return lambda first, comment: all(
            trust.line(path, n) for n in range(first, first + comment.count("\n") + 1))
    base_line = trust.base_lines(path)

    @cache
    def at_base() -> frozenset[tuple[int, str]]:
        text = base_copies(ctx).read(trust.base_path(path)) or ""
        # as `_head` reads the reviewed copy: universal newlines, its first `_READ` chars
        text = text.replace("\r\n", "\n").replace("\r", "\n")[:_READ]
        return frozenset((text.count("\n", 0, start) + 1, text[start:end])
                         for start, end in js_comments(text))

    def trusted(first: int, comment: str) -> bool:
        lines = range(first, first + comment.count("\n") + 1)
        old = base_line(first) if base_line is not None else None
        return old is not None and all(trust.line(path, n) for n in lines) \
            and (old, comment) in at_base()
    return trusted


def base_copies(ctx: AnalyzerContext) -> CommitFiles:
    """The trusted base's files (`ctx.trust.base`): one reader, and one repository handle,
    for all of the ESLint steps of the review `ctx.trust` belongs to (`trusted_comments`).
    Kept with the review's `Trust`, not with `ctx`: the reviewers' contexts share one ESLint
    run, whose steps run under whichever reviewer's context came first, so a reader a
    context kept was made once or twice a review as the threads happened to meet."""
    trust = ctx.trust
    assert trust is not None and trust.base is not None
    repo = Path(trust.checkout) if trust.checkout else ctx.root
    key = (str(repo), str(trust.base))
    with _READERS:
        kept: dict[tuple[str, str], CommitFiles] = trust.__dict__.setdefault(
            "_eslint_base_copies", {})  # as `cached_property` keeps a value on a frozen one
        if key not in kept:
            kept[key] = CommitFiles(open_repository(repo), str(trust.base))
        return kept[key]


_READERS = threading.Lock()


def want_base_copies(ctx: AnalyzerContext, files: Iterable[str]) -> None:
    """The base's copies `trusted_comments` may read of `files`, read together with the
    first it does read."""
    trust = ctx.trust
    if trust is None or ctx.tree is not None or trust.base is None:
        return
    wanted = [trust.base_path(name) for name in files if not trust.file(name)]
    if wanted:
        base_copies(ctx).want(wanted)


def untyped(found: dict[str, FileFacts], paths: set[str]) -> dict[str, FileFacts]:
    """`found` with type information off for `paths` (absolute)."""
    return {p: replace(f, typed=False) if p in paths else f for p, f in found.items()}


def needs_typescript_eslint(found: dict[str, FileFacts]) -> bool:
    """Whether the batch needs typescript-eslint loaded: a TypeScript file, or a JavaScript
    one its ban-ts-comment rule could report on (it reports nowhere else on JavaScript: its
    `no-explicit-any` needs TS syntax, its `no-unused-vars` is the core rule's twin, off)."""
    return any(f.lang == "ts" or f.ts_comment for f in found.values())


def to_json(found: dict[str, FileFacts], root: Path) -> str:
    """What `REVIEWLOOP_ESLINT_FILES` names: the files, the project service's root and
    whether typescript-eslint is needed."""
    return json.dumps({"root": str(root.absolute()),
                       "files": {p: asdict(f) for p, f in found.items()},
                       "typescript": needs_typescript_eslint(found)})


def _has_ts_comment(path: Path) -> bool:
    """Whether the file holds `@ts-` anywhere (ban-ts-comment's directives all start so)."""
    try:
        return b"@ts-" in path.read_bytes()
    except OSError:
        return True  # unread here: load typescript-eslint, as before


def _head(path: Path) -> str:
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            return handle.read(_READ)
    except OSError:
        return ""
