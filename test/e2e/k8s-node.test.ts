// test-timeout: 1200000
// weft on a real one-node cluster (test/helpers/k8s-node.ts): the kubelet really starts the pods
// the injector changed, weft-init really writes iptables rules in each pod's network namespace,
// and the demo's traffic really flows between pods through their proxies with mTLS, identities
// from service-account tokens. A Job completes with the proxy as a native sidecar; the
// heartbeat's Job runs under its own service account. Then faults (a pod deleted under load, the
// destination pod restarted, the proxy version rolled) and an uninstall that leaves nothing. The
// steps build on each other, in order.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { DEFAULT_PROXY_UID } from '../../src/runtime/local/iptables-rules.js';
import { run } from '../helpers/exec.js';
import { nodeSkipReason, startNode, type KubeNode } from '../helpers/k8s-node.js';
import { podNatRules, pods, proxyMetrics, rssByUid, total, type PodInfo } from '../helpers/k8s-pods.js';
import { runWeft, startWeft } from '../helpers/weft-process.js';
import { catalogEndpoints as catalogEndpointsOf, catalogServedOverMtls, jobCompletes, until, webBalancerForCatalog, webToCatalog as webToCatalogOf } from '../helpers/k8s-demo-load.js';
import type { TapEventJson } from '../../src/control/tap/event-json.js';
import type { KubeCluster } from '../helpers/k8s-cluster.js';
import type { Sample } from '../../src/viz/prom-text.js';

const DEMO = resolve(new URL('../../../examples/demo/k8s', import.meta.url).pathname);
const WORKLOADS = ['web', 'catalog', 'voting', 'vote-bot'];
const skip = process.env.KUBECONFIG ? 'needs the local one-node cluster (KUBECONFIG names another cluster)' : nodeSkipReason();
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const log = (msg: string): void => console.log(`# k8s-node: ${msg}`);

describe('weft on a real one-node cluster: install, the demo meshed with mTLS, faults, uninstall', { skip, timeout: 1_080_000 }, () => {
  let node: KubeNode;
  let cluster: KubeCluster;
  const weft = (args: string[], stdin = '') => runWeft([...args, ...(args[0] === 'install' ? [] : ['--kubeconfig', cluster.kubeconfig])], stdin);
  const k = (args: string[], stdin?: string) => cluster.k(args, stdin);
  const timed = async <T>(what: string, f: () => Promise<T>): Promise<T> => {
    const t = Date.now();
    const r = await f();
    log(`${what}: ${((Date.now() - t) / 1000).toFixed(1)} s`);
    return r;
  };

  before(async () => {
    node = await startNode();
    cluster = node.cluster;
    log(`cluster + node Ready with DNS in ${node.startSeconds.toFixed(1)} s`);
  });

  after(async () => {
    if (node) await node.stop();
  });

  test('weft install | kubectl apply -f - brings the control plane up as real pods; the webhook is served from its pod', async () => {
    await timed('weft image built and imported', () => node.loadImage('weft'));
    const install = await weft(['install', '--image-pull-policy', 'Never']);
    assert.equal(install.code, 0, install.stderr);
    await k(['apply', '-f', '-'], install.stdout);
    await timed('control plane Available', () => k(['wait', '-n', 'weft', '--for=condition=Available', 'deployment', '--all', '--timeout=240s']).catch((e: Error) => {
      throw new Error(`${e.message}\n${node.logs()}`);
    }));
    const injector = (await pods(cluster, 'weft', 'weft.io/control-plane-component=injector'))[0];
    assert.ok(injector?.ready && injector.ip.startsWith('10.89.'), `injector pod ready with a pod IP: ${JSON.stringify(injector)}`);
    const endpoints = await k(['get', 'endpointslices', '-n', 'weft', '-l', 'kubernetes.io/service-name=weft-injector', '-o', 'jsonpath={.items[*].endpoints[*].addresses[*]}']);
    assert.equal(endpoints.trim(), injector.ip, 'the webhook Service points at the injector pod');
    const check = await weft(['check']);
    assert.equal(check.code, 0, check.stdout + check.stderr);
    assert.match(check.stdout, /✔ the API server calls the proxy injector\n/);
  });

  let demo: PodInfo[] = [];
  test('the demo in an annotated namespace: every pod gets the proxy, weft-init writes real iptables rules', async () => {
    await timed('demo image built and imported', () => node.loadImage('demo'));
    await k(['apply', '-f', DEMO]);
    await timed('demo Available', () => k(['wait', '-n', 'demo', '--for=condition=Available', 'deployment', '--all', '--timeout=240s']).catch((e: Error) => {
      throw new Error(`${e.message}\n${node.logs()}`);
    }));
    demo = (await pods(cluster, 'demo')).filter((p) => !p.deleting);
    assert.equal(demo.length, WORKLOADS.length, demo.map((p) => p.name).join(' '));
    for (const p of demo) {
      assert.deepEqual(p.initContainers.map((c) => c.name), ['weft-init', 'weft-proxy'], p.name);
      assert.equal(p.initContainers[1]?.restartPolicy, 'Always', `${p.name}: the proxy is a native sidecar`);
      assert.equal(p.initStatuses.find((s) => s.name === 'weft-init')?.exitCode, 0, `${p.name}: weft-init ran and succeeded`);
      assert.ok(p.ready, `${p.name} ready`);
      const nat = await podNatRules(await node.netnsOf(p.ip));
      // Inbound to the proxy's 4143, outbound to 4140, the proxy's own uid left alone.
      assert.match(nat, /REDIRECT --to-ports 4143/, `${p.name}: inbound redirect in its netns:\n${nat}`);
      assert.match(nat, /REDIRECT --to-ports 4140/, `${p.name}: outbound redirect`);
      assert.match(nat, /--uid-owner 2102/, `${p.name}: the proxy's own traffic skipped`);
    }
  });

  test('weft check --proxy passes for the demo', async () => {
    const r = await weft(['check', '--proxy', '-n', 'demo']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /weft-data-plane/);
  });

  test('traffic between the demo pods is mTLS with identities from service-account tokens', async () => {
    // vote-bot -> web -> catalog (HTTP/1) and voting (gRPC). (Inbound plaintext exists: the
    // kubelet's probes, from the host: tls="no_identity".) Identities are SPIFFE IDs of the
    // pods' service accounts, which identity issued against their projected tokens.
    const edges: [string, string][] = [['web', 'vote-bot'], ['catalog', 'web'], ['voting', 'web']];
    const podOf = (w: string): string => (demo.find((d) => d.name.startsWith(`${w}-`)) as PodInfo).name;
    for (let end = Date.now() + 60_000; ;) {
      const missing: string[] = [];
      for (const [server, client] of edges) {
        const [served, sent] = [await proxyMetrics(cluster, 'demo', podOf(server)), await proxyMetrics(cluster, 'demo', podOf(client))];
        const resp = (m: typeof served, dir: string) => m.filter((s) => s.name === 'response_total' && s.labels['direction'] === dir);
        // The server's proxy saw the client's identity; the client's proxy saw the server's.
        const inbound = resp(served, 'inbound').filter((s) => s.labels['tls'] === 'true' && s.labels['client_id'] === `spiffe://cluster.local/ns/demo/sa/${client}`);
        const outbound = resp(sent, 'outbound').filter((s) => (s.labels['authority'] ?? '').startsWith(`${server}.`));
        const outTls = outbound.filter((s) => s.labels['tls'] === 'true' && s.labels['server_id'] === `spiffe://cluster.local/ns/demo/sa/${server}`);
        if (total(inbound, 'response_total') === 0 || total(outTls, 'response_total') === 0) {
          missing.push(`${client} -> ${server}: inbound ${JSON.stringify([...new Set(resp(served, 'inbound').map((s) => `${s.labels['tls']}/${s.labels['client_id']}`))])}, outbound ${JSON.stringify([...new Set(outbound.map((s) => `${s.labels['tls']}/${s.labels['server_id']}`))])}`);
        }
      }
      if (missing.length === 0) break;
      assert.ok(Date.now() < end, `no mTLS traffic seen: ${missing.join('; ')}`);
      await sleep(2000);
    }
    // From then on nothing in plaintext. Before, while the pods start: the 503s a proxy answers
    // itself while the Service has no ready endpoint, and on a loaded machine requests sent on
    // to the Service's address as they are, without TLS, when discovery has not answered in
    // time (the designed fallback; seen failing, 502 or reset, as web was not serving yet).
    // Those are logged by status, not counted.
    const plainOut = async (server: string, client: string): Promise<Sample[]> =>
      (await proxyMetrics(cluster, 'demo', podOf(client))).filter((s) => s.name === 'response_total' && s.labels['direction'] === 'outbound' && (s.labels['authority'] ?? '').startsWith(`${server}.`) && s.labels['tls'] !== 'true');
    const byStatus = (m: Sample[]): string => m.map((s) => `${s.labels['status_code']}${s.labels['error'] ? `/${s.labels['error']}` : ''}=${s.value}`).join(' ') || 'none';
    const first = await Promise.all(edges.map(([server, client]) => plainOut(server, client)));
    log(`plaintext responses before every edge was mTLS: ${edges.map(([server, client], i) => `${client} -> ${server} ${byStatus(first[i] as Sample[])}`).join(', ')}`);
    const atStart = first.map((m) => total(m, 'response_total'));
    await sleep(5000);
    const later = await Promise.all(edges.map(async ([server, client]) => total(await plainOut(server, client), 'response_total')));
    assert.deepEqual(later, atStart, `plaintext responses since (${edges.map(([s, c]) => `${c} -> ${s}`).join(', ')})`);
  });

  test('weft viz stat --kubernetes shows success rate and RPS for every workload', async () => {
    const r = await weft(['viz', 'stat', 'deploy', '--kubernetes', '-n', 'demo', '--window', '5s', '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const { rows } = JSON.parse(r.stdout) as { rows: { name: string; meshedPods: number; pods: number; successRate?: number; rps: number }[] };
    log(`viz stat: ${JSON.stringify(rows)}`);
    const rss = rssByUid('weft-node', 2102);
    log(`RSS of the ${rss.length} proxies in the demo's pods: ${rss.map((r) => r.toFixed(0)).join(', ')} MB`);
    for (const w of ['web', 'catalog', 'voting']) {
      const row = rows.find((x) => x.name === w);
      assert.ok(row, `${w} listed`);
      assert.equal(row.meshedPods, row.pods, `${w} fully meshed`);
      assert.ok(row.rps > 0, `${w} serves traffic: ${JSON.stringify(row)}`);
      assert.ok(row.successRate !== undefined && row.successRate > 0.5, `${w} success rate: ${JSON.stringify(row)}`);
    }
    // voting fails a quarter of the votes for socks, by design: below 100%; catalog does not fail.
    assert.equal(rows.find((x) => x.name === 'catalog')?.successRate, 1);
    const bot = rows.find((x) => x.name === 'vote-bot');
    assert.ok(bot && bot.meshedPods === 1, 'vote-bot is meshed (it serves nothing: no rate)');
  });

  test('weft viz tap --kubernetes shows web -> catalog requests live, with both identities', async () => {
    // Through the API server's proxy to the tap component, which observes catalog's proxies
    // over mTLS with its own identity (from its service-account token).
    const webId = 'spiffe://cluster.local/ns/demo/sa/web';
    let tap;
    for (let attempt = 1; ; attempt++) {
      try {
        tap = await timed('first web -> catalog request tapped', () =>
          startWeft(undefined, ['viz', 'tap', 'deploy/catalog', '-n', 'demo', '--kubernetes', '--kubeconfig', cluster.kubeconfig, '-o', 'json'],
            /"type":"responseEnd"[^\n]*"client_id":"spiffe:\/\/cluster\.local\/ns\/demo\/sa\/web"|"client_id":"spiffe:\/\/cluster\.local\/ns\/demo\/sa\/web"[^\n]*"type":"responseEnd"/, {}, 60_000));
        break;
      } catch (err) {
        // The tap component may still be getting its certificate right after the install.
        if (attempt >= 3) throw err;
        log(`viz tap attempt ${attempt}: ${(err as Error).message.slice(0, 300)}`);
        await sleep(5000);
      }
    }
    await tap.stop();
    const events = tap.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as TapEventJson);
    const fromWeb = events.filter((e) => e.sourceLabels['client_id'] === webId);
    log(`viz tap: ${events.length} events, ${fromWeb.length} from web; first: ${JSON.stringify(fromWeb[0])}`);
    const req = fromWeb.find((e) => e.type === 'requestInit');
    assert.ok(req, 'a request from web');
    assert.equal(req.direction, 'inbound');
    assert.equal(req.tls, true);
    assert.match(req.pod, /^catalog-/);
    assert.equal(req.destinationLabels['server_id'], 'spiffe://cluster.local/ns/demo/sa/catalog');
    assert.match(req.sourceResource ?? '', /^pod\/web-/, 'the source named as web\'s pod');
    assert.match(req.destinationResource ?? '', /^pod\/catalog-/);
    const end = fromWeb.find((e) => e.type === 'responseEnd' && e.id === req.id) ?? fromWeb.find((e) => e.type === 'responseEnd');
    assert.ok(end && (end.latencyUs ?? 0) > 0, `a response end: ${JSON.stringify(end)}`);
  });

  const catalogServedTo = (clientId: string) => catalogServedOverMtls(cluster, clientId);

  test('a Job in the meshed namespace runs to Complete with the proxy as a native sidecar', async () => {
    // Its container calls catalog through the proxy and exits; the kubelet then stops the
    // sidecar (a classic sidecar would keep the Job running for ever). Identity: the
    // namespace's default service account.
    const call = "fetch('http://catalog.demo.svc.cluster.local:7081/healthz').then((r) => { console.log('catalog answered', r.status); process.exit(r.status === 200 ? 0 : 1); }, (e) => { console.error(e); process.exit(1); })";
    const job = {
      apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'oneshot', namespace: 'demo' },
      spec: {
        backoffLimit: 0, activeDeadlineSeconds: 120,
        template: {
          spec: {
            restartPolicy: 'Never',
            containers: [{
              name: 'oneshot', image: 'weft-demo:dev', imagePullPolicy: 'IfNotPresent', command: ['node', '-e', call],
              securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, allowPrivilegeEscalation: false },
            }],
          },
        },
      },
    };
    const defaultId = 'spiffe://cluster.local/ns/demo/sa/default';
    const servedBefore = await catalogServedTo(defaultId);
    await k(['apply', '-f', '-'], JSON.stringify(job));
    await timed('Job complete', () => jobCompletes(cluster, 'demo', 'oneshot', 120_000));
    const [pod] = JSON.parse(await k(['get', 'pods', '-n', 'demo', '-l', 'job-name=oneshot', '-o', 'json'])).items as {
      spec: { initContainers?: { name: string; restartPolicy?: string }[] }; status: { phase: string; initContainerStatuses?: { name: string; state: { terminated?: { exitCode: number } } }[] };
    }[];
    assert.ok(pod, 'the Job\'s pod');
    assert.deepEqual(pod.spec.initContainers?.map((c) => [c.name, c.restartPolicy ?? '']), [['weft-init', ''], ['weft-proxy', 'Always']], 'the proxy as a native sidecar');
    assert.equal(pod.status.phase, 'Succeeded');
    assert.ok(pod.status.initContainerStatuses?.find((c) => c.name === 'weft-proxy')?.state.terminated, 'the kubelet stopped the sidecar once the Job\'s container exited');
    assert.match(await k(['logs', '-n', 'demo', 'job/oneshot', '-c', 'oneshot']), /catalog answered 200/);
    assert.ok(await catalogServedTo(defaultId) > servedBefore, 'catalog\'s proxy served the Job over mTLS, identity sa/default');
    await k(['delete', 'job', '-n', 'demo', 'oneshot', '--cascade=foreground', '--wait=true', '--timeout=60s']);
  });

  test('the heartbeat CronJob\'s Job, under its own service account, completes and writes its ConfigMap', async () => {
    const t = Date.now();
    await k(['create', 'job', '--from=cronjob/weft-heartbeat', 'weft-heartbeat-e2e', '-n', 'weft']);
    await timed('heartbeat Job complete', () => jobCompletes(cluster, 'weft', 'weft-heartbeat-e2e', 180_000));
    const sa = await k(['get', 'pods', '-n', 'weft', '-l', 'job-name=weft-heartbeat-e2e', '-o', 'jsonpath={.items[*].spec.serviceAccountName}']);
    assert.equal(sa, 'weft-heartbeat');
    const cm = JSON.parse(await k(['get', 'configmap', 'weft-heartbeat', '-n', 'weft', '-o', 'json'])) as { data?: Record<string, string> };
    assert.ok(cm.data?.['last-run'] && Date.parse(cm.data['last-run']) >= t - 5000, `written by this run: ${JSON.stringify(cm.data?.['last-run'])}`);
    assert.equal((JSON.parse(cm.data['result.json'] as string) as { success: boolean }).success, true, cm.data['result.json']);
    assert.match(cm.data['metrics'] as string, /^weft_heartbeat_success 1$/m);
    assert.match(cm.data['metrics'] as string, /^weft_heartbeat_checks\{result="error"\} 0$/m);
    await k(['delete', 'job', '-n', 'weft', 'weft-heartbeat-e2e', '--wait=false']);
  });

  const webToCatalog = () => webToCatalogOf(cluster);
  const catalogEndpoints = () => catalogEndpointsOf(cluster);

  test('a catalog pod deleted under load: its endpoint goes, web keeps being served by the other', async () => {
    await k(['scale', '-n', 'demo', 'deployment/catalog', '--replicas=2']);
    await k(['wait', '-n', 'demo', '--for=condition=Available', 'deployment/catalog', '--timeout=180s']);
    await until('two catalog endpoints', async () => (await catalogEndpoints()).trim().split(' ').length === 2);
    const [victim] = (await pods(cluster, 'demo', 'app=catalog')).filter((p) => p.ready);
    assert.ok(victim);
    await sleep(3000); // traffic spread over both
    const before = await webToCatalog();
    const t = Date.now();
    await k(['delete', 'pod', '-n', 'demo', victim.name, '--wait=false']);
    await until('the deleted pod out of the EndpointSlice', async () => !(await catalogEndpoints()).includes(victim.ip));
    log(`endpoint removed ${((Date.now() - t) / 1000).toFixed(1)} s after the delete`);
    await until('its replacement ready', async () => (await catalogEndpoints()).trim().split(' ').length === 2);
    await sleep(5000);
    const after = await webToCatalog();
    log(`web -> catalog across the delete: ${after.ok - before.ok} ok, ${after.failed - before.failed} failed`);
    assert.ok(after.ok - before.ok > 10, 'web kept calling catalog');
    // web calls catalog with at most a few requests in flight (vote-bot's MAX_IN_FLIGHT is 4).
    assert.ok(after.failed - before.failed <= 4, `failed requests beyond the deleted pod's in-flight ones: ${after.failed - before.failed}`);
  });

  test('the destination pod restarted: proxies keep routing, then follow changes through the new one', async () => {
    const webEndpoints = () => webBalancerForCatalog(cluster);
    // Waits until web's balancer holds exactly n catalog endpoints; a timeout says what it saw.
    let lastSeen = '';
    // After a destination restart the proxies took 60-125 s to follow an endpoint change until
    // control-plane channels got a connect timeout (src/proxy/control-channel.ts); now the
    // change reaches web's balancer within 1 s of the slice (5.3 s with the pod's start).
    // What the destination and web's proxy said, to tell a stale informer from a stale watch.
    const diagnostics = async (): Promise<string> => {
      const tail = async (args: string[]): Promise<string> => (await cluster.kubectl(args).catch((e: Error) => ({ stdout: e.message }))).stdout;
      const web = (await pods(cluster, 'demo', 'app=web')).find((p) => !p.deleting);
      // The proxies reach the destination through its Service's cluster IP: what kube-proxy
      // made of it, and whether a connection from the host gets through now.
      const sh = async (cmd: string): Promise<string> => {
        const r = await run('bash', ['-c', cmd], 10_000);
        return `$ ${cmd}\n${r.stdout}${r.stderr}${r.code ? `(exit ${r.code})` : ''}`;
      };
      const svc = (await tail(['get', 'svc', '-n', 'weft', 'weft-dst', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
      return [
        await tail(['get', 'endpointslices', '-n', 'weft', '-l', 'kubernetes.io/service-name=weft-dst', '-o', 'jsonpath={range .items[*].endpoints[*]}{.addresses} {.conditions}{"\\n"}{end}']),
        await sh(`iptables-save | grep -e 'weft/weft-dst' | head -20`),
        await sh(`timeout 3 bash -c 'exec 3<>/dev/tcp/${svc}/8086' && echo connected to ${svc}:8086`),
        // The same from web's pod as the proxy's user (its traffic skips the pod's redirect).
        web ? await sh(`nsenter --net=${await node.netnsOf(web.ip)} setpriv --reuid=${DEFAULT_PROXY_UID} --regid=${DEFAULT_PROXY_UID} --clear-groups timeout 3 bash -c 'exec 3<>/dev/tcp/${svc}/8086' && echo connected from the web pod`) : '',
        await sh(`grep -h ' dst=${svc} ' /proc/net/nf_conntrack 2>/dev/null | head -20; conntrack -L -d ${svc} 2>&1 | head -20`),
        node.logs().split('--- ').find((l) => l.startsWith('kube-proxy')) ?? '',
        await tail(['logs', '-n', 'weft', 'deploy/weft-destination', '--tail=15', '--timestamps']),
        web ? await tail(['logs', '-n', 'demo', web.name, '-c', 'weft-proxy', '--tail=15', '--timestamps']) : '',
      ].join('\n---\n');
    };
    const balancerAt = async (what: string, n: number, ready?: number): Promise<number> => {
      const start = Date.now();
      let endpointsAtN: number | undefined;
      let snapshot: Promise<string> | undefined;
      try {
        await until(what, async () => {
          const got = await webEndpoints();
          const endpoints = (await catalogEndpoints()).trim().split(/\s+/).filter(Boolean);
          lastSeen = `web's balancer for catalog ${got}, catalog's ready endpoints ${endpoints.length} (${endpoints.join(' ')})`;
          if (endpoints.length === n) endpointsAtN ??= Date.now();
          // A change that has not reached the proxy 15 s after the slice had it: look now.
          if (endpointsAtN !== undefined && got !== n && Date.now() - endpointsAtN > 15_000) snapshot ??= diagnostics();
          return got === n && (ready === undefined || endpoints.length === ready);
        }, 240_000);
      } catch (err) {
        throw new Error(`${(err as Error).message}; last seen: ${lastSeen}\n${await diagnostics()}`, { cause: err });
      }
      // The timeline splits a pod's start from the change's way to the proxy.
      const lag = Date.now() - (endpointsAtN ?? Date.now());
      log(`${what}: catalog's EndpointSlice at ${n} after ${(((endpointsAtN ?? Date.now()) - start) / 1000).toFixed(1)} s, web's balancer ${(lag / 1000).toFixed(1)} s later`);
      if (snapshot) log(`the change took over 15 s to reach web's proxy; what the cluster looked like then:\n${await snapshot}`);
      return lag;
    };
    // Start from a steady state: the previous step's replacement catalog pod ready and in web's
    // balancer. (Counting from a snapshot taken while it was still starting made the scale-up
    // below wait for one endpoint fewer than there would be: the CI flake.)
    await balancerAt('web\'s balancer agrees with catalog\'s two ready endpoints', 2, 2);
    const old = (await pods(cluster, 'weft', 'weft.io/control-plane-component=destination'))[0] as PodInfo;
    const before = await webToCatalog();
    await k(['delete', 'pod', '-n', 'weft', old.name]);
    await until('a new destination pod ready', async () => (await pods(cluster, 'weft', 'weft.io/control-plane-component=destination')).some((p) => p.ready && p.uid !== old.uid));
    const during = await webToCatalog();
    log(`web -> catalog across the destination restart: ${during.ok - before.ok} ok, ${during.failed - before.failed} failed (${during.why})`);
    assert.ok(during.ok > before.ok, 'web was served by catalog while destination restarted');
    assert.equal(during.failed, before.failed, 'no failures while destination restarted');
    // A third catalog pod reaches web's proxy only through the new destination pod (the proxy
    // re-subscribes, with its backoff, once the old one is gone).
    const t = Date.now();
    await k(['scale', '-n', 'demo', 'deployment/catalog', '--replicas=3']);
    const lag = await balancerAt('web\'s proxy routes to the third catalog pod', 3);
    assert.ok(lag < 15_000, `the new pod reached web's balancer ${lag} ms after its EndpointSlice: the proxy is not following the new destination`);
    log(`a new catalog pod in web's balancer ${((Date.now() - t) / 1000).toFixed(1)} s after the scale-up (pod start included)`);
    // And a removal: down to one catalog pod, without failures beyond in-flight requests.
    const mid = await webToCatalog();
    await k(['scale', '-n', 'demo', 'deployment/catalog', '--replicas=1']);
    await balancerAt('web\'s proxy routes to one catalog pod', 1);
    await sleep(3000);
    const after = await webToCatalog();
    log(`web -> catalog across the scale-down to one: ${after.ok - mid.ok} ok, ${after.failed - mid.failed} failed (${after.why})`);
    assert.ok(after.ok - mid.ok > 10, 'web kept calling catalog');
    assert.ok(after.failed - mid.failed <= 4, `failures: ${after.failed - mid.failed}`);
  });

  test('the proxy version rolled: the new pod is meshed on the new proxy, the old ones keep working; weft check --proxy warns of the skew', async () => {
    // A second version: the weft image under a new tag (same bits; the version weft knows a
    // proxy by is the tag and the pod's weft.io/proxy-version annotation, both set by the
    // injector from weft-config). `weft upgrade --image-tag` rolls the control plane onto it,
    // the injector included; then one demo Deployment is restarted, as docs/kubernetes.md says.
    type RawPod = { metadata: { name: string; uid: string; annotations?: Record<string, string>; deletionTimestamp?: string }; spec: { initContainers?: { name: string; image: string; restartPolicy?: string }[] } };
    const demoPods = async (): Promise<RawPod[]> => (JSON.parse(await k(['get', 'pods', '-n', 'demo', '-o', 'json'])) as { items: RawPod[] }).items.filter((p) => !p.metadata.deletionTimestamp);
    const version = (p: RawPod): string => p.metadata.annotations?.['weft.io/proxy-version'] ?? '';
    const old = await demoPods();
    const from = version(old[0] as RawPod);
    const to = `${from}-roll`;
    assert.ok(from && old.every((p) => version(p) === from), `one proxy version before: ${old.map(version).join(' ')}`);
    await node.tagImage(`ghcr.io/weft-mesh/weft:${from}`, `ghcr.io/weft-mesh/weft:${to}`);
    const before = await webToCatalog();
    const up = await weft(['upgrade', '--image-tag', to]);
    assert.equal(up.code, 0, up.stderr);
    await k(['apply', '-f', '-'], up.stdout);
    await timed(`control plane rolled to ${to}`, async () => {
      for (const d of (await k(['get', 'deployments', '-n', 'weft', '-o', 'name'])).trim().split('\n')) await k(['rollout', 'status', '-n', 'weft', d, '--timeout=240s']);
    });
    assert.match(await k(['get', 'configmap', '-n', 'weft', 'weft-config', '-o', 'jsonpath={.data.config\\.yaml}']), new RegExp(`^proxyVersion: ${to.replace(/\./g, '\\.')}$`, 'm'));
    const rolledCp = await webToCatalog();
    log(`web -> catalog across the control plane's roll: ${rolledCp.ok - before.ok} ok, ${rolledCp.failed - before.failed} failed (${rolledCp.why})`);
    assert.ok(rolledCp.ok > before.ok, 'web was served by catalog while the control plane rolled');
    assert.equal(rolledCp.failed, before.failed, 'no failures while the control plane rolled');
    // Two catalog pods, as a Deployment meant to roll without failures has, both in web's
    // balancer: web's proxy follows the new destination pod (it re-subscribes with a backoff
    // after the old one went; a change before that would not reach it).
    await k(['scale', '-n', 'demo', 'deployment/catalog', '--replicas=2']);
    await until('web\'s balancer holding both catalog pods', async () => (await webBalancerForCatalog(cluster)) === 2, 180_000);
    // The webhook's Service on the new injector alone (a terminating old one would inject the old version).
    await until('the webhook served by the new injector only', async () => {
      const ips = (await pods(cluster, 'weft', 'weft.io/control-plane-component=injector')).filter((p) => p.ready && !p.deleting).map((p) => p.ip);
      const eps = (await k(['get', 'endpointslices', '-n', 'weft', '-l', 'kubernetes.io/service-name=weft-injector', '-o', 'jsonpath={.items[*].endpoints[?(@.conditions.ready==true)].addresses[*]}'])).trim();
      return ips.length === 1 && eps === ips[0];
    });
    const beforeRestart = await webToCatalog();
    await k(['rollout', 'restart', '-n', 'demo', 'deployment/catalog']);
    await timed('catalog restarted on the new proxy', () => k(['rollout', 'status', '-n', 'demo', 'deployment/catalog', '--timeout=240s']));
    await until('the old catalog pod gone', async () => (await demoPods()).filter((p) => p.metadata.name.startsWith('catalog-')).every((p) => version(p) === to));
    const now = await demoPods();
    const rolled = now.filter((p) => p.metadata.name.startsWith('catalog-'));
    assert.equal(rolled.length, 2, rolled.map((p) => p.metadata.name).join(' '));
    for (const r of rolled) {
      const proxy = r.spec.initContainers?.find((c) => c.name === 'weft-proxy');
      assert.equal(proxy?.image, `ghcr.io/weft-mesh/weft:${to}`);
      assert.equal(proxy?.restartPolicy, 'Always');
    }
    // The others untouched: the same pods, the old proxy.
    const others = now.filter((p) => !p.metadata.name.startsWith('catalog-'));
    assert.deepEqual(others.map((p) => p.metadata.uid).sort(), old.filter((p) => !p.metadata.name.startsWith('catalog-')).map((p) => p.metadata.uid).sort());
    assert.ok(others.every((p) => version(p) === from && p.spec.initContainers?.find((c) => c.name === 'weft-proxy')?.image === `ghcr.io/weft-mesh/weft:${from}`));
    // Meshed across the versions: the new catalog proxy sees web's (old) proxy's identity, and
    // web's proxy keeps calling catalog over TLS naming catalog's identity, nothing in plaintext.
    const webId = 'spiffe://cluster.local/ns/demo/sa/web';
    const web = (await pods(cluster, 'demo', 'app=web')).find((p) => !p.deleting) as PodInfo;
    const webOut = async (tls: boolean): Promise<number> => total((await proxyMetrics(cluster, 'demo', web.name)).filter((x) => x.labels['direction'] === 'outbound' && (x.labels['authority'] ?? '').startsWith('catalog.')
      && (tls ? x.labels['tls'] === 'true' && x.labels['server_id'] === 'spiffe://cluster.local/ns/demo/sa/catalog' : x.labels['tls'] !== 'true')), 'response_total');
    await until('web\'s balancer holding the two new catalog pods', async () => (await webBalancerForCatalog(cluster)) === 2);
    const [tls0, plain0] = [await webOut(true), await webOut(false)];
    await until('the new catalog pod serving web over mTLS', async () => (await catalogServedTo(webId)) > 0, 60_000);
    await sleep(3000);
    assert.ok(await webOut(true) > tls0, 'web -> the new catalog over mTLS');
    assert.equal(await webOut(false), plain0, 'nothing in plaintext');
    const after = await webToCatalog();
    log(`web -> catalog across catalog's restart onto the new proxy: ${after.ok - beforeRestart.ok} ok, ${after.failed - beforeRestart.failed} failed (${after.why})`);
    assert.ok(after.ok - beforeRestart.ok > 10, 'web kept calling catalog');
    // At most the in-flight requests of each replaced pod (vote-bot's MAX_IN_FLIGHT is 4).
    assert.ok(after.failed - beforeRestart.failed <= 8, `failed requests beyond the old catalog pods' in-flight ones: ${after.failed - beforeRestart.failed}`);
    // The skew is a warning (‼), not a failure: old proxies work with the new control plane.
    const check = await weft(['check', '--proxy', '-n', 'demo']);
    assert.equal(check.code, 0, check.stdout + check.stderr);
    const warned = new RegExp(`‼ data plane proxies are the control plane's version\\n\\s+proxies not at ${to.replace(/\./g, '\\.')}:\\n((?:\\s+demo/\\S+ \\(${from.replace(/\./g, '\\.')}\\)\\n)+)`).exec(check.stdout);
    assert.ok(warned, check.stdout);
    assert.deepEqual((warned[1] as string).trim().split('\n').map((l) => l.trim().split(' ')[0]).sort(), others.map((p) => `demo/${p.metadata.name}`).sort(), 'the old pods listed, not the rolled one');
    assert.match(check.stdout, /Status check results are ‼/);
    log(`weft check --proxy after the roll:\n${check.stdout}`);
  });

  test('weft uninstall | kubectl delete -f - and deleting the demo namespace leave nothing of weft', async () => {
    const u = await weft(['uninstall']);
    assert.equal(u.code, 0, u.stderr);
    await k(['delete', '-f', '-', '--wait=false'], u.stdout);
    await k(['delete', 'namespace', 'demo', '--wait=false']);
    await until('namespaces weft and demo gone', async () =>
      (await cluster.kubectl(['get', 'namespace', 'weft'])).code !== 0 && (await cluster.kubectl(['get', 'namespace', 'demo'])).code !== 0, 180_000);
    const left = await k(['get', 'all,secrets,configmaps,serviceaccounts,roles,rolebindings,clusterroles,clusterrolebindings,crd,mutatingwebhookconfigurations,validatingwebhookconfigurations,poddisruptionbudgets,cronjobs',
      '-A', '-l', 'app.kubernetes.io/part-of=weft', '-o', 'name']);
    assert.equal(left.trim(), '', `left behind:\n${left}`);
    assert.doesNotMatch(await k(['get', 'crd,clusterroles,clusterrolebindings,mutatingwebhookconfigurations,validatingwebhookconfigurations', '-o', 'name']), /weft|serviceprofiles/);
    // Only the cluster's own DNS pod still runs on the node.
    const running = (await k(['get', 'pods', '-A', '-o', 'jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name} {end}'])).trim().split(' ');
    assert.deepEqual(running.map((p) => p.split('/')[0]), ['kube-system'], running.join(' '));
  });
});
