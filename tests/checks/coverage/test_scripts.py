"""reviewloop.checks.coverage.scripts: the exported functions of a TS/JS file, on tricky syntax."""

from __future__ import annotations

import pytest

from reviewloop.checks.coverage.newcode import finder_for
from reviewloop.checks.coverage.scripts import exported_functions

TRICKY = """\
import { x } from "./x";
export function over(a: string): string;
export function over(a: number): number;
export function over(a: any) {
  return a;
}
export const identity = <T,>(value: T): T => value;
export const named = function inner() { return 1; }, plain = 3;
export default async function main<T>(input: T): Promise<void> {
  await input;
}
function local() { return 2; }
const other = () => {
  return 3;
};
export { local as renamed, other };
export * from "./y";
export { z } from "./z";
@Injectable()
export class Service<T> extends Base<T> {
  constructor(private readonly dep: T) { super(); }
  @Get(":id")
  async find(id: string) {
    return id;
  }
  private hidden() { return 1; }
  protected guarded() { return 1; }
  #secret() { return 1; }
  _internal() { return 1; }
  static create() { return new Service(1); }
  get size(): number { return 1; }
  declared(): void;
}
declare function ambient(): void;
export declare function alsoAmbient(): void;
class Internal { go() { return 1; } }
export type Shape = { area(): number };
export interface Named { name(): string }
"""


def spans(source: str, path: str = "src/a.ts", changed=None):
    return [(s.qualname, s.start, s.end, s.body_start)
            for s in exported_functions(path, source, changed)]


def test_tricky_typescript():
    assert spans(TRICKY) == [
        ("over", 2, 6, 5),  # the overload signatures belong to the implementation
        ("identity", 7, 7, 7),  # generic arrow: the body is on the `export const` line
        ("named", 8, 8, 8),  # the exported name, not the function expression's
        ("main", 9, 11, 10),  # export default async function, generic
        ("renamed", 12, 12, 12),  # export { local as renamed }
        ("other", 13, 15, 14),
        ("Service.find", 22, 25, 24),  # from its decorator; constructor, private,
        ("Service.create", 30, 30, 30),  # protected, #private and _private left out
        ("Service.size", 31, 31, 31),
    ]


def test_only_the_functions_holding_a_changed_line():
    assert [s[0] for s in spans(TRICKY, changed={3, 14, 31})] == [
        "over", "other", "Service.size"]
    assert spans(TRICKY, changed={1, 17, 18, 44}) == []  # imports, re-exports, ambient


@pytest.mark.parametrize(("source", "expected"), [
    ("export default () => 1;\n", [("default", 1, 1, 1)]),
    ("export default function () {\n  return 1;\n}\n", [("default", 1, 3, 2)]),
    ("export default class {\n  run() {\n    return 1;\n  }\n}\n",
     [("default.run", 2, 4, 3)]),
    ("function f() {\n  return 1;\n}\nexport default f;\n", [("f", 1, 3, 2)]),
    ("export function* ids() {\n  yield 1;\n}\n", [("ids", 1, 3, 2)]),
    ("export const empty = () => {};\n", [("empty", 1, 1, 1)]),
    # CommonJS is read (tests/checks/coverage/test_script_exports.py); `{ f }` names no
    # function of the file here, and a local one there
    ("module.exports = { f };\nexports.g = () => 1;\n", [("g", 2, 2, 2)]),
    ("function f() {\n  return 1;\n}\nfunction g() {\n  return 2;\n}\n"
     "module.exports = { f, h: g, _i: f };\n", [("f", 1, 3, 2), ("h", 4, 6, 5)]),
])
def test_javascript_defaults_and_forms(source, expected):
    assert spans(source, "lib/x.js") == expected


def test_jsx_in_a_tsx_file():
    source = "export function Card({ title }: Props) {\n  return <h1>{title}</h1>;\n}\n"
    assert spans(source, "src/Card.tsx") == [("Card", 1, 3, 2)]


def test_a_half_written_file_still_gives_what_parses():
    source = "export function ok() {\n  return 1;\n}\nexport function broken( {\n"
    assert [s[0] for s in spans(source)] == ["ok"]


@pytest.mark.parametrize("path", ["a.ts", "a.tsx", "a.mts", "a.cts", "a.js", "a.jsx",
                                  "a.mjs", "a.cjs"])
def test_the_finder_serves_every_js_and_ts_suffix(path):
    finder = finder_for(path)
    assert finder is not None and finder.language == "javascript"
