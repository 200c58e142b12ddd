// test-timeout: 600000
// The dashboard in a real browser (Debian's chromium through playwright-core) over the demo in
// loopback mode (no root needed): the overview shows the demo's workloads with the numbers the
// metrics API gives, the topology has the demo's edges, the pages are keyboard reachable and
// load nothing the server refuses, and a stopped Prometheus (SIGSTOP: the process is there but
// answers nothing) shows as unhealthy and as "Prometheus is down". Screenshots of every page at
// 1280×800 and phone width go to $WEFT_SCREENSHOTS (docs/img when refreshing the docs) or a
// temp dir.
import { test } from 'node:test';
import { hostLock } from '../helpers/host-lock.js';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { MetricsApiClient } from '../../src/control/metrics/client.js';
import { down } from '../../src/runtime/local/down.js';
import { WEFT_ROOT, up } from '../../src/runtime/local/up.js';
import { launchBrowser, noBrowser, VIEWPORTS } from '../helpers/browser.js';
import { until } from '../helpers/http-load.js';
import { runWeft } from '../helpers/weft-process.js';

const skip = noBrowser() || (!existsSync(join(WEFT_ROOT, 'dist/examples/demo/main.js')) && 'demo not built');

/** Every data-value of a workload row, by column. */
async function row(page: Page, workload: string): Promise<Record<string, number | null>> {
  return page.$$eval(`tr[data-workload="${workload}"] td[data-col]`, (cells) =>
    Object.fromEntries(cells.map((c) => [c.getAttribute('data-col'), c.getAttribute('data-value') ? Number(c.getAttribute('data-value')) : null])));
}

/** GET `target` (absolute URI) through an HTTP proxy, as an app with HTTP_PROXY does; the status. */
function viaProxy(proxy: string, target: string): Promise<number> {
  const [host, port] = [proxy.slice(0, proxy.lastIndexOf(':')), Number(proxy.slice(proxy.lastIndexOf(':') + 1))];
  return new Promise((resolve, reject) => {
    const req = http.get({ host, port, path: target, headers: { host: new URL(target).host }, agent: false, timeout: 5000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy(new Error(`${target} via ${proxy}: no answer in 5 s`)));
    req.on('error', reject);
  });
}

const near = (a: number, b: number, rel: number, abs: number): boolean => Math.abs(a - b) <= Math.max(abs, rel * Math.max(a, b));

test('dashboard over the demo: overview numbers match the metrics API, topology has every edge, a stopped Prometheus is unhealthy', { skip, timeout: 330_000 /* includes waiting for the loopback-demo lock (the demo e2e: 20–120 s) */ }, async (t) => {
  // The demo's apps listen on fixed host ports in loopback mode: one loopback demo at a time.
  const lock = await hostLock('loopback-demo', 150_000);
  const stateDir = mkdtempSync(join(tmpdir(), 'weft-dash-e2e-'));
  const shots = process.env.WEFT_SCREENSHOTS ? resolve(process.env.WEFT_SCREENSHOTS) : join(stateDir, 'shots');
  mkdirSync(shots, { recursive: true });
  let stopped: number | undefined;
  t.after(async () => {
    if (stopped) process.kill(stopped, 'SIGCONT');
    await down(stateDir);
    rmSync(stateDir, { recursive: true, force: true });
  });
  // Released once the demo is down (hooks run in the order they were added).
  t.after(() => lock.release());
  const { state } = await up({ meshFile: join(WEFT_ROOT, 'examples/demo/mesh.yaml'), stateDir, workingDir: WEFT_ROOT, mode: 'loopback', scrapeIntervalSeconds: 1 });
  assert.ok(state.control.webAddr && state.control.metricsApiAddr && state.prometheus, 'weft up runs the dashboard with the metrics API');
  assert.match(state.control.webAddr, /^127\.0\.0\.1:\d+$/, 'the dashboard listens on loopback');
  const url = `http://${state.control.webAddr}/`;
  // `weft dashboard` finds the control plane's dashboard and prints its URL.
  const found = await runWeft(['dashboard', '--state-dir', stateDir]);
  assert.equal(found.code, 0, found.stderr);
  assert.equal(found.stdout, `dashboard: ${url}\n`);
  const api = new MetricsApiClient(state.control.metricsApiAddr);

  const browser = await launchBrowser();
  t.after(() => browser.close());
  const page = await browser.newPage({ viewport: VIEWPORTS.desktop });
  // Anything the page asked for and did not get (an asset, a CSP refusal) is a defect.
  const problems: string[] = [];
  page.on('console', (m) => void (m.type() === 'error' && problems.push(m.text())));
  page.on('pageerror', (e) => void problems.push(e.message));

  // Overview: the demo's four workloads, with traffic on web (vote-bot sends ~8 rps).
  await page.goto(url);
  await until('the overview shows web with traffic', async () => ((await row(page, 'demo/web').catch(() => ({}) as Record<string, number | null>))['rps'] ?? 0) > 1, 60_000);
  for (const w of ['catalog', 'vote-bot', 'voting', 'web']) assert.equal(await page.locator(`tr[data-workload="demo/${w}"]`).count(), 1, w);
  assert.equal(await page.locator('tr[data-workload="demo/web"] td[data-col="meshed"]').textContent(), '1/1');
  // The same numbers as the metrics API within a tolerance (the page shows the last poll, up to
  // one refresh old, and the window is still filling).
  const shown = await row(page, 'demo/web');
  const truth = (await api.stat({ resource: 'deploy/web', namespace: 'demo', window: '1m' })).rows[0];
  t.diagnostic(`web: page ${JSON.stringify(shown)}, metrics API rps ${truth?.rps} success ${truth?.successRate} p99 ${truth?.p99}`);
  assert.ok(truth && near(shown['rps'] as number, truth.rps, 0.3, 1), `rps ${shown['rps']} vs ${truth?.rps}`);
  assert.ok(near(shown['success'] as number, truth.successRate as number, 0, 0.05), `success ${shown['success']} vs ${truth.successRate}`);
  assert.ok(shown['p99'] !== null && (shown['p99'] as number) > 0);

  // Live: the page updates without a reload (the sparkline grows).
  const points = (): Promise<number> => page.$eval('tr[data-workload="demo/web"] svg.spark', (s) => s.querySelector('polyline')?.getAttribute('points')?.split(' ').length ?? 0).catch(() => 0);
  const before = await points();
  await until('a live update', async () => (await points()) > before, 30_000);

  // Topology: the demo's edges, each with traffic and over mTLS.
  await page.goto(`${url}#/topology`);
  await until('the topology has the demo\'s edges', async () => (await page.locator('g.edge[data-edge]').count()) >= 3, 30_000);
  const edges = await page.$$eval('g.edge', (gs) => gs.map((g) => ({ edge: g.getAttribute('data-edge'), rps: Number(g.getAttribute('data-rps')), title: g.querySelector('title')?.textContent ?? '' })));
  for (const e of ['vote-bot->web', 'web->catalog', 'web->voting']) {
    const found = edges.find((x) => x.edge === e);
    assert.ok(found && found.rps > 0 && /mTLS/.test(found.title), `${e}: ${JSON.stringify(edges)}`);
  }

  // Keyboard: Tab reaches the navigation, and a workload is one Enter away from the overview.
  await page.goto(url);
  await page.locator('tr[data-workload="demo/web"]').waitFor();
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'weft');
  await page.locator('a[data-key="wl:demo/web"]').focus();
  await page.keyboard.press('Enter');
  await page.waitForURL(/#\/workload\/demo\/web$/);
  await page.locator('tr[data-edge="vote-bot->web"]').waitFor({ timeout: 20_000 });
  assert.match(await page.locator('tr[data-edge="vote-bot->web"]').innerText(), /spiffe:\/\/cluster\.local\/ns\/demo\/sa\/vote-bot/);
  assert.equal(await page.locator('tr[data-edge="web->catalog"]').count(), 1);

  // Tap, through the control plane's tap component: a request the test sends through the mesh
  // (vote-bot's proxy → mTLS → web's proxy, as vote-bot's own requests go) to a path only this
  // run uses appears, and nothing else does. The page's watch reaches the proxies a moment after
  // it opens, so the test sends one request a second, each with its own path, until one shows.
  const mark = `/weft-e2e-tap-${randomBytes(6).toString('hex')}`;
  await page.goto(`${url}#/tap?namespace=demo&resource=deploy/web&path=${encodeURIComponent(mark)}`);
  const sent: string[] = [];
  const bot = state.workloads.find((w) => w.name === 'vote-bot');
  const web = state.workloads.find((w) => w.name === 'web');
  assert.ok(bot?.outboundAddr && web?.inboundAddr, 'loopback mode: vote-bot has an outbound proxy and web an inbound one');
  await until('the tap page shows a request the test sent', async () => {
    if ((await page.locator('tr[data-tap]').count()) > 0) return true;
    const path = `${mark}/${sent.length}`;
    sent.push(path);
    const status = await viaProxy(bot.outboundAddr as string, `http://${web.inboundAddr as string}${path}`);
    assert.equal(status, 404, `web has no route for ${path}`);
    return page.locator('tr[data-tap]').first().waitFor({ timeout: 1000 }).then(() => true, () => false);
  }, 30_000);
  const tapped = await page.$$eval('tr[data-tap] td', (tds) => tds.map((td) => td.textContent ?? ''));
  t.diagnostic(`sent ${sent.length} request(s); tap row: ${JSON.stringify(tapped)}`);
  // Columns: time, direction, from, to, request, status, latency, mTLS.
  const [, direction, from, to, request, status, latency, mtls] = tapped;
  assert.equal(direction, 'inbound');
  assert.equal(from, 'pod/vote-bot', 'the client named by its verified identity');
  assert.equal(to, 'pod/web');
  const m = /^GET (\S+?)(\/weft-e2e-tap-\S+)$/.exec(request ?? '');
  assert.ok(m && sent.includes(m[2] as string), `the row is one of the test's requests (${sent.join(', ')}): ${request}`);
  assert.equal(m[1], web.inboundAddr, 'the authority the test used');
  assert.equal(status, '404');
  assert.ok(latency && latency !== '—', `a latency: ${latency}`);
  assert.equal(mtls, 'yes');
  // Every row is one of the test's requests (the filter let nothing else through), each once.
  const requests = await page.$$eval('tr[data-tap] td.mono', (tds) => tds.map((td) => td.textContent ?? ''));
  assert.ok(requests.every((r) => sent.some((p) => r.endsWith(p))) && new Set(requests).size === requests.length, JSON.stringify(requests));

  // Health: all up, then Prometheus stopped.
  await page.goto(`${url}#/health`);
  await page.locator('tr[data-component="prometheus"][data-state="ok"]').waitFor({ timeout: 15_000 });
  for (const c of ['identity', 'destination', 'metrics-api']) assert.equal(await page.locator(`tr[data-component="${c}"]`).getAttribute('data-state'), 'ok', c);
  assert.equal(await page.locator('tr[data-cert="issuer"]').count(), 1);

  // Screenshots of each page at both sizes, while everything is healthy.
  for (const [size, viewport] of Object.entries(VIEWPORTS)) {
    await page.setViewportSize(viewport);
    for (const [name, hash] of [['overview', '#/'], ['topology', '#/topology'], ['workload', '#/workload/demo/web'], ['tap', '#/tap?namespace=demo&resource=deploy/web'], ['health', '#/health']]) {
      await page.goto(`${url}${hash}`);
      await page.waitForSelector(name === 'overview' ? 'tr[data-workload="demo/web"]' : name === 'topology' ? 'g.edge' : name === 'workload' ? 'tr[data-edge]' : name === 'tap' ? 'tr[data-tap]' : 'tr[data-component]');
      await page.screenshot({ path: join(shots, `dashboard-${name}-${size}.png`), fullPage: true });
      // Nothing wider than the screen but the tables' own scrolling cards.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `${name} at ${size}: the page scrolls sideways by ${overflow}px`);
    }
  }
  await page.setViewportSize(VIEWPORTS.desktop);
  assert.deepEqual(problems, [], 'the browser reported no errors');

  process.kill(state.prometheus.pid, 'SIGSTOP');
  stopped = state.prometheus.pid;
  await page.goto(`${url}#/health`);
  await page.locator('tr[data-component="prometheus"][data-state="down"]').waitFor({ timeout: 20_000 });
  assert.match(await page.locator('[data-summary]').innerText(), /prometheus is not answering/);
  // The overview keeps its last numbers and says why they no longer move.
  await page.goto(url);
  await page.locator('#banner:not([hidden])').waitFor({ timeout: 45_000 });
  assert.match(await page.locator('#banner').innerText(), /Prometheus is down/);
  await page.screenshot({ path: join(shots, 'dashboard-prometheus-down-desktop.png') });
  process.kill(state.prometheus.pid, 'SIGCONT');
  stopped = undefined;
  await page.locator('tr[data-component="prometheus"]').count();
  await page.goto(`${url}#/health`);
  await page.locator('tr[data-component="prometheus"][data-state="ok"]').waitFor({ timeout: 20_000 });
});
