"""New public functions in languages whose coverage reviewloop does not measure (Go, Rust,
Java, Kotlin, C#, Swift, Ruby, PHP): found by a generator of modules whose truth it knows
(public or not, body or none, braces and `end` in strings and comments), and named "not
measured" by the analyzer and the strict gate — never "ok" or "no public function added" —
and, being no defect of the code, the user's to settle (`user_fix`), not the implementer's."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from reviewloop.checks.coverage.check import coverage_gate_result, new_code_coverage
from reviewloop.checks.coverage.newcode import finder_for
from reviewloop.checks.coverage.unmeasured import UNMEASURED, DeclaredFunctions
from reviewloop.checks.gates.commands import ProjectTests
from reviewloop.git.diff import parse_diff
from reviewloop.review.evidence import run_for_agent
from tests.support.analyzers import Repo, agent

TESTS = ProjectTests()


@dataclass(frozen=True)
class Shape:
    """One way to write a function: its lines for a name and a body, and what it is."""

    write: Callable[[str, list[str]], list[str]]
    public: bool  # a public function with a body: the finder must name it


def _braces(head: str, indent: str = "    ", tail: str = "}") -> Callable[[str, list[str]],
                                                                        list[str]]:
    return lambda name, body: [head.format(n=name), *(indent + b for b in body), tail]


def _one(line: str) -> Callable[[str, list[str]], list[str]]:
    return lambda name, body: [line.format(n=name)]


# The body lines a function may hold: brackets inside strings and comments must not count.
BODY = {
    "go": ['x := "}{"', "// } closes nothing", "y := []int{1, 2}", "_ = '{'"],
    "rust": ['let s = "} {";', "// }", "let v = vec![1, 2];", "let c = '}';"],
    "java": ['String s = "}";', "// } {", "int[] a = {1, 2};", "char c = '{';"],
    "kotlin": ['val s = "}"', "// {", "val m = mapOf(1 to 2)", "if (a == b) { c() }"],
    "csharp": ['var s = "{";', "// }", "var a = new[] { 1, 2 };", "if (a >= b) { c(); }"],
    "swift": ['let s = "}"', "// {", "let a = [1, 2]", "if a == b { c() }"],
    "ruby": ['s = "end"', "# end", "[1, 2].each do |v|", "end"],
    "php": ['$s = "}";', "// {", "$a = [1, 2];", "if ($a) { b(); }"],
}

SHAPES: dict[str, list[Shape]] = {
    "go": [Shape(_braces("func {n}(v int) int {{", "\t"), True),
           Shape(_braces("func (s *S) {n}(v int) int {{", "\t"), True),
           Shape(_braces("func {n}[T any](v T) T {{", "\t"), True),
           Shape(_braces("func low{n}(v int) int {{", "\t"), False)],
    "rust": [Shape(_braces("pub fn {n}(v: i32) -> i32 {{"), True),
             Shape(_braces("pub async fn {n}<'a>(v: &'a str) -> &'a str {{"), True),
             Shape(_braces("fn {n}(v: i32) -> i32 {{"), False),
             Shape(_braces("pub(crate) fn {n}(v: i32) -> i32 {{"), False),
             Shape(_one("    pub fn {n}(v: i32) -> i32;"), False)],
    "java": [Shape(_braces("  public int {n}(int v) {{"), True),
             Shape(_braces("  public static <T> java.util.List<T> {n}(T v) {{"), True),
             Shape(_braces("  private int {n}(int v) {{"), False),
             Shape(_braces("  int {n}(int v) {{"), False),
             Shape(_one("  public abstract int {n}(int v);"), False)],
    "kotlin": [Shape(_braces("fun {n}(v: Int = 1): Int {{"), True),
               Shape(_braces("override suspend fun {n}(v: Int): Int {{"), True),
               Shape(_one("fun {n}(v: Int) = v + 1"), True),
               Shape(_braces("private fun {n}(v: Int): Int {{"), False),
               Shape(_braces("internal fun {n}(v: Int): Int {{"), False)],
    "csharp": [Shape(_braces("  public int {n}(int v) {{", "    ", "  }"), True),
               Shape(_braces("  public static async Task<int> {n}(int v) {{"), True),
               Shape(_one("  public int {n}(int v) => v >= 1 ? v : 0;"), True),
               Shape(_braces("  private int {n}(int v) {{"), False),
               Shape(_braces("  public class {n} {{"), False)],
    "swift": [Shape(_braces("public func {n}(v: Int) -> Int {{"), True),
              Shape(_braces("  open override func {n}() {{"), True),
              Shape(_braces("func {n}(v: Int) -> Int {{"), False),
              Shape(_braces("private func {n}(v: Int) -> Int {{"), False)],
    "ruby": [Shape(_braces("  def {n}(v)", "    ", "  end"), True),
             Shape(_braces("  def self.{n}", "    ", "  end"), True),
             Shape(_one("  def {n}(v) = v * 2"), True),
             Shape(_one("  def {n}(v); v; end"), True)],
    "php": [Shape(_braces("  public function {n}($v) {{"), True),
            Shape(_braces("  public static function {n}($v) {{"), True),
            Shape(_braces("  private function {n}($v) {{"), False),
            Shape(_braces("  protected function {n}($v) {{"), False)],
}
PATHS = {"go": "pkg/m.go", "rust": "src/lib.rs", "java": "src/main/java/M.java",
         "kotlin": "src/main/kotlin/M.kt", "csharp": "src/M.cs", "swift": "Sources/M.swift",
         "ruby": "lib/m.rb", "php": "src/M.php"}
HEADS = {"java": "public abstract class M {", "csharp": "public class M {",
         "ruby": "class M", "php": "class M {"}
TAILS = {"java": "}", "csharp": "}", "ruby": "end", "php": "}"}


@st.composite
def modules(draw: st.DrawFn) -> tuple[str, str, list[int], list[str]]:
    """(language, source, changed lines, the public functions those lines touch)."""
    language = draw(st.sampled_from(sorted(SHAPES)))
    lines = [HEADS[language]] if language in HEADS else []
    spans: list[tuple[str, int, int, bool]] = []
    count = draw(st.integers(1, 5))
    for number in range(count):
        shape = draw(st.sampled_from(SHAPES[language]))
        body = draw(st.lists(st.sampled_from(BODY[language]), max_size=3))
        if language == "ruby" and "[1, 2].each do |v|" in body:
            body = [b for b in body if b != "end"] + ["end"]  # a block closes in the body
        elif language == "ruby":
            body = [b for b in body if b != "end"]
        name = f"Fn{number}"
        written = shape.write(name, body)
        spans.append((name, len(lines) + 1, len(lines) + len(written), shape.public))
        lines += [*written, ""]
    if language == "ruby" and draw(st.booleans()):  # a private section: nothing public in it
        lines += ["  private", "", "  def hidden(v)", "    v", "  end"]
    lines += [TAILS[language]] if language in TAILS else []
    changed = draw(st.lists(st.integers(1, len(lines)), max_size=4, unique=True))
    touched = [name for name, start, end, public in spans
               if public and any(start <= n <= end for n in changed)]
    return language, "\n".join(lines) + "\n", changed, touched


@settings(max_examples=400, deadline=None)
@given(modules())
def test_the_finder_names_the_public_functions_with_a_body_the_change_touches(module):
    language, source, changed, touched = module
    finder = finder_for(PATHS[language])
    assert isinstance(finder, DeclaredFunctions) and finder.language == language

    found = finder.new_public_functions(PATHS[language], source, changed)

    assert [f.name for f in found] == touched, source


TEST_FILES = ["pkg/m_test.go", "tests/it.rs", "src/test/java/MTest.java", "src/MTests.cs",
              "Calc.Tests/CalcTest.cs", "spec/m_spec.rb", "test/m_test.rb", "tests/MTest.php",
              "Tests/MTests.swift", "src/test/kotlin/MTest.kt"]


def test_a_test_file_of_the_language_holds_no_function_to_measure():
    for path in TEST_FILES:
        finder = finder_for(path)
        assert isinstance(finder, DeclaredFunctions) and finder.is_test(path), path
    assert not any(f.is_test(path) for f in UNMEASURED for path in PATHS.values())


GO_BASE = {"go.mod": "module example.com/m\n\ngo 1.21\n",
           "m.go": "package m\n\nfunc Base() int { return 1 }\n"}
GO_CHANGE = {"m.go": "package m\n\nfunc Base() int { return 1 }\n\n"
                     "func Double(v int) int {\n\treturn v * 2\n}\n",
             "m_test.go": "package m\n\nimport \"testing\"\n\n"
                          "func TestBase(t *testing.T) { Base() }\n"}


def test_a_new_go_function_is_named_not_measured_by_the_analyzer(tmp_path):
    repo = Repo(tmp_path, GO_BASE)
    diff = repo.change(GO_CHANGE)

    report = run_for_agent(agent("t", ("coverage",)), repo.root, diff, tests=TESTS)

    (health,) = report.health
    assert report.findings == [] and health.status == "skipped"
    assert "go: 1 function(s) not measured (m.go: Double): reviewloop measures new-code " \
           "coverage of Python and JavaScript/TypeScript only" in (health.reason or "")


def test_the_strict_gate_fails_naming_the_go_function_it_cannot_measure(tmp_path):
    repo = Repo(tmp_path, GO_BASE)
    diff = repo.change(GO_CHANGE)

    result = coverage_gate_result(repo.root, diff, TESTS, strict=True)

    assert not result.passed and not result.skipped and result.blocking
    assert "go: 1 function(s) not measured (m.go: Double)" in result.summary
    assert "no public function" not in result.summary
    assert '`[gates] coverage = "report"`' in result.summary


def test_beside_measured_python_the_go_function_is_a_remark_on_the_ok_row(tmp_path):
    repo = Repo(tmp_path, {**GO_BASE, "calc.py": "def base():\n    return 1\n",
                           "tests/test_calc.py": "from calc import base\n\n\n"
                                                 "def test_base():\n    assert base() == 1\n",
                           "pyproject.toml": '[tool.pytest.ini_options]\npythonpath = ["."]\n'})
    diff = repo.change({**GO_CHANGE, "calc.py": "def base():\n    return 1\n\n\n"
                                                "def untested(v):\n    return v\n"})

    report = run_for_agent(agent("t", ("coverage",)), repo.root, diff, tests=TESTS)
    check = new_code_coverage(repo.root, parse_diff(diff), TESTS)

    (health,) = report.health
    assert [f.symbol for f in report.findings] == ["untested"]
    assert health.status == "ok" and "go: 1 function(s) not measured (m.go: Double)" in \
        (health.reason or "")
    assert check.checked and [f.name for f in check.functions] == ["untested", "Double"]


@settings(max_examples=16, deadline=None)
@given(modules())
def test_a_function_reviewloop_cannot_measure_is_the_users_to_settle(tmp_path_factory, module):
    """Whatever the language and shape: no test the implementer writes makes it measured,
    so the strict gate's failure carries the user's fix and the run stops for them."""
    language, source, _, _ = module
    path = PATHS[language]
    names = [f.qualname for f in finder_for(path).functions(path, source)]  # type: ignore[union-attr]
    assume(names)
    repo = Repo(tmp_path_factory.mktemp("r"))
    diff = repo.change({path: source})

    result = coverage_gate_result(repo.root, diff, TESTS, strict=True)

    assert not result.passed and result.blocking
    assert result.user_fix is not None
    assert f"{language}: {len(names)} function(s) not measured ({path}: " \
           f"{', '.join(names)})" in result.user_fix
    assert result.user_fix.endswith('or set `[gates] coverage = "report"`')


def test_python_under_a_configured_command_that_cannot_be_measured_is_the_users(tmp_path):
    repo = Repo(tmp_path, {"calc.py": "def base():\n    return 1\n"})
    diff = repo.change({"calc.py": "def base():\n    return 1\n\n\ndef more():\n    return 2\n"})

    configured = coverage_gate_result(repo.root, diff, ProjectTests(command="make check"),
                                      strict=True)
    # no command configured: the tests the implementer adds make pytest found and measured
    detected = coverage_gate_result(repo.root, diff, TESTS, strict=True)

    assert not configured.passed and configured.user_fix is not None
    assert "python: 1 function(s) not checked (calc.py: more): the test command is not " \
           "pytest: make check" in configured.user_fix
    assert not detected.passed and detected.user_fix is None


# package.json shapes whose test command runs but cannot be measured: no coverage provider
# for vitest, the runner reached through another script
UNMEASURABLE_JS = st.sampled_from([
    '{"name": "x", "scripts": {"test": "vitest run"}, "devDependencies": {"vitest": "1"}}\n',
    '{"name": "x", "scripts": {"test": "npm run t", "t": "jest"}}\n'])


@settings(max_examples=6, deadline=None)
@given(UNMEASURABLE_JS, st.booleans())
def test_a_test_command_that_cannot_be_measured_is_the_users_detected_or_configured(
        tmp_path_factory, manifest, configured) -> None:
    repo = Repo(tmp_path_factory.mktemp("r"), {
        "package.json": manifest, "src/a.js": "export function a() { return 1; }\n"})
    diff = repo.change({"src/b.js": "export function b() { return 2; }\n"})
    tests = ProjectTests(command="npm test") if configured else TESTS
    result = coverage_gate_result(repo.root, diff, tests, strict=True)
    assert not result.passed and result.user_fix is not None
    assert "javascript: 1 function(s) not checked (src/b.js: b): " in result.user_fix


# breaks `str.splitlines` knows that a file read as text keeps and git does not count
ODD_BREAKS = ["\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]


@settings(max_examples=100, deadline=None)
@given(modules(), st.sampled_from(ODD_BREAKS))
def test_a_break_git_does_not_count_moves_no_function_off_the_change(module, brk):
    """A form feed, NEL or U+2028 in a comment above is inside one of git's lines, as the
    diff's changed lines count them: split by `str.splitlines`, every declaration below was
    a line further down, and a new function on a changed line was missed or another named."""
    language, source, changed, touched = module
    comment = "#" if language == "ruby" else "//"
    finder = finder_for(PATHS[language])
    assert isinstance(finder, DeclaredFunctions)

    found = finder.new_public_functions(PATHS[language], f"{comment} a{brk}b\n{source}",
                                        [n + 1 for n in changed])

    assert [f.name for f in found] == touched, (brk, source)
