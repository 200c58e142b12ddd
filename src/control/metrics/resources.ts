// Resource arguments as `linkerd viz` takes them — `deploy`, `deploy/web`, `po/web-0`, `ns/demo`,
// `svc/catalog` (plural and long forms too) — parsed once, and resolved against the inventory:
// which rows a command shows, which pods each row stands for, and an error naming what exists
// when a name does not.
import { WeftError } from '../../lib/errors.js';
import type { InventorySnapshot, PodInfo } from './inventory.js';

export type ResourceType = 'deploy' | 'pod' | 'ns' | 'svc';

export interface ResourceRef {
  readonly type: ResourceType;
  /** undefined: every resource of the type. */
  readonly name: string | undefined;
}

export class UnknownResourceError extends WeftError {
  constructor(message: string) {
    super('WEFT_ERR_UNKNOWN_RESOURCE', message);
  }
}

const TYPES: Readonly<Record<string, ResourceType>> = {
  deploy: 'deploy', deployment: 'deploy', deployments: 'deploy', workload: 'deploy', workloads: 'deploy',
  po: 'pod', pod: 'pod', pods: 'pod',
  ns: 'ns', namespace: 'ns', namespaces: 'ns',
  svc: 'svc', service: 'svc', services: 'svc',
};

export const TYPE_NAMES: Readonly<Record<ResourceType, string>> = { deploy: 'deployment', pod: 'pod', ns: 'namespace', svc: 'service' };

/** "deploy", "deploy/web" or ("deploy", "web"). */
export function parseResource(arg: string, name?: string, allowed: readonly ResourceType[] = ['deploy', 'pod', 'ns', 'svc']): ResourceRef {
  const [t, n] = arg.includes('/') ? [arg.slice(0, arg.indexOf('/')), arg.slice(arg.indexOf('/') + 1)] : [arg, name];
  const type = TYPES[(t ?? '').toLowerCase()];
  if (!type || !allowed.includes(type)) {
    throw new UnknownResourceError(`unknown resource type "${t}" (use one of: ${allowed.map((a) => `${a} (${TYPE_NAMES[a]})`).join(', ')})`);
  }
  if (n !== undefined && n === '') throw new UnknownResourceError(`${arg}: empty name`);
  return { type, name: n };
}

/** One row: a resource and the pods it stands for. */
export interface Row {
  readonly type: ResourceType;
  readonly name: string;
  /** '' for a namespace row. */
  readonly namespace: string;
  readonly pods: readonly PodInfo[];
}

/** Every resource of a type (in a namespace when given), with its pods, sorted. */
export function rowsOf(inv: InventorySnapshot, type: ResourceType, namespace?: string): Row[] {
  const pods = inv.pods.filter((p) => !namespace || p.namespace === namespace);
  const rows = new Map<string, Row>();
  const add = (name: string, ns: string, p: PodInfo | undefined): void => {
    const k = `${ns}/${name}`;
    const r = rows.get(k) ?? { type, name, namespace: ns, pods: [] };
    rows.set(k, p ? { ...r, pods: [...r.pods, p] } : r);
  };
  if (type === 'svc') {
    for (const s of inv.services.filter((x) => !namespace || x.namespace === namespace)) {
      add(s.name, s.namespace, undefined);
      for (const p of pods.filter((x) => s.pods.includes(x.name) && x.namespace === s.namespace)) add(s.name, s.namespace, p);
    }
  } else {
    for (const p of pods) add(type === 'deploy' ? p.deployment : type === 'pod' ? p.name : p.namespace, type === 'ns' ? '' : p.namespace, p);
  }
  return [...rows.values()].sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
}

/** The rows a reference names; an unknown name is an error listing the ones that exist. */
export function resolve(inv: InventorySnapshot, ref: ResourceRef, namespace?: string): Row[] {
  const all = rowsOf(inv, ref.type, ref.type === 'ns' ? undefined : namespace);
  if (ref.name === undefined) return all;
  const hit = all.filter((r) => r.name === ref.name);
  if (hit.length > 0) return hit;
  const where = ref.type === 'ns' || !namespace ? '' : ` in namespace ${namespace}`;
  const have = all.map((r) => (r.namespace && !namespace ? `${r.namespace}/${r.name}` : r.name));
  throw new UnknownResourceError(`no ${TYPE_NAMES[ref.type]} "${ref.name}"${where} (have: ${have.length ? have.join(', ') : 'none'})`);
}
