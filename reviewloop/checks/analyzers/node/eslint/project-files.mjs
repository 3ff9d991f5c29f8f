// Which files a project's ESLint flat configs lint, and as what, asked of ESLint itself (the
// config nearest each file, as the project's own `eslint` finds it, or the one it names with
// `eslint -c`), without linting anything: "none" (no config's `files` matches it, or it is
// ignored: `eslint .` passes it by, and `calculateConfigForFile` gives no config), "js"
// (ESLint's JavaScript language, any parser but typescript-eslint's), "ts" (typescript-eslint's
// parser), "other" (a plugin's language: JSON, Markdown, CSS…) or "error …" (its config
// could not be loaded, and why). reviewloop runs this inside
// its sandbox (no network, the tree read-only), started in an empty working folder and working
// from the tree's root (see below): a flat config is JavaScript. Usage: node project-files.mjs TREE FILE... (absolute paths).
import { createRequire } from "node:module";

const require = createRequire(`${process.env.REVIEWLOOP_ESLINT_HOME}/package.json`);
const { ESLint } = require("eslint");

const [tree, ...files] = process.argv.slice(2);
// the project's own `eslint .` runs from its root, and a config may read files relative to
// the working folder (`readFileSync("lint-rules.json")`): it is evaluated from there too
process.chdir(tree);
const eslint = new ESLint({ cwd: tree });
// file → [config, folder]: the config the project names for it with `eslint -c` (its lint
// scripts, lint-staged, Makefile, pre-commit hook: reviewloop's `eslint_named`), run from
// the folder that command runs from, as plain `eslint -c config` there finds no other
const named = JSON.parse(process.env.REVIEWLOOP_NAMED_CONFIGS || "{}");
const instances = new Map();
const eslintFor = (file) => {
  const [config, cwd] = named[file] ?? [];
  if (config === undefined) return eslint;
  if (!instances.has(config + "\0" + cwd)) {
    instances.set(config + "\0" + cwd, new ESLint({ cwd, overrideConfigFile: config }));
  }
  return instances.get(config + "\0" + cwd);
};
const kind = (config) => {
  if (config === undefined) return "none";
  const parser = config.languageOptions?.parser;
  const name = parser?.meta?.name ?? parser?.name ?? "";
  if (name.includes("typescript-eslint")) return "ts";
  // ESLint's own JavaScript language is the one whose default parser is espree
  return config.language?.defaultLanguageOptions?.parser?.name === "espree" ? "js" : "other";
};
const report = {};
for (const file of files) {
  try {  // a config that cannot load (a package not installed) fails its own files only
    process.chdir(named[file]?.[1] ?? tree);
    report[file] = kind(await eslintFor(file).calculateConfigForFile(file));
  } catch (error) {
    report[file] = `error ${String(error?.message ?? error).split("\n")[0].slice(0, 200)}`;
  }
}
process.stdout.write(`\nREVIEWLOOP-PROJECT-FILES ${JSON.stringify(report)}\n`);
