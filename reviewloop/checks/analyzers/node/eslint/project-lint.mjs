// Lints files with a project's own ESLint config, the way the project's `eslint` finds it
// (the flat config nearest each file, nested ones included), with reviewloop's ESLint.
// reviewloop runs this inside its sandbox (no network, the tree read-only) from an empty
// working folder; inline `eslint-disable` comments are not honoured here (reviewloop decides
// which count). Usage: node project-lint.mjs TREE FILE... (absolute paths).
import { createRequire } from "node:module";

const require = createRequire(`${process.env.REVIEWLOOP_ESLINT_HOME}/package.json`);
const { ESLint } = require("eslint");

const [tree, ...files] = process.argv.slice(2);
const eslint = new ESLint({ cwd: tree, allowInlineConfig: false, errorOnUnmatchedPattern: false,
  warnIgnored: false });
const results = await eslint.lintFiles(files);
const report = results.map((r) => ({ filePath: r.filePath, messages: r.messages }));
process.stdout.write(`\nREVIEWLOOP-PROJECT-LINT ${JSON.stringify(report)}\n`);
