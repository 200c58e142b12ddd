// `weft await` with a real proxy: runs the command once the proxy is ready, exits with the
// command's status, and with --shutdown makes the proxy exit after it (a Job next to a classic
// sidecar completes). Without a proxy it gives up after --timeout with a clear error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startProxyProcess } from '../helpers/proxy-process.js';
import { runWeft } from '../helpers/weft-process.js';

test('weft await --shutdown runs the command after the proxy is ready, then shuts the proxy down', async (t) => {
  const proxy = await startProxyProcess(t, {});
  const admin = `127.0.0.1:${proxy.admin.port}`;
  const exited = new Promise<number | null>((r) => proxy.child.once('exit', (c) => r(c)));
  const r = await runWeft(['await', '--admin', admin, '--shutdown', '--', process.execPath, '-e', 'console.log("job ran"); process.exit(3)']);
  assert.equal(r.code, 3, r.stderr);
  assert.equal(r.stdout, 'job ran\n');
  const code = await Promise.race([exited, new Promise<string>((res) => setTimeout(() => res('still running'), 10_000))]);
  assert.notEqual(code, 'still running', 'the proxy exited after /shutdown');
});

test('weft await without a command only waits; without a proxy it times out with exit 1', async (t) => {
  const proxy = await startProxyProcess(t, {});
  const ok = await runWeft(['await', '--admin', `127.0.0.1:${proxy.admin.port}`]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.ok(proxy.alive(), 'no --shutdown: the proxy keeps running');
  const start = Date.now();
  const r = await runWeft(['await', '--admin', '127.0.0.1:1', '--timeout', '500ms', '--', 'true']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /the proxy at 127\.0\.0\.1:1 was not ready within 500 ms .*\(WEFT_ERR_AWAIT_TIMEOUT\)/);
  assert.ok(Date.now() - start < 5000);
});
