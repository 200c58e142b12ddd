// mesh.yaml, the input of `weft up -f`: plain Kubernetes manifests, so a file that runs
// locally reads like what one would `kubectl apply`. Deployments (apps/v1) are the workloads
// (`replicas` pods, one container: its command, env, ports, workingDir, securityContext.runAsUser);
// Services select them by label; ServiceProfiles and other store kinds go to the store as
// they are; Namespaces carry the `weft.io/inject` annotation (also allowed on the pod
// template), ServiceAccounts and other kinds are accepted and ignored. Parsed once into a
// frozen MeshSpec; every error names the file, the workload (or resource) and the field.
import { isAbsolute, resolve } from 'node:path';
import { readFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import { WeftError } from '../../lib/errors.js';
import { FieldError, join, list, obj, optObj, optStr, port, str, strMap, int } from '../../control/store/fields.js';
import type { Obj } from '../../control/store/fields.js';
import { POLICY_API_KINDS, validateResource } from '../../control/store/validate.js';
import { DEFAULT_POLICIES } from '../../control/store/policy-types.js';
import type { Resource, Service } from '../../control/store/types.js';
import { isLogLevel } from '../../lib/log.js';
import type { LogLevel } from '../../lib/log.js';
import type { PortRange } from './iptables-rules.js';
import { parsePortRanges } from './iptables-rules.js';

export class MeshFileError extends WeftError {
  constructor(
    readonly file: string,
    /** The workload (or "Kind ns/name" resource) the error is about, when known. */
    readonly subject: string | undefined,
    readonly fieldPath: string,
    readonly problem: string,
  ) {
    super('WEFT_ERR_INVALID_MESH_FILE', `${file}: ${subject ? `${subject}: ` : ''}${fieldPath ? `${fieldPath}: ` : ''}${problem}`);
  }
}

export interface WorkloadPort {
  readonly name: string | undefined;
  readonly containerPort: number;
}

/** A Deployment: `replicas` pods, each its own network namespace (or loopback ports) and proxy. */
export interface WorkloadSpec {
  readonly name: string;
  readonly namespace: string;
  readonly replicas: number;
  readonly serviceAccount: string;
  readonly labels: Readonly<Record<string, string>>;
  /** argv; a leading "node" is the Node running weft. */
  readonly command: readonly string[];
  /** Absolute (relative paths in the file are resolved against the file's directory). */
  readonly workingDir: string;
  readonly env: Readonly<Record<string, string>>;
  readonly ports: readonly WorkloadPort[];
  /** uid/gid of the app process (namespace mode; the proxy runs as the proxy uid). */
  readonly user: number;
  readonly group: number;
  readonly skipInboundPorts: readonly PortRange[];
  readonly skipOutboundPorts: readonly PortRange[];
  /** false: the app runs without a proxy (and without interception). */
  readonly inject: boolean;
  readonly proxyLogLevel: LogLevel;
  /** Extra WEFT_PROXY_* variables, applied last. */
  readonly proxyEnv: Readonly<Record<string, string>>;
  /** config.weft.io/default-inbound-policy (or Linkerd's): the proxy's and controller's default. */
  readonly defaultInboundPolicy: string | undefined;
}

/** A Service and the labels selecting its workloads (not kept in the store's Service type). */
export interface ServiceSpec {
  readonly service: Service;
  readonly selector: Readonly<Record<string, string>>;
}

export interface MeshSpec {
  readonly file: string;
  readonly workloads: readonly WorkloadSpec[];
  readonly services: readonly ServiceSpec[];
  /** Every resource for the store (the Services too, without cluster IPs yet). */
  readonly resources: readonly Resource[];
}

export const DEFAULT_APP_UID = 65534;
/** A network holds 253 pods. */
export const MAX_REPLICAS = 253;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function label(v: unknown, path: string, max = 63): string {
  const s = str(v, path);
  if (s.length > max || !DNS_LABEL.test(s)) throw new FieldError(path, `"${s}" is not a DNS label (lower case, digits, '-', at most ${max})`);
  return s;
}

function parsePortRangesAt(s: string, path: string): PortRange[] {
  try {
    return parsePortRanges(s, path);
  } catch (err) {
    throw new FieldError(path, (err as Error).message);
  }
}

/** Annotations that tune a workload, as the injector reads them on Kubernetes. */
export const ANNOTATIONS = Object.freeze({
  inject: 'weft.io/inject',
  skipInbound: 'config.weft.io/skip-inbound-ports',
  skipOutbound: 'config.weft.io/skip-outbound-ports',
  logLevel: 'config.weft.io/proxy-log-level',
});
/** WEFT_PROXY_* variables set on the container named weft-proxy (optional) reach the proxy. */
export const PROXY_CONTAINER = 'weft-proxy';

const STORE_KINDS = new Set([
  'v1 Service', 'discovery.k8s.io/v1 EndpointSlice', 'weft.io/v1alpha1 ServiceProfile', 'linkerd.io/v1alpha2 ServiceProfile',
  // Policy (Servers, AuthorizationPolicies, routes, ...); Pods come from the Deployments.
  ...POLICY_API_KINDS.filter((k) => k !== 'v1 Pod'),
]);

/** The default inbound policy annotation, weft's name first, then Linkerd's. */
export const DEFAULT_INBOUND_POLICY_ANNOTATIONS = ['config.weft.io/default-inbound-policy', 'config.linkerd.io/default-inbound-policy'] as const;

function envList(v: unknown, path: string): Readonly<Record<string, string>> {
  if (v === undefined || v === null) return Object.freeze({});
  const out: Record<string, string> = {};
  list(v, path).forEach((e, i) => {
    const p = join(path, i);
    const o = obj(e, p);
    const name = str(o['name'], join(p, 'name'));
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new FieldError(join(p, 'name'), `"${name}" is not a valid environment variable name`);
    if (o['valueFrom'] !== undefined) throw new FieldError(join(p, 'valueFrom'), 'not supported by the local runtime (use value)');
    const val = o['value'] ?? '';
    if (typeof val !== 'string' && typeof val !== 'number' && typeof val !== 'boolean') throw new FieldError(join(p, 'value'), 'expected a string');
    out[name] = String(val);
  });
  return Object.freeze(out);
}

function annotation(meta: Obj, key: string): string | undefined {
  const a = meta['annotations'];
  if (!a || typeof a !== 'object') return undefined;
  const v = (a as Obj)[key];
  return typeof v === 'string' ? v : undefined;
}

function parseDeployment(d: Obj, defaultNs: string, nsInject: ReadonlyMap<string, boolean>, workingDir: string): WorkloadSpec {
  const meta = obj(d['metadata'], 'metadata');
  const name = label(meta['name'], 'metadata.name', 40);
  const namespace = meta['namespace'] === undefined ? defaultNs : label(meta['namespace'], 'metadata.namespace');
  const spec = obj(d['spec'], 'spec');
  const replicas = spec['replicas'] === undefined ? 1 : int(spec['replicas'], 'spec.replicas', 0, MAX_REPLICAS);
  const tmpl = obj(spec['template'], 'spec.template');
  const tmeta = optObj(tmpl['metadata'], 'spec.template.metadata') ?? {};
  const pod = obj(tmpl['spec'], 'spec.template.spec');
  const containers = list(pod['containers'], 'spec.template.spec.containers');
  const apps = containers.filter((c) => (c as Obj | null)?.['name'] !== PROXY_CONTAINER);
  if (apps.length !== 1) throw new FieldError('spec.template.spec.containers', `the local runtime runs exactly one app container (got ${apps.length})`);
  const ci = containers.indexOf(apps[0]);
  const cp = `spec.template.spec.containers[${ci}]`;
  const c = obj(apps[0], cp);
  const command = [
    ...(c['command'] === undefined ? [] : list(c['command'], join(cp, 'command'))),
    ...(c['args'] === undefined ? [] : list(c['args'], join(cp, 'args'))),
  ].map((x, i) => (typeof x === 'number' ? String(x) : str(x, `${cp}.command[${i}]`)));
  if (command.length === 0) throw new FieldError(join(cp, 'command'), 'must name a program (the local runtime has no images)');
  const ports = (c['ports'] === undefined ? [] : list(c['ports'], join(cp, 'ports'))).map((p, i): WorkloadPort => {
    const pp = join(join(cp, 'ports'), i);
    const po = obj(p, pp);
    const pname = po['name'] === undefined ? undefined : label(po['name'], join(pp, 'name'), 15);
    return Object.freeze({ name: pname, containerPort: port(po['containerPort'], join(pp, 'containerPort')) });
  });
  const proxyIdx = containers.findIndex((x) => (x as Obj | null)?.['name'] === PROXY_CONTAINER);
  const proxyEnv = proxyIdx < 0 ? {} : envList(obj(containers[proxyIdx], `spec.template.spec.containers[${proxyIdx}]`)['env'], `spec.template.spec.containers[${proxyIdx}].env`);
  const ann = (k: string): string | undefined => annotation(tmeta, k) ?? annotation(meta, k);
  const injectAnn = ann(ANNOTATIONS.inject);
  if (injectAnn !== undefined && injectAnn !== 'enabled' && injectAnn !== 'disabled') {
    throw new FieldError(`spec.template.metadata.annotations.${ANNOTATIONS.inject}`, `expected enabled or disabled, got "${injectAnn}"`);
  }
  const policyKey = DEFAULT_INBOUND_POLICY_ANNOTATIONS.find((k) => ann(k) !== undefined);
  const defaultInboundPolicy = policyKey === undefined ? undefined : ann(policyKey);
  if (policyKey && !(DEFAULT_POLICIES as readonly string[]).includes(defaultInboundPolicy ?? '')) {
    throw new FieldError(`spec.template.metadata.annotations.${policyKey}`, `"${defaultInboundPolicy}" is not one of ${DEFAULT_POLICIES.join(', ')}`);
  }
  const logLevel = ann(ANNOTATIONS.logLevel) ?? 'info';
  if (!isLogLevel(logLevel)) throw new FieldError(`spec.template.metadata.annotations.${ANNOTATIONS.logLevel}`, `unknown level "${logLevel}"`);
  const sc = optObj(c['securityContext'], join(cp, 'securityContext')) ?? optObj(pod['securityContext'], 'spec.template.spec.securityContext') ?? {};
  const user = sc['runAsUser'] === undefined ? DEFAULT_APP_UID : int(sc['runAsUser'], 'securityContext.runAsUser', 0, 0xfffffffe);
  const wd = optStr(c['workingDir'], join(cp, 'workingDir'));
  const labels = tmeta['labels'] === undefined ? Object.freeze({}) : strMap(tmeta['labels'], 'spec.template.metadata.labels');
  return Object.freeze({
    name,
    namespace,
    replicas,
    serviceAccount: pod['serviceAccountName'] === undefined ? 'default' : label(pod['serviceAccountName'], 'spec.template.spec.serviceAccountName'),
    labels,
    command: Object.freeze(command),
    workingDir: wd === undefined ? workingDir : isAbsolute(wd) ? wd : resolve(workingDir, wd),
    env: envList(c['env'], join(cp, 'env')),
    ports: Object.freeze(ports),
    user,
    group: sc['runAsGroup'] === undefined ? user : int(sc['runAsGroup'], 'securityContext.runAsGroup', 0, 0xfffffffe),
    skipInboundPorts: Object.freeze(parsePortRangesAt(ann(ANNOTATIONS.skipInbound) ?? '', `annotations.${ANNOTATIONS.skipInbound}`)),
    skipOutboundPorts: Object.freeze(parsePortRangesAt(ann(ANNOTATIONS.skipOutbound) ?? '', `annotations.${ANNOTATIONS.skipOutbound}`)),
    inject: injectAnn !== undefined ? injectAnn === 'enabled' : nsInject.get(namespace) ?? true,
    proxyLogLevel: logLevel,
    proxyEnv,
    defaultInboundPolicy,
  });
}

function resourceName(d: Obj, defaultNs: string): string | undefined {
  const m = (d['metadata'] ?? {}) as Obj;
  if (typeof d['kind'] !== 'string' || typeof m['name'] !== 'string') return undefined;
  return `${d['kind']} ${typeof m['namespace'] === 'string' ? m['namespace'] : defaultNs}/${m['name']}`;
}

export interface ParseOptions {
  /** Where relative commands and working dirs start (default: the current directory). */
  readonly workingDir?: string;
  readonly defaultNamespace?: string;
  /** A file without Deployments is fine (applied to a running mesh: Services, profiles). */
  readonly allowNoWorkloads?: boolean;
}

/** Parses mesh.yaml text; `file` is used in errors. */
export function parseMeshFile(text: string, file: string, opts: ParseOptions = {}): MeshSpec {
  const defaultNs = opts.defaultNamespace ?? 'default';
  const workingDir = resolve(opts.workingDir ?? process.cwd());
  const values: Obj[] = [];
  for (const doc of parseAllDocuments(text)) {
    if ('errors' in doc && doc.errors.length > 0) {
      throw new MeshFileError(file, undefined, '', `invalid YAML: ${doc.errors[0]?.message ?? 'parse error'}`);
    }
    const v: unknown = doc.toJS();
    if (v === null || v === undefined) continue;
    if (typeof v !== 'object' || Array.isArray(v)) throw new MeshFileError(file, undefined, '', 'every document must be an object');
    const o = v as Obj;
    // A `kind: List` wrapper (kubectl get -o yaml) holds its resources in items.
    if (o['kind'] === 'List' && Array.isArray(o['items'])) values.push(...(o['items'] as Obj[]));
    else values.push(o);
  }
  const nsInject = new Map<string, boolean>();
  for (const v of values.filter((x) => x['kind'] === 'Namespace')) {
    const meta = (v['metadata'] ?? {}) as Obj;
    const a = annotation(meta, ANNOTATIONS.inject);
    if (typeof meta['name'] === 'string' && a !== undefined) nsInject.set(meta['name'], a === 'enabled');
  }
  const workloads: WorkloadSpec[] = [];
  const resources: Resource[] = [];
  const servicesList: ServiceSpec[] = [];
  for (const v of values) {
    const subject = resourceName(v, defaultNs);
    const kind = `${String(v['apiVersion'])} ${String(v['kind'])}`;
    try {
      if (kind === 'apps/v1 Deployment') {
        workloads.push(parseDeployment(v, defaultNs, nsInject, workingDir));
      } else if (STORE_KINDS.has(kind)) {
        const r = validateResource(v, '0', defaultNs);
        resources.push(r);
        if (r.kind === 'Service') {
          const spec = (v['spec'] ?? {}) as Obj;
          const selector = spec['selector'] === undefined ? {} : strMap(spec['selector'], 'spec.selector');
          servicesList.push(Object.freeze({ service: r, selector }));
        }
      } else if (typeof v['kind'] !== 'string' || typeof v['apiVersion'] !== 'string') {
        throw new FieldError('kind', 'every document needs apiVersion and kind');
      }
      // Anything else (Namespace, ServiceAccount, ConfigMap, ...) has no meaning locally.
    } catch (err) {
      if (err instanceof FieldError) throw new MeshFileError(file, subject, err.path, err.problem);
      throw err;
    }
  }
  if (workloads.length === 0 && !opts.allowNoWorkloads) throw new MeshFileError(file, undefined, '', 'no workloads (apps/v1 Deployment documents) in the file');
  checkNames(file, workloads);
  const services = new Set<string>();
  for (const { service: s } of servicesList) {
    const k = `${s.metadata.namespace}/${s.metadata.name}`;
    if (services.has(k)) throw new MeshFileError(file, `Service ${k}`, 'metadata.name', 'duplicate Service');
    services.add(k);
  }
  return Object.freeze({ file, workloads: Object.freeze(workloads), services: Object.freeze(servicesList), resources: Object.freeze(resources) });
}

/**
 * Deployment names are unique across namespaces, and so are the pods' names (`<name>-<i>` with
 * replicas): logs, `weft logs <pod>` and the namespace records are keyed by them.
 */
export function checkNames(file: string, workloads: readonly WorkloadSpec[]): void {
  const owner = new Map<string, WorkloadSpec>();
  for (const w of workloads) {
    if (owner.has(w.name)) throw new MeshFileError(file, `Deployment ${w.namespace}/${w.name}`, 'metadata.name', 'duplicate workload name (names are unique across namespaces)');
    owner.set(w.name, w);
  }
  for (const w of workloads) {
    if (w.replicas < 2) continue;
    for (let i = 0; i < w.replicas; i++) {
      const other = owner.get(`${w.name}-${i}`);
      if (other) throw new MeshFileError(file, `Deployment ${other.namespace}/${other.name}`, 'metadata.name', `the same name as pod ${i} of Deployment ${w.name} (replicas are named <name>-<i>)`);
    }
  }
}

export async function loadMeshFile(file: string, opts: ParseOptions = {}): Promise<MeshSpec> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new MeshFileError(file, undefined, '', `cannot read: ${(err as Error).message}`);
  }
  return parseMeshFile(text, file, opts);
}

/** The workload port a Service port targets (number, named port, or the Service port). */
export function targetPort(w: WorkloadSpec, target: number | string | undefined, servicePort: number): number | undefined {
  if (target === undefined) return servicePort;
  if (typeof target === 'number') return target;
  return w.ports.find((p) => p.name === target)?.containerPort;
}

/** True when every selector label is on the workload (an empty selector selects nothing). */
export function selects(selector: Readonly<Record<string, string>>, w: WorkloadSpec, namespace: string): boolean {
  const keys = Object.keys(selector);
  return w.namespace === namespace && keys.length > 0 && keys.every((k) => w.labels[k] === selector[k]);
}
