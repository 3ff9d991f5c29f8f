"""Synthetic but realistic change sets as git repositories, for the cost and speed benchmarks.

    base, head = make_change(Path("/tmp/repo"), lines=3000, files=40, seed=0)
    python benchmarks/fixtures.py /tmp/repo --size 3k     # the same from a shell

A package `shop/<area>/<module>.py` with functions, dataclasses and a few real-world smells
(shell=True, eval, a swallowed exception: what bandit and ruff report on real code), each
module with its tests next to it in `tests/test_<module>.py`. The base commit (branch
`main`) holds the project; the head commit (branch `change`, checked out) modifies some
existing modules and their tests (constants changed, functions inserted, a function
removed) and adds new module + test pairs. `lines` is the exact number of changed lines
(added + deleted, as `git diff --numstat` counts them) and `files` the exact number of
changed files. The same seed gives the same files and the same commit ids.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

# The sizes: changed lines and changed files.
SIZES: dict[str, tuple[int, int]] = {
    "100": (100, 3), "300": (300, 6), "1k": (1_000, 12), "3k": (3_000, 40),
    "5k": (5_000, 60), "20k": (20_000, 300),
}
NOUNS = ("order", "invoice", "customer", "payment", "shipment", "account", "report",
         "session", "token", "record", "batch", "ledger", "price", "discount", "stock",
         "user", "event", "queue", "schedule", "refund")
VERBS = ("load", "save", "parse", "render", "validate", "compute", "merge", "split",
         "normalize", "fetch", "apply", "build", "filter", "group", "summarize", "resolve")
KINDS = ("service", "models", "rules", "store", "views", "tasks", "client", "schema")
AREAS = ("billing", "orders", "users", "reports", "inventory", "shipping", "notify", "audit")
FIELDS = ("amount", "quantity", "weight", "score", "balance", "count", "priority", "age")
_HEADER = ["from __future__ import annotations", "", "import json", "import logging",
           "import subprocess", "from dataclasses import dataclass", "",
           "LOGGER = logging.getLogger(__name__)"]
_DATES = {"GIT_AUTHOR_DATE": "2026-01-01T00:00:00+0000",
          "GIT_COMMITTER_DATE": "2026-01-01T00:00:00+0000"}


@dataclass
class Module:
    """One generated Python file: its header, top-level units, and trailing constants."""

    path: str
    header: list[str]
    units: list[list[str]] = field(default_factory=list)
    tail: list[str] = field(default_factory=list)

    def text(self) -> str:
        lines = list(self.header)
        for unit in self.units:
            lines += ["", "", *unit] if lines else unit
        return "\n".join(lines + self.tail) + "\n"


class Writer:
    """Deterministic Python source of an exact number of lines."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.serial = 0

    def _c(self) -> int:
        return self.rng.randint(2, 997)

    def _name(self) -> str:
        self.serial += 1
        return f"{self.rng.choice(VERBS)}_{self.rng.choice(NOUNS)}_{self.serial}"

    def constant(self) -> str:
        self.serial += 1
        return f"{self.rng.choice(NOUNS).upper()}_LIMIT_{self.serial} = {self._c()}"

    def function(self, size: int, name: str | None = None) -> list[str]:
        """A function of exactly `size` (>= 3) lines that runs on a list of dicts."""
        name = name or self._name()
        returns_list = self.rng.random() < 0.6
        head = [(f"def {name}(items: list[dict], limit: int = {self._c()}) -> "
                f"{'list[dict]' if returns_list else 'int'}:"),
                (f'    """{name.split("_")[0].capitalize()} the {name.split("_")[1]}s over '
                f'the limit."""')]
        if size == 3:
            return [*head, f"    return {'list(items)' if returns_list else 'len(items)'}"]
        if size == 4:
            return [*head, f"    result, total = list(items), len(items) * {self._c()}",
                    f"    return {'result' if returns_list else 'total'}"]
        body = ["    result: list[dict] = []", "    total = 0"]
        remaining = size - 5
        while remaining:
            statement = self._statement(remaining)
            body += statement
            remaining -= len(statement)
        return head + body + [f"    return {'result' if returns_list else 'total'}"]

    def _statement(self, room: int) -> list[str]:
        f, c = self.rng.choice(FIELDS), self._c()
        choices = [
            [f'    total += sum(item.get("{f}", 0) for item in items) * {c}'],
            [f"    limit = max(limit, {c})"],
            [f'    result = [item for item in result if item.get("{f}") != {c}]'],
            [f'    LOGGER.debug("kept %d of %d (%s)", len(result), len(items), "{f}-{c}")'],
            [f'    LOGGER.debug("state %s", json.dumps({{"total": total, "{f}": {c}}}))'],
            [f"    if total > {c}:", f"        total -= {c}"],
            ["    for item in items:", f'        if item.get("{f}", 0) > limit + {c}:',
             "            result.append(item)"],
        ]
        if self.rng.random() < 0.02:  # the smells analyzers find in real code
            choices = [[f'    subprocess.run(f"echo {{total}} {c}", shell=True, check=False)'],
                       [f"    total += eval(str({c}))"],
                       ["    try:", f"        total //= limit - {c}", "    except Exception:",
                        "        pass"]]
        fitting = [s for s in choices if len(s) <= room]
        return self.rng.choice(fitting or [[f"    total += {c}"]])

    def dataclass_(self, size: int) -> list[str]:
        """A dataclass with a method, exactly `size` (>= 10) lines."""
        noun = self.rng.choice(NOUNS).capitalize()
        self.serial += 1
        fields = ["    name: str", f"    limit: int = {self._c()}"]
        method = self.function(max(3, size - 6 - len(fields)), name=self._name())
        method[0] = method[0].replace("(items", "(self, items")
        while 6 + len(fields) + len(method) < size:
            fields.append(f"    {self.rng.choice(FIELDS)}_{len(fields)}: int = {self._c()}")
        return (["@dataclass", f"class {noun}{self.rng.choice(KINDS).capitalize()}{self.serial}:",
                 f'    """A {noun.lower()} kept between calls."""', "", *fields, ""]
                + ["    " + line if line else line for line in method])

    def unit(self, size: int) -> list[str]:
        if size >= 14 and self.rng.random() < 0.25:
            return self.dataclass_(size)
        return self.function(size)

    def test(self, size: int, subject: Module) -> list[str]:
        """A test of one of `subject`'s functions, exactly `size` (>= 3) lines."""
        names = [u[0].split("(")[0][4:] for u in subject.units if u[0].startswith("def ")]
        self.serial += 1
        if not names:
            return [f"def test_module_imports_{self.serial}():",
                    *["    assert subject is not None"] * (size - 1)]
        target = self.rng.choice(names)
        lines = [f"def test_{target}_{self.serial}():",
                 (f'    items = [{{"id": n, "{self.rng.choice(FIELDS)}": n * {self._c()}}} '
                 f"for n in range({self.rng.randint(3, 40)})]"),
                 f"    result = subject.{target}(items, limit={self._c()})"][:size - 1]
        while len(lines) < size:
            lines.append(f"    assert subject.{target}([], limit={self._c()}) is not None"
                         if len(lines) < 3 else "    assert result is not None")
        return lines


def fill(writer: Writer, module: Module, budget: int, make) -> None:
    """Append units (each after two blank lines) and constants: exactly `budget` lines."""
    while budget >= 5:
        size = min(writer.rng.randint(6, 40), budget - 2)
        if budget - 2 - size in (1, 2):  # leave nothing, or room for one more unit
            size = budget - 2
        module.units.append(make(size))
        budget -= size + 2
    module.tail += [writer.constant() if not module.path.split("/")[-1].startswith("test_")
                    else "CASES = None" for _ in range(budget)]


def new_module(writer: Writer, path: str, budget: int) -> Module:
    name = path.rsplit("/", 1)[-1][:-3]
    header = [f'"""{name.replace("_", " ").capitalize()}: generated for the benchmarks."""',
              "", *_HEADER]
    module = Module(path, header[:budget])
    fill(writer, module, max(0, budget - len(module.header)), writer.unit)
    return module


def new_test(writer: Writer, path: str, subject: Module, budget: int) -> Module:
    dotted = subject.path[:-3].replace("/", ".")
    package, _, name = dotted.rpartition(".")
    header = [f'"""Tests for {dotted}."""', "", f"from {package} import {name} as subject"]
    module = Module(path, header[:budget])
    fill(writer, module, max(0, budget - len(module.header)),
         lambda size: writer.test(size, subject))
    return module


def modify(writer: Writer, module: Module, budget: int, subject: Module | None = None) -> None:
    """Change `module` by exactly `budget` lines (>= 2): constants changed (1 deleted + 1
    added each), sometimes a unit removed, new units inserted between the old ones."""
    make = writer.unit if subject is None else (lambda size: writer.test(size, subject))
    mutable = [(u, i) for u, unit in enumerate(module.units) for i, line in enumerate(unit)
               if i > 1 and re.search(r"\b\d{2,}\b", line) and not line.lstrip().startswith("def")]
    writer.rng.shuffle(mutable)
    for u, i in mutable[:max(1, budget // 6)] if budget >= 2 else []:
        module.units[u][i] = re.sub(r"\b\d{2,}\b", str(writer.rng.randint(1000, 9999)),
                                    module.units[u][i], count=1)
        budget -= 2
    if budget >= 40 and len(module.units) > 2 and writer.rng.random() < 0.4:
        victim = min(range(1, len(module.units)), key=lambda n: len(module.units[n]))
        if len(module.units[victim]) + 2 <= budget // 3:
            budget -= len(module.units.pop(victim)) + 2
    while budget >= 5:
        size = min(writer.rng.randint(6, 40), budget - 2)
        if budget - 2 - size in (1, 2):
            size = budget - 2
        module.units.insert(writer.rng.randint(0, len(module.units)), make(size))
        budget -= size + 2
    module.tail += ["CASES = None" if subject else writer.constant() for _ in range(budget)]


def git(root: Path, *args: str) -> str:
    env = {**os.environ, **_DATES, "GIT_CONFIG_NOSYSTEM": "1"}
    return subprocess.run(["git", "-c", "user.name=fixture", "-c", "user.email=fixture@invalid",
                           "-c", "commit.gpgsign=false", *args], cwd=root, env=env, check=True,
                          capture_output=True, text=True).stdout


def changed(root: Path, base: str, head: str) -> tuple[int, int]:
    """(changed lines, changed files) between two commits, as `git diff --numstat` counts."""
    rows = [row.split("\t") for row in git(root, "diff", "--numstat", base, head).splitlines()]
    return sum(int(a) + int(d) for a, d, _ in rows), len(rows)


def _budgets(rng: random.Random, lines: int, files: int) -> list[int]:
    weights = [rng.uniform(0.4, 1.6) for _ in range(files)]
    budgets = [max(2, int(lines * w / sum(weights))) for w in weights]
    budgets[budgets.index(max(budgets))] += lines - sum(budgets)
    return budgets


def make_change(root: Path, lines: int, files: int, seed: int = 0, *,
                config: str | None = None) -> tuple[str, str]:
    """Create a git repository at `root` (empty or missing) whose branch `change` changes
    exactly `lines` lines in exactly `files` files against `main`. (base, head) commit ids.

    `config` is committed in the base as `.reviewloop.toml` (reviewloop reads a review's
    configuration from the base commit)."""
    if lines < 2 * files or files < 1:
        raise ValueError(f"need files >= 1 and lines >= 2 x files, not {lines} lines "
                         f"in {files} files")
    if root.exists() and any(root.iterdir()):
        raise ValueError(f"{root} is not empty")
    rng = random.Random(seed)
    writer = Writer(rng)
    new_pairs = min(round(files * 0.3), files // 2)
    modified = files - 2 * new_pairs
    existing = [_pair(writer, rng, rng.randint(60, 200)) for _ in range(modified + files // 4 + 2)]

    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    _write(root, [m for pair in existing for m in pair], config)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "The shop project")
    base = git(root, "rev-parse", "HEAD").strip()
    git(root, "switch", "-qc", "change")

    budgets = _budgets(rng, lines, files)
    changed_modules: list[Module] = []
    for n in range(modified):  # code and its tests: modules first, then their tests
        code, tests = existing[n // 2]
        if n % 2 == 0:
            modify(writer, code, budgets[n])
            changed_modules.append(code)
        else:
            modify(writer, tests, budgets[n], subject=code)
            changed_modules.append(tests)
    for n in range(new_pairs):
        code_budget, test_budget = budgets[modified + 2 * n], budgets[modified + 2 * n + 1]
        code = new_module(writer, _module_path(rng, writer), code_budget)
        changed_modules += [code, new_test(writer, _test_path(code.path), code, test_budget)]
    _write(root, changed_modules, None)
    head = _commit_exact(root, base, changed_modules[-1], lines, writer)
    return base, head


def _pair(writer: Writer, rng: random.Random, size: int) -> tuple[Module, Module]:
    code = new_module(writer, _module_path(rng, writer), size)
    return code, new_test(writer, _test_path(code.path), code, size // 2)


def _module_path(rng: random.Random, writer: Writer) -> str:
    writer.serial += 1
    return (f"shop/{rng.choice(AREAS)}/{rng.choice(NOUNS)}_{rng.choice(KINDS)}"
            f"_{writer.serial}.py")


def _test_path(module_path: str) -> str:
    return f"tests/test_{module_path.rsplit('/', 1)[-1]}"


def _write(root: Path, modules: list[Module], config: str | None) -> None:
    for area in AREAS:  # every package exists in the base: a change adds no __init__.py
        (root / "shop" / area).mkdir(parents=True, exist_ok=True)
        (root / "shop" / area / "__init__.py").touch()
    (root / "shop" / "__init__.py").touch()
    for module in modules:
        path = root / module.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(module.text(), encoding="utf-8")
    if config is not None:
        (root / ".reviewloop.toml").write_text(config, encoding="utf-8")
    if not (root / "pyproject.toml").exists():
        (root / "pyproject.toml").write_text(
            '[project]\nname = "shop"\nversion = "0.1.0"\n\n'
            '[tool.pytest.ini_options]\ntestpaths = ["tests"]\n', encoding="utf-8")


def _commit_exact(root: Path, base: str, last: Module, lines: int, writer: Writer) -> str:
    """Commit; if git's diff is shorter than built (it may pair lines differently), top up
    the last changed file's tail and amend until the count is exact."""
    for _ in range(5):
        git(root, "add", "-A")
        amend = ["--amend"] if git(root, "rev-parse", "HEAD").strip() != base else []
        git(root, "commit", "-q", *amend, "-m", f"Change: {lines} lines")
        got, _ = changed(root, base, "HEAD")
        if got == lines:
            return git(root, "rev-parse", "HEAD").strip()
        if got > lines and len(last.tail) < got - lines:
            raise RuntimeError(f"git counts {got} changed lines, {lines} were built")
        last.tail = last.tail[:len(last.tail) - (got - lines)] if got > lines else \
            last.tail + [writer.constant() if not last.path.startswith("tests/")
                         else "CASES = None" for _ in range(lines - got)]
        (root / last.path).write_text(last.text(), encoding="utf-8")
    raise RuntimeError(f"could not make exactly {lines} changed lines")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path)
    parser.add_argument("--size", choices=SIZES, default="300")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    lines, files = SIZES[args.size]
    base, head = make_change(args.root, lines, files, args.seed)
    print(f"{args.root}: {base[:12]}..{head[:12]} changes {changed(args.root, base, head)} "
          "(lines, files)")


if __name__ == "__main__":
    main()
