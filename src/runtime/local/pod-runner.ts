// One running pod: its place (a network namespace with an address, or three loopback ports for
// its proxy), its files (trust anchors, a join token per proxy start), and its two supervised
// processes — the proxy (as the proxy uid, behind weft's iptables rules) and the app (as its
// uid, with the env from the file). Knows how to start, probe, stop and remove itself; what to
// run when is the reconciler's business.
import { chmod, chown, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { JoinTokens } from '../../control/identity/tokens.js';
import { tapIdentity } from '../../control/tap/identity.js';
import { WeftError } from '../../lib/errors.js';
import { formatSpiffe, workloadId } from '../../lib/spiffe.js';
import { baseEnv, WEFT_ROOT, weftProxyArgv } from './child-env.js';
import type { IptablesTool } from './iptables.js';
import type { NetworkNames, PodPlan, PodSpec, ServicePlan } from './plan.js';
import { hostsPath, setupPod, teardownPod } from './pod.js';
import { proxyEnv } from './proxy-env.js';
import type { RestartPolicyOptions } from './restart-policy.js';
import type { ExitRecord } from './supervised-process.js';
import { SupervisedProcess } from './supervised-process.js';
import type { RunMode, WorkloadRecord } from './run-state.js';
import { httpStatus, listensOn, tail, waitForHttp200, waitListening } from './supervisor.js';

/** What every pod of a run shares. */
export interface PodContext {
  readonly mode: RunMode;
  readonly net: NetworkNames | undefined;
  readonly tool: IptablesTool | undefined;
  readonly logsDir: string;
  /** Per-pod proxy files, readable by the proxy uid (the state dir is private). */
  readonly runDir: string;
  readonly proxyUid: number;
  readonly identityAddr: string;
  readonly destinationAddr: string;
  readonly trustDomain: string;
  readonly anchorPem: string;
  readonly tokens: JoinTokens;
  readonly restartPolicy?: RestartPolicyOptions;
  /** A process of a pod started or exited (the reconciler records it and re-probes). */
  readonly onChange: (pod: PodRuntime, which: 'app' | 'proxy', exit?: ExitRecord, restartInMs?: number) => void;
}

/** Loopback mode: the proxy's own ports. */
export interface LoopbackPorts {
  readonly outbound: string;
  readonly inbound: string;
  readonly admin: string;
  readonly tap: string;
}

export class PodRuntime {
  proxy: SupervisedProcess | undefined;
  app: SupervisedProcess | undefined;
  /** App listening (and proxy ready): the pod's endpoints are ready. */
  ready = false;

  constructor(
    readonly spec: PodSpec,
    private readonly ctx: PodContext,
    /** Namespace mode. */
    readonly plan: PodPlan | undefined,
    /** Loopback mode. */
    readonly loopback: LoopbackPorts | undefined,
  ) {}

  get name(): string {
    return this.spec.name;
  }

  get ip(): string {
    return this.plan?.ip ?? '127.0.0.1';
  }

  get ports(): number[] {
    return this.spec.workload.ports.map((p) => p.containerPort);
  }

  /** The proxy's tap server, as the tap component reaches it. */
  get tapAddr(): string | undefined {
    if (!this.spec.workload.inject) return undefined;
    return this.plan ? `${this.plan.ip}:4190` : this.loopback?.tap;
  }

  get adminAddr(): string | undefined {
    if (!this.spec.workload.inject) return undefined;
    return this.plan ? `${this.plan.ip}:4191` : this.loopback?.admin;
  }

  private get dir(): string {
    return join(this.ctx.runDir, this.name);
  }

  /**
   * Where a port of this pod is reached: the pod IP, or (loopback) its inbound proxy for the first
   * port. On loopback the proxy's inbound port is not 4143: discovery tells meshed clients
   * (opaque_transport.inbound_port), so opaque traffic to the other ports is still meshed.
   */
  address(port: number): { ip: string; port: number; proxyInboundPort?: number } {
    if (this.plan) return { ip: this.plan.ip, port };
    const w = this.spec.workload;
    if (!w.inject || !this.loopback) return { ip: '127.0.0.1', port };
    const inbound = Number(this.loopback.inbound.split(':')[1]);
    return { ip: '127.0.0.1', port: w.ports[0]?.containerPort === port ? inbound : port, proxyInboundPort: inbound };
  }

  /** The namespace (rules, hosts file) and the proxy's files. */
  async create(services: readonly ServicePlan[]): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o755 });
    await chmod(this.dir, 0o755);
    await writeFile(join(this.dir, 'trust-anchors.pem'), this.ctx.anchorPem + '\n', { mode: 0o644 });
    if (this.plan && this.ctx.net && this.ctx.tool) await setupPod(this.plan, this.ctx.net, services, this.ctx.tool, this.ctx.proxyUid);
  }

  /** A fresh join token for each proxy start (a restart long after `up` must not meet an expired one). */
  private async tokenFile(): Promise<string> {
    const w = this.spec.workload;
    const file = join(this.dir, 'token');
    await writeFile(file, this.ctx.tokens.issue(workloadId(w.namespace, w.serviceAccount, this.ctx.trustDomain)), { mode: 0o600 });
    if (this.ctx.mode === 'netns') await chown(file, this.ctx.proxyUid, this.ctx.proxyUid);
    return file;
  }

  async startProxy(): Promise<void> {
    const w = this.spec.workload;
    if (!w.inject) return;
    const lo = this.loopback;
    this.proxy = new SupervisedProcess(`${this.name} proxy`, async () => ({
      argv: weftProxyArgv(),
      env: {
        ...baseEnv(),
        ...proxyEnv({
          workload: w, podName: this.name, mode: this.ctx.mode, identityAddr: this.ctx.identityAddr, destinationAddr: this.ctx.destinationAddr,
          localName: formatSpiffe(workloadId(w.namespace, w.serviceAccount, this.ctx.trustDomain)),
          trustAnchorsFile: join(this.dir, 'trust-anchors.pem'), tokenFile: await this.tokenFile(),
          ...(lo ? { outboundAddr: lo.outbound, inboundAddr: lo.inbound, adminAddr: lo.admin, tapAddr: lo.tap } : {}),
          tapSvcName: tapIdentity(this.ctx.trustDomain),
          appAddr: this.plan || !w.ports[0] ? undefined : `127.0.0.1:${w.ports[0].containerPort}`,
        }),
      },
      cwd: WEFT_ROOT,
      log: this.logOf('proxy'),
      netns: this.plan?.netns,
      as: this.plan ? { uid: this.ctx.proxyUid, gid: this.ctx.proxyUid } : undefined,
    }), this.hooks('proxy'), this.ctx.restartPolicy);
    await this.proxy.start();
  }

  /** Starts the app; `env` is asked at every (re)start (loopback mode rewrites service addresses). */
  async startApp(env: () => Record<string, string>): Promise<void> {
    const w = this.spec.workload;
    const argv = w.command[0] === 'node' ? [process.execPath, ...w.command.slice(1)] : [...w.command];
    this.app = new SupervisedProcess(`${this.name} app`, () => ({
      // HOSTNAME is the pod's name, as on Kubernetes (the file's env may still say otherwise).
      argv, env: { ...baseEnv(), HOSTNAME: this.name, ...env() }, cwd: w.workingDir, log: this.logOf('app'),
      netns: this.plan?.netns,
      as: this.plan ? { uid: w.user, gid: w.group } : undefined,
    }), this.hooks('app'), this.ctx.restartPolicy);
    await this.app.start();
  }

  private hooks(which: 'app' | 'proxy'): ConstructorParameters<typeof SupervisedProcess>[2] {
    return {
      onStart: () => this.ctx.onChange(this, which),
      onExit: (exit, restartInMs) => {
        this.ready = false;
        this.ctx.onChange(this, which, exit, restartInMs);
      },
    };
  }

  logOf(which: 'app' | 'proxy'): string {
    return join(this.ctx.logsDir, which === 'app' ? `${this.name}.log` : `${this.name}.proxy.log`);
  }

  /** Waits for the proxy's /ready; an error names the pod and shows its log's tail. */
  async waitProxyReady(timeoutMs: number): Promise<void> {
    const p = this.proxy;
    if (!p || !this.adminAddr) return;
    const before = p.lastExit;
    await this.withLog('proxy', () => waitForHttp200(`http://${this.adminAddr}/ready`, {
      timeoutMs, what: `workload ${this.name}: proxy`, abort: () => (p.lastExit !== before ? 'the proxy exited' : undefined),
    }));
  }

  /** Waits until the app listens on its ports (servers before their clients). */
  async waitAppListening(timeoutMs: number): Promise<void> {
    const a = this.app;
    if (!a) return;
    const before = a.lastExit;
    const pid = a.pid;
    if (pid === undefined) return;
    await this.withLog('app', () => waitListening(pid, this.ports, {
      timeoutMs, what: `workload ${this.name}: app`, abort: () => (a.lastExit !== before ? 'the app exited' : undefined),
    }));
  }

  private async withLog(which: 'app' | 'proxy', wait: () => Promise<void>): Promise<void> {
    try {
      await wait();
    } catch (err) {
      const log = this.logOf(which);
      throw new WeftError((err as WeftError).code ?? 'WEFT_ERR_READY_TIMEOUT', `${(err as Error).message} (log ${log}):\n${await tail(log, 15)}`);
    }
  }

  /** Readiness now: the app runs and listens, the proxy (if any) answers /ready. */
  async probe(): Promise<boolean> {
    const a = this.app;
    if (!a?.running || a.pid === undefined || !listensOn(a.pid, this.ports)) return false;
    if (!this.proxy) return true;
    return this.proxy.running && (await httpStatus(`http://${this.adminAddr}/ready`, 500)) === 200;
  }

  /** The app first (it should not outlive its proxy's interception), then the proxy. */
  async stop(graceMs = 5000): Promise<void> {
    this.ready = false;
    await this.app?.stop(graceMs);
    await this.proxy?.stop(graceMs);
  }

  /** Stops it and removes its namespace (rules and veth go with it), hosts file and files. */
  async remove(): Promise<void> {
    await this.stop();
    if (this.plan) await teardownPod(this.plan.netns, this.plan.hostIf);
    await rm(this.dir, { recursive: true, force: true });
  }

  /** The hosts file path (namespace mode). */
  get hostsFile(): string | undefined {
    return this.plan ? hostsPath(this.plan.netns) : undefined;
  }

  record(): WorkloadRecord {
    const w = this.spec.workload;
    const proc = (p: SupervisedProcess | undefined, which: 'app' | 'proxy'): WorkloadRecord['app'] =>
      p?.pid === undefined ? undefined : { pid: p.pid, startTime: p.startTime, log: this.logOf(which), restarts: p.restarts, lastExit: p.lastExit };
    return {
      name: this.name, namespace: w.namespace, deployment: w.name, replica: this.spec.replica, slot: this.plan?.slot,
      serviceAccount: w.serviceAccount, netns: this.plan?.netns, hostIf: this.plan?.hostIf, ip: this.ip,
      ports: this.ports, app: proc(this.app, 'app'), proxy: proc(this.proxy, 'proxy'), ready: this.ready,
      adminAddr: this.adminAddr, outboundAddr: this.loopback?.outbound, inboundAddr: this.loopback?.inbound, tapAddr: this.tapAddr,
    };
  }
}
