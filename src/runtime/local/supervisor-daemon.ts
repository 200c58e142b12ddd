// `weft supervise`: the process that is the running mesh. `weft up` starts it detached (recorded
// in run.json) and hands it the options over an IPC channel; it then makes and keeps the mesh:
// the control plane, Prometheus and every pod as its own supervised children (restarted with
// backoff when they exit), the reconciler for live `weft apply`/`delete`, and the API socket.
// It reports progress to `up` until the mesh is up (or failed), after which `up` disconnects
// and returns. `weft down` (POST /v1/shutdown) or SIGTERM stops everything and removes what
// was made. If this process is killed outright, its children run on and `weft down` removes
// them from run.json.
import { chmod, mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ensureCaDirectory } from '../../control/main.js';
import { loadCaDirectory } from '../../control/identity/store.js';
import { JoinTokens } from '../../control/identity/tokens.js';
import { WeftError } from '../../lib/errors.js';
import { baseEnv, WEFT_ROOT, weftArgv } from './child-env.js';
import { applyToMesh, deleteFromMesh } from './desired-state.js';
import { teardown } from './down.js';
import { detectIptables } from './iptables.js';
import { DEFAULT_PROXY_UID } from './iptables-rules.js';
import { freePorts, portsFree } from './loopback.js';
import { loadMeshFile, parseMeshFile } from './mesh-file.js';
import { cleanupAll, ensureBridge } from './netns.js';
import { networkNames } from './plan.js';
import { preparePrometheus, writeTargets } from './prometheus.js';
import { Reconciler, ShuttingDownError } from './reconciler.js';
import { RunRecord } from './run-record.js';
import type { RunMode, RunState } from './run-state.js';
import { statePaths } from './run-state.js';
import type { ApplyRequest, ShutdownResult } from './supervisor-api.js';
import { serveSupervisorApi } from './supervisor-api.js';
import { SupervisedProcess } from './supervised-process.js';
import { describeExit } from './status.js';
import { startTimeOf, tail, waitForHttp200, waitForPort } from './supervisor.js';

/** What `up` asks for (sent over IPC, so plain data). */
export interface SuperviseOptions {
  readonly meshFile: string;
  readonly workingDir: string;
  readonly mode: RunMode;
  readonly networkIndex: number;
  readonly readyTimeoutMs: number;
  readonly proxyUid?: number | undefined;
  /** false: no Prometheus (viz falls back to direct scrapes). */
  readonly prometheus: boolean;
  readonly scrapeIntervalSeconds: number;
  readonly retention: string;
}

export type SupervisorMessage =
  | { readonly type: 'progress'; readonly line: string }
  | { readonly type: 'ready' }
  | { readonly type: 'failed'; readonly code: string; readonly message: string };

const CONTROL_PORTS = { identity: 8080, destination: 8086, metricsApi: 8085, tap: 8088 } as const;

function tell(m: SupervisorMessage): void {
  if (process.connected) process.send?.(m);
}

function say(line: string): void {
  process.stdout.write(`${new Date().toISOString()} ${line}\n`);
  tell({ type: 'progress', line });
}

/** Ports that are free on `host` (Linkerd's when free), else any. */
async function choosePorts(host: string, wanted: readonly number[]): Promise<number[]> {
  return (await portsFree(host, wanted)) ? [...wanted] : freePorts(wanted.length, host);
}

export async function runSupervisor(stateDir: string, o: SuperviseOptions): Promise<void> {
  const paths = statePaths(resolve(stateDir));
  await mkdir(paths.logs, { recursive: true });
  const mesh = await loadMeshFile(o.meshFile, { workingDir: o.workingDir });
  await ensureCaDirectory(paths.identity);
  const ca = await loadCaDirectory(paths.identity);
  // Files each proxy reads as the proxy uid: outside the (private) state dir.
  const runDir = await mkdtemp(join(tmpdir(), 'weft-run-'));
  await chmod(runDir, 0o755);
  const net = o.mode === 'netns' ? networkNames(o.networkIndex) : undefined;
  const host = net ? net.gateway : '127.0.0.1';
  const record = new RunRecord(paths.root, {
    version: 1, mode: o.mode, meshFile: resolve(o.meshFile), startedAt: new Date().toISOString(),
    networkIndex: net?.index, bridge: net?.bridge, runDir,
    supervisor: { pid: process.pid, startTime: startTimeOf(process.pid), log: join(paths.logs, 'supervisor.log'), socket: paths.socket },
    control: { pid: 0, log: join(paths.logs, 'control.log'), identityAddr: '', destinationAddr: '' },
    hostsFiles: [], workloads: [], services: [], storeKeys: [],
  } satisfies RunState);
  await record.flush();

  let reconciler: Reconciler | undefined;
  const others: SupervisedProcess[] = [];
  let startup: Promise<void> = Promise.resolve();
  let shuttingDown: Promise<ShutdownResult> | undefined;
  /** Between the steps of starting: a `weft down` that came meanwhile stops the rest. */
  const check = (): void => {
    if (shuttingDown) throw new ShuttingDownError();
  };
  const shutdown = (): Promise<ShutdownResult> => (shuttingDown ??= (async () => {
    const lines: string[] = [];
    // Pods first (a start under way gives up at its next step), then whatever the startup made
    // before it noticed, then the components.
    await reconciler?.stop();
    await Promise.race([startup.catch(() => undefined), new Promise((r) => setTimeout(r, 15_000).unref())]);
    await reconciler?.stop();
    await reconciler?.settled(10_000);
    await Promise.all(others.map((p) => p.stop()));
    await record.close();
    const { supervisor: _self, ...rest } = record.state;
    const r = await teardown(paths.root, rest as RunState, (l) => lines.push(l));
    // Anything a change under way created after the record was read (a namespace mid-setup).
    if (net) for (const prefix of [net.netnsPrefix, net.vethPrefix]) await cleanupAll(prefix).catch(() => undefined);
    return { lines, stopped: r.stopped, namespaces: r.namespaces };
  })());
  const api = await serveSupervisorApi(paths.socket, {
    apply: (r) => change(r, 'apply'),
    delete: (r) => change(r, 'delete'),
    shutdown,
  }, () => void api.close().then(() => process.exit(0)));
  for (const sig of ['SIGTERM', 'SIGINT'] as const) process.once(sig, () => void shutdown().finally(() => process.exit(0)));

  async function change(r: ApplyRequest, how: 'apply' | 'delete'): Promise<readonly string[]> {
    if (!reconciler) throw new WeftError('WEFT_ERR_SHUTTING_DOWN', 'the mesh is still starting');
    const incoming = parseMeshFile(r.text, r.file, { workingDir: r.workingDir, allowNoWorkloads: true });
    return reconciler.change((cur) => (how === 'apply' ? applyToMesh(cur, incoming, { prune: r.prune === true }) : deleteFromMesh(cur, incoming)));
  }

  /** A supervised component (control plane, Prometheus) whose record lives at run.json's top level. */
  const component = (name: 'control' | 'prometheus', argv: readonly string[], log: string, extra: Record<string, unknown>): SupervisedProcess => {
    check();
    const p: SupervisedProcess = new SupervisedProcess(name, () => ({ argv, env: baseEnv(), cwd: WEFT_ROOT, log }), {
      onStart: (pid, startTime, restarts) => record.update((s) => ({ ...s, [name]: { ...s[name], ...extra, pid, startTime, log, restarts, lastExit: p.lastExit } })),
      onExit: (exit, restartInMs) => {
        record.update((s) => ({ ...s, [name]: { ...s[name], ...extra, lastExit: exit } }));
        if (restartInMs !== undefined) say(`${name}: ${describeExit(exit)}; restarting in ${(restartInMs / 1000).toFixed(1)} s`);
      },
    });
    others.push(p);
    return p;
  };

  startup = (async () => {
    if (net) {
      // A crash before run.json was written leaves names only: remove this network's.
      for (const prefix of [net.netnsPrefix, net.vethPrefix]) await cleanupAll(prefix);
      say(`bridge ${net.bridge} ${net.gateway}/${net.prefixLength}`);
      await ensureBridge(net.bridge, `${net.gateway}/${net.prefixLength}`);
    }
    // The control plane listens on the bridge's address in namespace mode, ours alone: the
    // well-known ports. On loopback every run on the machine shares the addresses, and a
    // well-known port found free may be taken by another run before we bind it — then our
    // proxies would certify against another run's CA, or a CLI would talk to another run's API
    // (seen in CI with two loopback meshes starting at once) — so a random free port is picked.
    const [idPort, dstPort] = net ? await choosePorts(host, [CONTROL_PORTS.identity, CONTROL_PORTS.destination]) : await freePorts(2, host);
    const [apiPort] = !o.prometheus ? [undefined] : net ? await choosePorts(host, [CONTROL_PORTS.metricsApi]) : await freePorts(1, host);
    const identityAddr = `${host}:${idPort}`;
    const destinationAddr = `${host}:${dstPort}`;
    const metricsApiAddr = apiPort ? `${host}:${apiPort}` : undefined;
    const [tapPort] = net ? await choosePorts(host, [CONTROL_PORTS.tap]) : await freePorts(1, host);
    const tapApiAddr = `${host}:${tapPort}`;
    // The dashboard (with the metrics API) listens on loopback only, whatever the mode: it is
    // for the person at this machine. The OS picks the port, as for the metrics API on loopback.
    const webAddr = apiPort ? `127.0.0.1:${(await freePorts(1, '127.0.0.1'))[0]}` : undefined;
    const prom = o.prometheus
      ? await preparePrometheus({ dir: paths.prometheus, host, wellKnownPort: net !== undefined, scrapeIntervalSeconds: o.scrapeIntervalSeconds, retention: o.retention, controlAddr: metricsApiAddr })
      : undefined;

    const control = component('control', weftArgv('control', '--state-dir', paths.root, '--listen-identity', identityAddr, '--listen-destination', destinationAddr, '--listen-tap', tapApiAddr,
      ...(metricsApiAddr && prom ? ['--listen-metrics-api', metricsApiAddr, '--prometheus-url', prom.url, '--scrape-interval', `${o.scrapeIntervalSeconds}s`] : []),
      ...(webAddr && prom ? ['--listen-web', webAddr] : [])),
    join(paths.logs, 'control.log'), { identityAddr, destinationAddr, metricsApiAddr, tapApiAddr, webAddr });
    await control.start();
    say(`control plane: identity ${identityAddr}, destination ${destinationAddr}${metricsApiAddr ? `, metrics API ${metricsApiAddr}` : ''}, tap ${tapApiAddr}${webAddr ? `, dashboard http://${webAddr}/` : ''} (pid ${control.pid})`);
    const controlExited = (): string | undefined => (control.lastExit ? `exited (${describeExit(control.lastExit)})` : undefined);
    try {
      await waitForPort(host, idPort as number, { timeoutMs: 20_000, what: 'control plane (identity)', abort: controlExited });
      await waitForPort(host, dstPort as number, { timeoutMs: 20_000, what: 'control plane (destination)', abort: controlExited });
    } catch (err) {
      const log = join(paths.logs, 'control.log');
      throw new WeftError((err as WeftError).code, `${(err as Error).message} (log ${log}):\n${await tail(log, 15)}`);
    }

    check();
    const promProcess = prom
      ? component('prometheus', prom.argv, join(paths.logs, 'prometheus.log'), { url: prom.url, dataDir: prom.dataDir, scrapeIntervalSeconds: o.scrapeIntervalSeconds })
      : undefined;
    await promProcess?.start();

    const tokens = new JoinTokens(ca.joinSecret);
    check();
    reconciler = await Reconciler.open({
      ctx: {
        mode: o.mode, net, tool: net ? await detectIptables() : undefined, logsDir: paths.logs, runDir, proxyUid: o.proxyUid ?? DEFAULT_PROXY_UID,
        identityAddr, destinationAddr, trustDomain: ca.trustDomain, anchorPem: ca.anchorCert.toString('pem'), tokens,
      },
      storeDir: paths.store, record, readyTimeoutMs: o.readyTimeoutMs, say,
      onPods: prom ? (pods) => writeTargets(prom.targetsFile, pods.flatMap((p) => (p.adminAddr ? [{
        adminAddr: p.adminAddr, namespace: p.spec.workload.namespace, deployment: p.spec.workload.name, pod: p.name, serviceAccount: p.spec.workload.serviceAccount,
      }] : []))) : undefined,
    }, mesh.file);
    check();
    await reconciler.change((cur) => applyToMesh(cur, mesh));
    say(`store: ${mesh.resources.length} resource(s) applied, ${mesh.services.length} service(s) with endpoints`);

    if (prom && promProcess) {
      await waitForHttp200(`${prom.url}/-/ready`, {
        timeoutMs: 30_000, what: 'prometheus', abort: () => (promProcess.lastExit ? `exited (${describeExit(promProcess.lastExit)})` : undefined),
      }).catch(async (err: unknown) => {
        const log = join(paths.logs, 'prometheus.log');
        throw new WeftError((err as WeftError).code, `${(err as Error).message} (log ${log}):\n${await tail(log, 15)}`);
      });
      say(`prometheus: ${prom.url} (pid ${promProcess.pid}), scraping every ${o.scrapeIntervalSeconds}s, data in ${prom.dataDir} (retention ${o.retention})`);
    } else {
      say('prometheus: off (--no-prometheus); weft viz stat scrapes the proxies directly');
    }
    say(`up: ${record.state.workloads.length} pod(s)`);
    await record.flush();
  })();
  try {
    await startup;
    tell({ type: 'ready' });
  } catch (err) {
    await record.flush();
    // What started stays up (and supervised) for inspection: weft ps, weft logs, weft down.
    tell({ type: 'failed', code: err instanceof WeftError ? err.code : 'WEFT_ERR_INTERNAL', message: (err as Error).message });
    if (!(err instanceof WeftError)) process.stderr.write(`${(err as Error).stack}\n`);
  }
}
