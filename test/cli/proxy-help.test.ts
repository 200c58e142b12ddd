// Regression (issue 18, item 5): `weft proxy --help` started a proxy on the default ports, since
// bin/weft.js's fast path never looked at the arguments. Help and version print and exit; the
// variables and defaults listed are the proxy's own (ENV, ENV_HELP in src/proxy/config.ts),
// docs/proxy.md's table says the same; and a proxy started normally still loads neither the
// help nor the CLI framework nor control-plane code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VERSION } from '../../src/lib/version.js';
import { DEFAULTS, ENV, ENV_HELP } from '../../src/proxy/config.js';
import { proxyHelp } from '../../src/proxy/help.js';
import { startProxyProcess, weftBin } from '../helpers/proxy-process.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');

/** Runs bin/weft.js; a proxy that wrongly starts (on port 0, never the defaults) is killed after 10 s. */
function weft(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [weftBin, ...args], {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        WEFT_PROXY_OUTBOUND_LISTEN_ADDR: '127.0.0.1:0',
        WEFT_PROXY_INBOUND_LISTEN_ADDR: '127.0.0.1:0',
        WEFT_PROXY_ADMIN_LISTEN_ADDR: '127.0.0.1:0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

test('weft proxy --help and -h print every WEFT_PROXY_* variable with its default and exit 0 without starting a proxy', async () => {
  for (const flag of ['--help', '-h']) {
    const r = await weft(['proxy', flag]);
    assert.equal(r.code, 0, `${flag}: ${r.stderr}`);
    assert.equal(r.stderr, '');
    assert.equal(r.stdout, proxyHelp());
    for (const k of Object.keys(ENV) as (keyof typeof ENV)[]) {
      const line = r.stdout.split('\n').find((l) => l.trimStart().startsWith(`${ENV[k]} `));
      assert.ok(line, `${ENV[k]} is not listed`);
      const [dflt] = ENV_HELP[k];
      if (dflt) assert.ok(line.endsWith(`(default ${dflt})`), `${ENV[k]}: ${line}`);
    }
    // The listed defaults are the ones parsing falls back to.
    assert.match(r.stdout, new RegExp(`WEFT_PROXY_OUTBOUND_LISTEN_ADDR .*\\(default ${DEFAULTS.outboundListen}\\)`));
    assert.match(r.stdout, /WEFT_PROXY_OPAQUE_PORTS .*\(default 25,587,3306,4444,5432,6379,9300,11211\)/);
  }
});

test('weft proxy --version prints the package version; any other argument is refused, with no proxy started', async () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  assert.equal(VERSION, pkg.version);
  for (const flag of ['--version', '-V']) assert.deepEqual(await weft(['proxy', flag]), { code: 0, stdout: `${pkg.version}\n`, stderr: '' });
  const bad = await weft(['proxy', '--port', '4140']);
  assert.equal(bad.code, 2);
  assert.equal(bad.stdout, '');
  assert.match(bad.stderr, /weft proxy: unexpected arguments "--port" "4140": .*weft proxy --help/);
  // `weft help proxy` (through the CLI) prints the same text.
  const viaCli = await weft(['help', 'proxy']);
  assert.equal(viaCli.code, 0);
  assert.equal(viaCli.stdout, proxyHelp());
});

test('docs/proxy.md lists every variable with the default weft proxy --help gives', () => {
  const doc = readFileSync(join(root, 'docs', 'proxy.md'), 'utf8');
  for (const k of Object.keys(ENV) as (keyof typeof ENV)[]) {
    const row = doc.split('\n').find((l) => l.startsWith(`| \`${ENV[k]}\` |`));
    assert.ok(row, `docs/proxy.md has no row for ${ENV[k]}`);
    assert.equal(row.split(' | ')[1], ENV_HELP[k][0] || '–', ENV[k]);
  }
});

test('a proxy started without arguments loads neither its help nor the CLI framework nor control-plane code', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'weft-modules-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const log = join(dir, 'modules.txt');
  const p = await startProxyProcess(t, { WEFT_PROXY_IDENTITY_DISABLED: '1', WEFT_TEST_MODULE_LOG: log }, ['--import', join(root, 'dist', 'test', 'fixtures', 'record-modules.js')]);
  assert.ok(p.alive());
  const loaded = readFileSync(log, 'utf8').split('\n').filter(Boolean);
  // The proxy runs from its bundle (scripts/bundle-proxy.mjs): what went into it is in its metafile.
  assert.ok(loaded.some((u) => u.endsWith('/dist/proxy/main.js')), 'the module log did not record the proxy bundle');
  const meta = JSON.parse(readFileSync(join(root, 'dist', 'proxy', 'meta.json'), 'utf8')) as { inputs: Record<string, unknown> };
  const bundled = Object.keys(meta.inputs);
  assert.ok(bundled.includes('dist/src/proxy/main.js') && bundled.length > 50, `bundle inputs: ${bundled.length}`);
  const unwanted = [...loaded, ...bundled].filter((u) => /node_modules\/commander\/|dist\/src\/(cli|control|runtime)\/|dist\/src\/proxy\/help\.js$/.test(u));
  assert.deepEqual(unwanted, []);
  // Nor its own modules one by one: the bundle replaces them.
  assert.deepEqual(loaded.filter((u) => u.includes('/dist/src/')), []);
});
