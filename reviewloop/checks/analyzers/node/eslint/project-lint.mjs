// Lints files with a project's own ESLint config, the way the project's `eslint` finds it
// (the flat config nearest each file, nested ones included), with reviewloop's ESLint.
// reviewloop runs this inside its sandbox (no network, the tree read-only), started in an
// empty working folder and working from the tree's root (see below); inline `eslint-disable` comments are not honoured here (reviewloop decides
// which count; only the problems ESLint reports about the comments themselves are read with them on); the rules a trusted `/* eslint rule: "error" */` comment switches on are run. Usage: node project-lint.mjs TREE PLACE TEXT... (absolute paths): each
// file's TEXT (the change's) linted as if at its PLACE in TREE (the trusted side's, whose
// configs and the files they import are never the change's).
// Each file is linted on its own: a config that cannot load (a package not installed, a
// config that throws) is reported for its files, with its error, and the others still run.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";

const require = createRequire(`${process.env.REVIEWLOOP_ESLINT_HOME}/package.json`);
const { ESLint } = require("eslint");

const { ConfigCommentParser } = require("@eslint/plugin-kit");  // ESLint's own comment parser
const { builtinRules } = require("eslint/use-at-your-own-risk");

const [tree, ...pairs] = process.argv.slice(2);
// the project's own `eslint .` runs from its root, and a config may read files relative to
// the working folder (`readFileSync("lint-rules.json")`): it is evaluated from there too
process.chdir(tree);
const options = { cwd: tree, allowInlineConfig: false, errorOnUnmatchedPattern: false,
  warnIgnored: false };
// file → [config, folder]: the config the project names for it with `eslint -c` (its `lint`
// script, its pre-commit hook: reviewloop's `eslint_named`), run from the folder that command
// runs from, as `npm run lint` does; the others get the flat config nearest them
const named = JSON.parse(process.env.REVIEWLOOP_NAMED_CONFIGS || "{}");
const optionsFor = (file) => (named[file]
  ? { ...options, cwd: named[file][1], overrideConfigFile: named[file][0] } : options);
const instances = new Map();
const instance = (file, extra = {}) => {
  const key = JSON.stringify([named[file] ?? null, extra]);
  if (!instances.has(key)) instances.set(key, new ESLint({ ...optionsFor(file), ...extra }));
  return instances.get(key);
};
// file → the configs of its `/* eslint rule: "error" */` comments the trusted side wrote
// (reviewloop's `eslint_inline`): the rules they switch on run as plain `eslint` runs them;
// null: the project runs ESLint on the file with `--no-inline-config`
const inline = JSON.parse(process.env.REVIEWLOOP_INLINE_RULES || "{}");
const known = (config, id) => {
  const at = id.lastIndexOf("/");
  return at < 0 ? builtinRules.has(id)
    : Boolean(config?.plugins?.[id.slice(0, at)]?.rules?.[id.slice(at + 1)]);
};
const switchedOn = (file, config) => {
  const rules = {};
  const seen = new Set();  // ESLint takes a rule's first comment, and ignores the later ones
  for (const text of inline[file] ?? []) {
    const parsed = new ConfigCommentParser().parseJSONLikeConfig(text);
    for (const [id, entry] of Object.entries(parsed.ok ? parsed.config : {})) {
      // "off" is a waiver, decided with the other markers: not reviewloop's to run
      if (!seen.has(id) && on(entry) && known(config, id)) rules[id] = entry;
      seen.add(id);
    }
  }
  return Object.keys(rules).length
    ? new ESLint({ ...optionsFor(file), overrideConfig: { rules } }) : null;
};
// The problems plain `eslint .` reports about the directive comments themselves — an
// `eslint-disable` that silences nothing, an inline config that changes nothing — at the
// severity the project's `linterOptions` give them (ESLint's default: "warn" for the first):
// only a run that reads the comments finds them, so a file holding one is linted once more
// with inline configuration on, and only those problems are kept from it (named by the
// linterOptions key that sets them; they have no rule).
const UNUSED = [[/^Unused eslint-(disable|enable) directive/, "reportUnusedDisableDirectives"],
  [/^Unused inline config/, "reportUnusedInlineConfigs"]];
const unused = async (file, text) => {
  if (!/\/[*/]\s*eslint[\s-]/.test(text)) return [];
  const found = [];
  const reading = instance(file, { allowInlineConfig: true });
  for (const r of await reading.lintText(text, { filePath: file, warnIgnored: false })) {
    for (const m of r.messages) {
      const key = !m.ruleId && !m.fatal && UNUSED.find(([said]) => said.test(m.message ?? ""));
      if (key) found.push({ ...m, ruleId: key[1] });
    }
  }
  return found;
};
const named_ = (x) => (typeof x === "string" ? x : x?.meta?.name ?? x?.name ?? "");
const reads = (config) => {
  const parser = named_(config.languageOptions?.parser);
  const processor = named_(config.processor) || (config.processor ? "a processor" : "");
  return [parser && parser !== "espree" ? `the parser ${parser}` : "",
    processor && `the processor ${processor}`].filter(Boolean).join(" and ");
};
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
    process.chdir(named[file]?.[1] ?? tree);
    const eslint = instance(file);
    const config = await eslint.calculateConfigForFile(file);
    // inline configuration off (the project's `--no-inline-config`, its config's
    // `noInlineConfig`): no comment of the file switches a rule on, none is unused
    const off = inline[file] === null || config?.linterOptions?.noInlineConfig === true;
    const linter = (config && !off && switchedOn(file, config)) || eslint;
    for (const r of await linter.lintText(text, { filePath: file, warnIgnored: false })) {
      const said = off ? [] : await unused(file, text);
      results.push({ filePath: r.filePath, messages: [...r.messages, ...said] });
    }
    if (config) {
      const globals = config.languageOptions?.globals ?? {};
      declared[file] = {
        globals: Object.keys(globals).filter((name) => !["off", false].includes(globals[name])),
        rules: OWN.filter((rule) => rule in (config.rules ?? {}) && on(config.rules[rule])),
        // how it reads the file, when not as plain JavaScript: a parser other than espree, a
        // processor (the code blocks of a Markdown or HTML file)
        reads: reads(config),
      };
    }
  } catch (error) {
    errors[file] = `${error?.name ?? "Error"}: ${String(error?.message ?? error).split("\n")[0]}`;
  }
}
process.stdout.write(`\nREVIEWLOOP-PROJECT-LINT ${JSON.stringify({ results, errors, declared })}\n`);
