// Makes the running mesh what the desired state says, again after every change: `up`'s file,
// then each live `weft apply` / `weft delete`. One change at a time (a queue). For a change:
// Services keep their cluster IPs and new ones get the lowest free; pods that are gone or whose
// Deployment changed are stopped and removed (namespace, veth, rules, files); new pods are
// placed (a free slot, or loopback ports) and created; every pod's hosts file and service
// rules, the store (Services, profiles, EndpointSlices with readiness) and Prometheus' targets
// follow; then, as a fresh `up` always did, the new proxies start and must be ready before the
// new apps start in file order, each listening before the next (servers before their clients).
// Between changes a probe keeps each pod's readiness, and so its endpoints, current.
import { writeFile } from 'node:fs/promises';
import { WeftError } from '../../lib/errors.js';
import { run } from './exec.js';
import type { Change } from './desired-state.js';
import { diffPods } from './desired-state.js';
import { checkHostPortsFree, checkLoopbackPorts, freePorts, loopbackAppEnv } from './loopback.js';
import type { MeshSpec, ServiceSpec, WorkloadSpec } from './mesh-file.js';
import { targetPort } from './mesh-file.js';
import type { PlacedService, PodSpec, ServicePlan } from './plan.js';
import { clusterIpOf, hostsFile, lowestFree, placePod, podsOf, renderServiceRules, servicePlans } from './plan.js';
import type { PodContext } from './pod-runner.js';
import { PodRuntime } from './pod-runner.js';
import type { RunRecord } from './run-record.js';
import type { ServiceRecord } from './run-state.js';
import { StoreSync, storeResources } from './store-sync.js';
import type { ExitRecord } from './supervised-process.js';
import { describeExit } from './status.js';

export class ShuttingDownError extends WeftError {
  constructor() {
    super('WEFT_ERR_SHUTTING_DOWN', 'the mesh is shutting down');
  }
}

export interface ReconcilerOptions {
  readonly ctx: Omit<PodContext, 'onChange'>;
  readonly storeDir: string;
  readonly record: RunRecord;
  readonly readyTimeoutMs: number;
  readonly say: (line: string) => void;
  /** The set of pods changed (Prometheus' targets follow it). */
  readonly onPods?: (pods: readonly PodRuntime[]) => void | Promise<void>;
  readonly probeIntervalMs?: number;
}

const svcKey = (s: ServiceSpec): string => `${s.service.metadata.namespace}/${s.service.metadata.name}`;

export class Reconciler {
  private desired: MeshSpec;
  private readonly pods = new Map<string, PodRuntime>();
  private readonly services = new Map<string, PlacedService & { slot: number }>();
  private queue: Promise<unknown> = Promise.resolve();
  private stopping = false;
  private stopped: Promise<void> | undefined;
  private readonly ctx: PodContext;
  private probeTimer: NodeJS.Timeout | undefined;
  private probing = false;
  private storeSyncing: Promise<void> = Promise.resolve();
  private storeDirty = false;
  /** Per pod: the hosts file and rules last written (namespace mode), to skip unchanged ones. */
  private readonly written = new Map<string, string>();

  private constructor(private readonly o: ReconcilerOptions, private readonly store: StoreSync, empty: MeshSpec) {
    this.desired = empty;
    this.ctx = { ...o.ctx, onChange: (pod, which, exit, restartInMs) => this.onProcess(pod, which, exit, restartInMs) };
  }

  static async open(o: ReconcilerOptions, file: string): Promise<Reconciler> {
    const r = new Reconciler(o, await StoreSync.open(o.storeDir), Object.freeze({ file, workloads: [], services: [], resources: [] }));
    r.probeTimer = setInterval(() => void r.probe(), o.probeIntervalMs ?? 500);
    return r;
  }

  get mesh(): MeshSpec {
    return this.desired;
  }

  /** Runs `change` on the desired state at its turn, then makes the mesh match; returns its lines. */
  change(change: (current: MeshSpec) => Change): Promise<readonly string[]> {
    const next = this.queue.then(async () => {
      if (this.stopping) throw new ShuttingDownError();
      const c = change(this.desired);
      await this.reconcile(c.mesh);
      return c.lines;
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  private check(): void {
    if (this.stopping) throw new ShuttingDownError();
  }

  private async reconcile(next: MeshSpec): Promise<void> {
    if (this.ctx.mode === 'loopback') checkLoopbackPorts(next);
    const diff = diffPods([...this.pods.values()].map((p) => ({ name: p.name, workload: p.spec.workload })), podsOf(next.workloads));
    if (this.ctx.mode === 'loopback') {
      const stopping = diff.stop.map((name) => this.pods.get(name)?.spec.workload).filter((w): w is WorkloadSpec => w !== undefined);
      await checkHostPortsFree(diff.start.map((s) => s.workload), stopping);
    }
    this.placeServices(next);
    this.desired = next;

    await Promise.all(diff.stop.map(async (name) => {
      const pod = this.pods.get(name);
      if (!pod) return;
      await pod.remove();
      this.pods.delete(name);
      this.written.delete(name);
      this.o.say(`${name}: stopped and removed`);
    }));
    this.recordAll();

    const fresh: PodRuntime[] = [];
    for (const spec of diff.start) {
      this.check();
      const pod = await this.place(spec);
      this.pods.set(pod.name, pod);
      fresh.push(pod);
      this.recordAll();
      await pod.create(this.servicePlans());
      if (pod.plan) this.o.say(`${pod.name}: namespace ${pod.plan.netns}, ip ${pod.plan.ip}`);
    }
    await this.syncAll();

    // Proxies first, as native sidecars start on Kubernetes: an app's first connection must
    // not meet a redirect to a proxy that is not listening yet.
    for (const pod of fresh) {
      this.check();
      await pod.startProxy();
      if (pod.proxy) this.o.say(`${pod.name}: proxy pid ${pod.proxy.pid} (admin ${pod.adminAddr})`);
    }
    await Promise.all(fresh.map((p) => p.waitProxyReady(this.o.readyTimeoutMs)));
    if (fresh.some((p) => p.proxy)) this.o.say('proxies ready');

    for (const pod of fresh) {
      this.check();
      await pod.startApp(() => this.appEnv(pod));
      await pod.waitAppListening(this.o.readyTimeoutMs);
      pod.ready = await pod.probe();
      this.recordAll();
      this.syncStore();
      const ports = pod.ports;
      this.o.say(`${pod.name}: app pid ${pod.app?.pid}${ports.length ? `, listening on ${ports.join(', ')}` : ''}${pod.spec.workload.inject ? '' : ' (not meshed)'}`);
    }
    await this.storeSyncing;
  }

  /** Services that stay keep their cluster IPs; new ones get the lowest free slot. */
  private placeServices(next: MeshSpec): void {
    const wanted = new Set(next.services.map(svcKey));
    for (const k of [...this.services.keys()]) if (!wanted.has(k)) this.services.delete(k);
    for (const spec of next.services) {
      const k = svcKey(spec);
      const had = this.services.get(k);
      if (had) {
        this.services.set(k, { ...had, spec });
        continue;
      }
      const slot = lowestFree(new Set([...this.services.values()].map((s) => s.slot)));
      this.services.set(k, { spec, slot, clusterIP: this.ctx.net ? clusterIpOf(this.ctx.net, slot) : '' });
    }
  }

  private async place(spec: PodSpec): Promise<PodRuntime> {
    if (this.ctx.net) {
      const slot = lowestFree(new Set([...this.pods.values()].map((p) => p.plan?.slot ?? -1)));
      return new PodRuntime(spec, this.ctx, placePod(spec, this.ctx.net, slot), undefined);
    }
    const [o, i, a, t] = await freePorts(4);
    return new PodRuntime(spec, this.ctx, undefined, { outbound: `127.0.0.1:${o}`, inbound: `127.0.0.1:${i}`, admin: `127.0.0.1:${a}`, tap: `127.0.0.1:${t}` });
  }

  private placedPods(): PodSpec[] {
    return [...this.pods.values()].map((p) => p.spec);
  }

  private address = (spec: PodSpec, port: number): { ip: string; port: number } | undefined => this.pods.get(spec.name)?.address(port);

  private servicePlans(): ServicePlan[] {
    return servicePlans([...this.services.values()], this.placedPods(), this.address);
  }

  /** Loopback mode: service addresses in the env point at a live endpoint (asked at each start). */
  private appEnv(pod: PodRuntime): Record<string, string> {
    const w = pod.spec.workload;
    return pod.plan ? { ...w.env } : loopbackAppEnv(w, this.servicePlans(), pod.loopback?.outbound);
  }

  /** Every pod's hosts file and service rules, the store, Prometheus' targets, run.json. */
  private async syncAll(): Promise<void> {
    const plans = this.servicePlans();
    const tool = this.ctx.tool;
    await Promise.all([...this.pods.values()].map(async (pod) => {
      if (!pod.plan || !tool || !pod.hostsFile) return;
      const hosts = hostsFile(pod.plan, plans);
      const rules = renderServiceRules(plans, { jump: false });
      if (this.written.get(pod.name) === hosts + rules) return;
      // In place (same inode): `ip netns exec` bind-mounted this file over the pod's /etc/hosts.
      await writeFile(pod.hostsFile, hosts);
      await run('ip', ['netns', 'exec', pod.plan.netns, tool.restore, '--noflush', '--wait=10'], { input: rules });
      this.written.set(pod.name, hosts + rules);
    }));
    this.syncStore();
    await this.storeSyncing;
    await this.o.onPods?.([...this.pods.values()]);
    this.recordAll();
  }

  /** Writes the store's view (coalesced: a burst of readiness changes is one commit). */
  private syncStore(): void {
    if (this.storeDirty) return;
    this.storeDirty = true;
    this.storeSyncing = this.storeSyncing.then(async () => {
      this.storeDirty = false;
      if (this.stopping) return;
      const pods = this.placedPods();
      await this.store.sync(storeResources(this.desired, [...this.services.values()], pods, this.address, (name) => this.pods.get(name)?.ready ?? false));
      this.recordAll();
    }).catch((err: unknown) => this.o.say(`warning: store sync: ${(err as Error).message}`));
  }

  private recordAll(): void {
    const pods = [...this.pods.values()];
    const services: ServiceRecord[] = this.servicePlans().map((s) => {
      const names = [...new Set(s.ports.flatMap((p) => p.endpoints.map((e) => e.pod)))];
      const spec = this.services.get(`${s.namespace}/${s.name}`)?.spec;
      const targets = new Set<number>();
      for (const name of names) {
        const w = this.pods.get(name)?.spec.workload;
        for (const sp of spec?.service.spec.ports ?? []) {
          const tp = w ? targetPort(w, sp.targetPort, sp.port) : undefined;
          if (tp !== undefined) targets.add(tp);
        }
      }
      return { namespace: s.namespace, name: s.name, clusterIP: s.clusterIP, ports: s.ports.map((p) => p.port), targetPorts: [...targets], pods: names };
    });
    this.o.record.update((st) => ({
      ...st,
      workloads: pods.map((p) => p.record()),
      services,
      hostsFiles: pods.flatMap((p) => (p.hostsFile ? [p.hostsFile] : [])),
      storeKeys: this.store.keys(),
    }));
  }

  private onProcess(pod: PodRuntime, which: 'app' | 'proxy', exit?: ExitRecord, restartInMs?: number): void {
    if (this.pods.get(pod.name) !== pod) return;
    this.recordAll();
    if (!exit) return;
    this.syncStore();
    if (restartInMs !== undefined && !this.stopping) {
      this.o.say(`${pod.name}: ${which} ${describeExit(exit)}; restarting in ${(restartInMs / 1000).toFixed(1)} s`);
    }
  }

  /** Readiness of every pod; a change re-syncs the EndpointSlices. */
  private async probe(): Promise<void> {
    if (this.probing || this.stopping) return;
    this.probing = true;
    try {
      let changed = false;
      await Promise.all([...this.pods.values()].map(async (p) => {
        // A pod still starting becomes ready through reconcile(), in order.
        if (!p.app) return;
        const ready = await p.probe();
        if (ready !== p.ready) {
          p.ready = ready;
          changed = true;
        }
      }));
      if (changed) {
        this.recordAll();
        this.syncStore();
      }
    } finally {
      this.probing = false;
    }
  }

  /** Resolves when the change under way (if any) has ended, or after `ms`. */
  settled(ms: number): Promise<unknown> {
    return Promise.race([this.queue, new Promise((r) => setTimeout(r, ms).unref())]);
  }

  /** Every pod, for the runtime's own uses (Prometheus targets). */
  list(): PodRuntime[] {
    return [...this.pods.values()];
  }

  /**
   * Stops every pod's processes (no more restarts); what they were in is removed by `down`'s
   * teardown from run.json afterwards.
   */
  stop(): Promise<void> {
    return (this.stopped ??= (async () => {
      this.stopping = true;
      clearInterval(this.probeTimer);
      await Promise.all([...this.pods.values()].map((p) => p.stop()));
      this.recordAll();
      await this.storeSyncing;
      await this.store.close();
    })());
  }
}
