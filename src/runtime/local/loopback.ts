// Loopback ("explicit proxy") mode, for when weft may not create namespaces or iptables rules
// (not root, no `ip netns`): every workload shares the host's network, its proxy gets its own
// free loopback ports, and the app is told to use the proxy with HTTP_PROXY. Service names do
// not resolve on the host, so service addresses in the app's environment ("catalog:8081",
// "http://catalog.demo:8081") are rewritten to the loopback address of a workload's inbound
// proxy: the request then passes the client's proxy and the server's proxy, as in a pod.
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { WeftError } from '../../lib/errors.js';
import type { ServicePlan } from './plan.js';
import type { MeshSpec, WorkloadSpec } from './mesh-file.js';

/**
 * All pods share the host's ports: two workloads may not listen on the same port, nor may
 * replicas of a workload that listens at all (an app's port comes from its own env, which the
 * runtime does not rewrite). Checked before anything starts.
 */
export function checkLoopbackPorts(mesh: MeshSpec): void {
  const seen = new Map<number, string>();
  for (const w of mesh.workloads) {
    if (w.replicas > 1 && w.ports.length > 0) {
      throw new WeftError('WEFT_ERR_PORT_CONFLICT', `${mesh.file}: workload ${w.name}: ${w.replicas} replicas would all listen on port ${w.ports[0]?.containerPort} in loopback mode, where pods share the host's ports; run replicas of a server in namespace mode (as root)`);
    }
    for (const p of w.ports) {
      const other = seen.get(p.containerPort);
      if (other) throw new WeftError('WEFT_ERR_PORT_CONFLICT', `${mesh.file}: workload ${w.name}: port ${p.containerPort} is also used by ${other}; in loopback mode all workloads share the host's ports`);
      seen.set(p.containerPort, w.name);
    }
  }
}

/**
 * The app ports of the pods about to start must be free on the host (another loopback mesh, or
 * any program, may hold them): said before anything starts, naming the port and the workload,
 * instead of an app that dies on EADDRINUSE and a mesh that looks up but serves nothing.
 * Ports of pods being stopped in the same change are theirs to reuse.
 */
export async function checkHostPortsFree(starting: readonly WorkloadSpec[], stopping: readonly WorkloadSpec[], host = '127.0.0.1'): Promise<void> {
  const released = new Set(stopping.flatMap((w) => w.ports.map((p) => p.containerPort)));
  for (const w of starting) {
    for (const p of w.ports) {
      if (released.has(p.containerPort) || (await portsFree(host, [p.containerPort]))) continue;
      throw new WeftError('WEFT_ERR_PORT_CONFLICT', `workload ${w.name}: port ${p.containerPort} is already in use on this host; in loopback mode apps listen on the host's ports — is another weft mesh running (weft ps, weft down --state-dir …)?`);
    }
  }
}

/** The kernel's ephemeral range (source ports of outgoing connections), from procfs. */
function ephemeralRange(): [number, number] {
  try {
    const [lo, hi] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (lo && hi && lo <= hi) return [lo, hi];
  } catch {
    // Not Linux: assume the usual range.
  }
  return [32768, 60999];
}

const bindable = (port: number, host: string): Promise<net.Server | undefined> =>
  new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(undefined));
    s.listen(port, host, () => resolve(s));
  });

/**
 * Ports free now (bound together, then released), chosen at random below the ephemeral range:
 * a port the OS hands out for `listen(0)` is also a source port for outgoing connections, and
 * on a busy host one was taken by a connection before the proxy it was meant for could bind it.
 * Falls back to the OS's choice when the range below is too small or crowded.
 */
/**
 * Ports this process handed out lately, and until when they stay reserved: a port is released
 * as soon as it is chosen, so until its owner binds it a second call here could draw it again
 * (seen in CI: two proxies of one mesh given the same port, one failing with EADDRINUSE).
 */
const handedOut = new Map<number, number>();
const HANDED_OUT_MS = 120_000;

function reserved(port: number, now: number): boolean {
  const until = handedOut.get(port);
  if (until === undefined) return false;
  if (until > now) return true;
  handedOut.delete(port);
  return false;
}

export async function freePorts(n: number, host = '127.0.0.1'): Promise<number[]> {
  const [ephemeralLow] = ephemeralRange();
  const low = 10_000;
  const held: net.Server[] = [];
  const now = Date.now();
  for (let tries = 0; held.length < n && tries < n * 20 && ephemeralLow - low > 1000; tries++) {
    const port = low + Math.floor(Math.random() * (ephemeralLow - low));
    if (reserved(port, now)) continue;
    const s = await bindable(port, host);
    if (s) held.push(s);
  }
  while (held.length < n) {
    const s = await bindable(0, host);
    if (!s) throw new WeftError('WEFT_ERR_PORT_CONFLICT', `no free port on ${host}`);
    held.push(s);
  }
  const ports = held.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(held.map((s) => new Promise<void>((r) => s.close(() => r()))));
  for (const p of ports) handedOut.set(p, Date.now() + HANDED_OUT_MS);
  return ports;
}

/** True when every port can be bound on `host` now. */
export async function portsFree(host: string, ports: readonly number[]): Promise<boolean> {
  for (const port of ports) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.createServer();
      s.once('error', () => resolve(false));
      s.listen(port, host, () => s.close(() => resolve(true)));
    });
    if (!ok) return false;
  }
  return true;
}

/** The Service an address's host names, seen from a workload in `namespace`. */
export function serviceForHost(host: string, namespace: string, services: readonly ServicePlan[], clusterDomain = 'cluster.local'): ServicePlan | undefined {
  const h = host.toLowerCase().replace(/\.$/, '');
  return services.find((s) =>
    h === `${s.name}.${s.namespace}.svc.${clusterDomain}` || h === `${s.name}.${s.namespace}.svc` || h === `${s.name}.${s.namespace}` ||
    (h === s.name && s.namespace === namespace));
}

const ADDRESS = /^(https?:\/\/)?([A-Za-z0-9.-]+):(\d{1,5})(\/.*)?$/;

/**
 * The app's environment with service addresses rewritten to a loopback endpoint of the
 * service (the first one: loopback mode does not balance), and HTTP_PROXY set to the proxy.
 */
export function loopbackAppEnv(w: WorkloadSpec, services: readonly ServicePlan[], outboundAddr: string | undefined): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(w.env)) {
    const m = ADDRESS.exec(v.trim());
    const svc = m ? serviceForHost(m[2] as string, w.namespace, services) : undefined;
    const ep = svc?.ports.find((p) => p.port === Number(m?.[3]))?.endpoints[0];
    env[k] = m && ep ? `${m[1] ?? ''}${ep.ip}:${ep.port}${m[4] ?? ''}` : v;
  }
  if (outboundAddr && w.inject) {
    for (const k of ['HTTP_PROXY', 'http_proxy']) env[k] ??= `http://${outboundAddr}`;
  }
  return env;
}
