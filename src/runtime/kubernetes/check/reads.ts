// The objects several checks look at, read once per run (memoized in the context).
import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import type { InjectorConfig } from '../../../control/injector/config.js';
import { parseInjectorConfig } from '../../../control/injector/config.js';
import { CONTROL_PLANE_COMPONENT_LABEL } from '../../../control/injector/annotations.js';
import { CONFIG_KEY, CONFIG_MAP, NAMESPACE } from '../names.js';
import type { CheckContext } from './context.js';
import { CheckFailure } from './types.js';

export async function secretData(ctx: CheckContext, name: string): Promise<Record<string, string>> {
  const s = await ctx.read(`secret/${name}`, `read secret ${NAMESPACE}/${name}`, () => ctx.core.readNamespacedSecret({ namespace: NAMESPACE, name }));
  if (!s) throw new CheckFailure(`secret ${NAMESPACE}/${name} does not exist`);
  return Object.fromEntries(Object.entries(s.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
}

export async function secretField(ctx: CheckContext, name: string, key: string): Promise<string> {
  const v = (await secretData(ctx, name))[key];
  if (!v) throw new CheckFailure(`secret ${NAMESPACE}/${name} has no ${key}`);
  return v;
}

export async function injectorConfig(ctx: CheckContext): Promise<InjectorConfig> {
  const cm = await ctx.read(`cm/${CONFIG_MAP}`, `read configmap ${NAMESPACE}/${CONFIG_MAP}`, () => ctx.core.readNamespacedConfigMap({ namespace: NAMESPACE, name: CONFIG_MAP }));
  const text = cm?.data?.[CONFIG_KEY];
  if (!text) throw new CheckFailure(`configmap ${NAMESPACE}/${CONFIG_MAP} ${cm ? `has no ${CONFIG_KEY}` : 'does not exist'}`);
  try {
    return parseInjectorConfig(text, `configmap ${NAMESPACE}/${CONFIG_MAP}`);
  } catch (err) {
    throw new CheckFailure((err as Error).message);
  }
}

export async function controlPlaneDeployments(ctx: CheckContext): Promise<V1Deployment[]> {
  const l = await ctx.read('deployments', `list deployments in ${NAMESPACE}`, () => ctx.apps.listNamespacedDeployment({ namespace: NAMESPACE, labelSelector: CONTROL_PLANE_COMPONENT_LABEL }));
  return l?.items ?? [];
}

export async function controlPlanePods(ctx: CheckContext): Promise<V1Pod[]> {
  const l = await ctx.read('cp-pods', `list pods in ${NAMESPACE}`, () => ctx.core.listNamespacedPod({ namespace: NAMESPACE, labelSelector: CONTROL_PLANE_COMPONENT_LABEL }));
  return l?.items ?? [];
}

export function podReady(p: V1Pod): boolean {
  return p.status?.phase === 'Running' && (p.status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

const DAY_MS = 24 * 3600_000;
/** Certificates expiring within this are warned about, as Linkerd does. */
export const EXPIRY_WARNING_MS = 60 * DAY_MS;

export function days(ms: number): string {
  return `${Math.floor(ms / DAY_MS)} days`;
}

/** "expires in 12 days", or "expired 3 days ago" for a certificate already past its notAfter. */
export function expiresIn(leftMs: number): string {
  return leftMs > 0 ? `expires in ${days(leftMs)}` : `expired ${days(-leftMs)} ago`;
}
