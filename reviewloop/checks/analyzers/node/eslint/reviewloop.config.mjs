// reviewloop's own ESLint rule set (flat config). It is loaded with --config from
// reviewloop's package, never from the reviewed tree; the plugins are resolved from the
// provisioned tool folder named by REVIEWLOOP_ESLINT_HOME. Which rule feeds which reviewer,
// and at what severity, is decided in reviewloop/checks/analyzers/eslint_rules.py, which
// passes its named rules in REVIEWLOOP_ESLINT_RULES.
import { createRequire } from "node:module";

const require = createRequire(`${process.env.REVIEWLOOP_ESLINT_HOME}/package.json`);
const js = require("@eslint/js");
const tseslint = require("typescript-eslint");
const security = require("eslint-plugin-security");
const noUnsanitized = require("eslint-plugin-no-unsanitized");
const n = require("eslint-plugin-n");

// n/no-sync asks for type information whenever typescript-eslint's parser ran, and throws
// without it (we lint without the project's tsconfig): give it the JS view, no parser
// services, where it matches `*Sync` calls by name.
const untyped = (context) => Object.create(context, {
  sourceCode: { value: Object.create(context.sourceCode, { parserServices: { value: {} } }) },
});
const noSync = n.rules["no-sync"];
const node = {
  ...n,
  rules: { ...n.rules, "no-sync": { ...noSync, create: (context) => noSync.create(untyped(context)) } },
};

const named = JSON.parse(process.env.REVIEWLOOP_ESLINT_RULES ?? "{}");
// no-undef needs the project's globals (browser, node, jest…), which tsc and the tests know
const { "no-undef": _globals, ...recommended } = js.configs.recommended.rules;
// typescript-eslint's recommended set: its own rules, and the core rules TS makes redundant off
const forTypeScript = Object.assign({}, ...tseslint.configs.recommended.map((c) => c.rules ?? {}));

// Scripts known by their shebang (`#!/usr/bin/env node`, no suffix), as ESLint's base path
// (the filesystem root) names them: reviewloop passes them in REVIEWLOOP_ESLINT_SCRIPTS.
const scripts = JSON.parse(process.env.REVIEWLOOP_ESLINT_SCRIPTS ?? '{"js": [], "ts": []}');
const lintable = ["**/*.{js,mjs,cjs,jsx,ts,mts,cts,tsx}", ...scripts.js, ...scripts.ts];

export default [
  // ESLint always ignores node_modules/ and .git/, and --no-ignore lifts only configured
  // ignores: a changed file there is still a changed file.
  { ignores: ["!**/node_modules/", "!**/.git/"] },
  {
    files: lintable,
    plugins: {
      "@typescript-eslint": tseslint.plugin,
      security,
      "no-unsanitized": noUnsanitized,
      n: node,
    },
    languageOptions: {
      ecmaVersion: "latest",
      sourceType: "module",
      parserOptions: { ecmaFeatures: { jsx: true } },
      // the globals the rules look for by reference (no-implied-eval: setTimeout("code"))
      globals: Object.fromEntries(["setTimeout", "setInterval", "setImmediate", "execScript",
        "window", "self", "global", "globalThis", "document"].map((g) => [g, "readonly"])),
    },
    linterOptions: { reportUnusedDisableDirectives: "off", reportUnusedInlineConfigs: "off" },
    rules: { ...recommended, ...named },
  },
  { files: ["**/*.cjs"], languageOptions: { sourceType: "commonjs" } },
  {
    files: ["**/*.{ts,mts,cts,tsx}", ...scripts.ts],
    languageOptions: { parser: tseslint.parser },
    rules: forTypeScript,
  },
];
