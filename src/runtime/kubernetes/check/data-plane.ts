// weft-data-plane (--proxy): meshed pods' proxies are ready and as new as the control plane,
// use today's trust anchors, and no pod meant to be meshed went without a proxy (created while
// the injector was down: failurePolicy Ignore admits such pods unchanged).
import type { V1Pod } from '@kubernetes/client-node';
import {
  CONTROL_PLANE_NS_LABEL, INJECT_ANNOTATION, INJECT_ENABLED, LINKERD_INJECT_ANNOTATION, PROXY_CONTAINER,
  PROXY_VERSION_ANNOTATION, TRUST_ROOT_ANNOTATION,
} from '../../../control/injector/annotations.js';
import { trustRootSha256 } from '../../../control/injector/config.js';
import { isInjected } from '../../../control/injector/inject.js';
import type { PodTemplate } from '../../../control/injector/inject.js';
import { NAMESPACE } from '../names.js';
import type { CheckContext } from './context.js';
import { injectorConfig } from './reads.js';
import type { Category } from './types.js';
import { CheckFailure, CheckWarning } from './types.js';

const id = (p: V1Pod): string => `${p.metadata?.namespace}/${p.metadata?.name}`;
const live = (p: V1Pod): boolean => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed' && !p.metadata?.deletionTimestamp;

async function pods(ctx: CheckContext, labelSelector?: string): Promise<V1Pod[]> {
  const ns = ctx.opts.namespace;
  const key = `pods/${ns ?? '*'}/${labelSelector ?? ''}`;
  const l = await ctx.read(key, `list pods${ns ? ` in ${ns}` : ''}`, () =>
    ns ? ctx.core.listNamespacedPod({ namespace: ns, ...(labelSelector ? { labelSelector } : {}) }) : ctx.core.listPodForAllNamespaces(labelSelector ? { labelSelector } : {}));
  return (l?.items ?? []).filter(live);
}

const meshed = (ctx: CheckContext): Promise<V1Pod[]> => pods(ctx, `${CONTROL_PLANE_NS_LABEL}=${NAMESPACE}`);

function proxyReady(p: V1Pod): boolean {
  const statuses = [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])];
  return statuses.some((s) => s.name === PROXY_CONTAINER && s.ready);
}

function list(ps: readonly string[], max = 10): string {
  return ps.slice(0, max).join('\n') + (ps.length > max ? `\n... and ${ps.length - max} more` : '');
}

export const weftDataPlane: Category = {
  name: 'weft-data-plane',
  checks: [
    {
      description: 'data plane namespace exists',
      hint: 'give an existing namespace with -n',
      run: async (ctx) => {
        const ns = ctx.opts.namespace;
        if (ns && !(await ctx.read(`ns/${ns}`, `read namespace ${ns}`, () => ctx.core.readNamespace({ name: ns })))) throw new CheckFailure(`namespace ${ns} does not exist`);
      },
    },
    {
      description: 'data plane proxies are ready',
      hint: 'kubectl logs <pod> -c weft-proxy; the proxy is ready once it has its certificate from identity',
      run: async (ctx) => {
        const all = await meshed(ctx);
        const bad = all.filter((p) => p.status?.phase === 'Running' && !proxyReady(p)).map(id);
        if (bad.length) throw new CheckFailure(`proxies not ready:\n${list(bad)}`);
        return `${all.length} meshed pods`;
      },
    },
    {
      description: 'data plane proxies are the control plane\'s version',
      hint: 'restart the pods (kubectl rollout restart) to get the current proxy',
      run: async (ctx) => {
        const want = (await injectorConfig(ctx)).proxyVersion;
        const old = (await meshed(ctx)).filter((p) => p.metadata?.annotations?.[PROXY_VERSION_ANNOTATION] !== want);
        if (old.length) throw new CheckWarning(`proxies not at ${want}:\n${list(old.map((p) => `${id(p)} (${p.metadata?.annotations?.[PROXY_VERSION_ANNOTATION] ?? 'unknown'})`))}`);
      },
    },
    {
      description: 'data plane proxies trust the current trust anchors',
      hint: 'restart the pods (kubectl rollout restart) so their proxies get the current trust anchors',
      run: async (ctx) => {
        const want = trustRootSha256((await injectorConfig(ctx)).trustAnchorsPem);
        const stale = (await meshed(ctx)).filter((p) => p.metadata?.annotations?.[TRUST_ROOT_ANNOTATION] !== want).map(id);
        if (stale.length) throw new CheckWarning(`proxies with other trust anchors:\n${list(stale)}`);
      },
    },
    {
      description: 'pods meant to be meshed have a proxy',
      hint: 'they were created while the injector was down, before weft was installed, or with an annotation the injector refused (kubectl showed a warning): fix that, then restart them, e.g. kubectl rollout restart deploy/<name>',
      run: async (ctx) => {
        const nsAnnotations = new Map<string, Record<string, string>>();
        const missing: string[] = [];
        for (const p of await pods(ctx)) {
          const ns = p.metadata?.namespace ?? '';
          if (ns === NAMESPACE || p.spec?.hostNetwork || isInjected(p as unknown as PodTemplate)) continue;
          if (!nsAnnotations.has(ns)) {
            const n = await ctx.read(`ns/${ns}`, `read namespace ${ns}`, () => ctx.core.readNamespace({ name: ns }));
            nsAnnotations.set(ns, n?.metadata?.annotations ?? {});
          }
          const a = p.metadata?.annotations ?? {};
          const value = a[INJECT_ANNOTATION] ?? a[LINKERD_INJECT_ANNOTATION] ?? nsAnnotations.get(ns)?.[INJECT_ANNOTATION] ?? nsAnnotations.get(ns)?.[LINKERD_INJECT_ANNOTATION];
          if (value === INJECT_ENABLED) missing.push(id(p));
        }
        if (missing.length) throw new CheckWarning(`pods annotated for injection without a proxy:\n${list(missing)}`);
      },
    },
  ],
};
