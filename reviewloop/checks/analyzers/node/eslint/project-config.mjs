// Reads a project's ESLint flat configs the way ESLint applies them, without linting anything:
// for each file given, the config nearest it (as the project's own `eslint .` finds it, nested
// ones included; or the one the project names with `eslint -c`), whether it ignores the file
// and which rules it switches off, and whether it reads the file's inline configuration. A
// file under no config, or whose config cannot load, is left out (nothing is suppressed for
// it). `eslint .` walks the tree from its root: a folder is passed by when the config nearest the folder
// ABOVE it ignores it (the root's `pkg/**`), whatever the folder's own config says.
// reviewloop runs this inside its sandbox (no network, read-only), in a copy of the trusted
// side's tree: a flat config is JavaScript. Usage: node project-config.mjs TREE FILE...
// (absolute paths; TREE is ESLint's working folder, the process runs in an empty one).
import { createRequire } from "node:module";
import { dirname, join, relative, sep } from "node:path";

const require = createRequire(`${process.env.REVIEWLOOP_ESLINT_HOME}/package.json`);
const { ESLint } = require("eslint");

const [tree, ...files] = process.argv.slice(2);
// the project's own `eslint .` runs from its root (a config may read files relative to it)
process.chdir(tree);
const eslint = new ESLint({ cwd: tree });
const isOff = (setting) => {
  const level = Array.isArray(setting) ? setting[0] : setting;
  return level === 0 || level === "off";
};
// `linterOptions.noInlineConfig`: ESLint then reads no directive comment of the file
const noInline = (calculated) => calculated?.linterOptions?.noInlineConfig === true;
// each config on its own, as the walk asks it about a folder (its patterns are relative to
// its folder); a probe file in the folder is unconfigured only when the folder is ignored
const alone = new Map();
const walkedPast = async (file, config) => {
  const folders = [];
  for (let dir = dirname(file); dir.startsWith(tree + sep); dir = dirname(dir)) folders.unshift(dir);
  for (const folder of folders) {
    const above = await eslint.findConfigFile(folder);  // nearest the folder above it
    if (above === undefined || above === config) continue;  // the file's own config tells
    if (!alone.has(above)) alone.set(above, new ESLint({ cwd: dirname(above), overrideConfigFile: above }));
    if (await alone.get(above).isPathIgnored(join(folder, "__reviewloop-probe__.js"))) return above;
  }
  return undefined;
};
// file → [config, folder]: the config the project names for it with `eslint -c` (reviewloop's
// `eslint_named`), run from the folder its command runs from: plain `eslint -c config .`
// there looks up no other config, and that one config's ignores decide for every folder
const named = JSON.parse(process.env.REVIEWLOOP_NAMED_CONFIGS || "{}");
const report = {};
const namedVerdict = async (file, [config, cwd]) => {
  process.chdir(cwd);
  const key = `${config}\0${cwd}`;
  if (!alone.has(key)) alone.set(key, new ESLint({ cwd, overrideConfigFile: config }));
  const calculated = await alone.get(key).calculateConfigForFile(file);
  const off = Object.entries(calculated?.rules ?? {}).filter(([, s]) => isOff(s));
  return { ignored: calculated === undefined || await alone.get(key).isPathIgnored(file),
    off: off.map(([r]) => r), config: relative(tree, config), noInline: noInline(calculated) };
};
for (const file of files) {
  if (named[file]) {
    try {
      report[file] = await namedVerdict(file, named[file]);
    } catch (error) {
      process.stderr.write(`${file}: ${String(error?.message ?? error).split("\n")[0]}\n`);
    }
    continue;
  }
  process.chdir(tree);
  const config = await eslint.findConfigFile(file);
  if (config === undefined) continue;
  try {  // a config that cannot load (a package not installed) suppresses nothing
    const past = await walkedPast(file, config);
    if (past !== undefined) {
      report[file] = { ignored: true, off: [], config: relative(tree, past) };
      continue;
    }
    const calculated = await eslint.calculateConfigForFile(file);
    const off = Object.entries(calculated?.rules ?? {}).filter(([, s]) => isOff(s));
    report[file] = { ignored: calculated === undefined, off: off.map(([r]) => r),
      config: relative(tree, config), noInline: noInline(calculated) };
  } catch (error) {
    process.stderr.write(`${file}: ${String(error?.message ?? error).split("\n")[0]}\n`);
  }
}
process.stdout.write(`\nREVIEWLOOP-PROJECT-CONFIG ${JSON.stringify(report)}\n`);
