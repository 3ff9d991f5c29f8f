// reviewloop's own ESLint rule set (flat config). It is loaded with --config from
// reviewloop's package, never from the reviewed tree; the plugins are resolved from the
// provisioned tool folder named by REVIEWLOOP_ESLINT_HOME. Which rule feeds which reviewer,
// and at what severity, is decided in reviewloop/checks/analyzers/eslint_rules.py, which
// passes its named rules in REVIEWLOOP_ESLINT_RULES; what each file is (JS or TS, CommonJS or
// module, typed or not) is decided in eslint_env.py, which writes it to the JSON file named by
// REVIEWLOOP_ESLINT_FILES (absolute path -> {lang, env, source_type, typed}), with whether the
// batch needs typescript-eslint at all (`typescript`: a TypeScript file, or a JavaScript one
// holding a `@ts-` comment for its ban-ts-comment rule, the one of its rules that reports on
// JavaScript). Loading it costs about half a second of ESLint's start-up: a batch without
// either does not, and runs every other rule as before.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(`${process.env.REVIEWLOOP_ESLINT_HOME}/package.json`);
const { root, files, typescript } = process.env.REVIEWLOOP_ESLINT_FILES
  ? JSON.parse(readFileSync(process.env.REVIEWLOOP_ESLINT_FILES, "utf8"))
  : { root: "/", files: {}, typescript: true };
const js = require("@eslint/js");
const tseslint = typescript === false ? null : require("typescript-eslint");
const security = require("eslint-plugin-security");
const noUnsanitized = require("eslint-plugin-no-unsanitized");
const n = require("eslint-plugin-n");
const globals = require("globals");

// n/no-sync asks for type information whenever typescript-eslint's parser ran, and throws
// without it: give it the JS view, no parser services, where it matches `*Sync` calls by name.
const untyped = (context) => Object.create(context, {
  sourceCode: { value: Object.create(context.sourceCode, { parserServices: { value: {} } }) },
});
const noSync = n.rules["no-sync"];
const node = {
  ...n,
  rules: { ...n.rules, "no-sync": { ...noSync, create: (context) => noSync.create(untyped(context)) } },
};

const named = JSON.parse(process.env.REVIEWLOOP_ESLINT_RULES ?? '{"all": {}, "typed": {}}');
const recommended = js.configs.recommended.rules;
const rulesOf = (configs) => Object.assign({}, ...configs.map((c) => c.rules ?? {}));

// typescript-eslint's extensions of core rules (its no-unused-vars: the same check, knowing
// TS syntax) named alongside the core rule: on JavaScript the core rule reports, so the
// extension is off there, or each problem would be reported twice. (On TypeScript its
// recommended set turns the core rule off.)
const SCOPE = "@typescript-eslint/";
// without typescript-eslint loaded its rules cannot be named (none would report: see above)
const forAll = Object.fromEntries(Object.entries(named.all)
  .filter(([rule]) => tseslint !== null || !rule.startsWith(SCOPE)));
const core = { ...recommended, ...forAll };
const twinsOff = Object.fromEntries(Object.keys(forAll)
  .filter((rule) => rule.startsWith(SCOPE) && rule.slice(SCOPE.length) in core)
  .map((rule) => [rule, "off"]));

const where = (test) => (path) => { const f = files[path]; return f !== undefined && test(f); };

// An ambiguous file (`detect`: eslint_env.py saw no ES module statement at a line's start) is
// CommonJS unless only a module parse reads it — an `export` after a BOM, a comment or
// another statement on its line, minified output, top-level `await` — as Node's own syntax
// detection decides, with espree, the parser ESLint runs (resolved as ESLint resolves it).
const espree = createRequire(require.resolve("eslint"))("espree");
const parses = (text, sourceType) => {
  try {
    espree.parse(text, { ecmaVersion: "latest", sourceType, ecmaFeatures: { jsx: true } });
    return true;
  } catch {
    return false;
  }
};
const detected = new Map();
const moduleOnly = (path) => {
  if (!detected.has(path)) {
    let text = "";
    try {
      text = readFileSync(path, "utf8").replace(/^\uFEFF/, "");
    } catch {
      // unread here: ESLint names it as it would any file it cannot read
    }
    detected.set(path, !parses(text, "commonjs") && parses(text, "module"));
  }
  return detected.get(path);
};
const byLang = (lang) => where((f) => f.lang === lang);

// Each environment's globals (`globals` package); see eslint_env.py for the choice. Set in
// one block per environment only: ESLint merges the globals of every block a file matches.
// CommonJS has the browser's global objects too: an isomorphic package's `.cjs` (or `.js`
// under "type": "commonjs") runs in a browser as well, and no-eval / no-implied-eval know
// `window.eval(x)`, `self.setTimeout("…" + x)` only where `window` and `self` are globals
// (the benchmark's plain ESLint declares the browser's and Node's for every file).
const ENVIRONMENTS = {
  commonjs: { ...globals.node, window: "readonly", self: "readonly" },
  module: { ...globals.browser, ...globals.nodeBuiltin },
  unknown: { ...globals.browser, ...globals.node },
};

export default [
  // ESLint always ignores node_modules/ and .git/, and --no-ignore lifts only configured
  // ignores: a changed file there is still a changed file.
  { ignores: ["!**/node_modules/", "!**/.git/"] },
  {
    files: ["**/*.{js,mjs,cjs,jsx,ts,mts,cts,tsx}", where(() => true)],
    plugins: {
      ...(tseslint === null ? {} : { "@typescript-eslint": tseslint.plugin }),
      security,
      "no-unsanitized": noUnsanitized,
      n: node,
    },
    languageOptions: {
      ecmaVersion: "latest",
      sourceType: "module",
      parserOptions: { ecmaFeatures: { jsx: true } },
    },
    linterOptions: { reportUnusedDisableDirectives: "off", reportUnusedInlineConfigs: "off" },
    rules: core,
  },
  ...Object.entries(ENVIRONMENTS).map(([env, declared]) => ({
    files: [where((f) => f.env === env)],
    languageOptions: { globals: declared },
  })),
  { files: [where((f) => f.tests)],
    languageOptions: { globals: { ...globals.jest, ...globals.mocha, ...globals.vitest } } },
  // the names a file's own `/* global */` comments declare (eslint_env.py reads them: inline
  // configuration is off)
  ...Object.entries(files).filter(([, f]) => f.declared.length).map(([path, f]) => ({
    files: [(p) => p === path],
    languageOptions: { globals: Object.fromEntries(f.declared) },
  })),
  { files: [(path) => where((f) => f.lang === "js" && f.source_type === "commonjs")(path)
      && !(files[path].detect && moduleOnly(path))],
    languageOptions: { sourceType: "commonjs" } },
  { files: ["**/*.{js,mjs,cjs,jsx}", byLang("js")], rules: twinsOff },
  ...(tseslint === null ? [] : forTypeScript(tseslint)),
];

// The TypeScript files' blocks: typescript-eslint's parser and recommended set (its own rules,
// and the core rules TS makes redundant off); on typed files its type-aware rules (and the
// core rules they replace, such as no-implied-eval, off).
function forTypeScript(ts) {
  return [
    {
      files: ["**/*.{ts,mts,cts,tsx}", byLang("ts")],
      languageOptions: { parser: ts.parser },
      rules: rulesOf(ts.configs.recommended),
    },
    {
      files: [where((f) => f.typed)],
      languageOptions: {
        parserOptions: { projectService: true, tsconfigRootDir: root },
      },
      rules: { ...rulesOf(ts.configs.recommendedTypeCheckedOnly), ...named.typed },
    },
  ];
}
