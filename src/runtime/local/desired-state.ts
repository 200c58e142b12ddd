// What a running mesh should be: the mesh file `up` started from, changed by every live
// `weft apply` (create or replace what the file names, as kubectl does; with prune, also drop
// what it no longer names) and `weft delete` (drop what the file names). Pure: the reconciler
// compares the result with the pods that run (diffPods) and makes the difference.
import { keyOf } from '../../control/store/types.js';
import type { Resource } from '../../control/store/types.js';
import type { MeshSpec, ServiceSpec, WorkloadSpec } from './mesh-file.js';
import { checkNames } from './mesh-file.js';
import type { PodSpec } from './plan.js';

export interface Change {
  readonly mesh: MeshSpec;
  /** kubectl-style lines: "deployment.apps/web created", "service/web -n demo unchanged". */
  readonly lines: readonly string[];
}

const svcKey = (s: ServiceSpec): string => `${s.service.metadata.namespace}/${s.service.metadata.name}`;
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
const ns = (n: string): string => (n === 'default' ? '' : ` -n ${n}`);
const deployLabel = (w: WorkloadSpec): string => `deployment.apps/${w.name}${ns(w.namespace)}`;
const resourceLabel = (r: Resource): string => `${r.kind.toLowerCase()}/${r.metadata.name}${ns(r.metadata.namespace)}`;

/** Store resources other than Services (those travel with their selector in `services`). */
const others = (m: MeshSpec): Resource[] => m.resources.filter((r) => r.kind !== 'Service');

function build(file: string, workloads: WorkloadSpec[], services: ServiceSpec[], rest: Resource[]): MeshSpec {
  checkNames(file, workloads);
  return Object.freeze({
    file,
    workloads: Object.freeze(workloads),
    services: Object.freeze(services),
    resources: Object.freeze([...services.map((s) => s.service as Resource), ...rest]),
  });
}

/** Puts `item` in place of the one with its key (or appends it); says what that was. */
function upsert<T>(list: T[], before: readonly T[], item: T, key: (x: T) => string): 'created' | 'configured' | 'unchanged' {
  const i = list.findIndex((x) => key(x) === key(item));
  if (i < 0) list.push(item);
  else list[i] = item;
  const prev = before.find((x) => key(x) === key(item));
  return prev === undefined ? 'created' : same(prev, item) ? 'unchanged' : 'configured';
}

/** `weft apply -f`: what the file names is created or replaced; `prune` drops the rest. */
export function applyToMesh(current: MeshSpec, incoming: MeshSpec, o: { prune?: boolean } = {}): Change {
  const workloads = o.prune ? [] : [...current.workloads];
  const services = o.prune ? [] : [...current.services];
  const rest = o.prune ? [] : others(current);
  const lines: string[] = [];
  for (const w of incoming.workloads) lines.push(`${deployLabel(w)} ${upsert(workloads, current.workloads, w, (x) => x.name)}`);
  for (const s of incoming.services) lines.push(`${resourceLabel(s.service)} ${upsert(services, current.services, s, svcKey)}`);
  for (const r of others(incoming)) lines.push(`${resourceLabel(r)} ${upsert(rest, others(current), r, keyOf)}`);
  if (o.prune) {
    for (const w of current.workloads) if (!workloads.some((x) => x.name === w.name)) lines.push(`${deployLabel(w)} pruned`);
    for (const s of current.services) if (!services.some((x) => svcKey(x) === svcKey(s))) lines.push(`${resourceLabel(s.service)} pruned`);
    for (const r of others(current)) if (!rest.some((x) => keyOf(x) === keyOf(r))) lines.push(`${resourceLabel(r)} pruned`);
  }
  return { mesh: build(current.file, workloads, services, rest), lines };
}

/** `weft delete -f`: what the file names is removed. */
export function deleteFromMesh(current: MeshSpec, incoming: MeshSpec): Change {
  const lines: string[] = [];
  const goneW = new Set(incoming.workloads.map((w) => w.name));
  const goneS = new Set(incoming.services.map(svcKey));
  const goneR = new Set(others(incoming).map(keyOf));
  for (const w of incoming.workloads) lines.push(`${deployLabel(w)} ${current.workloads.some((x) => x.name === w.name) ? 'deleted' : 'not found'}`);
  for (const s of incoming.services) lines.push(`${resourceLabel(s.service)} ${current.services.some((x) => svcKey(x) === svcKey(s)) ? 'deleted' : 'not found'}`);
  for (const r of others(incoming)) lines.push(`${resourceLabel(r)} ${others(current).some((x) => keyOf(x) === keyOf(r)) ? 'deleted' : 'not found'}`);
  return {
    mesh: build(
      current.file,
      current.workloads.filter((w) => !goneW.has(w.name)),
      current.services.filter((s) => !goneS.has(svcKey(s))),
      others(current).filter((r) => !goneR.has(keyOf(r))),
    ),
    lines,
  };
}

/** What runs now: each pod with the Deployment spec it was started from. */
export interface RunningPod {
  readonly name: string;
  readonly workload: WorkloadSpec;
}

export interface PodDiff {
  /** Pods to stop: gone from the desired state, or started from a spec that changed. */
  readonly stop: readonly string[];
  readonly start: readonly PodSpec[];
}

/** Pods to stop and to start so that the running pods match `desired` (changed = replaced). */
export function diffPods(running: readonly RunningPod[], desired: readonly PodSpec[]): PodDiff {
  const want = new Map(desired.map((p) => [p.name, p]));
  // A pod stays when its name and its Deployment's spec are the same (replicas aside: scaling
  // 3 -> 2 keeps pods 0 and 1).
  const key = (w: WorkloadSpec): string => JSON.stringify({ ...w, replicas: undefined });
  const stop = running.filter((r) => {
    const d = want.get(r.name);
    return !d || key(d.workload) !== key(r.workload);
  }).map((r) => r.name);
  const keep = new Set(running.map((r) => r.name).filter((n) => !stop.includes(n)));
  return { stop, start: desired.filter((p) => !keep.has(p.name)) };
}
