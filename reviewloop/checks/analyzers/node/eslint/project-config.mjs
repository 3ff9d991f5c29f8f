// Reads a project's ESLint flat config the way ESLint applies it, without linting anything:
// for each file given, whether the config ignores it and which rules it switches off.
// reviewloop runs this inside its sandbox (no network, read-only), in a copy of the trusted
// side's tree: a flat config is JavaScript. Usage: node project-config.mjs TREE CONFIG FILE...
// (absolute paths; TREE is ESLint's working folder, the process runs in an empty one).
import { createRequire } from "node:module";

const require = createRequire(`${process.env.REVIEWLOOP_ESLINT_HOME}/package.json`);
const { ESLint } = require("eslint");

const [tree, config, ...files] = process.argv.slice(2);
const eslint = new ESLint({ cwd: tree, overrideConfigFile: config });
const isOff = (setting) => {
  const level = Array.isArray(setting) ? setting[0] : setting;
  return level === 0 || level === "off";
};
const report = {};
for (const file of files) {
  if (await eslint.isPathIgnored(file)) {
    report[file] = { ignored: true, off: [] };
    continue;
  }
  const calculated = await eslint.calculateConfigForFile(file);
  const rules = Object.entries(calculated?.rules ?? {});
  report[file] = { ignored: false, off: rules.filter(([, s]) => isOff(s)).map(([r]) => r) };
}
process.stdout.write(`\nREVIEWLOOP-PROJECT-CONFIG ${JSON.stringify(report)}\n`);
