#!/usr/bin/env node
// Builds the N-API addon at install time (package.json "install" runs this). Nothing is
// downloaded: node-gyp is the one bundled with npm, and the headers are the installed Node's
// (`--nodedir` = the prefix holding include/node/node_api.h). A missing toolchain or header set
// is reported and the install goes on: the proxy then runs without transparent interception
// and says so. Set WEFT_NATIVE_REQUIRED=1 to make a failed build fail the install instead.
//
// Environment: WEFT_NODEDIR (prefix with include/node), WEFT_NODE_GYP (path to node-gyp.js).
/* global process, console */
import { existsSync, realpathSync } from 'node:fs';
import { dirname, join, delimiter } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const required = process.env.WEFT_NATIVE_REQUIRED === '1';

function giveUp(reason) {
  const msg =
    `weft: native addon not built: ${reason}\n` +
    'weft: the proxy will run without transparent interception (SO_ORIGINAL_DST); ' +
    'see docs/interception.md to build it later with `npm run build:native`.';
  console.warn(msg);
  process.exit(required ? 1 : 0);
}

function onPath(cmd) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, cmd))) return true;
  }
  return false;
}

function findNodeGyp() {
  const candidates = [process.env.WEFT_NODE_GYP, process.env.npm_config_node_gyp];
  // npm sets npm_execpath to its npm-cli.js when it runs this script.
  if (process.env.npm_execpath) {
    candidates.push(join(dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  }
  // The npm installed beside this node (Debian: /usr/lib/node_modules/npm).
  const prefix = dirname(dirname(realpathSync(process.execPath)));
  candidates.push(join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  candidates.push('/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js');
  candidates.push('/usr/local/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js');
  return candidates.find((c) => c && existsSync(c));
}

function findNodeDir() {
  const prefix = dirname(dirname(realpathSync(process.execPath)));
  const candidates = [process.env.WEFT_NODEDIR, prefix, '/usr', '/usr/local'];
  return candidates.find((d) => d && existsSync(join(d, 'include', 'node', 'node_api.h')) && existsSync(join(d, 'include', 'node', 'common.gypi')));
}

if (process.platform !== 'linux') giveUp(`SO_ORIGINAL_DST is Linux-only (platform ${process.platform})`);
const missing = ['make', 'python3'].filter((c) => !onPath(c));
if (!onPath('cc') && !onPath('gcc')) missing.push('cc');
if (missing.length > 0) giveUp(`missing build tools: ${missing.join(', ')} (Debian: apt-get install make g++ python3)`);
const nodeGyp = findNodeGyp();
if (!nodeGyp) giveUp('node-gyp not found (looked beside npm; set WEFT_NODE_GYP)');
const nodeDir = findNodeDir();
if (!nodeDir) giveUp('Node headers (include/node/node_api.h) not found (Debian: libnode-dev; or set WEFT_NODEDIR)');

const started = Date.now();
const r = spawnSync(process.execPath, [nodeGyp, 'rebuild', `--nodedir=${nodeDir}`, '--loglevel=warn'], {
  cwd: here,
  stdio: ['ignore', 'inherit', 'inherit'],
  // npm passes its own config (e.g. a nodedir from ~/.npmrc) as npm_config_*; this build says
  // explicitly what it needs, so those must not override it.
  env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_config_'))),
});
if (r.error) giveUp(`node-gyp could not start: ${r.error.message}`);
if (r.status !== 0) giveUp(`node-gyp exited with status ${r.status ?? r.signal}`);
console.log(`weft: native addon built in ${Date.now() - started} ms (${join(here, 'build', 'Release', 'weft_native.node')})`);
