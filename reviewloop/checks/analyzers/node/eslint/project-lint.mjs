// Lints files with a project's own ESLint config, the way the project's `eslint` finds it
// (the flat config nearest each file, nested ones included), with reviewloop's ESLint.
// reviewloop runs this inside its sandbox (no network, the tree read-only), started in an
// empty working folder and working from the tree's root (see below); inline `eslint-disable` comments are not honoured here (reviewloop decides
// which count). Usage: node project-lint.mjs TREE PLACE TEXT... (absolute paths): each
// file's TEXT (the change's) linted as if at its PLACE in TREE (the trusted side's, whose
// configs and the files they import are never the change's).
// Each file is linted on its own: a config that cannot load (a package not installed, a
// config that throws) is reported for its files, with its error, and the others still run.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";

const require = createRequire(`${process.env.REVIEWLOOP_ESLINT_HOME}/package.json`);
const { ESLint } = require("eslint");

const [tree, ...pairs] = process.argv.slice(2);
// the project's own `eslint .` runs from its root, and a config may read files relative to
// the working folder (`readFileSync("lint-rules.json")`): it is evaluated from there too
process.chdir(tree);
const eslint = new ESLint({ cwd: tree, allowInlineConfig: false, errorOnUnmatchedPattern: false,
  warnIgnored: false });
const results = [];
const errors = {};
// what each file's config declares that reviewloop's own run should honour: the globals it
// defines (not "off"), and which of the rules reviewloop also runs it turns on itself
const OWN = ["no-undef", "no-unused-vars", "@typescript-eslint/no-unused-vars"];
const declared = {};
const on = (entry) => ![0, "off"].includes(Array.isArray(entry) ? entry[0] : entry);
for (let i = 0; i + 1 < pairs.length; i += 2) {
  const [file, source] = [pairs[i], pairs[i + 1]];
  try {
    const text = readFileSync(source, "utf8");
    for (const r of await eslint.lintText(text, { filePath: file, warnIgnored: false })) {
      results.push({ filePath: r.filePath, messages: r.messages });
    }
    const config = await eslint.calculateConfigForFile(file);
    if (config) {
      const globals = config.languageOptions?.globals ?? {};
      declared[file] = {
        globals: Object.keys(globals).filter((name) => !["off", false].includes(globals[name])),
        rules: OWN.filter((rule) => rule in (config.rules ?? {}) && on(config.rules[rule])),
      };
    }
  } catch (error) {
    errors[file] = `${error?.name ?? "Error"}: ${String(error?.message ?? error).split("\n")[0]}`;
  }
}
process.stdout.write(`\nREVIEWLOOP-PROJECT-LINT ${JSON.stringify({ results, errors, declared })}\n`);
