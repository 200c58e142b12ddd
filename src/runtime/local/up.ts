// `weft up -f mesh.yaml`: the whole mesh on this machine. Order: validate the file, clean up a
// crashed run, start the control plane (a child process), write the file's resources (with
// cluster IPs and the workloads' EndpointSlices) to the store, then per workload its pod
// (namespace mode) or its loopback ports, its proxy and its app; finally wait until every
// proxy is ready. run.json is rewritten after each step, so `weft down` undoes a half-made run.
import { PROXY_NODE_FLAGS } from '../../proxy/node-flags.js';
import { chmod, chown, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatSpiffe, workloadId } from '../../lib/spiffe.js';
import { ensureCaDirectory } from '../../control/main.js';
import { loadCaDirectory } from '../../control/identity/store.js';
import { JoinTokens } from '../../control/identity/tokens.js';
import { WeftError } from '../../lib/errors.js';
import { detectIptables } from './iptables.js';
import { DEFAULT_PROXY_UID } from './iptables-rules.js';
import { freePorts, loopbackAppEnv, portsFree } from './loopback.js';
import type { MeshSpec, WorkloadSpec } from './mesh-file.js';
import { loadMeshFile } from './mesh-file.js';
import { cleanupAll, ensureBridge, netnsSupport } from './netns.js';
import type { EndpointAddress, NetworkNames, PodPlan } from './plan.js';
import { networkNames, planPods, planServices } from './plan.js';
import { setupPod } from './pod.js';
import { proxyEnv } from './proxy-env.js';
import type { RunMode, RunState, WorkloadRecord } from './run-state.js';
import { readRunState, statePaths, writeRunState } from './run-state.js';
import { applyToStore } from './store-sync.js';
import { isAlive, startProcess, startTimeOf, tail, waitForHttp200, waitForPort, waitListening } from './supervisor.js';
import { teardown } from './down.js';

/** The repository (or installed package) root: bin/weft.js and dist/ live here. */
export const WEFT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

export class AlreadyUpError extends WeftError {
  constructor(message: string) {
    super('WEFT_ERR_ALREADY_UP', message);
  }
}

export interface UpOptions {
  readonly meshFile: string;
  readonly stateDir: string;
  /** 'auto': namespaces when possible, else loopback (and say why). */
  readonly mode: RunMode | 'auto';
  readonly networkIndex?: number;
  readonly readyTimeoutMs?: number;
  readonly proxyUid?: number;
  /** Where relative commands run (default: the current directory). */
  readonly workingDir?: string;
  readonly progress?: (line: string) => void;
}

export interface UpResult {
  readonly state: RunState;
  readonly mode: RunMode;
  /** Why namespace mode was not used, when it was not. */
  readonly fallbackReason: string | undefined;
}

const CONTROL_PORTS = { identity: 8080, destination: 8086 } as const;

async function chooseMode(want: UpOptions['mode']): Promise<{ mode: RunMode; reason: string | undefined }> {
  if (want === 'loopback') return { mode: 'loopback', reason: 'loopback mode requested' };
  const support = await netnsSupport();
  if (support.ok) return { mode: 'netns', reason: undefined };
  if (want === 'netns') throw new WeftError('WEFT_ERR_NETNS_UNAVAILABLE', `namespace mode unavailable: ${support.reason}`);
  return { mode: 'loopback', reason: support.reason };
}

export async function up(o: UpOptions): Promise<UpResult> {
  const say = o.progress ?? (() => undefined);
  const mesh = await loadMeshFile(o.meshFile, o.workingDir ? { workingDir: o.workingDir } : {});
  const { mode, reason } = await chooseMode(o.mode);
  const paths = statePaths(resolve(o.stateDir));
  say(mode === 'netns'
    ? 'mode: namespaces (transparent interception with iptables, one network namespace per workload)'
    : `mode: loopback (explicit proxy via HTTP_PROXY, no interception) — ${reason}`);

  const timeoutMs = o.readyTimeoutMs ?? 30_000;
  const previous = await readRunState(paths.root);
  if (previous) {
    if (isAlive(previous.control.pid, previous.control.startTime)) {
      throw new AlreadyUpError(`a mesh is already up from ${previous.meshFile} (state dir ${paths.root}); run \`weft down\` first`);
    }
    say('cleaning up a previous run that did not shut down');
    await teardown(paths.root, previous);
  }
  const net = mode === 'netns' ? networkNames(o.networkIndex ?? 0) : undefined;
  if (net) {
    // A crash before run.json was written leaves names only: remove this network's.
    for (const prefix of [net.netnsPrefix, net.vethPrefix]) await cleanupAll(prefix);
  }

  await mkdir(paths.logs, { recursive: true });
  await ensureCaDirectory(paths.identity);
  const ca = await loadCaDirectory(paths.identity);
  const tokens = new JoinTokens(ca.joinSecret);
  // Files each proxy reads as the proxy uid: outside the (private) state dir.
  const runDir = await mkdtemp(join(tmpdir(), 'weft-run-'));
  await chmod(runDir, 0o755);

  const host = net ? net.gateway : '127.0.0.1';
  let state: RunState = {
    version: 1, mode, meshFile: resolve(o.meshFile), startedAt: new Date().toISOString(),
    networkIndex: net?.index, bridge: net?.bridge, runDir,
    control: { pid: 0, log: join(paths.logs, 'control.log'), identityAddr: '', destinationAddr: '' },
    hostsFiles: [], workloads: [], storeKeys: [],
  };
  await writeRunState(paths.root, state);
  try {
    if (net) {
      say(`bridge ${net.bridge} ${net.gateway}/${net.prefixLength}`);
      await ensureBridge(net.bridge, `${net.gateway}/${net.prefixLength}`);
    }
    // Linkerd's ports when free; else any (something on the host may hold 8080 on all addresses).
    const [idPort, dstPort] = (await portsFree(host, [CONTROL_PORTS.identity, CONTROL_PORTS.destination]))
      ? [CONTROL_PORTS.identity, CONTROL_PORTS.destination]
      : await freePorts(2, host);
    const identityAddr = `${host}:${idPort}`;
    const destinationAddr = `${host}:${dstPort}`;
    const controlPid = await startProcess({
      argv: [process.execPath, join(WEFT_ROOT, 'bin/weft.js'), 'control', '--state-dir', paths.root,
        '--listen-identity', identityAddr, '--listen-destination', destinationAddr],
      env: baseEnv(), cwd: WEFT_ROOT, log: state.control.log,
    });
    state = { ...state, control: { ...state.control, pid: controlPid, startTime: startTimeOf(controlPid), identityAddr, destinationAddr } };
    await writeRunState(paths.root, state);
    say(`control plane: identity ${identityAddr}, destination ${destinationAddr} (pid ${controlPid})`);
    const abort = (): string | undefined => (isAlive(controlPid) ? undefined : 'exited');
    try {
      await waitForPort(host, idPort as number, { timeoutMs: 20_000, what: 'control plane (identity)', abort });
      await waitForPort(host, dstPort as number, { timeoutMs: 20_000, what: 'control plane (destination)', abort });
    } catch (err) {
      throw new WeftError((err as WeftError).code, `${(err as Error).message} (log ${state.control.log}):\n${await tail(state.control.log, 15)}`);
    }

    const built = mode === 'netns' && net ? await buildNetns(mesh, net) : await buildLoopback(mesh);
    state = { ...state, storeKeys: await applyToStore(paths.store, mesh, built.services, built.address) };
    say(`store: ${mesh.resources.length} resource(s) applied, ${mesh.services.length} service(s) with endpoints`);

    for (const item of built.items) {
      const w = item.workload;
      const dir = join(runDir, w.name);
      await mkdir(dir, { recursive: true, mode: 0o755 });
      await chmod(dir, 0o755);
      const id = workloadId(w.namespace, w.serviceAccount, ca.trustDomain);
      const tokenFile = join(dir, 'token');
      const anchorsFile = join(dir, 'trust-anchors.pem');
      await writeFile(anchorsFile, ca.anchorCert.toString('pem') + '\n', { mode: 0o644 });
      await writeFile(tokenFile, tokens.issue(id), { mode: 0o600 });
      const proxyUid = o.proxyUid ?? DEFAULT_PROXY_UID;
      if (mode === 'netns') await chown(tokenFile, proxyUid, proxyUid);
      if (item.pod) {
        say(`${w.name}: namespace ${item.pod.netns}, ip ${item.pod.ip}`);
        await setupPod(item.pod, net as NetworkNames, built.services, built.tool as NonNullable<typeof built.tool>, proxyUid);
        state = { ...state, hostsFiles: [...state.hostsFiles, join('/etc/netns', item.pod.netns, 'hosts')] };
      }
      let rec: WorkloadRecord = {
        name: w.name, namespace: w.namespace, serviceAccount: w.serviceAccount,
        netns: item.pod?.netns, hostIf: item.pod?.hostIf, ip: item.pod?.ip ?? '127.0.0.1',
        ports: w.ports.map((p) => p.containerPort), app: undefined, proxy: undefined,
        adminAddr: w.inject ? (item.pod ? `${item.pod.ip}:4191` : item.adminAddr) : undefined,
        outboundAddr: item.outboundAddr, inboundAddr: item.inboundAddr,
      };
      state = { ...state, workloads: [...state.workloads, rec] };
      await writeRunState(paths.root, state);
      if (w.inject) {
        const env = proxyEnv({
          workload: w, mode, identityAddr, destinationAddr, localName: formatSpiffe(id),
          trustAnchorsFile: anchorsFile, tokenFile,
          ...(item.outboundAddr ? { outboundAddr: item.outboundAddr, inboundAddr: item.inboundAddr as string, adminAddr: item.adminAddr as string } : {}),
          appAddr: item.pod || !w.ports[0] ? undefined : `127.0.0.1:${w.ports[0].containerPort}`,
        });
        const log = join(paths.logs, `${w.name}.proxy.log`);
        const pid = await startProcess({
          argv: [process.execPath, ...PROXY_NODE_FLAGS, join(WEFT_ROOT, 'bin/weft.js'), 'proxy'], env: { ...baseEnv(), ...env }, cwd: WEFT_ROOT, log,
          netns: item.pod?.netns, as: item.pod ? { uid: proxyUid, gid: proxyUid } : undefined,
        });
        rec = { ...rec, proxy: { pid, startTime: startTimeOf(pid), log } };
        state = { ...state, workloads: state.workloads.map((x) => (x.name === w.name ? rec : x)) };
        await writeRunState(paths.root, state);
        say(`${w.name}: proxy pid ${pid} (admin ${rec.adminAddr})`);
      }
    }
    // Proxies first, as native sidecars start on Kubernetes: an app's first connection must
    // not meet a redirect to a proxy that is not listening yet.
    await waitReady(state, timeoutMs);
    say('proxies ready');

    // Apps in file order, each listening before the next starts (servers before their clients).
    for (const item of built.items) {
      const w = item.workload;
      const appEnv = item.pod ? { ...w.env } : loopbackAppEnv(w, built.services, item.outboundAddr);
      const argv = w.command[0] === 'node' ? [process.execPath, ...w.command.slice(1)] : [...w.command];
      const appLog = join(paths.logs, `${w.name}.log`);
      const appPid = await startProcess({
        argv, env: { ...baseEnv(), ...appEnv }, cwd: w.workingDir, log: appLog,
        netns: item.pod?.netns, as: item.pod ? { uid: w.user, gid: w.group } : undefined,
      });
      state = { ...state, workloads: state.workloads.map((x) => (x.name === w.name ? { ...x, app: { pid: appPid, startTime: startTimeOf(appPid), log: appLog } } : x)) };
      await writeRunState(paths.root, state);
      const ports = w.ports.map((p) => p.containerPort);
      try {
        await waitListening(appPid, ports, { timeoutMs, what: `workload ${w.name}: app`, abort: () => (isAlive(appPid) ? undefined : 'the app exited') });
      } catch (err) {
        throw new WeftError((err as WeftError).code, `${(err as Error).message} (log ${appLog}):\n${await tail(appLog, 15)}`);
      }
      say(`${w.name}: app pid ${appPid}${ports.length ? `, listening on ${ports.join(', ')}` : ''}${w.inject ? '' : ' (not meshed)'}`);
    }

    say(`up: ${state.workloads.length} workload(s)`);
    return { state, mode, fallbackReason: reason };
  } catch (err) {
    await writeRunState(paths.root, state).catch(() => undefined);
    throw err;
  }
}

/** Waits for every proxy's /ready; an error names the workload and shows its log's tail. */
export async function waitReady(state: RunState, timeoutMs: number): Promise<void> {
  await Promise.all(state.workloads.map(async (w) => {
    if (!w.proxy || !w.adminAddr) return;
    const pid = w.proxy.pid;
    try {
      await waitForHttp200(`http://${w.adminAddr}/ready`, {
        timeoutMs, what: `workload ${w.name}: proxy`, abort: () => (isAlive(pid) ? undefined : 'the proxy exited'),
      });
    } catch (err) {
      const logTail = await tail(w.proxy.log, 15);
      throw new WeftError((err as WeftError).code ?? 'WEFT_ERR_READY_TIMEOUT', `${(err as Error).message} (log ${w.proxy.log}):\n${logTail}`);
    }
  }));
}

interface BuildItem {
  readonly workload: WorkloadSpec;
  readonly pod: PodPlan | undefined;
  readonly outboundAddr?: string;
  readonly inboundAddr?: string;
  readonly adminAddr?: string;
}

interface Built {
  readonly items: readonly BuildItem[];
  readonly services: ReturnType<typeof planServices>;
  readonly address: EndpointAddress;
  readonly tool: Awaited<ReturnType<typeof detectIptables>> | undefined;
}

async function buildNetns(mesh: MeshSpec, net: NetworkNames): Promise<Built> {
  const pods = planPods(mesh, net);
  const byName = new Map(pods.map((p) => [p.workload.name, p]));
  const address: EndpointAddress = (w, port) => ({ ip: (byName.get(w.name) as PodPlan).ip, port });
  const services = planServices(mesh, net, address);
  const tool = await detectIptables();
  return { items: pods.map((pod) => ({ workload: pod.workload, pod })), services, address, tool };
}

async function buildLoopback(mesh: MeshSpec): Promise<Built> {
  const seen = new Map<number, string>();
  for (const w of mesh.workloads) {
    for (const p of w.ports) {
      const other = seen.get(p.containerPort);
      if (other) throw new WeftError('WEFT_ERR_PORT_CONFLICT', `${mesh.file}: workload ${w.name}: port ${p.containerPort} is also used by ${other}; in loopback mode all workloads share the host's ports`);
      seen.set(p.containerPort, w.name);
    }
  }
  const ports = await freePorts(mesh.workloads.length * 3);
  const items = mesh.workloads.map((workload, i) => ({
    workload, pod: undefined,
    outboundAddr: `127.0.0.1:${ports[3 * i]}`, inboundAddr: `127.0.0.1:${ports[3 * i + 1]}`, adminAddr: `127.0.0.1:${ports[3 * i + 2]}`,
  }));
  const byName = new Map(items.map((it) => [it.workload.name, it]));
  // Through the server's inbound proxy when it has one (it forwards to its first port). Its
  // inbound port is not 4143 here: discovery tells meshed clients (opaque_transport).
  const address: EndpointAddress = (w, port) => {
    const it = byName.get(w.name);
    if (!w.inject || !it) return { ip: '127.0.0.1', port };
    const inbound = Number(it.inboundAddr.split(':')[1]);
    return w.ports[0]?.containerPort === port ? { ip: '127.0.0.1', port: inbound, proxyInboundPort: inbound } : { ip: '127.0.0.1', port, proxyInboundPort: inbound };
  };
  return { items, services: planServices(mesh, undefined, address), address, tool: undefined };
}

/** What every child inherits: enough to find programs, nothing of weft's own settings. */
function baseEnv(): Record<string, string> {
  const env: Record<string, string> = { PATH: process.env['PATH'] ?? '/usr/local/bin:/usr/bin:/bin', HOME: tmpdir() };
  for (const k of ['LANG', 'TZ', 'NODE_OPTIONS']) {
    const v = process.env[k];
    if (v !== undefined) env[k] = v;
  }
  return env;
}

/** Where the host reaches a workload's first port: the pod, or its inbound proxy on loopback. */
export function webUrl(state: RunState, workload: string): string | undefined {
  const w = state.workloads.find((x) => x.name === workload);
  if (!w) return undefined;
  if (state.mode === 'netns') return w.ports[0] === undefined ? undefined : `http://${w.ip}:${w.ports[0]}/`;
  return w.inboundAddr ? `http://${w.inboundAddr}/` : w.ports[0] === undefined ? undefined : `http://127.0.0.1:${w.ports[0]}/`;
}
