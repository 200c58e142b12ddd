// A real one-node Kubernetes cluster for end-to-end tests: the API server of k8s-cluster.ts made
// reachable from pods, kube-scheduler, kube-proxy (iptables) and a kubelet driving Debian's
// containerd/runc with the CNI bridge plugin, each with its own root, socket, ports and cgroup
// root; CoreDNS as a pod behind the usual kube-dns Service. Images are docker-archives imported
// into this containerd (no registry): the weft image, the demo's, the pause image and CoreDNS's,
// built by scripts/build-image.mjs.
//
// Host-global things — the bridge, the pod and service ranges, kube-proxy's KUBE-* chains — have
// fixed names, so one such cluster runs at a time on a host (a host lock, taken first). Everything
// the node changes on the host is undone by test/k8s/node-teardown.sh: at stop(), and by the
// reaper's detached watcher if the test process is killed. The binaries: test/k8s/build.sh.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { hostLock } from './host-lock.js';
import { K8S_BIN, startCluster, type KubeCluster } from './k8s-cluster.js';
import { run } from './exec.js';
import { reapWithTest, runWithTest } from './reaper.js';
import { coreDnsManifests } from './k8s-node-dns.js';

export const NODE_NAME = 'localhost'; // so the API server reaches the kubelet (logs, exec) on loopback
const BRIDGE = 'weftnode0';
const POD_CIDR = '10.89.0.0/24';
const SERVICE_CIDR = '10.90.0.0/16';
const API_SERVICE_IP = '10.90.0.1';
export const DNS_SERVICE_IP = '10.90.0.10';
const CGROUP_ROOT = 'weft-node';
const SYSCTLS = ['kernel.panic', 'kernel.panic_on_oops', 'vm.overcommit_memory', 'net.ipv4.ip_forward'];
const REPO = resolve(new URL('../../..', import.meta.url).pathname); // dist/test/helpers -> repo
const TEARDOWN = join(REPO, 'test/k8s/node-teardown.sh');

/** The binaries and packages a node needs; the reason it cannot run here, or undefined. */
export function nodeSkipReason(): string | undefined {
  // In CI (.ci/run) a missing piece fails the test (startNode throws) instead of skipping it.
  if (process.env.WEFT_K8S_REQUIRED === '1') return undefined;
  const missing = ['kubelet', 'kube-scheduler', 'kube-proxy', 'coredns'].filter((b) => !existsSync(join(K8S_BIN, b)));
  for (const [cmd, pkg] of [['containerd', 'containerd'], ['runc', 'runc']] as const) if (!existsSync(`/usr/bin/${cmd}`) && !existsSync(`/usr/sbin/${cmd}`)) missing.push(`${cmd} (Debian ${pkg})`);
  if (!existsSync('/usr/lib/cni/bridge')) missing.push('CNI plugins (Debian containernetworking-plugins)');
  if (process.getuid?.() !== 0) missing.push('root');
  return missing.length ? `no one-node cluster here (missing ${missing.join(', ')}): run test/k8s/build.sh and .ci/run's apt step` : undefined;
}

export interface KubeNode {
  readonly cluster: KubeCluster;
  /** Seconds from start() to a Ready node with DNS serving. */
  readonly startSeconds: number;
  /** The path of the network namespace holding a pod's IP (to look inside with nsenter). */
  netnsOf(ip: string): Promise<string>;
  /** Builds an image (scripts/build-image.mjs) and imports it into the node's containerd. */
  loadImage(kind: ImageKind): Promise<void>;
  /** Gives an imported image a second name in the node's containerd (a new version's tag, same bits). */
  tagImage(from: string, to: string): Promise<void>;
  /** The last lines of the node's logs, for failure messages. */
  logs(): string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => res(port));
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function start(cmd: string, args: string[], log: string): ChildProcess {
  const fd = openSync(log, 'a');
  const child = spawn(cmd, args, { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  reapWithTest(child);
  return child;
}

async function stopChild(c: ChildProcess | undefined): Promise<void> {
  if (!c || c.exitCode !== null || c.signalCode !== null) return;
  const exited = new Promise<void>((r) => c.once('exit', () => r()));
  c.kill('SIGTERM');
  const t = setTimeout(() => c.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(t);
}

async function must(cmd: string, args: string[], what: string, timeoutMs = 20_000): Promise<string> {
  const r = await run(cmd, args, timeoutMs);
  if (r.code !== 0) throw new Error(`${what}: ${cmd} ${args.join(' ')} failed (${r.code}): ${r.stderr}${r.stdout}`);
  return r.stdout;
}

type ImageKind = 'weft' | 'demo' | 'pause' | 'coredns';

/** Builds an image with scripts/build-image.mjs into `dir` (a docker-archive), returning its path. */
async function buildImage(kind: ImageKind, dir: string): Promise<string> {
  const out = join(dir, `image-${kind}.tar`);
  const args = kind === 'coredns' ? ['binary', out, '--tag', 'weft.local/coredns:1', '--binary', join(K8S_BIN, 'coredns')] : [kind, out];
  await must('node', [join(REPO, 'scripts/build-image.mjs'), ...args], `image ${kind}`, 180_000);
  return out;
}

function containerdConfig(dir: string): string {
  return `version = 2
root = "${dir}/root"
state = "${dir}/state"
oom_score = 0
[grpc]
  address = "${dir}/containerd.sock"
[ttrpc]
  address = "${dir}/containerd.sock.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "${dir}/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "weft.local/pause:1"
  # root here lacks CAP_SYS_RESOURCE: without this every sandbox fails in runc (oom_score_adj).
  restrict_oom_score_adj = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  # Pod network namespaces under our state directory, not in the host's /var/run/netns.
  netns_mounts_under_state_dir = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "${dir}/cni"
`;
}

function cniConfig(dir: string): string {
  // No ipMasq and no portmap: the host's iptables are left alone (kube-proxy's chains aside).
  return JSON.stringify({
    cniVersion: '0.4.0', name: 'weft-node',
    plugins: [{
      type: 'bridge', bridge: BRIDGE, isGateway: true, ipMasq: false, hairpinMode: true,
      ipam: { type: 'host-local', ranges: [[{ subnet: POD_CIDR }]], routes: [{ dst: '0.0.0.0/0' }], dataDir: join(dir, 'ipam') },
    }],
  });
}

function kubeletConfig(dir: string, port: number, sock: string): string {
  return [
    'apiVersion: kubelet.config.k8s.io/v1beta1', 'kind: KubeletConfiguration',
    // Loopback only, which is why anonymous access with AlwaysAllow is acceptable here.
    'address: 127.0.0.1', `port: ${port}`, 'readOnlyPort: 0', 'healthzPort: 0',
    'authentication: {anonymous: {enabled: true}, webhook: {enabled: false}}', 'authorization: {mode: AlwaysAllow}',
    'cgroupDriver: cgroupfs', `cgroupRoot: /${CGROUP_ROOT}`, 'failCgroupV1: false', 'failSwapOn: false',
    `containerRuntimeEndpoint: unix://${sock}`, `podLogsDir: ${dir}/pod-logs`,
    `clusterDNS: [${DNS_SERVICE_IP}]`, 'clusterDomain: cluster.local', 'resolvConf: /etc/resolv.conf',
    'imageGCHighThresholdPercent: 100', 'imageGCLowThresholdPercent: 99',
    // A shared machine's disk or memory may be fuller than the defaults allow: no eviction.
    'evictionHard: {nodefs.available: "0%", imagefs.available: "0%", nodefs.inodesFree: "0%"}',
    'serializeImagePulls: false', 'maxPods: 50', 'syncFrequency: 10s', 'fileCheckFrequency: 60s', '',
  ].join('\n');
}

/** Starts the cluster (API server, controller-manager) and the node; resolves once the node is Ready and DNS answers. */
export async function startNode(): Promise<KubeNode> {
  const t0 = Date.now();
  const lock = await hostLock('k8s-node', 900_000);
  const dir = await mkdtemp(join(tmpdir(), 'weft-node-'));
  const kubeProxyBin = join(K8S_BIN, 'kube-proxy');
  const teardownCmd = `bash ${TEARDOWN} ${dir} ${BRIDGE} ${CGROUP_ROOT} ${kubeProxyBin}`;
  const reaped = runWithTest(teardownCmd);
  const children: ChildProcess[] = [];
  let cluster: KubeCluster | undefined;
  const logs = (): string => ['containerd', 'kubelet', 'kube-proxy', 'kube-scheduler'].map((n) => `--- ${n}\n${tail(join(dir, `${n}.log`))}`).join('\n') + (cluster ? `\n${cluster.logs()}` : '');
  const stop = async (): Promise<void> => {
    // The kubelet first (it would restart what we kill), then the rest, then the host cleanup.
    for (const c of [...children].reverse()) await stopChild(c);
    await run('bash', [TEARDOWN, dir, BRIDGE, CGROUP_ROOT, kubeProxyBin]);
    reaped.forget();
    await cluster?.stop();
    await lock.release();
  };
  try {
    const why = ['kubelet', 'kube-scheduler', 'kube-proxy', 'coredns'].filter((b) => !existsSync(join(K8S_BIN, b)));
    if (why.length) throw new Error(`one-node cluster binaries missing: ${why.join(', ')} (run test/k8s/build.sh)`);
    // What the teardown restores: sysctls as they are now.
    const saved = (await must('sysctl', SYSCTLS, 'sysctl')).trim().split('\n').map((l) => l.replace(' = ', ' ')).join('\n');
    await writeFile(join(dir, 'sysctls.saved'), saved + '\n');
    // Something a killed run left behind (same fixed names) goes first.
    await run('bash', [TEARDOWN, join(dir, 'none'), BRIDGE, CGROUP_ROOT, kubeProxyBin]);

    cluster = await startCluster({ podReachable: { serviceCidr: SERVICE_CIDR, serviceIp: API_SERVICE_IP } });
    const kubeconfig = cluster.kubeconfig;

    const cd = join(dir, 'containerd');
    await mkdir(join(cd, 'cni'), { recursive: true });
    await writeFile(join(cd, 'config.toml'), containerdConfig(cd));
    await writeFile(join(cd, 'cni', '10-weft-node.conflist'), cniConfig(cd));
    const sock = join(cd, 'containerd.sock');
    children.push(start('containerd', ['--config', join(cd, 'config.toml')], join(dir, 'containerd.log')));
    for (let end = Date.now() + 20_000; (await run('ctr', ['-a', sock, 'version'])).code !== 0;) {
      if (Date.now() > end) throw new Error(`containerd did not answer:\n${tail(join(dir, 'containerd.log'))}`);
      await sleep(200);
    }
    const loadImage = async (kind: ImageKind): Promise<void> => {
      const tarball = await buildImage(kind, dir);
      await must('ctr', ['-a', sock, '-n', 'k8s.io', 'images', 'import', '--no-unpack', tarball], 'image import', 180_000);
      await rm(tarball, { force: true });
    };
    await Promise.all((['pause', 'coredns'] as const).map(loadImage));
    const tagImage = async (from: string, to: string): Promise<void> => {
      await must('ctr', ['-a', sock, '-n', 'k8s.io', 'images', 'tag', '--force', from, to], 'image tag');
    };

    children.push(start(join(K8S_BIN, 'kube-scheduler'), [
      `--kubeconfig=${kubeconfig}`, `--authentication-kubeconfig=${kubeconfig}`, `--authorization-kubeconfig=${kubeconfig}`,
      '--bind-address=127.0.0.1', `--secure-port=${await freePort()}`, '--leader-elect=false',
    ], join(dir, 'kube-scheduler.log')));
    children.push(start(kubeProxyBin, [
      `--kubeconfig=${kubeconfig}`, `--hostname-override=${NODE_NAME}`, '--proxy-mode=iptables', `--cluster-cidr=${POD_CIDR}`,
      // Every packet to a service is masqueraded: replies from a pod on the same bridge come back through the host.
      '--masquerade-all', '--iptables-localhost-nodeports=false',
      `--healthz-bind-address=127.0.0.1:${await freePort()}`, `--metrics-bind-address=127.0.0.1:${await freePort()}`,
      // 0: leave the host's conntrack sysctls alone.
      '--conntrack-max-per-core=0', '--conntrack-tcp-timeout-established=0', '--conntrack-tcp-timeout-close-wait=0',
    ], join(dir, 'kube-proxy.log')));

    // The kubelet wants its cgroup root to exist in every v1 hierarchy (cpuset's with CPUs and memory nodes set).
    for (const h of readdirSync('/sys/fs/cgroup')) {
      const root = join('/sys/fs/cgroup', h);
      if (!existsSync(join(root, 'cgroup.procs'))) continue; // a symlink (cpu,cpuacct) or not a hierarchy
      await mkdir(join(root, CGROUP_ROOT), { recursive: true });
      if (h === 'cpuset') {
        for (const f of ['cpuset.cpus', 'cpuset.mems']) await writeFile(join(root, CGROUP_ROOT, f), readFileSync(join(root, f)));
      }
    }
    const kl = join(dir, 'kubelet');
    await mkdir(join(kl, 'pki'), { recursive: true });
    await writeFile(join(kl, 'config.yaml'), kubeletConfig(dir, await freePort(), sock));
    children.push(start(join(K8S_BIN, 'kubelet'), [
      `--config=${join(kl, 'config.yaml')}`, `--kubeconfig=${kubeconfig}`, `--root-dir=${kl}`, `--cert-dir=${join(kl, 'pki')}`,
      `--hostname-override=${NODE_NAME}`, '--v=1',
    ], join(dir, 'kubelet.log')));

    const k = cluster.k;
    for (let end = Date.now() + 60_000; ;) {
      const r = await cluster.kubectl(['get', 'node', NODE_NAME, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']);
      if (r.stdout === 'True') break;
      if (Date.now() > end || children.some((c) => c.exitCode !== null)) throw new Error(`node ${NODE_NAME} not Ready:\n${logs()}`);
      await sleep(500);
    }
    await k(['apply', '-f', '-'], coreDnsManifests(DNS_SERVICE_IP));
    await k(['rollout', 'status', '-n', 'kube-system', 'deployment/coredns', '--timeout=120s']);
    const netnsDir = join(cd, 'state', 'io.containerd.grpc.v1.cri', 'netns');
    const netnsOf = async (ip: string): Promise<string> => {
      for (const ns of existsSync(netnsDir) ? readdirSync(netnsDir) : []) {
        const r = await run('nsenter', [`--net=${join(netnsDir, ns)}`, 'ip', '-4', '-o', 'addr', 'show']);
        if (r.code === 0 && r.stdout.includes(` ${ip}/`)) return join(netnsDir, ns);
      }
      throw new Error(`no pod network namespace under ${netnsDir} holds ${ip}`);
    };
    const node: KubeNode = { cluster, startSeconds: (Date.now() - t0) / 1000, netnsOf, loadImage, tagImage, logs, stop };
    return node;
  } catch (err) {
    const detail = logs();
    await stop();
    throw new Error(`${(err as Error).message}\n${detail}`, { cause: err });
  }
}
