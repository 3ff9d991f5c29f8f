// Reads RuleTester test files (ESLint's, typescript-eslint's, eslint-plugin-security's,
// no-unsanitized's) without running them: TypeScript's parser finds each `*.run(name, rule,
// { valid, invalid })` call and the tester's own settings, and every case whose code is a
// literal is written out with the settings it declares, as literals (anything computed is
// marked "dynamic"). Used by make_js_rule_tests.py.
// Usage: node extract_rule_tests.mjs TOOL_HOME FILE...   (prints one JSON list)
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const [home, ...files] = process.argv.slice(2);
const ts = createRequire(`${home}/package.json`)("typescript");
const DYNAMIC = { dynamic: true };
let bound = new Map(); // the file's top-level `const NAME = <literal>` (and parser requires)

function literal(node) {
  if (!node) return undefined;
  if (ts.isIdentifier(node)) return bound.has(node.text) ? bound.get(node.text) : DYNAMIC;
  if (ts.isCallExpression(node) && node.expression.getText() === "require"
      && literal(node.arguments[0]) === "@typescript-eslint/parser") {
    return { parser: "typescript-eslint" };
  }
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTaggedTemplateExpression(node) && node.tag.getText() === "noFormat"
      && ts.isNoSubstitutionTemplateLiteral(node.template)) return node.template.text;
  if (ts.isNumericLiteral(node)) return Number(node.text);
  if (node.kind === ts.SyntaxKind.TrueKeyword) return true;
  if (node.kind === ts.SyntaxKind.FalseKeyword) return false;
  if (node.kind === ts.SyntaxKind.NullKeyword) return null;
  if (ts.isParenthesizedExpression(node) || ts.isAsExpression(node)
      || ts.isSatisfiesExpression?.(node)) return literal(node.expression);
  if (ts.isPropertyAccessExpression(node) && node.expression.getText() === "globals") {
    return { globals: node.name.text };
  }
  if (ts.isArrayLiteralExpression(node)) return node.elements.map(literal);
  if (ts.isObjectLiteralExpression(node)) {
    const out = {};
    for (const p of node.properties) {
      if (ts.isPropertyAssignment(p) && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))) {
        out[p.name.text] = literal(p.initializer);
      } else if (ts.isSpreadAssignment(p)) {
        const spread = literal(p.expression);
        if (spread && spread.globals) (out.$spread ??= []).push(spread.globals);
        else if (spread && typeof spread === "object" && !spread.dynamic) Object.assign(out, spread);
        else return DYNAMIC;
      } else return DYNAMIC;
    }
    return out;
  }
  return DYNAMIC;
}

function cases(array, label) {
  const out = [];
  for (const element of array?.elements ?? []) {
    const value = literal(element);
    if (typeof value === "string") out.push({ label, code: value, settings: {} });
    else if (value && typeof value === "object" && !value.dynamic && typeof value.code === "string") {
      const { code, errors: _e, output: _o, name: _n, suggestions: _s, only: _only, ...settings } = value;
      out.push({ label, code, settings });
    } else out.push({ label, skipped: "computed" });
  }
  return out;
}

const rows = [];
for (const file of files) {
  const text = readFileSync(file, "utf8");
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true,
    file.endsWith(".ts") ? ts.ScriptKind.TS : ts.ScriptKind.JS);
  let tester = {};
  bound = new Map();
  for (const statement of source.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    for (const d of statement.declarationList.declarations) {
      if (ts.isIdentifier(d.name) && d.initializer) bound.set(d.name.text, literal(d.initializer));
    }
  }
  const visit = (node) => {
    if ((ts.isNewExpression(node) || ts.isCallExpression(node)) && node.arguments?.length
        && /RuleTester/.test(node.expression.getText())) {
      tester = literal(node.arguments[0]) ?? {};
    }
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)
        && node.expression.name.text === "run" && node.arguments.length === 3
        && ts.isObjectLiteralExpression(node.arguments[2])) {
      const rule = literal(node.arguments[0]);
      const groups = Object.fromEntries(node.arguments[2].properties
        .filter((p) => ts.isPropertyAssignment(p) && ts.isIdentifier(p.name))
        .map((p) => [p.name.text, p.initializer]));
      for (const [key, label] of [["valid", false], ["invalid", true]]) {
        const array = groups[key];
        if (!array || !ts.isArrayLiteralExpression(array)) continue;
        for (const c of cases(array, label)) rows.push({ file, rule, tester, ...c });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
}
process.stdout.write(JSON.stringify(rows));
