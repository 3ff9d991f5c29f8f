"""The Node preload that runs cdk-nag's AwsSolutionsChecks on the user's app without editing
it, written next to the synth's output and loaded with `NODE_OPTIONS=--require`.

It waits until the app itself loads `aws-cdk-lib` (the CDK CLI and npx load the preload too
and are left alone; a Python app's jsii kernel loads it by its file's absolute path),
then wraps `Stage.prototype.synth`: after an `App` has synthesized
(its own aspects applied), the pack walks the construct tree and every violation is written
to the report file as JSON — acknowledged ones included and marked, because whether an
acknowledgement counts is reviewloop's decision (`reviewloop.checks.suppressions`), not
cdk-nag's. A cdk-nag outside the app's node_modules resolves `aws-cdk-lib` and `constructs`
from the app's folder, or its `instanceof` checks would fail on the app's constructs. Any
error is written to the report instead of breaking the user's synth.
"""

from __future__ import annotations

HOOK = r"""'use strict';
// Loaded by reviewloop for one `cdk synth`: cdk-nag's AwsSolutionsChecks on every App.
const Module = require('module');
const fs = require('fs');
const path = require('path');
const NAG = process.env.REVIEWLOOP_CDK_NAG;
const REPORT = process.env.REVIEWLOOP_CDK_NAG_REPORT;
let appDir = null;
// resolved now: aws-cdk-lib wraps fs functions once it is loaded
const NAG_DIR = NAG ? fs.realpathSync(NAG) + path.sep : null;
const write = (data) => fs.writeFileSync(REPORT, JSON.stringify(data, null, 1));
const fromNag = (parent) => Boolean(NAG_DIR && parent && parent.filename &&
  parent.filename.startsWith(NAG_DIR));
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  if (appDir && fromNag(parent) && /^(aws-cdk-lib|constructs)(\/|$)/.test(request)) {
    return require.resolve(request, { paths: [appDir] });
  }
  return resolve.call(this, request, parent, ...rest);
};
// a Python app's jsii kernel loads it by its file (<kernel>/node_modules/aws-cdk-lib/index.js)
const KERNEL_LIB = /[\\/]node_modules[\\/]aws-cdk-lib([\\/]index\.js)?$/;
const isLib = (request) => request === 'aws-cdk-lib' ||
  (path.isAbsolute(request) && KERNEL_LIB.test(request));
const load = Module._load;
Module._load = function (request, parent, ...rest) {
  const loaded = load.call(this, request, parent, ...rest);
  if (isLib(request) && appDir === null && !fromNag(parent)) {
    // loaded by its file: resolved from its own folder (and the kernel's node_modules)
    appDir = path.isAbsolute(request) ? request.replace(/[\\/]index\.js$/, '')
      : parent && parent.filename ? path.dirname(parent.filename) : process.cwd();
    try { wrap(loaded); } catch (e) { write({ error: String(e && e.stack || e) }); }
  }
  return loaded;
};
function wrap(lib) {
  const done = new WeakSet();
  const synth = lib.Stage.prototype.synth;
  lib.Stage.prototype.synth = function (...args) {
    const assembly = synth.apply(this, args);
    if (lib.App.isApp(this) && !done.has(this)) {
      done.add(this);
      try { write(check(this)); } catch (e) { write({ error: String(e && e.stack || e) }); }
    }
    return assembly;
  };
}
function check(app) {
  const nag = require(NAG);
  const version = require(path.join(NAG, 'package.json')).version;
  const pack = new nag.AwsSolutionsChecks(undefined, { verbose: true });
  if (typeof pack.validateScope !== 'function' || typeof pack.isAcknowledged !== 'function') {
    return { version, error: `cdk-nag ${version} has no validateScope: reviewloop runs cdk-nag 3` };
  }
  const acknowledged = new Set();
  const own = pack.isAcknowledged.bind(pack);
  pack.isAcknowledged = (node, rule) => {
    if (own(node, rule)) acknowledged.add(node.node.path + '\u0000' + rule);
    return false;
  };
  const violations = [];
  for (const v of pack.validateScope(app).violations) {
    for (const r of v.violatingResources) {
      const key = r.constructPath + '\u0000' + v.ruleName;
      violations.push({ rule: v.ruleName, description: v.description, severity: v.severity,
        path: r.constructPath, acknowledged: acknowledged.has(key) });
    }
  }
  return { version, violations };
}
"""
