// The CLI loads only the command it runs: each registry entry must be the module of the command
// it is named after (else `weft <name>` would find no such command), and the choice of modules
// follows argv.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { Command } from 'commander';
import { COMMANDS, commandsFor } from '../../src/cli/commands.js';

test('each registry entry registers the command it is named after, and only that one', async () => {
  for (const [name, load] of Object.entries(COMMANDS)) {
    const program = new Command('weft');
    (await load()).register(program);
    assert.deepEqual(program.commands.map((c) => c.name()), [name], `entry "${name}"`);
  }
});

test('argv picks the modules: the named command (also via help), all for --help or an unknown word, none for --version', async () => {
  const all = Object.keys(COMMANDS).length;
  assert.equal((await commandsFor(['node', 'weft', 'ps', '-a'])).length, 1);
  assert.equal((await commandsFor(['node', 'weft', '--kubeconfig', 'x', 'check'])).length, all, 'an option value before the command: all, never a wrong one');
  assert.equal((await commandsFor(['node', 'weft', 'help', 'viz'])).length, 1);
  assert.equal((await commandsFor(['node', 'weft', '--help'])).length, all);
  assert.equal((await commandsFor(['node', 'weft', 'bogus'])).length, all);
  assert.equal((await commandsFor(['node', 'weft', '--version'])).length, 0);
});

/** How many modules of gRPC, X.509 and the Kubernetes client `weft <args>` loads. */
function heavyModules(args: string[]): string {
  const r = spawnSync(process.execPath, ['-e', `
    const { run } = await import(${JSON.stringify(new URL('../../src/cli/main.js', import.meta.url).href)});
    process.stdout.write = () => true;
    process.exit = () => { throw new Error('exit'); };
    await run(['node', 'weft', ...${JSON.stringify(args)}]).catch(() => {});
    const { createRequire } = await import('node:module');
    const loaded = Object.keys(createRequire(import.meta.url).cache);
    console.error(JSON.stringify(loaded.filter((f) => /@grpc|@peculiar|@kubernetes/.test(f)).length));
  `, '--input-type=module'], { encoding: 'utf8' });
  return r.stderr.trim().split('\n').pop() ?? '';
}

test('weft ps --help loads neither gRPC nor the X.509 library (weft identity --help does)', () => {
  assert.equal(heavyModules(['ps', '--help']), '0');
  assert.notEqual(heavyModules(['identity', '--help']), '0', 'the probe sees modules when they are loaded');
});
