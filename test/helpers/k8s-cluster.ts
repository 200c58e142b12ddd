// A real Kubernetes API for tests: etcd (Debian's etcd-server) + kube-apiserver +
// kube-controller-manager built by test/k8s/build.sh into ~/.cache/weft/k8s, on loopback, with
// a generated serving certificate, service-account signing key and an admin token, and a
// kubeconfig written for clients. No kubelet: tests set pod status themselves, as a kubelet would.
//
// If KUBECONFIG is set, tests run against that cluster instead (kind, k3d, a cloud) and nothing
// is started. Without binaries: the tests skip with a message, unless WEFT_K8S_REQUIRED=1 (CI),
// where startCluster() throws and every test of the file fails.
import { spawn, type ChildProcess } from 'node:child_process';
import { createPrivateKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { accessSync, closeSync, constants, openSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { homedir, networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServingCa, signServingCert } from '../../src/lib/serving-cert.js';
import { run, type ExecResult } from './exec.js';
import { reapWithTest, removeWithTest } from './reaper.js';

export const K8S_VERSION = process.env.WEFT_K8S_VERSION ?? 'v1.37.2';
export const K8S_BIN = join(process.env.WEFT_K8S_CACHE ?? join(homedir(), '.cache', 'weft', 'k8s'), K8S_VERSION, 'bin');
const SA_ISSUER = 'https://kubernetes.default.svc.cluster.local';

export interface KubeCluster {
  readonly kubeconfig: string;
  readonly server: string;
  /** True when KUBECONFIG named a cluster we did not start (restarts and forged tokens unavailable). */
  readonly external: boolean;
  /** A non-loopback IPv4 address of this host (EndpointSlices refuse loopback addresses). */
  readonly hostIp: string;
  /** The service-account signing key and issuer (local cluster only), to forge e.g. expired tokens. */
  readonly serviceAccountKey: KeyObject | undefined;
  readonly serviceAccountIssuer: string;
  kubectl(args: readonly string[], stdin?: string): Promise<ExecResult>;
  /** kubectl that throws with its stderr on failure, returning stdout. */
  k(args: readonly string[], stdin?: string): Promise<string>;
  stopApiServer(): Promise<void>;
  startApiServer(): Promise<void>;
  /** The last lines of each component's log, for failure messages. */
  logs(): string;
  stop(): Promise<void>;
}

const REQUIRED = process.env.WEFT_K8S_REQUIRED === '1';

function executable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function which(cmd: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':')) if (dir && executable(join(dir, cmd))) return join(dir, cmd);
  return undefined;
}

/**
 * Why the k8s tests of this file cannot run here, or undefined when they can (or must: with
 * WEFT_K8S_REQUIRED=1 a missing binary is reported by startCluster() as a failure, not a skip).
 */
export function k8sSkipReason(): string | undefined {
  if (process.env.KUBECONFIG || REQUIRED) return undefined;
  const missing = ['kube-apiserver', 'kube-controller-manager', 'kubectl'].filter((b) => !executable(join(K8S_BIN, b)));
  if (!which('etcd')) missing.push('etcd (Debian etcd-server)');
  return missing.length ? `no Kubernetes API server here (missing ${missing.join(', ')}): run test/k8s/build.sh, or set KUBECONFIG` : undefined;
}

export function hostIpv4(): string | undefined {
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal && !a.address.startsWith('169.254.')) return a.address;
  }
  return undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Proc {
  readonly name: string;
  child: ChildProcess | undefined;
  readonly logFile: string;
}

function startProc(p: Proc, cmd: string, args: string[], env: NodeJS.ProcessEnv): void {
  const fd = openSync(p.logFile, 'a');
  const child = spawn(cmd, args, { env, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  // A test file killed on timeout must not leave etcd or the API server behind.
  reapWithTest(child);
  p.child = child;
}

async function stopProc(p: Proc): Promise<void> {
  const c = p.child;
  p.child = undefined;
  if (!c || c.exitCode !== null || c.signalCode !== null) return;
  const exited = new Promise<void>((r) => c.once('exit', () => r()));
  c.kill('SIGTERM');
  const t = setTimeout(() => c.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(t);
}

function tail(file: string, lines = 25): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Environment for etcd: it reads every ETCD_* variable as a flag, so none may leak in. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('ETCD_')) env[k] = v;
  return env;
}

function kubectlFor(bin: string, kubeconfig: string) {
  const kubectl = (args: readonly string[], stdin?: string): Promise<ExecResult> =>
    new Promise((resolve) => {
      const child = spawn(bin, ['--kubeconfig', kubeconfig, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
      child.stdin.end(stdin ?? '');
    });
  const k = async (args: readonly string[], stdin?: string): Promise<string> => {
    const r = await kubectl(args, stdin);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
    return r.stdout;
  };
  return { kubectl, k };
}

async function waitReady(server: string, token: string, procs: Proc[], timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  const args = ['-sk', '--max-time', '2', '-H', `Authorization: Bearer ${token}`, `${server}/readyz`];
  for (;;) {
    const r = await run('curl', args);
    if (r.code === 0 && r.stdout.trim() === 'ok') return;
    const dead = procs.find((p) => p.child && p.child.exitCode !== null);
    if (dead || Date.now() > end) {
      throw new Error(`kube-apiserver not ready${dead ? ` (${dead.name} exited)` : ''}: ${r.stdout}\n${procs.map((p) => `--- ${p.name}\n${tail(p.logFile)}`).join('\n')}`);
    }
    await sleep(250);
  }
}

async function external(kubeconfig: string): Promise<KubeCluster> {
  const bin = executable(join(K8S_BIN, 'kubectl')) ? join(K8S_BIN, 'kubectl') : 'kubectl';
  const { kubectl, k } = kubectlFor(bin, kubeconfig);
  const server = (await k(['config', 'view', '--minify', '-o', 'jsonpath={.clusters[0].cluster.server}'])).trim();
  const unavailable = (): Promise<void> => Promise.reject(new Error('cannot restart the API server of an external cluster'));
  return {
    kubeconfig, server, external: true, hostIp: hostIpv4() ?? '', serviceAccountKey: undefined, serviceAccountIssuer: SA_ISSUER,
    kubectl, k, stopApiServer: unavailable, startApiServer: unavailable, logs: () => '', stop: async () => undefined,
  };
}

export interface ClusterOptions {
  /**
   * For a cluster whose pods run (test/helpers/k8s-node.ts): the API server also listens on this
   * host's address, advertised as the `kubernetes` Service's endpoint, with a certificate naming
   * it and the Service's cluster IP (the first of this range), so pods reach it through kube-proxy.
   */
  readonly podReachable?: { readonly serviceCidr: string; readonly serviceIp: string };
}

/** Starts etcd, kube-apiserver and kube-controller-manager (or uses $KUBECONFIG). */
export async function startCluster(opts: ClusterOptions = {}): Promise<KubeCluster> {
  if (process.env.KUBECONFIG) return external(process.env.KUBECONFIG);
  const why = ['kube-apiserver', 'kube-controller-manager', 'kubectl'].filter((b) => !executable(join(K8S_BIN, b)));
  if (!which('etcd')) why.push('etcd');
  if (why.length) throw new Error(`Kubernetes test binaries missing: ${why.join(', ')} (run test/k8s/build.sh; apt-get install etcd-server)`);
  const hostIp = hostIpv4();
  if (!hostIp) throw new Error('this host has no non-loopback IPv4 address, which test endpoints need');

  const dir = await mkdtemp(join(tmpdir(), 'weft-k8s-'));
  const reaped = removeWithTest(dir);
  const f = (n: string): string => join(dir, n);
  const [etcdPort, peerPort, apiPort, kcmPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const server = `https://127.0.0.1:${apiPort}`;

  const ca = await createServingCa('weft-test-kubernetes-ca');
  const pods = opts.podReachable;
  const serving = await signServingCert(ca, {
    dnsNames: ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'],
    ips: pods ? ['127.0.0.1', hostIp, pods.serviceIp] : ['127.0.0.1'],
  });
  const sa = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const token = randomBytes(24).toString('hex');
  await Promise.all([
    writeFile(f('ca.crt'), ca.certPem),
    writeFile(f('apiserver.crt'), serving.certPem),
    writeFile(f('apiserver.key'), serving.keyPem, { mode: 0o600 }),
    writeFile(f('sa.key'), sa.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, { mode: 0o600 }),
    writeFile(f('sa.pub'), sa.publicKey.export({ type: 'spki', format: 'pem' }) as string),
    writeFile(f('tokens.csv'), `${token},weft-test-admin,weft-test-admin,"system:masters"\n`, { mode: 0o600 }),
  ]);
  const kubeconfig = f('kubeconfig');
  await writeFile(kubeconfig, [
    'apiVersion: v1', 'kind: Config', 'current-context: weft-test',
    'clusters:', '- name: weft-test', '  cluster:', `    server: ${server}`, `    certificate-authority: ${f('ca.crt')}`,
    'users:', '- name: admin', '  user:', `    token: ${token}`,
    'contexts:', '- name: weft-test', '  context: {cluster: weft-test, user: admin}', '',
  ].join('\n'), { mode: 0o600 });

  const etcd: Proc = { name: 'etcd', child: undefined, logFile: f('etcd.log') };
  const api: Proc = { name: 'kube-apiserver', child: undefined, logFile: f('apiserver.log') };
  const kcm: Proc = { name: 'kube-controller-manager', child: undefined, logFile: f('controller-manager.log') };
  const procs = [etcd, api, kcm];
  const stopAll = async (): Promise<void> => {
    for (const p of [kcm, api, etcd]) await stopProc(p);
  };

  const etcdUrl = `http://127.0.0.1:${etcdPort}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  const apiArgs = [
    `--etcd-servers=${etcdUrl}`,
    `--secure-port=${apiPort}`,
    ...(pods
      ? ['--bind-address=0.0.0.0', `--advertise-address=${hostIp}`]
      // A loopback advertise address is refused by the endpoint reconciler of the `kubernetes` Service.
      : ['--bind-address=127.0.0.1', '--advertise-address=127.0.0.1', '--endpoint-reconciler-type=none']),
    `--cert-dir=${f('certs')}`,
    `--tls-cert-file=${f('apiserver.crt')}`, `--tls-private-key-file=${f('apiserver.key')}`,
    `--service-account-key-file=${f('sa.pub')}`, `--service-account-signing-key-file=${f('sa.key')}`,
    `--service-account-issuer=${SA_ISSUER}`, `--api-audiences=${SA_ISSUER}`,
    `--token-auth-file=${f('tokens.csv')}`,
    '--authorization-mode=RBAC',
    `--service-cluster-ip-range=${pods?.serviceCidr ?? '10.96.0.0/16'}`,
    // Webhooks and aggregated APIs are called at an endpoint address (our host), not a cluster IP
    // (there is no kube-proxy to route one).
    '--enable-aggregator-routing=true',
    '--profiling=false',
  ];
  try {
    startProc(etcd, 'etcd', [
      '--name', 'weft-test', '--data-dir', f('etcd'),
      '--listen-client-urls', etcdUrl, '--advertise-client-urls', etcdUrl,
      '--listen-peer-urls', peerUrl, '--initial-advertise-peer-urls', peerUrl, '--initial-cluster', `weft-test=${peerUrl}`,
    ], cleanEnv());
    startProc(api, join(K8S_BIN, 'kube-apiserver'), apiArgs, cleanEnv());
    await waitReady(server, token, [etcd, api]);
    startProc(kcm, join(K8S_BIN, 'kube-controller-manager'), [
      `--kubeconfig=${kubeconfig}`,
      '--bind-address=127.0.0.1', `--secure-port=${kcmPort}`,
      '--leader-elect=false',
      '--use-service-account-credentials=true',
      `--service-account-private-key-file=${f('sa.key')}`,
      `--root-ca-file=${f('ca.crt')}`,
      // Without a kubelet no node lifecycle: with one, it is what lifts a new node's not-ready taint.
      `--controllers=*,-node-ipam-controller,${pods ? '' : '-node-lifecycle-controller,'}-persistentvolume-attach-detach-controller`,
    ], cleanEnv());
  } catch (err) {
    await stopAll();
    await rm(dir, { recursive: true, force: true });
    reaped.forget();
    throw err;
  }

  const { kubectl, k } = kubectlFor(join(K8S_BIN, 'kubectl'), kubeconfig);
  // The controller manager creates each namespace's `default` ServiceAccount: wait for it, so
  // tests can create pods at once.
  const end = Date.now() + 30_000;
  while ((await kubectl(['get', 'serviceaccount', 'default', '-n', 'default'])).code !== 0) {
    if (Date.now() > end || kcm.child?.exitCode !== null) {
      const logs = procs.map((p) => `--- ${p.name}\n${tail(p.logFile)}`).join('\n');
      await stopAll();
      await rm(dir, { recursive: true, force: true });
      reaped.forget();
      throw new Error(`kube-controller-manager did not create the default ServiceAccount:\n${logs}`);
    }
    await sleep(200);
  }

  return {
    kubeconfig, server, external: false, hostIp,
    serviceAccountKey: createPrivateKey(readFileSync(f('sa.key'))),
    serviceAccountIssuer: SA_ISSUER,
    kubectl, k,
    stopApiServer: () => stopProc(api),
    async startApiServer() {
      startProc(api, join(K8S_BIN, 'kube-apiserver'), apiArgs, cleanEnv());
      await waitReady(server, token, [etcd, api]);
    },
    logs: () => procs.map((p) => `--- ${p.name}\n${tail(p.logFile)}`).join('\n'),
    async stop() {
      await stopAll();
      await rm(dir, { recursive: true, force: true });
      reaped.forget();
    },
  };
}

