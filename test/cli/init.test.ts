// `weft init` as a user runs it: the real binary, dry-run against the golden file, and (as root)
// apply/remove inside a throwaway network namespace.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { cleanupAll, createNamespace, execInNamespace, netnsSupport } from '../../src/runtime/local/netns.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../../', import.meta.url));
const weft = `${root}bin/weft.js`;
const support = await netnsSupport();
const prefix = `wt-${process.pid}-c`;
after(() => (support.ok ? cleanupAll(prefix) : undefined));

test('weft init --dry-run prints the default rules (no root needed)', async () => {
  const { stdout } = await run(process.execPath, [weft, 'init', '--dry-run']);
  assert.equal(stdout, readFileSync(`${root}test/runtime/local/testdata/default.golden`, 'utf8'));
});

test('weft init rejects a bad port list with a clear message', async () => {
  await assert.rejects(run(process.execPath, [weft, 'init', '--dry-run', '--skip-outbound-ports', '80-70']), (e: unknown) => {
    assert.match((e as { stderr: string }).stderr, /runs backwards/);
    return true;
  });
});

test('weft init applies in a namespace, twice is once, --remove restores it', { skip: support.ok ? false : support.reason }, async () => {
  const ns = `${prefix}1`;
  await createNamespace(ns);
  const save = async (): Promise<string> => (await execInNamespace(ns, 'iptables-nft-save', ['-t', 'nat'])).stdout.replace(/^#.*\n/gm, '');
  const before = await save();
  const init = (...args: string[]): Promise<unknown> => execInNamespace(ns, process.execPath, [weft, 'init', '--iptables-binary', 'iptables-nft', ...args]);
  await init('--skip-outbound-ports', '443');
  await init('--skip-outbound-ports', '443');
  const applied = await save();
  assert.equal(applied.match(/-j WEFT_PROXY_INIT_OUTPUT/g)?.length, 1);
  assert.match(applied, /--dports 443 .*-j RETURN/);
  await init('--remove');
  assert.equal(await save(), before);
});
