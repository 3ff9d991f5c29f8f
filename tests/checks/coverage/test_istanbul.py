"""reviewloop.checks.coverage.istanbul: a runner's `coverage-final.json` read as the lines run
inside functions — statements per line (vitest's v8 provider) or per statement (istanbul's
instrumenter), one-line functions, module code, and files outside the project."""

from __future__ import annotations

import json

from reviewloop.checks.coverage.istanbul import file_lines, read_istanbul_executed


def at(line: int, column: int, end_line: int, end_column: int | None) -> dict:
    return {"start": {"line": line, "column": column}, "end": {"line": end_line,
                                                               "column": end_column}}


def entry(path: str, statements: list[tuple[dict, int]], functions: list[tuple[dict, int]]) -> dict:
    return {"path": path,
            "statementMap": {str(i): where for i, (where, _) in enumerate(statements)},
            "s": {str(i): count for i, (_, count) in enumerate(statements)},
            "fnMap": {str(i): {"name": f"f{i}", "loc": where, "decl": where}
                      for i, (where, _) in enumerate(functions)},
            "f": {str(i): count for i, (_, count) in enumerate(functions)}}


def test_line_statements_count_inside_called_functions_only():
    """vitest's v8 provider: one statement per line. Line 1 is module code that ran at import;
    `one` (line 2) and `body` (3-5) were called, `never` (6) and `unused` (7-9) were not."""
    lines = [(at(n, 0, n, 30), 1) for n in (1, 2, 3, 4, 5, 6, 7)] + \
        [(at(8, 0, 8, 30), 0), (at(9, 0, 9, 1), 1)]
    functions = [(at(2, 19, 2, 26), 1), (at(3, 7, 5, 1), 1), (at(6, 21, 6, 28), 0),
                 (at(7, 7, 9, 1), 0)]

    assert file_lines(entry("/r/a.ts", lines, functions)) == {2, 3, 4, 5}


def test_a_statement_around_an_uncalled_callback_still_ran():
    """istanbul's instrumenter: `return xs.map((x) => x + 1);` ran on an empty list — the
    return counts, the callback's own statement does not; a null end column means the line's end."""
    statements = [(at(2, 2, 2, 30), 1), (at(2, 22, 2, 27), 0)]
    functions = [(at(1, 0, 3, None), 1), (at(2, 16, 2, 27), 0)]

    assert file_lines(entry("/r/a.js", statements, functions)) == {2}


def test_the_report_is_read_per_project_file(tmp_path):
    folder = tmp_path / "report"
    folder.mkdir()
    called = ([(at(2, 0, 2, 10), 1)], [(at(1, 0, 3, 1), 1)])
    (folder / "coverage-final.json").write_text(json.dumps({
        str(tmp_path / "src/a.ts"): entry(str(tmp_path / "src/a.ts"), *called),
        str(tmp_path / "node_modules/x/i.js"): entry(str(tmp_path / "node_modules/x/i.js"),
                                                      *called),
        "/elsewhere/b.ts": entry("/elsewhere/b.ts", *called),
    }))

    assert read_istanbul_executed(tmp_path, folder) == {"src/a.ts": {2}}
    assert read_istanbul_executed(tmp_path, tmp_path / "none") == {}  # the run wrote no report
