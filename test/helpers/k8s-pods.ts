// Looking at real pods of the one-node cluster (k8s-node.ts) from the host: their network
// namespace (to read the iptables rules weft-init wrote), their proxies' metrics (through the API
// server's pod proxy, as `weft viz stat --kubernetes` does), their containers' memory.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parsePromText, type Sample } from '../../src/viz/prom-text.js';
import { run } from './exec.js';
import type { KubeCluster } from './k8s-cluster.js';

export interface PodInfo {
  readonly name: string;
  readonly ip: string;
  readonly ready: boolean;
  readonly phase: string;
  readonly serviceAccount: string;
  readonly containers: readonly string[];
  readonly initContainers: readonly { name: string; restartPolicy?: string }[];
  readonly initStatuses: readonly { name: string; exitCode?: number; ready: boolean }[];
  readonly uid: string;
  readonly deleting: boolean;
}

interface RawPod {
  metadata: { name: string; uid: string; deletionTimestamp?: string };
  spec: { serviceAccountName?: string; containers: { name: string }[]; initContainers?: { name: string; restartPolicy?: string }[] };
  status: {
    podIP?: string; phase?: string; conditions?: { type: string; status: string }[];
    initContainerStatuses?: { name: string; ready: boolean; state?: { terminated?: { exitCode: number } }; lastState?: { terminated?: { exitCode: number } } }[];
  };
}

/** Pods matching `selector` in `namespace`. */
export async function pods(cluster: KubeCluster, namespace: string, selector = ''): Promise<PodInfo[]> {
  const list = JSON.parse(await cluster.k(['get', 'pods', '-n', namespace, ...(selector ? ['-l', selector] : []), '-o', 'json'])) as { items: RawPod[] };
  return list.items.map((p) => ({
    name: p.metadata.name,
    uid: p.metadata.uid,
    deleting: p.metadata.deletionTimestamp !== undefined,
    ip: p.status.podIP ?? '',
    phase: p.status.phase ?? '',
    ready: p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
    serviceAccount: p.spec.serviceAccountName ?? 'default',
    containers: p.spec.containers.map((c) => c.name),
    initContainers: p.spec.initContainers ?? [],
    initStatuses: (p.status.initContainerStatuses ?? []).map((s) => ({
      name: s.name, ready: s.ready, exitCode: s.state?.terminated?.exitCode ?? s.lastState?.terminated?.exitCode,
    })),
  }));
}

/** `iptables-save -t nat` inside a pod's network namespace (the path: KubeNode.netnsOf), both back ends. */
export async function podNatRules(netns: string): Promise<string> {
  let out = '';
  for (const tool of ['iptables-nft-save', 'iptables-legacy-save']) {
    const r = await run('nsenter', [`--net=${netns}`, tool, '-t', 'nat']);
    if (r.code === 0) out += r.stdout;
  }
  return out;
}

/** The proxy's /metrics of a pod, through the API server's pod proxy (admin port 4191). */
export async function proxyMetrics(cluster: KubeCluster, namespace: string, pod: string): Promise<Sample[]> {
  return parsePromText(await cluster.k(['get', '--raw', `/api/v1/namespaces/${namespace}/pods/${pod}:4191/proxy/metrics`]));
}

/** Sum of the samples named `name` whose labels include `labels`. */
export function total(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number {
  let n = 0;
  for (const s of samples) if (s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)) n += s.value;
  return n;
}

/** RSS in MB of the processes running as `uid` under a cgroup-v1 memory subtree (the node's pods). */
export function rssByUid(cgroupRoot: string, uid: number): number[] {
  const out: number[] = [];
  const walk = (dir: string): void => {
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      return;
    }
    for (const pid of entries.includes('cgroup.procs') ? readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean) : []) {
      try {
        const status = readFileSync(`/proc/${pid}/status`, 'utf8');
        if (new RegExp(`^Uid:\\s+${uid}\\s`, 'm').test(status)) out.push(Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0) / 1024);
      } catch {
        // exited meanwhile
      }
    }
    for (const e of entries) if (!e.includes('.')) walk(join(dir, e));
  };
  walk(join('/sys/fs/cgroup/memory', cgroupRoot));
  return out;
}
