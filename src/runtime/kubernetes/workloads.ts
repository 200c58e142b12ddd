// `weft inject`/`uninject` on manifests: find the pod template in each document — a Pod, a
// workload's spec.template (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job,
// ReplicationController), a CronJob's job template — and rewrite it with a pure function.
// Lists are walked; other kinds pass through unchanged, as `linkerd inject` does.
import { parseAllDocuments, stringify } from 'yaml';
import { NotAWorkloadError } from '../../control/injector/errors.js';
import type { PodTemplate } from '../../control/injector/inject.js';

type Json = Record<string, unknown>;

const TEMPLATED = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'ReplicationController']);

/** What happened to one workload, for the report on stderr. */
export interface WorkloadReport {
  readonly kind: string;
  readonly name: string;
  readonly changed: boolean;
  readonly note: string;
}

/** Rewrites a pod template; returns the new one (or the same) and a note. */
export type TemplateFn = (pod: PodTemplate, owner: { kind: string; name: string; namespace: string | undefined }) => { pod: PodTemplate; changed: boolean; note: string };

function isObj(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function transformObject(doc: Json, fn: TemplateFn, where: string, reports: WorkloadReport[]): Json {
  const kind = doc['kind'];
  if (typeof kind !== 'string' || typeof doc['apiVersion'] !== 'string') {
    throw new NotAWorkloadError(where, 'not a Kubernetes object (it needs apiVersion and kind)');
  }
  if (kind === 'List' || kind.endsWith('List')) {
    if (!Array.isArray(doc['items'])) throw new NotAWorkloadError(where, `${kind} without items`);
    return { ...doc, items: (doc['items'] as unknown[]).map((it, i) => {
      if (!isObj(it)) throw new NotAWorkloadError(`${where} items[${i}]`, 'not an object');
      return transformObject(it, fn, `${where} items[${i}]`, reports);
    }) };
  }
  const meta = isObj(doc['metadata']) ? doc['metadata'] : {};
  const owner = { kind, name: typeof meta['name'] === 'string' ? meta['name'] : '<unnamed>', namespace: typeof meta['namespace'] === 'string' ? meta['namespace'] : undefined };
  const apply = (pod: PodTemplate): PodTemplate => {
    const r = fn(pod, owner);
    reports.push({ kind, name: owner.name, changed: r.changed, note: r.note });
    return r.pod;
  };
  const spec = isObj(doc['spec']) ? doc['spec'] : undefined;
  if (kind === 'Pod') {
    if (!spec) throw new NotAWorkloadError(where, 'Pod without spec');
    return apply(doc as PodTemplate) as Json;
  }
  if (TEMPLATED.has(kind)) {
    if (!spec || !isObj(spec['template'])) throw new NotAWorkloadError(where, `${kind} "${owner.name}" without spec.template`);
    return { ...doc, spec: { ...spec, template: apply(spec['template'] as PodTemplate) } };
  }
  if (kind === 'CronJob') {
    const job = spec && isObj(spec['jobTemplate']) && isObj(spec['jobTemplate']['spec']) ? spec['jobTemplate']['spec'] : undefined;
    if (!spec || !job || !isObj(job['template'])) throw new NotAWorkloadError(where, `CronJob "${owner.name}" without spec.jobTemplate.spec.template`);
    const jobTemplate = spec['jobTemplate'] as Json;
    return { ...doc, spec: { ...spec, jobTemplate: { ...jobTemplate, spec: { ...job, template: apply(job['template'] as PodTemplate) } } } };
  }
  return doc;
}

/** Applies `fn` to every pod template in a YAML (or JSON) stream; other documents are kept. */
export function transformManifests(text: string, source: string, fn: TemplateFn): { output: string; reports: WorkloadReport[] } {
  const reports: WorkloadReport[] = [];
  const out: string[] = [];
  parseAllDocuments(text).forEach((d, i) => {
    const where = `${source}: document ${i}`;
    if ('errors' in d && d.errors.length > 0) throw new NotAWorkloadError(where, `invalid YAML: ${d.errors[0]?.message ?? 'parse error'}`);
    const value: unknown = d.toJS();
    if (value === null || value === undefined) return;
    if (!isObj(value)) throw new NotAWorkloadError(where, 'not a Kubernetes object');
    out.push(stringify(transformObject(value, fn, where, reports), { lineWidth: 0, aliasDuplicateObjects: false }));
  });
  return { output: out.map((d) => '---\n' + d).join(''), reports };
}
