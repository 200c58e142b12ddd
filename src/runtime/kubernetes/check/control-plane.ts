// Categories about the installed control plane: its objects exist and run, its configuration
// reads, and its version matches this CLI.
import { COMPONENTS, CONFIG_MAP, DEPLOYMENT, MUTATING_WEBHOOK, NAMESPACE, SERVICE_ACCOUNT, VALIDATING_WEBHOOK } from '../names.js';
import { CONTROL_PLANE_COMPONENT_LABEL } from '../../../control/injector/annotations.js';
import type { CheckContext } from './context.js';
import { controlPlaneDeployments, controlPlanePods, injectorConfig, podReady } from './reads.js';
import type { Category } from './types.js';
import { CheckFailure, CheckWarning } from './types.js';

const CLUSTER_ROLES = ['weft-destination', 'weft-identity', 'weft-injector', 'weft-heartbeat'];
const REINSTALL = 'weft install | kubectl apply -f - (or weft upgrade | kubectl apply -f -) restores missing objects';

async function missing(ctx: CheckContext, names: readonly string[], read: (name: string) => Promise<unknown>): Promise<string[]> {
  const out: string[] = [];
  for (const n of names) if (!(await read(n))) out.push(n);
  return out;
}

export const weftExistence: Category = {
  name: 'weft-existence',
  fatal: true,
  checks: [
    {
      description: `'${NAMESPACE}' Namespace exists`,
      hint: 'weft is not installed: weft install | kubectl apply -f -',
      run: async (ctx) => {
        if (!(await ctx.read(`ns/${NAMESPACE}`, `read namespace ${NAMESPACE}`, () => ctx.core.readNamespace({ name: NAMESPACE })))) {
          throw new CheckFailure(`namespace ${NAMESPACE} does not exist`);
        }
      },
    },
    {
      description: 'ServiceProfile CRDs are installed',
      hint: 'weft install --crds | kubectl apply -f -',
      run: async (ctx) => {
        const crd = await ctx.read('crd/weft', 'read CRD serviceprofiles.weft.io', () => ctx.ext.readCustomResourceDefinition({ name: 'serviceprofiles.weft.io' }));
        if (!crd) throw new CheckFailure('CRD serviceprofiles.weft.io does not exist');
        if (!(crd.status?.conditions ?? []).some((c) => c.type === 'Established' && c.status === 'True')) throw new CheckFailure('CRD serviceprofiles.weft.io is not established yet');
      },
    },
    {
      description: 'control plane ClusterRoles and ClusterRoleBindings exist',
      hint: REINSTALL,
      run: async (ctx) => {
        const roles = await missing(ctx, CLUSTER_ROLES, (n) => ctx.read(`cr/${n}`, `read clusterrole ${n}`, () => ctx.rbac.readClusterRole({ name: n })));
        const bindings = await missing(ctx, CLUSTER_ROLES, (n) => ctx.read(`crb/${n}`, `read clusterrolebinding ${n}`, () => ctx.rbac.readClusterRoleBinding({ name: n })));
        if (roles.length || bindings.length) throw new CheckFailure(`missing: ${[...roles.map((r) => `ClusterRole ${r}`), ...bindings.map((b) => `ClusterRoleBinding ${b}`)].join(', ')}`);
      },
    },
    {
      description: 'control plane ServiceAccounts exist',
      hint: REINSTALL,
      run: async (ctx) => {
        const gone = await missing(ctx, Object.values(SERVICE_ACCOUNT), (n) => ctx.read(`sa/${n}`, `read serviceaccount ${n}`, () => ctx.core.readNamespacedServiceAccount({ namespace: NAMESPACE, name: n })));
        if (gone.length) throw new CheckFailure(`missing ServiceAccounts: ${gone.join(', ')}`);
      },
    },
    {
      description: 'control plane Deployments are available',
      hint: `kubectl -n ${NAMESPACE} get deploy,pods; kubectl -n ${NAMESPACE} describe deploy <name> shows why a replica is not available`,
      run: async (ctx) => {
        const deployments = await controlPlaneDeployments(ctx);
        const problems: string[] = [];
        for (const c of COMPONENTS) {
          const d = deployments.find((x) => x.metadata?.name === DEPLOYMENT[c]);
          if (!d) problems.push(`Deployment ${DEPLOYMENT[c]} does not exist`);
          else if ((d.status?.availableReplicas ?? 0) < (d.spec?.replicas ?? 1)) {
            problems.push(`Deployment ${DEPLOYMENT[c]}: ${d.status?.availableReplicas ?? 0} of ${d.spec?.replicas ?? 1} replicas available`);
          }
        }
        if (problems.length) throw new CheckFailure(problems.join('\n'));
      },
    },
    {
      description: 'control plane pods are ready',
      hint: `kubectl -n ${NAMESPACE} get pods; kubectl -n ${NAMESPACE} logs <pod>`,
      run: async (ctx) => {
        const pods = await controlPlanePods(ctx);
        const notReady = COMPONENTS.filter((c) => !pods.some((p) => p.metadata?.labels?.[CONTROL_PLANE_COMPONENT_LABEL] === c && podReady(p)));
        if (notReady.length) throw new CheckFailure(`no ready pod for: ${notReady.join(', ')}`);
        return `${pods.filter(podReady).length} ready`;
      },
    },
  ],
};

export const weftConfig: Category = {
  name: 'weft-config',
  checks: [
    {
      description: `control plane configuration (${CONFIG_MAP}) is valid`,
      hint: REINSTALL,
      run: async (ctx) => void (await injectorConfig(ctx)),
    },
    {
      description: 'control plane and CLI versions match',
      hint: 'weft upgrade | kubectl apply -f - with this CLI, or use the CLI of the installed version',
      run: async (ctx) => {
        const c = await injectorConfig(ctx);
        if (c.proxyVersion !== ctx.opts.cliVersion) throw new CheckWarning(`control plane is ${c.proxyVersion}, this CLI is ${ctx.opts.cliVersion}`);
        return c.proxyVersion;
      },
    },
    {
      description: 'admission webhook configurations exist',
      hint: REINSTALL,
      run: async (ctx) => {
        const m = await ctx.read('mwc', `read ${MUTATING_WEBHOOK}`, () => ctx.admission.readMutatingWebhookConfiguration({ name: MUTATING_WEBHOOK }));
        const v = await ctx.read('vwc', `read ${VALIDATING_WEBHOOK}`, () => ctx.admission.readValidatingWebhookConfiguration({ name: VALIDATING_WEBHOOK }));
        const gone = [...(m ? [] : [`MutatingWebhookConfiguration ${MUTATING_WEBHOOK}`]), ...(v ? [] : [`ValidatingWebhookConfiguration ${VALIDATING_WEBHOOK}`])];
        if (gone.length) throw new CheckFailure(`missing: ${gone.join(', ')}`);
      },
    },
  ],
};
